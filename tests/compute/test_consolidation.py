"""Consolidation TJ → cour → national: ratio of sums, coverage, partial flags, NAP, registers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cpc_toolkit import catalogue, reference
from cpc_toolkit.compute import compute_results
from cpc_toolkit.demo import MISSING_COURT_YEARS

# ca-agen has three first-instance courts: tj-agen, tj-auch, tj-cahors
AGEN = {"act_cg_entrees": 1000, "act_cg_sorties": 900, "act_cg_stock_debut": 500, "act_cg_stock_fin": 600,
        "act_cg_delai_moyen": 10.0, "ami_referent_designe": 1, "ent_liquidations": 7, "ent_redressements": 3,
        "reg_op_decisions": 40, "reg_op_hors_delai_6j": 8, "clpc_date": "2025-03-14"}
AUCH = {"act_cg_entrees": 100, "act_cg_sorties": 150, "act_cg_stock_debut": 80, "act_cg_stock_fin": 30,
        "act_cg_delai_moyen": 14.0, "ami_referent_designe": 0}
AUCH_NAP = {i.id: "NAP" for i in catalogue.indicators(family="entreprises") if i.kind == "input"}


@pytest.fixture(scope="module")
def cons(hand):
    values = hand.frame(hand.rows("tj-agen", 2025, AGEN), hand.rows("tj-auch", 2025, AUCH, AUCH_NAP))
    return compute_results(values)


def test_cour_ratio_is_the_ratio_of_summed_parts_not_a_mean_of_ratios(hand, cons):
    row = hand.value_of(cons, "ca-agen", 2025, "act_cg_taux_couverture")
    assert row["value"] == pytest.approx(100 * (900 + 150) / (1000 + 100))        # 95.45…
    mean_of_ratios = (90.0 + 150.0) / 2
    assert abs(row["value"] - mean_of_ratios) > 20
    dtes = hand.value_of(cons, "ca-agen", 2025, "act_cg_dtes")
    assert dtes["value"] == pytest.approx((600 + 30) / ((900 + 150) / 12))


def test_sums_medians_and_share_of_courts(hand, cons):
    assert hand.value_of(cons, "ca-agen", 2025, "act_cg_entrees")["value"] == 1100
    assert hand.value_of(cons, "ca-agen", 2025, "act_total_entrees")["value"] == 1100
    assert hand.value_of(cons, "ca-agen", 2025, "act_cg_delai_moyen")["value"] == 12.0
    share = hand.value_of(cons, "ca-agen", 2025, "ami_referent_designe")
    assert share["value"] == 50.0 and share["n_reporting"] == 2


def test_every_aggregate_carries_coverage_and_partial_flag(hand, cons):
    row = hand.value_of(cons, "ca-agen", 2025, "act_cg_taux_couverture")
    assert (row["n_reporting"], row["n_expected"], bool(row["partial"])) == (2, 3, True)
    nat = hand.value_of(cons, "national", 2025, "act_cg_taux_couverture")
    assert nat["value"] == pytest.approx(row["value"])
    assert (nat["n_reporting"], nat["n_expected"]) == (2, len(reference.first_instance_courts()))
    assert bool(nat["partial"])
    agg = cons[cons["level"] != "juridiction"]
    assert agg["n_expected"].ge(agg["n_reporting"]).all()
    assert (agg.loc[agg["status"] == "ok", "partial"]
            == (agg.loc[agg["status"] == "ok", "n_reporting"] < agg.loc[agg["status"] == "ok", "n_expected"])).all()


def test_nap_courts_are_not_counted_as_missing(hand, cons):
    liq = hand.value_of(cons, "ca-agen", 2025, "ent_liquidations")
    assert liq["value"] == 7
    # auch is NAP: expected = 3 courts - 1 NAP; agen reports, cahors sends nothing
    assert (liq["n_reporting"], liq["n_expected"]) == (1, 2)
    assert hand.value_of(cons, "tj-auch", 2025, "ent_part_liquidations")["status"] == "NAP"


def test_group_where_every_court_is_nap_is_nap(hand):
    nap = {i.id: "NAP" for i in catalogue.indicators(family="entreprises") if i.kind == "input"}
    values = hand.frame(*(hand.rows(c, 2025, {"act_cg_entrees": 10}, nap)
                          for c in ("tj-agen", "tj-auch", "tj-cahors")))
    res = compute_results(values)
    row = hand.value_of(res, "ca-agen", 2025, "ent_part_liquidations")
    assert row["status"] == "NAP" and row["n_expected"] == 0 and not row["partial"]
    assert math.isnan(row["value"])


def test_register_indicators_consolidate_with_coverage(hand, cons):
    dec = hand.value_of(cons, "ca-agen", 2025, "reg_op_decisions")
    assert dec["value"] == 40 and (dec["n_reporting"], dec["n_expected"]) == (1, 3)
    part = hand.value_of(cons, "ca-agen", 2025, "reg_op_part_6j")
    assert part["value"] == pytest.approx(100 * (40 - 8) / 40)
    assert hand.value_of(cons, "tj-auch", 2025, "reg_op_part_6j")["status"] == "NA"


def test_text_indicators_are_not_aggregated(hand, cons):
    row = hand.value_of(cons, "ca-agen", 2025, "clpc_date")
    assert row["status"] == "NAP" and row["na_reason"] == "non agrégeable" and row["n_reporting"] == 1
    assert hand.value_of(cons, "tj-agen", 2025, "clpc_date")["text"] == "2025-03-14"


def test_division_by_zero_courts_still_count_in_the_ratio(hand):
    a = {"vif_op_accordees": 0, "vif_op_rejetees": 0, "vif_op_decidees_6j": 0}
    b = {"vif_op_accordees": 8, "vif_op_rejetees": 2, "vif_op_decidees_6j": 9}
    res = compute_results(hand.frame(hand.rows("tj-agen", 2025, a), hand.rows("tj-auch", 2025, b)))
    assert hand.value_of(res, "tj-agen", 2025, "vif_part_op_6j")["na_reason"] == "division par zéro"
    row = hand.value_of(res, "ca-agen", 2025, "vif_part_op_6j")
    assert row["value"] == pytest.approx(90.0) and row["n_reporting"] == 2


def test_demo_cour_ratios_equal_ratio_of_court_sums(demo_results):
    res = demo_results
    courts = res[(res["level"] == "juridiction") & (res["year"] == 2025)]
    wide = courts.pivot_table(index="unit_id", columns="indicator_id", values="value", aggfunc="first")
    wide["cour"] = [reference.cour_of(c) for c in wide.index]
    cours = res[(res["level"] == "cour") & (res["year"] == 2025)].set_index(["unit_id", "indicator_id"])
    checked = 0
    for cour, grp in wide.groupby("cour"):
        for c in ("cg", "jaf", "jcp", "refere"):
            both = grp[[f"act_{c}_sorties", f"act_{c}_entrees"]].dropna()
            expected = 100 * both[f"act_{c}_sorties"].sum() / both[f"act_{c}_entrees"].sum()
            got = cours.loc[(cour, f"act_{c}_taux_couverture")]
            assert got["value"] == pytest.approx(expected), (cour, c)
            assert got["n_reporting"] == len(both)
            checked += 1
    assert checked == 4 * len(reference.consolidation_units())


def test_demo_missing_court_years_make_partial_aggregates(demo_results):
    res = demo_results
    assert len(MISSING_COURT_YEARS) >= 1
    for court, year in MISSING_COURT_YEARS:
        cour = reference.cour_of(court)
        row = res[(res["unit_id"] == cour) & (res["year"] == year)
                  & (res["indicator_id"] == "act_total_entrees")].iloc[0]
        assert bool(row["partial"]) and row["n_reporting"] == row["n_expected"] - 1
        own = res[(res["unit_id"] == court) & (res["year"] == year)]
        collected = own[~own["indicator_id"].isin([i.id for i in catalogue.indicators(kind="reference")])]
        assert len(collected) < len(own)  # reference data (population) do not depend on a submission
        assert (collected["status"].isin(["NA", "NAP"])).all()
    complete = sorted(set(res["year"]) - {y for _, y in MISSING_COURT_YEARS})
    assert complete
    full = res[(res["level"] == "cour") & (res["year"] == complete[0]) & (res["indicator_id"] == "act_total_entrees")]
    assert not full["partial"].any()
    assert np.all(full["n_reporting"] == full["n_expected"])
