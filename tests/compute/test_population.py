"""Rates per inhabitant and the protection demand outlook, against the packaged population files
read here directly with the csv module (not through the toolkit)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from cpc_toolkit import reference
from cpc_toolkit.compute import compute_results
from cpc_toolkit.compute.projection import outlook_sentence, protection_outlook, rates_table

DATA = Path(__file__).resolve().parents[2] / "cpc_toolkit" / "reference" / "data"
NO_POPULATION = {"tpi-noumea", "tpi-mata-utu", "tpi-papeete", "tpi-saint-pierre", "tj-mamoudzou"}


def _population_file() -> dict[str, float]:
    out: dict[str, float] = {}
    with (DATA / "population_tj_2019.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["population_2019"]:
                out[row["cpc_court_id"]] = out.get(row["cpc_court_id"], 0.0) + float(row["population_2019"])
    return out


def _pop75(dep: str, year: int) -> float:
    total = 0.0
    with (DATA / "population_75plus_dep_2018_2050.csv").open(encoding="latin-1") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            if row["DEPNUM"].zfill(2) == dep and "75+" in row["FormulaCol2"]:
                total += float(row[str(year)])
    return total


def _value(res, unit, year, iid):
    sub = res[(res["unit_id"] == unit) & (res["year"] == year) & (res["indicator_id"] == iid)]
    assert len(sub) == 1
    return sub.iloc[0]


def test_population_file_facts():
    pop = _population_file()
    assert sum(pop.values()) == 66_988_403
    assert len(pop) == 163 and not (NO_POPULATION & set(pop))
    assert set(pop) <= set(reference.first_instance_courts().index)


def test_rates_for_tj_lyon_and_national_match_the_population_file(demo_results):
    pop = _population_file()
    year = 2025
    res = demo_results
    lyon = {r["indicator_id"]: r for _, r in rates_table(res, "tj-lyon", year).iterrows()}
    assert lyon["ref_population"]["value"] == pop["tj-lyon"] == 1_667_219
    for iid, num, per in (("act_total_entrees_100k_hab", "act_total_entrees", 100_000),
                          ("pjm_mesures_10k_hab", "pjm_mesures_total", 10_000),
                          ("vif_op_demandees_100k_hab", "vif_op_demandees", 100_000)):
        n = _value(res, "tj-lyon", year, num)["value"]
        assert lyon[iid]["value"] == pytest.approx(per * n / pop["tj-lyon"]), iid
        # national: ratio of sums over the same courts (a population and a value)
        courts = res[(res["level"] == "juridiction") & (res["year"] == year) & (res["indicator_id"] == num)
                     & (res["status"] == "ok") & res["unit_id"].isin(list(pop))]
        assert len(courts) > 150
        expected = per * courts["value"].sum() / sum(pop[c] for c in courts["unit_id"])
        nat = _value(res, "national", year, iid)
        assert nat["value"] == pytest.approx(expected), iid
        assert nat["n_reporting"] == len(courts)
    nat_pop = _value(res, "national", year, "ref_population")
    assert nat_pop["value"] == sum(pop.values()) and nat_pop["n_reporting"] == 163


def test_courts_without_population_are_na_with_reason(demo_results):
    for cid in sorted(NO_POPULATION):
        row = _value(demo_results, cid, 2025, "act_total_entrees_100k_hab")
        assert row["status"] == "NA" and math.isnan(row["value"]), cid
        assert "population non disponible" in row["na_reason"], cid
    noumea = _value(demo_results, "ca-noumea", 2025, "pjm_mesures_10k_hab")
    assert noumea["status"] == "NA" and "population non disponible" in noumea["na_reason"]
    # Saint-Denis de La Réunion: Mamoudzou left out of numerator and denominator alike
    pop = _population_file()
    members = [c for c in reference.courts_of_cour("ca-saint-denis-la-reunion") if c in pop]
    num = sum(_value(demo_results, c, 2025, "vif_op_demandees")["value"] for c in members)
    row = _value(demo_results, "ca-saint-denis-la-reunion", 2025, "vif_op_demandees_100k_hab")
    assert row["value"] == pytest.approx(100_000 * num / sum(pop[c] for c in members))


def test_protection_outlook_by_hand(hand):
    res = compute_results(hand.frame(
        hand.rows("tj-lyon", 2025, {"pjm_mesures_tutelle": 600, "pjm_mesures_curatelle": 300,
                                     "pjm_mesures_sauvegarde": 60, "pjm_mesures_habilitation": 40}),
        hand.rows("tj-bourg-en-bresse", 2025, {"pjm_mesures_tutelle": 500}),
        hand.rows("tpi-noumea", 2025, {"pjm_mesures_tutelle": 80})))
    out = protection_outlook(res, "tj-lyon", 2025).set_index("annee_cible")
    # Lyon lies in the Rhône (69) with Villefranche: its 75+ grow like the département's
    for target in (2030, 2035):
        ratio = _pop75("69", target) / _pop75("69", 2025)
        assert out.loc[target, "mesures"] == 1000
        assert out.loc[target, "mesures_attendues"] == pytest.approx(1000 * ratio)
        assert out.loc[target, "variation_pct"] == pytest.approx(100 * (ratio - 1))
        assert "constant" in out.loc[target, "hypothese"] and "75 ans" in out.loc[target, "hypothese"]
    cour = protection_outlook(res, "ca-lyon", 2025).set_index("annee_cible")
    expected = 1000 * _pop75("69", 2030) / _pop75("69", 2025) + 500 * _pop75("01", 2030) / _pop75("01", 2025)
    assert cour.loc[2030, "mesures_attendues"] == pytest.approx(expected)
    assert cour.loc[2030, "n_reporting"] == 2 and cour.loc[2030, "mesures"] == 1500
    tpi = protection_outlook(res, "tpi-noumea", 2025).iloc[0]
    assert math.isnan(tpi["mesures_attendues"]) and "75 ans et plus non disponible" in tpi["na_reason"]
    assert "non disponible" in outlook_sentence(tpi)
    assert "Hypothèse" in outlook_sentence(out.reset_index().iloc[0])
