"""Reading and validating one submitted workbook (lazy: every problem of the file at once).

Cells are located only through the workbook-level defined names (indicator ids, ``<id>__statut``,
``cpc_juridiction``, ``cpc_annee``, ``cpc_cour``, ``cpc_modele``), so inserted rows, reordered or
extra sheets do not matter. Formula cells are accepted through their cached values. The result is
a :class:`ParsedFile`: typed values ready for the store, and the problems found. Cross-field and
history checks, which need several files or the store, are in :mod:`cpc_toolkit.collect.checks`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import from_excel

from cpc_toolkit import catalogue, reference
from cpc_toolkit.collect import layout
from cpc_toolkit.collect.lists import read_lists
from cpc_toolkit.collect.problems import ERROR, WARNING, HasProblems, Problem, show_value
from cpc_toolkit.collect.safety import inspect_bytes, issue_problem
from cpc_toolkit.confidentiality import scan
from cpc_toolkit.errors import CpcError, ReasonCode
from cpc_toolkit.fr import format_date, format_number
from cpc_toolkit.safeopen import open_workbook

__all__ = ["ParsedFile", "RawCell", "parse_workbook"]

_NUMBER_TEXT = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_DATE_TEXT = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$|^(\d{4})-(\d{1,2})-(\d{1,2})$")
UNIT_WHAT = {
    "count": "un nombre entier positif ou nul (chiffres seuls, sans espace ni unité)",
    "percent": "un pourcentage entre 0 et 100",
    "days": "un nombre de jours",
    "months": "un nombre de mois",
    "fte": "un nombre d'équivalents temps plein travaillé (décimales permises)",
}
_NA_HINT = " Si la donnée n'est pas disponible, laissez la valeur vide et choisissez NA ou NAP dans « Statut »."


@dataclass(frozen=True)
class RawCell:
    """A cell reached through a defined name, as found in the file."""

    sheet: str
    coord: str
    value: Any
    formula: bool = False
    error: bool = False
    number_format: str = "General"
    formula_text: str | None = None


@dataclass(frozen=True)
class ParsedFile(HasProblems):
    """What the reader made of one file (picklable: no openpyxl objects)."""

    name: str
    problems: tuple[Problem, ...] = ()
    court_id: str | None = None
    year: int | None = None
    template: str | None = None
    # (indicator_id, value, text, status) for every input indicator, when the file could be read
    values: tuple[tuple[str, float, str | None, str], ...] = ()
    # indicator id -> (sheet, A1 cell) of its value cell
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and self.court_id is not None and self.year is not None

    def with_problems(self, extra: list[Problem]) -> ParsedFile:
        return replace(self, problems=self.problems + tuple(extra))


def _load(data: bytes, name: str, data_only: bool) -> tuple[Any, Problem | None]:
    wb, issue = open_workbook(data, data_only=data_only)
    return wb, (issue_problem(name, issue) if issue is not None else None)


def _names(wb: Any) -> dict[str, Any]:
    """Defined names: workbook level first, then sheet level (tolerated fallback)."""
    out: dict[str, Any] = {}
    for ws in wb.worksheets:
        for n, dn in getattr(ws, "defined_names", {}).items():
            out.setdefault(n, dn)
    out.update(dict(wb.defined_names.items()))
    return out


_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!:]+))!\$?([A-Z]{1,3})\$?(\d{1,7})$")


def _resolve(name: str, dn: Any, wb: Any, file: str, ind: str | None) -> tuple[str, str] | Problem:
    text = str(getattr(dn, "attr_text", "") or "").strip()
    m = _REF.match(text)
    if not m:
        gone = "#REF" in text or "!" not in text
        return Problem(file=file, indicator=ind, reason=ReasonCode.NAME_MISSING, rule=f"nom défini « {name} »",
                       value=show_value(text),
                       message=(f"Le nom défini « {name} » ne désigne plus une cellule (feuille ou cellule "
                                "supprimée). Repartez du modèle fourni et recopiez vos valeurs.") if gone else
                               (f"Le nom défini « {name} » doit désigner une seule cellule ; il désigne "
                                f"« {text} ». Repartez du modèle fourni."))
    sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
    coord = f"{m.group(3)}{m.group(4)}"
    if sheet not in wb.sheetnames:
        return Problem(file=file, indicator=ind, reason=ReasonCode.SHEET_MISSING, rule=f"feuille « {sheet} »",
                       sheet=sheet, cell=coord,
                       message=f"La feuille « {sheet} » est introuvable (renommée ou supprimée). Rendez-lui son "
                               "nom d'origine ou repartez du modèle fourni.")
    return sheet, coord


def _raw(wb: Any, sheet: str, coord: str) -> RawCell:
    ws = wb[sheet]
    cells = getattr(ws, "_cells", None)
    if cells is None:  # chartsheet
        return RawCell(sheet, coord, None)
    cell = cells.get(coordinate_to_tuple(coord))
    if cell is None:
        return RawCell(sheet, coord, None)
    return RawCell(sheet, coord, cell.value, formula=cell.data_type == "f", error=cell.data_type == "e",
                   number_format=cell.number_format or "")


def parse_workbook(data: bytes, name: str, *, expected_court: str | None = None, expected_year: int | None = None,
                   today: dt.date | None = None) -> ParsedFile:
    """Read and validate one workbook's bytes; never raises on bad input (problems instead)."""
    today = today or dt.date.today()
    early = inspect_bytes(data, name)
    if early:
        return ParsedFile(name=name, problems=tuple(early))
    wb, problem = _load(data, name, data_only=False)
    if problem is not None:
        return ParsedFile(name=name, problems=(problem,))
    names = _names(wb)
    problems: list[Problem] = []
    raw: dict[str, RawCell] = {}
    wanted: list[tuple[str, str | None]] = [(n, None) for n in layout.IDENTITY_NAMES]
    inputs = catalogue.input_indicators()
    for ind in inputs:
        wanted.append((ind.id, ind.id))
        wanted.append((layout.status_name(ind.id), ind.id))
    optional_missing: list[Problem] = []
    for n, ind_id in wanted:
        dn = names.get(n)
        if dn is None:
            if n.endswith(layout.STATUS_SUFFIX) or n in (layout.NAME_TEMPLATE, layout.NAME_COUR):
                continue  # tolerated: no status / no version / no cour cell
            # an optional input added to the catalogue after the workbook's template: read as absent
            target = optional_missing if ind_id and not catalogue.get(ind_id).required else problems
            target.append(Problem(
                file=name, indicator=ind_id, reason=ReasonCode.NAME_MISSING, rule=f"nom défini « {n} »",
                message=f"Le nom défini « {n} » est absent du classeur"
                        + (f" (cellule de « {catalogue.get(ind_id).label} »)" if ind_id else "")
                        + " : le classeur a été modifié ou ne provient pas du modèle. Repartez du modèle fourni "
                          "(« cpc modeles ») et recopiez vos valeurs."))
            continue
        res = _resolve(n, dn, wb, name, ind_id)
        if isinstance(res, Problem):
            problems.append(res)
            continue
        raw[n] = _raw(wb, *res)
    problems.extend(_structure_problems(wb, raw, name))
    formulas = [n for n, c in raw.items() if c.formula]
    if formulas:
        cached, problem = _load(data, name, data_only=True)
        if problem is not None:
            return ParsedFile(name=name, problems=(problem,))
        for n in formulas:
            c = raw[n]
            cell = cached[c.sheet]._cells.get(coordinate_to_tuple(c.coord))
            value = None if cell is None else cell.value
            text = c.value if isinstance(c.value, str) else None
            raw[n] = replace(c, value=value, error=cell is not None and cell.data_type == "e", formula_text=text)
            if value is None:
                problems.append(Problem(
                    file=name, sheet=c.sheet, cell=c.coord, indicator=_ind_of(n), cells=((c.sheet, c.coord),),
                    reason=ReasonCode.FORMULA_NO_CACHE, rule="formule avec valeur calculée",
                    message="La cellule contient une formule dont la valeur n'a pas été calculée (fichier produit "
                            "par un programme). Ouvrez le fichier dans Excel ou LibreOffice, laissez-le recalculer "
                            "et enregistrez-le, ou saisissez directement la valeur."))
                raw[n] = replace(raw[n], formula=False, value=_NO_CACHE)
                continue
            if raw[n].error or text is None:
                continue
            problems.extend(_formula_problems(raw[n], text, cached, name, _ind_of(n)))
    court_id, year, template, id_problems = _identity(raw, name, expected_court, expected_year, today)
    problems.extend(id_problems)
    if template == layout.template_version():  # the current template has every name: a missing one is an edit
        problems.extend(optional_missing)
    values: list[tuple[str, float, str | None, str]] = []
    cells: dict[str, tuple[str, str]] = {}
    for ind in inputs:
        cell = raw.get(ind.id)
        if cell is None:
            continue
        cells[ind.id] = (cell.sheet, cell.coord)
        row, probs = _input_value(ind, cell, raw.get(layout.status_name(ind.id)), name, year, today)
        problems.extend(probs)
        if row is not None:
            values.append(row)
    list_values, list_problems = read_lists(wb, names, name, _hard_identifier,
                                            tolerate_missing=template != layout.template_version())
    problems.extend(list_problems)
    values.extend(list_values)
    return ParsedFile(name=name, problems=tuple(problems), court_id=court_id, year=year, template=template,
                      values=tuple(values), cells=cells)


