"""Comparisons over the results table: series, year-over-year changes, positions, size classes, coverage.

Every function takes the engine's results table (``res``, see :data:`engine.RESULT_COLUMNS`) and
never mutates it. A lightweight :class:`ResultsIndex` (pre-grouped rows, pre-pivoted court
values) is built once per ``res`` object and cached, so that per-unit calls (206 reports,
dashboard filters) cost milliseconds.
"""

from __future__ import annotations

import functools
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from cpc_toolkit import catalogue, reference
from cpc_toolkit.errors import ComputeError, ReasonCode

T = TypeVar("T")

SIZE_INDICATOR = "act_total_entrees"
SIZE_LABELS = ("Q1 (plus petites)", "Q2 (petites à moyennes)", "Q3 (moyennes à grandes)",
               "Q4 (plus grandes)")
GROUP_LABELS = {"cour": "cour d'appel", "national": "national", "taille": "taille comparable"}


# --------------------------------------------------------------------------- index


@dataclass
class ResultsIndex:
    """Pre-computed lookups over one results table (built once, cached per ``res`` object).

    ``values[r, k]`` is the value of unit-year ``r`` for indicator ``ids[k]`` (NaN unless the
    status is ``ok``), ``status[r, k]`` its status; ``row(unit, year)`` gives ``r``.
    """

    res: pd.DataFrame
    unit_rows: dict[str, np.ndarray]
    years: tuple[int, ...]
    ids: tuple[str, ...]
    col: dict[str, int]
    keys: dict[tuple[str, int], int]
    levels: dict[str, str]
    values: np.ndarray
    status: np.ndarray
    n_reporting: np.ndarray
    _wide: dict[tuple[str, int], pd.DataFrame] = field(default_factory=dict)
    _sizes: dict[int, pd.Series] = field(default_factory=dict)
    _coverage: dict[int, pd.DataFrame] = field(default_factory=dict)
    _memo: dict[Any, Any] = field(default_factory=dict)

    def unit(self, unit_id: str) -> pd.DataFrame:
        """Rows of one unit (empty frame when unknown)."""
        rows = self.unit_rows.get(unit_id)
        if rows is None:
            return self.res.iloc[0:0]
        return self.res.iloc[rows]

    def row(self, unit_id: str, year: int) -> int | None:
        return self.keys.get((unit_id, int(year)))

    def wide(self, level: str, year: int) -> pd.DataFrame:
        """Numeric values of every unit of ``level`` for ``year``: units × indicators (NaN if not ok)."""
        key = (level, int(year))
        if key not in self._wide:
            units = sorted(u for (u, y) in self.keys if y == int(year) and self.levels.get(u) == level)
            rows = [self.keys[(u, int(year))] for u in units]
            self._wide[key] = pd.DataFrame(self.values[rows], index=pd.Index(units, name="unit_id"),
                                           columns=list(self.ids))
        return self._wide[key]


_FRAME_MEMO: dict[tuple[int, str], tuple[weakref.ref, Any]] = {}


def frame_memo(res: pd.DataFrame, name: str, build: Callable[[pd.DataFrame], T]) -> T:
    """``build(res)``, computed once per results object and ``name``; dropped when ``res`` is freed.

    Results frames are treated as immutable: every lookup structure derived from one (the engine's
    index, the figures' index) is cached here, keyed by the object's identity.
    """
    key = (id(res), name)
    hit = _FRAME_MEMO.get(key)
    if hit is not None and hit[0]() is res:
        return hit[1]
    value = build(res)
    _FRAME_MEMO[key] = (weakref.ref(res, functools.partial(_forget, key)), value)
    return value


def results_index(res: pd.DataFrame) -> ResultsIndex:
    """The cached :class:`ResultsIndex` of ``res`` (rebuilt if ``res`` is a new object)."""
    return frame_memo(res, "results_index", _build_results_index)


