"""Core of the engine: wide pivot, derived indicators, consolidation, cached results."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, cast

import numpy as np
import pandas as pd

from cpc_toolkit import __version__, catalogue, reference
from cpc_toolkit.catalogue.expressions import NA_DIV_ZERO, NA_MISSING, evaluate
from cpc_toolkit.errors import ReasonCode
from cpc_toolkit.store import Store, atomic_write_bytes

RESULT_COLUMNS = [
    "unit_id", "level", "year", "indicator_id", "value", "text", "status", "na_reason",
    "n_reporting", "n_expected", "partial",
]
LEVELS = ("juridiction", "cour", "national")


@cache
def derived_order() -> tuple[catalogue.Indicator, ...]:
    """Derived indicators in dependency order (formulas may use other derived ids)."""
    derived = {i.id: i for i in catalogue.indicators(kind="derived")}
    done: list[catalogue.Indicator] = []
    seen: set[str] = set()

    def visit(ind: catalogue.Indicator, stack: tuple[str, ...] = ()) -> None:
        if ind.id in seen:
            return
        if ind.id in stack:
            raise catalogue.CatalogueError(f"Formules circulaires : {' → '.join((*stack, ind.id))}")
        for dep in sorted(ind.inputs):
            if dep in derived:
                visit(derived[dep], (*stack, ind.id))
        seen.add(ind.id)
        done.append(ind)

    for ind in derived.values():
        visit(ind)
    return tuple(done)


def wide_values(values: pd.DataFrame) -> pd.DataFrame:
    """Pivot store rows to one row per (court_id, year) and one numeric column per indicator.

    Rows whose status is not ``ok`` become NaN. Text and date indicators are kept as strings.
    Does not mutate ``values``.
    """
    if values.empty:
        return pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=["court_id", "year"]))
    ok = values[values["status"] == "ok"]
    num = ok.pivot_table(index=["court_id", "year"], columns="indicator_id", values="value",
                         aggfunc="first", dropna=False)
    txt_ids = [i.id for i in catalogue.indicators() if not i.numeric]
    txt = ok[ok["indicator_id"].isin(txt_ids)]
    if not txt.empty:
        t = txt.pivot_table(index=["court_id", "year"], columns="indicator_id", values="text",
                            aggfunc="first")
        num = num.drop(columns=[c for c in t.columns if c in num.columns]).join(t, how="outer")
    allidx = values[["court_id", "year"]].drop_duplicates()
    idx = pd.MultiIndex.from_frame(allidx)
    return num.reindex(idx).sort_index()


def compute_derived(wide: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add derived indicators to a wide frame; return (values, NA reasons) — both new frames."""
    flat = wide.reset_index(drop=True)  # evaluate on a RangeIndex: much cheaper than a MultiIndex
    new_cols: dict[str, pd.Series] = {}
    reason_cols: dict[str, np.ndarray] = {}
    for ind in derived_order():
        res = evaluate(ind.formula, _Chain(flat, new_cols), index=flat.index)
        new_cols[ind.id] = res.values
        reason_cols[ind.id] = res.reasons.to_numpy()
    reasons = pd.DataFrame(reason_cols, index=wide.index, dtype=object)
    out = wide.copy()
    if new_cols:
        out = pd.concat([out.drop(columns=[c for c in new_cols if c in out.columns]),
                         pd.DataFrame({k: v.to_numpy() for k, v in new_cols.items()}, index=wide.index)],
                        axis=1)
    return out, reasons


class _Chain(dict):
    """Mapping over a frame's columns plus freshly computed columns (no copy)."""

    def __init__(self, frame: pd.DataFrame, extra: dict[str, pd.Series]) -> None:
        super().__init__()
        self.frame = frame
        self.extra = extra

    def __contains__(self, key: object) -> bool:
        return key in self.extra or key in self.frame.columns

    def __getitem__(self, key: str) -> pd.Series:
        if key in self.extra:
            return self.extra[key]
        return self.frame[key]


@cache
def _base_inputs(indicator_id: str) -> tuple[str, ...]:
    """Non-derived ids a derived indicator ultimately rests on."""
    ind = catalogue.get(indicator_id)
    if ind.kind != "derived":
        return (ind.id,)
    out: list[str] = []
    for dep in sorted(ind.inputs):
        out.extend(_base_inputs(dep))
    return tuple(dict.fromkeys(out))


