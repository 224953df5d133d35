"""Series, year-over-year changes, positions, size classes and coverage on the demo results."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from cpc_toolkit import catalogue, reference
from cpc_toolkit.compute import (
    SIZE_LABELS,
    changes,
    coverage,
    positions,
    results_index,
    series,
    size_classes,
)
from cpc_toolkit.demo import MISSING_COURT_YEARS
from cpc_toolkit.errors import CpcError


def _val(res: pd.DataFrame, unit: str, year: int, iid: str) -> float:
    sub = res[(res["unit_id"] == unit) & (res["year"] == year) & (res["indicator_id"] == iid)]
    return float(sub["value"].iloc[0]) if len(sub) else np.nan


def test_series_returns_every_year_in_order(demo_results):
    years = sorted(set(demo_results["year"]))
    s = series(demo_results, "tj-lyon", ["act_cg_taux_couverture", "act_total_entrees"])
    assert list(s.columns[:5]) == ["unit_id", "year", "indicator_id", "value", "status"]
    assert list(s["indicator_id"]) == ["act_cg_taux_couverture"] * len(years) + ["act_total_entrees"] * len(years)
    assert list(s["year"][: len(years)]) == years
    for r in s.itertuples():
        assert r.value == pytest.approx(_val(demo_results, "tj-lyon", r.year, r.indicator_id))
    two = series(demo_results, "ca-lyon", "act_total_entrees", years=years[-2:])
    assert list(two["year"]) == years[-2:] and (two["unit_id"] == "ca-lyon").all()


def test_series_of_a_missing_court_year_is_na(demo_results):
    court, year = MISSING_COURT_YEARS[0]
    s = series(demo_results, court, ["act_total_entrees"])
    row = s[s["year"] == year].iloc[0]
    assert row["status"] == "NA" and np.isnan(row["value"])


def test_changes_match_values_and_direction(demo_results):
    year = max(demo_results["year"])
    ch = changes(demo_results, "tj-lyon", year).set_index("indicator_id")
    for iid in ("act_cg_taux_couverture", "act_cg_dtes", "act_total_entrees", "vif_part_op_6j"):
        v, p = _val(demo_results, "tj-lyon", year, iid), _val(demo_results, "tj-lyon", year - 1, iid)
        row = ch.loc[iid]
        assert row["value"] == pytest.approx(v) and row["previous"] == pytest.approx(p)
        assert row["delta"] == pytest.approx(v - p)
        assert row["delta_pct"] == pytest.approx(100 * (v - p) / abs(p))
        direction = catalogue.get(iid).direction
        if direction == "neutral" or v == p:
            assert pd.isna(row["improved"])
        else:
            assert bool(row["improved"]) == ((v > p) if direction == "higher" else (v < p))
    assert ch.loc["act_cg_taux_couverture", "unit"] == "percent"


def test_changes_flag_totals_over_different_court_sets(demo_results):
    court, year = MISSING_COURT_YEARS[1]
    cour = reference.cour_of(court)
    ch = changes(demo_results, cour, year).set_index("indicator_id")
    # totals over different sets of courts are compared like for like, and flagged as partial
    assert ch.loc["act_total_entrees", "partial"]
    assert ch.loc["act_total_entrees", "delta"] != pytest.approx(ch.loc["act_total_entrees", "delta_full"])
    full = changes(demo_results, "ca-lyon", year).set_index("indicator_id")
    assert full.loc["act_total_entrees", "comparable"] and not full.loc["act_total_entrees", "partial"]


def test_changes_returns_a_copy(demo_results):
    year = max(demo_results["year"])
    a = changes(demo_results, "tj-lyon", year)
    a.loc[:, "value"] = -1.0
    b = changes(demo_results, "tj-lyon", year)
    assert (b["value"].dropna() != -1.0).all()


def test_size_classes_are_quartiles_of_civil_inflow(demo_results):
    year = max(demo_results["year"])
    cls = size_classes(demo_results, year)
    assert set(cls.unique()) == set(SIZE_LABELS)
    counts = cls.value_counts()
    assert counts.max() - counts.min() <= 1
    inflow = {c: _val(demo_results, c, year, "act_total_entrees") for c in cls.index}
    bounds = [(min(inflow[c] for c in cls.index[cls == lab]), max(inflow[c] for c in cls.index[cls == lab]))
              for lab in SIZE_LABELS]
    for lo_hi, nxt in itertools.pairwise(bounds):
        assert lo_hi[1] <= nxt[0]
    court, y = MISSING_COURT_YEARS[-1]
    if y == year:
        assert court not in cls.index


def test_positions_rank_and_median_recomputed_independently(demo_results):
    year = max(demo_results["year"])
    court = "tj-lyon"
    pos = positions(demo_results, court, year, ["act_cg_taux_couverture", "act_cg_dtes"])
    assert set(pos["group"]) == {"cour", "national", "taille"}
    courts = demo_results[(demo_results["level"] == "juridiction") & (demo_results["year"] == year)
                          & (demo_results["status"] == "ok")]
    sizes = size_classes(demo_results, year)
    for r in pos.itertuples():
        members = (reference.courts_of_cour(reference.cour_of(court)) if r.group == "cour"
                   else list(sizes.index[sizes == r.group_id])
                   if r.group == "taille" else list(reference.first_instance_courts().index))
        vals = courts[(courts["indicator_id"] == r.indicator_id) & courts["unit_id"].isin(members)] \
            .set_index("unit_id")["value"]
        own = vals[court]
        higher_better = catalogue.get(r.indicator_id).direction == "higher"
        better = (vals > own).sum() if higher_better else (vals < own).sum()
        worse = (vals < own).sum() if higher_better else (vals > own).sum()
        assert r.rank == better + 1
        assert r.n == len(vals)
        assert r.median == pytest.approx(float(np.median(vals)))
        assert r.percentile == pytest.approx(100 * worse / (len(vals) - 1))


def test_positions_of_a_cour_among_cours(demo_results):
    year = max(demo_results["year"])
    pos = positions(demo_results, "ca-lyon", year, ["act_total_taux_couverture"])
    assert list(pos["group"]) == ["national"]
    assert pos["n"].iloc[0] == len(reference.consolidation_units())
    assert 1 <= pos["rank"].iloc[0] <= pos["n"].iloc[0]


def test_coverage_lists_missing_courts(demo_results):
    for court, year in MISSING_COURT_YEARS:
        cov = coverage(demo_results, year).set_index("unit_id")
        cour = reference.cour_of(court)
        assert cov.loc[cour, "missing_ids"] == [court]
        assert cov.loc[cour, "partial"]
        assert cov.loc[cour, "n_reporting"] == len(reference.courts_of_cour(cour)) - 1
        assert reference.court_name(court) in cov.loc[cour, "missing_names"]
        assert cov.loc["national", "n_expected"] == len(reference.first_instance_courts())
        assert cov.loc["national", "n_reporting"] == cov.loc["national", "n_expected"] - 1
        assert cov["partial"].sum() == 2
    assert len(cov) == len(reference.consolidation_units()) + 1


def test_index_is_cached_per_results_object(demo_results):
    assert results_index(demo_results) is results_index(demo_results)
    copy = demo_results.copy()
    assert results_index(copy) is not results_index(demo_results)


def test_unknown_unit_or_indicator_gives_french_error(demo_results):
    with pytest.raises(CpcError, match="inconnu"):
        series(demo_results, "tj-nulle-part", ["act_total_entrees"])
    with pytest.raises(CpcError, match="Indicateur inconnu"):
        positions(demo_results, "tj-lyon", max(demo_results["year"]), ["pas_un_indicateur"])
    with pytest.raises(CpcError, match="Aucun résultat pour l'année"):
        changes(demo_results, "tj-lyon", 1990)
