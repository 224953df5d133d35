"""Like-for-like changes: a cour's or the nation's change is computed over the courts present both years."""

from __future__ import annotations

import math

import pytest

from cpc_toolkit import compute, reference

YEAR, COUR, MISSING = 2025, "ca-nimes", "tj-privas"


def _court(res, court, year, iid):
    row = res[(res["unit_id"] == court) & (res["year"] == year) & (res["indicator_id"] == iid)]
    return float(row["value"].iloc[0]) if len(row) and row["status"].iloc[0] == "ok" else math.nan


def test_cour_missing_one_court_changes_like_for_like(demo_results):
    courts = reference.courts_of_cour(COUR)
    assert MISSING in courts
    assert math.isnan(_court(demo_results, MISSING, YEAR, "act_total_entrees"))
    common = [c for c in courts if c != MISSING]
    now = sum(_court(demo_results, c, YEAR, "act_total_entrees") for c in common)
    before = sum(_court(demo_results, c, YEAR - 1, "act_total_entrees") for c in common)
    ch = compute.changes(demo_results, COUR, YEAR).set_index("indicator_id").loc["act_total_entrees"]
    assert ch["delta"] == pytest.approx(now - before)
    assert ch["value_lfl"] == pytest.approx(now) and ch["previous_lfl"] == pytest.approx(before)
    # the published figures of each year cover 5 then 6 courts: their difference is another number
    assert ch["delta_full"] == pytest.approx(ch["value"] - ch["previous"])
    assert ch["delta"] > 0 > ch["delta_full"]
    assert (int(ch["n_common"]), int(ch["n_members"]), bool(ch["partial"])) == (5, 6, True)
    assert bool(ch["comparable"])


def test_rates_are_recomputed_over_the_common_courts(demo_results):
    courts = [c for c in reference.courts_of_cour(COUR) if c != MISSING]
    num = "dem_minutes_signees_electroniquement"
    den = "dem_minutes_civiles"

    def rate(year):
        return 100 * sum(_court(demo_results, c, year, num) for c in courts) / \
            sum(_court(demo_results, c, year, den) for c in courts)
    ch = compute.changes(demo_results, COUR, YEAR).set_index("indicator_id").loc["dem_part_signature_electronique"]
    assert ch["delta"] == pytest.approx(rate(YEAR) - rate(YEAR - 1))
    assert ch["delta"] != pytest.approx(ch["delta_full"])


def test_complete_cour_has_the_same_change_either_way(demo_results):
    ch = compute.changes(demo_results, "ca-lyon", YEAR).set_index("indicator_id").loc["act_total_entrees"]
    assert not bool(ch["partial"])
    assert ch["delta"] == pytest.approx(ch["delta_full"])


def test_court_change_is_its_own(demo_results):
    ch = compute.changes(demo_results, "tj-nimes", YEAR).set_index("indicator_id").loc["act_total_entrees"]
    v, p = _court(demo_results, "tj-nimes", YEAR, "act_total_entrees"), \
        _court(demo_results, "tj-nimes", YEAR - 1, "act_total_entrees")
    assert ch["delta"] == pytest.approx(v - p) and not bool(ch["partial"])
