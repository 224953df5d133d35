"""Generation of the collection workbooks (openpyxl), entirely from the catalogue.

One workbook per court and year: a « Lisez-moi » sheet (identity, how to fill, statuses), one
sheet per family with, for every input indicator, its label, a value cell, a status cell, its
unit, whether it is required, its definition and its legal basis; a « Contrôles » sheet whose
Excel formulas show the catalogue's cross-field checks while the user types. Every value cell
carries a workbook-level defined name equal to its indicator id (``<id>__statut`` for the status
cell); the identity cells carry ``cpc_juridiction``, ``cpc_cour``, ``cpc_annee``, ``cpc_modele``.
Sheets are protected (no password: the lock prevents accidents, not malice); only the input
cells are unlocked.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from cpc_toolkit import catalogue, reference
from cpc_toolkit.collect import layout
from cpc_toolkit.collect.formulas import RESULT_BAD, RESULT_OK, RESULT_PENDING, RESULT_WARN, check_formula
from cpc_toolkit.collect.lists import decode_rows, write_lists_sheet
from cpc_toolkit.errors import ReasonCode, UsageError
from cpc_toolkit.files import atomic_write_bytes
from cpc_toolkit.settings import DEMO_LABEL, shipped_dir

__all__ = [
    "TEMPLATE_DIR",
    "blank_template_path",
    "build_workbook",
    "first_sheet",
    "set_safe_value",
    "workbook_bytes",
    "write_blank_template",
    "write_workbooks",
]

TEMPLATE_DIR = shipped_dir("data_templates")

# value, status, unit, required, definition, legal basis, id
COL_LABEL, COL_VALUE, COL_STATUS, COL_UNIT, COL_REQUIRED, COL_DEF, COL_LEGAL, COL_ID = range(1, 9)
HEADERS = ("Indicateur", "Valeur", "Statut", "Unité", "Obligatoire", "Définition", "Base légale", "Identifiant")
WIDTHS = (48, 14, 9, 10, 12, 80, 38, 34)
FIRST_ROW = 5
# ASCII only: with lxml installed, openpyxl writes non-ASCII characters as character references
_PLACEHOLDER = "~~{}~~"

_TITLE = Font(bold=True, size=14, color="1F3864")
_BOLD = Font(bold=True)
_DEMO = Font(bold=True, color="C00000", size=12)
_SMALL = Font(size=9, color="595959")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_RED_FILL = PatternFill("solid", fgColor="F8CBAD")
_ORANGE_FILL = PatternFill("solid", fgColor="FFE699")
_GREEN_FILL = PatternFill("solid", fgColor="C6EFCE")
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)

UNIT_HELP = {
    "count": "nombre entier positif ou nul",
    "percent": "pourcentage entre 0 et 100",
    "days": "nombre de jours (décimales permises)",
    "months": "nombre de mois (décimales permises)",
    "fte": "ETPT, équivalents temps plein travaillé (décimales permises)",
    "boolean": "« oui » ou « non »",
    "date": "date JJ/MM/AAAA",
    "text": f"texte libre (au plus {layout.TEXT_MAX_CHARS} caractères)",
}


def first_sheet(wb: Workbook) -> Worksheet:
    """The worksheet a new workbook starts with (openpyxl types ``Workbook.active`` loosely)."""
    ws = wb.active
    if not isinstance(ws, Worksheet):
        raise TypeError(f"feuille active inattendue : {type(ws).__name__}")
    return ws


def set_safe_value(cell: Cell | MergedCell, value: Any) -> None:
    """Write a value; text that Excel could take for a formula (= + - @) stays inert text.

    openpyxl turns any string starting with ``=`` into a formula: we force the string type and
    set Excel's « quote prefix » so that the text is shown, never evaluated, even after editing.
    """
    cell.value = value
    if isinstance(value, str) and value.startswith(layout.FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True


def _add_name(wb: Workbook, name: str, ws: Worksheet, coord: str) -> None:
    col, row = "".join(c for c in coord if c.isalpha()), "".join(c for c in coord if c.isdigit())
    wb.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(ws.title)}!${col}${row}")


class _Validations:
    """Data validations of one sheet, grouped by rule (one <dataValidation> per rule)."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.by_key: dict[tuple[Any, ...], DataValidation] = {}

    def add(self, coord: str, key: tuple[Any, ...], **kwargs: Any) -> None:
        dv = self.by_key.get(key)
        if dv is None:
            dv = DataValidation(allow_blank=True, showErrorMessage=True, errorStyle="stop", **kwargs)
            self.by_key[key] = dv
            self.ws.add_data_validation(dv)
        dv.add(coord)


