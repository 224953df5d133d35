"""« Faits marquants »: every number of every sentence equals the results, as displayed; like for like
with the perimeter said; ranked by importance with the national priorities first; one fact per idea;
the alerts are not repeated."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from cpc_toolkit import catalogue, compute, fr, reference
from cpc_toolkit.compute import (
    EQUIVALENT_INDICATORS,
    PRIORITY_FAMILIES,
    FaitMarquant,
    builtin_alert_config,
    faits_marquants,
    idea_of,
    positions,
)
from cpc_toolkit.compute.narrative import spoken_label
from cpc_toolkit.demo import MISSING_COURT_YEARS
from cpc_toolkit.fr import format_change, parse_french_number

NUMBER = re.compile(r"[-+\u2212]?(?:\d{1,3}(?:[\u00a0\u202f ]\d{3})+|\d+)(?:,\d+)?")


def _val(res, unit, year, iid):
    sub = res[(res["unit_id"] == unit) & (res["year"] == year) & (res["indicator_id"] == iid)]
    return float(sub["value"].iloc[0])


def _strip_labels(text: str) -> str:
    """Remove catalogue labels, rule labels and court names (they may contain digits)."""
    labels = [lab for ind in catalogue.indicators() for lab in (ind.label, spoken_label(ind.id))]
    for label in sorted(set(labels), key=lambda x: -len(x)):
        for lab in (label, label[0].lower() + label[1:]):
            text = text.replace(lab, "«label»")
    for r in builtin_alert_config().rules:
        text = text.replace(r.label, "«regle»")
    return text


def _numbers_in(text: str) -> list[tuple[float, int]]:
    out = []
    for tok in NUMBER.findall(_strip_labels(text)):
        decimals = len(tok.split(",")[1]) if "," in tok else 0
        tok = tok.replace("\u2212", "-")
        out.append((parse_french_number(tok.lstrip("+")), decimals))
    return out


def _check_numbers(f: FaitMarquant) -> None:
    nums = _numbers_in(f.text)
    assert nums, f.text
    for value, decimals in nums:
        # the one rounding rule (fr: half away from zero), as the sentence was written
        candidates = [fr.round_half_up(v, decimals) for v in f.numbers.values()]
        assert fr.round_half_up(value, decimals) in candidates, (f.text, value, f.numbers)


def _units(res):
    year = max(res["year"])
    court, cyear = MISSING_COURT_YEARS[-1]
    return [("tj-lyon", year), ("tj-agen", year), ("tj-aurillac", year - 1), ("ca-lyon", year),
            (reference.cour_of(court), cyear), ("national", year), ("national", cyear),
            (reference.cour_of(MISSING_COURT_YEARS[1][0]), MISSING_COURT_YEARS[1][1])]


def _court_values(res, court_ids, year, iid):
    sub = res[res["unit_id"].isin(court_ids) & (res["year"] == year) & (res["indicator_id"] == iid)
              & (res["status"] == "ok")]
    return dict(zip(sub["unit_id"], sub["value"].astype(float), strict=True))


def _members(unit):
    if reference.level_of(unit) == "cour":
        return list(reference.courts_of_cour(unit))
    return list(reference.first_instance_courts().index)


def test_every_number_in_every_sentence_is_a_displayed_result(demo_results):
    total = 0
    for unit, year in _units(demo_results):
        facts = faits_marquants(demo_results, unit, year, n=12)
        assert 1 <= len(facts) <= 12
        for f in facts:
            _check_numbers(f)
            total += 1
    assert total >= 40


def test_numbers_equal_the_results(demo_results):
    checked = partial_sums = 0
    for unit, year in _units(demo_results):
        level = reference.level_of(unit)
        for f in faits_marquants(demo_results, unit, year, n=12):
            if f.kind == "evolution":
                ind = catalogue.get(f.indicator_id)
                if level == "juridiction" or not f.partial:
                    # like for like on a complete perimeter: the published figures of both years
                    assert f.numbers["valeur"] == pytest.approx(_val(demo_results, unit, year, f.indicator_id))
                    assert f.numbers["precedent"] == pytest.approx(
                        _val(demo_results, unit, year - 1, f.indicator_id))
                else:
                    now = _court_values(demo_results, _members(unit), year, f.indicator_id)
                    before = _court_values(demo_results, _members(unit), year - 1, f.indicator_id)
                    common = sorted(set(now) & set(before))
                    assert f.numbers["n_common"] == len(common)
                    assert f"({len(common)}/{int(f.numbers['n_total'])})" in f.text
                    assert len(common) < int(f.numbers["n_total"]) <= len(_members(unit))
                    if ind.unit == "count" and ind.aggregation == "sum":
                        assert f.numbers["valeur"] == pytest.approx(sum(now[c] for c in common))
                        assert f.numbers["precedent"] == pytest.approx(sum(before[c] for c in common))
                        partial_sums += 1
                # one rounding rule: the sentence quotes the (like-for-like) change rounded by fr, as the
                # key-figure card does
                ch = compute.changes(demo_results, unit, year).set_index("indicator_id").loc[f.indicator_id]
                assert f.numbers["ecart"] == pytest.approx(fr.rounded(ch["delta"], ch["unit"]), abs=1e-9)
                assert format_change(f.numbers["ecart"], ind.unit, words=True) in f.text
                if "reference" in f.numbers:
                    if level == "juridiction":
                        members = reference.courts_of_cour(reference.cour_of(unit))
                        vals = [_val(demo_results, c, year, f.indicator_id) for c in members]
                        expected = float(np.nanmedian(vals))
                        assert "médiane de la cour d'appel" in f.text
                    else:
                        expected = _val(demo_results, "national", year, f.indicator_id)
                        assert "valeur nationale" in f.text
                    assert f.numbers["reference"] == pytest.approx(expected)
                checked += 1
            elif f.kind == "position":
                pos = positions(demo_results, unit, year, [f.indicator_id])
                grp = pos[pos["group"] == ("cour" if level == "juridiction" else "national")].iloc[0]
                assert (f.numbers["rang"], f.numbers["n"]) == (grp["rank"], grp["n"])
                assert f.numbers["mediane"] == pytest.approx(grp["median"])
                assert bool(grp["rankable"]) and not bool(grp["partial"])
                checked += 1
            elif f.kind == "couverture":
                assert f.numbers["n_reporting"] == f.numbers["n_expected"] - 1
                checked += 1
    assert checked >= 30
    assert partial_sums >= 2


def test_example_sentence_shape(demo_results):
    year = max(demo_results["year"])
    texts = [f.text for f in faits_marquants(demo_results, "tj-lyon", year, n=30) if f.kind == "evolution"]
    assert texts
    assert any(re.search(r" pass(?:e|ent) de .+ à .+ \([+\-\u2212]\d+,\d points\)", t) for t in texts)
    for t in texts:
        assert t[0].isupper() and t.endswith(".")


def test_sorted_by_importance_and_deterministic(demo_results):
    year = max(demo_results["year"])
    a = faits_marquants(demo_results, "ca-lyon", year, n=10)
    b = faits_marquants(demo_results, "ca-lyon", year, n=10)
    assert [f.text for f in a] == [f.text for f in b]
    imp = [f.importance for f in a]
    assert imp == sorted(imp, reverse=True)


def test_no_two_sentences_say_the_same_thing(demo_results):
    groups = {iid: k for k, g in enumerate(EQUIVALENT_INDICATORS) for iid in g}
    for unit, year in _units(demo_results):
        facts = faits_marquants(demo_results, unit, year, n=30)
        ids = [f.indicator_id for f in facts if f.indicator_id]
        assert len(ids) == len(set(ids)), (unit, ids)
        ideas = [groups.get(i, i) for i in ids]
        assert len(ideas) == len(set(ideas)), (unit, ids)
        assert [idea_of(i) for i in ids] == [f.idea for f in facts if f.indicator_id]
        texts = [f.text for f in facts]
        assert len(texts) == len(set(texts))
        for t in texts:
            assert "disposition time" not in t.lower(), t  # French: « durée d'écoulement »


def test_equivalent_groups_are_catalogue_indicators_and_disjoint():
    seen: set[str] = set()
    for group in EQUIVALENT_INDICATORS:
        assert len(group) >= 2
        for iid in group:
            catalogue.get(iid)  # raises on an unknown id
            assert iid not in seen
            seen.add(iid)
    assert idea_of("act_cg_disposition_time") == "act_cg_dtes"
    assert idea_of("act_total_entrees") == "act_total_entrees"


def test_dtes_and_disposition_time_give_one_sentence(demo_results):
    year = max(demo_results["year"])
    for unit in ("ca-lyon", "tj-lyon", "national", "tj-aurillac"):
        ids = {f.indicator_id for f in faits_marquants(demo_results, unit, year, n=60)}
        for dtes, dt in EQUIVALENT_INDICATORS[:4]:
            assert not {dtes, dt} <= ids
            if dt in ids:  # only when the preferred one is unknown
                assert np.isnan(compute.value(demo_results, unit, year, dtes))


def test_alerts_are_not_repeated(demo_results):
    year = max(demo_results["year"])
    repeated = 0
    for unit in ("ca-lyon", "ca-nimes", "tj-lyon", "national", "ca-paris"):
        al = compute.alerts(demo_results, unit, year, include_courts=True)
        repeated += len(al)
        messages = set(al["message"])
        alerted = set(al.loc[al["unit_id"] == unit, "indicator_id"])
        for f in faits_marquants(demo_results, unit, year, n=30):
            assert f.kind in ("evolution", "position", "couverture")
            assert "Alerte" not in f.text and "seuil" not in f.text, f.text
            assert not any(m and m in f.text for m in messages), f.text
            if f.kind == "position":
                assert f.indicator_id not in alerted
    assert repeated >= 5  # the units above do have alerts


def _ratio(res, unit, year, iid):
    ch = compute.changes(res, unit, year).set_index("indicator_id").loc[iid]
    previous = float(ch["previous_lfl"])
    return (float(ch["value_lfl"]) / previous if previous > 0 else math.nan), previous


def test_a_tripled_national_priority_ranks_in_the_top(demo_results):
    year = max(demo_results["year"])
    iid = "ami_ara_tenues"
    assert catalogue.get(iid).family in PRIORITY_FAMILIES
    units = [*reference.consolidation_units().index, reference.NATIONAL, "tj-rennes", "tj-lyon", "tj-dijon"]
    tested = 0
    for unit in units:
        ratio, previous = _ratio(demo_results, unit, year, iid)
        if not (ratio >= 2.4 and previous >= 10):
            continue
        facts = [f for f in faits_marquants(demo_results, unit, year, n=6) if f.kind != "couverture"]
        top = [f.indicator_id for f in facts[:3]]
        assert iid in top, (unit, ratio, [f.text for f in facts])
        tested += 1
    assert tested >= 3


def test_priority_weight_counts(demo_results):
    """The same change weighs more for a national priority than for another family."""
    year = max(demo_results["year"])
    facts = faits_marquants(demo_results, "tj-lyon", year, n=200)
    prio = [f for f in facts if f.kind == "evolution" and catalogue.get(f.indicator_id).family in PRIORITY_FAMILIES]
    other = [f for f in facts if f.kind == "evolution"
             and catalogue.get(f.indicator_id).family not in PRIORITY_FAMILIES]
    assert prio and other
    assert max(f.importance for f in prio) > max(f.importance for f in other)


def test_nimes_inflow_sentence_is_like_for_like_with_its_perimeter(demo_results):
    cour, year, missing = "ca-nimes", 2025, "tj-privas"
    courts = reference.courts_of_cour(cour)
    now = _court_values(demo_results, courts, year, "act_total_entrees")
    before = _court_values(demo_results, courts, year - 1, "act_total_entrees")
    assert missing not in now and missing in before
    common = sorted(set(now) & set(before))
    delta = sum(now[c] for c in common) - sum(before[c] for c in common)
    published = _val(demo_results, cour, year, "act_total_entrees") - _val(demo_results, cour, year - 1,
                                                                           "act_total_entrees")
    assert round(delta) != round(published)
    facts = [f for f in faits_marquants(demo_results, cour, year, n=200) if f.indicator_id == "act_total_entrees"]
    assert len(facts) == 1
    text = facts[0].text
    assert format_change(delta, "count") in text, text
    assert format_change(published, "count") not in text
    assert f"sur les {len(common)} juridictions présentes les deux années ({len(common)}/{len(courts)})" \
        in text.lower(), text
    assert (len(common), len(courts)) == (5, 6)


def test_partial_coverage_is_said_first_for_a_cour(demo_results):
    court, year = MISSING_COURT_YEARS[1]
    facts = faits_marquants(demo_results, reference.cour_of(court), year, n=12)
    assert facts[0].kind == "couverture"
    assert "Données partielles" in facts[0].text and reference.court_name(court) in facts[0].text
    evolutions = [f for f in facts if f.kind == "evolution"]
    assert evolutions
    for f in evolutions:  # every change is like for like and says its perimeter next to the figure
        assert f.partial
        assert re.search(r"sur les \d+ juridictions présentes les deux années \(\d+/\d+\)", f.text, re.I), f.text
    assert not any(f.kind == "position" for f in facts)  # no rank for a partial value


def test_priorities_are_the_ministerial_priorities_of_the_circulaire():
    # § 3 of the circulaire: amiable (3.1), majeurs (3.2), agricole (3.4), contrôle coercitif (3.5),
    # dématérialisation (3.6); the entreprises family comes from § 2 and the annex
    assert set(PRIORITY_FAMILIES) == {"amiable", "majeurs", "agricole", "vif", "demat"}


def test_short_list_covers_several_families(demo_results):
    year = max(demo_results["year"])
    for unit in ("tj-lyon", "ca-paris", "ca-lyon"):
        every = faits_marquants(demo_results, unit, year, n=200)
        families = {catalogue.get(f.indicator_id).family for f in every if f.indicator_id}
        assert len(families) >= 3
        top = [catalogue.get(f.indicator_id).family for f in faits_marquants(demo_results, unit, year, n=6)
               if f.indicator_id]
        assert max(top.count(fam) for fam in set(top)) <= 2, (unit, top)


def test_cour_ranks_say_how_many_cours_are_partial(demo_results):
    """Ranks among cours when some cours have partial totals say so; the TSA is not called a cour d'appel."""
    year = max(demo_results["year"])
    seen = 0
    for cour in reference.consolidation_units().index:
        for f in faits_marquants(demo_results, cour, year, n=20):
            if f.kind != "position":
                continue
            grp = positions(demo_results, cour, year, [f.indicator_id]).iloc[0]
            if int(grp["n_partial"]):
                assert f"(dont {int(grp['n_partial'])} aux données partielles)" in f.text
                seen += 1
            if cour.startswith("tsa-"):
                assert f.text.startswith("Le tribunal supérieur d'appel")
    assert seen >= 3


