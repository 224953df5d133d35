"""Reading and validating register exports (CSV, XLSX, Parquet).

Validation is lazy: every problem of the file is collected (file, row as the user sees it,
column, value, rule, French message, reason code) and the whole file is rejected with a
``ValidationError`` listing them — nothing is written. Parsing is vectorised (pandas), so that a
national register of more than a million rows is checked in seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from cpc_toolkit import reference
from cpc_toolkit.errors import Location, ReasonCode, ValidationError
from cpc_toolkit.fr import format_number
from cpc_toolkit.registers.schema import (
    REGISTER_LABELS,
    Column,
    header_key,
    header_map,
    normalise,
    schema,
)
from cpc_toolkit.safeopen import EXACT_MAX, REGISTER_LIMITS, inspect, open_workbook, printable

MAX_FILE_BYTES = 600 * 1024 * 1024
MAX_PROBLEMS = 500  # problems kept in the error (the total is always counted)
MIN_DATE = pd.Timestamp("1900-01-01")
TRUE_WORDS = {"oui", "o", "vrai", "true", "1", "x", "yes", "y"}
FALSE_WORDS = {"non", "n", "faux", "false", "0", "no"}
_NAF_RE = r"^\d{2}\.?\d{2}[A-Za-z]$"


@dataclass(frozen=True)
class RegisterProblem:
    """One located problem of a register file."""

    file: str
    row: int | None
    column: str | None
    value: str
    rule: str
    message: str
    reason: ReasonCode

    @property
    def location(self) -> Location:
        return Location(file=self.file, row=self.row, column=self.column)

    def __str__(self) -> str:
        val = f" (valeur « {self.value} »)" if self.value else ""
        return f"{self.location} : {self.message}{val} [{self.reason.value}]"


@dataclass(frozen=True)
class RawTable:
    """Cells of a register file as strings, with the row number the user sees for each row."""

    frame: pd.DataFrame  # columns = canonical names (unknown columns dropped), str or <NA>
    rows: np.ndarray  # user-visible row number of each frame row
    unknown_columns: tuple[str, ...]
    file_name: str
    row_word: str = "ligne"


class _Collector:
    def __init__(self, file_name: str) -> None:
        self.file = file_name
        self.items: list[RegisterProblem] = []
        self.total = 0

    def add(self, row: int | None, column: str | None, value: object, rule: str, message: str,
            reason: ReasonCode) -> None:
        self.total += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(RegisterProblem(self.file, row, column, "" if value is None else str(value),
                                              rule, message, reason))

    def add_mask(self, raw: RawTable, mask: np.ndarray | pd.Series, column: str, values: pd.Series,
                 rule: str, message: str, reason: ReasonCode) -> None:
        mask = np.asarray(mask, dtype=bool)
        idx = np.flatnonzero(mask)
        self.total += len(idx)
        room = MAX_PROBLEMS - len(self.items)
        for i in idx[:max(room, 0)]:
            v = values.iloc[i]
            self.items.append(RegisterProblem(self.file, int(raw.rows[i]), column,
                                              "" if pd.isna(v) else str(v), rule, message, reason))


# ---------------------------------------------------------------------------------------- reading
def read_table(path: Path, register_type: str, data: bytes | None = None) -> RawTable:
    """Read a CSV / XLSX / Parquet export into strings; raise a located error if unreadable."""
    path = Path(path)
    name = printable(os.fsdecode(path.name).encode("utf-8", "replace").decode("utf-8"))
    if data is None:
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise ValidationError(f"Fichier introuvable ou illisible : « {printable(str(path))} ».", [],
                                  Location(file=name), ReasonCode.FILE_UNREADABLE) from exc
        if size > MAX_FILE_BYTES:
            raise ValidationError(f"Fichier trop volumineux ({format_number(size / 2**20, 0)} Mo ; "
                                  f"limite {MAX_FILE_BYTES // 2**20} Mo).", [], Location(file=name),
                                  ReasonCode.FILE_TOO_LARGE)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ValidationError(f"Fichier illisible : « {name} » ({exc.strerror or 'erreur de lecture'}).", [],
                                  Location(file=name), ReasonCode.FILE_UNREADABLE) from exc
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            frame, rows, word = _read_csv(data, name), None, "ligne"
        elif suffix == ".xlsx":
            frame, rows = _read_xlsx(data, register_type, name)
            word = "ligne"
        elif suffix == ".parquet":
            frame, rows, word = _read_parquet(data), None, "enregistrement"
        elif suffix in (".xlsm", ".xls"):
            raise ValidationError("Format refusé : exportez le registre en .xlsx sans macros, en .csv ou "
                                  "en .parquet.", [], Location(file=name),
                                  ReasonCode.FILE_MACROS if suffix == ".xlsm" else ReasonCode.FILE_FORMAT)
        else:
            raise ValidationError(f"Format de fichier non reconnu « {suffix or '(sans extension)'} » : "
                                  "formats acceptés .csv, .xlsx, .parquet.", [], Location(file=name),
                                  ReasonCode.FILE_FORMAT)
    except ValidationError:
        raise
    except Exception as exc:  # any parser failure → one clear French message (never the library's English)
        raise ValidationError(f"Fichier illisible comme {suffix[1:].upper()} : {_french_reason(exc)}. Exportez à "
                              "nouveau le registre depuis le logiciel métier (CSV séparé par des points-virgules, "
                              "XLSX ou Parquet).", [], Location(file=name), ReasonCode.FILE_UNREADABLE) from exc
    if rows is None:
        # CSV: header on line 1 → data row i is line i + 2 ; Parquet: record i + 1
        rows = frame.index.to_numpy() + (2 if word == "ligne" else 1)
    # drop fully empty rows (kept until now so that line numbers stay right)
    frame = frame.replace(r"^\s*$", pd.NA, regex=True)
    keep = frame.notna().any(axis=1).to_numpy()
    frame, rows = frame[keep], np.asarray(rows)[keep]
    hmap = header_map(register_type)
    rename: dict[str, str] = {}
    unknown: list[str] = []
    dupes: list[str] = []
    for col in frame.columns:
        canon = hmap.get(header_key(col))
        if canon is None:
            unknown.append(str(col))
        elif canon in rename.values():
            dupes.append(str(col))
        else:
            rename[col] = canon
    if dupes:
        raise ValidationError(f"Colonnes en double (même colonne sous deux en-têtes) : {', '.join(dupes)}.",
                              [RegisterProblem(name, 1 if word == "ligne" else None, d, d, "colonnes",
                                               "colonne en double", ReasonCode.FILE_FORMAT) for d in dupes],
                              Location(file=name), ReasonCode.FILE_FORMAT)
    frame = frame[list(rename)].rename(columns=rename).reset_index(drop=True)
    return RawTable(frame.astype("string"), rows, tuple(unknown), name, word)


def _french_reason(exc: BaseException) -> str:
    """What went wrong, in French, from a parser's exception (pandas, pyarrow, openpyxl, zipfile)."""
    text = str(exc)
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if m:
        return (f"la ligne {m.group(2)} a {m.group(3)} champs au lieu de {m.group(1)} (séparateur dans une valeur "
                "non protégée par des guillemets ?)")
    if "EOF inside string" in text or "EOF in" in text:
        m = re.search(r"line (\d+)", text)
        where = f" (à partir de la ligne {m.group(1)})" if m else ""
        return f"guillemet ouvert jamais refermé{where}"
    if isinstance(exc, pd.errors.EmptyDataError) or "No columns to parse" in text:
        return "le fichier ne contient aucune colonne"
    if "Parquet" in text or "magic bytes" in text or type(exc).__module__.startswith("pyarrow"):
        return "le fichier n'est pas un Parquet valide (tronqué ou d'un autre format)"
    if isinstance(exc, UnicodeError):
        return "encodage des caractères non reconnu"
    if isinstance(exc, MemoryError):
        return "fichier trop volumineux pour la mémoire disponible"
    return f"structure inattendue ({type(exc).__name__})"


