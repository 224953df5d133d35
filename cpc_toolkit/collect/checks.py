"""Checks over parsed files that need the whole batch or the store (vectorised).

- Cross-field consistency: every rule of ``catalogue.checks()`` (stock identity, accords ≤ ARA
  tenues, OP accordées + rejetées ≤ demandées, comptes reçus ≤ attendus, ...), evaluated with the
  catalogue's own expression evaluator; level ``error`` rejects the file, ``warning`` lists it.
- Outliers (warnings only): a value far from the court's own history — more than
  ``HISTORY_RATIO`` (4) times above or below the median of its last three previous years — or, when
  the court has no history, far from its peers of the same year (robust z-score of log values
  above ``PEER_Z`` = 5). History and peers come from the store's current values plus the batch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cpc_toolkit import catalogue
from cpc_toolkit.catalogue.expressions import evaluate
from cpc_toolkit.collect.problems import ERROR, WARNING, Problem
from cpc_toolkit.collect.reader import ParsedFile
from cpc_toolkit.errors import ReasonCode
from cpc_toolkit.fr import format_number

__all__ = ["HISTORY_RATIO", "PEER_Z", "batch_problems", "values_frame"]

HISTORY_RATIO = 4.0
HISTORY_MIN = 50.0
HISTORY_YEARS = 3
PEER_Z = 5.0
PEER_MIN = 20


def values_frame(parsed: list[ParsedFile]) -> pd.DataFrame:
    """Long table of the parsed values: file index, court, year, indicator, value, text, status."""
    rows = [(i, p.court_id, p.year, *v) for i, p in enumerate(parsed) for v in p.values]
    return pd.DataFrame(rows, columns=["file", "court_id", "year", "indicator_id", "value", "text", "status"])


def _cells(p: ParsedFile, ids: list[str]) -> tuple[tuple[str, str], ...]:
    return tuple(p.cells[i] for i in ids if i in p.cells)


def _cell_text(cells: tuple[tuple[str, str], ...]) -> tuple[str | None, str | None]:
    if not cells:
        return None, None
    cells = tuple(sorted(cells, key=lambda sc: (sc[0], int("".join(ch for ch in sc[1] if ch.isdigit()) or 0),
                                                  sc[1])))
    sheets = {s for s, _ in cells}
    first = cells[0][0]
    if len(sheets) == 1:
        return first, ", ".join(c for _, c in cells)
    return first, ", ".join(f"{s}!{c}" for s, c in cells)


def consistency_problems(parsed: list[ParsedFile], vals: pd.DataFrame) -> dict[int, list[Problem]]:
    out: dict[int, list[Problem]] = {}
    if vals.empty:
        return out
    live = vals[vals["status"].isin(["ok", "NQ"])]
    num = live.pivot_table(index="file", columns="indicator_id", values="value", aggfunc="first")
    txt = live.dropna(subset=["text"]).pivot_table(index="file", columns="indicator_id", values="text",
                                                    aggfunc="first")
    index = pd.Index(sorted(set(vals["file"])), name="file")
    data: dict[str, pd.Series] = {}
    for col in num.columns:
        data[col] = num[col].reindex(index)
    for col in txt.columns:
        data[col] = txt[col].reindex(index)
    for chk in catalogue.checks():
        res = evaluate(chk.expression, data, index=index)
        failed = res.values[res.values == 0].index
        ordered = _order(chk.rule, list(chk.expression.names))
        for f in failed:
            p = parsed[int(f)]
            shown = " ; ".join(f"{n} = {_fmt(data.get(n), f)}" for n in ordered)
            cells = _cells(p, ordered)
            sheet, cell = _cell_text(cells)
            out.setdefault(int(f), []).append(Problem(
                file=p.name, sheet=sheet, cell=cell, indicator=ordered[0] if ordered else None, value=shown,
                rule=catalogue.formula_text(chk.rule), message=chk.message + " Corrigez les valeurs concernées.",
                reason=ReasonCode.CONSISTENCY, level=ERROR if chk.level == "error" else WARNING, cells=cells))
    return out


def _order(rule: str, names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: rule.find(n))


def _fmt(series: pd.Series | None, f: int) -> str:
    if series is None:
        return "vide"
    v = series.get(f)
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "vide"
    if isinstance(v, str):
        return v
    return format_number(v, 0 if float(v).is_integer() else 1)


def outlier_problems(parsed: list[ParsedFile], vals: pd.DataFrame, history: pd.DataFrame) -> dict[int, list[Problem]]:
    """History / peer warnings. ``history``: store rows (court_id, year, indicator_id, value, status)."""
    out: dict[int, list[Problem]] = {}
    numeric_ids = [i.id for i in catalogue.input_indicators() if i.unit in ("count", "months", "days", "percent", "fte")]
    cur = vals[vals["status"].isin(["ok", "NQ"]) & vals["indicator_id"].isin(numeric_ids)
               & vals["court_id"].notna() & vals["year"].notna()].copy()
    if cur.empty:
        return out
    cur["year"] = cur["year"].astype(int)
    hist = history[history["status"].isin(["ok", "NQ"]) & history["indicator_id"].isin(numeric_ids)]
    hist = hist[["court_id", "year", "indicator_id", "value"]].dropna(subset=["value"])
    batch = cur[["court_id", "year", "indicator_id", "value"]]
    # the batch supersedes the store for the same court-years
    keys = set(zip(batch["court_id"], batch["year"], strict=True))
    if len(hist):
        mask = [(c, y) not in keys for c, y in zip(hist["court_id"], hist["year"], strict=True)]
        hist = hist[mask]
    allv = pd.concat([hist, batch.drop_duplicates(["court_id", "year", "indicator_id"], keep="last")],
                     ignore_index=True)
    allv["year"] = allv["year"].astype(int)
    allv["value"] = allv["value"].astype("float64")
    # own history: median of the last HISTORY_YEARS previous years
    pairs = cur[["file", "court_id", "year", "indicator_id", "value"]].merge(
        allv.rename(columns={"year": "hyear", "value": "hvalue"}), on=["court_id", "indicator_id"], how="left")
    pairs = pairs[pairs["hyear"] < pairs["year"]]
    pairs = pairs[pairs["hyear"] >= pairs["year"] - HISTORY_YEARS]
    med = pairs.groupby(["file", "indicator_id"])["hvalue"].median().rename("hmed").reset_index()
    logs = allv.assign(lv=np.log1p(allv["value"].clip(lower=0)))
    stats = logs.groupby(["year", "indicator_id"])["lv"].agg(["median", "count"])
    dev = logs.merge(stats["median"], left_on=["year", "indicator_id"], right_index=True)
    stats["mad"] = (dev["lv"] - dev["median"]).abs().groupby([dev["year"], dev["indicator_id"]]).median()
    tab = cur.merge(med, on=["file", "indicator_id"], how="left").merge(
        stats.reset_index(), on=["year", "indicator_id"], how="left")
    v, m = tab["value"].to_numpy(float), tab["hmed"].to_numpy(float)
    has_hist = ~np.isnan(m)
    big = np.maximum(v, np.nan_to_num(m)) >= HISTORY_MIN
    hist_flag = has_hist & big & ((v > HISTORY_RATIO * m) | (v < m / HISTORY_RATIO))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (np.log1p(np.clip(v, 0, None)) - tab["median"].to_numpy(float)) / (1.4826 * tab["mad"].to_numpy(float))
    peer_ok = ~has_hist & (tab["count"].fillna(0).to_numpy() >= PEER_MIN) & (tab["mad"].fillna(0).to_numpy() > 0)
    peer_flag = peer_ok & (np.abs(np.nan_to_num(z)) > PEER_Z)
    for i in np.flatnonzero(hist_flag | peer_flag):
        row = tab.iloc[int(i)]
        f, iid, x = int(row["file"]), str(row["indicator_id"]), float(row["value"])
        p = parsed[f]
        label = catalogue.get(iid).label
        cells = _cells(p, [iid])
        sheet, cell = _cell_text(cells)
        if hist_flag[i]:
            ref = float(row["hmed"])
            rule = f"écart à l'historique (facteur {format_number(HISTORY_RATIO)})"
            msg = (f"« {label} » est très éloigné de l'historique de la juridiction (médiane des années "
                   f"précédentes : {format_number(ref, 1 if ref % 1 else 0)}) : vérifiez la saisie. "
                   "La valeur est acceptée.")
        else:
            ref = float(np.expm1(row["median"]))
            rule = f"écart aux autres juridictions (score robuste > {format_number(PEER_Z)})"
            msg = (f"« {label} » est très éloigné des autres juridictions la même année (valeur médiane : "
                   f"{format_number(ref, 0)}) : vérifiez la saisie. La valeur est acceptée.")
        out.setdefault(f, []).append(Problem(
            file=p.name, sheet=sheet, cell=cell, indicator=iid, value=format_number(x, 1 if x % 1 else 0),
            rule=rule, message=msg, level=WARNING, reason=ReasonCode.OUTLIER, cells=cells))
    return out


def batch_problems(parsed: list[ParsedFile], history: pd.DataFrame | None = None) -> list[ParsedFile]:
    """The parsed files with their consistency and outlier problems added (new objects)."""
    vals = values_frame(parsed)
    extra: dict[int, list[Problem]] = {}
    for f, probs in consistency_problems(parsed, vals).items():
        extra.setdefault(f, []).extend(probs)
    hist = history if history is not None else pd.DataFrame(
        columns=["court_id", "year", "indicator_id", "value", "status"])
    # outliers only for files that are otherwise acceptable (a rejected file gets its errors first)
    ok_files = {i for i, p in enumerate(parsed) if p.ok and not any(x.is_error for x in extra.get(i, []))}
    for f, probs in outlier_problems(parsed, vals[vals["file"].isin(ok_files)], hist).items():
        extra.setdefault(f, []).extend(probs)
    return [p.with_problems(extra[i]) if i in extra else p for i, p in enumerate(parsed)]
