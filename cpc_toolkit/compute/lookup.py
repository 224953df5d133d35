"""The one lookup API over a results table: a cell's value, text or status, a level's values.

Reports, figures, dashboards and the CLI read single cells of the engine's long results table
(``unit_id, level, year, indicator_id, value, text, status, …``) through these functions only:

- :func:`value` / :func:`text` / :func:`status` — one unit-year-indicator cell;
- :func:`level_values` — every unit of one level for one year and indicator (a Series);
- :func:`values_by_unit` — a units × indicators table of values;
- :func:`results_index` — the underlying :class:`ResultsIndex`, for code that reads many cells.

A value is the cell's number when its status is ``ok``, NaN otherwise (unknown is never shown as
a number). The index is built once per results object and cached; it is rebuilt when the frame
was edited in place since (see :func:`frame_memo`), so that every reader sees the same value for
the same cell, before and after an edit.
"""

from __future__ import annotations

import functools
import math
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from cpc_toolkit import catalogue

__all__ = ["ResultsIndex", "frame_memo", "level_values", "results_index", "status", "text", "value",
           "values_by_unit"]

T = TypeVar("T")


# --------------------------------------------------------------------------- cache per frame

_FRAME_MEMO: dict[tuple[int, str], tuple[weakref.ref, tuple[Any, ...], pd.DataFrame, Any, tuple[Any, ...]]] = {}


def _buffers(res: pd.DataFrame) -> tuple[Any, ...]:
    """The objects holding a frame's content: its column index and its blocks' arrays (held by the
    cache, so that an identity check is a sufficient "unchanged" test: an array object keeps its
    data buffer for life, and an edit under copy-on-write replaces the block's array)."""
    try:
        return (res.columns, *(b.values for b in res._mgr.blocks))
    except AttributeError:  # pragma: no cover - not a pandas block manager
        return (object(),)


def _same_buffers(res: pd.DataFrame, held: tuple[Any, ...]) -> bool:
    try:
        blocks = res._mgr.blocks
    except AttributeError:  # pragma: no cover
        return False
    if len(blocks) + 1 != len(held) or res.columns is not held[0]:
        return False
    return all(b.values is v for b, v in zip(blocks, held[1:], strict=True))


def _version(res: pd.DataFrame) -> tuple[Any, ...]:
    """Cheap identity of a frame's content (a few µs): its shape, columns and data buffers.

    With pandas' copy-on-write, an in-place edit of a frame whose buffers are shared (the cache
    keeps a shallow snapshot) writes into fresh buffers, so the edit changes this tuple. When the
    buffers cannot be inspected, the version is unique: the frame is then never cached.
    """
    try:
        blocks = res._mgr.blocks
    except AttributeError:  # pragma: no cover - not a pandas block manager
        return (object(),)
    parts: list[Any] = [res.shape, tuple(res.columns)]
    for b in blocks:
        v = b.values
        if isinstance(v, np.ndarray):
            parts.append((v.__array_interface__["data"][0], v.shape, v.strides))
        else:
            parts.append(id(v))
    return tuple(parts)


def frame_memo(res: pd.DataFrame, name: str, build: Callable[[pd.DataFrame], T]) -> T:
    """``build(snapshot)``, computed once per results object and ``name``; dropped when ``res`` is freed.

    ``snapshot`` is a shallow, copy-on-write copy of ``res`` taken when the value is built: the
    cached value never sees later edits of ``res``. When ``res`` is edited in place (its version
    changes), the value is built again from the new content.
    """
    key = (id(res), name)
    hit = _FRAME_MEMO.get(key)
    if hit is not None and hit[0]() is res and (_same_buffers(res, hit[4]) or hit[1] == _version(res)):
        return hit[3]
    snapshot = res.copy(deep=False)
    value = build(snapshot)
    _FRAME_MEMO[key] = (weakref.ref(res, functools.partial(_forget, key)), _version(res), snapshot, value,
                        _buffers(res))
    return value


def _forget(key: object, _ref: object) -> None:
    """Drop a cached value when its results frame is garbage-collected (tolerates interpreter exit)."""
    memo = globals().get("_FRAME_MEMO")
    if memo is not None:
        memo.pop(key, None)


# --------------------------------------------------------------------------- index


