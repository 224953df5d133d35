"""Bounded refusals (issue 11): a lying zip bomb, a 1.2-million-cell sheet and a 16 384-column register are
refused in the time of an ordinary import, against a baseline measured in the same run.

For each hostile file, ``import_bytes`` (safe-open kernel, refusal, error report, receipt) into a fresh data
directory is timed, interleaved with the import of the correctly filled workbook of the same court (the
baseline: what a normal accepted file costs on this machine now). Wall and CPU times, the ratio to the
baseline and the machine load are printed. Goal: every refusal within a few seconds (≤ 5 s wall) and no more
than 3 times the baseline. Peak memory is asserted by tests/collect/test_hardening.py (subprocess ru_maxrss).

Usage: ``.venv/bin/python benchmarks/refus_bornes.py [--repetitions 3]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from cpc_toolkit.collect import build_workbook, import_bytes, workbook_bytes
from cpc_toolkit.demo import generate_inputs
from cpc_toolkit.fr import format_number
from cpc_toolkit.registers.io import read_table
from cpc_toolkit.store import Store

ROOT = Path(__file__).resolve().parents[1]
GOAL_WALL_S = 5.0
GOAL_RATIO = 3.0


def _hostile_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("hostile_files", ROOT / "tests" / "collect" / "hostile_files.py")
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def _register_16384_columns() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["identifiant", "juridiction", "type_procedure", "date_ouverture"])
    ws.append(["25/1", "tj-lyon", "conciliation", "2025-01-01"])
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                raw = raw.replace(b'<dimension ref="A1:D2"', b'<dimension ref="A1:XFD1048576"')
            dst.writestr(info.filename, raw)
    return out.getvalue()


def _timed(fn) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    hostile = _hostile_module()
    df = generate_inputs(2025)
    vals = df[(df["court_id"] == "tj-lyon") & (df["year"] == 2025)][["indicator_id", "value", "text", "status"]]
    good = workbook_bytes(build_workbook("tj-lyon", 2025, vals))
    amiable = next(n for n in zipfile.ZipFile(io.BytesIO(good)).namelist() if n.endswith("sheet4.xml"))
    cases = {
        "bombe zip (400 Mo déclarés 1 000 octets)": hostile.lying_bomb(good),
        "feuille de 1,2 million de cellules": hostile.big_sheet(good, amiable),
        "membre zip en double": hostile.duplicate_member(good, amiable, b"<worksheet/>"),
    }
    register = _register_16384_columns()
    print(f"Charge de la machine : {os.getloadavg()[0]:.2f} (1 min) sur {os.cpu_count()} cœurs")
    with tempfile.TemporaryDirectory(prefix="cpc-bench-refus-") as tmp:
        n = 0

        def run(name: str, data: bytes, expect: str) -> None:
            nonlocal n
            n += 1
            out = import_bytes([(name, data)], Store(Path(tmp) / f"d{n}"), progress=False)[0]
            assert out.outcome == expect, (name, [str(p) for p in out.problems])

        def run_register() -> None:
            path = Path(tmp) / "registre.xlsx"
            path.write_bytes(register)
            try:
                read_table(path, "procedures")
            except Exception as exc:  # the expected refusal
                assert "dimensions anormales" in str(exc), exc
            else:
                raise AssertionError("register not refused")

        base: list[tuple[float, float]] = []
        got: dict[str, list[tuple[float, float]]] = {k: [] for k in [*cases, "registre de 16 384 colonnes"]}
        for _ in range(args.repetitions):
            for label, data in cases.items():
                base.append(_timed(lambda: run("clpc_2025_tj-lyon.xlsx", good, "accepted")))
                got[label].append(_timed(lambda d=data: run("clpc_2025_tj-lyon.xlsx", d, "rejected")))
            base.append(_timed(lambda: run("clpc_2025_tj-lyon.xlsx", good, "accepted")))
            got["registre de 16 384 colonnes"].append(_timed(run_register))
        b_wall = statistics.median(w for w, _ in base)
        print(f"Référence (import d'un classeur correct) : {format_number(b_wall, 3)} s (médiane de {len(base)})")
        ok = True
        for label, times in got.items():
            wall = statistics.median(w for w, _ in times)
            cpu = statistics.median(c for _, c in times)
            ratio = wall / b_wall
            good_enough = wall <= GOAL_WALL_S and ratio <= GOAL_RATIO
            ok &= good_enough
            print(f"  {label} : refus en {format_number(wall, 3)} s (CPU {format_number(cpu, 3)} s), "
                  f"rapport {format_number(ratio, 2)} × la référence — {'OK' if good_enough else 'AU-DELÀ DU BUT'}")
    print(f"Charge de la machine à la fin : {os.getloadavg()[0]:.2f}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
