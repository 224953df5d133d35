"""Derived indicators of a court-year built by hand, against values computed by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from cpc_toolkit import catalogue
from cpc_toolkit.compute import compute_results

INPUTS = {
    # activity: entrées, sorties, stock début, stock fin
    "act_cg_entrees": 1000, "act_cg_sorties": 950, "act_cg_stock_debut": 800, "act_cg_stock_fin": 850,
    "act_jaf_entrees": 400, "act_jaf_sorties": 420, "act_jaf_stock_debut": 300, "act_jaf_stock_fin": 280,
    "act_jcp_entrees": 600, "act_jcp_sorties": 540, "act_jcp_stock_debut": 200, "act_jcp_stock_fin": 260,
    "act_refere_entrees": 250, "act_refere_sorties": 250, "act_refere_stock_debut": 30,
    "act_refere_stock_fin": 31,
    "clpc_tenu": 1, "clpc_membres_elus_locaux": 3, "clpc_membres_parlementaires": 2,
    "clpc_membres_professions_droit": 5, "clpc_membres_associations": 4,
    "clpc_membres_presidents_tc_cph": 1, "clpc_membres_autres": 0,
    "ami_ara_ordonnees": 20, "ami_ara_tenues": 16, "ami_ara_accord_total": 6, "ami_ara_accord_partiel": 4,
    "ami_ara_echec": 6, "ami_mediations_ordonnees": 30, "ami_conciliations_deleguees": 10,
    "pjm_mesures_tutelle": 100, "pjm_mesures_curatelle": 150, "pjm_mesures_sauvegarde": 30,
    "pjm_mesures_habilitation": 20, "pjm_comptes_attendus": 200, "pjm_comptes_recus_30juin": 150,
    "pjm_comptes_verifies_31dec": 120, "pjm_echues_sans_decision": 15,
    "reg_pjm_mesures_suivies": 400, "reg_pjm_echues_non_revisees": 10,
    "reg_pjm_comptes_manquants_30juin": 40, "reg_pjm_renouvelees_plus_5ans": 100,
    "agr_reglements_amiables": 3, "agr_conciliations": 1, "agr_sauvegardes": 1, "agr_redressements": 2,
    "agr_liquidations": 3,
    "ent_mandats_ad_hoc": 5, "ent_conciliations": 3, "ent_sauvegardes": 2, "ent_sauvegardes_accelerees": 0,
    "ent_redressements": 6, "ent_liquidations": 12, "ent_retablissements": 4,
    "vif_op_accordees": 30, "vif_op_rejetees": 10, "vif_op_decidees_6j": 36, "vif_oppi_demandees": 8,
    "vif_oppi_24h": 6,
    "reg_op_decisions": 50, "reg_op_hors_delai_6j": 5, "reg_oppi_decisions": 10, "reg_oppi_hors_delai_24h": 1,
    "dem_minutes_civiles": 1000, "dem_minutes_signees_electroniquement": 250,
    "vif_op_demandees": 45,
    # staffing (ETPT)
    "act_cg_etpt_magistrats": 3.8, "act_cg_etpt_greffe": 5.0, "act_jaf_etpt_magistrats": 1.2,
    "act_jaf_etpt_greffe": 1.5, "act_jcp_etpt_magistrats": 0.6, "act_jcp_etpt_greffe": 2.0,
    "act_refere_etpt_magistrats": 0.5, "act_refere_etpt_greffe": 0.25,
}
# population of the ressort of Agen at the 2019 census, read from the packaged file (not via the toolkit)
AGEN_POPULATION = 331_271
assert ("100119,100119 - TJ AGEN,AGEN,331271," in
        (Path(__file__).parents[2] / "cpc_toolkit/reference/data/population_tj_2019.csv").read_text(encoding="utf-8"))

# Expected values written by hand from the catalogue definitions (not with the evaluator).
EXPECTED = {
    "act_cg_taux_couverture": 95.0,                      # 950 / 1000
    "act_cg_dtes": 850 / (950 / 12),                     # stock fin / sorties mensuelles
    "act_cg_disposition_time": 365 * 850 / 950,
    "act_cg_ecart_stock": 0.0,                           # 800 + 1000 - 950 - 850
    "act_jaf_taux_couverture": 105.0,
    "act_jaf_dtes": 8.0,                                 # 280 / 35
    "act_jaf_disposition_time": 365 * 280 / 420,
    "act_jaf_ecart_stock": 0.0,
    "act_jcp_taux_couverture": 90.0,
    "act_jcp_dtes": 260 / 45,
    "act_jcp_disposition_time": 365 * 260 / 540,
    "act_jcp_ecart_stock": 0.0,
    "act_refere_taux_couverture": 100.0,
    "act_refere_dtes": 1.488,                            # 31 / (250 / 12)
    "act_refere_disposition_time": 45.26,                # 365 * 31 / 250
    "act_refere_ecart_stock": -1.0,                      # 30 + 250 - 250 - 31
    "clpc_membres_total": 15.0,
    "act_total_entrees": 2250.0,
    "act_total_sorties": 2160.0,
    "act_total_stock_fin": 1421.0,
    "act_total_taux_couverture": 96.0,
    "act_total_dtes": 1421 / 180,
    "ami_taux_accord_ara": 62.5,                         # (6 + 4) / 16
    "ami_part_amiable": 100 * 60 / 2160,                 # (20 + 30 + 10) / sorties totales
    "pjm_mesures_total": 300.0,
    "pjm_taux_comptes_recus": 75.0,
    "pjm_taux_comptes_verifies": 60.0,
    "pjm_taux_echues_sans_decision": 5.0,
    "pjm_taux_habilitation": 100 * 20 / 300,
    "reg_pjm_taux_echues": 2.5,
    "reg_pjm_taux_comptes_manquants": 10.0,
    "reg_pjm_part_plus_5ans": 25.0,
    "agr_procedures_collectives": 6.0,
    "agr_part_amiable": 40.0,                            # 4 / (4 + 6)
    "ent_procedures_collectives": 20.0,                  # 2 + 0 + 6 + 12
    "ent_part_prevention": 25.0,                         # 8 / (8 + 20 + 4)
    "ent_part_liquidations": 60.0,                       # 12 / 20
    "vif_taux_op_accordees": 75.0,
    "vif_part_op_6j": 90.0,                              # 36 / 40
    "vif_part_oppi_24h": 75.0,
    "reg_op_part_6j": 90.0,                              # (50 - 5) / 50
    "reg_oppi_part_24h": 90.0,
    "dem_part_signature_electronique": 25.0,
    "act_cg_sorties_par_etpt_magistrat": 250.0,          # 950 / 3,8
    "act_cg_sorties_par_etpt_greffe": 190.0,             # 950 / 5
    "act_jaf_sorties_par_etpt_magistrat": 350.0,         # 420 / 1,2
    "act_jaf_sorties_par_etpt_greffe": 280.0,
    "act_jcp_sorties_par_etpt_magistrat": 900.0,
    "act_jcp_sorties_par_etpt_greffe": 270.0,
    "act_refere_sorties_par_etpt_magistrat": 500.0,
    "act_refere_sorties_par_etpt_greffe": 1000.0,
    "act_total_entrees_100k_hab": 100_000 * 2250 / AGEN_POPULATION,
    "pjm_mesures_10k_hab": 10_000 * 300 / AGEN_POPULATION,
    "vif_op_demandees_100k_hab": 100_000 * 45 / AGEN_POPULATION,
}


@pytest.fixture(scope="module")
def hand_results(hand):
    values = hand.frame(hand.rows("tj-agen", 2025, INPUTS))
    return compute_results(values)


def test_every_derived_indicator_is_covered_by_the_hand_computation():
    derived = {i.id for i in catalogue.indicators(kind="derived")}
    assert derived == set(EXPECTED), sorted(derived ^ set(EXPECTED))


@pytest.mark.parametrize("iid", sorted(EXPECTED))
def test_derived_value_equals_hand_computation(hand, hand_results, iid):
    row = hand.value_of(hand_results, "tj-agen", 2025, iid)
    assert row["status"] == "ok", row["na_reason"]
    assert row["value"] == pytest.approx(EXPECTED[iid], rel=1e-12, abs=1e-12)


def test_inputs_are_passed_through_unchanged(hand, hand_results):
    for iid, v in INPUTS.items():
        assert hand.value_of(hand_results, "tj-agen", 2025, iid)["value"] == float(v)


def test_division_by_zero_and_missing_input_give_na_with_reason(hand):
    inputs = dict(INPUTS)
    inputs["act_cg_sorties"] = 0          # DTES: stock / (0 / 12)
    inputs["vif_op_accordees"] = 0        # taux OP accordées: 0 / (0 + 0)
    inputs["vif_op_rejetees"] = 0
    del inputs["ami_ara_tenues"]          # missing input
    res = compute_results(hand.frame(hand.rows("tj-auch", 2024, inputs)))
    dtes = hand.value_of(res, "tj-auch", 2024, "act_cg_dtes")
    assert dtes["status"] == "NA" and math.isnan(dtes["value"])
    assert dtes["na_reason"] == "division par zéro"
    cover = hand.value_of(res, "tj-auch", 2024, "act_cg_taux_couverture")
    assert cover["status"] == "ok" and cover["value"] == 0.0      # 0 / 1000 is a real 0 %
    op = hand.value_of(res, "tj-auch", 2024, "vif_taux_op_accordees")
    assert op["status"] == "NA" and op["na_reason"] == "division par zéro"
    ara = hand.value_of(res, "tj-auch", 2024, "ami_taux_accord_ara")
    assert ara["status"] == "NA" and "ami_ara_tenues" in ara["na_reason"]
    assert not res["value"].isin([math.inf, -math.inf]).any()


def test_non_applicable_inputs_make_derived_indicators_non_applicable(hand):
    inputs = {k: v for k, v in INPUTS.items() if not k.startswith("ent_")}
    ent = {i.id: "NAP" for i in catalogue.indicators(family="entreprises") if i.kind == "input"}
    res = compute_results(hand.frame(hand.rows("tj-agen", 2025, inputs, statuses=ent)))
    for iid in ("ent_procedures_collectives", "ent_part_prevention", "ent_part_liquidations",
                "ent_liquidations"):
        row = hand.value_of(res, "tj-agen", 2025, iid)
        assert row["status"] == "NAP", iid
        assert row["na_reason"] == "non applicable"
        assert row["n_expected"] == 0


def test_court_without_data_gets_explicit_na_rows(hand):
    res = compute_results(hand.frame(hand.rows("tj-agen", 2025, INPUTS)))
    other = res[(res["unit_id"] == "tj-auch") & (res["year"] == 2025)]
    assert len(other) == len(catalogue.indicators())
    refs = other["indicator_id"].isin([i.id for i in catalogue.indicators(kind="reference")])
    assert refs.any() and (other.loc[refs, "status"] == "ok").all()  # population is known without a submission
    other = other[~refs]
    assert (other["status"] == "NA").all()
    assert (other["na_reason"] == "aucune donnée transmise pour cette année").all()


def test_compute_results_does_not_mutate_its_input(hand):
    values = hand.frame(hand.rows("tj-agen", 2025, INPUTS))
    before = values.copy()
    compute_results(values)
    assert values.equals(before)