def _validation_for(ind: catalogue.Indicator, year: int) -> tuple[tuple[Any, ...], dict[str, Any]]:
    lo, hi = layout.effective_bounds(ind)
    title = "Valeur refusée"
    if ind.unit == "boolean":
        return ("list",), {"type": "list", "formula1": '"oui,non"', "errorTitle": title,
                           "error": "Choisissez « oui » ou « non » dans la liste."}
    if ind.unit == "date":
        return ("date", year), {"type": "date", "operator": "between", "formula1": f"DATE({year},1,1)",
                                "formula2": f"DATE({year},12,31)", "errorTitle": title,
                                "error": f"Saisissez une date de l'année {year} au format JJ/MM/AAAA."}
    if ind.unit == "text":
        return ("text",), {"type": "textLength", "operator": "lessThanOrEqual",
                           "formula1": str(layout.TEXT_MAX_CHARS), "errorTitle": title,
                           "error": f"Texte limité à {layout.TEXT_MAX_CHARS} caractères."}
    kind = "whole" if ind.unit == "count" else "decimal"
    lo = 0.0 if lo is None else lo
    what = "un nombre entier" if kind == "whole" else "un nombre"
    if hi is None:
        return (kind, lo), {"type": kind, "operator": "greaterThanOrEqual", "formula1": _num(lo),
                            "errorTitle": title, "error": f"Saisissez {what} supérieur ou égal à {_num(lo)}."}
    return (kind, lo, hi), {"type": kind, "operator": "between", "formula1": _num(lo), "formula2": _num(hi),
                            "errorTitle": title,
                            "error": f"Saisissez {what} compris entre {_num(lo)} et {_num(hi)}."}


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _identity(court_id: str | None) -> tuple[str, str, str]:
    if court_id is None:
        return "", "", ""
    row = reference.court(court_id)
    if row["kind"] not in reference.FIRST_INSTANCE_KINDS:
        raise UsageError(f"« {court_id} » n'est pas un tribunal judiciaire ni un tribunal de première "
                         "instance : les classeurs de collecte concernent les 168 TJ et TPI.",
                         ReasonCode.UNKNOWN_COURT)
    cour = reference.cour_of(court_id)
    return str(row["name"]), cour, reference.court_name(cour)


def _cell_value(ind: catalogue.Indicator, value: float, text: Any) -> Any:
    if ind.unit == "boolean":
        return "oui" if value >= 0.5 else "non"
    if ind.unit == "date":
        try:
            return dt.date.fromisoformat(str(text)[:10])
        except ValueError:
            return str(text)
    if ind.unit == "text":
        return str(text)
    if ind.unit == "count" and float(value).is_integer():
        return int(value)
    return float(value)


def _values_map(values: pd.DataFrame | None) -> dict[str, tuple[float, Any, str]]:
    if values is None or values.empty:
        return {}
    vals = values["value"] if "value" in values else pd.Series(math.nan, index=values.index)
    texts = values["text"] if "text" in values else pd.Series(None, index=values.index)
    stats = values["status"] if "status" in values else pd.Series("ok", index=values.index)
    return {str(i): (float(v) if pd.notna(v) else math.nan, t if isinstance(t, str) else None, str(s))
            for i, v, t, s in zip(values["indicator_id"], vals, texts, stats, strict=True)}


def build_workbook(court_id: str | None, year: int, values: pd.DataFrame | None = None, *, demo: bool = False,
                   deadline: str | None = None, contact: str | None = None) -> Workbook:
    """The collection workbook of one court-year (``court_id=None``: blank template).

    ``values`` (columns indicator_id, value, text, status) pre-fills the input cells, e.g. for the
    demo or to send a court back what it submitted.
    """
    if not 2000 <= int(year) <= 2100:
        raise UsageError(f"Année invalide : {year}.", ReasonCode.UNKNOWN_YEAR)
    name, cour_id, cour_name = _identity(court_id)
    return _build(court_id, name, cour_id, cour_name, int(year), _values_map(values), demo, deadline, contact)


