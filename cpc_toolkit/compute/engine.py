"""Core of the engine: wide pivot, derived indicators, consolidation, cached results."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from cpc_toolkit import __version__, catalogue, reference
from cpc_toolkit.catalogue.expressions import NA_MISSING, evaluate
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
    out = wide.copy()
    reasons = pd.DataFrame(index=wide.index)
    new_cols: dict[str, pd.Series] = {}
    for ind in derived_order():
        res = evaluate(ind.expression, _Chain(out, new_cols), index=out.index)
        new_cols[ind.id] = res.values
        reasons[ind.id] = res.reasons
    if new_cols:
        out = pd.concat([out.drop(columns=[c for c in new_cols if c in out.columns]),
                         pd.DataFrame(new_cols, index=out.index)], axis=1)
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


def _evaluate_one(ind: catalogue.Indicator, frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Evaluate one derived indicator and the derived indicators it depends on, over ``frame``."""
    cols: dict[str, pd.Series] = {}
    reasons: dict[str, pd.Series] = {}

    def need(i: catalogue.Indicator) -> None:
        for dep in sorted(i.inputs):
            d = catalogue.get(dep)
            if d.kind == "derived" and dep not in cols:
                need(d)
        res = evaluate(i.expression, _Chain(frame, cols), index=frame.index)
        cols[i.id], reasons[i.id] = res.values, res.reasons

    need(ind)
    return cols[ind.id], reasons[ind.id]


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


def consolidate(court_wide: pd.DataFrame, groups: pd.Series, expected: pd.Series,
                level: str) -> pd.DataFrame:
    """Consolidate court-level values to groups (cours or nation) with each aggregation rule.

    ``court_wide``: one row per (court_id, year), one column per indicator (derived included);
    ``groups`` maps court_id → unit id; ``expected`` maps unit id → number of courts expected.
    Sums are sums; ratios are recomputed from numerator and denominator summed over the same
    courts (those where every input is present) — never an average of ratios; ``share_true`` is
    the share of courts answering « oui »; ``median`` the median over reporting courts.
    Returns long results rows (see RESULT_COLUMNS) with coverage. Pure function.
    """
    ids = [i.id for i in catalogue.indicators()]
    wide = court_wide.reindex(columns=ids)
    base = wide.reset_index()
    base["unit_id"] = base["court_id"].map(groups)
    base = base.dropna(subset=["unit_id"])
    if base.empty:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    keys = ["unit_id", "year"]
    g = base.groupby(keys, sort=True)
    index = g.size().index
    vals: dict[str, pd.Series] = {}
    reasons: dict[str, pd.Series] = {}
    counts: dict[str, pd.Series] = {}
    by_rule: dict[str, list[str]] = {}
    for ind in catalogue.indicators():
        by_rule.setdefault(ind.aggregation if ind.kind != "derived" or ind.aggregation != "sum"
                           else "derived_sum", []).append(ind.id)
    num_ids = [i.id for i in catalogue.indicators() if i.numeric]
    numeric = base[num_ids].apply(pd.to_numeric, errors="coerce")
    numeric[keys] = base[keys]
    gn = numeric.groupby(keys, sort=True)
    n_present = gn.count()
    if by_rule.get("sum"):
        s = gn[by_rule["sum"]].sum(min_count=1)
        vals.update({c: s[c] for c in s.columns})
    for rule, func in (("median", "median"), ("share_true", "mean")):
        cols = [c for c in by_rule.get(rule, []) if c in num_ids]
        if cols:
            m = getattr(gn[cols], func)()
            if rule == "share_true":
                m = m * 100.0
            vals.update({c: m[c] for c in m.columns})
    counts.update({c: n_present[c] for c in n_present.columns if c not in keys})
    # derived quantities whose rule is 'sum': formula over the consolidated sums
    if by_rule.get("derived_sum"):
        summed = pd.DataFrame(vals, index=index)
        for iid in by_rule["derived_sum"]:
            v, r = _evaluate_one(catalogue.get(iid), summed)
            vals[iid], reasons[iid] = v, r
            inputs = [c for c in _base_inputs(iid) if c in counts]
            counts[iid] = pd.concat([counts[c] for c in inputs], axis=1).max(axis=1) if inputs else \
                pd.Series(0, index=index)
    # ratios: numerator and denominator summed over the same (complete) courts
    for iid in by_rule.get("ratio", []):
        inputs = list(_base_inputs(iid))
        complete = numeric[inputs].notna().all(axis=1)
        sub = numeric.loc[complete, [*keys, *inputs]]
        summed = sub.groupby(keys, sort=True)[inputs].sum().reindex(index)
        v, r = _evaluate_one(catalogue.get(iid), summed)
        vals[iid], reasons[iid] = v, r
        counts[iid] = sub.groupby(keys, sort=True).size().reindex(index).fillna(0).astype(int)
    for iid in by_rule.get("none", []):
        vals[iid] = pd.Series(np.nan, index=index)
        reasons[iid] = pd.Series("non agrégeable", index=index)
        counts[iid] = pd.Series(0, index=index)
    vals_df = pd.DataFrame(vals, index=index).reindex(columns=ids)
    reasons_df = pd.DataFrame(reasons, index=index).reindex(columns=ids)
    counts_df = pd.DataFrame(counts, index=index).reindex(columns=ids).fillna(0).astype(int)
    exp = pd.Series(index.get_level_values("unit_id").map(expected), index=index).astype(int)
    return _to_long(vals_df, reasons_df, level, counts_df, exp)


