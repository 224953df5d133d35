"""The lists of the CLPC workbook (sheet « Compte rendu »): members, agenda, decisions and suites.

Each list of the catalogue (:func:`cpc_toolkit.catalogue.lists`) is a zone of ``rows`` input rows
under a header, reached through one workbook-level defined name (the list id) that covers the
zone. The import reads the zone by that name only, checks each cell (« oui »/« non » columns,
length, confidentiality: no case number nor company identifier anywhere; names of people only in
the columns that allow them) and stores the non-empty rows as JSON text under the list id.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import column_index_from_string, get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from cpc_toolkit import catalogue
from cpc_toolkit.collect import layout
from cpc_toolkit.errors import ReasonCode

if TYPE_CHECKING:  # problems imports the workbook writer, which imports this module
    from cpc_toolkit.collect.problems import Problem

__all__ = ["LIST_PLACEHOLDER", "decode_rows", "read_lists", "write_lists_sheet"]

LIST_PLACEHOLDER = "~~L:{}.{}.{}~~"  # list id, row, column (FastFiller)
_RANGE = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!:]+))!\$?([A-Z]{1,3})\$?(\d{1,7}):\$?([A-Z]{1,3})\$?(\d{1,7})$")
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_INPUT = PatternFill("solid", fgColor="FFF2CC")
_HEAD = PatternFill("solid", fgColor="D9E1F2")
_WRAP = Alignment(wrap_text=True, vertical="top")


def decode_rows(text: str | None) -> list[dict[str, str]]:
    """The rows of a stored list (see :func:`cpc_toolkit.catalogue.list_rows`)."""
    return catalogue.list_rows(text)


def write_lists_sheet(wb: Any, year: int, filled: dict[str, list[dict[str, str]]] | None, demo_label: str = "") \
        -> None:
    """Add the « Compte rendu » sheet (``filled=None``: placeholders for :class:`FastFiller`)."""
    specs = catalogue.lists()
    if not specs:
        return
    ws = wb.create_sheet(layout.LISTS_SHEET)
    ws["A1"] = f"Compte rendu du conseil local de politique civile — année {year}"
    ws["A1"].font = Font(bold=True, size=14, color="1F3864")
    ws["A2"] = ("Listes reprises dans la convocation et le compte rendu. Les noms de personnes ne sont admis que "
                "dans la colonne « Nom » des membres du conseil ; aucun nom de partie ni numéro d'affaire.")
    ws["A2"].font = Font(size=9, color="595959")
    if demo_label:
        ws["A3"] = f"⚠ {demo_label}."
        ws["A3"].font = Font(bold=True, color="C00000", size=12)
    width = max(len(s.columns) for s in specs)
    for ci in range(1, width + 1):
        ws.column_dimensions[get_column_letter(ci)].width = 40 if ci <= 3 else 12
    yes_no = DataValidation(type="list", formula1='"oui,non"', allow_blank=True, showErrorMessage=True,
                            errorTitle="Valeur refusée", error="Choisissez « oui » ou « non » dans la liste.")
    length = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(layout.LIST_CELL_MAX_CHARS),
                            allow_blank=True, showErrorMessage=True, errorTitle="Valeur refusée",
                            error=f"Texte limité à {layout.LIST_CELL_MAX_CHARS} caractères.")
    ws.add_data_validation(yes_no)
    ws.add_data_validation(length)
    r = 5
    for spec in specs:
        ws.cell(r, 1, spec.label).font = Font(bold=True, size=12)
        ws.cell(r + 1, 1, spec.definition).font = Font(size=9, color="595959")
        for j, col in enumerate(spec.columns, 1):
            c = ws.cell(r + 2, j, col.label)
            c.font, c.fill, c.border = Font(bold=True), _HEAD, _BOX
        top = r + 3
        rows = (filled or {}).get(spec.id, [])
        for i in range(spec.rows):
            for j, col in enumerate(spec.columns, 1):
                c = ws.cell(top + i, j)
                c.fill, c.border, c.alignment = _INPUT, _BOX, _WRAP
                c.protection = Protection(locked=False)
                (yes_no if col.kind == "boolean" else length).add(c.coordinate)
                if filled is None:
                    c.value = LIST_PLACEHOLDER.format(spec.id, i, j - 1)
                elif i < len(rows) and rows[i].get(col.id):
                    value = rows[i][col.id]
                    c.value = value
                    if value.startswith(layout.FORMULA_PREFIXES):
                        c.data_type, c.quotePrefix = "s", True
        bottom = top + spec.rows - 1
        ref = f"{quote_sheetname(ws.title)}!$A${top}:${get_column_letter(len(spec.columns))}${bottom}"
        wb.defined_names[spec.id] = DefinedName(spec.id, attr_text=ref)
        r = bottom + 3
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def read_lists(wb: Any, names: dict[str, Any], file: str, identifying: Callable[[str], str | None],
               tolerate_missing: bool) -> tuple[list[tuple[str, float, str | None, str]], list[Problem]]:
    """Values (list id, NaN, JSON rows, "ok") of every non-empty list, and the problems found."""
    from cpc_toolkit.collect.problems import Problem, show_value

    values: list[tuple[str, float, str | None, str]] = []
    problems: list[Problem] = []
    for spec in catalogue.lists():
        dn = names.get(spec.id)
        if dn is None:
            if not tolerate_missing:
                problems.append(Problem(
                    file=file, reason=ReasonCode.NAME_MISSING, rule=f"nom défini « {spec.id} »",
                    message=f"Le nom défini « {spec.id} » (liste « {spec.label} ») est absent du classeur : repartez "
                            "du modèle fourni (« cpc modeles ») et recopiez vos valeurs."))
            continue
        text = str(getattr(dn, "attr_text", "") or "").strip()
        m = _RANGE.match(text)
        if m is None:
            problems.append(Problem(file=file, reason=ReasonCode.NAME_MISSING, rule=f"nom défini « {spec.id} »",
                                    value=show_value(text),
                                    message=f"Le nom défini « {spec.id} » ne désigne plus la zone de la liste "
                                            f"« {spec.label} ». Repartez du modèle fourni."))
            continue
        sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
        c0, r0 = column_index_from_string(m.group(3)), int(m.group(4))
        c1, r1 = column_index_from_string(m.group(5)), int(m.group(6))
        if sheet not in wb.sheetnames or (c1 - c0 + 1, r1 - r0 + 1) != (len(spec.columns), spec.rows):
            problems.append(Problem(file=file, reason=ReasonCode.NAME_MISSING, rule=f"nom défini « {spec.id} »",
                                    value=show_value(text),
                                    message=f"La zone de la liste « {spec.label} » a été déplacée ou redimensionnée "
                                            f"(« {text} »). Repartez du modèle fourni."))
            continue
        cells = getattr(wb[sheet], "_cells", {})
        rows: list[dict[str, str]] = []
        for i in range(spec.rows):
            row: dict[str, str] = {}
            for j, col in enumerate(spec.columns):
                coord = f"{get_column_letter(c0 + j)}{r0 + i}"
                cell = cells.get((r0 + i, c0 + j))
                value = None if cell is None else cell.value
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                got = _cell(spec, col, value, cell.data_type if cell is not None else "", file, sheet, coord,
                            identifying)
                if isinstance(got, Problem):
                    problems.append(got)
                else:
                    row[col.id] = got
            if row:
                rows.append(row)
        if rows:
            values.append((spec.id, math.nan, json.dumps(rows, ensure_ascii=False, sort_keys=True), "ok"))
    return values, problems


def _cell(spec: catalogue.ListSpec, col: catalogue.ListColumn, value: Any, data_type: str, file: str, sheet: str,
          coord: str, identifying: Callable[[str], str | None]) -> str | Problem:
    from cpc_toolkit.collect.problems import Problem, show_value

    def prob(message: str, reason: ReasonCode, rule: str) -> Problem:
        return Problem(file=file, sheet=sheet, cell=coord, reason=reason, rule=rule, value=show_value(value),
                       cells=((sheet, coord),), message=f"{spec.label}, colonne « {col.label} » : {message}")

    if data_type == "f":
        return prob("la cellule contient une formule ; saisissez directement le texte.", ReasonCode.TYPE_TEXT,
                    "texte saisi")
    text = value.isoformat()[:10] if hasattr(value, "isoformat") else str(value).strip()
    if col.kind == "boolean":
        word = {"true": "oui", "false": "non"}.get(text.lower(), text.lower())
        if word not in layout.BOOLEAN_WORDS:
            return prob("saisissez « oui » ou « non ».", ReasonCode.TYPE_BOOLEAN, "oui ou non")
        return word
    if len(text) > layout.LIST_CELL_MAX_CHARS:
        return prob(f"texte trop long (au plus {layout.LIST_CELL_MAX_CHARS} caractères).", ReasonCode.TYPE_TEXT,
                    "longueur du texte")
    found = identifying(text)
    if found:
        return prob(f"le texte contient {found} : un compte rendu n'évoque aucune affaire individuelle (circulaire "
                    "§ 1.2). Retirez-le.", ReasonCode.CONFIDENTIAL, "confidentialité")
    return text
