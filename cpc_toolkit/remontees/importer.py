"""Validated import of remontées workbooks: lazy validation, whole-file acceptance, nothing lost.

Each file is checked completely (every problem located by sheet and cell, with a French message and
a reason code), then accepted or rejected as a whole. Every received file is archived byte-for-byte
with its sha256 and a receipt; an accepted file becomes a new version of its (cour, year); a rejected
file leaves the register untouched and yields an error report (xlsx); the same bytes twice are a no-op.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cpc_toolkit import reference
from cpc_toolkit.collect.problems import ERROR, WARNING, Problem, error_report_bytes, show_value
from cpc_toolkit.collect.reader import recompute_formula
from cpc_toolkit.collect.safety import inspect_bytes
from cpc_toolkit.collect.workbook import set_safe_value
from cpc_toolkit.confidentiality import scan
from cpc_toolkit.errors import ReasonCode
from cpc_toolkit.files import write_private
from cpc_toolkit.fr import format_number
from cpc_toolkit.remontees import workbook as wbk
from cpc_toolkit.remontees.config import RemonteesConfig, load_config
from cpc_toolkit.remontees.model import (
    CASE_COLUMNS,
    CASE_FIELDS,
    COLLECTIVE_TYPES,
    EVENT_COLUMNS,
    EVENT_FIELDS,
    EVENT_TYPES,
    MAX_NAME,
    MAX_TEXT,
    NO,
    PROCEDURE_TYPES,
    SEIZED_COURT_KINDS,
    STATUSES,
    YES,
    Field,
    case_id,
    criteria_of,
    label_to_code,
    naf_problem,
    normalise_naf,
    normalise_siren,
    parse_date,
    siren_problem,
)
from cpc_toolkit.remontees.store import RemonteesStore
from cpc_toolkit.safeopen import Issue, open_workbook, printable

if TYPE_CHECKING:
    from openpyxl import Workbook

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_ROWS = 20_000


@dataclass
class Parsed:
    """A parsed workbook: identity, typed rows and every problem found."""

    file_name: str
    cour_id: str | None = None
    year: int | None = None
    cases: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CASE_COLUMNS))
    events: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EVENT_COLUMNS))
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == WARNING]


@dataclass(frozen=True)
class ImportResult:
    """Outcome of importing one file: ``accepte``, ``refuse`` or ``deja_importe``."""

    file_name: str
    sha256: str
    outcome: str
    cour_id: str | None
    year: int | None
    version: int | None
    n_cases: int
    n_events: int
    problems: tuple[Problem, ...]
    error_report: Path | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome in ("accepte", "deja_importe")


class _Collector:
    def __init__(self, file_name: str) -> None:
        self.file = file_name
        self.items: list[Problem] = []

    def add(self, sheet: str | None, cell: str | None, fld: str | None, value: Any, rule: str, message: str,
            reason: ReasonCode, level: str = ERROR) -> None:
        self.items.append(Problem(file=self.file, message=message, reason=reason, level=level, sheet=sheet,
                                  cell=cell, indicator=fld, value=show_value(value), rule=rule,
                                  cells=((sheet, cell),) if sheet and cell else ()))


# ----------------------------------------------------------------------------- container checks
def _container_problems(data: bytes, file_name: str) -> list[Problem]:
    """Collecte's raw-bytes safety checks (format, encryption, macros, zip bombs, DTD/entities)."""
    return inspect_bytes(data, file_name)


def _load(data: bytes, formulas: bool) -> Any:
    """The shared safe-open kernel's openpyxl load (defusedxml; French reason on failure)."""
    wb, issue = open_workbook(data, data_only=not formulas)
    if issue is not None:
        raise _Unreadable(issue)
    return wb


class _Unreadable(Exception):
    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


FREE_TEXT_FIELDS = ("crit_autre", "territoire", "observations", "description")