_NO_CACHE = object()


@cache
def _template_anchors() -> dict[str, tuple[str, int, object]]:
    """Defined name -> (template sheet, anchor column, anchor value) of the blank template.

    The anchor is the cell of the same row that identifies the line: the indicator id column on
    the family sheets, the label column on « Lisez-moi ». Inserted rows and renamed sheets move
    both together; a name moved elsewhere does not find its anchor.
    """
    from openpyxl.utils.cell import coordinate_from_string

    from cpc_toolkit.collect.workbook import COL_ID, build_workbook

    wb = build_workbook(None, 2025)
    out: dict[str, tuple[str, int, object]] = {}
    for n, dn in wb.defined_names.items():
        dests = list(dn.destinations)
        if len(dests) != 1:
            continue
        sheet, ref = dests[0]
        if ":" in ref:  # a list zone (« Compte rendu »): its place and size are checked by collect.lists
            continue
        _, row = coordinate_from_string(ref.replace("$", ""))
        col = 1 if sheet == layout.README_SHEET else COL_ID
        out[n] = (sheet, col, wb[sheet].cell(row, col).value)
    return out


def _cell_value(wb: Any, sheet: str, row: int, col: int) -> object:
    cells = getattr(wb[sheet], "_cells", None)
    cell = cells.get((row, col)) if cells is not None else None
    return None if cell is None else cell.value


