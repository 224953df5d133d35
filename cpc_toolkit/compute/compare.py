"""Comparisons over the results table: series, year-over-year changes, positions, size classes, coverage.

Every function takes the engine's results table (``res``, see :data:`engine.RESULT_COLUMNS`) and
never mutates it. A lightweight :class:`ResultsIndex` (pre-grouped rows, pre-pivoted court
values) is built once per ``res`` object and cached, so that per-unit calls (206 reports,
dashboard filters) cost milliseconds.
"""

from __future__ import annotations

import math
import unicodedata
import warnings
from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from cpc_toolkit import catalogue, reference
from cpc_toolkit.compute.lookup import ResultsIndex, results_index
from cpc_toolkit.errors import ComputeError, ReasonCode

SIZE_INDICATOR = "act_total_entrees"
SIZE_LABELS = ("Q1 (plus petites)", "Q2 (petites à moyennes)", "Q3 (moyennes à grandes)",
               "Q4 (plus grandes)")
display_unit = catalogue.display_unit  # one definition, in the catalogue


# --------------------------------------------------------------------------- helpers


@cache
def _cat_frame() -> pd.DataFrame:
    return pd.DataFrame([{"indicator_id": i.id, "label": i.label, "unit": i.unit,
                          "direction": i.direction, "aggregation": i.aggregation, "family": i.family,
                          "kind": i.kind} for i in catalogue.indicators()]).set_index("indicator_id")


@cache
def _scope_maps() -> tuple[dict[str, str], dict[str, tuple[str, ...]], dict[str, str]]:
    """(court → cour, cour → its courts, any id → French name), from the reference court map."""
    scope = reference.first_instance_courts()
    cour_of = {str(c): str(p) for c, p in zip(scope.index, scope["parent_ca_id"], strict=True)}
    members: dict[str, list[str]] = {}
    for c, p in cour_of.items():
        members.setdefault(p, []).append(c)
    for cour in reference.consolidation_units().index:
        members.setdefault(str(cour), [])
    allc = reference.courts()
    names = {str(c): str(n) for c, n in zip(allc.index, allc["name"], strict=True)}
    names[reference.NATIONAL] = reference.national_name()
    return cour_of, {k: tuple(sorted(v)) for k, v in members.items()}, names


def cour_of(court_id: str) -> str:
    """Parent cour of a first-instance court (cached; French error when unknown)."""
    got = _scope_maps()[0].get(court_id)
    return got if got is not None else reference.cour_of(court_id)


def courts_of(cour: str) -> tuple[str, ...]:
    """First-instance courts of a cour (cached; French error when unknown)."""
    got = _scope_maps()[1].get(cour)
    return got if got is not None else tuple(reference.courts_of_cour(cour))


def unit_name(unit_id: str) -> str:
    """French name of a court, a cour or « France entière » (cached)."""
    got = _scope_maps()[2].get(unit_id)
    return got if got is not None else reference.court_name(unit_id)


@cache
def unit_level(unit_id: str) -> str:
    """``juridiction``, ``cour`` or ``national`` (cached; French error for an unknown id)."""
    return reference.level_of(unit_id)


def _check_unit(idx: ResultsIndex, unit_id: str) -> str:
    return unit_level(unit_id)


def _check_year(idx: ResultsIndex, year: int) -> None:
    if int(year) not in idx.years:
        raise ComputeError(
            f"Aucun résultat pour l'année {year} (années disponibles : "
            f"{', '.join(str(y) for y in idx.years) or 'aucune'}).", ReasonCode.UNKNOWN_YEAR)


def _numeric_ids() -> list[str]:
    return list(_numeric_tuple())


@cache
def _numeric_tuple() -> tuple[str, ...]:
    return tuple(i.id for i in catalogue.indicators() if i.numeric)


# --------------------------------------------------------------------------- series / changes


