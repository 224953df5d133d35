"""« Faits marquants »: every number of every sentence equals the results, as displayed."""

from __future__ import annotations

import re

import numpy as np
import pytest

from cpc_toolkit import catalogue, fr, reference
from cpc_toolkit.compute import FaitMarquant, builtin_alert_config, changes, faits_marquants, positions
from cpc_toolkit.demo import MISSING_COURT_YEARS
from cpc_toolkit.fr import parse_french_number

NUMBER = re.compile(r"[\u2212+]?(?:\d{1,3}(?:[\u00a0\u202f ]\d{3})+|\d+)(?:,\d+)?")


def _val(res, unit, year, iid):
    sub = res[(res["unit_id"] == unit) & (res["year"] == year) & (res["indicator_id"] == iid)]
    return float(sub["value"].iloc[0])


def _strip_labels(text: str) -> str:
    """Remove catalogue labels, rule labels and court names (they may contain digits)."""
    for ind in sorted(catalogue.indicators(), key=lambda i: -len(i.label)):
        for lab in (ind.label, ind.label[0].lower() + ind.label[1:]):
            text = text.replace(lab, "«label»")
    for r in builtin_alert_config().rules:
        text = text.replace(r.label, "«regle»")
    return text


def _numbers_in(text: str) -> list[tuple[float, int]]:
    out = []
    for tok in NUMBER.findall(_strip_labels(text)):
        decimals = len(tok.split(",")[1]) if "," in tok else 0
        out.append((parse_french_number(tok.lstrip("+")), decimals))
    return out


def _check_numbers(f: FaitMarquant) -> None:
    nums = _numbers_in(f.text)
    assert nums, f.text
    for value, decimals in nums:
        candidates = [round(v, decimals) for v in f.numbers.values()]
        assert round(value, decimals) in candidates, (f.text, value, f.numbers)


def _units(res):
    year = max(res["year"])
    court, cyear = MISSING_COURT_YEARS[-1]
    return [("tj-lyon", year), ("tj-agen", year), ("tj-aurillac", year - 1), ("ca-lyon", year),
            (reference.cour_of(court), cyear), ("national", year), ("national", cyear)]


def test_every_number_in_every_sentence_is_a_displayed_result(demo_results):
    total = 0
    for unit, year in _units(demo_results):
        facts = faits_marquants(demo_results, unit, year)
        assert 1 <= len(facts) <= 6
        for f in facts:
            _check_numbers(f)
            total += 1
    assert total >= 20


def test_numbers_equal_the_results(demo_results):
    checked = 0
    for unit, year in _units(demo_results):
        level = reference.level_of(unit)
        for f in faits_marquants(demo_results, unit, year, n=12):
            if f.kind == "evolution":
                assert f.numbers["valeur"] == pytest.approx(_val(demo_results, unit, year, f.indicator_id))
                assert f.numbers["precedent"] == pytest.approx(_val(demo_results, unit, year - 1, f.indicator_id))
                # one rounding rule: the sentence quotes the (like-for-like) change rounded by fr, as the
                # key-figure card does
                ch = changes(demo_results, unit, year).set_index("indicator_id").loc[f.indicator_id]
                assert f.numbers["ecart"] == pytest.approx(fr.rounded(ch["delta"], ch["unit"]), abs=1e-9)
                if ch["unit"] == "percent":
                    assert fr.format_change(ch["delta"], "percent", words=True) in f.text
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
            elif f.kind == "alerte" and "valeur" in f.numbers and f.indicator_id \
                    and not f.indicator_id.startswith("regle:"):
                assert f.numbers["valeur"] == pytest.approx(_val(demo_results, unit, year, f.indicator_id))
                checked += 1
            elif f.kind == "position":
                pos = positions(demo_results, unit, year, [f.indicator_id])
                grp = pos[pos["group"] == ("cour" if level == "juridiction" else "national")].iloc[0]
                assert (f.numbers["rang"], f.numbers["n"]) == (grp["rank"], grp["n"])
                assert f.numbers["mediane"] == pytest.approx(grp["median"])
                checked += 1
            elif f.kind == "couverture":
                assert f.numbers["n_reporting"] == f.numbers["n_expected"] - 1
                checked += 1
    assert checked >= 15


def test_example_sentence_shape(demo_results):
    year = max(demo_results["year"])
    texts = [f.text for f in faits_marquants(demo_results, "tj-lyon", year, n=30) if f.kind == "evolution"]
    assert texts
    assert any(re.search(r" pass(?:e|ent) de .+ à .+ \([+-]\d+,\d points\)", t) for t in texts)
    for t in texts:
        assert t[0].isupper() and t.endswith(".")


def test_sorted_by_importance_and_deterministic(demo_results):
    year = max(demo_results["year"])
    a = faits_marquants(demo_results, "ca-lyon", year, n=10)
    b = faits_marquants(demo_results, "ca-lyon", year, n=10)
    assert [f.text for f in a] == [f.text for f in b]
    imp = [f.importance for f in a]
    assert imp == sorted(imp, reverse=True)
    keys = [f.indicator_id or f.text for f in a]
    assert len(keys) == len(set(keys))


def test_partial_coverage_is_said_first_for_a_cour(demo_results):
    court, year = MISSING_COURT_YEARS[1]
    facts = faits_marquants(demo_results, reference.cour_of(court), year)
    assert facts[0].kind == "couverture"
    assert "Données partielles" in facts[0].text
    # totals over a different set of courts are never compared across years
    assert not any(f.kind == "evolution" and catalogue.get(f.indicator_id).unit == "count" for f in facts)


def test_court_alerts_appear_in_cour_facts_with_public_names_only(demo_results):
    year = max(demo_results["year"])
    for cour in ("ca-lyon", "ca-riom", "ca-paris"):
        for f in faits_marquants(demo_results, cour, year, n=20):
            if f.kind == "alerte" and (f.indicator_id or "").startswith("regle:"):
                names = {reference.court_name(c) for c in reference.courts_of_cour(cour)}
                listed = f.text.split(" : ", 1)[1].rstrip(".").removesuffix(" …").split(", ")
                assert set(listed) <= names
