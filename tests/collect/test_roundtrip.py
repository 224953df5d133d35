"""Acceptance: a generated workbook filled by hand imports with exit 0 and its values come back
unchanged through `cpc indicateurs`; tolerated variants (LibreOffice, extra / reordered sheets,
inserted rows, formulas with cached values, formula-looking text) import."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cpc_toolkit import catalogue
from cpc_toolkit.collect import import_bytes, parse_workbook
from cpc_toolkit.collect.workbook import build_workbook, workbook_bytes
from cpc_toolkit.store import Store

from .conftest import COURT, DATA, YEAR, demo_values, edit, filled_bytes, named_cell, patch_cell, set_named


def test_hand_filled_workbook_round_trip(tmp_path: Path, cli) -> None:
    rc, _, _ = cli("modeles", "--annee", str(YEAR), "--juridiction", COURT, "--sortie", str(tmp_path))
    assert rc == 0
    path = tmp_path / f"clpc_{YEAR}_{COURT}.xlsx"
    typed: dict[str, object] = {}
    wb = openpyxl.load_workbook(path)
    lists = {spec.id for spec in catalogue.lists()}  # the « Compte rendu » lists: see test_lists.py
    for row in demo_values().itertuples(index=False):
        if row.indicator_id in lists:
            continue
        ind = catalogue.get(row.indicator_id)
        if row.status != "ok":
            named_cell(wb, f"{ind.id}__statut").value = row.status
            continue
        if ind.unit == "boolean":
            v: object = "oui" if row.value else "non"
        elif ind.unit in ("text", "date"):
            v = row.text
        else:
            v = int(row.value) if ind.unit == "count" else float(row.value)
        named_cell(wb, ind.id).value = v
        typed[ind.id] = v
    wb.save(path)
    data = tmp_path / "donnees"
    rc, out, err = cli("--donnees", str(data), "importer", str(path), "--sans-progression")
    assert rc == 0, out + err
    assert "accepté" in out
    rc, out, err = cli("--donnees", str(data), "indicateurs", "--juridiction", COURT, "--annee", str(YEAR),
                       "--format", "csv")
    assert rc == 0, err
    got = {r["indicateur"]: r for r in csv.DictReader(io.StringIO(out))}
    assert len(typed) > 60
    for iid, v in typed.items():
        shown = got[iid]["valeur"]
        if isinstance(v, str) and v in ("oui", "non"):
            assert float(shown) == (1.0 if v == "oui" else 0.0), iid
        elif isinstance(v, str):
            assert shown == v, iid
        else:
            assert math.isclose(float(shown), float(v)), iid
    for row in demo_values().itertuples(index=False):
        if row.status != "ok":
            assert got[row.indicator_id]["statut"] == row.status


def _values(parsed) -> pd.DataFrame:
    return pd.DataFrame(list(parsed.values), columns=["indicator_id", "value", "text", "status"]).set_index(
        "indicator_id")


def test_libreoffice_resaved_workbook_imports(fresh_store: Store) -> None:
    data = (DATA / "clpc_2025_tj-lyon_libreoffice.xlsx").read_bytes()
    out = import_bytes([("clpc_2025_tj-lyon.xlsx", data)], fresh_store, progress=False)
    assert out[0].outcome == "accepted", [str(p) for p in out[0].problems]
    ref = parse_workbook(workbook_bytes(build_workbook(COURT, YEAR, demo_values())), "ref.xlsx")
    lo = parse_workbook(data, "lo.xlsx")
    lo_v, ref_v = _values(lo), _values(ref)
    # the file predates the optional staffing inputs (ETPT), the place and exchanges of the conseil and
    # its « Compte rendu » lists: their cells are absent, read as absent
    lists = {spec.id for spec in catalogue.lists()}
    added = set(ref_v.index) - set(lo_v.index) - lists
    assert added == {i.id for i in catalogue.input_indicators() if "_etpt_" in i.id} | {"clpc_lieu", "clpc_echanges"}
    assert not any(catalogue.get(i).required for i in added)
    assert lists <= set(ref_v.index) and lists.isdisjoint(lo_v.index)
    pd.testing.assert_frame_equal(lo_v, ref_v.loc[lo_v.index])
    stored = fresh_store.court_year(COURT, YEAR).set_index("indicator_id")
    assert len(stored) == len(catalogue.input_indicators()) - len(added)


def _insert_rows(wb: openpyxl.Workbook) -> None:
    """What Excel does when a user inserts 2 rows above row 5 of « Activité civile »."""
    ws = wb["Activité civile"]
    ws.insert_rows(5, 2)
    for dn in list(wb.defined_names.values()):
        sheet, coord = next(iter(dn.destinations))
        if sheet == ws.title:
            col = "".join(c for c in coord if c.isalpha() or c == "$").rstrip("$")
            row = int("".join(c for c in coord if c.isdigit()))
            dn.attr_text = f"'{sheet}'!{col}${row + 2 if row >= 5 else row}"


def _reorder_and_extra(wb: openpyxl.Workbook) -> None:
    wb.move_sheet("VIF", offset=-5)
    ws = wb.create_sheet("Mes calculs")
    ws["A1"] = "brouillon"


def _rename_with_names(wb: openpyxl.Workbook) -> None:
    """Excel renames a sheet AND updates the names that point to it."""
    wb["Amiable"].title = "Amiable 2025"
    for dn in wb.defined_names.values():
        dn.attr_text = dn.attr_text.replace("'Amiable'!", "'Amiable 2025'!").replace("Amiable!", "'Amiable 2025'!")


def _as_text(data: bytes, name: str) -> bytes:
    """The user typed '=SOMME(...) (leading apostrophe): Excel stores it as text, not a formula."""
    def fn(wb: openpyxl.Workbook) -> None:
        cell = named_cell(wb, name)
        cell.data_type = "s"
    return edit(data, fn)


