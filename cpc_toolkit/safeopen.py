"""The one safe-open kernel for every spreadsheet the toolkit reads (collection workbooks, registers, remontées).

Everything here works on the raw bytes, before any spreadsheet library parses the file, with
bounded memory and time: the zip directory (entry count, declared sizes, compression ratios,
duplicate members), then ONE streamed pass over every XML member (at most ``max_entry_bytes``
inflated per member, read by 1 MiB chunks) that refuses DTD / entity declarations and counts,
per worksheet, the cells, the highest row and the highest column actually present, besides the
declared ``<dimension>``. Only when :func:`inspect` finds nothing may :func:`open_workbook` hand
the bytes to openpyxl (always through defusedxml).

Findings are :class:`Issue` objects (a French message, a reason code, a rule and the member
concerned); each stage turns them into its own problem type.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from cpc_toolkit.errors import CpcError, ReasonCode

__all__ = [
    "EXACT_MAX",
    "REGISTER_LIMITS",
    "WORKBOOK_LIMITS",
    "Issue",
    "Limits",
    "die_with_parent",
    "inspect",
    "open_workbook",
    "printable",
    "require_defusedxml",
    "sheet_titles",
]

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EXACT_MAX = 1e15  # Excel keeps 15 significant digits: beyond, the number shown is not the one stored
_CHUNK = 1 << 20
_MIB = 1_048_576
REGISTER_HINT = "Exportez le registre depuis le logiciel métier au format .xlsx (sans macros), .csv ou .parquet."
TEMPLATE_HINT = "Utilisez le classeur .xlsx fourni (« cpc modeles ») et enregistrez-le au format .xlsx."


@dataclass(frozen=True)
class Limits:
    """Bounds checked on the raw bytes before any parse."""

    max_file_bytes: int = 20 * _MIB
    max_uncompressed_bytes: int = 60 * _MIB
    max_entry_bytes: int = 30 * _MIB
    max_entries: int = 2000
    max_ratio: float = 150.0
    ratio_floor_bytes: int = 5 * _MIB  # ratios are only judged above this inflated size
    max_rows: int = 20_000
    max_columns: int = 500
    max_cells: int = 200_000  # cells present in one worksheet


WORKBOOK_LIMITS = Limits()
# a register export: up to Excel's row limit, a few dozen columns
REGISTER_LIMITS = Limits(max_file_bytes=600 * _MIB, max_uncompressed_bytes=4096 * _MIB,
                         max_entry_bytes=4000 * _MIB, max_entries=200, max_ratio=400.0,
                         max_rows=1_048_576, max_columns=200, max_cells=40_000_000)


@dataclass(frozen=True)
class Issue:
    """One reason not to open a file (French message)."""

    message: str
    reason: ReasonCode
    rule: str = "format du fichier"
    member: str | None = None


def require_defusedxml() -> None:
    """openpyxl must parse XML through defusedxml (entity-expansion protection)."""
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        raise CpcError("Import impossible : openpyxl doit lire le XML à travers defusedxml (protection contre "
                       "l'expansion d'entités). Installez defusedxml et ne définissez pas OPENPYXL_DEFUSEDXML=False.",
                       ReasonCode.SECURITY)


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})?\$?(\d+)?(?::\$?([A-Z]{1,3})\$?(\d+))?"')
_PREFIXED_CELL = re.compile(rb'<\w+:c[\s/>]')
_COL_LETTERS = re.compile(rb'<(?:\w+:)?c\s+r="\$?([A-Z]{1,3})\d')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\s+r="(\d{1,7})"')
_OVERLAP = 256


def col_number(letters: str | bytes) -> int:
    """1-based column number of A1 letters."""
    text = letters.decode("ascii") if isinstance(letters, bytes) else letters
    n = 0
    for ch in text:
        n = n * 26 + (ord(ch) - 64)
    return n


def _mo(n: int) -> str:
    return f"{n / _MIB:.0f}".replace(".", ",")


def _unreadable(member: str | None = None) -> Issue:
    what = f" (élément « {member} » illisible)" if member else " (archive tronquée ou corrompue)"
    return Issue(f"Le fichier est endommagé ou incomplet{what} : il n'a probablement pas été entièrement copié ou "
                 "envoyé. Enregistrez-le à nouveau depuis Excel ou LibreOffice et renvoyez-le.",
                 ReasonCode.FILE_UNREADABLE, "archive .xlsx intègre", member)


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return True


def inspect(data: bytes, name: str, limits: Limits = WORKBOOK_LIMITS, *, what: str = "classeur") -> list[Issue]:
    """Why the bytes must not be opened (empty list: safe to hand to openpyxl). Bounded time and memory.

    ``what`` (« classeur », « registre ») adapts the advice given in the messages.
    """
    hint = TEMPLATE_HINT if what == "classeur" else REGISTER_HINT
    suffix = PurePath(name).suffix.lower()
    if not data:
        return [Issue("Le fichier est vide (0 octet). Renvoyez le fichier complet.", ReasonCode.FILE_UNREADABLE)]
    if len(data) > limits.max_file_bytes:
        return [Issue(f"Le fichier est trop volumineux ({_mo(len(data))} Mo ; au plus {_mo(limits.max_file_bytes)} "
                      "Mo). " + ("Un classeur de collecte pèse quelques dizaines de Ko : repartez du modèle fourni."
                             if what == "classeur" else "Scindez l'export (par année ou par juridiction)."),
                      ReasonCode.FILE_TOO_LARGE, "taille du fichier")]
    if data.startswith(OLE2_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            return [Issue("Le classeur est protégé par un mot de passe (fichier chiffré) et ne peut pas être "
                          "lu. Retirez le mot de passe d'ouverture (Fichier > Informations > Protéger le "
                          "classeur > Chiffrer avec mot de passe : effacer le mot de passe), enregistrez, "
                          "puis renvoyez le fichier.", ReasonCode.FILE_ENCRYPTED, "fichier non chiffré")]
        return [Issue("Le fichier est au format Excel 97-2003 (.xls), qui n'est pas accepté. " + hint,
                      ReasonCode.FILE_FORMAT)]
    if not data.startswith(ZIP_MAGIC):
        if suffix == ".csv" or _looks_like_text(data):
            return [Issue("Le fichier est un texte (CSV ou autre), pas un classeur Excel. " + hint,
                          ReasonCode.FILE_FORMAT)]
        return [Issue("Le fichier n'est pas un classeur Excel .xlsx (format non reconnu). " + hint,
                      ReasonCode.FILE_FORMAT)]
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return [_unreadable()]
    if len(infos) > limits.max_entries:
        return [Issue(f"L'archive contient {len(infos)} éléments (au plus {limits.max_entries}) : ce n'est pas "
                      f"un {what} normal.", ReasonCode.FILE_TOO_LARGE, "taille décompressée")]
    seen: dict[str, str] = {}
    for i in infos:
        key = i.filename.replace("\\", "/").lstrip("/").casefold()
        if key in seen:
            return [Issue(f"L'archive contient deux fois l'élément « {i.filename} » : Excel et l'import pourraient "
                          "ne pas lire le même contenu. Le fichier est refusé ; enregistrez-le à nouveau depuis "
                          "Excel ou LibreOffice.", ReasonCode.DUPLICATE_MEMBER, "éléments d'archive uniques",
                          i.filename)]
        seen[key] = i.filename
    names = {i.filename for i in infos}
    total = 0
    for i in infos:
        total += i.file_size
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > limits.max_entry_bytes or (ratio > limits.max_ratio
                                                    and i.file_size > limits.ratio_floor_bytes):
            return [Issue(f"Le fichier se décompresse en un volume anormal (« {i.filename} » : "
                          f"{_mo(i.file_size)} Mo, taux de compression {ratio:.0f}) : possible bombe de "
                          "décompression. Il est refusé ; repartez du modèle fourni.", ReasonCode.FILE_TOO_LARGE,
                          "taille décompressée", i.filename)]
    if total > limits.max_uncompressed_bytes:
        return [Issue(f"Le fichier se décompresse en {_mo(total)} Mo (au plus {_mo(limits.max_uncompressed_bytes)} "
                      "Mo) : il est refusé ; repartez du modèle fourni.", ReasonCode.FILE_TOO_LARGE,
                      "taille décompressée")]
    if "mimetype" in names:
        try:
            with zf.open("mimetype") as fh:
                mime = fh.read(200)
        except Exception:
            mime = b""
        if b"opendocument" in mime:
            return [Issue("Le fichier est au format OpenDocument (.ods), qui n'est pas accepté. Dans "
                          "LibreOffice, utilisez Fichier > Enregistrer sous > « Classeur Excel 2007-365 "
                          "(.xlsx) ». " + hint, ReasonCode.FILE_FORMAT)]
    if suffix in (".xlsm", ".xltm", ".xlam") or any(n.lower().endswith("vbaproject.bin") for n in names):
        return [Issue("Le classeur contient des macros (format .xlsm ou projet VBA), qui sont refusées "
                      "pour des raisons de sécurité. Enregistrez-le au format « Classeur Excel (.xlsx) » "
                      "sans macros, puis renvoyez-le.", ReasonCode.FILE_MACROS, "classeur sans macros")]
    if "[Content_Types].xml" not in names:
        if "xl/workbook.bin" in names:
            return [Issue("Le fichier est un classeur binaire Excel (.xlsb), qui n'est pas accepté. "
                          + hint, ReasonCode.FILE_FORMAT)]
        return [Issue("Le fichier est une archive zip mais pas un classeur Excel .xlsx. " + hint,
                      ReasonCode.FILE_FORMAT)]
    try:
        with zf.open("[Content_Types].xml") as fh:
            ctypes = fh.read(1 * _MIB)
    except Exception:
        return [_unreadable("[Content_Types].xml")]
    if b"macroEnabled" in ctypes or b"vbaProject" in ctypes:
        return [Issue("Le classeur est déclaré avec macros (type « macroEnabled ») : il est refusé. "
                      "Enregistrez-le au format « Classeur Excel (.xlsx) » sans macros.", ReasonCode.FILE_MACROS,
                      "classeur sans macros")]
    if b"spreadsheetml.sheet.main" not in ctypes and b"spreadsheetml.template.main" not in ctypes:
        kind = "binaire (.xlsb)" if b"sheet.binary" in ctypes else "d'un autre type"
        return [Issue(f"Le fichier est une archive Office {kind}, pas un classeur Excel .xlsx. " + hint,
                      ReasonCode.FILE_FORMAT)]
    issues: list[Issue] = []
    titles = _titles_by_member(zf)
    for info in infos:
        lower = info.filename.lower()
        if not lower.endswith((".xml", ".rels", ".vml")):
            continue
        found = _scan_member(zf, info, limits, lower.startswith("xl/worksheets/") and lower.endswith(".xml"),
                             titles.get(info.filename, info.filename))
        if found is None:
            continue
        if found.reason in (ReasonCode.SECURITY, ReasonCode.FILE_UNREADABLE):
            return [found]
        issues.append(found)
    return issues


def _scan_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, sheet: bool,
                 title: str) -> Issue | None:
    """One streamed pass over an XML member: DTD/entities, and for a sheet its real and declared extent."""
    cells = 0
    max_row = 0
    max_col = 0
    declared: tuple[int, int] | None = None
    read = 0
    tail = b""
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                read += len(chunk)
                if read > limits.max_entry_bytes:
                    return Issue(f"Le fichier se décompresse en un volume anormal (« {info.filename} » dépasse "
                                 f"{_mo(limits.max_entry_bytes)} Mo) : possible bombe de décompression. Il est "
                                 "refusé.", ReasonCode.FILE_TOO_LARGE, "taille décompressée", info.filename)
                buf = tail + chunk
                if b"<!DOCTYPE" in buf or b"<!ENTITY" in buf or b"<!doctype" in buf:
                    return Issue(f"Le fichier contient des déclarations XML interdites (DTD ou entités dans "
                                 f"« {info.filename} ») : il est refusé pour des raisons de sécurité. Repartez "
                                 "du modèle fourni.", ReasonCode.SECURITY, "XML sans DTD ni entités", info.filename)
                if sheet:
                    # cells that end in the new bytes (a 3-byte tag needs at least one new byte); max/set are
                    # idempotent, so re-reading the overlap for rows and columns is harmless
                    seg = tail[-2:] + chunk
                    cells += seg.count(b"<c ") + seg.count(b"<c>") + seg.count(b"<c/")
                    if b":c " in seg or b":c>" in seg:
                        cells += len(_PREFIXED_CELL.findall(seg))
                    if cells > limits.max_cells:
                        break
                    letters = set(_COL_LETTERS.findall(buf))
                    if letters:
                        max_col = max(max_col, max(col_number(x) for x in letters))
                    nums = _ROW_NUMBER.findall(buf)
                    if nums:
                        max_row = max(max_row, max(map(int, nums)))
                    if declared is None:
                        d = _DIMENSION.search(buf)
                        if d and (d.group(4) or d.group(2)):
                            declared = (int(d.group(4) or d.group(2)), col_number(d.group(3) or d.group(1) or b"A"))
                    if cells > limits.max_cells:
                        break
                tail = buf[-_OVERLAP:]
    except Exception:  # zlib.error, BadZipFile (CRC), EOFError, NotImplementedError (method)…
        return _unreadable(info.filename)
    if not sheet:
        return None
    if cells > limits.max_cells:
        return Issue(f"La feuille « {title} » contient plus de {limits.max_cells:,} cellules (au plus "
                     f"{limits.max_cells:,}) : supprimez les cellules superflues ou repartez du modèle fourni."
                     .replace(",", "\u202f"), ReasonCode.FILE_TOO_LARGE, "nombre de cellules", title)
    rows, cols = max_row, max_col
    if declared is not None:
        rows, cols = max(rows, declared[0]), max(cols, declared[1])
    if rows > limits.max_rows or cols > limits.max_columns:
        return Issue(f"La feuille « {title} » a des dimensions anormales ({rows} lignes × {cols} colonnes ; au "
                     f"plus {limits.max_rows} × {limits.max_columns}). Supprimez les lignes et colonnes "
                     "superflues ou repartez du modèle fourni.", ReasonCode.FILE_TOO_LARGE,
                     "dimensions de feuille", title)
    return None


_SHEET_TAG = re.compile(rb'<(?:\w+:)?sheet\s[^>]*>')
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL_TAG = re.compile(rb'<(?:\w+:)?Relationship\s[^>]*>')


def _titles_by_member(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet member -> sheet title, from workbook.xml and its rels (bounded reads; best effort)."""
    try:
        with zf.open("xl/workbook.xml") as fh:
            wbxml = fh.read(4 * _MIB)
        with zf.open("xl/_rels/workbook.xml.rels") as fh:
            rels = fh.read(4 * _MIB)
    except Exception:
        return {}
    targets: dict[bytes, str] = {}
    for tag in _REL_TAG.findall(rels):
        attrs = dict(_ATTR.findall(tag))
        t = attrs.get(b"Target", b"").decode("utf-8", "replace").lstrip("/")
        targets[attrs.get(b"Id", b"")] = t if t.startswith("xl/") else "xl/" + t
    out: dict[str, str] = {}
    for tag in _SHEET_TAG.findall(wbxml):
        attrs = dict(_ATTR.findall(tag))
        rid = next((v for k, v in attrs.items() if k.endswith(b":id")), b"")
        if rid in targets:
            out[targets[rid]] = attrs.get(b"name", b"").decode("utf-8", "replace")
    return out


