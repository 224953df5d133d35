"""Projection at constant monthly rates, what-if and targets, against figures computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cpc_toolkit.compute import compute_results
from cpc_toolkit.compute.projection import (
    NA_NO_EXITS,
    NA_STABLE,
    WhatIf,
    assumption_sentence,
    month_label,
    projection_base,
    projection_path,
    projection_table,
    target_exits,
)

YEAR = 2025
# tj-agen, built by hand: cg clears, jaf grows, jcp has no exits at all, référés are stable
AGEN = {
    "act_cg_entrees": 1200, "act_cg_sorties": 1440, "act_cg_stock_debut": 840, "act_cg_stock_fin": 600,
    "act_jaf_entrees": 1200, "act_jaf_sorties": 960, "act_jaf_stock_debut": 160, "act_jaf_stock_fin": 400,
    "act_jcp_entrees": 120, "act_jcp_sorties": 0, "act_jcp_stock_debut": 0, "act_jcp_stock_fin": 50,
    "act_refere_entrees": 600, "act_refere_sorties": 600, "act_refere_stock_debut": 30,
    "act_refere_stock_fin": 30,
    "act_cg_etpt_magistrats": 4.8, "act_cg_etpt_greffe": 6.0,
}
# two more courts of the cour d'appel d'Agen: Auch complete for cg, Cahors without a stock for cg
AUCH = {"act_cg_entrees": 240, "act_cg_sorties": 240, "act_cg_stock_fin": 100, "act_cg_etpt_magistrats": 1.2}
CAHORS = {"act_cg_entrees": 100, "act_cg_sorties": 100, "act_cg_stock_fin": None}


@pytest.fixture(scope="module")
def res(hand):
    return compute_results(hand.frame(hand.rows("tj-agen", YEAR, AGEN), hand.rows("tj-auch", YEAR, AUCH),
                                      hand.rows("tj-cahors", YEAR, CAHORS)))


def _row(df: pd.DataFrame, cid: str) -> pd.Series:
    sub = df[df["contentieux"] == cid]
    assert len(sub) == 1, cid
    return sub.iloc[0]


def test_month_labels_are_calendar_months_after_31_december():
    assert month_label(2025, 1) == "janvier 2026"
    assert month_label(2025, 12) == "décembre 2026"
    assert month_label(2025, 30) == "juin 2028"


def test_stock_that_clears(res):
    t = projection_table(res, "tj-agen", YEAR, 12)
    cg = _row(t, "cg")
    # e = 100, s = 120 per month; 600 + 12 × (100 − 120) = 360; DTES = 360 / 120 = 3
    assert cg["entrees_mensuelles"] == pytest.approx(100) and cg["sorties_mensuelles"] == pytest.approx(120)
    assert cg["stock_h"] == pytest.approx(360) and cg["dtes_h"] == pytest.approx(3.0)
    assert cg["dtes_fin"] == pytest.approx(5.0)  # 600 / 120
    # cleared in month 600 / 20 = 30 → June 2028
    assert cg["tendance"] == "résorption" and cg["mois_evenement"] == 30
    assert cg["evenement"] == "résorption du stock" and cg["echeance"] == "juin 2028"
    assert cg["na_reason"] == ""


def test_stock_that_grows(res):
    jaf = _row(projection_table(res, "tj-agen", YEAR, 12), "jaf")
    # e = 100, s = 80: 400 + 12 × 20 = 640; DTES 8; doubles in month 400 / 20 = 20 → August 2027
    assert jaf["stock_h"] == pytest.approx(640) and jaf["dtes_h"] == pytest.approx(8.0)
    assert jaf["tendance"] == "hausse" and jaf["mois_evenement"] == 20 and jaf["echeance"] == "août 2027"


def test_zero_exits_give_na_with_a_reason_not_zero_nor_infinity(res):
    jcp = _row(projection_table(res, "tj-agen", YEAR, 12), "jcp")
    assert jcp["stock_h"] == pytest.approx(170)  # 50 + 12 × 10
    assert math.isnan(jcp["dtes_h"]) and math.isnan(jcp["dtes_fin"])
    assert jcp["na_reason"] == NA_NO_EXITS and "division par zéro" in jcp["na_reason"]
    assert jcp["mois_evenement"] == 5  # doubles: 50 / 10


def test_stable_stock_has_no_event_month_and_says_why(res):
    ref = _row(projection_table(res, "tj-agen", YEAR, 12), "refere")
    assert ref["stock_h"] == pytest.approx(30) and ref["dtes_h"] == pytest.approx(0.6)
    assert math.isnan(ref["mois_evenement"]) and ref["echeance"] == "" and ref["evenement_na_reason"] == NA_STABLE


def test_total_follows_the_sum_of_clipped_paths(res):
    tot = _row(projection_table(res, "tj-agen", YEAR, 12), "total")
    assert tot["stock_h"] == pytest.approx(360 + 640 + 170 + 30)
    assert tot["dtes_h"] == pytest.approx(1200 / 250)
    # path: 1080 + 10 k until cg is cleared (k = 30), then 480 + 30 k ≥ 2160 → k = 56 (août 2030)
    assert tot["mois_evenement"] == 56 and tot["echeance"] == "août 2030"
    path = projection_path(res, "tj-agen", YEAR, 60)
    ptot = path[path["contentieux"] == "total"].set_index("mois")["stock"]
    assert ptot[0] == 1080 and ptot[30] == pytest.approx(1380) and ptot[56] == pytest.approx(2160)
    assert ptot[55] < 2160
    dates = path[path["contentieux"] == "cg"]["date"]
    assert dates.iloc[0] == pd.Timestamp("2025-12-31") and dates.iloc[2] == pd.Timestamp("2026-02-28")


def test_horizon_zero_is_the_reference_year_end(res):
    t = projection_table(res, "tj-agen", YEAR, 0)
    cg = _row(t, "cg")
    assert cg["stock_h"] == 600 and cg["dtes_h"] == pytest.approx(cg["dtes_fin"])


def test_what_if_percentage_and_absolute(res):
    t = projection_table(res, "tj-agen", YEAR, 12,
                         whatif={"jaf": WhatIf(sorties_pct=10), "cg": WhatIf(entrees_abs=-50)})
    jaf, cg = _row(t, "jaf"), _row(t, "cg")
    assert jaf["sorties_mensuelles"] == pytest.approx(88) and jaf["stock_h"] == pytest.approx(544)
    # cg: e = 50, s = 120 → 600 − 12 × 70 < 0 → 0, cleared in month ceil(600 / 70) = 9
    assert cg["stock_h"] == 0 and cg["mois_evenement"] == 9 and cg["echeance"] == "septembre 2026"
    assert "Hypothèses propres à chaque contentieux" in _row(t, "total")["hypothese"]


def test_what_if_staffing_holds_exits_per_etpt_constant(res):
    base = projection_base(res, "tj-agen", YEAR)
    cg = _row(base, "cg")
    assert cg["sorties_par_etpt_magistrat"] == pytest.approx(300) and cg["sorties_par_etpt_greffe"] == 240
    plain = _row(projection_table(res, "tj-agen", YEAR, 12, base=base), "cg")
    assert plain["effet_etpt_magistrat"] == pytest.approx(25) and plain["effet_etpt_greffe"] == pytest.approx(20)
    assert math.isnan(_row(projection_table(res, "tj-agen", YEAR, 12, base=base), "jaf")["effet_etpt_magistrat"])
    one_mag = _row(projection_table(res, "tj-agen", YEAR, 12, WhatIf(etpt_magistrats=1), base=base), "cg")
    assert one_mag["sorties_mensuelles"] == pytest.approx(120 + 300 / 12)
    both = _row(projection_table(res, "tj-agen", YEAR, 12, WhatIf(etpt_magistrats=1, etpt_greffe=1)), "cg")
    assert both["sorties_mensuelles"] == pytest.approx(120 + 240 / 12)  # the scarcer category bounds output
    # staffing not collected for jaf: NA with its reason rather than a silent no-op
    jaf = _row(projection_table(res, "tj-agen", YEAR, 12, WhatIf(etpt_magistrats=1)), "jaf")
    assert math.isnan(jaf["stock_h"]) and "ETPT" in jaf["na_reason"]


def test_target_exits_for_a_dtes_within_the_horizon(res):
    t = target_exits(res, "tj-agen", YEAR, dtes_target=2, horizon=12)
    cg = _row(t, "cg")
    s_star = (600 + 12 * 100) / (2 + 12)
    assert cg["sorties_cibles"] == pytest.approx(s_star)
    assert cg["ecart_mensuel"] == pytest.approx(s_star - 120)
    assert cg["etpt_magistrats_supplementaires"] == pytest.approx(12 * (s_star - 120) / 300)
    # reaching it really gives a DTES of 2 months after 12 months
    check = _row(projection_table(res, "tj-agen", YEAR, 12, {"cg": WhatIf(sorties_abs=s_star - 120)}), "cg")
    assert check["dtes_h"] == pytest.approx(2.0)
    jcp = _row(t, "jcp")
    assert jcp["sorties_cibles"] == pytest.approx((50 + 12 * 10) / 14) and "division par zéro" in jcp["na_reason"]


def test_cour_sums_the_same_courts_for_entries_exits_and_stock(res):
    base = projection_base(res, "ca-agen", YEAR)
    cg = _row(base, "cg")
    # Cahors has no stock: left out of the three sums
    assert cg["entrees"] == 1440 and cg["sorties"] == 1680 and cg["stock_fin"] == 700
    assert cg["n_reporting"] == 2 and cg["n_expected"] == 3
    assert cg["sorties_par_etpt_magistrat"] == pytest.approx(1680 / 6.0)
    t = _row(projection_table(res, "ca-agen", YEAR, 12), "cg")
    assert t["stock_h"] == pytest.approx(700 + 12 * (120 - 140))


def test_unit_without_data_is_na_with_reason(res):
    t = projection_table(res, "tj-cahors", YEAR, 12)
    jaf = _row(t, "jaf")
    assert math.isnan(jaf["stock_h"]) and jaf["na_reason"]
    assert _row(t, "total")["na_reason"]
    nat = projection_table(res, "national", YEAR, 12)
    assert (nat["n_expected"] == 168).all()


def test_assumption_sentence_names_the_changes():
    text = assumption_sentence(2025, WhatIf(entrees_pct=10, sorties_abs=-5, etpt_magistrats=1))
    assert "2025" in text and "+10,0\u00a0%" in text and "\u22125 affaires par mois" in text and "ETPT de magistrat" in text


def test_projection_does_not_mutate_results(res):
    before = res.copy()
    projection_table(res, "ca-agen", YEAR, 24, WhatIf(sorties_pct=5))
    target_exits(res, "national", YEAR, 6, 12)
    pd.testing.assert_frame_equal(res, before)
    assert np.isfinite(res["value"].dropna()).all()
