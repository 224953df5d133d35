"""Issue 11 on register files: the shared safe-open kernel for xlsx, partial dates, time-zone offsets,
encodings, French parser errors, unrepresentable numbers, control characters in file names."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cpc_toolkit.errors import ReasonCode
from cpc_toolkit.registers.io import read_table, validate

from .test_io import PROC_HEADER, PROC_OK, TODAY, _csv, _reject

GOOD_LINE = "25/009;tj-lyon;conciliation;{date};;3;PM;;;"


@pytest.mark.parametrize("date", ["2021", "2021-03", "03/2021"])
def test_partial_date_refused_with_row_and_column(tmp_path: Path, date: str) -> None:
    err = _reject(tmp_path, _csv(tmp_path, [PROC_HEADER, *PROC_OK, GOOD_LINE.format(date=date)]))
    hits = [p for p in err.problems if p.reason == ReasonCode.DATE_PARTIAL]
    assert [(p.row, p.column, p.value) for p in hits] == [(5, "date_ouverture", date)]
    assert "date incomplète" in hits[0].message and "délais légaux" in hits[0].message
    assert "ligne 5" in str(hits[0]) and "colonne « date_ouverture »" in str(hits[0])


@pytest.mark.parametrize("stamp", ["2025-02-01T10:30:00+02:00", "2025-02-01T10:30:00Z", "2025-02-01 10:30+0100"])
def test_time_zone_offset_keeps_the_local_wall_clock(tmp_path: Path, stamp: str) -> None:
    path = _csv(tmp_path, [PROC_HEADER, *PROC_OK, GOOD_LINE.format(date=stamp)])
    typed, _ = validate(read_table(path, "procedures"), "procedures", today=TODAY)
    assert typed["date_ouverture"].iloc[-1] == pd.Timestamp("2025-02-01")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
def test_encodings_detected(tmp_path: Path, encoding: str) -> None:
    path = _csv(tmp_path, [PROC_HEADER, *PROC_OK], encoding=encoding)
    raw = read_table(path, "procedures")
    assert "Société Fictive Bêta 2 SARL" in set(raw.frame["denomination"])


def test_latin1_only_bytes_are_read(tmp_path: Path) -> None:
    # 0x81 is undefined in Windows-1252: the Latin-1 fallback reads it
    line = PROC_OK[1].replace("Bêta", "B\x81ta")
    path = _csv(tmp_path, [PROC_HEADER, line], encoding="latin-1")
    assert read_table(path, "procedures").frame["denomination"].iloc[0] == "Société Fictive B\x81ta 2 SARL"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_explained(tmp_path: Path, encoding: str) -> None:
    err = _reject(tmp_path, _csv(tmp_path, [PROC_HEADER, *PROC_OK], encoding=encoding))
    assert err.reason == ReasonCode.ENCODING and "UTF-16" in err.message and "CSV UTF-8" in err.message


def test_broken_csv_message_is_french(tmp_path: Path) -> None:
    path = tmp_path / "registre.csv"
    path.write_bytes(b'a,b\n1,2\n"3,4\n5,6\n')
    err = _reject(tmp_path, path)
    assert err.reason == ReasonCode.FILE_UNREADABLE and "guillemet" in err.message
    assert "EOF" not in err.message and "Error" not in err.message
    path.write_bytes(b"a,b\n1,2\n3,4,5,6\n")
    err = _reject(tmp_path, path)
    assert "la ligne 3 a 4 champs au lieu de 2" in err.message


def _xlsx_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Registre"
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rewrite(data: bytes, member: str, fn) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info)
            dst.writestr(info.filename, fn(raw) if info.filename == member else raw)
    return out.getvalue()


def _good_xlsx() -> bytes:
    return _xlsx_bytes(PROC_HEADER.split(";"), [line.split(";") for line in PROC_OK])


@pytest.mark.parametrize(("case", "reason", "words"), [
    ("colonnes_16384", ReasonCode.FILE_TOO_LARGE, "dimensions anormales"),
    ("dtd", ReasonCode.SECURITY, "DTD"),
    ("macros", ReasonCode.FILE_MACROS, "macros"),
    ("membre_double", ReasonCode.DUPLICATE_MEMBER, "deux fois"),
])
def test_register_xlsx_goes_through_the_safe_open_kernel(tmp_path: Path, case: str, reason: ReasonCode,
                                                          words: str) -> None:
    data = _good_xlsx()
    sheet = "xl/worksheets/sheet1.xml"
    if case == "colonnes_16384":
        data = _rewrite(data, sheet, lambda raw: raw.replace(b'<dimension ref="A1:J4"', b'<dimension ref="A1:XFD4"'))
    elif case == "dtd":
        data = _rewrite(data, sheet, lambda raw: b'<!DOCTYPE x [<!ENTITY e "b">]>' + raw.split(b"?>", 1)[-1])
    elif case == "macros":
        data = _rewrite(data, "[Content_Types].xml", lambda raw: raw + b"<!-- vbaProject -->")
    else:
        import warnings

        out = io.BytesIO(data)
        with warnings.catch_warnings(), zipfile.ZipFile(out, "a") as zf:
            warnings.simplefilter("ignore")
            zf.writestr(sheet, b"<worksheet/>")
        data = out.getvalue()
    path = tmp_path / "registre.xlsx"
    path.write_bytes(data)
    err = _reject(tmp_path, path)
    assert err.reason == reason and words in err.message, err.message
    assert "Exportez le registre" in err.message or reason in (ReasonCode.SECURITY, ReasonCode.FILE_MACROS,
                                                               ReasonCode.FILE_TOO_LARGE,
                                                               ReasonCode.DUPLICATE_MEMBER)


def test_good_register_xlsx_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "registre.xlsx"
    path.write_bytes(_good_xlsx())
    typed, _ = validate(read_table(path, "procedures"), "procedures", today=TODAY)
    assert len(typed) == 3


@pytest.mark.parametrize("value", ["1e308", "10000000000000001"])
def test_unrepresentable_number_refused(tmp_path: Path, value: str) -> None:
    line = f"25/009;tj-lyon;liquidation judiciaire;2025-02-01;;{value};PM;;;"
    err = _reject(tmp_path, _csv(tmp_path, [PROC_HEADER, *PROC_OK, line]))
    hits = [p for p in err.problems if p.reason == ReasonCode.IMPLAUSIBLE]
    assert [(p.row, p.column) for p in hits] == [(5, "salaries")]


def test_control_characters_in_file_name_escaped(tmp_path: Path) -> None:
    path = _csv(tmp_path, [PROC_HEADER, *PROC_OK, GOOD_LINE.format(date="2021")], name="reg\x1b[2J\nistre.csv")
    err = _reject(tmp_path, path)
    text = str(err) + "".join(str(p) for p in err.problems)
    assert "\x1b" not in text and "\n" not in text and "reg\\x1b[2J\\nistre.csv" in text


def test_full_disk_during_register_import_is_a_french_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    from cpc_toolkit.errors import StoreError
    from cpc_toolkit.registers.importer import import_register
    from cpc_toolkit.store import Store

    path = _csv(tmp_path, [PROC_HEADER, *PROC_OK])
    real = os.replace

    def full(src: object, dst: object) -> None:
        if str(dst).endswith("manifest.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(StoreError) as caught:
        import_register(Store(tmp_path / "donnees"), "procedures", path, today=TODAY)
    assert caught.value.reason == ReasonCode.DISK_FULL and "Espace disque insuffisant" in caught.value.message