@cache
def _all_ids() -> tuple[str, ...]:
    return tuple(i.id for i in catalogue.indicators())


@cache
def _numeric_ids() -> tuple[str, ...]:
    return tuple(i.id for i in catalogue.indicators() if i.numeric)


def _ratio_parts(ind: catalogue.Indicator) -> tuple[str, ...]:
    """Ids summed before a ratio is recomputed: its direct inputs when they are all additive."""
    direct = tuple(sorted(ind.inputs))
    if all(catalogue.get(d).aggregation == "sum" for d in direct):
        return direct
    return _base_inputs(ind.id)


def nap_mask(values: pd.DataFrame, index: pd.MultiIndex) -> pd.DataFrame:
    """Court-level « non applicable » flags (bool, one column per indicator) including derived ones.

    An input is NAP when the store says so. A derived indicator is NAP when it has no value, at
    least one of its inputs is NAP and every other input is present (its absence is explained by
    non-applicability, not by missing data).
    """
    ids = list(_all_ids())
    flags = values[values["status"] == "NAP"]
    mask = pd.DataFrame(False, index=index, columns=ids)
    if not flags.empty:
        piv = (flags.assign(_t=True).pivot_table(index=["court_id", "year"], columns="indicator_id",
                                                 values="_t", aggfunc="any")
               .reindex(index=index, columns=ids))
        mask = piv.fillna(False).astype(bool)
    return mask


def _derived_nap(mask: pd.DataFrame, court_vals: pd.DataFrame) -> pd.DataFrame:
    cols = {c: mask[c].to_numpy() for c in mask.columns}
    present = {c: court_vals[c].notna().to_numpy() if c in court_vals.columns else
               np.zeros(len(mask), bool) for c in mask.columns}
    for ind in derived_order():
        deps = sorted(ind.inputs)
        any_nap = np.zeros(len(mask), bool)
        explained = np.ones(len(mask), bool)
        for d in deps:
            any_nap |= cols[d]
            explained &= cols[d] | present[d]
        cols[ind.id] = ~present[ind.id] & any_nap & explained
    return pd.DataFrame(cols, index=mask.index)[list(mask.columns)]


def _as_float(frame: pd.DataFrame) -> np.ndarray:
    """Numeric columns as one float matrix (fast path when every column is already numeric)."""
    try:
        return frame.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        return frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)


def _infer_absent_nap(mask: pd.DataFrame, absent: np.ndarray) -> pd.DataFrame:
    """A court-year without data inherits « non applicable » where every reporting court is NAP.

    (E.g. the CLPC questions before 2025: a missing court is not expected to answer them.)
    """
    if not absent.any():
        return mask
    arr = mask.to_numpy(dtype=bool).copy()
    years = mask.index.get_level_values("year").to_numpy()
    for y in np.unique(years[absent]):
        rep = (years == y) & ~absent
        if rep.any():
            arr[(years == y) & absent] = arr[rep].all(axis=0)
    return pd.DataFrame(arr, index=mask.index, columns=mask.columns)


NA_NO_DATA = "aucune donnée transmise pour cette année"
NA_NOT_APPLICABLE = catalogue.STATUS_LABELS["NAP"]
NA_NOT_AGGREGATED = "non agrégeable"
NA_NO_COURT = "aucune juridiction n'a transmis cette donnée"


