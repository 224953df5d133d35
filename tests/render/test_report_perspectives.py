"""The « Perspectives » section of the CLPC and chef de cour reports: present in both reports' HTML,
with the numbers of :mod:`cpc_toolkit.compute.projection` (read back from the HTML, not from the values)."""

from __future__ import annotations

import json
import re
from io import StringIO

import pandas as pd
import pytest

from cpc_toolkit.compute import results
from cpc_toolkit.compute.projection import (
    assumption_sentence,
    projection_table,
    protection_outlook,
    rates_table,
)
from cpc_toolkit.fr import format_number, format_value
from cpc_toolkit.render import report
from cpc_toolkit.store import Store

YEAR = 2025


def _section_html(html: str, section_id: str) -> str:
    start = html.index(f'<h2 id="{section_id}">')
    nxt = re.search(r'<h2 id="', html[start + 10:])
    return html[start: start + 10 + nxt.start()] if nxt else html[start:]


def _num(text: str) -> float:
    return float(re.sub(r"[^\d,\-]", "", text.replace("\u2212", "-")).replace(",", "."))


@pytest.fixture(scope="module")
def res(render_donnees):
    return results(Store(render_donnees))


@pytest.mark.parametrize(("build", "unit"), [(report.clpc, "tj-agen"), (report.chef_de_cour, "ca-agen")])
def test_perspectives_section_shows_the_projection_numbers(build, unit, render_donnees, res):
    rep = build(unit, YEAR, str(render_donnees))
    html = rep.html()
    assert '<a href="#perspectives">Perspectives</a>' in html  # in the table of contents
    sec = _section_html(html, "perspectives")
    assert "Données fictives" in sec and assumption_sentence(YEAR) in sec

    expected = projection_table(res, unit, YEAR, 12).set_index("label")
    tables = pd.read_html(StringIO(sec), thousands=None, decimal=",")
    h12 = format_value(12, "months", 0)  # « 12 mois », as the vocabulary writes it
    proj = next(t for t in tables if f"stock à {h12}" in t.columns).set_index("contentieux")
    assert list(proj.index) == list(expected.index) and len(proj) == 5
    for label, row in expected.iterrows():
        for col, src in (("stock au 31/12", "stock_fin"), (f"stock à {h12}", "stock_h"),
                         ("sorties mensuelles", "sorties_mensuelles")):
            assert _num(str(proj.loc[label, col])) == pytest.approx(round(row[src]), abs=0.5), (label, col)
        assert _num(str(proj.loc[label, f"DTES à {h12}"])) == pytest.approx(row["dtes_h"], abs=0.05)
        assert str(proj.loc[label, "tendance"]) == row["tendance"]

    # the chart: observed solid, projected dashed, ending on the table's 12-month stock
    specs = [json.loads(m) for m in re.findall(r'Plotly\.newPlot\(\s*"fig-[a-z]+-perspectives-1",\s*(\[.*?\]),\s*\{',
                                               sec, flags=re.S)]
    assert len(specs) == 1
    proj_traces = [t for t in specs[0] if t["name"].endswith("(projeté)")]
    obs_traces = [t for t in specs[0] if t["name"].endswith("(observé)")]
    assert len(proj_traces) == 4 and all(t["line"]["dash"] == "dash" for t in proj_traces)
    assert obs_traces and all("dash" not in t["line"] for t in obs_traces)
    by_label = {t["name"].removesuffix(" (projeté)"): t["y"][-1] for t in proj_traces}
    for label, y in by_label.items():
        assert y == pytest.approx(expected.loc[label, "stock_h"], abs=0.1)

    rates = rates_table(res, unit, YEAR).set_index("label")
    shown = next(t for t in tables if "indicateur" in t.columns).set_index("indicateur")
    for label, row in rates.iterrows():
        assert row["status"] == "ok"
        assert _num(str(shown.loc[label, "valeur"])) == pytest.approx(round(row["value"]), abs=0.5), label

    outlook = protection_outlook(res, unit, YEAR)
    for r in outlook.itertuples():
        assert f"Mesures de protection attendues en {r.annee_cible} : {format_number(r.mesures_attendues)}" in sec
        assert r.hypothese in sec  # the assumption written next to the figure