def series(res: pd.DataFrame, unit_id: str, indicator_ids: list[str] | str | None = None,
           years: list[int] | None = None) -> pd.DataFrame:
    """Time series of some indicators of one unit (long format, sorted by indicator then year).

    Columns: ``unit_id, year, indicator_id, value, status, text, na_reason, n_reporting,
    n_expected, partial``. ``years`` defaults to every year of ``res`` (5 years for the demo).
    Unknown indicator ids raise a French :class:`CatalogueError`.
    """
    idx = results_index(res)
    _check_unit(idx, unit_id)
    if isinstance(indicator_ids, str):
        indicator_ids = [indicator_ids]
    sub = idx.unit(unit_id)
    if indicator_ids is not None:
        for iid in indicator_ids:
            catalogue.get(iid)
        sub = sub[sub["indicator_id"].isin(indicator_ids)]
    if years is not None:
        sub = sub[sub["year"].isin([int(y) for y in years])]
    cols = ["unit_id", "year", "indicator_id", "value", "status", "text", "na_reason",
            "n_reporting", "n_expected", "partial"]
    order = {iid: k for k, iid in enumerate(indicator_ids or [i.id for i in catalogue.indicators()])}
    out = sub[cols].copy()
    out["_o"] = out["indicator_id"].map(order)
    return out.sort_values(["_o", "year"]).drop(columns="_o").reset_index(drop=True)


def like_for_like(res: pd.DataFrame, unit_id: str, year: int) -> pd.DataFrame:
    """Values of a cour or of the nation for ``year - 1`` and ``year`` over the same courts.

    For each numeric indicator, a court counts only if it has the value in both years; the two
    consolidations then use the engine's own rules (:func:`~cpc_toolkit.compute.engine.consolidate`:
    sums, ratios recomputed on the summed parts, shares, medians). Columns: ``indicator_id,
    value_lfl, previous_lfl, n_common, n_members`` (``n_common``: courts with the value in both
    years). A court's values are its own (``n_common`` 1 when known both years).
    """
    from cpc_toolkit.compute.engine import consolidate

    idx = results_index(res)
    level = _check_unit(idx, unit_id)
    _check_year(idx, year)
    memo = ("like_for_like", unit_id, int(year))
    if memo in idx._memo:
        return idx._memo[memo].copy()
    ids = _numeric_ids()
    if level == "juridiction":
        members: tuple[str, ...] = (unit_id,)
    elif level == "cour":
        members = courts_of(unit_id)
    else:
        members = tuple(sorted(_scope_maps()[0]))
    if (int(year) - 1) not in idx.years:
        out = pd.DataFrame({"indicator_id": ids, "value_lfl": np.nan, "previous_lfl": np.nan, "n_common": 0,
                            "n_members": len(members)})
        idx._memo[memo] = out
        return out.copy()
    w1 = idx.wide("juridiction", year).reindex(index=list(members), columns=ids)
    w0 = idx.wide("juridiction", year - 1).reindex(index=list(members), columns=ids)
    both = w1.notna().to_numpy() & w0.notna().to_numpy()
    n_common = both.sum(axis=0)
    if level == "juridiction":
        v1, v0 = w1.iloc[0].where(both[0]).to_numpy(), w0.iloc[0].where(both[0]).to_numpy()
    else:
        stacked = pd.concat({int(year): w1.where(both), int(year) - 1: w0.where(both)}, names=["year", "court_id"])
        stacked = stacked.swaplevel().sort_index()
        groups = pd.Series(unit_id, index=list(members))
        long = consolidate(stacked, groups, level)
        piv = long.pivot_table(index="indicator_id", columns="year", values="value", aggfunc="first")
        piv = piv.reindex(index=ids, columns=[int(year) - 1, int(year)])
        v1, v0 = piv[int(year)].to_numpy(dtype=float), piv[int(year) - 1].to_numpy(dtype=float)
    out = pd.DataFrame({"indicator_id": ids, "value_lfl": np.asarray(v1, dtype=float),
                        "previous_lfl": np.asarray(v0, dtype=float), "n_common": n_common.astype(int),
                        "n_members": len(members)})
    idx._memo[memo] = out
    return out.copy()


