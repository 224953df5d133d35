"""Checks on the raw bytes of a received file, before any spreadsheet library opens it.

Refuses, with a located French message: empty or oversized files, encrypted (OLE2/CFB
container) workbooks, legacy ``.xls``, ``.ods``, ``.csv`` and other non-xlsx files, macro-enabled
workbooks (``.xlsm``, ``vbaProject.bin``), truncated or corrupt zips, zip bombs (uncompressed
sizes and ratios from the zip directory, without inflating), XML with DTD / entity declarations,
and sheets whose declared dimension is absurd. openpyxl itself is only ever used with defusedxml.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import PurePath

import openpyxl

from cpc_toolkit.collect.problems import Problem
from cpc_toolkit.errors import CpcError, ReasonCode

__all__ = ["MAX_FILE_BYTES", "MAX_UNCOMPRESSED_BYTES", "inspect_bytes", "require_defusedxml"]

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_ENTRY_BYTES = 30 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_RATIO = 150
MAX_ROWS = 20_000
MAX_COLUMNS = 500
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')
_TEMPLATE_HINT = "Utilisez le classeur .xlsx fourni (« cpc modeles ») et enregistrez-le au format .xlsx."


def require_defusedxml() -> None:
    """openpyxl must parse XML through defusedxml (entity-expansion protection)."""
    if not openpyxl.DEFUSEDXML:
        raise CpcError("Import impossible : openpyxl doit lire le XML à travers defusedxml (protection contre "
                       "l'expansion d'entités). Installez defusedxml et ne définissez pas OPENPYXL_DEFUSEDXML=False.",
                       ReasonCode.SECURITY)


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.decode("ascii"):
        n = n * 26 + (ord(ch) - 64)
    return n


def _p(name: str, message: str, reason: ReasonCode, rule: str = "format du fichier",
       sheet: str | None = None) -> Problem:
    return Problem(file=name, message=message, reason=reason, rule=rule, sheet=sheet)


def inspect_bytes(data: bytes, name: str) -> list[Problem]:
    """Problems that forbid opening the file (empty list: safe to hand to openpyxl)."""
    suffix = PurePath(name).suffix.lower()
    if not data:
        return [_p(name, "Le fichier est vide (0 octet). Renvoyez le classeur complet.", ReasonCode.FILE_UNREADABLE)]
    if len(data) > MAX_FILE_BYTES:
        return [_p(name, f"Le fichier est trop volumineux ({len(data) // 1_048_576} Mo ; au plus "
                         f"{MAX_FILE_BYTES // 1_048_576} Mo). Un classeur de collecte pèse quelques dizaines de "
                         "Ko : repartez du modèle fourni.", ReasonCode.FILE_TOO_LARGE, rule="taille du fichier")]
    if data.startswith(OLE2_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            return [_p(name, "Le classeur est protégé par un mot de passe (fichier chiffré) et ne peut pas être "
                             "lu. Retirez le mot de passe d'ouverture (Fichier > Informations > Protéger le "
                             "classeur > Chiffrer avec mot de passe : effacer le mot de passe), enregistrez, "
                             "puis renvoyez le fichier.", ReasonCode.FILE_ENCRYPTED, rule="fichier non chiffré")]
        return [_p(name, "Le fichier est au format Excel 97-2003 (.xls), qui n'est pas accepté. " + _TEMPLATE_HINT,
                   ReasonCode.FILE_FORMAT)]
    if not data.startswith(ZIP_MAGIC):
        if suffix == ".csv" or _looks_like_text(data):
            return [_p(name, "Le fichier est un texte (CSV ou autre), pas un classeur Excel. " + _TEMPLATE_HINT,
                       ReasonCode.FILE_FORMAT)]
        return [_p(name, "Le fichier n'est pas un classeur Excel .xlsx (format non reconnu). " + _TEMPLATE_HINT,
                   ReasonCode.FILE_FORMAT)]
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return [_p(name, "Le fichier est endommagé ou incomplet (archive tronquée ou corrompue) : il n'a "
                         "probablement pas été entièrement copié ou envoyé. Enregistrez-le à nouveau depuis "
                         "Excel ou LibreOffice et renvoyez-le.", ReasonCode.FILE_UNREADABLE,
                   rule="archive .xlsx intègre")]
    names = {i.filename for i in infos}
    if "mimetype" in names:
        try:
            mime = zf.read("mimetype")[:200]
        except Exception:
            mime = b""
        if b"opendocument" in mime:
            return [_p(name, "Le fichier est au format OpenDocument (.ods), qui n'est pas accepté. Dans "
                             "LibreOffice, utilisez Fichier > Enregistrer sous > « Classeur Excel 2007-365 "
                             "(.xlsx) ». " + _TEMPLATE_HINT, ReasonCode.FILE_FORMAT)]
    if len(infos) > MAX_ENTRIES:
        return [_p(name, f"L'archive contient {len(infos)} éléments (au plus {MAX_ENTRIES}) : ce n'est pas un "
                         "classeur de collecte normal.", ReasonCode.FILE_TOO_LARGE, rule="taille décompressée")]
    total = sum(i.file_size for i in infos)
    for i in infos:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > MAX_ENTRY_BYTES or (ratio > MAX_RATIO and i.file_size > 5 * 1024 * 1024):
            return [_p(name, f"Le fichier se décompresse en un volume anormal (« {i.filename} » : "
                             f"{i.file_size // 1_048_576} Mo, taux de compression {ratio:.0f}) : possible bombe "
                             "de décompression. Il est refusé ; repartez du modèle fourni.",
                       ReasonCode.FILE_TOO_LARGE, rule="taille décompressée")]
    if total > MAX_UNCOMPRESSED_BYTES:
        return [_p(name, f"Le fichier se décompresse en {total // 1_048_576} Mo (au plus "
                         f"{MAX_UNCOMPRESSED_BYTES // 1_048_576} Mo) : il est refusé ; repartez du modèle fourni.",
                   ReasonCode.FILE_TOO_LARGE, rule="taille décompressée")]
    if suffix in (".xlsm", ".xltm", ".xlam") or any(n.lower().endswith("vbaproject.bin") for n in names):
        return [_p(name, "Le classeur contient des macros (format .xlsm ou projet VBA), qui sont refusées "
                         "pour des raisons de sécurité. Enregistrez-le au format « Classeur Excel (.xlsx) » "
                         "sans macros, puis renvoyez-le.", ReasonCode.FILE_MACROS, rule="classeur sans macros")]
    if "[Content_Types].xml" not in names:
        if "xl/workbook.bin" in names:
            return [_p(name, "Le fichier est un classeur binaire Excel (.xlsb), qui n'est pas accepté. "
                       + _TEMPLATE_HINT, ReasonCode.FILE_FORMAT)]
        return [_p(name, "Le fichier est une archive zip mais pas un classeur Excel .xlsx. " + _TEMPLATE_HINT,
                   ReasonCode.FILE_FORMAT)]
    try:
        ctypes = zf.read("[Content_Types].xml")
    except Exception:
        return [_p(name, "Le fichier est endommagé (table des contenus illisible). Enregistrez-le à nouveau "
                         "depuis Excel ou LibreOffice et renvoyez-le.", ReasonCode.FILE_UNREADABLE,
                   rule="archive .xlsx intègre")]
    if b"macroEnabled" in ctypes or b"vbaProject" in ctypes:
        return [_p(name, "Le classeur est déclaré avec macros (type « macroEnabled ») : il est refusé. "
                         "Enregistrez-le au format « Classeur Excel (.xlsx) » sans macros.", ReasonCode.FILE_MACROS,
                   rule="classeur sans macros")]
    if b"spreadsheetml.sheet.main" not in ctypes and b"spreadsheetml.template.main" not in ctypes:
        kind = "binaire (.xlsb)" if b"sheet.binary" in ctypes else "d'un autre type"
        return [_p(name, f"Le fichier est une archive Office {kind}, pas un classeur Excel .xlsx. " + _TEMPLATE_HINT,
                   ReasonCode.FILE_FORMAT)]
    problems: list[Problem] = []
    for info in infos:
        lower = info.filename.lower()
        if not (lower.endswith(".xml") or lower.endswith(".rels") or lower.endswith(".vml")):
            continue
        try:
            with zf.open(info) as fh:
                head = fh.read(8192)
        except Exception:
            return [_p(name, f"Le fichier est endommagé (élément « {info.filename} » illisible). Enregistrez-le "
                             "à nouveau depuis Excel ou LibreOffice et renvoyez-le.", ReasonCode.FILE_UNREADABLE,
                       rule="archive .xlsx intègre")]
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            return [_p(name, f"Le fichier contient des déclarations XML interdites (DTD ou entités dans "
                             f"« {info.filename} ») : il est refusé pour des raisons de sécurité. Repartez du "
                             "modèle fourni.", ReasonCode.SECURITY, rule="XML sans DTD ni entités")]
        if lower.startswith("xl/worksheets/") and lower.endswith(".xml"):
            m = _DIMENSION.search(head)
            if m and (m.group(4) or m.group(2)):
                rows = int(m.group(4) or m.group(2))
                cols = _col_number(m.group(3) or m.group(1) or b"A")
                if rows > MAX_ROWS or cols > MAX_COLUMNS:
                    problems.append(_p(name, f"Une feuille déclare des dimensions anormales ({rows} lignes × "
                                             f"{cols} colonnes ; au plus {MAX_ROWS} × {MAX_COLUMNS}). Supprimez "
                                             "les lignes et colonnes superflues ou repartez du modèle fourni.",
                                       ReasonCode.FILE_TOO_LARGE, rule="dimensions de feuille",
                                       sheet=info.filename))
    return problems


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
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
