"""Simulator update time: one what-if change → projection table and chart spec (goal ≤ 0.5 s).

Compares, interleaved, ``simulate`` with a base computed once per page (what a simulator page does)
against a straightforward update that recomputes everything from the results table on every change
(``projection_base`` + ``projection_table`` + ``projection_figure_spec`` without a base). Prints wall
and CPU medians, their ratio and the machine load.

Usage: ``.venv/bin/python benchmarks/bench_projection.py [--donnees DOSSIER] [--unite ca-lyon] [-n 15]``
(default: a temporary demo store written with seed 2025).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from cpc_toolkit.compute import results
from cpc_toolkit.compute.projection import WhatIf, projection_base, projection_table
from cpc_toolkit.render.perspectives import projection_figure_spec, simulate
from cpc_toolkit.store import Store


def _timed(fn) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--donnees", type=Path)
    ap.add_argument("--unite", default="ca-lyon")
    ap.add_argument("--annee", type=int, default=2025)
    ap.add_argument("-n", type=int, default=15)
    args = ap.parse_args()
    if args.donnees:
        store = Store(args.donnees)
    else:
        from cpc_toolkit.cli.demo import write_demo

        store = Store(Path(tempfile.mkdtemp(prefix="bench_projection_")))
        write_demo(store, 2025)
    res = results(store)
    unit, year = args.unite, args.annee
    base = projection_base(res, unit, year)  # once per page (also warms the results index)

    def fast(k: int) -> None:
        simulate(res, base, 24, WhatIf(sorties_pct=k % 20, entrees_abs=-(k % 7)))

    def naive(k: int) -> None:
        w = WhatIf(sorties_pct=k % 20, entrees_abs=-(k % 7))
        projection_table(res, unit, year, 24, w)
        projection_figure_spec(res, unit, year, 24, w)

    fw, fc, nw, nc = [], [], [], []
    for k in range(args.n):  # interleaved
        a, b = _timed(lambda k=k: fast(k))
        fw.append(a)
        fc.append(b)
        a, b = _timed(lambda k=k: naive(k))
        nw.append(a)
        nc.append(b)
    med = statistics.median
    print(f"charge (loadavg 1/5/15 min) : {' '.join(f'{x:.2f}' for x in os.getloadavg())} ; {os.cpu_count()} cœurs")
    print(f"unité {unit}, année {year}, {args.n} mises à jour interleavées")
    print(f"simulate (base calculée une fois) : mur {med(fw) * 1000:.0f} ms, CPU {med(fc) * 1000:.0f} ms "
          f"(max mur {max(fw) * 1000:.0f} ms)")
    print(f"recalcul complet à chaque changement : mur {med(nw) * 1000:.0f} ms, CPU {med(nc) * 1000:.0f} ms")
    print(f"rapport (recalcul / simulate) : mur {med(nw) / med(fw):.1f}×, CPU {med(nc) / med(fc):.1f}×")
    print(f"objectif ≤ 500 ms par mise à jour : {'atteint' if med(fw) <= 0.5 else 'non atteint'}")


if __name__ == "__main__":
    main()