def _build(court_id: str | None, name: str, cour_id: str, cour_name: str, year: int,
           filled: dict[str, tuple[float, Any, str]] | None, demo: bool, deadline: str | None,
           contact: str | None) -> Workbook:
    """``filled=None``: value and status cells hold placeholders (see :class:`FastFiller`)."""
    wb = Workbook()
    readme = first_sheet(wb)
    readme.title = layout.README_SHEET
    _write_readme(wb, readme, court_id, name, cour_id, cour_name, int(year), demo, deadline, contact)
    for sheet, inds in layout.input_sheets():
        ws = wb.create_sheet(sheet)
        _write_family_sheet(wb, ws, sheet, inds, court_id, name, int(year), demo, filled)
    lists = None if filled is None else {s.id: decode_rows(filled[s.id][1]) for s in catalogue.lists() if s.id in filled}
    write_lists_sheet(wb, int(year), lists, DEMO_LABEL if demo else "")
    _write_checks_sheet(wb, wb.create_sheet(layout.CHECKS_SHEET), demo)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.title = f"Politique civile {year} — {name or 'modèle vierge'}"
    wb.properties.creator = "cpc_toolkit"
    wb.properties.created = wb.properties.modified = dt.datetime(int(year), 1, 1)
    return wb


def _protect(ws: Worksheet) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _write_readme(wb: Workbook, ws: Worksheet, court_id: str | None, name: str, cour_id: str, cour_name: str,
                  year: int, demo: bool, deadline: str | None, contact: str | None) -> None:
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 110
    ws["A1"] = f"Politique civile — classeur de collecte {year}"
    ws["A1"].font = _TITLE
    ws["A2"] = "Circulaire CIV/06/2025 du 27 juin 2025 de politique civile (conseils locaux de politique civile)"
    ws["A2"].font = _SMALL
    if demo:
        ws["A3"] = f"⚠ {DEMO_LABEL}."
        ws["A3"].font = _DEMO
    rows: list[tuple[str, Any, str | None]] = [
        ("Juridiction", name or "(saisissez l'identifiant ci-dessous)", None),
        ("Identifiant de la juridiction", court_id or "", layout.NAME_COURT),
        ("Cour d'appel", cour_name, None),
        ("Identifiant de la cour", cour_id, layout.NAME_COUR),
        ("Année de référence", year, layout.NAME_YEAR),
        ("Version du modèle", layout.template_version(), layout.NAME_TEMPLATE),
        ("Date limite de retour", deadline or "celle fixée par la cour d'appel de rattachement", None),
        ("Contact", contact or "service administratif régional (SAR) de la cour d'appel", None),
    ]
    r = 5
    for label, value, defined in rows:
        ws.cell(r, 1, label).font = _BOLD
        c = ws.cell(r, 2, value)
        c.alignment = Alignment(horizontal="left")
        if defined:
            _add_name(wb, defined, ws, c.coordinate)
        if defined == layout.NAME_COURT and not court_id:
            c.fill = _INPUT_FILL
            c.protection = _UNLOCKED
        r += 1
    r += 1
    ws.cell(r, 1, "Comment remplir ce classeur").font = _TITLE
    r += 1
    steps = [
        "Ne renseignez que les cellules jaunes (colonnes « Valeur » et « Statut ») ; le reste du classeur est "
        "verrouillé." + ("" if court_id else " Dans ce modèle vierge, saisissez d'abord l'identifiant de votre "
                         "juridiction ci-dessus (ex. tj-lyon ; liste : « cpc juridictions »)."),
        "Une valeur par cellule : nombres entiers pour les effectifs (sans espace ni unité), durées en mois ou en "
        "jours (décimales permises), « oui » ou « non » dans les listes, dates au format JJ/MM/AAAA.",
        "Donnée indisponible : laissez la valeur vide et choisissez un statut — NA = non disponible, NAP = non "
        "applicable (par exemple compétence transférée au tribunal des activités économiques). NQ = valeur "
        "fournie mais dont la qualité est en cours de vérification (saisissez alors aussi la valeur).",
        "Les lignes « obligatoire » doivent contenir une valeur, ou un statut NA ou NAP.",
        "La feuille « Contrôles » signale les incohérences pendant la saisie (par exemple : stock au 31 décembre "
        "différent du stock au 1er janvier + affaires nouvelles − affaires terminées). Corrigez les lignes "
        "« À corriger » avant l'envoi ; les lignes « À vérifier » sont des avertissements.",
        "Ne renommez pas et ne supprimez pas les feuilles ; vous pouvez ajouter vos propres feuilles de travail.",
        "Confidentialité (circulaire § 1.2) : n'inscrivez aucun nom de personne, d'entreprise ni numéro "
        "d'affaire, y compris dans les textes libres.",
        "Enregistrez au format .xlsx (ni .xls, ni .xlsm, ni .ods, ni .csv), sans mot de passe, et transmettez le "
        "fichier à la cour d'appel. Chaque envoi est archivé ; un nouvel envoi remplace le précédent pour les "
        "calculs, l'historique étant conservé.",
    ]
    for i, step in enumerate(steps, 1):
        ws.cell(r, 1, f"{i}.").alignment = Alignment(horizontal="right", vertical="top")
        c = ws.cell(r, 2, step)
        c.alignment = _WRAP
        r += 1
    r += 1
    ws.cell(r, 1, "Statuts possibles").font = _TITLE
    r += 1
    for code, label in layout.STATUS_CODES.items():
        ws.cell(r, 1, code).font = _BOLD
        ws.cell(r, 2, label)
        r += 1
    r += 1
    ws.cell(r, 1, "Feuilles à remplir").font = _TITLE
    r += 1
    fam_by_sheet = {f.sheet: f for f in catalogue.families()}
    for sheet, inds in layout.input_sheets():
        fam = fam_by_sheet.get(sheet)
        ws.cell(r, 1, sheet).font = _BOLD
        n_req = sum(i.required for i in inds)
        circ = f" (circulaire {fam.circulaire})" if fam else ""
        ws.cell(r, 2, f"{fam.label if fam else sheet}{circ} — {len(inds)} données dont {n_req} obligatoires")
        r += 1
    _protect(ws)


