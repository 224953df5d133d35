"""Charts that read right: a text alternative and a data table for every chart, readable text
colours (WCAG contrast ≥ 4.5:1), axes from 0, better/worse not by colour alone."""

from __future__ import annotations

import math
import re

import pytest

from cpc_toolkit import fr, reference
from cpc_toolkit.render import figures

YEAR = 2025
COUR = "ca-lyon"


def _specs(res):
    court = reference.courts_of_cour(COUR)[0]
    return {
        "trend": figures.trend.spec(res, court, "act_total_taux_couverture"),
        "trend_count": figures.trend.spec(res, court, "act_total_entrees"),
        "position_strip": figures.position_strip.spec(res, court, YEAR, "act_total_taux_couverture"),
        "courts_bar": figures.courts_bar.spec(res, COUR, YEAR, "act_total_taux_couverture"),
        "heat_table": figures.heat_table.spec(res, COUR, YEAR, ["act_total_taux_couverture", "act_total_dtes"]),
        "distribution": figures.distribution.spec(res, YEAR, "act_total_taux_couverture"),
        "ranking": figures.ranking.spec(res, YEAR, "act_total_taux_couverture"),
        "activity_bars": figures.activity_bars.spec(res, court, YEAR),
        "composition_bar": figures.composition_bar.spec(res, court, YEAR),
        "france_map": figures.france_map.spec(res, YEAR, "act_total_taux_couverture"),
    }


@pytest.fixture(scope="module")
def specs(demo_results):
    return _specs(demo_results)


def test_contrast_ratio_matches_wcag_reference_values():
    assert figures.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert figures.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert figures.contrast_ratio("#E69F00") < 4.5  # the palette's orange is too light for text
    for colour in figures.PALETTE:
        dark = figures.readable(colour)
        assert figures.contrast_ratio(dark) >= 4.5, colour
        if figures.contrast_ratio(colour) >= 4.5:
            assert dark == colour  # a readable colour is left alone


def test_every_chart_has_a_sentence_with_its_key_values_and_a_data_table(specs, demo_results):
    for name, spec in specs.items():
        alt = figures.alt_text(spec)
        assert len(alt) > 30 and alt.endswith("."), (name, alt)
        assert re.search(r"\d", alt), (name, alt)  # key values, not just a title
        table = figures.data_table(spec)
        assert len(table) >= 1 and len(table.columns) >= 2, name
        assert table.notna().all().all(), name
    nat = fr.format_value(demo_results.query("unit_id == 'national' and year == @YEAR and "
                                             "indicator_id == 'act_total_taux_couverture'")["value"].iloc[0],
                          "percent")
    assert nat in figures.alt_text(specs["ranking"]) and nat in figures.alt_text(specs["distribution"])
    ranked = figures.data_table(specs["ranking"])
    assert len(ranked) == len(reference.consolidation_units()) - 1 or len(ranked) >= 30


def test_figure_html_carries_the_alternative_and_the_table(specs):
    html = figures.figure_html(specs["courts_bar"], '<div class="plotly-graph-div"></div>')
    alt = figures.alt_text(specs["courts_bar"])
    assert html.startswith("<figure") and "<figcaption>" in html and "<details>" in html
    assert "aria-label=" in html and alt.split(" : ")[0] in html
    names = [reference.court_name(c) for c in reference.courts_of_cour(COUR)]
    assert all(n in html for n in names)
    assert figures.data_table(specs["courts_bar"])["Juridiction"].tolist() == sorted(names, key=fr.sort_key)


def test_text_colours_of_every_chart_are_readable(specs):
    seen = 0
    for name, spec in specs.items():
        lay = spec["layout"]
        for note in lay.get("annotations", []):
            colour = note.get("font", {}).get("color", lay["font"]["color"])
            assert figures.contrast_ratio(colour) >= 4.5, (name, note["text"], colour)
            seen += 1
        assert figures.contrast_ratio(lay["font"]["color"]) >= 4.5
    assert seen >= 4
    # heat cells: the text colour on the strongest cell colours
    for z in (-3.0, 3.0):
        assert figures.contrast_ratio(specs["heat_table"]["layout"]["font"]["color"], figures.heat_colour(z)) >= 4.5


def test_rate_axes_start_from_zero(specs):
    assert specs["trend"]["layout"]["yaxis"]["rangemode"] == "tozero"
    assert specs["trend_count"]["layout"]["yaxis"]["rangemode"] == "tozero"
    assert specs["position_strip"]["layout"]["xaxis"]["rangemode"] == "tozero"
    assert specs["courts_bar"]["layout"]["xaxis"]["rangemode"] == "tozero"
    assert specs["distribution"]["layout"]["xaxis"]["rangemode"] == "tozero"


def test_legend_is_placed_below_the_axis_title(specs):
    lay = specs["position_strip"]["layout"]
    assert lay["legend"]["yref"] == "container" and lay["legend"]["yanchor"] == "bottom"
    assert lay["margin"]["b"] >= 100  # room for the axis title above the legend


def test_reference_labels_do_not_collide_nor_leave_the_plot(specs):
    notes = specs["courts_bar"]["layout"]["annotations"]
    assert len(notes) == 2 and {n["y"] for n in notes} == {1, 1.06}  # one row each
    hi = max(specs["courts_bar"]["data"][0]["x"])
    for n in notes:  # rates near the right end: the label grows leftwards, inside the plot
        assert n["xanchor"] == ("right" if n["x"] >= 0.5 * hi else "left")


def test_heat_table_says_better_or_worse_in_symbols_and_words(specs):
    trace = specs["heat_table"]["data"][0]
    marked = [(t[-1], c) for t, c in zip(trace["text"], trace["marker"]["color"], strict=True) if t[-1] in "▲▼"]
    assert marked  # some cells stand out
    for mark, colour in marked:  # the symbol says what the colour says: blue (better) ▲, orange (worse) ▼
        r, b = int(colour[1:3], 16), int(colour[5:7], 16)
        assert (b > r) == (mark == "▲"), (mark, colour)
    table = figures.data_table(specs["heat_table"])
    cells = " ".join(table.iloc[:, 1:].to_numpy().ravel())
    assert "plus favorable" in cells or "moins favorable" in cells
    assert "▲ plus favorable" in specs["heat_table"]["layout"]["annotations"][0]["text"]
    assert figures.heat_mark(math.nan) == ("", "") and figures.heat_mark(0.1) == ("", "")
    assert figures.heat_mark(1.0)[1] == "plus favorable" and figures.heat_mark(-1.0)[1] == "moins favorable"