TOLERATED: dict[str, tuple[Callable[[bytes], bytes], dict[str, tuple[float | None, str | None, str]]]] = {
    "lignes_inserees": (lambda d: edit(d, _insert_rows), {}),
    "feuilles_reordonnees_et_ajoutees": (lambda d: edit(d, _reorder_and_extra), {}),
    "feuille_renommee_noms_mis_a_jour": (lambda d: edit(d, _rename_with_names), {}),
    "formule_avec_valeur_calculee": (
        lambda d: patch_cell(d, "Amiable", "B16", '<c r="B16"><f>20+22</f><v>42</v></c>'),
        {"ami_conciliations_deleguees": (42.0, None, "ok")}),
    "textes_commencant_par_egal_plus_moins_arobase": (
        lambda d: _as_text(set_named(d, clpc_tenu="oui", clpc_date="15/10/2025", clpc_priorites_locales="=SOMME(A1:A3)",
                            clpc_projets="+33 1 23 45 67 89", clpc_circuits="- circuit court",
                            clpc_decisions_marquantes="@ tous", clpc_tenu__statut=None, clpc_date__statut=None,
                            clpc_priorites_locales__statut=None, clpc_projets__statut=None,
                            clpc_circuits__statut=None, clpc_decisions_marquantes__statut=None), "clpc_priorites_locales"),
        {"clpc_priorites_locales": (None, "=SOMME(A1:A3)", "ok"), "clpc_projets": (None, "+33 1 23 45 67 89", "ok"),
         "clpc_circuits": (None, "- circuit court", "ok"), "clpc_decisions_marquantes": (None, "@ tous", "ok"),
         "clpc_date": (None, "2025-10-15", "ok")}),
    "statut_saisi_dans_la_valeur_et_saisies_souples": (
        lambda d: set_named(d, pjm_mainlevees="NA", pjm_mainlevees__statut=None, agr_referent=" OUI ",
                            ent_conciliations="17", ent_conciliations__statut=None,
                            ami_mediations_ordonnees=None,
                            ami_mediations_ordonnees__statut="NAP", ami_conciliateurs_actifs__statut="NQ"),
        {"pjm_mainlevees": (None, None, "NA"), "agr_referent": (1.0, None, "ok"),
         "ent_conciliations": (17.0, None, "ok"), "ami_mediations_ordonnees": (None, None, "NAP")}),
}


@pytest.mark.parametrize("case", sorted(TOLERATED))
def test_tolerated_variant_imports(case: str, fresh_store: Store) -> None:
    change, expected = TOLERATED[case]
    data = change(filled_bytes())
    out = import_bytes([(f"clpc_{YEAR}_{COURT}.xlsx", data)], fresh_store, progress=False)
    assert out[0].outcome == "accepted", [str(p) for p in out[0].problems]
    stored = fresh_store.court_year(COURT, YEAR).set_index("indicator_id")
    base = demo_values().set_index("indicator_id")
    assert len(stored) == len(base)
    for iid, (value, text, status) in expected.items():
        row = stored.loc[iid]
        assert row["status"] == status, iid
        if value is not None:
            assert row["value"] == value, iid
        if text is not None:
            assert row["text"] == text, iid
    untouched = base.index.difference([*expected, "clpc_tenu", "ami_conciliateurs_actifs",
                                       "ami_conciliations_deleguees"])
    ok = base.loc[untouched]
    ok = ok[ok["status"] == "ok"]
    num = ok["value"].notna()
    assert (stored.loc[ok.index[num], "value"] == ok.loc[num, "value"]).all()
    if case == "statut_saisi_dans_la_valeur_et_saisies_souples":
        assert stored.loc["ami_conciliateurs_actifs", "status"] == "NQ"


def test_optional_name_missing_from_the_current_template_is_still_an_edit() -> None:
    def drop(wb: openpyxl.Workbook) -> None:
        del wb.defined_names["act_cg_etpt_magistrats"]

    parsed = parse_workbook(edit(filled_bytes(), drop), "clpc_2025_tj-lyon.xlsx")
    codes = {(p.indicator, str(p.reason)) for p in parsed.problems}
    assert ("act_cg_etpt_magistrats", "defined_name_missing") in codes