def _hidden_sheet_problems(wb: Workbook, col: _Collector) -> None:
    """Values in a hidden sheet other than the template's drop-down lists: what is seen could differ."""
    for ws in wb.worksheets:
        if ws.sheet_state == "visible" or ws.title == wbk.LISTS_SHEET:
            continue
        filled = next((c for c in ws._cells.values() if c.value is not None and str(c.value).strip()), None)
        if filled is not None:
            col.add(ws.title, filled.coordinate, None, filled.value, "feuille masquée",
                    f"la feuille « {ws.title} » est masquée et contient des valeurs : supprimez-la ou affichez-la "
                    "et videz-la, puis renvoyez le classeur", ReasonCode.HIDDEN_SHEET)


def _resolve(wb, name: str) -> tuple[str, str] | None:
    dn = wb.defined_names.get(name)
    if dn is None:
        return None
    try:
        dests = list(dn.destinations)
    except Exception:
        return None
    if len(dests) != 1:
        return None
    sheet, ref = dests[0]
    if sheet not in wb.sheetnames:
        return None
    return sheet, ref.replace("$", "").split(":")[0]


# ----------------------------------------------------------------------------- parsing
def parse_workbook(data: bytes, file_name: str, today: dt.date | None = None,
                   config: RemonteesConfig | None = None) -> Parsed:
    """Validate a remontées workbook completely; never raises on bad content (problems are listed)."""

    today = today or dt.date.today()
    config = config or load_config()
    out = Parsed(file_name)
    col = _Collector(file_name)
    bad = _container_problems(data, file_name)
    if bad:
        out.problems = list(bad)
        return out
    try:
        wb = _load(data, formulas=False)
        wbf = _load(data, formulas=True)
    except _Unreadable as exc:
        col.add(None, None, None, None, exc.issue.rule, exc.issue.message, exc.issue.reason)
        out.problems = col.items
        return out
    _hidden_sheet_problems(wb, col)

    # identity --------------------------------------------------------------
    ident: dict[str, Any] = {}
    for name, label in ((wbk.NAME_COUR, "cour d'appel"), (wbk.NAME_YEAR, "année"),
                        (wbk.NAME_TEMPLATE, "modèle")):
        where = _resolve(wb, name)
        if where is None:
            col.add(None, None, name, None, "nom défini", f"le nom défini « {name} » ({label}) est absent : "
                    "utilisez le classeur fourni par « cpc modeles --remontees »", ReasonCode.NAME_MISSING)
            continue
        ident[name] = (where, wb[where[0]][where[1]].value)
    cour = None
    if wbk.NAME_COUR in ident:
        (sh, cell), value = ident[wbk.NAME_COUR]
        value = str(value or "").strip()
        try:
            reference.validate_scope(value, "cour")
            cour = value
        except Exception:
            col.add(sh, cell, wbk.NAME_COUR, value, "cour", "identifiant de cour d'appel inconnu (ex. ca-lyon)",
                    ReasonCode.WRONG_COURT)
    year = None
    if wbk.NAME_YEAR in ident:
        (sh, cell), value = ident[wbk.NAME_YEAR]
        try:
            year = int(str(value).strip())
            if not 2000 <= year <= today.year:
                raise ValueError
        except (TypeError, ValueError):
            col.add(sh, cell, wbk.NAME_YEAR, value, "année", f"année invalide (attendue entre 2000 et "
                    f"{today.year})", ReasonCode.WRONG_YEAR)
            year = None
    out.cour_id, out.year = cour, year
    courts_ok = {c for c, _ in wbk.seized_courts(cour)} if cour else set()
    names = _court_names()

    # tables ----------------------------------------------------------------
    cases = _read_table(wb, wbf, CASE_FIELDS, wbk.CASE_PREFIX, wbk.CASES_SHEET, col)
    events = _read_table(wb, wbf, EVENT_FIELDS, wbk.EVENT_PREFIX, wbk.EVENTS_SHEET, col)

    case_rows: list[dict[str, Any]] = []
    seen: dict[int, str] = {}
    for sheet, row_no, cells in cases:
        rec = _typed_row(CASE_FIELDS, sheet, row_no, cells, col, today)
        loc = {f.id: cells[f.id][0] for f in CASE_FIELDS if f.id in cells}
        # juridiction saisie
        cid = rec.get("juridiction_id")
        if cid is not None:
            cid = names.get(str(cid).casefold(), str(cid))
            rec["juridiction_id"] = cid
            if cour and cid not in courts_ok:
                known = cid in set(reference.courts()["court_id"])
                col.add(sheet, loc.get("juridiction_id"), "juridiction_id", cid, "juridiction",
                        (f"« {cid} » n'est pas un TJ, TC ou TAE du ressort de {cour}" if known else
                         f"juridiction inconnue « {cid} » : choisissez-la dans la liste déroulante"),
                        ReasonCode.WRONG_COURT if known else ReasonCode.UNKNOWN_COURT)
        num = rec.get("numero")
        if num is not None:
            if num in seen:
                col.add(sheet, loc.get("numero"), "numero", num, "unicité",
                        f"le N° {num} est déjà utilisé ({seen[num]}) : chaque signalement a son numéro",
                        ReasonCode.CONSISTENCY)
            seen[num] = loc.get("numero") or ""
        _case_checks(rec, sheet, loc, col, year, config)
        rec["criteria"] = ";".join(criteria_of(rec))
        case_rows.append(rec)
    event_rows: list[dict[str, Any]] = []
    for sheet, row_no, cells in events:
        rec = _typed_row(EVENT_FIELDS, sheet, row_no, cells, col, today)
        loc = {f.id: cells[f.id][0] for f in EVENT_FIELDS if f.id in cells}
        num = rec.get("numero")
        if num is not None and num not in seen:
            col.add(sheet, loc.get("numero"), "numero", num, "référence",
                    f"aucun signalement n° {num} dans la feuille « {wbk.CASES_SHEET} »", ReasonCode.CONSISTENCY)
        event_rows.append(rec)

    if not case_rows and not any(p.level == ERROR for p in col.items):
        col.add(wbk.CASES_SHEET, None, None, None, "contenu", "aucun signalement dans la feuille « Signalements » : "
                "un classeur vide remplacerait la version précédente ; remplissez au moins une ligne",
                ReasonCode.REQUIRED)
    if cour and year:
        out.cases = _frame(case_rows, CASE_COLUMNS, cour, year)
        out.events = _frame(event_rows, EVENT_COLUMNS, cour, year)
    out.problems = col.items
    return out


