"""Reading one court-year from a large store: ``Store.court_year`` versus a full read + filter.

Builds stores of 5 and 10 years of history × 168 courts × 150 indicators (every court-year submitted
twice so that half of the rows are superseded versions), then, in the same run, alternately:

- ``Store.court_year(court, year)`` on a fresh ``Store`` (empty cache: manifest, submissions and
  one row group of one year file are read);
- baseline: read every values file in full with pandas, keep the current versions, filter.

Both outputs are checked identical; CPU and wall medians, the ratio and the machine load are printed
(shared harness ``_harness.py``). Usage::

    .venv/bin/python benchmarks/store_lecture.py [--annees 5 10] [--repetitions 15] [--rapide]
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _harness import Bench, describe, load, measure, median_sample

from cpc_toolkit import reference
from cpc_toolkit.fr import format_number
from cpc_toolkit.store import Store, SubmissionRecord

N_INDICATORS = 150


def build(root: Path, n_years: int) -> Store:
    store = Store(root)
    courts = list(reference.first_instance_courts().index)
    ids = [f"ind_{i:03d}" for i in range(N_INDICATORS)]
    rng = np.random.default_rng(1)
    years = range(2025 - n_years + 1, 2026)
    for _version in (1, 2):  # every court-year submitted twice
        records = [
            SubmissionRecord(cid, year, "classeur", pd.DataFrame({
                "indicator_id": ids, "value": rng.integers(0, 10_000, N_INDICATORS).astype(float),
                "status": "ok"}))
            for year in years for cid in courts
        ]
        store.write(records)
    return store


def baseline(root: Path, court: str, year: int) -> pd.DataFrame:
    """What one would write without the store's layout: read everything, then filter."""
    folder = root / "store"
    subs = pd.read_parquet(next(folder.glob("submissions-*.parquet")))
    values = pd.concat([pd.read_parquet(p) for p in sorted(folder.glob("values-*.parquet"))],
                       ignore_index=True)
    live = set(subs.loc[subs["status"] == "accepted", "submission_id"])
    out = values[(values["court_id"] == court) & (values["year"] == year) & values["submission_id"].isin(live)]
    return out.reset_index(drop=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annees", type=int, nargs="+", default=[5, 10], help="années d'historique (5 10)")
    parser.add_argument("--repetitions", type=int, default=15)
    parser.add_argument("--rapide", action="store_true", help="2 et 5 années, 6 répétitions")
    args = parser.parse_args()
    sizes, reps = ([2, 5], 6) if args.rapide else (args.annees, args.repetitions)
    bench = Bench("Lecture d'une juridiction-année dans un magasin de plusieurs années")
    courts = list(reference.first_instance_courts().index)
    for n_years in sizes:
        with bench.section(f"{n_years} années d'historique"), tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            took, _ = measure(lambda root=root, n=n_years: build(root, n))
            n_rows = len(Store(root).values(current=False))
            print(f"  magasin : {n_years} années × 168 juridictions × {N_INDICATORS} indicateurs × 2 versions "
                  f"= {format_number(n_rows)} lignes (construit en {format_number(took.wall, 1)} s)")
            rng = random.Random(7)
            fast, slow, same = [], [], True
            for i in range(reps):
                court, year = rng.choice(courts), rng.randrange(2025 - n_years + 1, 2026)
                runs = [("c", lambda c=court, y=year, r=root: Store(r).court_year(c, y)),
                        ("b", lambda c=court, y=year, r=root: baseline(r, c, y))]
                outs = {}
                for key, fn in (runs if i % 2 == 0 else runs[::-1]):
                    sample, outs[key] = measure(fn)
                    (fast if key == "c" else slow).append(sample)
                k = ["indicator_id"]
                a, b = outs["c"], outs["b"]
                try:
                    pd.testing.assert_frame_equal(a.sort_values(k).reset_index(drop=True),
                                                  b.sort_values(k).reset_index(drop=True), check_dtype=False)
                except AssertionError:
                    same = False
                same = same and len(a) == N_INDICATORS
            f, sl = median_sample(fast), median_sample(slow)
            print(f"  Store.court_year (cache vide) : {describe(f)} (médianes de {reps}, {load()})")
            print(f"  référence (lecture complète + filtre) : {describe(sl)}")
            if not same:
                raise AssertionError("résultats différents de la référence")
            print(f"  rapport référence / court_year : ×{format_number(sl.cpu / max(f.cpu, 1e-9), 1)} (CPU), "
                  f"×{format_number(sl.wall / max(f.wall, 1e-9), 1)} (écoulé) ; résultats identiques : oui")
    return bench.finish()


if __name__ == "__main__":
    raise SystemExit(main())
