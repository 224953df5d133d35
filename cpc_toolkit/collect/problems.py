"""Problems found in a submitted workbook: the problem table and the error report (xlsx).

A problem is located as the user sees it (file, sheet, A1 cell), names the indicator, the value
found and the rule, carries a French message saying how to fix it, a reason code from
:class:`cpc_toolkit.errors.ReasonCode` and a level (``erreur`` rejects the file,
``avertissement`` is only listed).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cpc_toolkit import catalogue
from cpc_toolkit.collect.workbook import set_safe_value
from cpc_toolkit.errors import CatalogueError, Location, ReasonCode
from cpc_toolkit.files import atomic_write_bytes
from cpc_toolkit.safeopen import inspect, open_workbook, printable
from cpc_toolkit.settings import DEMO_LABEL

__all__ = [
    "ERROR",
    "PROBLEM_COLUMNS",
    "PROBLEM_LABELS",
    "WARNING",
    "HasProblems",
    "Problem",
    "error_report_bytes",
    "problems_frame",
    "write_error_report",
]

ERROR = "erreur"
WARNING = "avertissement"
PROBLEM_COLUMNS = ["file", "level", "sheet", "cell", "indicator", "label", "value", "rule", "message", "reason"]
PROBLEM_LABELS = {
    "file": "fichier", "level": "gravité", "sheet": "feuille", "cell": "cellule", "indicator": "indicateur",
    "label": "libellé", "value": "valeur trouvée", "rule": "règle", "message": "comment corriger",
    "reason": "code",
}
_RED = PatternFill("solid", fgColor="FF7C80")
_ORANGE = PatternFill("solid", fgColor="FFD966")
_BOLD = Font(bold=True)
_VALUE_MAX = 200


@dataclass(frozen=True)
class Problem:
    """One located problem of a submitted file."""

    file: str
    message: str
    reason: ReasonCode
    level: str = ERROR
    sheet: str | None = None
    cell: str | None = None
    indicator: str | None = None
    value: str = ""
    rule: str = ""
    # every (sheet, cell) concerned, for highlighting (a consistency check spans several cells)
    cells: tuple[tuple[str, str], ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    @property
    def location(self) -> Location:
        return Location(file=self.file, sheet=self.sheet, cell=self.cell)

    @property
    def label(self) -> str:
        if not self.indicator:
            return ""
        try:
            return catalogue.get(self.indicator).label
        except CatalogueError:
            return ""

    def __str__(self) -> str:
        return self.describe(with_file=True)

    def describe(self, with_file: bool = False) -> str:
        """One French line; without the file name when printed under the file's own heading."""
        loc = self.location if with_file else Location(sheet=self.sheet, cell=self.cell)
        where = str(loc) or "classeur"
        what = f" [{self.indicator}]" if self.indicator else ""
        found = f" Valeur trouvée : « {self.value} »." if self.value != "" else ""
        return f"{self.level} — {where}{what} : {self.message}{found} [{self.reason.value}]"


class HasProblems:
    """Errors / warnings split of an object carrying ``problems`` (a parsed file, an import outcome)."""

    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def show_value(value: object) -> str:
    """A found value as short text for messages and tables."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, dt.date):
        text = value.isoformat()[:10]
    text = printable(text.replace("\r", " ").replace("\n", " "))
    return text if len(text) <= _VALUE_MAX else text[:_VALUE_MAX] + "…"


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """The problem table (one row per problem, stable columns)."""
    rows = [{"file": p.file, "level": p.level, "sheet": p.sheet or "", "cell": p.cell or "",
             "indicator": p.indicator or "", "label": p.label, "value": p.value, "rule": p.rule,
             "message": p.message, "reason": p.reason.value} for p in problems]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)


def _list_sheet(wb: openpyxl.Workbook, problems: list[Problem], title: str, demo: bool) -> None:
    name = "Problèmes"
    while name in wb.sheetnames:
        name += "_"
    ws = wb.create_sheet(name, 0)
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13, color="C00000")
    ws["A2"] = ("Corrigez les cellules signalées en rouge (erreurs) dans votre classeur, puis renvoyez-le. "
                "Les cellules en orange sont des avertissements : vérifiez-les, elles ne bloquent pas l'import.")
    if demo:
        ws["A3"] = f"⚠ {DEMO_LABEL}."
        ws["A3"].font = Font(bold=True, color="C00000")
    df = problems_frame(problems)
    cols = ["level", "sheet", "cell", "indicator", "label", "value", "rule", "message", "reason"]
    widths = [14, 20, 12, 30, 40, 30, 40, 80, 22]
    for j, (col, width) in enumerate(zip(cols, widths, strict=True), 1):
        c = ws.cell(5, j, PROBLEM_LABELS[col])
        c.font = _BOLD
        ws.column_dimensions[get_column_letter(j)].width = width
    for i, row in enumerate(df[cols].itertuples(index=False), 6):
        for j, v in enumerate(row, 1):
            c = ws.cell(i, j)
            set_safe_value(c, v)  # found values may be hostile text: never formulas
            c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(i, 1).fill = _RED if row[0] == ERROR else _ORANGE
    ws.freeze_panes = "A6"


def error_report_bytes(problems: list[Problem], data: bytes | None, file_name: str, demo: bool = False) -> bytes:
    """The error report of a rejected file: the court's workbook with the problem cells highlighted
    (and commented), plus a « Problèmes » list sheet first. When the file cannot be opened at all,
    the report is the list alone."""
    wb = None
    # the workbook is re-opened only when the shared safe-open kernel accepts its bytes: a file refused
    # for its size, a bomb or a DTD gets the list alone (bounded time and memory)
    if data is not None and not inspect(data, file_name):
        wb, _ = open_workbook(data)
    if wb is None:
        wb = openpyxl.Workbook()
        wb.remove(wb.worksheets[0])
    else:
        wb.security = None
        _highlight(wb, problems)
        _neutralise_strings(wb)
    n_err = sum(p.is_error for p in problems)
    _list_sheet(wb, problems, f"Classeur « {file_name} » refusé : {n_err} erreur(s) à corriger", demo)
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _highlight(wb: openpyxl.Workbook, problems: list[Problem]) -> None:
    notes: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        for sheet, coord in p.cells:
            notes.setdefault((sheet, coord), []).append(p)
    for (sheet, coord), probs in notes.items():
        if sheet not in wb.sheetnames:
            continue
        ws = wb[sheet]
        try:
            cell = ws[coord]
        except (ValueError, KeyError):
            continue
        if isinstance(cell, tuple):
            continue
        cell.fill = _RED if any(p.is_error for p in probs) else _ORANGE
        text = "\n".join(f"{p.level} : {p.message}" for p in probs)[:2000]
        cell.comment = Comment(text, "cpc importer", width=320, height=160)


def _neutralise_strings(wb: openpyxl.Workbook) -> None:
    """Make every text cell starting with = + - @ inert in the re-exported workbook."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "s" and isinstance(cell.value, str):
                    set_safe_value(cell, cell.value)


def write_error_report(path: Path, problems: list[Problem], data: bytes | None, file_name: str,
                       demo: bool = False) -> Path:
    atomic_write_bytes(Path(path), error_report_bytes(problems, data, file_name, demo))
    return Path(path)