def consolidate(court_wide: pd.DataFrame, groups: pd.Series, level: str,
                nap: pd.DataFrame | None = None, court_reasons: pd.DataFrame | None = None) -> pd.DataFrame:
    """Consolidate court-level values to groups (cours or nation) with each aggregation rule.

    ``court_wide``: one row per (court_id, year) — every expected court-year, including those
    without data — and one column per indicator (derived included); ``groups`` maps court_id →
    unit id; ``nap`` flags court values that are « non applicable » (same shape);
    ``court_reasons`` holds the court-level NA reasons of derived indicators.

    Rules: ``sum`` sums the court values (derived sums included); ``ratio`` recomputes the formula
    from its parts summed over the same courts — those where the court-level ratio exists or is
    NA only by division by zero — never an average of ratios; ``share_true`` is the % of courts
    answering « oui »; ``median`` the median over reporting courts; ``none`` is not aggregated.
    Coverage: ``n_expected`` = courts of the group for which the indicator applies (NAP courts
    excluded), ``n_reporting`` = courts that contributed; ``partial`` when fewer reported.
    A group where every court is NAP is NAP. Returns long rows (see RESULT_COLUMNS). Pure.
    """
    ids = list(_all_ids())
    wide = court_wide.reindex(columns=ids)
    unit = wide.index.get_level_values("court_id").map(cast(Mapping[Any, Any], groups))
    keep = np.asarray(pd.notna(unit))
    if not keep.any():
        return pd.DataFrame(columns=RESULT_COLUMNS)
    wide = wide[keep]
    gkeys = pd.MultiIndex.from_arrays(
        [np.asarray(unit[keep], dtype=object), wide.index.get_level_values("year").to_numpy()],
        names=["unit_id", "year"])
    codes, index = gkeys.factorize(sort=True)
    index = pd.MultiIndex.from_tuples(list(index), names=["unit_id", "year"])
    n_groups, n_rows = len(index), len(wide)
    onehot = np.zeros((n_groups, n_rows))
    onehot[codes, np.arange(n_rows)] = 1.0
    num_ids = list(_numeric_ids())
    col = {c: k for k, c in enumerate(num_ids)}
    x = _as_float(wide[num_ids])
    present = ~np.isnan(x)
    xz = np.where(present, x, 0.0)
    sums = onehot @ xz
    n_present = (onehot @ present).round().astype(int)
    nap_arr = (nap.reindex(index=wide.index, columns=ids).fillna(False).to_numpy(dtype=bool)
               if nap is not None else np.zeros((n_rows, len(ids)), bool))
    size = onehot.sum(axis=1).round().astype(int)
    expected = pd.DataFrame(size[:, None] - (onehot @ nap_arr).round().astype(int), index=index,
                            columns=ids)
    vals: dict[str, np.ndarray] = {}
    reasons: dict[str, pd.Series] = {}
    counts: dict[str, np.ndarray] = {c: n_present[:, col[c]] for c in num_ids}
    by_rule: dict[str, list[str]] = {}
    for ind in catalogue.indicators():
        by_rule.setdefault(ind.aggregation, []).append(ind.id)
    for c in by_rule.get("sum", []):
        if c in col:
            k = col[c]
            vals[c] = np.where(n_present[:, k] > 0, sums[:, k], np.nan)
    for c in by_rule.get("share_true", []):
        if c in col:
            k = col[c]
            with np.errstate(invalid="ignore", divide="ignore"):
                vals[c] = np.where(n_present[:, k] > 0, 100.0 * sums[:, k] / n_present[:, k], np.nan)
    med_cols = [c for c in by_rule.get("median", []) if c in col]
    if med_cols:
        med = pd.DataFrame(x[:, [col[c] for c in med_cols]], columns=med_cols) \
            .groupby(codes, sort=True).median().reindex(range(n_groups))
        vals.update({c: med[c].to_numpy(dtype=float) for c in med_cols})
    for iid in by_rule.get("ratio", []):
        ind = catalogue.get(iid)
        parts = list(_ratio_parts(ind))
        ok = present[:, col[iid]].copy()
        pk = [col[p] for p in parts]
        if court_reasons is not None and iid in court_reasons.columns:
            rs = court_reasons[iid].reindex(wide.index).to_numpy()
            ok |= (rs == NA_DIV_ZERO) & present[:, pk].any(axis=1)
        okf = ok.astype(float)
        part_sum = onehot @ (xz[:, pk] * okf[:, None])
        part_n = onehot @ (present[:, pk] * okf[:, None])
        summed = pd.DataFrame(np.where(part_n > 0, part_sum, np.nan), columns=parts)
        res = evaluate(ind.formula, summed, index=summed.index)
        vals[iid], reasons[iid] = res.values.to_numpy(), res.reasons
        counts[iid] = (onehot @ okf).round().astype(int)
    for iid in by_rule.get("none", []):
        vals[iid] = np.full(n_groups, np.nan)
        counts.setdefault(iid, np.zeros(n_groups, int))
        if not catalogue.get(iid).numeric:
            txt = wide[iid].astype("string").fillna("").str.strip().ne("").to_numpy(dtype=float)
            counts[iid] = (onehot @ txt).round().astype(int)
    vals_df = pd.DataFrame(vals, index=index).reindex(columns=ids)
    reasons_df = pd.DataFrame({k: v.to_numpy() for k, v in reasons.items()}, index=index, dtype=object) \
        .reindex(columns=ids)
    counts_df = pd.DataFrame(counts, index=index).reindex(columns=ids).fillna(0).astype(int)
    # statuses: NAP when nothing applies (or not aggregable), NA when nothing reported
    status = np.where(vals_df.notna().to_numpy(), "ok", "NA").astype(object)
    none_cols = np.isin(np.array(ids), by_rule.get("none", []))
    exp = expected.to_numpy()
    is_nap = (exp <= 0) | none_cols[None, :]
    status = np.where(is_nap, "NAP", status)
    part_reasons = reasons_df.to_numpy(dtype=object)
    cnt = counts_df.to_numpy()
    rs = np.where(status == "ok", "", np.where(
        none_cols[None, :], NA_NOT_AGGREGATED, np.where(
            exp <= 0, NA_NOT_APPLICABLE, np.where(cnt == 0, NA_NO_COURT, part_reasons)))).astype(object)
    return _long(vals_df, pd.DataFrame(rs, index=index, columns=ids, dtype=object),
                 pd.DataFrame(status, index=index, columns=ids), level, counts_df,
                 expected.clip(lower=0))


