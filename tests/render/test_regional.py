"""The chef de cour report is worth sending: every TJ × every numeric catalogue indicator (HTML and
Excel), five-year series, the cour's position among the cours, harmonisation from the spread
between TJs, partial perimeters said next to the figure and never « aucune » for an unknown; the
national report shows the per-cour tables behind its maps and rankings."""

from __future__ import annotations

import csv
import html
import io
import math
import os
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from cpc_toolkit import catalogue, compute, reference
from cpc_toolkit.fr import format_change, format_value
from cpc_toolkit.render import regional, report
from cpc_toolkit.render.data import load

YEAR = 2025
NUMERIC = [i.id for i in catalogue.indicators() if i.numeric]


class _Tables(HTMLParser):
    """Every ``<table>`` of an HTML text as lists of rows of cell texts (header row first)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables_of(html: str) -> list[list[list[str]]]:
    p = _Tables()
    p.feed(html)
    return p.tables


@pytest.fixture(scope="module")
def data(render_donnees):
    return load(str(render_donnees))


@pytest.fixture(scope="module")
def paris(data):
    return report.assemble("cour", "ca-paris", YEAR, data)


@pytest.fixture(scope="module")
def nimes(data):
    return report.assemble("cour", "ca-nimes", YEAR, data)


def _cli_values(donnees, court: str) -> dict[str, str]:
    """``cpc indicateurs --juridiction ID --annee 2025 --format csv``: indicator → raw value text."""
    env = {**os.environ, "PYTHONPATH": os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-m", "cpc_toolkit.cli.main", "--donnees", str(donnees), "indicateurs",
                          "--juridiction", court, "--annee", str(YEAR), "--vue", "indicateurs", "--format", "csv"],
                         capture_output=True, text=True, check=True, env=env).stdout
    return {r["indicateur"]: r["valeur"] for r in csv.DictReader(io.StringIO(out))}


def test_cour_report_has_every_tj_by_every_numeric_indicator_matching_the_cli(paris, render_donnees):
    courts = reference.courts_of_cour("ca-paris")
    sheet = paris.annex()["Juridictions"].frame
    assert sorted(sheet["indicateur"]) == sorted(catalogue.get(i).label for i in NUMERIC)
    assert set(sheet["famille"]) == {f.label for f in catalogue.families()}
    assert [reference.short_name(c) for c in courts] == [c for c in sheet.columns if c.startswith(("TJ", "TPI"))]
    # in the HTML: one table per family, together every indicator, a column per TJ
    html_rows = {}
    for t in tables_of(paris.section("juridictions").html()):
        head = t[0]
        if head[0] == "indicateur" and len(head) == len(courts) + 2:
            assert head[1:-1] == [reference.short_name(c) for c in courts]
            html_rows.update({r[0]: r[1:] for r in t[1:]})
    assert set(html_rows) == {catalogue.get(i).label for i in NUMERIC}
    # a sample of cells equals the CLI's values, formatted through the one vocabulary
    checked = 0
    for k in (1, 5):
        court = courts[k]
        cli = _cli_values(render_donnees, court)
        for iid in NUMERIC[:: 7]:
            raw = cli[iid]
            expected = format_value(float(raw) if raw else math.nan, compute.display_unit(iid, "juridiction"))
            assert html_rows[catalogue.get(iid).label][k] == expected, (court, iid)
            checked += raw != ""
    assert checked >= 30


def test_five_year_series_for_the_cour_and_each_tj(paris, data):
    sec = paris.section("evolution")
    years = [str(y) for y in range(YEAR - 4, YEAR + 1)]
    assert len(sec.figures) >= 3
    sheet = paris.annex()["Séries"].frame
    assert [c for c in sheet.columns if c.isdigit()] == years
    units = {reference.short_name(u) for u in ("ca-paris", *reference.courts_of_cour("ca-paris"))}
    assert set(sheet["unité"]) == units
    assert len(sheet) == len(units) * len(NUMERIC)
    row = sheet[(sheet["unité"] == "TJ Paris") & (sheet["indicateur"] == catalogue.get("act_total_entrees").label)]
    assert [float(row[y].iloc[0]) for y in years] == [compute.value(data.res, "tj-paris", int(y), "act_total_entrees")
                                                      for y in years]
    assert all(not math.isnan(float(row[y].iloc[0])) for y in years)


def test_position_ranks_only_rates_and_durations(paris, data):
    t = paris.annex()["Position"].frame
    by = t.set_index("indicateur")
    cours = list(reference.consolidation_units().index)
    for iid in NUMERIC:
        row = by.loc[catalogue.get(iid).label]
        if catalogue.get(iid).unit in ("count", "boolean", "fte"):
            assert row["rang / cours"] == "–", iid
    iid = "act_total_taux_couverture"
    vals = compute.values_by_unit(data.res, YEAR, [iid], cours)[iid].dropna()
    own = vals["ca-paris"]
    assert by.loc[catalogue.get(iid).label, "rang / cours"] == f"{int((vals > own).sum()) + 1}/{len(vals)}"


def test_partial_cour_flags_perimeter_next_to_changes_and_never_says_aucune_for_unknown(nimes, data):
    page = nimes.html()
    ch = compute.changes(data.res, "ca-nimes", YEAR).set_index("indicator_id").loc["act_total_entrees"]
    assert bool(ch["partial"]) and ch["delta"] != ch["delta_full"]
    rows = {r[0]: r for t in tables_of(nimes.section("totaux").html()) for r in t}
    head = next(t[0] for t in tables_of(nimes.section("totaux").html()))
    row = dict(zip(head, rows[catalogue.get("act_total_entrees").label], strict=True))
    assert row["évolution à périmètre constant"] == format_change(float(ch["delta"]), "count")
    assert row["périmètre"] == "5/6 juridictions"
    assert row["évolution des chiffres publiés"] == format_change(float(ch["delta_full"]), "count")
    # the KPI card of the synthesis says the perimeter next to the change
    assert f"{format_change(float(ch['delta']), 'count')} sur un an (5/6 juridictions)" in page
    # Privas has not reported: no « aucune » alone, the answered perimeter instead
    harmon = nimes.section("harmonisation")
    items = [text for b in harmon.blocks if hasattr(b, "items") for _, text in b.items]
    assert "aucune" not in items and items
    assert any(t.startswith("aucune parmi les 5 juridictions ayant répondu ; Tribunal judiciaire de Privas "
                            "n'a pas transmis") for t in items)
    assert "rang sur 5/6 juridictions" in nimes.section("position").html()
    assert "5 sur 6 (non transmis : Tribunal judiciaire de Privas)" in nimes.cover.html()
    # the matrix shows Privas's collected values as unknown, never 0
    sheet = nimes.annex()["Juridictions"].frame.set_index("indicateur")
    collected = [catalogue.get(i).label for i in NUMERIC if catalogue.get(i).kind in ("input", "derived")]
    assert sheet.loc[collected, reference.short_name("tj-privas")].isna().all()


def test_harmonisation_is_the_largest_spreads_over_reporting_courts(nimes, data):
    courts = reference.courts_of_cour("ca-nimes")
    spreads = regional.spreads(data.res, "ca-nimes", YEAR, top=5)
    rates = [i for i in NUMERIC if catalogue.get(i).unit in ("percent", "months", "days")]
    wide = compute.values_by_unit(data.res, YEAR, rates, courts)
    cvs = {}
    for iid in rates:
        col = wide[iid].dropna()
        if len(col) >= 2 and col.mean() > 0:
            cvs[iid] = col.std(ddof=0) / col.mean()
    best = sorted(cvs, key=lambda i: -cvs[i])[:5]
    assert [s.indicator_id for s in spreads] == best
    assert all(s.n == 5 and s.total == 6 for s in spreads)
    assert "5/6 juridictions" in spreads[0].sentence()
    assert html.escape(spreads[0].label) in nimes.section("harmonisation").html()


def test_national_report_has_series_and_per_cour_tables(data):
    rpt = report.assemble("national", reference.NATIONAL, YEAR, data)
    names = {reference.court_name(u) for u in reference.consolidation_units().index}
    for sid in ("carte", "distributions"):
        tabs = [t for t in tables_of(rpt.section(sid).html()) if t[0][0] == "unité"]
        assert len(tabs) >= 3, sid
        for t in tabs:
            assert names <= {r[0] for r in t[1:]}
    evo = rpt.section("evolution")
    assert evo.figures
    sheet = rpt.annex()["Séries"].frame
    assert [c for c in sheet.columns if c.isdigit()] == [str(y) for y in range(YEAR - 4, YEAR + 1)]
    assert len(sheet) == len(NUMERIC)
    # the map's table: the values drawn, per cour
    iid = report.MAP_INDICATORS[0]
    t = next(t for t in tables_of(rpt.section("carte").html()) if catalogue.get(iid).label in t[0])
    row = next(r for r in t[1:] if r[0] == reference.court_name("ca-paris"))
    assert row[1] == format_value(compute.value(data.res, "ca-paris", YEAR, iid), compute.display_unit(iid, "cour"))
