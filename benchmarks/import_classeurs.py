"""Import timings of 168 filled collection workbooks, against a baseline measured in the same run.

1. Baseline: ``openpyxl.load_workbook`` of each workbook, one process (the bare cost of opening
   the files with the library, no validation, no store).
2. Per-file validation (``parse_workbook``: safety checks + load + every cell check), one process:
   the per-file median is compared with the goal (≤ 120 ms per workbook).
3. The real import (``import_files``: archive, validation in 2 worker processes, batch checks,
   one store commit, receipts) into an empty data directory: total compared with the goal
   (≤ 20 s for 168 workbooks on a 2-core machine).

Ratios against the baseline are printed, since absolute times depend on the machine's load.

Usage: ``.venv/bin/python benchmarks/import_classeurs.py [--annee 2025] [--processus 2]``.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import openpyxl

from cpc_toolkit.collect import import_files, parse_workbook
from cpc_toolkit.collect.demo import write_demo_workbooks
from cpc_toolkit.fr import format_number
from cpc_toolkit.store import Store

GOAL_TOTAL_S = 20.0
GOAL_PER_FILE_MS = 120.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annee", type=int, default=2025)
    parser.add_argument("--processus", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cpc-bench-import-") as tmp:
        all_paths = write_demo_workbooks(2025, Path(tmp) / "classeurs", progress=False)
        paths = [p for p in all_paths if f"clpc_{args.annee}_" in p.name]
        files = [(p.name, p.read_bytes()) for p in paths]
        print(f"{len(files)} classeurs remplis ({args.annee}, données fictives), "
              f"{format_number(sum(len(b) for _, b in files) / len(files) / 1024, 1)} Ko en moyenne.")

        # baseline and validation measured alternately, file by file (same machine load)
        base, per = [], []
        for name, data in files:
            t = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                openpyxl.load_workbook(io.BytesIO(data))
            base.append(time.perf_counter() - t)
            t = time.perf_counter()
            parsed = parse_workbook(data, name)
            per.append(time.perf_counter() - t)
            assert parsed.ok, name

        store = Store(Path(tmp) / "donnees")
        t = time.perf_counter()
        out = import_files(paths, store, jobs=args.processus, progress=False)
        total = time.perf_counter() - t
        assert all(o.outcome == "accepted" for o in out)

    base_total, base_med = sum(base), statistics.median(base) * 1000
    med = statistics.median(per) * 1000
    print(f"Référence (openpyxl.load_workbook seul, 1 processus) : total {format_number(base_total, 2)} s, "
          f"médiane {format_number(base_med, 1)} ms par classeur.")
    print(f"Validation d'un classeur (parse_workbook, 1 processus) : médiane {format_number(med, 1)} ms "
          f"(objectif ≤ {format_number(GOAL_PER_FILE_MS)} ms : {'atteint' if med <= GOAL_PER_FILE_MS else 'NON atteint'}) "
          f"; ratio / référence : {format_number(med / base_med, 2)}.")
    print(f"Import complet de {len(files)} classeurs ({args.processus} processus, archive, contrôles, écriture) : "
          f"{format_number(total, 2)} s (objectif ≤ {format_number(GOAL_TOTAL_S)} s : "
          f"{'atteint' if total <= GOAL_TOTAL_S else 'NON atteint'}) ; "
          f"{format_number(1000 * total / len(files), 1)} ms par classeur ; "
          f"ratio / référence : {format_number(total / base_total, 2)}.")


if __name__ == "__main__":
    main()
