"""Engine properties: ratio of sums for arbitrary court values; results cache follows the store."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpc_toolkit.compute import compute_results, results
from cpc_toolkit.store import Store, SubmissionRecord

COURTS = ("tj-agen", "tj-auch", "tj-cahors")  # the three courts of ca-agen

court_values = st.tuples(st.integers(0, 5000), st.integers(0, 5000), st.booleans(),
                         st.one_of(st.none(), st.floats(0.5, 40, allow_nan=False)))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(court_values, min_size=3, max_size=3))
def test_cour_values_follow_each_aggregation_rule(hand, draws):
    parts = []
    for court, (entrees, sorties, referent, delai) in zip(COURTS, draws, strict=True):
        vals: dict[str, float | None] = {"act_jcp_entrees": entrees, "act_jcp_sorties": sorties,
                                         "ami_referent_designe": int(referent), "act_jcp_delai_moyen": delai}
        parts.append(hand.rows(court, 2024, vals))
    res = compute_results(hand.frame(*parts))
    e = sum(d[0] for d in draws)
    s = sum(d[1] for d in draws)
    rate = hand.value_of(res, "ca-agen", 2024, "act_jcp_taux_couverture")
    if e == 0:
        assert rate["status"] == "NA" and rate["na_reason"] == "division par zéro"
    else:
        assert rate["value"] == pytest.approx(100 * s / e)
    share = hand.value_of(res, "ca-agen", 2024, "ami_referent_designe")
    assert share["value"] == pytest.approx(100 * sum(d[2] for d in draws) / 3)
    delais = [d[3] for d in draws if d[3] is not None]
    med = hand.value_of(res, "ca-agen", 2024, "act_jcp_delai_moyen")
    if delais:
        assert med["value"] == pytest.approx(float(pd.Series(delais).median()))
        assert med["n_reporting"] == len(delais) and bool(med["partial"]) == (len(delais) < 3)
    else:
        assert med["status"] == "NA" and math.isnan(med["value"])
    nat = hand.value_of(res, "national", 2024, "act_jcp_entrees")
    assert nat["value"] == e and nat["n_reporting"] == 3 and nat["partial"]


def _record(court: str, year: int, entrees: float) -> SubmissionRecord:
    values = pd.DataFrame({"indicator_id": ["act_cg_entrees", "act_cg_sorties"], "value": [entrees, 90.0],
                           "text": ["", ""], "status": ["ok", "ok"]})
    return SubmissionRecord(court_id=court, year=year, channel="classeur", values=values, file_name="test")


def test_results_cache_follows_new_submissions(tmp_path: Path):
    store = Store(tmp_path / "donnees")
    store.write([_record("tj-agen", 2025, 100.0)])
    first = results(store)
    rate = first[(first["unit_id"] == "tj-agen") & (first["indicator_id"] == "act_cg_taux_couverture")]
    assert rate["value"].iloc[0] == pytest.approx(90.0)
    assert results(store) is first
    store.write([_record("tj-agen", 2025, 120.0)])  # new version supersedes the first
    second = results(Store(store.root))
    rate = second[(second["unit_id"] == "tj-agen") & (second["indicator_id"] == "act_cg_taux_couverture")]
    assert rate["value"].iloc[0] == pytest.approx(75.0)
    assert len(list((store.root / "cache").glob("resultats-*.parquet"))) == 1
