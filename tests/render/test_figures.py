"""Figure builders: content, French formats, palettes, no mutation of the results table."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import pytest

from cpc_toolkit import reference
from cpc_toolkit.errors import RenderError
from cpc_toolkit.render import figures

YEAR = 2025


def _val(res: pd.DataFrame, unit: str, year: int, ind: str) -> float:
    v = res[(res.unit_id == unit) & (res.year == year) & (res.indicator_id == ind)]["value"]
    return float(v.iloc[0])


def test_trend_plots_the_unit_and_its_references(demo_results):
    fig = figures.trend(demo_results, "tj-lyon", "act_total_taux_couverture")
    assert isinstance(fig, go.Figure)
    names = [t.name for t in fig.data]
    assert names == ["Tribunal judiciaire de Lyon", "Cour d'appel de Lyon", "France entière"]
    own = fig.data[0]
    assert list(own.x) == ["2021", "2022", "2023", "2024", "2025"]
    assert own.y[-1] == pytest.approx(_val(demo_results, "tj-lyon", 2025, "act_total_taux_couverture"))
    assert fig.layout.separators == ",\u202f"  # decimal comma, narrow no-break space between thousands
    assert fig.layout.title.text == "Taux de couverture civil (total)"  # label from the catalogue


def test_trend_of_counts_has_no_reference_lines_and_gaps_stay_gaps(demo_results):
    from cpc_toolkit.demo.generate import MISSING_COURT_YEARS

    court, year = MISSING_COURT_YEARS[0]  # a court-year missing on purpose in the demo data
    fig = figures.trend(demo_results, court, "act_total_entrees")
    assert len(fig.data) == 1
    points = dict(zip(fig.data[0].x, fig.data[0].y, strict=True))
    assert points[str(year)] is None
    assert sum(v is not None for v in points.values()) == len(points) - 1


def test_position_strip_marks_the_court_and_its_references(demo_results):
    fig = figures.position_strip(demo_results, "tj-lyon", YEAR, "act_total_dtes")
    by_name = {t.name: t for t in fig.data}
    court = by_name["Tribunal judiciaire de Lyon"]
    assert court.x[0] == pytest.approx(_val(demo_results, "tj-lyon", YEAR, "act_total_dtes"))
    assert by_name["France entière"].x[0] == pytest.approx(_val(demo_results, "national", YEAR, "act_total_dtes"))
    assert any(n.startswith("médiane taille") for n in by_name)
    n_courts = demo_results[(demo_results.level == "juridiction") & (demo_results.year == YEAR)
                            & (demo_results.indicator_id == "act_total_dtes")]["value"].notna().sum()
    assert len(by_name["toutes les juridictions"].x) == n_courts
    mates = by_name["juridictions de la cour d'appel de Lyon"]
    assert len(mates.x) == len(reference.courts_of_cour("ca-lyon")) - 1
    assert "Tribunal judiciaire de Lyon" not in mates.text


def test_courts_bar_has_one_bar_per_court_of_the_cour(demo_results):
    fig = figures.courts_bar(demo_results, "ca-lyon", YEAR, "act_total_taux_couverture")
    assert len(fig.data[0].y) == len(reference.courts_of_cour("ca-lyon"))
    assert all("," in t or t == "–" for t in fig.data[0].text)  # French decimal comma
    assert len(fig.layout.shapes) == 2  # cour and nation reference lines


def test_distribution_counts_every_reporting_court(demo_results):
    fig = figures.distribution(demo_results, YEAR, "ami_part_amiable", highlight="tj-lyon")
    n = demo_results[(demo_results.level == "juridiction") & (demo_results.year == YEAR)
                     & (demo_results.indicator_id == "ami_part_amiable")]["value"].notna().sum()
    assert sum(fig.data[0].y) == n
    assert figures.PALETTE[1] in list(fig.data[0].marker.color)  # the highlighted bin


def test_france_map_colours_every_cour_and_lists_overseas(demo_results):
    fig = figures.france_map(demo_results, YEAR, "act_total_taux_couverture")
    filled = [t for t in fig.data if t.fill == "toself"]
    cours_drawn = {t.name for t in filled}
    assert "Cour d'appel de Lyon" in cours_drawn and "Cour d'appel de Basse-Terre" in cours_drawn
    assert len(cours_drawn) >= 33
    assert all(t.fillcolor != figures.MISSING for t in filled)
    notes = " ".join(a.text for a in fig.layout.annotations)
    assert "Guadeloupe" in notes and "TSA Saint-Pierre" in notes
    assert any(t.marker.showscale for t in fig.data if t.fill != "toself")


def test_ranking_and_heat_table_and_activity(demo_results):
    rk = figures.ranking(demo_results, YEAR, "act_total_dtes")
    assert len(rk.data[0].x) == 37
    vals = [v for v in rk.data[0].x if v is not None and not math.isnan(v)]
    assert vals == sorted(vals, reverse=True)  # lower is better: best at the top (last bar)
    heat = figures.heat_table(demo_results, "ca-agen", YEAR, ["act_total_dtes", "ami_part_amiable"])
    assert len(heat.data[0].x) == 2 * len(reference.courts_of_cour("ca-agen"))
    bars = figures.activity_bars(demo_results, "tj-lyon", YEAR)
    assert [t.name for t in bars.data] == ["affaires nouvelles", "affaires terminées", "stock au 31 décembre"]


def test_text_indicators_are_refused_and_input_is_not_mutated(demo_results):
    before = demo_results.copy()
    with pytest.raises(RenderError):
        figures.trend(demo_results, "tj-lyon", "clpc_priorites_locales")
    figures.position_strip(demo_results, "tj-agen", YEAR, "vif_part_op_6j")
    pd.testing.assert_frame_equal(before, demo_results)


def test_light_template_is_what_plotly_would_validate_and_serialise():
    import json

    layout = figures._template_json()["layout"]
    checked = go.layout.Template(layout=layout).to_plotly_json()  # plotly's validators accept every key
    assert json.dumps(checked) == json.dumps(figures._template_json())  # same JSON, same key order
    assert layout["yaxis"]["tickformat"] == ",~f" and "tickformat" not in layout["xaxis"]
