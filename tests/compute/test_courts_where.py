"""Unknown is never « aucune » (courts_where) and ranks are not given as complete on a partial total."""

from __future__ import annotations

import math

import pytest

from cpc_toolkit import catalogue, compute, reference
from cpc_toolkit.errors import CpcError

YEAR, COUR, MISSING = 2025, "ca-nimes", "tj-privas"
YES_NO = "ami_referent_designe"


def _value(res, court, year, iid):
    row = res[(res["unit_id"] == court) & (res["year"] == year) & (res["indicator_id"] == iid)]
    return float(row["value"].iloc[0]) if len(row) and row["status"].iloc[0] == "ok" else math.nan


def test_courts_where_separates_unknown_from_no(demo_results):
    assert catalogue.get(YES_NO).unit == "boolean"
    courts = reference.courts_of_cour(COUR)
    values = {c: _value(demo_results, c, YEAR, YES_NO) for c in courts}
    cw = compute.courts_where(demo_results, COUR, YEAR, YES_NO, True)
    assert set(cw.matching) == {c for c, v in values.items() if v == 1.0}
    assert set(cw.unknown) == {c for c, v in values.items() if math.isnan(v)}
    assert MISSING in cw.unknown
    assert set(cw.answered) | set(cw.unknown) == set(courts)
    no = compute.courts_where(demo_results, COUR, YEAR, YES_NO, False)
    assert set(no.matching) == {c for c, v in values.items() if v == 0.0}
    assert MISSING not in no.matching  # an unknown answer is neither yes nor no
    assert no.unknown == cw.unknown


def test_sentence_never_says_none_when_a_court_has_not_answered(demo_results):
    # a condition no answering court meets (yes/no values are 0 or 1)
    text = compute.courts_where_sentence(demo_results, COUR, YEAR, YES_NO, 2.0)
    n_answered = len(compute.courts_where(demo_results, COUR, YEAR, YES_NO).answered)
    assert n_answered == 5
    assert text.startswith("aucune parmi les 5 juridictions ayant répondu ; ")
    assert reference.court_name(MISSING) in text and "pas transmis" in text


def test_courts_where_with_a_predicate_and_a_complete_cour(demo_results):
    iid = "act_total_entrees"
    courts = reference.courts_of_cour("ca-lyon")
    vals = {c: _value(demo_results, c, YEAR, iid) for c in courts}
    cw = compute.courts_where(demo_results, "ca-lyon", YEAR, iid, lambda v: v > 5000)
    assert set(cw.matching) == {c for c, v in vals.items() if v > 5000}
    assert cw.unknown == ()
    assert "pas transmis" not in compute.courts_where_sentence(demo_results, "ca-lyon", YEAR, YES_NO)


def test_courts_where_refuses_a_court(demo_results):
    with pytest.raises(CpcError):
        compute.courts_where(demo_results, "tj-lyon", YEAR, YES_NO)


def test_positions_flag_volumes_yes_no_and_partial_values(demo_results):
    ids = ["act_cg_dtes", "act_total_entrees", YES_NO]
    pos = compute.positions(demo_results, COUR, YEAR, ids).set_index("indicator_id")
    assert bool(pos.loc["act_cg_dtes", "rankable"])
    assert not bool(pos.loc["act_total_entrees", "rankable"])  # a volume
    assert not bool(pos.loc[YES_NO, "rankable"])  # a yes/no answer
    assert bool(pos.loc["act_cg_dtes", "partial"])  # 5 of 6 courts
    assert int(pos.loc["act_cg_dtes", "n_partial"]) >= 1
    full = compute.positions(demo_results, "ca-lyon", YEAR, ["act_cg_dtes"]).iloc[0]
    assert not bool(full["partial"])
    court = compute.positions(demo_results, "tj-nimes", YEAR, ["act_cg_dtes"])
    assert not court["partial"].astype(bool).any() and (court["n_partial"] == 0).all()


def test_changes_perimeter_counts_courts_where_the_indicator_applies(demo_results):
    ch = compute.changes(demo_results, "ca-lyon", YEAR).set_index("indicator_id")
    row = ch.loc["act_total_entrees"]
    assert (int(row["n_common"]), int(row["n_expected"]), bool(row["partial"])) == (5, 5, False)
    # partial exactly when fewer courts than those where it applies enter the comparison
    comparable = ch[ch["comparable"]]
    assert ((comparable["n_common"] < comparable["n_expected"]) == comparable["partial"]).all()
    assert (comparable["n_expected"] <= comparable["n_members"]).all()