def test_same_change_ranks_higher_for_a_national_priority(hand):
    """Hand-made court: ARA tenues and the civil stock both grow by 50 %; the ARA (amiable, § 3.1 of
    the circulaire) comes first; a tripled ARA count comes before a doubled non-priority rate."""
    from cpc_toolkit.compute import compute_results

    base = {"ami_ara_tenues": 100, "act_cg_stock_fin": 100}
    rows = hand.frame(hand.rows("tj-lyon", 2024, base),
                      hand.rows("tj-lyon", 2025, {"ami_ara_tenues": 150, "act_cg_stock_fin": 150}))
    res = compute_results(rows)
    facts = [f for f in faits_marquants(res, "tj-lyon", 2025, n=10) if f.kind == "evolution"]
    ids = [f.indicator_id for f in facts]
    assert "ami_ara_tenues" in ids
    others = [f for f in facts if catalogue.get(f.indicator_id).family not in PRIORITY_FAMILIES]
    ara = facts[ids.index("ami_ara_tenues")]
    assert others and all(ara.importance > f.importance for f in others)
    assert "(+50, soit +50,0\u00a0%)" in ara.text.replace("\u2212", "-")

    # ARA ×3 against a non-priority volume ×4: the priority weight puts the ARA first
    tripled = hand.frame(hand.rows("tj-lyon", 2024, {"ami_ara_tenues": 20, "act_cg_stock_fin": 100}),
                         hand.rows("tj-lyon", 2025, {"ami_ara_tenues": 60, "act_cg_stock_fin": 400}))
    facts3 = [f for f in faits_marquants(compute_results(tripled), "tj-lyon", 2025, n=6) if f.kind == "evolution"]
    assert [f.indicator_id for f in facts3][:2] == ["ami_ara_tenues", "act_total_stock_fin"]  # total of the stocks
    assert "3,0 fois plus" in facts3[0].text and "4,0 fois plus" in facts3[1].text