def changes(res: pd.DataFrame, unit_id: str, year: int) -> pd.DataFrame:
    """Year-over-year change of every numeric indicator of one unit (``year`` vs ``year - 1``).

    Columns: ``unit_id, year, indicator_id, label, unit, direction, value, previous, delta,
    delta_pct, improved, comparable, value_lfl, previous_lfl, delta_full, n_common, n_members,
    n_expected, partial``. ``value``/``previous`` are the published figures of each year; the change is
    **like for like** (courts present in both years, see :func:`like_for_like`): ``delta`` =
    ``value_lfl − previous_lfl`` (points for percentages), ``delta_pct`` relative to
    ``previous_lfl`` (NaN when 0 or NA). ``delta_full`` is the change of the published figures
    (complete perimeters of each year), to be shown only labelled as such. ``n_expected`` counts the
    courts of the unit where the indicator applies (either year; e.g. agricole procedures only in
    some courts) and ``partial`` is True when fewer of them enter the comparison (say
    « n_common/n_expected juridictions » next to the figure). ``improved`` (nullable boolean) follows the indicator's direction; NA for
    neutral ones, missing values or no change. ``comparable`` is False when the like-for-like
    values are missing.
    """
    idx = results_index(res)
    level = _check_unit(idx, unit_id)
    _check_year(idx, year)
    memo = ("changes", unit_id, int(year))
    if memo in idx._memo:
        return idx._memo[memo].copy()
    ids = _numeric_ids()
    cols = [idx.col[i] for i in ids]
    cat = _cat_frame().loc[ids]
    r1, r0 = idx.row(unit_id, year), idx.row(unit_id, year - 1)
    value = pd.Series(idx.values[r1, cols] if r1 is not None else np.nan, index=ids, dtype=float)
    prev = pd.Series(idx.values[r0, cols] if r0 is not None else np.nan, index=ids, dtype=float)
    lfl = like_for_like(res, unit_id, year).set_index("indicator_id").reindex(ids)
    v_l, p_l = lfl["value_lfl"].astype(float), lfl["previous_lfl"].astype(float)
    if level == "juridiction":
        v_l, p_l = value.where(value.notna() & prev.notna()), prev.where(value.notna() & prev.notna())
    delta = v_l - p_l
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(p_l.abs() > 0, 100.0 * delta / p_l.abs(), np.nan)
    direction = cat["direction"]
    sign = direction.map({"higher": 1.0, "lower": -1.0, "neutral": np.nan})
    score = delta * sign
    improved = pd.array([pd.NA if (pd.isna(s) or s == 0) else bool(s > 0) for s in score],
                        dtype="boolean")
    n_common = lfl["n_common"].fillna(0).astype(int).to_numpy()
    n_members = lfl["n_members"].fillna(0).astype(int).to_numpy()
    n_exp = n_expected_matrix(idx)
    e1 = n_exp[r1, cols] if r1 is not None else np.zeros(len(ids))
    e0 = n_exp[r0, cols] if r0 is not None else np.zeros(len(ids))
    # courts where the indicator applies (agricole: courts with a commercial chamber…), either year
    n_expected = np.maximum(np.maximum(e1, e0), n_common).astype(int)
    out = pd.DataFrame({
        "unit_id": unit_id, "year": int(year), "indicator_id": ids,
        "label": cat["label"].to_numpy(),
        "unit": [display_unit(i, level) for i in ids],
        "direction": direction.to_numpy(),
        "value": value.to_numpy(dtype=float), "previous": prev.to_numpy(dtype=float),
        "delta": delta.to_numpy(dtype=float), "delta_pct": np.asarray(pct, dtype=float),
        "improved": improved,
        "comparable": (v_l.notna() & p_l.notna()).to_numpy(),
        "value_lfl": v_l.to_numpy(dtype=float), "previous_lfl": p_l.to_numpy(dtype=float),
        "delta_full": (value - prev).to_numpy(dtype=float),
        "n_common": n_common, "n_members": n_members, "n_expected": n_expected,
        "partial": (n_common < n_expected) if level != "juridiction" else np.zeros(len(ids), bool),
    })
    idx._memo[memo] = out
    return out.copy()


