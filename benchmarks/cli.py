"""CLI start-up: `cpc --aide`, `--version`, a malformed command and `cpc juridictions`, in fresh processes.

Goals (issue 17, point 1): `--aide`, `--version` and a malformed command ≤ 0,25 s of CPU; `cpc juridictions`
≤ 0,5 s of CPU. Baseline: the floor of a Python process (`python -c pass`), interleaved with each
command; `import pandas` is printed too, for scale. Each output is checked (help text, version, French
usage error, 168 first-instance courts).

Usage: ``.venv/bin/python benchmarks/cli.py [--repetitions 5]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from _harness import Bench, Sample, compare, cpu_now, goal

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def run(args: list[str]) -> tuple[Sample, subprocess.CompletedProcess]:
    t0, c0 = time.perf_counter(), cpu_now()
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=ENV, check=False)
    return Sample(time.perf_counter() - t0, cpu_now() - c0), proc


CASES = [
    ("cpc --aide", ["--aide"], 0.25, lambda p: p.returncode == 0 and "utilisation : cpc" in p.stdout),
    ("cpc --version", ["--version"], 0.25, lambda p: p.returncode == 0 and "cpc_toolkit" in p.stdout),
    ("cpc indicateurs --juridiction tj-lyn (erreur)", ["indicateurs", "--juridiction", "tj-lyn"], 0.25,
     lambda p: p.returncode == 2 and "Vouliez-vous dire : tj-lyon" in p.stderr),
    ("cpc juridictions --type TJ --format csv", ["juridictions", "--type", "TJ", "--format", "csv"], 0.5,
     lambda p: p.returncode == 0 and len(p.stdout.splitlines()) == 165),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--rapide", action="store_true", help="3 répétitions")
    args = ap.parse_args()
    reps = 3 if args.rapide else args.repetitions
    bench = Bench("Démarrage de la commande cpc (processus neufs)")
    floor = ["-c", "pass"]
    for label, argv, limit, ok in CASES:
        with bench.section(label):
            res = compare(label, lambda: run(floor), lambda argv=argv: run(["-m", "cpc_toolkit.cli.main", *argv]),
                          equivalent=lambda base, cand, ok=ok: base.returncode == 0 and ok(cand),
                          repeats=reps, sample=lambda fn: fn(), labels=("python -c pass", "cpc"), floor=True)
            if not res.equivalent:
                raise AssertionError("sortie inattendue de la commande")
            goal("CPU", res.candidate.cpu, limit)
    with bench.section("import pandas (pour comparaison)"):
        compare("python -c 'import pandas'", lambda: run(floor), lambda: run(["-c", "import pandas"]),
                equivalent=lambda a, b: b.returncode == 0, repeats=reps, sample=lambda fn: fn(),
                labels=("python -c pass", "import pandas"), floor=True)
    return bench.finish()


if __name__ == "__main__":
    raise SystemExit(main())