def _write_family_sheet(wb: Workbook, ws: Worksheet, sheet: str, inds: list[catalogue.Indicator],
                        court_id: str | None, name: str, year: int, demo: bool,
                        filled: dict[str, tuple[float, Any, str]] | None) -> None:
    fam = next((f for f in catalogue.families() if f.sheet == sheet), None)
    ws["A1"] = f"{fam.label if fam else sheet} — année {year}"
    ws["A1"].font = _TITLE
    ws["A2"] = f"{name} ({court_id})" if court_id else "Modèle vierge : identité à saisir dans « Lisez-moi »"
    if demo:
        ws["A3"] = f"⚠ {DEMO_LABEL}."
        ws["A3"].font = _DEMO
    for col, (head, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), 1):
        c = ws.cell(FIRST_ROW - 1, col, head)
        c.font = _BOLD
        c.fill = _HEADER_FILL
        c.border = _BOX
        ws.column_dimensions[get_column_letter(col)].width = width
    dvs = _Validations(ws)
    for r, ind in enumerate(inds, FIRST_ROW):
        ws.cell(r, COL_LABEL, ind.label).alignment = _WRAP
        vcell = ws.cell(r, COL_VALUE)
        scell = ws.cell(r, COL_STATUS)
        for cell in (vcell, scell):
            cell.fill = _INPUT_FILL
            cell.border = _BOX
            cell.protection = _UNLOCKED
        if ind.unit == "date":
            vcell.number_format = layout.DATE_FORMAT
        elif ind.unit in ("months", "days", "percent"):
            vcell.number_format = "0.0"
        elif ind.unit == "fte":
            vcell.number_format = "0.00"
        elif ind.unit == "count":
            vcell.number_format = "#,##0"
        elif ind.unit == "text":
            vcell.alignment = _WRAP
        if filled is None:
            vcell.value, scell.value = _PLACEHOLDER.format(f"V:{ind.id}"), _PLACEHOLDER.format(f"S:{ind.id}")
        elif ind.id in filled:
            value, text, status = filled[ind.id]
            if status in ("ok", "NQ") and not (ind.numeric and math.isnan(value)) and \
                    not (not ind.numeric and text is None):
                set_safe_value(vcell, _cell_value(ind, value, text))
            if status != "ok":
                scell.value = status
        ws.cell(r, COL_UNIT, catalogue.UNIT_LABELS[ind.unit])
        ws.cell(r, COL_REQUIRED, "obligatoire" if ind.required else "facultatif")
        ws.cell(r, COL_DEF, f"{ind.definition} Saisie : {UNIT_HELP[ind.unit]}.").alignment = _WRAP
        ws.cell(r, COL_LEGAL, ind.legal_basis).alignment = _WRAP
        ws.cell(r, COL_ID, ind.id).font = _SMALL
        key, kwargs = _validation_for(ind, year)
        dvs.add(vcell.coordinate, key, **kwargs)
        dvs.add(scell.coordinate, ("status",), type="list", formula1='"' + ",".join(layout.STATUS_CODES) + '"',
                errorTitle="Statut refusé", error="Choisissez NA, NAP ou NQ (ou laissez vide).")
        _add_name(wb, ind.id, ws, vcell.coordinate)
        _add_name(wb, layout.status_name(ind.id), ws, scell.coordinate)
    ws.freeze_panes = ws.cell(FIRST_ROW, COL_VALUE).coordinate
    _protect(ws)


