"""Excel annex of a report: one sheet per table (openpyxl), French number formats, frozen headers.

Text cells that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab, CR) are
written as plain strings with Excel's quote prefix: a court's free text cannot run a formula.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any, cast

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cpc_toolkit import catalogue
from cpc_toolkit.render.tables import Table
from cpc_toolkit.settings import DEMO_LABEL
from cpc_toolkit.store import atomic_write_bytes

__all__ = ["NUMBER_FORMATS", "neutralise", "write_annex"]

# Excel stores numbers; the display follows each unit's format of the presentation vocabulary
# (French Excel shows « 1 234,5 »)
NUMBER_FORMATS = {u.id: u.excel for u in catalogue.units().values() if u.excel}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FILL = PatternFill("solid", fgColor="E3E3FD")
_MAX_SHEET = 31


def neutralise(text: str) -> tuple[str, bool]:
    """(text, needs quote prefix): strings starting like a formula are flagged."""
    return text, text.startswith(_FORMULA_START)


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in '[]:*?/\\' else ch for ch in name)[:_MAX_SHEET] or "Feuille"
    base, k = clean, 2
    while clean in used:
        clean = f"{base[:_MAX_SHEET - 3]} {k}"
        k += 1
    used.add(clean)
    return clean


def annex_bytes(tables: dict[str, Table], title: str, demo: bool) -> bytes:
    """The workbook as bytes (deterministic content; no formula anywhere)."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    used: set[str] = set()
    for name, table in tables.items():
        ws = wb.create_sheet(_sheet_name(name, used))
        df = table.frame
        cols = [c for c in df.columns if not str(c).startswith("_")]
        start = 1
        if demo:
            ws.cell(row=1, column=1, value=f"{DEMO_LABEL} — {title}").font = Font(bold=True, color="B34000")
            start = 2
        for j, col in enumerate(cols, start=1):
            cell = ws.cell(row=start, column=j, value=str(col))
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for i, row in enumerate(cast(list[dict[str, Any]], df.to_dict("records")), start=start + 1):
            for j, col in enumerate(cols, start=1):
                _write(ws.cell(row=i, column=j), row[col], table.unit_of(row, col))
        ws.freeze_panes = ws.cell(row=start + 1, column=2 if len(cols) > 1 else 1)
        if len(df):
            ws.auto_filter.ref = f"A{start}:{get_column_letter(len(cols))}{start + len(df)}"
        for j, col in enumerate(cols, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200)]) + 2
            ws.column_dimensions[get_column_letter(j)].width = min(max(10, width), 60)
    wb.properties.title = title
    wb.properties.creator = "cpc_toolkit"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _write(cell: object, value: object, unit: str | None) -> None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        cell.value = None  # type: ignore[attr-defined]
        return
    if unit in NUMBER_FORMATS and isinstance(value, int | float):
        cell.value = float(value)  # type: ignore[attr-defined]
        cell.number_format = NUMBER_FORMATS[unit]  # type: ignore[attr-defined]
        return
    if isinstance(value, int | float) and unit is None:
        cell.value = value  # type: ignore[attr-defined]
        return
    text, quote = neutralise(str(value))
    cell.value = text  # type: ignore[attr-defined]
    cell.data_type = "s"  # type: ignore[attr-defined]  # never a formula
    if quote:
        cell.quotePrefix = True  # type: ignore[attr-defined]
    cell.alignment = Alignment(wrap_text=len(text) > 60, vertical="top")  # type: ignore[attr-defined]


def write_annex(tables: dict[str, Table], path: Path, title: str, demo: bool) -> Path:
    """Write the Excel annex atomically; return its path."""
    atomic_write_bytes(path, annex_bytes(tables, title, demo))
    return path
