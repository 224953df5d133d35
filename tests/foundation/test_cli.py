"""CLI of the foundation: juridictions, indicateurs (court, cour, national, catalogue), errors."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cpc_toolkit import catalogue, reference
from cpc_toolkit.cli.main import main

REPO = Path(__file__).resolve().parents[2]
SUMMED = [i.id for i in catalogue.input_indicators() if i.aggregation == "sum"]


@pytest.fixture
def cpc(monkeypatch, capsys):
    """Run ``cpc`` in-process; return (exit code, stdout, stderr). CPC_DONNEES is restored afterwards."""
    monkeypatch.delenv("CPC_DONNEES", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def demo_cpc(cpc, demo_store, demo_results, monkeypatch):
    monkeypatch.setenv("CPC_DONNEES", str(demo_store.root))
    return cpc


def csv_frame(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype={"valeur": str}, keep_default_na=False)


# ---------------------------------------------------------------------------------- juridictions
def test_juridictions_by_type(cpc):
    code, out, _ = cpc("juridictions", "--type", "TJ", "--format", "csv")
    df = csv_frame(out)
    assert code == 0 and len(df) == 164 and set(df["type"]) == {"TJ"}
    assert df.loc[df["id"] == "tj-carpentras", "tae_depuis_2025"].tolist() == ["oui"]
    code, out, _ = cpc("juridictions", "--type", "CA", "--format", "csv")
    assert code == 0 and len(csv_frame(out)) == 36
    code, out, _ = cpc("juridictions", "--type", "TPI", "--format", "csv")
    assert len(csv_frame(out)) == 4


def test_juridictions_of_a_cour(cpc):
    code, out, _ = cpc("juridictions", "--cour", "ca-lyon", "--format", "csv")
    df = csv_frame(out)
    assert code == 0 and set(df["cour"]) == {"ca-lyon"}
    assert "tj-lyon" in set(df["id"])
    assert set(df.loc[df["type"].isin(["TJ", "TPI"]), "id"]) == set(reference.courts_of_cour("ca-lyon"))
    code, out, _ = cpc("juridictions", "--cour", "ca-lyon")
    assert code == 0 and "Tribunal judiciaire de Lyon" in out


def test_juridictions_unknown_cour_is_a_french_error(cpc):
    code, out, err = cpc("juridictions", "--cour", "ca-atlantide")
    assert code == 2 and out == ""
    assert "cpc juridictions : erreur : argument --cour : Cour d'appel inconnue : « ca-atlantide »" in err
    assert "Traceback" not in err


def test_bad_option_exits_2_with_french_usage(cpc):
    code, _, err = cpc("juridictions", "--type", "XX")
    assert code == 2
    assert "utilisation :" in err and "choix invalide" in err
    code, _, err = cpc("indicateurs", "--inconnue")
    assert code == 2 and "arguments non reconnus : --inconnue" in err
    code, _, err = cpc("indicateurs", "--annee", "deux-mille")
    assert code == 2 and "valeur invalide" in err


def test_help_is_french(cpc):
    code, out, _ = cpc("--aide")
    assert code == 0
    assert "utilisation :" in out and "juridictions" in out and "affiche cette aide et quitte" in out


# ---------------------------------------------------------------------------------- catalogue
def test_catalogue_shows_legal_bases(cpc):
    code, out, _ = cpc("indicateurs", "--catalogue")
    assert code == 0 and "515-11" in out and "vif_part_op_6j" in out
    code, out, _ = cpc("indicateurs", "--catalogue", "--format", "csv")
    df = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert len(df) == len(catalogue.indicators())
    assert "515-11" in df.set_index("id").loc["vif_part_op_6j", "base légale"]
    code, out, _ = cpc("indicateurs", "--catalogue", "--famille", "vif", "--format", "csv")
    df = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert len(df) == len(catalogue.indicators(family="vif")) and df["id"].str.match("^(vif|reg_op)").all()


def test_catalogue_markdown_is_the_committed_doc(cpc):
    code, out, _ = cpc("indicateurs", "--catalogue", "--format", "md")
    assert code == 0
    assert out == catalogue.catalogue_markdown()
    doc = (REPO / "docs" / "indicateurs.md").read_text(encoding="utf-8")
    assert doc == out, "docs/indicateurs.md est périmé : cpc indicateurs --catalogue --format md > docs/indicateurs.md"
    code, _, err = cpc("indicateurs", "--juridiction", "tj-lyon", "--format", "md")
    assert code == 2 and "--catalogue" in err


# ---------------------------------------------------------------------------------- read-out
def test_court_year_readout(demo_cpc):
    code, out, _ = demo_cpc("indicateurs", "--juridiction", "tj-lyon", "--annee", "2025", "--format", "csv")
    df = csv_frame(out)
    assert code == 0
    assert len(df) == len(catalogue.indicators()) >= 60
    assert (df["unité"] != "").all()
    ok = df[df["statut"] == "ok"]
    assert len(ok) >= 60
    assert float(ok.set_index("indicateur").loc["act_cg_entrees", "valeur"]) > 0
    code, out, _ = demo_cpc("indicateurs", "--juridiction", "tj-lyon", "--annee", "2025")
    assert code == 0 and "Affaires nouvelles du contentieux général" in out and "%" in out


def _values(run, *args: str) -> pd.Series:
    code, out, _ = run("indicateurs", *args, "--annee", "2025", "--format", "csv")
    assert code == 0
    df = csv_frame(out).set_index("indicateur")
    return pd.to_numeric(df["valeur"].replace("", None), errors="coerce")


def test_cour_sums_equal_the_sum_of_its_courts(demo_cpc):
    cour = _values(demo_cpc, "--juridiction", "ca-lyon")
    courts = pd.DataFrame({c: _values(demo_cpc, "--juridiction", c) for c in reference.courts_of_cour("ca-lyon")})
    expected = courts.loc[SUMMED].sum(axis=1, min_count=1)
    pd.testing.assert_series_equal(cour.loc[SUMMED], expected, check_names=False)
    assert cour["act_cg_entrees"] > 10_000
    # --cour is the same as --juridiction with a cour id
    pd.testing.assert_series_equal(_values(demo_cpc, "--cour", "ca-lyon"), cour)


def test_national_sums_equal_the_sum_of_all_courts(demo_cpc, demo_results):
    nat = _values(demo_cpc, "--national")
    res = demo_results
    courts = res[(res["level"] == "juridiction") & (res["year"] == 2025)]
    expected = courts.pivot(index="unit_id", columns="indicator_id", values="value")[SUMMED] \
        .sum(axis=0, min_count=1)
    pd.testing.assert_series_equal(nat.loc[SUMMED], expected, check_names=False)
    assert nat["act_cg_entrees"] > 500_000
    code, out, _ = demo_cpc("indicateurs", "--juridiction", "national", "--annee", "2025", "--format", "csv")
    assert code == 0
    df = csv_frame(out)
    assert df.set_index("indicateur").loc["act_cg_entrees", "couverture"] == "167/168"


def test_unknown_court_in_readout_is_a_french_error(demo_cpc):
    code, out, err = demo_cpc("indicateurs", "--juridiction", "tj-atlantide", "--annee", "2025")
    assert code == 2 and out == ""
    assert "Juridiction inconnue : « tj-atlantide »" in err and "Traceback" not in err
    code, _, err = demo_cpc("indicateurs")
    assert code == 2 and "Indiquez --catalogue" in err
    code, _, err = demo_cpc("indicateurs", "--juridiction", "tj-lyon", "--annee", "1990")
    assert code == 2 and "Aucune donnée pour l'année 1990" in err


def test_empty_data_dir_is_a_french_usage_error(cpc, tmp_path):
    code, _, err = cpc("--donnees", str(tmp_path / "vide"), "indicateurs", "--juridiction", "tj-lyon")
    assert code == 2 and "Aucune donnée" in err and "cpc demo" in err


# ---------------------------------------------------------------------------------- console script
def test_console_script_smoke():
    exe = Path(sys.executable).with_name("cpc")
    assert exe.exists(), exe
    proc = subprocess.run([str(exe), "juridictions", "--type", "TJ", "--format", "csv"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("id,type,nom") and len(lines) == 1 + 164
    bad = subprocess.run([str(exe), "juridictions", "--type", "XX"], capture_output=True, text=True,
                         timeout=120, check=False)
    assert bad.returncode == 2 and "choix invalide" in bad.stderr