def _write_checks_sheet(wb: Workbook, ws: Worksheet, demo: bool) -> None:
    ws["A1"] = "Contrôles de cohérence (calculés pendant la saisie)"
    ws["A1"].font = _TITLE
    ws["A2"] = ("Ces contrôles sont aussi appliqués à l'import : une ligne « À corriger » fait refuser le "
                "classeur ; une ligne « À vérifier » est signalée sans bloquer.")
    if demo:
        ws["A3"] = f"⚠ {DEMO_LABEL}."
        ws["A3"].font = _DEMO
    heads = ("Contrôle", "Niveau", "Résultat", "Règle", "Identifiant")
    for col, (head, width) in enumerate(zip(heads, (90, 14, 26, 70, 30), strict=True), 1):
        c = ws.cell(FIRST_ROW - 1, col, head)
        c.font = _BOLD
        c.fill = _HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = width
    r = FIRST_ROW
    for chk in catalogue.checks():
        ws.cell(r, 1, chk.message).alignment = _WRAP
        ws.cell(r, 2, "bloquant" if chk.level == "error" else "avertissement")
        ws.cell(r, 3, check_formula(chk.rule, chk.level)).font = _BOLD
        ws.cell(r, 4, chk.rule).font = _SMALL
        ws.cell(r, 5, chk.id).font = _SMALL
        r += 1
    rng = f"C{FIRST_ROW}:C{max(FIRST_ROW, r - 1)}"
    ws.conditional_formatting.add(rng, CellIsRule(operator="equal", formula=[f'"{RESULT_BAD}"'], fill=_RED_FILL))
    ws.conditional_formatting.add(rng, CellIsRule(operator="equal", formula=[f'"{RESULT_WARN}"'],
                                                  fill=_ORANGE_FILL))
    ws.conditional_formatting.add(rng, CellIsRule(operator="equal", formula=[f'"{RESULT_OK}"'], fill=_GREEN_FILL))
    ws.cell(r + 1, 1, f"« {RESULT_PENDING} » : une des cellules du contrôle est vide.").font = _SMALL
    _protect(ws)


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_workbooks(court_ids: Iterable[str], year: int, out_dir: Path, *, deadline: str | None = None,
                    contact: str | None = None) -> list[Path]:
    """Write ``clpc_<annee>_<court_id>.xlsx`` for each court (atomic writes); return the paths."""
    out_dir = Path(out_dir)
    paths = []
    for cid in court_ids:
        wb = build_workbook(cid, year, deadline=deadline, contact=contact)
        path = out_dir / layout.file_name(cid, year)
        atomic_write_bytes(path, workbook_bytes(wb))
        paths.append(path)
    return paths


def blank_template_path(year: int, folder: Path | None = None) -> Path:
    return Path(folder or TEMPLATE_DIR) / f"clpc_{year}_modele.xlsx"


def write_blank_template(year: int, folder: Path | None = None) -> Path:
    """The blank workbook of a year (court identity to be typed by the court)."""
    path = blank_template_path(year, folder)
    atomic_write_bytes(path, workbook_bytes(build_workbook(None, year)))
    return path