def _decode(data: bytes, name: str) -> str:
    """Text of a CSV export: UTF-8 (with or without BOM), else Windows-1252, else Latin-1; UTF-16 explained."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) >= 4 and data[:200].count(b"\x00") * 3 >
                                                       min(len(data), 200)):
        raise ValidationError("Le fichier CSV est encodé en UTF-16 (« Texte Unicode » d'Excel), qui n'est pas "
                              "accepté : enregistrez-le au format « CSV UTF-8 (délimité par des virgules) » ou "
                              "« CSV (séparateur : point-virgule) ».", [], Location(file=name),
                              ReasonCode.ENCODING)
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValidationError("Encodage des caractères non reconnu (UTF-8 ou Windows-1252 attendu).", [],
                          Location(file=name), ReasonCode.ENCODING)


def _read_csv(data: bytes, name: str = "") -> pd.DataFrame:
    text = _decode(data, name)
    first = text.split("\n", 1)[0]
    try:
        delim = csv.Sniffer().sniff(first, delimiters=";,\t|").delimiter
    except csv.Error:
        delim = ";" if first.count(";") >= first.count(",") else ","
    return pd.read_csv(io.StringIO(text), sep=delim, dtype=str, keep_default_na=False,
                       skip_blank_lines=False, engine="c")


def _cell_text(v: object) -> object:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ") if (v.hour, v.minute, v.second) != (0, 0, 0) else v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return "oui" if v else "non"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _read_xlsx(data: bytes, register_type: str, name: str = "") -> tuple[pd.DataFrame, np.ndarray]:
    """Rows of the register sheet; the bytes first go through the shared safe-open kernel (zip bombs,
    macros, DTD, absurd dimensions refused before any parse)."""
    issues = inspect(data, name or "registre.xlsx", REGISTER_LIMITS, what="registre")
    if issues:
        first = issues[0]
        raise ValidationError(first.message, [], Location(file=name, sheet=first.member
                                                          if first.rule.startswith(("dimensions", "nombre"))
                                                          else None), first.reason)
    wb, issue = open_workbook(data, read_only=True, data_only=True)
    if issue is not None:
        raise ValidationError(issue.message, [], Location(file=name), issue.reason)
    try:
        names = {normalise(n): n for n in wb.sheetnames}
        sheet = wb[names.get(register_type, wb.sheetnames[0])]
        known = header_map(register_type)
        header: list[str] | None = None
        first_filled: tuple[int, list[str]] | None = None
        records: list[list[object]] = []
        rows: list[int] = []
        for r, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header is None:
                cells = ["" if v is None else str(v) for v in values]
                if first_filled is None and any(cells):
                    first_filled = (r, cells)
                # the header is the first row naming at least two register columns (title rows above
                # it are skipped); otherwise the first non-empty row within the first 20
                if sum(header_key(c) in known for c in cells if c) >= 2:
                    header = cells
                elif r >= 20 and first_filled is not None:
                    header = first_filled[1]
                    records, rows = [], []
                continue
            records.append([_cell_text(v) for v in values])
            rows.append(r)
        if header is None:
            return pd.DataFrame(), np.array([], dtype=int)
        width = len(header)
        records = [(list(rec) + [None] * width)[:width] for rec in records]
        return pd.DataFrame(records, columns=header, dtype=object), np.array(rows, dtype=int)
    finally:
        wb.close()


def _read_parquet(data: bytes) -> pd.DataFrame:
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(data))
    df = table.to_pandas()
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime("%Y-%m-%d %H:%M:%S").str.replace(" 00:00:00", "", regex=False)
        elif pd.api.types.is_bool_dtype(s):
            out[col] = s.map({True: "oui", False: "non"})
        else:
            out[col] = s.map(_cell_text, na_action="ignore") if s.dtype == object else s.astype("string")
    return pd.DataFrame(out, index=df.index)


# ---------------------------------------------------------------------------------------- parsing
PARTIAL_DATE = r"^(?:\d{4}|\d{4}-\d{1,2}|\d{1,2}/\d{4}|\d{4}/\d{1,2})$"
_TZ_SUFFIX = r"(?<=\d)(?:\s*(?:Z|UTC|GMT)|\s*[+-]\d{2}:?\d{2})$"


def partial_dates(s: pd.Series) -> pd.Series:
    """Year alone or month and year (``2021``, ``2021-03``, ``03/2021``): not a date for legal deadlines."""
    return s.astype("string").str.strip().str.fullmatch(PARTIAL_DATE).fillna(False).astype(bool)


def parse_datetime(s: pd.Series) -> pd.Series:
    """Parse ISO (``2025-03-31``, ``2025-03-31 14:05``) and French (``31/03/2025 14:05``) dates.

    Partial dates (year alone, month and year) give NaT. A time-zone offset (``+02:00``, ``Z``) is
    dropped: the wall-clock time written by the court's software is kept as the local time.
    """
    s = s.astype("string").str.strip()
    s = s.mask(partial_dates(s))
    s = s.str.replace(_TZ_SUFFIX, "", regex=True)
    out = pd.to_datetime(s, format="ISO8601", errors="coerce")
    todo = out.isna() & s.notna()
    for fmt in ("%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%y"):
        if not todo.any():
            break
        part = pd.to_datetime(s[todo], format=fmt, errors="coerce")
        out = out.where(~todo, part)
        todo = out.isna() & s.notna()
    return out.astype("datetime64[s]")


def parse_number(s: pd.Series) -> pd.Series:
    """Parse numbers written the French (``1 234,5``) or the English (``1234.5``) way."""
    t = s.astype("string").str.replace(r"[\s\u00a0\u202f]", "", regex=True).str.replace(",", ".",
                                                                                        regex=False)
    t = t.str.replace("€", "", regex=False)
    return pd.to_numeric(t, errors="coerce").astype("float64")


def luhn_ok(values: pd.Series) -> pd.Series:
    """Vectorised SIREN check: nine digits whose Luhn sum is a multiple of 10."""
    s = values.astype("string").str.replace(r"\s", "", regex=True)
    ok = s.str.fullmatch(r"\d{9}").fillna(False).astype(bool)
    digits = np.zeros((len(s), 9), dtype=np.int64)
    good = s[ok]
    if len(good):
        arr = np.frombuffer("".join(good.tolist()).encode("ascii"), dtype=np.uint8).reshape(-1, 9) - 48
        digits[ok.to_numpy()] = arr
    doubled = digits[:, 1::2] * 2
    total = digits[:, 0::2].sum(axis=1) + (doubled // 10 + doubled % 10).sum(axis=1)
    return pd.Series(ok.to_numpy() & (total % 10 == 0), index=values.index)


@cache
def _court_lookup() -> dict[str, str]:
    fi = reference.first_instance_courts()
    out = {normalise(cid): cid for cid in fi["court_id"]}
    for cid, name in zip(fi["court_id"], fi["name"], strict=True):
        out.setdefault(normalise(name), cid)
    # the seat alone (« Lyon ») when it designates a single court
    seats: dict[str, list[str]] = {}
    for cid in fi["court_id"]:
        seats.setdefault(normalise(cid.split("-", 1)[1]), []).append(cid)
    for seat, ids in seats.items():
        if len(ids) == 1:
            out.setdefault(seat, ids[0])
    return out


def validate(raw: RawTable, register_type: str, today: dt.date | None = None) -> tuple[pd.DataFrame,
                                                                                        list[str]]:
    """Type and check every cell; return (typed frame, warnings) or raise ``ValidationError``."""
    cols = schema(register_type)
    today_ts = pd.Timestamp(today or dt.date.today()) + pd.Timedelta(days=1)
    prob = _Collector(raw.file_name)
    frame = raw.frame
    missing = [c for c in cols if c.required and c.name not in frame.columns]
    if len(frame) == 0:
        prob.add(None, None, "", "vide", f"le fichier ne contient aucune ligne de données du "
                 f"{REGISTER_LABELS[register_type]}", ReasonCode.REQUIRED)
    for c in missing:
        prob.add(1 if raw.row_word == "ligne" else None, c.name, "", "colonne obligatoire",
                 f"colonne obligatoire absente « {c.name} » ({c.label}) ; en-têtes acceptés : "
                 f"{', '.join((c.name, *c.aliases))}", ReasonCode.REQUIRED)
    if prob.total:
        _raise(prob, register_type)
    out: dict[str, pd.Series] = {}
    n = len(frame)
    for c in cols:
        if c.name not in frame.columns:
            out[c.name] = _empty(c, n)
            continue
        s = frame[c.name].str.strip()
        present = s.notna().to_numpy()
        if c.required:
            prob.add_mask(raw, ~present, c.name, s, "obligatoire", f"valeur obligatoire manquante "
                          f"({c.label})", ReasonCode.REQUIRED)
        out[c.name] = _parse_column(c, s, present, raw, prob, today_ts)
    typed = pd.DataFrame(out)
    _cross_checks(typed, register_type, raw, prob)
    if prob.total:
        _raise(prob, register_type)
    warnings = []
    if raw.unknown_columns:
        warnings.append("Colonnes ignorées (non reconnues) : " + ", ".join(raw.unknown_columns) + ".")
    typed["ligne"] = raw.rows.astype("int64")
    return typed, warnings


def _empty(c: Column, n: int) -> pd.Series:
    if c.kind in ("date", "datetime"):
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[s]")
    if c.kind in ("int", "float"):
        return pd.Series(np.nan, index=range(n), dtype="float64")
    if c.kind == "bool":
        return pd.Series(pd.NA, index=range(n), dtype="boolean")
    return pd.Series(pd.NA, index=range(n), dtype="string")


def _parse_column(c: Column, s: pd.Series, present: np.ndarray, raw: RawTable, prob: _Collector,
                  today_ts: pd.Timestamp) -> pd.Series:
    if c.kind in ("date", "datetime"):
        v = parse_datetime(s)
        partial = present & partial_dates(s).to_numpy()
        prob.add_mask(raw, partial, c.name, s, "date complète", "date incomplète (année seule ou mois et année) : "
                      "le jour, le mois et l'année sont nécessaires au calcul des délais légaux ; saisissez la "
                      "date exacte (AAAA-MM-JJ ou JJ/MM/AAAA)", ReasonCode.DATE_PARTIAL)
        bad = present & ~partial & v.isna().to_numpy()
        prob.add_mask(raw, bad, c.name, s, "date", "date illisible (formats acceptés : AAAA-MM-JJ ou "
                      "JJ/MM/AAAA" + (", avec l'heure HH:MM" if c.kind == "datetime" else "") + ")",
                      ReasonCode.TYPE_DATE)
        prob.add_mask(raw, (v >= today_ts).fillna(False).to_numpy(), c.name, s, "date future",
                      "date postérieure à aujourd'hui", ReasonCode.DATE_FUTURE)
        prob.add_mask(raw, (v < MIN_DATE).fillna(False).to_numpy(), c.name, s, "date plausible",
                      "date antérieure à 1900", ReasonCode.RANGE)
        return v if c.kind == "datetime" else v.dt.floor("D")
    if c.kind in ("int", "float"):
        v = parse_number(s)
        bad = present & v.isna().to_numpy()
        what = "nombre entier" if c.kind == "int" else "nombre"
        prob.add_mask(raw, bad, c.name, s, what, f"{what} attendu", ReasonCode.TYPE_NUMBER)
        huge = (v.abs() > EXACT_MAX).fillna(False).to_numpy()
        prob.add_mask(raw, huge, c.name, s, "nombre affichable", "nombre démesuré (plus de 15 chiffres) : ni "
                      "Excel ni les rapports ne peuvent l'afficher exactement", ReasonCode.IMPLAUSIBLE)
        v = v.mask(v.abs() > EXACT_MAX)
        if c.kind == "int":
            frac = (v.notna() & (v != v.round())).to_numpy()
            prob.add_mask(raw, frac, c.name, s, "entier", "nombre entier attendu", ReasonCode.TYPE_INTEGER)
        if c.min is not None:
            lo = (v < c.min).fillna(False).to_numpy()
            msg = "valeur négative interdite" if c.min == 0 else \
                f"valeur inférieure au minimum ({format_number(c.min)})"
            prob.add_mask(raw, lo, c.name, s, f"≥ {c.min:g}", msg, ReasonCode.RANGE)
        if c.max is not None:
            hi = (v > c.max).fillna(False).to_numpy()
            prob.add_mask(raw, hi, c.name, s, f"≤ {c.max:g}",
                          f"valeur supérieure au maximum ({format_number(c.max)})", ReasonCode.RANGE)
        return v
    if c.kind == "bool":
        low = s.str.lower()
        t = low.isin(TRUE_WORDS).fillna(False).to_numpy()
        f = low.isin(FALSE_WORDS).fillna(False).to_numpy()
        prob.add_mask(raw, present & ~t & ~f, c.name, s, "oui/non", "réponse oui / non attendue",
                      ReasonCode.TYPE_BOOLEAN)
        return pd.Series(pd.arrays.BooleanArray(t.astype(bool), ~(t | f)), index=s.index)
    if c.kind == "enum":
        lookup = {ch: ch for ch in c.choices} | dict(c.choice_aliases)
        uniq = s.dropna().unique()
        mapping = {u: lookup.get(normalise(u)) for u in uniq}
        v = s.map(mapping).astype("string")
        bad = present & v.isna().to_numpy()
        prob.add_mask(raw, bad, c.name, s, "liste", f"valeur inconnue ; valeurs admises : "
                      f"{', '.join(c.choices)}", ReasonCode.TYPE_TEXT)
        return v
    if c.kind == "court":
        lookup = _court_lookup()
        uniq = s.dropna().unique()
        v = s.map({u: lookup.get(normalise(u)) for u in uniq}).astype("string")
        bad = present & v.isna().to_numpy()
        prob.add_mask(raw, bad, c.name, s, "juridiction", "juridiction inconnue (identifiant attendu, "
                      "ex. tj-lyon ; liste : « cpc juridictions »)", ReasonCode.UNKNOWN_COURT)
        return v
    if c.kind == "siren":
        v = s.str.replace(r"\s", "", regex=True)
        bad = present & ~luhn_ok(v.fillna("")).to_numpy()
        prob.add_mask(raw, bad, c.name, s, "SIREN", "numéro SIREN invalide (9 chiffres dont une clé de "
                      "contrôle de Luhn)", ReasonCode.TYPE_TEXT)
        return v.astype("string")
    if c.kind == "naf":
        v = s.str.upper()
        bad = present & ~v.str.fullmatch(_NAF_RE).fillna(False).to_numpy(dtype=bool)
        prob.add_mask(raw, bad, c.name, s, "NAF", "code NAF invalide (format attendu : 01.11Z)",
                      ReasonCode.TYPE_TEXT)
        v = v.where(v.str.contains(".", regex=False) | v.isna(), v.str[:2] + "." + v.str[2:])
        return v.astype("string")
    v = s.astype("string")
    long = (v.str.len() > 200).fillna(False).to_numpy()
    prob.add_mask(raw, long, c.name, s.str[:40], "≤ 200 caractères", "texte trop long (200 caractères "
                  "au plus)", ReasonCode.TEXT_TOO_LONG)
    return v


def _order(typed: pd.DataFrame, raw: RawTable, prob: _Collector, later: str, earlier: str,
           message: str, by_day: bool = False) -> None:
    a, b = typed[later], typed[earlier]
    if by_day:  # exports often give a date for one event and a date and time for the other
        a, b = a.dt.floor("D"), b.dt.floor("D")
    bad = (a < b).fillna(False).to_numpy()
    vals = typed[later].dt.strftime("%Y-%m-%d %H:%M").str.replace(" 00:00", "", regex=False)
    prob.add_mask(raw, bad, later, vals, f"{later} ≥ {earlier}", message, ReasonCode.CONSISTENCY)


def _cross_checks(typed: pd.DataFrame, register_type: str, raw: RawTable, prob: _Collector) -> None:
    ids = typed["identifiant"]
    dup = typed.duplicated(["juridiction", "identifiant"], keep="first").to_numpy() & ids.notna().to_numpy()
    prob.add_mask(raw, dup, "identifiant", ids, "unicité", "identifiant en double pour cette juridiction",
                  ReasonCode.CONSISTENCY)
    if register_type == "mesures":
        _order(typed, raw, prob, "date_fin", "date_ouverture", "date de fin antérieure à l'ouverture")
        _order(typed, raw, prob, "date_dernier_renouvellement", "date_ouverture",
               "renouvellement antérieur à l'ouverture")
        _order(typed, raw, prob, "date_dernier_compte_verifie", "date_dernier_compte_recu",
               "compte vérifié avant d'avoir été reçu")
        renewed = typed["date_dernier_renouvellement"].notna()
        no_dur = (renewed & typed["duree_renouvellement_mois"].isna()).to_numpy()
        prob.add_mask(raw, no_dur, "duree_renouvellement_mois", typed["duree_renouvellement_mois"],
                      "obligatoire si renouvellement", "durée du renouvellement manquante alors qu'une "
                      "date de renouvellement est indiquée", ReasonCode.REQUIRED)
        sauv = (typed["type_mesure"] == "sauvegarde_justice").fillna(False) & (typed["duree_mois"] > 12)
        prob.add_mask(raw, sauv.to_numpy(), "duree_mois", typed["duree_mois"], "≤ 12 (art. 439)",
                      "une sauvegarde de justice ne peut excéder un an (art. 439 C. civ.)", ReasonCode.RANGE)
    elif register_type == "procedures":
        _order(typed, raw, prob, "date_fin", "date_ouverture", "date de fin antérieure à l'ouverture")
        _order(typed, raw, prob, "date_fin_suspension", "date_debut_suspension",
               "fin de suspension antérieure à son début")
        coll = typed["type_procedure"].isin(["sauvegarde", "redressement_judiciaire",
                                             "liquidation_judiciaire"]).fillna(False)
        no_emp = (coll & typed["salaries"].isna()).to_numpy()
        prob.add_mask(raw, no_emp, "salaries", typed["salaries"], "obligatoire (procédure collective)",
                      "nombre de salariés obligatoire pour une procédure collective", ReasonCode.REQUIRED)
    else:
        _order(typed, raw, prob, "date_fixation_audience", "date_demande",
               "ordonnance de fixation antérieure à la demande", by_day=True)
        _order(typed, raw, prob, "date_decision", "date_demande", "décision antérieure à la demande",
               by_day=True)
        _order(typed, raw, prob, "date_decision", "date_fixation_audience",
               "décision antérieure à l'ordonnance fixant l'audience", by_day=True)
        _order(typed, raw, prob, "oppi_decision", "oppi_saisine", "décision OPPI antérieure à la saisine")
        orphan = (typed["oppi_decision"].notna() & typed["oppi_saisine"].isna()).to_numpy()
        prob.add_mask(raw, orphan, "oppi_saisine", typed["oppi_saisine"], "obligatoire si décision OPPI",
                      "date de saisine OPPI manquante alors qu'une décision OPPI est indiquée",
                      ReasonCode.REQUIRED)


def _raise(prob: _Collector, register_type: str) -> None:
    shown = prob.items
    more = prob.total - len(shown)
    msg = (f"Fichier refusé ({REGISTER_LABELS[register_type]}) : {format_number(prob.total)} "
           f"problème{'s' if prob.total > 1 else ''} ; rien n'a été enregistré.")
    if more > 0:
        msg += f" Les {format_number(len(shown))} premiers sont listés."
    err = ValidationError(msg, list(shown), Location(file=prob.file),
                          shown[0].reason if shown else ReasonCode.FILE_FORMAT)
    err.details["total"] = prob.total
    raise err
