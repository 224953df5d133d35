"""Sections are values: built once, in any order, with the same HTML and annex; the numbers of the
annex are the engine's results (recomputed here straight from ``compute.results``)."""

from __future__ import annotations

import dataclasses
import io
import math
import random

import pytest
from openpyxl import load_workbook

from cpc_toolkit import catalogue, reference
from cpc_toolkit.compute import results
from cpc_toolkit.render import kinds, report, xlsx
from cpc_toolkit.render.data import load
from cpc_toolkit.render.outputs import Exported
from cpc_toolkit.store import Store

YEAR = 2025
COUR = "ca-agen"  # the small campaign's cour (tests/render/conftest.py)
CASES = [("clpc", "tj-lyon"), ("cour", "ca-lyon"), ("national", reference.NATIONAL)]


@pytest.fixture(scope="module")
def data(render_donnees):
    return load(str(render_donnees))


@pytest.fixture(scope="module")
def res(render_donnees):
    """The engine's results, recomputed from the store (not through the render stage)."""
    return results(Store(render_donnees)).set_index(["unit_id", "year", "indicator_id"])["value"]


def _sheets(rpt: report.Report) -> list[tuple[str, dict]]:
    return list(Exported.of(rpt).annex)


@pytest.mark.parametrize(("kind", "unit"), CASES[:2])
def test_any_build_order_gives_byte_identical_html_and_annex(data, kind, unit):
    declared = [sid for sid, _ in kinds.KINDS[kind].sections]
    orders = [declared, list(reversed(declared)), random.Random(7).sample(declared, len(declared)),
              ["annexe", *declared[::2]]]  # annexe asked first, some sections left to the end
    built = [report.assemble(kind, unit, YEAR, data, order) for order in orders]
    ref = built[0]
    assert len(ref.html()) > 20_000 and len(ref.sections) == len(declared)
    assert sum(len(s.figures) for s in ref.sections) >= 2 and ref.annex()
    for other in built[1:]:
        assert other.html() == ref.html()
        assert _sheets(other) == _sheets(ref)
        assert other.sections == ref.sections  # equal values, section by section
    # the Excel annex itself: same sheets, same cells
    books = [load_workbook(io.BytesIO(xlsx.annex_bytes(r.annex(), r.title, r.demo))) for r in built]
    for wb in books[1:]:
        assert wb.sheetnames == books[0].sheetnames
        for name in wb.sheetnames:
            assert [[c.value for c in row] for row in wb[name].iter_rows()] == \
                [[c.value for c in row] for row in books[0][name].iter_rows()]


def test_definitions_annex_lists_what_the_sections_show_whatever_the_order(data):
    first = report.assemble("clpc", "tj-lyon", YEAR, data, ["annexe"])
    shown = {i for s in first.sections if s.id != "annexe" for i in s.indicators}
    table = first.section("annexe").tables[0].frame
    assert len(table) == len({i for i in shown if i in catalogue.catalogue_frame()["id"].to_numpy()})
    assert 0 < len(table) < len(catalogue.indicators())  # not the whole catalogue, not empty
    labels = set(table["libellé"])
    assert catalogue.get("act_total_taux_couverture").label in labels


def test_sections_are_frozen_and_carry_figures_tables_text(data):
    rpt = report.assemble("clpc", "tj-lyon", YEAR, data)
    sec = rpt.section("amiable")
    with pytest.raises(dataclasses.FrozenInstanceError):
        sec.title = "autre"  # type: ignore[misc]
    assert sec.title == catalogue.family("amiable").label
    assert len(sec.figures) >= 2 and sec.tables and any("Circulaire" in t for t in sec.text)
    ids = [f.div_id for s in rpt.sections for f in s.figures]
    assert len(ids) == len(set(ids)) and all(i.startswith("fig-clpc-") for i in ids)
    html = sec._repr_html_()
    assert html.startswith('<h2 id="amiable">') and "plotly-graph-div" in html and "<script src" not in html


def _num(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _sheet_rows(rpt: report.Report, name: str) -> list[dict]:
    payload = dict(_sheets(rpt))[name]
    return [dict(zip(payload["columns"], row, strict=True)) for row in payload["rows"]]


def _expected(res, unit: str, year: int, iid: str):
    try:
        return _num(res.loc[(unit, year, iid)])
    except KeyError:
        return None


@pytest.mark.parametrize(("kind", "unit", "sheet"), [("clpc", "tj-lyon", "Indicateurs"),
                                                    ("cour", "ca-lyon", "Totaux régionaux")])
def test_indicator_sheets_are_the_engine_results(data, res, kind, unit, sheet):
    rpt = report.assemble(kind, unit, YEAR, data)
    rows = _sheet_rows(rpt, sheet)
    ids = [i.id for i in catalogue.indicators() if i.numeric]
    assert [r["indicateur"] for r in rows] == [catalogue.get(i).label for i in ids]
    known = 0
    for iid, row in zip(ids, rows, strict=True):
        for col, year, who in ((str(YEAR), YEAR, unit), (str(YEAR - 1), YEAR - 1, unit),
                               ("France", YEAR, reference.NATIONAL)):
            want = _expected(res, who, year, iid)
            assert _num(row[col]) == pytest.approx(want, nan_ok=True) if want is not None else row[col] is None, \
                (iid, col, row[col], want)
            known += want is not None
        if kind == "clpc":
            want = _expected(res, reference.cour_of(unit), YEAR, iid)
            assert (_num(row["cour d'appel"]) == pytest.approx(want)) if want is not None else \
                row["cour d'appel"] is None
    assert known > 2 * len(ids)  # most cells are numbers, not blanks


def test_national_sheet_has_every_cour_with_the_engine_results(data, res):
    rpt = report.assemble("national", reference.NATIONAL, YEAR, data)
    rows = _sheet_rows(rpt, "Cours d'appel")
    units = [*reference.consolidation_units().index, reference.NATIONAL]
    assert [r["unité"] for r in rows] == [reference.court_name(u) for u in units]
    ids = [k for f in ("activite", *kinds.POLICY_FAMILIES) for k in report.KEY_INDICATORS[f]]
    checked = 0
    for unit, row in zip(units, rows, strict=True):
        for iid in ids:
            want = _expected(res, unit, YEAR, iid)
            got = _num(row[catalogue.get(iid).label])
            assert got == pytest.approx(want) if want is not None else got is None, (unit, iid)
            checked += want is not None
    assert checked > len(units) * len(ids) // 2


def test_campaign_annex_from_the_notebook_equals_the_engine_results(small_campaign, res):
    """End to end: the xlsx written by the campaign from the notebook's export carries the same numbers."""
    year_dir = small_campaign.root / str(YEAR)
    wb = load_workbook(year_dir / "cours" / f"{COUR}.xlsx")
    ws = wb["Totaux régionaux"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "indicateur")
    cols = list(rows[head])
    ids = [i.id for i in catalogue.indicators() if i.numeric]
    body = rows[head + 1:]
    assert len(body) == len(ids)
    for iid, row in zip(ids, body, strict=True):
        want = _expected(res, COUR, YEAR, iid)
        got = row[cols.index(str(YEAR))]
        assert (got == pytest.approx(want)) if want is not None else got is None, (iid, got, want)