# --------------------------------------------------------------------------- positions


def size_classes(res: pd.DataFrame, year: int) -> pd.Series:
    """Size class of every first-instance court for ``year``: quartiles of civil inflow.

    Returns a Series court_id → label (« Q1 (plus petites) » … « Q4 (plus grandes) »), computed
    on :data:`SIZE_INDICATOR` (``act_total_entrees``) over the courts where it is known; courts
    without that value are absent.
    """
    idx = results_index(res)
    _check_year(idx, year)
    if year not in idx._sizes:
        w = idx.wide("juridiction", year)
        v = w[SIZE_INDICATOR].dropna() if SIZE_INDICATOR in w.columns else pd.Series(dtype=float)
        if len(v) >= 4:
            # rank first so that ties never make qcut fail; deterministic (ties by court id)
            r = v.sort_index().rank(method="first")
            cls = pd.qcut(r, 4, labels=list(SIZE_LABELS)).astype(str)
        else:
            cls = pd.Series(SIZE_LABELS[0], index=v.index, dtype=str) if len(v) else \
                pd.Series(dtype=str)
        cls.name = "size_class"
        cls.index.name = "court_id"
        idx._sizes[year] = cls.sort_index()
    return idx._sizes[year].copy()


def positions(res: pd.DataFrame, court_id: str, year: int,
              indicator_ids: list[str] | None = None) -> pd.DataFrame:
    """Position of a unit within its groups, for each numeric indicator.

    For a court (TJ/TPI) the groups are its cour d'appel (``group == "cour"``), all first-instance
    courts (``"national"``) and the courts of its size class (``"taille"``, see
    :func:`size_classes`). For a cour the only group is the 37 consolidation units
    (``"national"``). Columns: ``unit_id, year, indicator_id, group, group_id, group_label,
    value, rank, n, percentile, median, direction, rankable, partial, n_partial``.

    ``rank`` is 1 for the best value (highest when direction is ``higher`` or ``neutral``,
    lowest when ``lower``), ties share the best rank; ``n`` counts units of the group with a
    value; ``percentile`` = share (in %) of the *other* units of the group that do worse (for
    neutral indicators: whose value is lower), NaN when n < 2; ``median`` is the group's median.
    Rows where the unit itself has no value are dropped.

    ``rankable`` is False for volumes (counts) and yes/no answers: their rank says nothing (a
    big court is not « better » for having more cases; « Conseil tenu 1/5 » is a tie) — show the
    value, not the rank. ``partial`` is True when the unit's own value is consolidated over fewer
    courts than it has (a cour or the nation with missing data): its rank must not be shown as if
    complete (say « données partielles : n/N juridictions » next to it, or do not rank).
    ``n_partial`` counts the units of the group whose value is partial (always 0 among courts).
    """
    idx = results_index(res)
    level = _check_unit(idx, court_id)
    _check_year(idx, year)
    ids = list(indicator_ids) if indicator_ids is not None else _numeric_ids()
    for iid in ids:
        catalogue.get(iid)
    memo = ("positions", court_id, int(year), tuple(ids))
    if memo in idx._memo:
        return idx._memo[memo].copy()
    if level == "juridiction":
        w = idx.wide("juridiction", year)
        cour = cour_of(court_id)
        by_class = _size_members(res, idx, int(year))
        groups: list[tuple[str, str, str, tuple[str, ...]]] = [
            ("cour", cour, unit_name(cour), courts_of(cour)),
            ("national", reference.NATIONAL, "ensemble des TJ et TPI", tuple(w.index)),
        ]
        cls = by_class.get(court_id)
        if cls is not None:
            groups.append(("taille", cls, f"juridictions de taille comparable, {cls}", by_class[cls]))
    elif level == "cour":
        w = idx.wide("cour", year)
        groups = [("national", reference.NATIONAL, f"ensemble des {reference.level_label('cour', plural=True)}",
                   tuple(w.index))]
    else:
        raise ComputeError(f"Le classement n'a pas de sens pour la {reference.national_name()}.", ReasonCode.USAGE)
    pos = _row_positions(idx, level, int(year), w)
    if court_id not in pos:
        return pd.DataFrame(columns=POSITION_COLUMNS)
    wa = w.to_numpy()
    kcols_all = [idx.col[c] for c in ids if c in idx.col]
    own_all = wa[pos[court_id], kcols_all]
    keep = ~np.isnan(own_all)
    kcols = [k for k, ok in zip(kcols_all, keep, strict=True) if ok]
    if not kcols:
        return pd.DataFrame(columns=POSITION_COLUMNS)
    cols = [idx.ids[k] for k in kcols]
    own = own_all[keep]
    direction = np.array([_directions()[c] for c in cols], dtype=object)
    sign = np.where(direction == "lower", -1.0, 1.0)
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("group", "group_id", "group_label", "rank", "n",
                                                          "percentile", "median")}
    for gname, gid, glabel, members in groups:
        m = wa[np.ix_([pos[u] for u in members if u in pos], kcols)]
        valid = ~np.isnan(m)
        n = valid.sum(axis=0)
        sm = m * sign
        so = own * sign
        with np.errstate(invalid="ignore"):
            better = (valid & (sm > so + 1e-12)).sum(axis=0)
            worse = (valid & (sm < so - 1e-12)).sum(axis=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(m, axis=0) if len(m) else np.full(len(kcols), np.nan)
        k = len(kcols)
        parts["group"].append(np.full(k, gname, dtype=object))
        parts["group_id"].append(np.full(k, gid, dtype=object))
        parts["group_label"].append(np.full(k, glabel, dtype=object))
        parts["rank"].append(better + 1)
        parts["n"].append(n)
        parts["percentile"].append(np.where(n > 1, 100.0 * worse / np.maximum(n - 1, 1), np.nan))
        parts["median"].append(med)
    g = len(groups)
    out = pd.DataFrame({
        "unit_id": np.full(g * len(kcols), court_id, dtype=object),
        "year": np.full(g * len(kcols), int(year)),
        "indicator_id": np.tile(np.array(cols, dtype=object), g),
        "group": np.concatenate(parts["group"]),
        "group_id": np.concatenate(parts["group_id"]),
        "group_label": np.concatenate(parts["group_label"]),
        "value": np.tile(own, g),
        "rank": np.concatenate(parts["rank"]).astype(int),
        "n": np.concatenate(parts["n"]).astype(int),
        "percentile": np.concatenate(parts["percentile"]).astype(float),
        "median": np.concatenate(parts["median"]).astype(float),
        "direction": np.tile(direction, g),
        "rankable": np.tile(np.array([_rankable(c) for c in cols], dtype=bool), g),
        "partial": np.tile(_partial_flags(idx, level, court_id, int(year), cols), g),
        "n_partial": np.concatenate([_n_partial(idx, level, int(year), members, cols)
                                     for _, _, _, members in groups]).astype(int),
    })
    idx._memo[memo] = out
    return out.copy()


POSITION_COLUMNS = ["unit_id", "year", "indicator_id", "group", "group_id", "group_label", "value", "rank", "n",
                    "percentile", "median", "direction", "rankable", "partial", "n_partial"]
UNRANKED_UNITS = ("count", "boolean")  # volumes and yes/no answers: no rank


def _rankable(indicator_id: str) -> bool:
    return catalogue.get(indicator_id).unit not in UNRANKED_UNITS


def _members(level: str, unit_id: str) -> tuple[str, ...]:
    if level == "juridiction":
        return (unit_id,)
    if level == "cour":
        return courts_of(unit_id)
    return tuple(sorted(_scope_maps()[0]))


def n_expected_matrix(idx: ResultsIndex) -> np.ndarray:
    """``n_expected`` of every results cell (courts of the unit where the indicator applies)."""
    key = ("n_expected_matrix",)
    if key not in idx._memo:
        res = idx.res
        out = np.zeros(idx.values.shape, dtype=float)
        rows, cols = idx.row_of, idx.col_of
        ok = (rows >= 0) & (cols >= 0)
        out[rows[ok], cols[ok]] = res["n_expected"].to_numpy(dtype=float)[ok]
        idx._memo[key] = out
    return idx._memo[key]


def _partial_flags(idx: ResultsIndex, level: str, unit_id: str, year: int, cols: list[str]) -> np.ndarray:
    """Per indicator: is the unit's value consolidated over fewer courts than those where it applies?"""
    if level == "juridiction":
        return np.zeros(len(cols), dtype=bool)
    r = idx.row(unit_id, year)
    if r is None:
        return np.ones(len(cols), dtype=bool)
    k = [idx.col[c] for c in cols]
    rep = idx.n_reporting[r, k].astype(float)
    exp = n_expected_matrix(idx)[r, k]
    return np.asarray(rep < exp, dtype=bool)


def _n_partial(idx: ResultsIndex, level: str, year: int, members: tuple[str, ...], cols: list[str]) -> np.ndarray:
    if level == "juridiction":
        return np.zeros(len(cols), dtype=int)
    flags = [_partial_flags(idx, level, u, year, cols) for u in members if idx.row(u, year) is not None]
    return np.sum(flags, axis=0).astype(int) if flags else np.zeros(len(cols), dtype=int)


@cache
def _directions() -> dict[str, str]:
    return {i.id: i.direction for i in catalogue.indicators()}


def _row_positions(idx: ResultsIndex, level: str, year: int, w: pd.DataFrame) -> dict[str, int]:
    key = ("rowpos", level, year)
    if key not in idx._memo:
        idx._memo[key] = {str(u): k for k, u in enumerate(w.index)}
    return idx._memo[key]


def _size_members(res: pd.DataFrame, idx: ResultsIndex, year: int) -> dict[str, Any]:
    """court → size class, and size class → tuple of its courts (cached per year)."""
    key = ("sizemembers", year)
    if key not in idx._memo:
        sizes = size_classes(res, year)
        d: dict[str, Any] = {str(c): str(v) for c, v in zip(sizes.index, sizes.to_numpy(), strict=True)}
        for lab in SIZE_LABELS:
            d[lab] = tuple(c for c, v in zip(sizes.index, sizes.to_numpy(), strict=True) if v == lab)
        idx._memo[key] = d
    return idx._memo[key]


# --------------------------------------------------------------------------- coverage


def reporting_courts(res: pd.DataFrame, year: int) -> set[str]:
    """First-instance courts with at least one collected (``input``) value for ``year``."""
    idx = results_index(res)
    w = idx.wide("juridiction", year) if int(year) in idx.years else pd.DataFrame()
    inputs = [i.id for i in catalogue.indicators(kind="input") if i.numeric and i.id in w.columns]
    if w.empty or not inputs:
        return set()
    return set(w.index[w[inputs].notna().any(axis=1)])


def coverage(res: pd.DataFrame, year: int) -> pd.DataFrame:
    """Collection coverage for ``year``: one row per cour (36 CA + TSA) and one national row.

    Columns: ``unit_id, unit_name, level, year, n_reporting, n_expected, rate, missing_ids,
    missing_names, partial``. ``missing_ids`` is a list of court ids; ``missing_names`` a
    French, comma-separated list of their names; ``rate`` is in %.
    """
    idx = results_index(res)
    _check_year(idx, year)
    if int(year) in idx._coverage:
        return idx._coverage[int(year)].copy()
    rep = reporting_courts(res, year)
    scope = reference.first_instance_courts()
    rows: list[dict[str, Any]] = []
    units = reference.consolidation_units()
    for cour in sorted(units.index):
        members = sorted(scope.index[scope["parent_ca_id"] == cour])
        rows.append(_cov_row(cour, unit_name(cour), "cour", year, members, rep))
    rows.append(_cov_row(reference.NATIONAL, unit_name(reference.NATIONAL), "national", year, sorted(scope.index),
                         rep))
    idx._coverage[int(year)] = pd.DataFrame(rows)
    return idx._coverage[int(year)].copy()


def reporting_counts(res: pd.DataFrame, year: int) -> dict[str, tuple[int, int]]:
    """``{unit_id: (n_reporting, n_expected)}`` of :func:`coverage` for ``year`` (cached per results
    table; a unit absent from the coverage is absent here). Do not edit the returned dict."""
    idx = results_index(res)
    memo = ("reporting_counts", int(year))
    if memo not in idx._memo:
        if int(year) not in idx.years:
            idx._memo[memo] = {}
        else:
            cov = coverage(res, year)
            idx._memo[memo] = {str(u): (int(n), int(e)) for u, n, e in
                               zip(cov["unit_id"], cov["n_reporting"], cov["n_expected"], strict=True)}
    return idx._memo[memo]


def _cov_row(unit_id: str, name: str, level: str, year: int, members: list[str],
             rep: set[str]) -> dict[str, Any]:
    missing = [c for c in members if c not in rep]
    n_exp = len(members)
    n_rep = n_exp - len(missing)
    return {"unit_id": unit_id, "unit_name": name, "level": level, "year": int(year),
            "n_reporting": n_rep, "n_expected": n_exp,
            "rate": 100.0 * n_rep / n_exp if n_exp else np.nan,
            "missing_ids": missing,
            "missing_names": ", ".join(unit_name(c) for c in missing),
            "partial": n_rep < n_exp}


# --------------------------------------------------------------------------- yes/no conditions


class CourtsWhere(NamedTuple):
    """Courts of a cour (or of the nation) matching a condition, and those whose answer is unknown.

    ``matching``: courts whose value satisfies the condition; ``unknown``: courts without a known
    value (not transmitted, NA, not applicable) — never to be counted as « non » nor « aucune »;
    ``answered``: courts with a known value. Court ids, in French alphabetical order of names.
    """

    matching: tuple[str, ...]
    unknown: tuple[str, ...]
    answered: tuple[str, ...]


def courts_where(res: pd.DataFrame, unit_id: str, year: int, indicator_id: str,
                 value: bool | float | Callable[[float], bool] = True) -> CourtsWhere:
    """Courts of ``unit_id`` (a cour, or ``national``) whose ``indicator_id`` equals ``value`` in ``year``.

    ``value`` is a yes/no answer (``True``/``False``), a number (equality) or a predicate on the
    value. Unknown answers are returned apart (:class:`CourtsWhere`), so that a report says
    « aucune parmi les 5 juridictions ayant répondu ; Privas n'a pas transmis » and never
    « aucune » when a court has not answered. See
    :func:`cpc_toolkit.compute.narrative.courts_where_sentence` for that sentence.
    """
    idx = results_index(res)
    level = _check_unit(idx, unit_id)
    _check_year(idx, year)
    catalogue.get(indicator_id)
    if level == "juridiction":
        raise ComputeError(f"« {unit_id} » est une juridiction : donnez une cour d'appel ou « national ».",
                           ReasonCode.USAGE)
    members = _members(level, unit_id)
    if callable(value):
        test: Callable[[float], bool] = value
    else:
        target = float(value)
        def test(v: float) -> bool:
            return bool(abs(v - target) < 1e-9)
    matching, unknown, answered = [], [], []
    for c in members:
        v = idx.value(c, year, indicator_id)
        if math.isnan(v):
            unknown.append(c)
            continue
        answered.append(c)
        if test(v):
            matching.append(c)

    def by_name(ids: list[str]) -> tuple[str, ...]:
        return tuple(sorted(ids, key=lambda c: (_collation_key(unit_name(c)), c)))
    return CourtsWhere(by_name(matching), by_name(unknown), by_name(answered))


def _collation_key(name: str) -> str:
    """French alphabetical order without locale: accents folded, case ignored."""
    folded = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold()