def _court_names() -> dict[str, str]:
    df = reference.courts(kind=SEIZED_COURT_KINDS)
    out = {str(n).casefold(): c for c, n in zip(df["court_id"], df["name"], strict=True)}
    out.update({c.casefold(): c for c in df["court_id"]})
    return out


def _read_table(wb, wbf, fields: tuple[Field, ...], prefix: str, default_sheet: str,
                col: _Collector) -> list[tuple[str, int, dict[str, tuple[str, Any, Any]]]]:
    """Non-empty data rows: (sheet, row, {field: (cell, value, formula-or-None)})."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

    where: dict[str, tuple[str, int, int]] = {}
    for f in fields:
        res = _resolve(wb, prefix + f.id)
        if res is None:
            if f.required or f.id == "numero":
                col.add(default_sheet, None, f.id, None, "nom défini",
                        f"la colonne « {f.label} » est introuvable (nom défini « {prefix + f.id} » absent ou "
                        "feuille renommée) : utilisez le classeur fourni", ReasonCode.NAME_MISSING)
            continue
        letter, row = coordinate_from_string(res[1])
        where[f.id] = (res[0], row, column_index_from_string(letter))
    if not where:
        return []
    by_col: dict[tuple[str, int], list[str]] = {}
    for fid, (sh, _, c) in where.items():
        by_col.setdefault((sh, c), []).append(fid)
    for (sh, c), fids in by_col.items():
        if len(fids) > 1:
            col.add(sh, f"{get_column_letter(c)}{where[fids[0]][1]}", fids[0], None, "une colonne par champ",
                    f"une même colonne est désignée pour plusieurs champs ({', '.join(sorted(fids))}) : "
                    "utilisez le classeur fourni", ReasonCode.SHARED_CELL)
            return []
    sheets = {s for s, _, _ in where.values()}
    if len(sheets) != 1:
        col.add(default_sheet, None, None, None, "structure", "les colonnes du tableau sont réparties sur "
                "plusieurs feuilles : utilisez le classeur fourni", ReasonCode.SHEET_MISSING)
        return []
    sheet = sheets.pop()
    ws, wsf = wb[sheet], wbf[sheet]
    header = max(r for _, r, _ in where.values())
    last = ws.max_row
    if last - header > MAX_ROWS:
        col.add(sheet, None, None, None, "taille", f"feuille trop grande ({format_number(last - header)} lignes)",
                ReasonCode.FILE_TOO_LARGE)
        return []
    out = []
    for r in range(header + 1, last + 1):
        cells = {}
        for fid, (_, _, c) in where.items():
            coord = f"{get_column_letter(c)}{r}"
            value = ws.cell(r, c).value
            formula = wsf.cell(r, c).value
            if isinstance(value, str) and not value.strip():
                value = None
            if isinstance(formula, str) and formula.startswith("=") and value is not None:
                expected = recompute_formula(formula, sheet, wb)
                numeric = isinstance(value, int | float) and not isinstance(value, bool)
                if expected is not None and (not numeric or abs(float(value) - expected) >
                                             1e-9 * max(1.0, abs(expected))):
                    col.add(sheet, coord, fid, value, "valeur calculée conforme à la formule",
                            f"la valeur enregistrée pour la formule « {formula} » n'est pas celle que donne la "
                            "formule : ouvrez le classeur dans Excel ou LibreOffice, enregistrez, puis renvoyez-le",
                            ReasonCode.FORMULA_MISMATCH)
            formula = formula if isinstance(formula, str) and formula.startswith("=") and value is None else None
            cells[fid] = (coord, value, formula)
        filled = [fid for fid, (_, v, fm) in cells.items() if (v is not None or fm) and fid != "numero"]
        numbered_only = prefix == wbk.CASE_PREFIX
        if not filled and (numbered_only or cells.get("numero", (None, None, None))[1] is None):
            continue
        out.append((sheet, r, cells))
    return out


def _typed_row(fields: tuple[Field, ...], sheet: str, row_no: int, cells: dict[str, tuple[str, Any, Any]],
               col: _Collector, today: dt.date) -> dict[str, Any]:
    rec: dict[str, Any] = {}
    for f in fields:
        if f.id not in cells:
            rec[f.id] = None
            continue
        coord, v, formula = cells[f.id]
        if formula:
            col.add(sheet, coord, f.id, formula, "formule", f"« {f.label} » : la formule n'a pas de valeur "
                    "calculée ; ouvrez le classeur dans Excel ou LibreOffice, enregistrez, puis renvoyez-le",
                    ReasonCode.FORMULA_NO_CACHE)
            rec[f.id] = None
            continue
        if v is None:
            if f.required:
                col.add(sheet, coord, f.id, None, "obligatoire", f"« {f.label} » est obligatoire",
                        ReasonCode.REQUIRED)
            rec[f.id] = None
            continue
        rec[f.id] = _convert(f, v, sheet, coord, col, today)
    return rec


def _convert(f: Field, v: Any, sheet: str, coord: str, col: _Collector, today: dt.date) -> Any:
    if f.kind == "int":
        num = v
        if isinstance(v, str):
            try:
                num = float(v.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", "."))
            except ValueError:
                col.add(sheet, coord, f.id, v, "nombre", f"« {f.label} » attend un nombre entier",
                        ReasonCode.TYPE_NUMBER)
                return None
        if isinstance(num, bool) or not isinstance(num, int | float):
            col.add(sheet, coord, f.id, v, "nombre", f"« {f.label} » attend un nombre entier", ReasonCode.TYPE_NUMBER)
            return None
        if float(num) != int(num):
            col.add(sheet, coord, f.id, v, "entier", f"« {f.label} » attend un nombre entier, sans décimale",
                    ReasonCode.TYPE_INTEGER)
            return None
        if num < 0:
            col.add(sheet, coord, f.id, v, "positif", f"« {f.label} » ne peut pas être négatif", ReasonCode.RANGE)
            return None
        if num > 10_000_000:
            col.add(sheet, coord, f.id, v, "plage", f"« {f.label} » : valeur invraisemblable", ReasonCode.RANGE)
            return None
        return int(num)
    if f.kind == "date":
        d = parse_date(v)
        if d is None:
            col.add(sheet, coord, f.id, v, "date", f"« {f.label} » attend une date JJ/MM/AAAA", ReasonCode.TYPE_DATE)
            return None
        if d > today:
            col.add(sheet, coord, f.id, v, "date future", f"« {f.label} » est dans le futur : vérifiez la date",
                    ReasonCode.DATE_FUTURE)
            return None
        if d.year < 1990:
            col.add(sheet, coord, f.id, v, "date", f"« {f.label} » : date invraisemblable (avant 1990)",
                    ReasonCode.RANGE)
            return None
        return d.isoformat()
    if f.kind == "bool":
        key = str(v).strip().casefold()
        if v is True or key in ("oui", "o", "x", "vrai", "1"):
            return True
        if v is False or key in ("non", "n", "faux", "0"):
            return False
        col.add(sheet, coord, f.id, v, "oui/non", f"« {f.label} » attend « {YES} » ou « {NO} »",
                ReasonCode.TYPE_BOOLEAN)
        return None
    if f.kind == "choice":
        mapping = {"procedure_type": PROCEDURE_TYPES, "statut": STATUSES, "event_type": EVENT_TYPES}[f.id]
        code = label_to_code(mapping, str(v))
        if code is None:
            col.add(sheet, coord, f.id, v, "liste", f"« {f.label} » : choisissez une valeur de la liste "
                    f"déroulante ({', '.join(mapping.values())})", ReasonCode.TYPE_TEXT)
        return code
    if f.kind == "siren":
        text = normalise_siren(v)
        why = siren_problem(text)
        if why:
            col.add(sheet, coord, f.id, v, "SIREN", f"SIREN invalide : {why}", ReasonCode.TYPE_TEXT)
            return None
        return text
    if f.kind == "naf":
        text = normalise_naf(v)
        why = naf_problem(text)
        if why:
            col.add(sheet, coord, f.id, v, "NAF", f"code NAF invalide : {why}", ReasonCode.TYPE_TEXT)
            return None
        return text
    # text / court
    text = v.isoformat() if isinstance(v, dt.date) else (str(int(v)) if isinstance(v, float) and
                                                           v.is_integer() else str(v))
    text = text.strip()
    if f.id in FREE_TEXT_FIELDS:
        # the channel is confidential (DACS): identifiers are warned about, never published elsewhere
        for found in scan(text):
            col.add(sheet, coord, f.id, found.excerpt, "confidentialité",
                    f"« {f.label} » semble contenir {found.what} : réservez les identifiants aux colonnes prévues "
                    "(dénomination, SIREN, référence de la procédure)", ReasonCode.CONFIDENTIAL, WARNING)
    limit = MAX_NAME if f.id == "denomination" else MAX_TEXT
    if len(text) > limit:
        col.add(sheet, coord, f.id, text[:60] + "…", "longueur", f"« {f.label} » : texte trop long "
                f"({format_number(len(text))} caractères, {format_number(limit)} au plus)", ReasonCode.TEXT_TOO_LONG)
        return None
    return text


def _case_checks(rec: dict[str, Any], sheet: str, loc: dict[str, str], col: _Collector, year: int | None,
                 config: RemonteesConfig) -> None:
    seuil = config.seuil_salaries
    if not criteria_of(rec):
        col.add(sheet, loc.get("crit_plus_250_salaries"), "criteres", None, "critère",
                "aucun critère de signalement : répondez « oui » à au moins un critère ou précisez « Autre "
                "critère »", ReasonCode.REQUIRED)
    emp = rec.get("employees")
    if rec.get("procedure_type") in COLLECTIVE_TYPES and emp is None and loc.get("employees") and \
            not any(p.cell == loc.get("employees") for p in col.items):
        col.add(sheet, loc.get("employees"), "employees", None, "obligatoire",
                "« Effectif salarié » est obligatoire pour une procédure collective ou amiable", ReasonCode.REQUIRED)
    if rec.get("crit_plus_250_salaries") is True and emp is not None and emp <= seuil:
        col.add(sheet, loc.get("crit_plus_250_salaries"), "crit_plus_250_salaries", emp, "cohérence",
                f"critère « plus de {seuil} salariés » coché mais l'effectif est de {format_number(emp)}",
                ReasonCode.CONSISTENCY)
    if emp is not None and emp > seuil and rec.get("crit_plus_250_salaries") is not True:
        col.add(sheet, loc.get("crit_plus_250_salaries"), "crit_plus_250_salaries", emp, "cohérence",
                f"effectif de {format_number(emp)} salariés : le critère « plus de {seuil} salariés » devrait "
                "être « oui »", ReasonCode.CONSISTENCY, WARNING)
    threatened = rec.get("emplois_menaces")
    if threatened is not None and emp is not None and threatened > emp:
        col.add(sheet, loc.get("emplois_menaces"), "emplois_menaces", threatened, "cohérence",
                f"emplois menacés ({format_number(threatened)}) supérieurs à l'effectif "
                f"({format_number(emp)})", ReasonCode.CONSISTENCY)
    signalled = rec.get("date_signalement")
    if signalled and year and int(signalled[:4]) != year:
        col.add(sheet, loc.get("date_signalement"), "date_signalement", signalled, "année",
                f"date de signalement hors de l'année du classeur ({year}) : utilisez le classeur de "
                f"l'année {signalled[:4]}", ReasonCode.WRONG_YEAR)
    opened = rec.get("opening_date")
    if signalled and opened and signalled < opened:
        col.add(sheet, loc.get("date_signalement"), "date_signalement", signalled, "chronologie",
                "le signalement précède l'ouverture de la procédure : vérifiez les dates",
                ReasonCode.CONSISTENCY, WARNING)


def _frame(rows: list[dict[str, Any]], columns: list[str], cour: str, year: int) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for c in columns:
        if c not in df.columns:
            df[c] = None
    df["cour_id"] = cour
    df["year"] = int(year)
    if len(df):
        df["case_id"] = [case_id(cour, year, n) for n in df["numero"]]
    df["demo"] = False
    df = df[[c for c in columns]]
    for c in df.columns:
        if c in ("numero", "employees", "emplois_menaces", "year"):
            df[c] = df[c].astype("Int64")
        elif (c.startswith("crit_") and c != "crit_autre") or c == "demo":
            df[c] = df[c].astype("boolean")
        else:
            df[c] = df[c].astype("string")
    return df.reset_index(drop=True)


# ----------------------------------------------------------------------------- import
def import_file(path: Path, store: RemonteesStore, today: dt.date | None = None, demo: bool = False,
                data: bytes | None = None, file_name: str | None = None) -> ImportResult:
    """Import one workbook into the confidential register (never raises on bad content).

    Order (Collecte's): archive the bytes durably → commit (manifest rename) → receipt. The same
    bytes as a current version change nothing in the register and leave a ``duplicate`` receipt.
    """
    path = Path(path)
    data = path.read_bytes() if data is None else data
    name = printable(file_name or path.name)
    sha = hashlib.sha256(data).hexdigest()
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    known = store.known_current_shas()
    if sha in known:
        cour, year, version = known[sha]
        blob = store.keep(data, sha, name)
        return _duplicate(store, name, data, sha, blob, now, cour, year, version, None)
    config = load_config(store.donnees)
    parsed = parse_workbook(data, name, today=today, config=config)
    blob = store.keep(data, sha, name)
    if parsed.errors:
        report = write_error_report(store, data, name, parsed.problems)
        store.write_receipt(_receipt(store, name, data, sha, blob, now, "rejected", parsed.cour_id, parsed.year,
                                     None, parsed.problems, report))
        return ImportResult(name, sha, "refuse", parsed.cour_id, parsed.year, None, 0, 0,
                            tuple(parsed.problems), report)
    assert parsed.cour_id is not None and parsed.year is not None
    cases = parsed.cases.assign(demo=demo).astype({"demo": "boolean"})
    commit = store.commit(parsed.cour_id, parsed.year, cases, parsed.events, sha, name,
                          n_warnings=len(parsed.warnings), demo=demo, received_at=now)
    if commit.noop:  # the same bytes landed meanwhile (concurrent import)
        return _duplicate(store, name, data, sha, blob, now, parsed.cour_id, parsed.year, commit.version,
                          commit.submission_id)
    store.write_receipt(_receipt(store, name, data, sha, blob, now, "accepted", parsed.cour_id, parsed.year,
                                 commit.submission_id, parsed.problems, None))
    return ImportResult(name, sha, "accepte", parsed.cour_id, parsed.year, commit.version, len(cases),
                        len(parsed.events), tuple(parsed.problems))


def _duplicate(store: RemonteesStore, name: str, data: bytes, sha: str, blob: Path, now: str, cour: str,
               year: int, version: int, submission_id: str | None) -> ImportResult:
    if submission_id is None:
        subs = store.submissions(include_superseded=False)
        hit = subs.loc[subs["sha256"] == sha, "submission_id"]
        submission_id = str(hit.iloc[0]) if len(hit) else None
    dup = Problem(file=name, level=WARNING, reason=ReasonCode.DUPLICATE_FILE, rule="fichier nouveau",
                  message="Ce fichier (mêmes octets) a déjà été reçu : import sans effet.")
    store.write_receipt(_receipt(store, name, data, sha, blob, now, "duplicate", cour, year, submission_id,
                                 [dup], None))
    return ImportResult(name, sha, "deja_importe", cour, year, version, 0, 0, ())


def _receipt(store: RemonteesStore, name: str, data: bytes, sha: str, blob: Path, now: str, outcome: str,
             cour: str | None, year: int | None, submission_id: str | None, problems: list[Problem],
             report: Path | None) -> dict[str, Any]:
    """One receipt in Collecte's format (:mod:`cpc_toolkit.collect.archive`), ``court_id`` = the cour."""
    return {
        "received_at": now, "file_name": name, "size": len(data), "sha256": sha, "outcome": outcome,
        "court_id": cour, "year": year, "submission_id": submission_id,
        "n_errors": sum(p.level == ERROR for p in problems), "n_warnings": sum(p.level == WARNING for p in problems),
        "archive_path": str(blob.relative_to(store.base)),
        "error_report": str(report) if report else None,
        "problems": [{"level": x.level, "sheet": x.sheet, "cell": x.cell, "indicator": x.indicator, "value": x.value,
                      "rule": x.rule, "message": x.message, "reason": x.reason.value} for x in problems],
    }


def write_error_report(store: RemonteesStore, data: bytes, file_name: str, problems: list[Problem],
                       demo: bool = False) -> Path:
    """Error report of a rejected workbook (Collecte's format: cells highlighted + list), 0600."""
    store.ensure()
    stem = Path(file_name).stem or "fichier"
    path = store.errors_dir / f"{stem}.erreurs.xlsx"
    write_private(path, error_report_bytes(problems, data, file_name, demo))
    return path


def safe_cell(cell: Any, value: Any) -> None:
    """Write an export cell; text starting with = + - @ stays inert text (Collecte's guard)."""
    set_safe_value(cell, value)
