"""Import timings of 168 filled collection workbooks, against a baseline measured in the same run.

1. Baseline: ``openpyxl.load_workbook`` of each workbook, one process (the bare cost of opening
   the files with the library, no validation, no store).
2. Per-file validation (``parse_workbook``: safety checks + load + every cell check), one process:
   the per-file median is compared with the goal (≤ 120 ms per workbook).
3. The real import (``import_files``: archive, validation in 2 worker processes, batch checks,
   one store commit, receipts) into an empty data directory: total compared with the goal
   (≤ 20 s for 168 workbooks on a 2-core machine).

Baseline and validation alternate file by file; CPU and wall time, ratios and the machine load are
printed (shared harness ``_harness.py``); every workbook must open in the baseline and be accepted by
the validation (equivalence of the two: same files read).

Usage: ``.venv/bin/python benchmarks/import_classeurs.py [--annee 2025] [--processus 2] [--rapide]``.
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
from _harness import Bench, cpu_now, load, measure

from cpc_toolkit.collect import import_files, parse_workbook
from cpc_toolkit.collect.demo import write_demo_workbooks
from cpc_toolkit.fr import format_number
from cpc_toolkit.store import Store

GOAL_TOTAL_S = 20.0
GOAL_PER_FILE_MS = 120.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annee", type=int, default=2025)
    parser.add_argument("--processus", type=int, default=2)
    parser.add_argument("--rapide", action="store_true", help="40 classeurs au lieu de 168")
    args = parser.parse_args()
    bench = Bench("Import des classeurs de collecte")
    with tempfile.TemporaryDirectory(prefix="cpc-bench-import-") as tmp:
        all_paths = write_demo_workbooks(2025, Path(tmp) / "classeurs", progress=False)
        paths = [p for p in all_paths if f"clpc_{args.annee}_" in p.name][: 40 if args.rapide else None]
        files = [(p.name, p.read_bytes()) for p in paths]
        print(f"  {len(files)} classeurs remplis ({args.annee}, données fictives), "
              f"{format_number(sum(len(b) for _, b in files) / len(files) / 1024, 1)} Ko en moyenne.")
        with bench.section("validation d'un classeur vs openpyxl.load_workbook seul (alternés)"):
            base, per, base_cpu, per_cpu = [], [], 0.0, 0.0
            for i, (name, data) in enumerate(files):
                def opened(data=data):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        return openpyxl.load_workbook(io.BytesIO(data))
                steps = [("b", opened), ("v", lambda data=data, name=name: parse_workbook(data, name))]
                for key, fn in (steps if i % 2 == 0 else steps[::-1]):
                    s, out = measure(fn)
                    if key == "b":
                        base.append(s.wall)
                        base_cpu += s.cpu
                    else:
                        per.append(s.wall)
                        per_cpu += s.cpu
                        assert out.ok, name
            base_med, med = statistics.median(base) * 1000, statistics.median(per) * 1000
            print(f"  référence (openpyxl.load_workbook seul) : CPU {format_number(base_cpu, 2)} s, écoulé "
                  f"{format_number(sum(base), 2)} s, médiane {format_number(base_med, 1)} ms par classeur ({load()})")
            print(f"  validation (parse_workbook) : CPU {format_number(per_cpu, 2)} s, écoulé {format_number(sum(per), 2)} s, "
                  f"médiane {format_number(med, 1)} ms (objectif ≤ {format_number(GOAL_PER_FILE_MS)} ms : "
                  f"{'atteint' if med <= GOAL_PER_FILE_MS else 'NON atteint'}) ; rapport validation / référence : "
                  f"×{format_number(med / base_med, 2)} ; tous les classeurs acceptés : oui")
        with bench.section(f"import complet ({args.processus} processus)"):
            store = Store(Path(tmp) / "donnees")
            t, c = time.perf_counter(), cpu_now()
            out = import_files(paths, store, jobs=args.processus, progress=False)
            total, cpu = time.perf_counter() - t, cpu_now() - c
            assert all(o.outcome == "accepted" for o in out)
            goal_s = GOAL_TOTAL_S * len(files) / 168
            print(f"  import complet de {len(files)} classeurs (archive, contrôles, écriture) : CPU "
                  f"{format_number(cpu, 2)} s (processus fils compris), écoulé {format_number(total, 2)} s "
                  f"(objectif ≤ {format_number(goal_s, 1)} s : {'atteint' if total <= goal_s else 'NON atteint'}) ; "
                  f"{format_number(1000 * total / len(files), 1)} ms par classeur ({load()})")
    return bench.finish()


if __name__ == "__main__":
    raise SystemExit(main())