def _structure_problems(wb: Any, raw: dict[str, RawCell], file: str) -> list[Problem]:
    """No silent discrepancy: values in hidden sheets, names moved off their line, one cell for two names."""
    out: list[Problem] = []
    for ws in wb.worksheets:
        if ws.sheet_state == "visible":
            continue
        cells = getattr(ws, "_cells", {})
        filled = next((c for c in cells.values() if c.value is not None and str(c.value).strip()), None)
        if filled is not None:
            state = "très masquée" if ws.sheet_state == "veryHidden" else "masquée"
            out.append(Problem(
                file=file, sheet=ws.title, cell=filled.coordinate, reason=ReasonCode.HIDDEN_SHEET,
                rule="aucune valeur dans une feuille masquée", value=show_value(filled.value),
                message=f"La feuille « {ws.title} » est {state} et contient des valeurs : ce que le tableur montre "
                        "pourrait différer de ce qui est importé. Supprimez cette feuille ou affichez-la et videz-la, "
                        "puis renvoyez le classeur."))
    anchors = _template_anchors()
    by_cell: dict[tuple[str, str], list[str]] = {}
    for n, c in raw.items():
        by_cell.setdefault((c.sheet, c.coord), []).append(n)
        expected = anchors.get(n)
        if expected is None:
            continue
        _, col, value = expected
        row, _ = coordinate_to_tuple(c.coord)
        found = _cell_value(wb, c.sheet, row, col)
        if found != value:
            ind = _ind_of(n)
            out.append(Problem(
                file=file, sheet=c.sheet, cell=c.coord, indicator=ind, reason=ReasonCode.NAME_MISPLACED,
                rule=f"nom défini « {n} » à sa place", value=show_value(found), cells=((c.sheet, c.coord),),
                message=f"Le nom défini « {n} » désigne la cellule {c.coord} de la feuille « {c.sheet} », qui n'est "
                        f"pas celle du modèle (ligne « {value} ») : la valeur importée ne serait pas celle que "
                        "vous voyez sur la ligne. Repartez du modèle fourni et recopiez vos valeurs."))
    for (sheet, coord), ns in by_cell.items():
        if len(ns) > 1:
            out.append(Problem(
                file=file, sheet=sheet, cell=coord, reason=ReasonCode.SHARED_CELL, rule="une cellule par donnée",
                indicator=_ind_of(ns[0]), cells=((sheet, coord),),
                message=f"La cellule {coord} est désignée par plusieurs noms définis ({', '.join(sorted(ns))}) : "
                        "une même saisie serait importée pour plusieurs données. Repartez du modèle fourni."))
    return out