def _long(vals: pd.DataFrame, reasons: pd.DataFrame, status: pd.DataFrame, level: str,
          counts: pd.DataFrame, expected: pd.DataFrame) -> pd.DataFrame:
    """Wide frames (index unit_id, year; one column per indicator) → long result rows."""
    ids = list(_all_ids())
    n_units = len(vals)
    text_ids = np.array([not catalogue.get(i).numeric for i in ids])
    is_text = np.tile(text_ids, n_units)
    raw = vals.reindex(columns=ids).to_numpy(dtype=object).ravel()
    value = np.full(raw.shape, np.nan)
    num_pos = ~is_text
    value[num_pos] = pd.to_numeric(pd.Series(raw[num_pos]), errors="coerce").to_numpy(dtype=float)
    text = pd.array(np.where(is_text & pd.notna(raw), raw, cast(Any, None)), dtype="string")
    out = pd.DataFrame({
        "unit_id": np.repeat(vals.index.get_level_values(0).to_numpy(dtype=object), len(ids)),
        "level": level,
        "year": np.repeat(vals.index.get_level_values(1).to_numpy(), len(ids)).astype(int),
        "indicator_id": np.tile(np.array(ids, dtype=object), n_units),
        "value": value,
        "text": text,
        "status": status.reindex(columns=ids).to_numpy(dtype=object).ravel(),
        "na_reason": reasons.reindex(columns=ids).to_numpy(dtype=object).ravel(),
        "n_reporting": counts.reindex(columns=ids).to_numpy().ravel().astype(int),
        "n_expected": expected.reindex(columns=ids).to_numpy().ravel().astype(int),
    })
    out["na_reason"] = out["na_reason"].fillna("").astype(str)
    out["partial"] = (out["status"] == "ok") & (out["n_reporting"] < out["n_expected"])
    out["unit_id"] = out["unit_id"].astype(str)
    out["indicator_id"] = out["indicator_id"].astype(str)
    out["status"] = out["status"].astype(str)
    return out[RESULT_COLUMNS]


def _court_long(court_vals: pd.DataFrame, court_reasons: pd.DataFrame, nap: pd.DataFrame,
                nq: pd.DataFrame, absent: np.ndarray) -> pd.DataFrame:
    ids = list(_all_ids())
    v = court_vals.reindex(columns=ids)
    present = v.notna().to_numpy()
    txt = np.array([not catalogue.get(i).numeric for i in ids])
    if txt.any():
        tv = v.loc[:, txt].astype("string")
        filled = tv.fillna("").apply(lambda c: c.str.strip()) != ""
        present[:, txt] &= filled.to_numpy(dtype=bool)
    napa = nap.reindex(index=v.index, columns=ids).fillna(False).to_numpy(dtype=bool)
    nqa = nq.reindex(index=v.index, columns=ids).fillna(False).to_numpy(dtype=bool)
    status = np.where(present, "ok", np.where(napa, "NAP", np.where(nqa, "NQ", "NA"))).astype(object)
    rs = court_reasons.reindex(index=v.index, columns=ids).to_numpy(dtype=object)
    rs = np.where(pd.isna(rs) | (rs == ""), NA_MISSING, rs)
    rs = np.where(absent[:, None], NA_NO_DATA, rs)
    rs = np.where(status == "ok", "", np.where(status == "NAP", NA_NOT_APPLICABLE,
                                                np.where(status == "NQ", catalogue.STATUS_LABELS["NQ"],
                                                         rs))).astype(object)
    counts = pd.DataFrame(present.astype(int), index=v.index, columns=ids)
    expected = pd.DataFrame((~napa).astype(int), index=v.index, columns=ids)
    return _long(v, pd.DataFrame(rs, index=v.index, columns=ids, dtype=object),
                 pd.DataFrame(status, index=v.index, columns=ids), "juridiction", counts, expected)


