"""Tables shared by reports, dashboards and the CLI: builders, cell formatting, HTML rendering.

Builders return a :class:`Table`: *raw* values (floats, dates as text) with French column names
and the unit of each numeric column; formatting to ``1 234,5`` happens only in :func:`cell_text`
(through :meth:`Table.formatted` and :func:`html_table`), and in Excel through number formats.
Values are read through the one lookup API (:func:`cpc_toolkit.compute.value`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cpc_toolkit import catalogue, compute, reference
from cpc_toolkit.fr import format_number, format_value, is_missing
from cpc_toolkit.render.figures import HEAT_MARKS, HEAT_THRESHOLD, heat_colour, heat_mark

__all__ = [
    "Table",
    "cell_text",
    "heat_table_html",
    "html_table",
    "indicator_table",
    "unit_values",
    "values_by_unit",
]

values_by_unit = compute.values_by_unit  # the one lookup API (kept here for the report modules)


class Table:
    """A report table: raw DataFrame + the unit of each numeric column (for HTML and Excel)."""

    def __init__(self, frame: pd.DataFrame, units: dict[str, str | None] | None = None,
                 row_units: str | None = None) -> None:
        self.frame = frame
        self.units = units or {}
        self.row_units = row_units  # name of a column holding each row's unit (indicator tables)

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts of Python values, as ``frame.to_dict("records")`` gives them, read from
        one object array (``to_dict`` builds a Series per column: ≈ 1 ms for each of the ~50
        tables of a report, drawn, exported and compared)."""
        cols = list(self.frame.columns)
        return [dict(zip(cols, row, strict=True)) for row in self.frame.to_numpy(dtype=object).tolist()]

    def unit_of(self, row: Mapping[str, Any], column: str) -> str | None:
        if column in self.units:
            return self.units[column]
        if self.row_units and column != self.row_units and self.row_units in row:
            return str(row[self.row_units])
        return None

    def formatted(self, missing: str | None = None) -> pd.DataFrame:
        """The table as French text (visible columns only), each cell through :func:`cell_text`."""
        cols = [c for c in self.frame.columns if not str(c).startswith("_")]
        rows = [{c: cell_text(row[c], self.unit_of(row, c), missing) for c in cols}
                for row in self.records()]
        return pd.DataFrame(rows, columns=cols)


def cell_text(value: object, unit: str | None, missing: str | None = None) -> str:
    """One table cell as French text: a value in its unit, or plain text (``missing`` for unknown)."""
    if unit is None:
        if is_missing(value) or (isinstance(value, float) and math.isnan(value)):
            return format_value(None, "text", missing=missing)
        return str(value)
    return format_value(value, unit, missing=missing)


def _cell(value: object, unit: str | None) -> tuple[str, bool]:
    return html.escape(cell_text(value, unit)), unit is not None and unit not in ("text", "date")