_FORMULA_RANGE_MAX = 1000


def _ref_values(ref: str, sheet: str, wb: Any) -> list[float] | None:
    """Numeric cached values of a reference (``B5``, ``'Feuille'!B5``, ``B5:B9``); None if not numeric."""
    from openpyxl.utils.cell import range_boundaries

    text = ref.replace("$", "")
    if "!" in text:
        sheet, text = text.rsplit("!", 1)
        sheet = sheet.strip("'").replace("''", "'")
    if sheet not in wb.sheetnames:
        return None
    try:
        c1, r1, c2, r2 = range_boundaries(text)
    except (ValueError, TypeError):
        return None
    if c1 is None or r1 is None or c2 is None or r2 is None or (c2 - c1 + 1) * (r2 - r1 + 1) > _FORMULA_RANGE_MAX:
        return None
    out: list[float] = []
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            v = _cell_value(wb, sheet, r, c)
            if v is None:
                out.append(0.0)
            elif isinstance(v, int | float) and not isinstance(v, bool):
                out.append(float(v))
            else:
                return None
    return out


def recompute_formula(formula: str, sheet: str, wb: Any) -> float | None:
    """Value of a simple formula (numbers, cell references, + - * / parentheses, SUM / SOMME), else None."""
    import ast

    from openpyxl.formula.tokenizer import Token, Tokenizer

    try:
        items = Tokenizer(formula).items
    except Exception:
        return None
    parts: list[str] = []
    depth_sum = 0
    for t in items:
        if t.type == Token.WSPACE:
            continue
        if t.type == Token.OPERAND and t.subtype == Token.NUMBER:
            parts.append(repr(float(t.value)))
        elif t.type == Token.OPERAND and t.subtype == Token.RANGE:
            vals = _ref_values(t.value, sheet, wb)
            if vals is None or (len(vals) > 1 and depth_sum == 0):
                return None
            parts.append(repr(vals) if len(vals) > 1 else repr(vals[0]))
        elif t.type == Token.OP_IN and t.value in "+-*/":
            parts.append(t.value)
        elif t.type == Token.OP_PRE and t.value in "+-":
            parts.append(t.value)
        elif t.type == Token.PAREN:
            parts.append(t.value)
        elif t.type == Token.FUNC and t.subtype == Token.OPEN and t.value.upper() in ("SUM(", "SOMME("):
            parts.append("S(")
            depth_sum += 1
        elif t.type == Token.FUNC and t.subtype == Token.CLOSE and depth_sum:
            parts.append(")")
            depth_sum -= 1
        elif t.type == Token.SEP and t.subtype == Token.ARG and depth_sum:
            parts.append(",")
        else:
            return None
    try:
        tree = ast.parse("".join(parts), mode="eval")
    except SyntaxError:
        return None

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, float):
            return node.value
        if isinstance(node, ast.List):
            return [ev(e) for e in node.elts]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
            a, b = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            return a / b
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "S":
            total = 0.0
            for arg in node.args:
                v = ev(arg)
                total += sum(v) if isinstance(v, list) else v
            return total
        raise ValueError(type(node).__name__)

    try:
        value = ev(tree)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError):
        return None
    return float(value) if isinstance(value, float) and math.isfinite(value) else None


