"""Excel annex writer: XlsxWriter (the toolkit's) against the openpyxl writer it replaced.

Goal (issue 17, point 3): the annex written « with a faster writer where it pays ». Both writers get
the same sections (reports assembled once, in this process, from the demo store) and run alternately;
their workbooks are read back with openpyxl and compared cell by cell (value, number format, quote
prefix), with the sheet names, frozen panes and filters. The ratio is printed only when they agree.

Usage: ``.venv/bin/python benchmarks/annexe_excel.py [--donnees donnees] [--repetitions 3] [--tous]``
(default: demo data written apart, the reports of the cour d'appel d'Agen and the national one;
``--tous``: the 206).
"""

from __future__ import annotations

import argparse
import io
import math
import tempfile
from pathlib import Path
from typing import Any, cast

import pandas as pd
from _harness import Bench, compare
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cpc_toolkit import reference
from cpc_toolkit.cli.demo import write_demo
from cpc_toolkit.fr import format_number
from cpc_toolkit.render import campaign, report, xlsx
from cpc_toolkit.render.data import ReportData, load
from cpc_toolkit.render.tables import Table
from cpc_toolkit.settings import DEMO_LABEL
from cpc_toolkit.store import Store


def openpyxl_annex(tables: dict[str, Table], title: str, demo: bool) -> bytes:
    """The toolkit's annex writer before XlsxWriter (openpyxl, same layout): the baseline."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    used: set[str] = set()
    for name, table in tables.items():
        ws = wb.create_sheet(xlsx._sheet_name(name, used))
        df = table.frame
        cols = [c for c in df.columns if not str(c).startswith("_")]
        start = 1
        if demo:
            ws.cell(row=1, column=1, value=f"{DEMO_LABEL} — {title}").font = Font(bold=True, color="B34000")
            start = 2
        for j, col in enumerate(cols, start=1):
            cell = ws.cell(row=start, column=j, value=str(col))
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="E3E3FD")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for i, row in enumerate(cast(list[dict[str, Any]], df.to_dict("records")), start=start + 1):
            for j, col in enumerate(cols, start=1):
                _openpyxl_cell(ws.cell(row=i, column=j), row[col], table.unit_of(row, col))
        ws.freeze_panes = ws.cell(row=start + 1, column=2 if len(cols) > 1 else 1)
        if len(df):
            ws.auto_filter.ref = f"A{start}:{get_column_letter(len(cols))}{start + len(df)}"
        for j, col in enumerate(cols, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200)]) + 2
            ws.column_dimensions[get_column_letter(j)].width = min(max(10, width), 60)
    wb.properties.title = title
    wb.properties.creator = "cpc_toolkit"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _openpyxl_cell(cell: Any, value: object, unit: str | None) -> None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return
    if unit in xlsx.NUMBER_FORMATS and isinstance(value, int | float):
        cell.value, cell.number_format = float(value), xlsx.NUMBER_FORMATS[unit]
        return
    if isinstance(value, int | float) and unit is None:
        cell.value = value
        return
    text, quote = xlsx.neutralise(str(value))
    cell.value, cell.data_type = text, "s"
    cell.quotePrefix = quote
    cell.alignment = Alignment(wrap_text=len(text) > 60, vertical="top")


def content(data: bytes) -> list[tuple[object, ...]]:
    """What a reader sees: sheets, frozen panes, filters, and each cell's value, format and quote prefix."""
    wb = load_workbook(io.BytesIO(data))
    out: list[tuple[object, ...]] = [(wb.properties.title, wb.properties.creator)]
    for ws in wb.worksheets:
        out.append((ws.title, ws.freeze_panes, ws.auto_filter.ref))
        out.extend((ws.title, c.coordinate, c.value, c.number_format, bool(c.quotePrefix), c.data_type)
                   for row in ws.iter_rows() for c in row if c.value is not None)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--donnees", help="magasin existant (sinon : données de démonstration écrites à part)")
    ap.add_argument("--annee", type=int, default=2025)
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--tous", action="store_true", help="les 206 rapports (sinon : la cour d'Agen et le national)")
    args = ap.parse_args()
    bench = Bench("Annexe Excel des rapports : XlsxWriter contre openpyxl")
    with tempfile.TemporaryDirectory(prefix="cpc-bench-annexe-") as tmp:
        donnees = args.donnees
        if donnees is None:
            donnees = str(Path(tmp) / "donnees")
            write_demo(Store(donnees), args.annee)
        run(bench, load(donnees), args)
    return bench.finish()


def run(bench: Bench, data: ReportData, args: argparse.Namespace) -> None:
    units = None if args.tous else [reference.NATIONAL, "ca-agen", *reference.courts_of_cour("ca-agen")]
    jobs = campaign.plan(args.annee, units=units)
    built = [report.assemble(j.kind, j.unit_id, args.annee, data) for j in jobs]
    annexes = [(r.annex(), r.title, r.demo) for r in built]
    cells = sum(len(t.frame) * len(t.frame.columns) for a, _, _ in annexes for t in a.values())
    print(f"  {len(annexes)} annexes, {format_number(cells, 0)} cellules au total")
    with bench.section(f"écriture de {len(annexes)} annexes"):
        res = compare(f"{len(annexes)} annexes",
                      lambda: [openpyxl_annex(*a) for a in annexes],
                      lambda: [xlsx.annex_bytes(*a) for a in annexes],
                      equivalent=lambda a, b: all(content(x) == content(y) for x, y in zip(a, b, strict=True)),
                      repeats=args.repetitions, labels=("openpyxl", "XlsxWriter"))
        if not res.equivalent:
            raise AssertionError("les deux classeurs diffèrent")
        print(f"  par annexe : openpyxl {format_number(1000 * res.baseline.cpu / len(annexes), 0)} ms de CPU, "
              f"XlsxWriter {format_number(1000 * res.candidate.cpu / len(annexes), 0)} ms")


if __name__ == "__main__":
    raise SystemExit(main())
