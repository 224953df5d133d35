"""Report tables: DataFrame builders (also written to the Excel annex) and their HTML rendering.

Builders return *raw* values (floats, dates as text) with French column names; formatting to
``1 234,5`` happens only in :func:`html_table` (and in Excel through number formats).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from cpc_toolkit import catalogue, compute, reference
from cpc_toolkit.fr import format_value

__all__ = [
    "Table",
    "heat_table_html",
    "html_table",
    "indicator_table",
    "values_by_unit",
]


class Table:
    """A report table: raw DataFrame + the unit of each numeric column (for HTML and Excel)."""

    def __init__(self, frame: pd.DataFrame, units: dict[str, str] | None = None,
                 row_units: str | None = None) -> None:
        self.frame = frame
        self.units = units or {}
        self.row_units = row_units  # name of a column holding each row's unit (indicator tables)

    def unit_of(self, row: Mapping[str, Any], column: str) -> str | None:
        if column in self.units:
            return self.units[column]
        if self.row_units and column != self.row_units and self.row_units in row:
            return str(row[self.row_units])
        return None


def _cell(value: object, unit: str | None) -> tuple[str, bool]:
    if unit is None:
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return "–", False
        return html.escape(str(value)), False
    return html.escape(format_value(value, unit)), unit not in ("text", "date")


def html_table(table: Table, hide: Sequence[str] = (), classes: str = "cpc-table",
               colors: pd.DataFrame | None = None) -> str:
    """HTML rendering with French number formats; ``colors`` (same shape) gives cell backgrounds."""
    df = table.frame
    cols = [c for c in df.columns if c not in hide and not str(c).startswith("_")]
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
    rows = []
    for i, row in enumerate(cast(list[dict[str, Any]], df.to_dict("records"))):
        tds = []
        for c in cols:
            text, num = _cell(row[c], table.unit_of(row, c))
            style = ""
            if colors is not None and c in colors.columns:
                bg = colors.iloc[i][c]
                if isinstance(bg, str) and bg:
                    style = f' style="background:{bg}"'
            tds.append(f'<td class="num"{style}>{text}</td>' if num else f"<td{style}>{text}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return f'<table class="{classes}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def values_by_unit(res: pd.DataFrame, year: int, indicator_ids: Sequence[str],
                   unit_ids: Sequence[str]) -> pd.DataFrame:
    """Wide table unit_id × indicator_id of numeric values (NaN when missing)."""
    idx = compute.results_index(res)
    frames = [idx.wide(level, year) for level in ("juridiction", "cour", "national")]
    wide = pd.concat([f for f in frames if len(f)]) if any(len(f) for f in frames) else pd.DataFrame()
    return wide.reindex(index=list(unit_ids), columns=list(indicator_ids)).astype(float)


def indicator_table(res: pd.DataFrame, unit_id: str, year: int, indicator_ids: Sequence[str],
                    compare: bool = True) -> Table:
    """One row per indicator: value in ``year`` and ``year - 1`` and, for a court, its cour, the
    nation and the median of its size class; for a cour, the nation."""
    from cpc_toolkit.render.figures import _cour, _level, _value

    level = _level(unit_id)
    cour = _cour(unit_id) if level == "juridiction" else None
    pos: dict[tuple[str, str], tuple[float, int, int]] = {}
    if compare and level == "juridiction":
        p = compute.positions(res, unit_id, year, list(indicator_ids))
        pos = {(i, g): (m, r, n) for i, g, m, r, n in
               zip(p["indicator_id"], p["group"], p["median"], p["rank"], p["n"], strict=True)}
    rows = []
    for iid in indicator_ids:
        ind = catalogue.get(iid)
        row: dict[str, object] = {"indicateur": ind.label, "_unit": compute.display_unit(iid, level),
                                  f"{year}": _value(res, unit_id, year, iid),
                                  f"{year - 1}": _value(res, unit_id, year - 1, iid)}
        if compare and cour is not None:
            row["cour d'appel"] = _value(res, cour, year, iid)
            row["_unit_ref"] = compute.display_unit(iid, "cour")
            taille = pos.get((iid, "taille"))
            row["médiane taille"] = float(taille[0]) if taille else np.nan
            incour = pos.get((iid, "cour"))
            row["rang dans la cour"] = f"{int(incour[1])}/{int(incour[2])}" if incour else "–"
        if compare and level != "national":
            row["France"] = _value(res, reference.NATIONAL, year, iid)
            row["_unit_ref"] = compute.display_unit(iid, "national")
        rows.append(row)
    return _RefTable(pd.DataFrame(rows), row_units="_unit")


class _RefTable(Table):
    """Indicator table: own columns in the unit's display unit, reference columns in theirs."""

    REF = ("cour d'appel", "France", "médiane taille")

    def unit_of(self, row: Mapping[str, Any], column: str) -> str | None:
        if column in ("indicateur", "rang dans la cour", "_unit", "_unit_ref"):
            return None
        if column in ("cour d'appel", "France") and "_unit_ref" in row:
            return str(row["_unit_ref"])
        return str(row["_unit"])


def heat_table_html(res: pd.DataFrame, cour_id: str, year: int, indicator_ids: Sequence[str]) -> tuple[str, Table]:
    """Courts of a cour × key indicators, each cell coloured against all courts of the nation
    (blue = better, orange = less good, oriented by the indicator's direction)."""
    courts = reference.courts_of_cour(cour_id)
    allc = list(reference.first_instance_courts().index)
    wide_all = values_by_unit(res, year, indicator_ids, allc)
    frame = wide_all.reindex(courts).copy()
    colors = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for iid in indicator_ids:
        ind = catalogue.get(iid)
        col = wide_all[iid].dropna()
        if len(col) < 2 or ind.direction == "neutral" or col.std() == 0:
            continue
        z = (frame[iid] - col.mean()) / col.std() * (1 if ind.direction == "higher" else -1)
        colors[iid] = [("" if pd.isna(v) else _diverging(float(v))) for v in z]
    from cpc_toolkit.render.figures import _short

    names = [_short(c) for c in courts]
    frame.insert(0, "juridiction", names)
    units = {iid: catalogue.get(iid).unit for iid in indicator_ids}
    labelled = frame.rename(columns={iid: catalogue.get(iid).label for iid in indicator_ids})
    colors = colors.rename(columns={iid: catalogue.get(iid).label for iid in indicator_ids})
    table = Table(labelled.reset_index(drop=True),
                  {catalogue.get(i).label: ("percent" if u == "boolean" else u) for i, u in units.items()})
    # booleans at court level stay oui/non
    for iid, u in units.items():
        if u == "boolean":
            table.units[catalogue.get(iid).label] = "boolean"
    return html_table(table, classes="cpc-table cpc-heat", colors=colors.reset_index(drop=True)), table


def _diverging(z: float) -> str:
    """Blue (better) … white … orange (less good), colour-blind safe."""
    t = max(-1.0, min(1.0, z / 2.0))
    if t >= 0:
        r, g, b = (255 - int(t * (255 - 86)), 255 - int(t * (255 - 180)), 255 - int(t * (255 - 233)))
    else:
        t = -t
        r, g, b = (255 - int(t * (255 - 230)), 255 - int(t * (255 - 159)), 255 - int(t * 255))
    return f"#{r:02x}{g:02x}{b:02x}"