def sheet_titles(data: bytes) -> dict[str, str]:
    """Worksheet member -> title of an xlsx (empty when unreadable)."""
    try:
        return _titles_by_member(zipfile.ZipFile(io.BytesIO(data)))
    except Exception:
        return {}


def open_workbook(data: bytes, *, read_only: bool = False, data_only: bool = False) -> tuple[Any, Issue | None]:
    """openpyxl workbook of bytes that :func:`inspect` accepted, or the French reason it cannot be read."""
    import openpyxl

    require_defusedxml()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=read_only, data_only=data_only,
                                        keep_links=False, rich_text=False)
        return wb, None
    except Exception as exc:  # openpyxl raises many types on broken or hostile files
        chain: list[BaseException] = []
        cur: BaseException | None = exc
        while cur is not None and len(chain) < 10:
            chain.append(cur)
            cur = cur.__cause__ or cur.__context__
        if any("defusedxml" in (type(e).__module__ or "") for e in chain):
            return None, Issue("Le fichier contient des constructions XML interdites (entités ou DTD) : il est "
                               "refusé pour des raisons de sécurité. Repartez du modèle fourni.",
                               ReasonCode.SECURITY, "XML sans DTD ni entités")
        return None, Issue("Le classeur ne peut pas être lu (fichier endommagé ou structure inattendue : "
                           f"{type(chain[-1]).__name__}). Ouvrez-le dans Excel ou LibreOffice, enregistrez-le au "
                           "format .xlsx, puis renvoyez-le.", ReasonCode.FILE_UNREADABLE, "classeur lisible")


_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """Text safe to print on one line: control, format (bidi, zero-width) and separator characters escaped.

    A newline in a file name can no longer forge a « ✔ … accepté » line, an ESC no longer drives the
    terminal nor breaks the xlsx writer.
    """
    out: list[str] = []
    for ch in text:
        if ch in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def die_with_parent(parent_pid: int | None = None) -> None:
    """Ask Linux to SIGKILL this process when its parent dies (prctl PR_SET_PDEATHSIG); no-op elsewhere.

    Used by the worker processes the importers and the report campaign start, so that ``kill -9`` of
    the command leaves none behind. ``parent_pid``: the parent expected (else: any but init).
    """
    import ctypes
    import os
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1 or (parent_pid is not None and os.getppid() != parent_pid):  # the parent died first
        os._exit(1)
