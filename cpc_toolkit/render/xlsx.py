"""Excel annex of a report: one sheet per table (XlsxWriter), French number formats, frozen headers.

The annex is written once and never read back, so it goes through XlsxWriter, a write-only library
faster than openpyxl for this (``benchmarks/annexe_excel.py`` compares both, cell by cell). Text cells
are always written as strings, never formulas; those a spreadsheet would read as a formula (``=``,
``+``, ``-``, ``@``, tab, CR) also get Excel's quote prefix: a court's free text cannot run a formula.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from cpc_toolkit import catalogue
from cpc_toolkit.render.tables import Table
from cpc_toolkit.settings import DEMO_LABEL
from cpc_toolkit.store import atomic_write_bytes

__all__ = ["NUMBER_FORMATS", "annex_bytes", "neutralise", "write_annex"]

# Excel stores numbers; the display follows each unit's format of the presentation vocabulary
# (French Excel shows « 1 234,5 »)
NUMBER_FORMATS = {u.id: u.excel for u in catalogue.units().values() if u.excel}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HEADER = {"bold": True, "bg_color": "#E3E3FD", "pattern": 1, "text_wrap": True, "valign": "top"}
_BANNER = {"bold": True, "font_color": "#B34000"}
_MAX_SHEET = 31
_WRAP_FROM = 60  # text longer than this wraps in its cell


def neutralise(text: str) -> tuple[str, bool]:
    """(text, needs quote prefix): strings starting like a formula are flagged."""
    return text, text.startswith(_FORMULA_START)


def _sheet_name(name: str, used: set[str]) -> str:
    # Excel's rules: ≤ 31 characters, none of []:*?/\, no apostrophe at either end, unique ignoring case
    clean = "".join("_" if ch in '[]:*?/\\' else ch for ch in name)[:_MAX_SHEET].strip("'") or "Feuille"
    base, k = clean, 2
    while clean.casefold() in used:
        clean = f"{base[:_MAX_SHEET - 3]} {k}"
        k += 1
    used.add(clean.casefold())
    return clean


class _Formats:
    """XlsxWriter formats are workbook objects: one per distinct style, created on first use."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self._wb = wb
        self._made: dict[tuple[object, ...], Any] = {}

    def get(self, **props: object) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self._made:
            self._made[key] = self._wb.add_format(dict(props))
        return self._made[key]


def annex_bytes(tables: dict[str, Table], title: str, demo: bool) -> bytes:
    """The workbook as bytes (no formula anywhere)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False,
                                   "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": title, "author": "cpc_toolkit"})
    fmt = _Formats(wb)
    used: set[str] = set()
    for name, table in tables.items():
        ws = wb.add_worksheet(_sheet_name(name, used))
        df = table.frame
        cols = [c for c in df.columns if not str(c).startswith("_")]
        start = 0  # 0-based row of the header line
        if demo:
            ws.write_string(0, 0, f"{DEMO_LABEL} — {title}", fmt.get(**_BANNER))
            start = 1
        for j, col in enumerate(cols):
            ws.write_string(start, j, str(col), fmt.get(**_HEADER))
        for i, row in enumerate(table.records(), start=start + 1):
            for j, col in enumerate(cols):
                _write(ws, fmt, i, j, row[col], table.unit_of(row, col))
        ws.freeze_panes(start + 1, 1 if len(cols) > 1 else 0)
        if len(df) and cols:
            ws.autofilter(start, 0, start + len(df), len(cols) - 1)
        for j, col in enumerate(cols):
            width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200)]) + 2
            ws.set_column(j, j, min(max(10, width), 60))
    if not tables:
        wb.add_worksheet("Feuille")
    wb.close()
    return buf.getvalue()


def _write(ws: Any, fmt: _Formats, i: int, j: int, value: object, unit: str | None) -> None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return  # an empty cell: unknown is never written as zero
    if isinstance(value, bool):
        ws.write_boolean(i, j, value)
        return
    if unit in NUMBER_FORMATS and isinstance(value, int | float):
        ws.write_number(i, j, float(value), fmt.get(num_format=NUMBER_FORMATS[unit]))
        return
    if isinstance(value, int | float) and unit is None:
        if math.isfinite(value):
            ws.write_number(i, j, value)
            return
    text, quote = neutralise(str(value))
    if not text:
        return  # an empty text is an empty cell
    ws.write_string(i, j, text, fmt.get(valign="top", text_wrap=len(text) > _WRAP_FROM, quote_prefix=quote))


def write_annex(tables: dict[str, Table], path: Path, title: str, demo: bool) -> Path:
    """Write the Excel annex atomically; return its path."""
    atomic_write_bytes(path, annex_bytes(tables, title, demo))
    return path