def _formula_problems(c: RawCell, formula: str, cached: Any, file: str, ind: str | None) -> list[Problem]:
    """A formula's cached value must be the one its formula gives (recomputed when simple enough)."""
    cached_value = c.value
    expected = recompute_formula(formula, c.sheet, cached)
    if expected is None:
        return [Problem(file=file, sheet=c.sheet, cell=c.coord, indicator=ind, level=WARNING,
                        reason=ReasonCode.FORMULA_MISMATCH, rule="formule recalculée", value=show_value(formula),
                        cells=((c.sheet, c.coord),),
                        message="La formule de la cellule n'a pas pu être recalculée à l'import (fonctions ou "
                                "références non prises en charge) : la valeur calculée par le tableur est retenue. "
                                "Vérifiez-la, ou saisissez directement la valeur.")]
    got = cached_value if isinstance(cached_value, int | float) and not isinstance(cached_value, bool) else None
    if got is None or abs(float(got) - expected) > 1e-9 * max(1.0, abs(expected)):
        return [Problem(file=file, sheet=c.sheet, cell=c.coord, indicator=ind, reason=ReasonCode.FORMULA_MISMATCH,
                        rule="valeur calculée conforme à la formule", value=show_value(cached_value),
                        cells=((c.sheet, c.coord),),
                        message=f"La valeur enregistrée pour la formule « {formula} » "
                                f"({show_value(cached_value)}) n'est pas celle que donne la formule "
                                f"({format_number(expected, 2)}) : le fichier a été modifié par un programme. "
                                "Ouvrez-le dans Excel ou LibreOffice, laissez-le recalculer et enregistrez-le, "
                                "ou saisissez directement la valeur.")]
    return []


@cache
def _known_courts() -> frozenset[str]:
    return frozenset(reference.first_instance_courts().index)


def _ind_of(defined: str) -> str | None:
    base = defined.removesuffix(layout.STATUS_SUFFIX)
    try:
        return catalogue.get(base).id
    except CpcError:
        return None


def _prob(file: str, c: RawCell, message: str, reason: ReasonCode, rule: str, ind: str | None = None,
          level: str = ERROR) -> Problem:
    return Problem(file=file, sheet=c.sheet, cell=c.coord, indicator=ind, value=show_value(c.value), rule=rule,
                   message=message, reason=reason, level=level, cells=((c.sheet, c.coord),))


