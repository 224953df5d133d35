"""`cpc importer` usage errors (exit 2) and the CSV problem table."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .conftest import filled_bytes, set_named


def test_usage_errors_exit_2(tmp_path: Path, cli) -> None:
    rc, _, err = cli("--donnees", str(tmp_path / "d"), "importer", str(tmp_path / "absent.xlsx"))
    assert rc == 2 and "introuvable" in err and "Traceback" not in err
    rc, _, _ = cli("--donnees", str(tmp_path / "d"), "importer")
    assert rc == 2
    empty = tmp_path / "vide"
    empty.mkdir()
    rc, _, err = cli("--donnees", str(tmp_path / "d"), "importer", str(empty))
    assert rc == 2 and "Aucun fichier" in err
    assert not (tmp_path / "d" / "store").exists()


def test_csv_problem_table(tmp_path: Path, cli) -> None:
    path = tmp_path / "clpc_2025_tj-lyon.xlsx"
    path.write_bytes(set_named(filled_bytes(), act_cg_entrees="beaucoup", act_jaf_sorties=-2))
    rc, out, _ = cli("--donnees", str(tmp_path / "d"), "importer", str(path), "--format", "csv",
                     "--sans-progression")
    assert rc == 1
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {(r["cellule"], r["code"]) for r in rows} == {("B5", "type_number"), ("B11", "range")}
    assert all(r["fichier"] == path.name and r["feuille"] == "Activité civile" and r["comment corriger"]
               for r in rows)


def test_import_refuses_to_run_without_defusedxml(tmp_path: Path, cli, monkeypatch) -> None:
    import openpyxl

    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    path = tmp_path / "clpc_2025_tj-lyon.xlsx"
    path.write_bytes(filled_bytes())
    rc, _, err = cli("--donnees", str(tmp_path / "d"), "importer", str(path), "--sans-progression")
    assert rc == 1 and "defusedxml" in err and "[security]" in err
    assert not (tmp_path / "d").exists()