_CELL_PH = re.compile(r'<c r="([A-Z]{1,3}\d+)"((?: s="\d+")?) t="inlineStr"><is><t>~~([VSL]):([a-z0-9_.]+)~~</t></is></c>')


class FastFiller:
    """Fills many workbooks of one year quickly (the demo: 168 courts × 5 years).

    The workbook is built once by :func:`build_workbook`'s own code with placeholders in the
    identity, value and status cells; each court's file is then that package with the
    placeholders replaced in the XML. The result is cell-for-cell the workbook
    :func:`build_workbook` writes (a test checks it); text values that could read as formulas
    fall back to :func:`build_workbook`.
    """

    def __init__(self, year: int, demo: bool = False) -> None:
        self.year = int(year)
        self.demo = demo
        wb = _build(_PLACEHOLDER.format("COURT"), _PLACEHOLDER.format("NAME"), _PLACEHOLDER.format("COUR"),
                    _PLACEHOLDER.format("COURNAME"), self.year, None, demo, None, None)
        with zipfile.ZipFile(io.BytesIO(workbook_bytes(wb))) as zf:
            self.entries = [(info, zf.read(info)) for info in zf.infolist()]
        self.inds = {i.id: i for i in catalogue.input_indicators()}
        self.lists = {s.id: s for s in catalogue.lists()}

    def fill(self, court_id: str, values: pd.DataFrame) -> bytes:
        name, cour_id, cour_name = _identity(court_id)
        filled = _values_map(values)
        if any(isinstance(t, str) and t.startswith(layout.FORMULA_PREFIXES) for _, t, _ in filled.values()):
            return workbook_bytes(build_workbook(court_id, self.year, values, demo=self.demo))
        ident = {b"COURT": court_id, b"NAME": name, b"COUR": cour_id, b"COURNAME": cour_name}

        rows = {lid: decode_rows(filled[lid][1]) for lid in self.lists if lid in filled}
        if any(v.startswith(layout.FORMULA_PREFIXES) for rs in rows.values() for r in rs for v in r.values()):
            return workbook_bytes(build_workbook(court_id, self.year, values, demo=self.demo))

        def cell(m: re.Match[str]) -> str:
            coord, style, kind, iid = m.groups()
            if kind == "L":
                lid, i, j = iid.rsplit(".", 2)
                col = self.lists[lid].columns[int(j)].id
                got = rows.get(lid, [])
                v = got[int(i)].get(col, "") if int(i) < len(got) else ""
                if not v:
                    return f'<c r="{coord}"{style}/>'
                sp = ' xml:space="preserve"' if v != v.strip() else ""
                return f'<c r="{coord}"{style} t="inlineStr"><is><t{sp}>{xml_escape(v)}</t></is></c>'
            ind = self.inds[iid]
            value, text, status = filled.get(iid, (math.nan, None, "NA"))
            if kind == "S":
                return f'<c r="{coord}"{style} t="inlineStr"><is><t>{status}</t></is></c>' if status != "ok" \
                    else f'<c r="{coord}"{style}/>'
            if status not in ("ok", "NQ") or (ind.numeric and math.isnan(value)) or (not ind.numeric and text is None):
                return f'<c r="{coord}"{style}/>'
            v = _cell_value(ind, value, text)
            if isinstance(v, dt.date):
                return f'<c r="{coord}"{style} t="n"><v>{_excel_serial(v)}</v></c>'
            if isinstance(v, str):
                sp = ' xml:space="preserve"' if v != v.strip() else ""
                return f'<c r="{coord}"{style} t="inlineStr"><is><t{sp}>{xml_escape(v)}</t></is></c>'
            return f'<c r="{coord}"{style} t="n"><v>{v}</v></c>'

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in self.entries:
                if info.filename.endswith(".xml") and b"~~" in data:
                    text = _CELL_PH.sub(cell, data.decode("utf-8"))
                    raw = text.encode("utf-8")
                    for key, val in ident.items():
                        raw = raw.replace(b"~~" + key + b"~~",
                                          xml_escape(val).encode("utf-8"))
                    data = raw
                out.writestr(info, data)
        return buf.getvalue()


def _excel_serial(d: dt.date) -> str:
    from openpyxl.utils.datetime import to_excel

    v = to_excel(dt.datetime(d.year, d.month, d.day))
    return str(int(v)) if float(v).is_integer() else str(v)
