"""Lists of the CLPC workbook (« Compte rendu » sheet): written from the catalogue, read back by name."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd

from cpc_toolkit import catalogue
from cpc_toolkit.collect import build_workbook, layout, workbook_bytes
from cpc_toolkit.collect.reader import parse_workbook
from cpc_toolkit.collect.workbook import FastFiller
from cpc_toolkit.demo.generate import demo_conseil

from .conftest import COURT, YEAR, demo_values, edit


def _values_with_lists() -> pd.DataFrame:
    texts, lists = demo_conseil(2025, COURT, YEAR)
    base = demo_values()
    base = base[~base["indicator_id"].isin([*lists, *texts])]
    extra = [{"indicator_id": k, "value": float("nan"), "text": json.dumps(v, ensure_ascii=False), "status": "ok"}
             for k, v in lists.items()]
    extra += [{"indicator_id": k, "value": float("nan"), "text": v, "status": "ok"} for k, v in texts.items()]
    return pd.concat([base, pd.DataFrame(extra)], ignore_index=True)


def _parsed_lists(data: bytes) -> dict[str, list[dict[str, str]]]:
    parsed = parse_workbook(data, "clpc_2025_tj-lyon.xlsx")
    assert list(parsed.errors) == [], parsed.errors
    ids = {s.id for s in catalogue.lists()}
    return {i: json.loads(t) for i, _, t, _ in parsed.values if i in ids}


def test_lists_round_trip_through_the_workbook():
    values = _values_with_lists()
    _, expected = demo_conseil(2025, COURT, YEAR)
    got = _parsed_lists(workbook_bytes(build_workbook(COURT, YEAR, values)))
    assert got.keys() == expected.keys()
    for lid, rows in expected.items():
        assert got[lid] == [{k: v for k, v in r.items() if v} for r in rows]
    assert any(m["present"] == "oui" for m in got["clpc_membres_liste"])


def test_fast_filler_writes_the_same_lists():
    values = _values_with_lists()
    fast = FastFiller(YEAR).fill(COURT, values)
    slow = workbook_bytes(build_workbook(COURT, YEAR, values))
    assert _parsed_lists(fast) == _parsed_lists(slow)
    assert len(_parsed_lists(fast)["clpc_suites"]) >= 2


def _zone_cell(wb: openpyxl.Workbook, list_id: str, row: int, col: int) -> openpyxl.cell.Cell:
    sheet, ref = next(iter(wb.defined_names[list_id].destinations))
    first = ref.split(":")[0].replace("$", "")
    c = wb[sheet][first]
    return wb[sheet].cell(c.row + row, c.column + col)


def test_case_number_in_a_list_is_refused_with_its_cell():
    data = workbook_bytes(build_workbook(COURT, YEAR, _values_with_lists()))

    def plant(wb: openpyxl.Workbook) -> None:
        _zone_cell(wb, "clpc_suites", 0, 0).value = "Relancer le dossier RG 24/01234"
    parsed = parse_workbook(edit(data, plant), "clpc_2025_tj-lyon.xlsx")
    errs = [p for p in parsed.errors if p.reason.value == "confidential"]
    assert len(errs) == 1
    assert errs[0].sheet == layout.LISTS_SHEET and errs[0].cell
    assert "affaire individuelle" in errs[0].message


def test_yes_no_column_is_checked():
    data = workbook_bytes(build_workbook(COURT, YEAR, _values_with_lists()))

    def bad(wb: openpyxl.Workbook) -> None:
        _zone_cell(wb, "clpc_membres_liste", 0, 4).value = "peut-être"
    parsed = parse_workbook(edit(data, bad), "clpc_2025_tj-lyon.xlsx")
    assert [p.rule for p in parsed.errors] == ["oui ou non"]


def test_workbook_of_an_earlier_template_without_lists_still_imports():
    data = workbook_bytes(build_workbook(COURT, YEAR, demo_values()))

    def older(wb: openpyxl.Workbook) -> None:
        for spec in catalogue.lists():
            del wb.defined_names[spec.id]
        for iid in ("clpc_lieu", "clpc_echanges"):
            del wb.defined_names[iid]
            del wb.defined_names[layout.status_name(iid)]
        sheet, coord = next(iter(wb.defined_names[layout.NAME_TEMPLATE].destinations))
        wb[sheet][coord.replace("$", "")].value = "cpc-ancienmodele"
    parsed = parse_workbook(edit(data, older), "clpc_2025_tj-lyon.xlsx")
    assert not [p for p in parsed.errors if p.reason.value == "defined_name_missing"]
    assert {i for i, *_ in parsed.values}.isdisjoint({"clpc_lieu", "clpc_membres_liste"})


def test_current_template_missing_a_list_is_an_error():
    data = workbook_bytes(build_workbook(COURT, YEAR, demo_values()))

    def drop(wb: openpyxl.Workbook) -> None:
        del wb.defined_names["clpc_suites"]
    parsed = parse_workbook(edit(data, drop), "clpc_2025_tj-lyon.xlsx")
    assert [p.rule for p in parsed.errors] == ["nom défini « clpc_suites »"]
