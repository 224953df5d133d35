"""Smoke test of the foundation's first read-out."""

from cpc_toolkit import reference


def test_national_sum_equals_court_sum(demo_store, demo_results):
    res = demo_results
    courts = res[(res.level == "juridiction") & (res.year == 2025) & (res.indicator_id == "act_cg_entrees")]
    nat = res[(res.unit_id == reference.NATIONAL) & (res.year == 2025) & (res.indicator_id == "act_cg_entrees")]
    reported = courts[courts["value"].notna()]
    assert len(reported) == 167  # one demo court-year of 2025 is deliberately missing
    assert set(courts["unit_id"]) - set(reported["unit_id"]) == {"tj-privas"}
    assert nat["value"].iloc[0] == reported["value"].sum() > 500_000
    assert bool(nat["partial"].iloc[0]) is True