def compute_results(values: pd.DataFrame, years: list[int] | None = None) -> pd.DataFrame:
    """All indicators of every court, cour and the nation, from store rows (pure function).

    Every first-instance court (168) gets rows for every year present in ``values`` — a court-year
    without any data has status NA with reason « aucune donnée transmise pour cette année ».
    Court statuses: ``ok`` (value present), ``NAP`` (non applicable, from the store or propagated
    to derived indicators), ``NQ`` (under quality review), ``NA`` (missing; ``na_reason`` says
    why: missing input, division by zero…). Consolidated rows: see :func:`consolidate`.
    """
    if years is not None:
        values = values[values["year"].isin(years)]
    scope = reference.first_instance_courts()
    values = values[values["court_id"].isin(scope.index)]
    yrs = sorted(int(y) for y in pd.unique(values["year"]))
    if not yrs:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
            RESULT_COLUMNS, ["str", "str", "int64", "str", "float64", "string", "str", "str", "int64",
                             "int64", "bool"], strict=True)})
    full = pd.MultiIndex.from_product([sorted(scope.index), yrs], names=["court_id", "year"])
    seen = pd.MultiIndex.from_frame(values[["court_id", "year"]].drop_duplicates().astype({"year": int}))
    absent = ~full.isin(seen)
    wide = wide_values(values)
    court_years = cast(pd.MultiIndex, wide.index)
    wide.index = court_years.set_levels(court_years.levels[1].astype(int).tolist(), level=1)
    wide = wide.reindex(full)
    wide, ref_reasons = _join_reference(wide)
    court_vals, court_reasons = compute_derived(wide)
    court_reasons = _reference_reasons(court_reasons, ref_reasons)
    nap = _derived_nap(_infer_absent_nap(nap_mask(values, full), absent), court_vals)
    nq_rows = values[values["status"] == "NQ"]
    nq = (nap_mask(nq_rows.assign(status="NAP"), full) if not nq_rows.empty
          else pd.DataFrame(False, index=full, columns=list(_all_ids())))
    court_long = _court_long(court_vals, court_reasons, nap, nq, absent)
    cour_long = consolidate(court_vals, scope["parent_ca_id"], "cour", nap, court_reasons)
    nat_groups = pd.Series(reference.NATIONAL, index=scope.index)
    nat_long = consolidate(court_vals, nat_groups, "national", nap, court_reasons)
    cons = _reference_group_reasons(pd.concat([cour_long, nat_long], ignore_index=True))
    return pd.concat([court_long, cons], ignore_index=True)


NA_NO_POPULATION_GROUP = ("population non disponible : aucune juridiction de ce ressort n'a de chiffre "
                          "au recensement 2019 par ressort (A-JUST)")


@cache
def _reference_dependents() -> dict[str, tuple[str, ...]]:
    """Reference id → ids resting on it (itself and the derived indicators using it)."""
    refs = [i.id for i in catalogue.indicators(kind="reference")]
    return {r: (r, *(i.id for i in derived_order() if r in _base_inputs(i.id))) for r in refs}


def _reference_values(ind: catalogue.Indicator) -> tuple[pd.Series, pd.Series]:
    """Values and NA reasons per court of one reference indicator (same for every year)."""
    if ind.source == "population":
        from cpc_toolkit.reference import population

        pop = population.court_populations()
        reasons = pd.Series([population.population_na_reason(c) for c in pop.index], index=pop.index)
        return pop, reasons
    raise catalogue.CatalogueError(f"Donnée de référence inconnue : {ind.source}",  # pragma: no cover
                                   ReasonCode.CATALOGUE_INVALID)