def html_table(table: Table, hide: Sequence[str] = (), classes: str = "cpc-table",
               colors: pd.DataFrame | None = None, marks: pd.DataFrame | None = None) -> str:
    """HTML rendering with French number formats; ``colors`` (same shape) gives cell backgrounds,
    ``marks`` (same shape) ``(symbol, words)`` pairs shown after the value (not colour alone)."""
    df = table.frame
    cols = [c for c in df.columns if c not in hide and not str(c).startswith("_")]
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in cols)
    rows = []
    for i, row in enumerate(table.records()):
        tds = []
        for c in cols:
            text, num = _cell(row[c], table.unit_of(row, c))
            style = ""
            if colors is not None and c in colors.columns:
                bg = colors.iloc[i][c]
                if isinstance(bg, str) and bg:
                    style = f' style="background:{bg}"'
            if marks is not None and c in marks.columns:
                mark = marks.iloc[i][c]
                if isinstance(mark, tuple) and mark[0]:
                    text += (f' <span class="cpc-mark" aria-hidden="true">{mark[0]}</span>'
                             f'<span class="cpc-sr"> ({html.escape(mark[1])})</span>')
            tds.append(f'<td class="num"{style}>{text}</td>' if num else f"<td{style}>{text}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return f'<table class="{classes}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def unit_values(res: pd.DataFrame, unit_ids: Sequence[str], year: int, indicator_id: str,
                unit_header: str = "Unité", value_header: str = "Valeur") -> Table:
    """One row per unit: its name and its value of one indicator for ``year``, in the unit's display
    unit at its level (dashboards' data tables, CLI)."""
    rows = [{unit_header: reference.court_name(u), value_header: compute.value(res, u, year, indicator_id),
             "_unit": catalogue.display_unit(indicator_id, reference.level_of(u))} for u in unit_ids]
    frame = pd.DataFrame(rows, columns=[unit_header, value_header, "_unit"])
    return Table(frame, row_units="_unit", units={unit_header: None})


def indicator_table(res: pd.DataFrame, unit_id: str, year: int, indicator_ids: Sequence[str],
                    compare: bool = True) -> Table:
    """One row per indicator: value in ``year`` and ``year - 1`` and, for a court, its cour, the
    nation and the median of its size class; for a cour, the nation."""
    _value = compute.value
    level = reference.level_of(unit_id)
    cour = reference.cour_of(unit_id) if level == "juridiction" else None
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
            row[_cour_col()] = _value(res, cour, year, iid)
            row["_unit_ref"] = compute.display_unit(iid, "cour")
            taille = pos.get((iid, "taille"))
            row["médiane taille"] = float(taille[0]) if taille else np.nan
            incour = pos.get((iid, "cour"))
            row["rang dans la cour"] = f"{int(incour[1])}/{int(incour[2])}" if incour else "–"
        if compare and level != "national":
            row[_nation_col()] = _value(res, reference.NATIONAL, year, iid)
            row["_unit_ref"] = compute.display_unit(iid, "national")
        rows.append(row)
    return _RefTable(pd.DataFrame(rows), row_units="_unit")


def _cour_col() -> str:
    return reference.level_label("cour")


def _nation_col() -> str:
    return reference.national_name(short=True)


class _RefTable(Table):
    """Indicator table: own columns in the unit's display unit, reference columns in theirs."""

    def unit_of(self, row: Mapping[str, Any], column: str) -> str | None:
        if column in ("indicateur", "rang dans la cour", "_unit", "_unit_ref"):
            return None
        if column in (_cour_col(), _nation_col()) and "_unit_ref" in row:
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
    marks = pd.DataFrame([[("", "")] * len(frame.columns)] * len(frame.index), index=frame.index,
                         columns=frame.columns, dtype=object)
    for iid in indicator_ids:
        ind = catalogue.get(iid)
        col = wide_all[iid].dropna()
        if len(col) < 2 or ind.direction == "neutral" or col.std() == 0:
            continue
        z = (frame[iid] - col.mean()) / col.std() * (1 if ind.direction == "higher" else -1)
        colors[iid] = [("" if pd.isna(v) else heat_colour(float(v))) for v in z]
        marks[iid] = pd.Series([heat_mark(math.nan if pd.isna(v) else float(v)) for v in z], index=frame.index,
                               dtype=object)
    names = [reference.short_name(c) for c in courts]
    frame.insert(0, "juridiction", names)
    units = {iid: catalogue.get(iid).unit for iid in indicator_ids}
    labelled = frame.rename(columns={iid: catalogue.get(iid).label for iid in indicator_ids})
    colors = colors.rename(columns={iid: catalogue.get(iid).label for iid in indicator_ids})
    marks = marks.rename(columns={iid: catalogue.get(iid).label for iid in indicator_ids})
    table = Table(labelled.reset_index(drop=True),
                  {catalogue.get(i).label: ("percent" if u == "boolean" else u) for i, u in units.items()})
    # booleans at court level stay oui/non
    for iid, u in units.items():
        if u == "boolean":
            table.units[catalogue.get(iid).label] = "boolean"
    key = (f'<p class="cpc-muted">{HEAT_MARKS[0][0]} {HEAT_MARKS[0][1]}, {HEAT_MARKS[1][0]} {HEAT_MARKS[1][1]} '
           f"que la moyenne des juridictions (écart d'au moins {format_number(HEAT_THRESHOLD, 1)} écart-type) ; "
           "sans signe : proche de la moyenne.</p>")
    return key + html_table(table, classes="cpc-table cpc-heat", colors=colors.reset_index(drop=True),
                            marks=marks.reset_index(drop=True)), table