def _identity(raw: dict[str, RawCell], file: str, expected_court: str | None, expected_year: int | None,
              today: dt.date) -> tuple[str | None, int | None, str | None, list[Problem]]:
    problems: list[Problem] = []
    court_id: str | None = None
    year: int | None = None
    known = _known_courts()
    m = layout.FILE_NAME_PATTERN.match(file.rsplit("/", 1)[-1].lower())
    name_court = m.group("court") if m and m.group("court") in known else None
    name_year = int(m.group("year")) if m else None
    c = raw.get(layout.NAME_COURT)
    if c is not None:
        text = str(c.value).strip().lower() if isinstance(c.value, str | int | float) else ""
        if not text:
            problems.append(_prob(file, c, "L'identifiant de la juridiction est vide : saisissez-le dans la feuille "
                                  "« Lisez-moi » (ex. tj-lyon).", ReasonCode.WRONG_COURT, "juridiction renseignée"))
        elif text not in known:
            problems.append(_prob(file, c, f"Identifiant de juridiction inconnu « {text} » : saisissez l'identifiant "
                                  "d'un tribunal judiciaire ou de première instance (liste : « cpc juridictions »).",
                                  ReasonCode.WRONG_COURT, "juridiction connue"))
        else:
            court_id = text
        for expected, origin in ((expected_court, "attendue (option --juridiction)"),
                                 (name_court, f"indiquée par le nom du fichier « {file} »")):
            if court_id and expected and expected != court_id:
                problems.append(_prob(
                    file, c, f"Ce classeur est celui de « {court_id} » ({reference.court_name(court_id)}), alors "
                             f"que la juridiction {origin} est « {expected} » : vérifiez que vous importez le bon "
                             "fichier, ou renommez-le.", ReasonCode.WRONG_COURT, "juridiction attendue"))
                court_id = None
                break
        cc = raw.get(layout.NAME_COUR)
        if court_id and cc is not None and isinstance(cc.value, str) and cc.value.strip() and \
                cc.value.strip().lower() != reference.cour_of(court_id):
            problems.append(_prob(file, cc, f"La cour d'appel indiquée (« {cc.value} ») n'est pas celle de "
                                  f"{court_id} ({reference.cour_of(court_id)}) : l'identité du classeur a été "
                                  "modifiée ; repartez du modèle de votre juridiction.", ReasonCode.WRONG_COURT,
                                  "cour d'appel de la juridiction"))
            court_id = None
    y = raw.get(layout.NAME_YEAR)
    if y is not None:
        value = y.value
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int | float) or not float(value).is_integer():
            problems.append(_prob(file, y, "L'année de référence doit être un nombre à 4 chiffres (ex. 2025).",
                                  ReasonCode.WRONG_YEAR, "année valide"))
        elif not 2000 <= int(value) <= today.year:
            problems.append(_prob(file, y, f"Année de référence impossible ({int(value)}) : la collecte porte sur "
                                  f"une année écoulée (au plus {today.year}).", ReasonCode.WRONG_YEAR, "année valide"))
        else:
            year = int(value)
            for expected, origin in ((expected_year, "attendue (option --annee)"),
                                     (name_year, f"indiquée par le nom du fichier « {file} »")):
                if expected and expected != year:
                    problems.append(_prob(file, y, f"Ce classeur porte sur l'année {year}, alors que l'année "
                                          f"{origin} est {expected} : vérifiez que vous importez le bon fichier.",
                                          ReasonCode.WRONG_YEAR, "année attendue"))
                    year = None
                    break
    t = raw.get(layout.NAME_TEMPLATE)
    template = str(t.value) if t is not None and t.value is not None else None
    if t is not None and template is not None and template != layout.template_version():
        problems.append(_prob(file, t, f"Le classeur a été établi sur une autre version du modèle ({template} ; "
                              f"version actuelle {layout.template_version()}). Il est lu par ses noms définis ; "
                              "utilisez le modèle actuel l'an prochain.", ReasonCode.TEMPLATE_VERSION,
                              "version du modèle", level=WARNING))
    return court_id, year, template, problems


def _status(cell: RawCell | None, file: str, ind: catalogue.Indicator) -> tuple[str | None, Problem | None]:
    if cell is None or cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
        return None, None
    text = str(cell.value).strip().upper()
    if text in layout.STATUS_CODES:
        return text, None
    return None, _prob(file, cell, "Statut inconnu : choisissez NA (non disponible), NAP (non applicable) ou NQ "
                       "(qualité en cours de vérification), ou laissez la cellule vide.", ReasonCode.STATUS_INVALID,
                       "statut NA, NAP ou NQ", ind.id)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and _NUMBER_TEXT.match(value.strip()):
        return float(value.strip().replace(",", "."))
    return None


