"""Builders of hostile workbooks shared by the tests and benchmarks/refus_bornes.py (no pytest here)."""

from __future__ import annotations

import io
import struct
import zipfile

MIB = 1_048_576


def _rewrite(data: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
        for name, raw in (add or {}).items():
            dst.writestr(name, raw)
    return out.getvalue()


def big_sheet(data: bytes, member: str, n_cells: int = 1_200_000, width: int = 12) -> bytes:
    """Replace a worksheet by one with ``n_cells`` numeric cells and no <dimension> (real extent only)."""
    rows = []
    letters = [chr(65 + i) for i in range(width)]
    n_rows = n_cells // width
    for r in range(1, n_rows + 1):
        rows.append(f'<row r="{r}">' + "<c><v>1</v></c>" * len(letters) + "</row>")  # r= is optional
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           + "".join(rows) + "</sheetData></worksheet>").encode()
    return _rewrite(data, {member: xml})


def lying_bomb(data: bytes, inflated: int = 400 * MIB) -> bytes:
    """Add a member of ``inflated`` zero bytes whose zip directory declares 1 000 bytes (a lying bomb)."""
    name = "xl/media/image1.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        zinfo = zipfile.ZipInfo(name)
        zinfo.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(zinfo, "w") as fh:
            block = b"<a>" + b"\0" * (MIB - 3)
            for _ in range(inflated // MIB):
                fh.write(block)
    raw = bytearray(out.getvalue())
    fname = name.encode()
    # local header: uncompressed size at +22; central directory entry: at +24
    pos = 0
    while True:
        pos = raw.find(b"PK\x03\x04", pos)
        if pos < 0:
            break
        n = struct.unpack_from("<H", raw, pos + 26)[0]
        if raw[pos + 30:pos + 30 + n] == fname:
            struct.pack_into("<I", raw, pos + 22, 1000)
        pos += 4
    pos = 0
    while True:
        pos = raw.find(b"PK\x01\x02", pos)
        if pos < 0:
            break
        n = struct.unpack_from("<H", raw, pos + 28)[0]
        if raw[pos + 46:pos + 46 + n] == fname:
            struct.pack_into("<I", raw, pos + 24, 1000)
        pos += 4
    return bytes(raw)


def duplicate_member(data: bytes, member: str, second: bytes) -> bytes:
    """The same member name twice: the first as it was, then ``second``."""
    import warnings

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dst.writestr(member, second)
    return out.getvalue()
