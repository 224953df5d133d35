"""The one lookup API over results: values, texts, statuses, level values; immune to in-place edits."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cpc_toolkit import compute, reference

YEAR = 2025
IID = "act_total_taux_couverture"


def _cell(res: pd.DataFrame, unit: str, year: int, iid: str) -> pd.Series:
    sub = res[(res["unit_id"] == unit) & (res["year"] == year) & (res["indicator_id"] == iid)]
    assert len(sub) == 1
    return sub.iloc[0]


def test_value_text_and_status_read_the_cell(demo_results):
    row = _cell(demo_results, "tj-lyon", YEAR, IID)
    assert row["status"] == "ok" and not math.isnan(row["value"])
    assert compute.value(demo_results, "tj-lyon", YEAR, IID) == pytest.approx(row["value"])
    assert compute.status(demo_results, "tj-lyon", YEAR, IID) == "ok"
    texts = demo_results[demo_results["text"].notna() & (demo_results["status"] == "ok")]
    t = texts.iloc[0]
    assert compute.text(demo_results, t["unit_id"], int(t["year"]), t["indicator_id"]) == t["text"]
    # absent cells: NaN, "" and NA, never an error
    assert math.isnan(compute.value(demo_results, "tj-lyon", 1990, IID))
    assert compute.text(demo_results, "tj-lyon", 1990, "clpc_date") == ""
    assert compute.status(demo_results, "tj-lyon", YEAR, "no_such_indicator") == "NA"


def test_a_value_whose_status_is_not_ok_is_unknown(demo_results):
    not_ok = demo_results[(demo_results["status"] != "ok") & (demo_results["level"] == "juridiction")]
    assert len(not_ok)
    r = not_ok.iloc[0]
    assert math.isnan(compute.value(demo_results, r["unit_id"], int(r["year"]), r["indicator_id"]))
    assert compute.status(demo_results, r["unit_id"], int(r["year"]), r["indicator_id"]) == r["status"]


def test_level_values_and_values_by_unit_match_the_rows(demo_results):
    for level in ("juridiction", "cour", "national"):
        got = compute.level_values(demo_results, YEAR, IID, level)
        rows = demo_results[(demo_results["level"] == level) & (demo_results["year"] == YEAR)
                            & (demo_results["indicator_id"] == IID)].set_index("unit_id")
        want = rows["value"].where(rows["status"] == "ok").sort_index()
        assert list(got.index) == list(want.index) and len(got) > 0
        np.testing.assert_allclose(got.to_numpy(), want.to_numpy())
    wide = compute.values_by_unit(demo_results, YEAR, [IID, "act_total_dtes"], ["tj-lyon", "ca-lyon", "national"])
    assert list(wide.index) == ["tj-lyon", "ca-lyon", "national"]
    assert wide.loc["ca-lyon", IID] == pytest.approx(compute.value(demo_results, "ca-lyon", YEAR, IID))
    # results are new objects: editing them does not touch the cache
    got = compute.level_values(demo_results, YEAR, IID, "cour")
    got.iloc[:] = -1.0
    assert compute.level_values(demo_results, YEAR, IID, "cour").min() >= 0


def test_every_reader_sees_an_in_place_edit(demo_results):
    from cpc_toolkit.render import figures, tables

    res = demo_results.copy()
    before = compute.value(res, "tj-lyon", YEAR, IID)
    idx = compute.results_index(res)
    assert compute.results_index(res) is idx  # cached while the frame is unchanged
    assert figures._value(res, "tj-lyon", YEAR, IID) == before
    assert tables.values_by_unit(res, YEAR, [IID], ["tj-lyon"]).iloc[0, 0] == before
    mask = (res["unit_id"] == "tj-lyon") & (res["year"] == YEAR) & (res["indicator_id"] == IID)
    res.loc[mask, "value"] = before + 50.0  # in place
    after = before + 50.0
    assert compute.results_index(res) is not idx
    assert compute.value(res, "tj-lyon", YEAR, IID) == after
    assert figures._value(res, "tj-lyon", YEAR, IID) == after
    assert tables.values_by_unit(res, YEAR, [IID], ["tj-lyon"]).iloc[0, 0] == after
    assert compute.level_values(res, YEAR, IID)["tj-lyon"] == after
    strip = figures.position_strip(res, "tj-lyon", YEAR, IID)
    assert [t.x[0] for t in strip.data if t.name == reference.court_name("tj-lyon")] == [after]
    # the old index kept its own snapshot: an edit never changes what it was built from
    assert idx.value("tj-lyon", YEAR, IID) == before
    # a status edit makes the value unknown for every reader
    res.loc[mask, "status"] = "NQ"
    assert math.isnan(compute.value(res, "tj-lyon", YEAR, IID))
    assert compute.status(res, "tj-lyon", YEAR, IID) == "NQ"
    assert math.isnan(tables.values_by_unit(res, YEAR, [IID], ["tj-lyon"]).iloc[0, 0])
    # the session's shared frame was never touched
    assert compute.value(demo_results, "tj-lyon", YEAR, IID) == before


def test_an_edit_through_a_new_column_or_a_whole_column_rebuilds_the_index(demo_results):
    res = demo_results.copy()
    idx = compute.results_index(res)
    res["extra"] = 1
    assert compute.results_index(res) is not idx
    idx = compute.results_index(res)
    res["value"] = res["value"] * 2
    assert compute.results_index(res) is not idx
    assert compute.value(res, "tj-lyon", YEAR, IID) == pytest.approx(
        2 * compute.value(demo_results, "tj-lyon", YEAR, IID))


def test_successive_edits_of_the_same_column_and_of_a_text_are_each_seen(demo_results):
    res = demo_results.copy()
    mask = (res["unit_id"] == "tj-lyon") & (res["year"] == YEAR) & (res["indicator_id"] == IID)
    before = compute.value(res, "tj-lyon", YEAR, IID)
    for k in (1, 2, 3):  # each edit after a read: the buffers the cache holds are never written into
        res.loc[mask, "value"] = before + k
        assert compute.value(res, "tj-lyon", YEAR, IID) == before + k
    tmask = res["text"].notna() & (res["status"] == "ok")
    row = res[tmask].iloc[0]
    assert compute.text(res, row["unit_id"], int(row["year"]), row["indicator_id"]) == row["text"]
    res.loc[res.index == row.name, "text"] = "texte modifié"
    assert compute.text(res, row["unit_id"], int(row["year"]), row["indicator_id"]) == "texte modifié"