def _date(value: Any) -> dt.date | str | None:
    """A date, None (not a date at all) or ``"impossible"`` (looks like a date that does not exist)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        try:
            return from_excel(value).date()
        except (ValueError, OverflowError):
            return "impossible"
    if isinstance(value, str):
        m = _DATE_TEXT.match(value.strip())
        if not m:
            return None
        d, mo, y = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(6), m.group(5), m.group(4))
        try:
            return dt.date(int(y), int(mo), int(d))
        except ValueError:
            return "impossible"
    return None


def _input_value(ind: catalogue.Indicator, cell: RawCell, status_cell: RawCell | None, file: str,
                 year: int | None, today: dt.date) -> tuple[tuple[str, float, str | None, str] | None, list[Problem]]:
    status, sprob = _status(status_cell, file, ind)
    problems = [sprob] if sprob else []
    v = cell.value
    if v is _NO_CACHE:
        return None, problems
    if isinstance(v, str) and not v.strip():
        v = None
    if isinstance(v, str) and v.strip().upper() in ("NA", "NAP") and status is None:
        status, v = v.strip().upper(), None  # a status typed in the value cell: understood
    if cell.error:
        problems.append(_prob(file, cell, "La cellule contient une erreur de calcul (#DIV/0!, #VALEUR!…) : "
                              "corrigez la formule ou saisissez la valeur.", ReasonCode.TYPE_NUMBER,
                              "valeur sans erreur", ind.id))
        return None, problems
    if v is None:
        if status in ("NA", "NAP"):
            return (ind.id, math.nan, None, status), problems
        if status == "NQ":
            problems.append(_prob(file, status_cell or cell, "Le statut NQ signale une valeur fournie dont la qualité "
                                  "est en cours de vérification : saisissez la valeur, ou choisissez NA si elle "
                                  "n'est pas disponible.", ReasonCode.STATUS_INVALID, "NQ avec une valeur", ind.id))
            return None, problems
        if ind.required:
            problems.append(_prob(file, cell, f"Donnée obligatoire manquante : « {ind.label} ». Saisissez la valeur, "
                                  "ou choisissez NA (non disponible) ou NAP (non applicable) dans la colonne "
                                  "« Statut ».", ReasonCode.REQUIRED, "saisie obligatoire", ind.id))
            return None, problems
        return (ind.id, math.nan, None, "NA"), problems
    if status in ("NA", "NAP"):
        problems.append(_prob(file, cell, f"Une valeur est saisie alors que le statut indique {status} "
                              f"({layout.STATUS_CODES[status]}) : effacez la valeur ou le statut.",
                              ReasonCode.STATUS_INVALID, "valeur ou statut, pas les deux", ind.id))
        return None, problems
    final = status or "ok"
    converted = _convert(ind, cell, v, file, year, today)
    if isinstance(converted, Problem):
        problems.append(converted)
        return None, problems
    value, text = converted
    if text is not None and ind.unit == "text":
        for f in scan(text):
            problems.append(_prob(file, cell, f"Le texte semble contenir {f.what} (« {f.excerpt} ») : vérifiez "
                                  "qu'il ne permet d'identifier ni une personne ni une entreprise (circulaire "
                                  "§ 1.2) ; cet avertissement sera rappelé à la construction du rapport.",
                                  ReasonCode.CONFIDENTIAL, "aucun nom de personne ni d'entreprise", ind.id,
                                  level=WARNING))
    return (ind.id, value, text, final), problems


def _hard_identifier(text: str) -> str | None:
    """What in a text identifies a case or a company (refused everywhere, names of people included)."""
    return next((f.what for f in scan(text) if f.is_error), None)


def _convert(ind: catalogue.Indicator, cell: RawCell, v: Any, file: str, year: int | None,
             today: dt.date) -> tuple[float, str | None] | Problem:
    if ind.unit == "boolean":
        if isinstance(v, bool):
            return (1.0 if v else 0.0), None
        if isinstance(v, str) and v.strip().lower() in layout.BOOLEAN_WORDS:
            return layout.BOOLEAN_WORDS[v.strip().lower()], None
        return _prob(file, cell, "Répondez « oui » ou « non » (choisissez dans la liste)." + _NA_HINT,
                     ReasonCode.TYPE_BOOLEAN, "oui ou non", ind.id)
    if ind.unit == "date":
        d = _date(v)
        if d == "impossible":
            return _prob(file, cell, "Date impossible (jour ou mois inexistant) : saisissez une date réelle au format "
                         "JJ/MM/AAAA.", ReasonCode.TYPE_DATE, "date valide", ind.id)
        if not isinstance(d, dt.date):
            return _prob(file, cell, "Saisissez une date au format JJ/MM/AAAA." + _NA_HINT, ReasonCode.TYPE_DATE,
                         "date valide", ind.id)
        if d > today:
            return _prob(file, cell, f"La date {format_date(d)} est dans le futur : saisissez la date à laquelle "
                         "l'événement a eu lieu.", ReasonCode.DATE_FUTURE, "date passée", ind.id)
        if year is not None and d.year != year:
            return _prob(file, cell, f"La date {format_date(d)} n'est pas dans l'année de référence {year}.",
                         ReasonCode.RANGE, f"date de l'année {year}", ind.id)
        return math.nan, d.isoformat()
    if ind.unit == "text":
        if isinstance(v, dt.datetime | dt.date):
            text = v.isoformat()[:10]
        elif isinstance(v, bool):
            text = "oui" if v else "non"
        elif isinstance(v, float) and v.is_integer():
            text = str(int(v))
        else:
            text = str(v).strip()
        hard = [f for f in scan(text) if f.is_error]
        if hard:
            return _prob(file, cell, f"Le texte semble contenir {hard[0].what} (« {hard[0].excerpt} ») : retirez "
                         "toute donnée permettant d'identifier une affaire, une personne ou une entreprise "
                         "(circulaire § 1.2 : le CLPC n'évoque pas les affaires individuelles).",
                         ReasonCode.CONFIDENTIAL, "aucun identifiant d'affaire ni d'entreprise", ind.id)
        if len(text) > layout.TEXT_MAX_CHARS:
            return _prob(file, cell, f"Texte trop long ({format_number(len(text))} caractères ; au plus "
                         f"{format_number(layout.TEXT_MAX_CHARS)}) : résumez-le.", ReasonCode.TEXT_TOO_LONG,
                         f"au plus {layout.TEXT_MAX_CHARS} caractères", ind.id)
        return math.nan, text
    # numeric units
    x = _number(v)
    what = UNIT_WHAT.get(ind.unit, "un nombre")
    if x is None or math.isnan(x) or math.isinf(x):
        found = "une date" if isinstance(v, dt.date | dt.datetime) else ("oui/non" if isinstance(v, bool) else
                                                                          f"« {show_value(v)} »")
        return _prob(file, cell, f"Valeur non numérique ({found}) : saisissez {what}." + _NA_HINT,
                     ReasonCode.TYPE_NUMBER, "nombre", ind.id)
    pl = catalogue.plausibility()
    if abs(x) > pl.representable_max:
        return _prob(file, cell, "Nombre démesuré (plus de 15 chiffres) : ni Excel ni le rapport ne peuvent "
                     f"l'afficher exactement ; saisissez {what}." + _NA_HINT, ReasonCode.IMPLAUSIBLE,
                     f"≤ {format_number(pl.representable_max)}", ind.id)
    if ind.unit == "percent" and "%" in cell.number_format:
        x *= 100.0  # the cell is formatted as a percentage: Excel stores the fraction
    pmax = catalogue.plausible_max(ind)
    if pmax is not None and x > pmax:
        return _prob(file, cell, f"Valeur invraisemblable pour une juridiction sur une année ({format_number(x)} ; "
                     f"au plus {format_number(pmax)}, ordre de grandeur du total national) : vérifiez la saisie "
                     "(zéros en trop, autre unité).", ReasonCode.IMPLAUSIBLE, f"≤ {format_number(pmax)}", ind.id)
    lo, hi = layout.effective_bounds(ind)
    if ind.unit == "count" and not float(x).is_integer():
        return _prob(file, cell, f"Nombre entier attendu (trouvé {format_number(x, 2)}) : un effectif se compte en "
                     "unités entières.", ReasonCode.TYPE_INTEGER, "nombre entier", ind.id)
    if lo is not None and x < lo:
        msg = ("Valeur négative : un effectif est positif ou nul." if lo == 0 else
               f"Valeur trop petite : au moins {format_number(lo, 1 if not float(lo).is_integer() else 0)}.")
        return _prob(file, cell, msg, ReasonCode.RANGE, f"≥ {format_number(lo)}", ind.id)
    if hi is not None and x > hi:
        unit = {"percent": " %", "months": " mois", "days": " jours"}.get(ind.unit, "")
        return _prob(file, cell, f"Valeur trop grande : au plus {format_number(hi)}{unit} "
                     f"(trouvé {format_number(x, 1)}).", ReasonCode.RANGE, f"≤ {format_number(hi)}", ind.id)
    return float(x), None
