"""Fixtures and helpers of the collect tests: filled workbooks, a small store, the CLI in-process."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cpc_toolkit.cli.main import main
from cpc_toolkit.collect import build_workbook, import_bytes, workbook_bytes
from cpc_toolkit.demo import generate_inputs
from cpc_toolkit.store import Store

DATA = Path(__file__).parent / "data"
COURT, YEAR = "tj-lyon", 2025


@cache
def demo_inputs() -> pd.DataFrame:
    return generate_inputs(2025)


def demo_values(court: str = COURT, year: int = YEAR) -> pd.DataFrame:
    df = demo_inputs()
    return df[(df["court_id"] == court) & (df["year"] == year)][["indicator_id", "value", "text", "status"]]


@cache
def filled_bytes(court: str = COURT, year: int = YEAR) -> bytes:
    """A correctly filled workbook (the demo values of the court-year)."""
    return workbook_bytes(build_workbook(court, year, demo_values(court, year)))


def edit(data: bytes, fn: Callable[[openpyxl.Workbook], None]) -> bytes:
    """Open the workbook like a user would (openpyxl), apply ``fn``, save."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    fn(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def named_cell(wb: openpyxl.Workbook, name: str) -> openpyxl.cell.Cell:
    sheet, coord = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][coord.replace("$", "")]


def set_named(data: bytes, **values: object) -> bytes:
    def fn(wb: openpyxl.Workbook) -> None:
        for name, value in values.items():
            named_cell(wb, name).value = value
    return edit(data, fn)


def zip_replace(data: bytes, members: dict[str, bytes | Callable[[bytes], bytes]],
                add: dict[str, bytes] | None = None) -> bytes:
    """Rewrite a package with some members replaced (bytes, or a function of the old bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info)
            if info.filename in members:
                new = members[info.filename]
                raw = new(raw) if callable(new) else new
            dst.writestr(info.filename, raw)
        for name, raw in (add or {}).items():
            dst.writestr(name, raw)
    return out.getvalue()


def sheet_member(data: bytes, sheet: str) -> str:
    """The zip member (xl/worksheets/sheetN.xml) of a sheet title."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        wbxml = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="(rId\d+)"', wbxml) or \
        re.search(rf'<sheet [^>]*r:id="(rId\d+)"[^>]*name="{re.escape(sheet)}"', wbxml)
    assert rid, sheet
    target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    assert target
    t = target.group(1).lstrip("/")
    return t if t.startswith("xl/") else "xl/" + t


def patch_cell(data: bytes, sheet: str, coord: str, cell_xml: str) -> bytes:
    """Replace the XML of one cell (the cell must exist in the sheet XML)."""
    member = sheet_member(data, sheet)

    def fn(raw: bytes) -> bytes:
        text = raw.decode("utf-8")
        pat = re.compile(rf'<c r="{coord}"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
        assert pat.search(text), coord
        return pat.sub(cell_xml, text, count=1).encode("utf-8")
    return zip_replace(data, {member: fn})


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A data directory with one accepted submission (tj-lyon 2024), shared by a test module."""
    root = tmp_path_factory.mktemp("collect_store")
    store = Store(root)
    out = import_bytes([("clpc_2024_tj-lyon.xlsx", filled_bytes(COURT, 2024))], store, progress=False)
    assert out[0].outcome == "accepted", [str(p) for p in out[0].problems]
    return store


@pytest.fixture
def fresh_store(tmp_path: Path) -> Store:
    return Store(tmp_path / "donnees")


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run `cpc ...` in-process; returns (exit code, stdout, stderr). $CPC_DONNEES is restored after."""
    monkeypatch.delenv("CPC_DONNEES", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            rc = main(list(args))
        except SystemExit as exc:  # argparse usage errors
            rc = int(exc.code or 0)
        out = capsys.readouterr()
        return rc, out.out, out.err
    return run


def copy_store(store: Store, dest: Path) -> Store:
    shutil.copytree(store.root, dest)
    return Store(dest)