def _to_long(vals: pd.DataFrame, reasons: pd.DataFrame, level: str,
             counts: pd.DataFrame | None = None, expected: pd.Series | None = None) -> pd.DataFrame:
    ids = [i.id for i in catalogue.indicators()]
    vals = vals.reindex(columns=ids)
    text_ids = {i.id for i in catalogue.indicators() if not i.numeric}
    long = vals.stack(future_stack=True).rename("raw").reset_index()
    long.columns = ["unit_id", "year", "indicator_id", "raw"]
    is_text = long["indicator_id"].isin(text_ids)
    long["text"] = long["raw"].where(is_text).astype("string")
    long["value"] = pd.to_numeric(long["raw"].where(~is_text), errors="coerce").astype("float64")
    long = long.drop(columns="raw")
    rs = reasons.reindex(index=vals.index, columns=ids).stack(future_stack=True).to_numpy()
    present = (long["value"].notna() | (long["text"].fillna("") != "")).to_numpy()
    rs = pd.Series(rs, dtype="object").fillna("").to_numpy()
    long["na_reason"] = np.where(present, "", np.where(rs == "", NA_MISSING, rs))
    long["status"] = np.where(present, "ok", "NA")
    long["level"] = level
    if counts is not None and expected is not None:
        long["n_reporting"] = counts.reindex(index=vals.index, columns=ids).stack(future_stack=True) \
            .to_numpy().astype(int)
        long["n_expected"] = np.repeat(expected.reindex(vals.index).to_numpy(), len(ids)).astype(int)
    else:
        long["n_reporting"] = present.astype(int)
        long["n_expected"] = 1
    long["partial"] = long["n_reporting"] < long["n_expected"]
    return long[RESULT_COLUMNS]


def compute_results(values: pd.DataFrame, years: list[int] | None = None) -> pd.DataFrame:
    """All indicators of every court, cour and the nation, from store rows (pure function)."""
    if years is not None:
        values = values[values["year"].isin(years)]
    scope = reference.first_instance_courts()
    wide = wide_values(values[values["court_id"].isin(scope.index)])
    court_vals, court_reasons = compute_derived(wide)
    # statuses other than ok (NAP, NQ) are kept for the court level
    court_long = _to_long(court_vals, court_reasons, "juridiction")
    flags = values[values["status"].isin(["NAP", "NQ"])][["court_id", "year", "indicator_id", "status"]]
    if not flags.empty:
        flags = flags.rename(columns={"court_id": "unit_id", "status": "_flag"})
        court_long = court_long.merge(flags, on=["unit_id", "year", "indicator_id"], how="left")
        court_long["status"] = court_long["_flag"].fillna(court_long["status"])
        court_long["na_reason"] = np.where(court_long["_flag"] == "NAP", "non applicable",
                                           court_long["na_reason"])
        court_long = court_long.drop(columns="_flag")
    groups = scope["parent_ca_id"]
    expected_cour = groups.value_counts()
    cour_long = consolidate(court_vals, groups, expected_cour, "cour")
    nat_groups = pd.Series(reference.NATIONAL, index=scope.index)
    nat_long = consolidate(court_vals, nat_groups, pd.Series({reference.NATIONAL: len(scope)}), "national")
    out = pd.concat([court_long, cour_long, nat_long], ignore_index=True)
    out["year"] = out["year"].astype(int)
    return out


def _catalogue_digest() -> str:
    text = resources.files("cpc_toolkit.catalogue").joinpath("indicators.yaml").read_bytes()
    return hashlib.sha256(text).hexdigest()[:12]


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