@dataclass
class ResultsIndex:
    """Pre-computed lookups over one results table (built once, cached per ``res`` object).

    ``values[r, k]`` is the value of unit-year ``r`` for indicator ``ids[k]`` (NaN unless the
    status is ``ok``), ``status[r, k]`` its status; ``row(unit, year)`` gives ``r``.
    ``res`` is the snapshot the index was built from.
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
    row_of: np.ndarray  # per row of ``res``: its unit-year row r
    col_of: np.ndarray  # per row of ``res``: its indicator column k (-1: not in the catalogue)
    texts: dict[tuple[str, int, str], str] = field(default_factory=dict)
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

    def value(self, unit_id: str, year: int, indicator_id: str) -> float:
        """Value of one cell (NaN when absent or when its status is not ``ok``)."""
        r = self.keys.get((unit_id, int(year)))
        k = self.col.get(indicator_id)
        return math.nan if r is None or k is None else float(self.values[r, k])

    def text(self, unit_id: str, year: int, indicator_id: str) -> str:
        """Text of a text or date cell ("" when absent)."""
        return self.texts.get((unit_id, int(year), indicator_id), "")

    def status_of(self, unit_id: str, year: int, indicator_id: str) -> str:
        """Status of one cell (``NA`` when the cell is absent)."""
        r = self.keys.get((unit_id, int(year)))
        k = self.col.get(indicator_id)
        return "NA" if r is None or k is None else str(self.status[r, k])

    def wide(self, level: str, year: int) -> pd.DataFrame:
        """Numeric values of every unit of ``level`` for ``year``: units × indicators (NaN if not ok)."""
        key = (level, int(year))
        if key not in self._wide:
            units = sorted(u for (u, y) in self.keys if y == int(year) and self.levels.get(u) == level)
            rows = [self.keys[(u, int(year))] for u in units]
            self._wide[key] = pd.DataFrame(self.values[rows], index=pd.Index(units, name="unit_id"),
                                           columns=list(self.ids))
        return self._wide[key]

    def level_values(self, level: str, year: int, indicator_id: str) -> pd.Series:
        """Values of every unit of ``level`` for ``year`` (index ``unit_id``, sorted; cached, do not edit)."""
        key = ("level_values", level, int(year), indicator_id)
        if key not in self._memo:
            w = self.wide(level, year)
            s = w[indicator_id] if indicator_id in w.columns else pd.Series(np.nan, index=w.index)
            self._memo[key] = s.astype(float).rename("value")
        return self._memo[key]


def results_index(res: pd.DataFrame) -> ResultsIndex:
    """The cached :class:`ResultsIndex` of ``res`` (rebuilt for a new object or after an in-place edit)."""
    return frame_memo(res, "results_index", _build_results_index)


def _build_results_index(res: pd.DataFrame) -> ResultsIndex:
    codes, uniques = pd.factorize(res["unit_id"], sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    rows = {str(u): order[bounds[i]:bounds[i + 1]] for i, u in enumerate(uniques)}
    year_arr = res["year"].to_numpy(dtype=int)
    years = tuple(sorted(int(y) for y in np.unique(year_arr)))
    ids = tuple(i.id for i in catalogue.indicators())
    kcodes = pd.Index(ids).get_indexer(pd.Index(res["indicator_id"], copy=False))
    # (unit, year) pairs factorised as one integer each, in order of first appearance (a MultiIndex
    # would build a Python tuple per row: ≈ 0,1 s of a report's first build)
    y0 = int(year_arr.min()) if len(year_arr) else 0
    span = int(year_arr.max()) - y0 + 1 if len(year_arr) else 1
    rcodes, pair_keys = pd.factorize(codes.astype(np.int64) * span + (year_arr - y0), sort=False)
    runiq = [(int(k) // span, int(k) % span + y0) for k in pair_keys]
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
    has_text = (res["text"].notna().to_numpy(dtype=bool) & (st == "ok"))
    txt = res[has_text]
    texts = dict(zip(zip(txt["unit_id"].to_numpy(), txt["year"].to_numpy().astype(int),
                         txt["indicator_id"].to_numpy(), strict=True),
                     txt["text"].astype(str).to_numpy(), strict=True))
    return ResultsIndex(res=res, unit_rows=rows, years=years, ids=ids, col={k: j for j, k in enumerate(ids)},
                        keys=keyd, levels=levels, values=values, status=status, n_reporting=n_rep,
                        row_of=rcodes, col_of=kcodes,
                        texts={(str(u), int(y), str(i)): str(t) for (u, y, i), t in texts.items()})


# --------------------------------------------------------------------------- public lookups


def value(res: pd.DataFrame, unit_id: str, year: int, indicator_id: str) -> float:
    """Value of one unit-year-indicator: a float, NaN when absent or not ``ok`` (NA, NAP, NQ)."""
    return results_index(res).value(unit_id, year, indicator_id)


def text(res: pd.DataFrame, unit_id: str, year: int, indicator_id: str) -> str:
    """Text of a text/date indicator ("" when absent)."""
    return results_index(res).text(unit_id, year, indicator_id)


def status(res: pd.DataFrame, unit_id: str, year: int, indicator_id: str) -> str:
    """Status of one cell: ``ok``, ``NA``, ``NAP`` or ``NQ`` (``NA`` when absent)."""
    return results_index(res).status_of(unit_id, year, indicator_id)


def level_values(res: pd.DataFrame, year: int, indicator_id: str, level: str = "juridiction") -> pd.Series:
    """Values of every unit of ``level`` (``juridiction``, ``cour``, ``national``) for one year and
    indicator: a new Series indexed by ``unit_id`` (sorted), NaN where not ``ok``."""
    return results_index(res).level_values(level, year, indicator_id).copy()


def values_by_unit(res: pd.DataFrame, year: int, indicator_ids: Sequence[str],
                   unit_ids: Sequence[str]) -> pd.DataFrame:
    """Wide table unit_id × indicator_id of values for ``year`` (NaN when missing), a new frame."""
    idx = results_index(res)
    frames = [idx.wide(level, year) for level in ("juridiction", "cour", "national")]
    present = [f for f in frames if len(f)]
    wide = pd.concat(present) if present else pd.DataFrame()
    return wide.reindex(index=list(unit_ids), columns=list(indicator_ids)).astype(float)