def _join_reference(wide: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Add the reference indicators (e.g. population) to the court-year frame; return it with NA reasons."""
    refs = catalogue.indicators(kind="reference")
    if not refs:
        return wide, {}
    courts = wide.index.get_level_values("court_id")
    cols: dict[str, np.ndarray] = {}
    reasons: dict[str, np.ndarray] = {}
    for ind in refs:
        vals, why = _reference_values(ind)
        cols[ind.id] = vals.reindex(courts).to_numpy(dtype=float)
        reasons[ind.id] = why.reindex(courts).fillna(NA_MISSING).to_numpy(dtype=object)
    out = pd.concat([wide.drop(columns=[c for c in cols if c in wide.columns]),
                     pd.DataFrame(cols, index=wide.index)], axis=1)
    return out, reasons


def _reference_reasons(court_reasons: pd.DataFrame, ref_reasons: dict[str, np.ndarray]) -> pd.DataFrame:
    """Court-level reasons: a missing reference figure is named as such, never as a missing input."""
    if not ref_reasons:
        return court_reasons
    out = court_reasons.copy()
    for ref, why in ref_reasons.items():
        out[ref] = np.where(why == "", np.nan, why).astype(object)
        generic = f"{NA_MISSING} : {ref}"
        for dep in _reference_dependents()[ref][1:]:
            if dep in out.columns:
                col = out[dep].to_numpy(dtype=object)
                out[dep] = np.where(col == generic, why, col).astype(object)
    return out


def _reference_group_reasons(cons: pd.DataFrame) -> pd.DataFrame:
    """Consolidated rows: when no court of a unit has the reference figure, say so."""
    deps = _reference_dependents()
    if not deps:
        return cons
    out = cons.copy()
    for ref, ids in deps.items():
        no_ref = out.loc[(out["indicator_id"] == ref) & (out["status"] != "ok"), ["unit_id", "year"]]
        if no_ref.empty:
            continue
        keys = pd.MultiIndex.from_frame(no_ref)
        hit = (out["indicator_id"].isin(ids) & (out["status"] == "NA")
               & pd.MultiIndex.from_frame(out[["unit_id", "year"]]).isin(keys))
        out.loc[hit, "na_reason"] = NA_NO_POPULATION_GROUP
    return out


@cache
def _catalogue_digest() -> str:
    """Digest of the catalogue and of the engine code: a change invalidates cached results."""
    h = hashlib.sha256(resources.files("cpc_toolkit.catalogue").joinpath("indicators.yaml").read_bytes())
    h.update(resources.files("cpc_toolkit.compute").joinpath("engine.py").read_bytes())
    for name in ("population_tj_2019.csv",):  # reference data joined by the engine
        h.update(resources.files("cpc_toolkit.reference").joinpath("data", name).read_bytes())
    return h.hexdigest()[:12]


def results(store: Store) -> pd.DataFrame:
    """Results of the whole store, cached on disk per store version, catalogue and toolkit version."""
    man = store.manifest()
    key = f"{man.get('tag', 'vide')}-{_catalogue_digest()}-{__version__}"
    mem = store._cache.get(f"results:{key}")
    if mem is not None:
        return mem
    cache_dir = store.root / "cache"
    path = cache_dir / f"resultats-{key}.parquet"
    if path.exists():
        df = pd.read_parquet(path)
    else:
        df = compute_results(store.values())
        cache_dir.mkdir(parents=True, exist_ok=True)
        import io

        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        atomic_write_bytes(path, buf.getvalue())
        for old in cache_dir.glob("resultats-*.parquet"):
            if old != path:
                old.unlink(missing_ok=True)
    store._cache[f"results:{key}"] = df
    return df


def unit_table(res: pd.DataFrame, unit_id: str, year: int) -> pd.DataFrame:
    """Every indicator of one unit-year with catalogue labels, in catalogue order."""
    sub = res[(res["unit_id"] == unit_id) & (res["year"] == year)]
    cat = pd.DataFrame([{"indicator_id": i.id, "family": i.family, "label": i.label, "unit": i.unit,
                         "kind": i.kind} for i in catalogue.indicators()])
    return cat.merge(sub, on="indicator_id", how="left")
