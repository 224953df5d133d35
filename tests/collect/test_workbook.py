"""Generated workbooks: everything from the catalogue, names on every input, locks, validations,
the « Contrôles » formulas, the committed blank template, the fast demo filler."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from cpc_toolkit import catalogue, reference
from cpc_toolkit.collect import build_workbook, layout, workbook_bytes
from cpc_toolkit.collect.formulas import check_formula
from cpc_toolkit.collect.workbook import TEMPLATE_DIR, FastFiller, blank_template_path

from .conftest import DATA, demo_values, named_cell


@pytest.fixture(scope="module")
def wb() -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(build_workbook("tj-lyon", 2025))))


def _dv_for(ws, coord: str):
    for dv in ws.data_validations.dataValidation:
        if coord in dv.sqref:
            return dv
    return None


def test_every_input_has_a_named_cell_with_catalogue_texts(wb: openpyxl.Workbook) -> None:
    inputs = catalogue.input_indicators()
    assert len(inputs) > 50
    for ind in inputs:
        cell = named_cell(wb, ind.id)
        ws = cell.parent
        assert ws.title == ind.sheet
        row = cell.row
        assert ws.cell(row, 1).value == ind.label
        assert ws.cell(row, 4).value == catalogue.UNIT_LABELS[ind.unit]
        assert str(ws.cell(row, 6).value).startswith(ind.definition)
        assert (ws.cell(row, 7).value or "") == ind.legal_basis
        assert ws.cell(row, 8).value == ind.id
        assert cell.protection.locked is False and ws.cell(row, 1).protection.locked is True
        status = named_cell(wb, layout.status_name(ind.id))
        assert status.row == row and status.protection.locked is False
        dv = _dv_for(ws, cell.coordinate)
        assert dv is not None, ind.id
        expected = {"boolean": "list", "date": "date", "text": "textLength", "count": "whole"}.get(ind.unit, "decimal")
        assert dv.type == expected, ind.id
        if ind.unit == "boolean":
            assert dv.formula1 == '"oui,non"'
        assert _dv_for(ws, status.coordinate).formula1 == '"NA,NAP,NQ"'


def test_identity_and_protection(wb: openpyxl.Workbook) -> None:
    assert named_cell(wb, layout.NAME_COURT).value == "tj-lyon"
    assert named_cell(wb, layout.NAME_YEAR).value == 2025
    assert named_cell(wb, layout.NAME_COUR).value == reference.cour_of("tj-lyon")
    assert named_cell(wb, layout.NAME_TEMPLATE).value == layout.template_version()
    assert wb.sheetnames[0] == layout.README_SHEET and wb.sheetnames[-1] == layout.CHECKS_SHEET
    assert all(ws.protection.sheet for ws in wb.worksheets)
    assert wb.security.lockStructure
    readme = "\n".join(str(c.value) for row in wb[layout.README_SHEET].iter_rows() for c in row if c.value)
    assert "NA" in readme and "date limite" in readme.lower() and "Contact" in readme


def test_controls_sheet_has_one_formula_per_catalogue_check(wb: openpyxl.Workbook) -> None:
    ws = wb[layout.CHECKS_SHEET]
    by_id = {ws.cell(r, 5).value: ws.cell(r, 3).value for r in range(5, ws.max_row + 1) if ws.cell(r, 5).value}
    for chk in catalogue.checks():
        formula = by_id[chk.id]
        assert formula.startswith("=IF(") and all(n in formula for n in chk.expression.names)
    f = check_formula("act_cg_stock_debut + act_cg_entrees - act_cg_sorties == act_cg_stock_fin")
    assert f == ('=IF(COUNT(act_cg_stock_debut,act_cg_entrees,act_cg_sorties,act_cg_stock_fin)<4,'
                 '"Non évalué (cellules vides)",IF(((act_cg_stock_debut+act_cg_entrees)-act_cg_sorties)'
                 '=act_cg_stock_fin,"OK","À corriger"))')
    assert 'IF(clpc_tenu="oui",1,0)=0' in check_formula("clpc_tenu == 0 or present(clpc_date)", "warning")


def test_controls_formulas_computed_by_libreoffice() -> None:
    """The committed LibreOffice re-saves carry the values LibreOffice computed for the formulas."""
    ok = openpyxl.load_workbook(DATA / "clpc_2025_tj-lyon_libreoffice.xlsx", data_only=True)[layout.CHECKS_SHEET]
    bad = openpyxl.load_workbook(DATA / "libreoffice_incoherent.xlsx", data_only=True)[layout.CHECKS_SHEET]
    rows = range(5, 5 + len(catalogue.checks()))
    assert {ok.cell(r, 3).value for r in rows} == {"OK"}
    results = {bad.cell(r, 5).value: bad.cell(r, 3).value for r in rows}
    assert results["stock_identity_cg"] == "À corriger"
    assert sum(v == "OK" for v in results.values()) == len(results) - 1


def _content(w: openpyxl.Workbook) -> dict:
    cells = {(ws.title, c.coordinate): c.value for ws in w.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None}
    names = {n: d.attr_text for n, d in w.defined_names.items()}
    dvs = {(ws.title, str(dv.sqref), dv.type, dv.formula1) for ws in w.worksheets
           for dv in ws.data_validations.dataValidation}
    return {"cells": cells, "names": names, "dvs": dvs}


def test_committed_blank_template_is_up_to_date() -> None:
    path = blank_template_path(2025)
    assert path.parent == TEMPLATE_DIR and path.exists(), "régénérer : cpc modeles --annee 2025 --vierge " \
                                                         "--sortie data_templates"
    committed = openpyxl.load_workbook(path)
    fresh = openpyxl.load_workbook(io.BytesIO(workbook_bytes(build_workbook(None, 2025))))
    assert _content(committed) == _content(fresh)
    court = named_cell(committed, layout.NAME_COURT)
    assert court.value is None and court.protection.locked is False


def test_fast_filler_writes_the_same_workbook() -> None:
    values = demo_values("tj-ajaccio", 2025)
    fast = openpyxl.load_workbook(io.BytesIO(FastFiller(2025, demo=True).fill("tj-ajaccio", values)))
    ref = openpyxl.load_workbook(io.BytesIO(workbook_bytes(build_workbook("tj-ajaccio", 2025, values, demo=True))))
    assert _content(fast) == _content(ref)
    for ws in ref.worksheets:
        for row in ws.iter_rows():
            for c in row:
                f = fast[ws.title][c.coordinate]
                assert (f.number_format, f.protection.locked, f.fill.fgColor.rgb) == \
                    (c.number_format, c.protection.locked, c.fill.fgColor.rgb), (ws.title, c.coordinate)
    assert any("Données fictives" in str(c.value) for c in fast[layout.README_SHEET]["A"])


def test_cli_modeles_for_a_cour(tmp_path: Path, cli) -> None:
    rc, _, _ = cli("modeles", "--annee", "2025", "--cour", "ca-bastia", "--sortie", str(tmp_path))
    assert rc == 0
    expected = {f"clpc_2025_{c}.xlsx" for c in reference.courts_of_cour("ca-bastia")}
    assert expected and {p.name for p in tmp_path.iterdir()} == expected
    rc, _, err = cli("modeles", "--annee", "2025", "--juridiction", "ca-bastia", "--sortie", str(tmp_path))
    assert rc == 2 and "tribunal judiciaire" in err
    rc, _, _ = cli("modeles", "--annee", "2025")
    assert rc == 2