def _build_results_index(res: pd.DataFrame) -> ResultsIndex:
    codes, uniques = pd.factorize(res["unit_id"], sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    rows = {str(u): order[bounds[i]:bounds[i + 1]] for i, u in enumerate(uniques)}
    year_arr = res["year"].to_numpy(dtype=int)
    years = tuple(sorted(int(y) for y in np.unique(year_arr)))
    ids = tuple(i.id for i in catalogue.indicators())
    kcodes = pd.Index(ids).get_indexer(pd.Index(res["indicator_id"]))
    pair = pd.MultiIndex.from_arrays([codes, year_arr])
    rcodes, runiq = pair.factorize()
    known = kcodes >= 0
    n_rows = len(runiq)
    values = np.full((n_rows, len(ids)), np.nan)
    status = np.full((n_rows, len(ids)), "NA", dtype=object)
    st = res["status"].to_numpy(dtype=object)
    v = res["value"].to_numpy(dtype=float)
    ok = known & (st == "ok")
    values[rcodes[ok], kcodes[ok]] = v[ok]
    n_rep = np.zeros((n_rows, len(ids)), dtype=int)
    n_rep[rcodes[known], kcodes[known]] = res["n_reporting"].to_numpy(dtype=int)[known]
    status[rcodes[known], kcodes[known]] = st[known]
    keyd = {(str(uniques[c]), int(y)): r for r, (c, y) in enumerate(runiq)}
    lv = res["level"].to_numpy(dtype=object)
    first = np.searchsorted(codes[order], np.arange(len(uniques)))
    levels = {str(u): str(lv[order[first[i]]]) for i, u in enumerate(uniques) if first[i] < len(order)}
    idx = ResultsIndex(res=res, unit_rows=rows, years=years, ids=ids, col={k: j for j, k in enumerate(ids)},
                       keys=keyd, levels=levels, values=values, status=status,
                       n_reporting=n_rep)
    return idx


def _forget(key: object, _ref: object) -> None:
    """Drop a cached value when its results frame is garbage-collected (tolerates interpreter exit)."""
    memo = globals().get("_FRAME_MEMO")
    if memo is not None:
        memo.pop(key, None)


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
    names[reference.NATIONAL] = "France entière"
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


def display_unit(indicator_id: str, level: str) -> str:
    """Unit of a value at ``level``: « oui/non » indicators become a % of courts once consolidated."""
    ind = catalogue.get(indicator_id)
    if ind.aggregation == "share_true" and level != "juridiction":
        return "percent"
    return ind.unit


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


def changes(res: pd.DataFrame, unit_id: str, year: int) -> pd.DataFrame:
    """Year-over-year change of every numeric indicator of one unit (``year`` vs ``year - 1``).

    Columns: ``unit_id, year, indicator_id, label, unit, direction, value, previous, delta,
    delta_pct, improved, comparable``. ``unit`` is the display unit at the unit's level (see
    :func:`display_unit`); ``delta`` is in the indicator's unit (points for percentages);
    ``delta_pct`` is the relative change in % of ``previous`` (NaN when previous is 0 or NA);
    ``improved`` (nullable boolean) is True/False for indicators with a direction and NA for
    neutral ones, missing values or no change; ``comparable`` is False when either value is
    missing or, for a total (aggregation ``sum``) of a cour or the nation, the courts that reported
    differ between the two years — totals over different sets of courts are not compared (rates
    and medians are).
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
    delta = value - prev
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(prev.abs() > 0, 100.0 * delta / prev.abs(), np.nan)
    if r1 is not None and r0 is not None:
        # totals (sums) are only comparable over the same courts; rates and medians always are
        additive = (cat["aggregation"] == "sum").to_numpy()
        same = idx.n_reporting[r1, cols] == idx.n_reporting[r0, cols]
        if level != "juridiction" and (year - 1) in idx.years:
            now, before = coverage(res, year), coverage(res, year - 1)
            m1 = now.loc[now["unit_id"] == unit_id, "missing_ids"]
            m0 = before.loc[before["unit_id"] == unit_id, "missing_ids"]
            if len(m1) and len(m0) and list(m1.iloc[0]) != list(m0.iloc[0]):
                same = np.zeros(len(cols), bool)
        same_scope = ~additive | same
    else:
        same_scope = np.zeros(len(cols), bool)
    direction = cat["direction"]
    sign = direction.map({"higher": 1.0, "lower": -1.0, "neutral": np.nan})
    score = delta * sign
    improved = pd.array([pd.NA if (pd.isna(s) or s == 0) else bool(s > 0) for s in score],
                        dtype="boolean")
    out = pd.DataFrame({
        "unit_id": unit_id, "year": int(year), "indicator_id": ids,
        "label": cat["label"].to_numpy(),
        "unit": [display_unit(i, level) for i in ids],
        "direction": direction.to_numpy(),
        "value": value.to_numpy(dtype=float), "previous": prev.to_numpy(dtype=float),
        "delta": delta.to_numpy(dtype=float), "delta_pct": np.asarray(pct, dtype=float),
        "improved": improved,
        "comparable": same_scope & value.notna().to_numpy() & prev.notna().to_numpy(),
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
    value, rank, n, percentile, median, direction``.

    ``rank`` is 1 for the best value (highest when direction is ``higher`` or ``neutral``,
    lowest when ``lower``), ties share the best rank; ``n`` counts units of the group with a
    value; ``percentile`` = share (in %) of the *other* units of the group that do worse (for
    neutral indicators: whose value is lower), NaN when n < 2; ``median`` is the group's median.
    Rows where the unit itself has no value are dropped.
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
        groups = [("national", reference.NATIONAL, "ensemble des cours d'appel", tuple(w.index))]
    else:
        raise ComputeError("Le classement n'a pas de sens pour la France entière.", ReasonCode.USAGE)
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
    })
    idx._memo[memo] = out
    return out.copy()


POSITION_COLUMNS = ["unit_id", "year", "indicator_id", "group", "group_id", "group_label", "value", "rank", "n",
                    "percentile", "median", "direction"]


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
    rows.append(_cov_row(reference.NATIONAL, "France entière", "national", year, sorted(scope.index), rep))
    idx._coverage[int(year)] = pd.DataFrame(rows)
    return idx._coverage[int(year)].copy()


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
