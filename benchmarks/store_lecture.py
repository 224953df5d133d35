"""Reading one court-year from a large store: ``Store.court_year`` versus a full read + filter.

Builds a store of 20 years × 168 courts × 150 indicators (≈ 500 000 value rows, every court-year
submitted twice so that half of the rows are superseded versions), then, in the same run:

- ``Store.court_year(court, year)`` on a fresh ``Store`` (empty cache: manifest, submissions and
  one row group of one year file are read);
- baseline: read every values file in full with pandas, keep the current versions, filter.

Prints both median times and the ratio. Usage::

    .venv/bin/python benchmarks/store_lecture.py [--annees 20] [--repetitions 15]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cpc_toolkit import reference
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


def timed(fn, *args) -> tuple[float, pd.DataFrame]:
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annees", type=int, default=20)
    parser.add_argument("--repetitions", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        build(root, args.annees)
        n_rows = len(Store(root).values(current=False))
        print(f"Magasin : {args.annees} années × 168 juridictions × {N_INDICATORS} indicateurs × 2 versions "
              f"= {n_rows:,} lignes (construit en {time.perf_counter() - t0:.1f} s)".replace(",", " "))
        rng = random.Random(7)
        courts = list(reference.first_instance_courts().index)
        fast, slow = [], []
        for _ in range(args.repetitions):
            court, year = rng.choice(courts), rng.randrange(2025 - args.annees + 1, 2026)
            t_fast, a = timed(lambda c, y: Store(root).court_year(c, y), court, year)
            t_slow, b = timed(baseline, root, court, year)
            key = ["indicator_id"]
            pd.testing.assert_frame_equal(a.sort_values(key).reset_index(drop=True),
                                          b.sort_values(key).reset_index(drop=True), check_dtype=False)
            assert len(a) == N_INDICATORS
            fast.append(t_fast)
            slow.append(t_slow)
        f, s = statistics.median(fast), statistics.median(slow)
        print(f"Store.court_year (une juridiction-année, cache vide) : médiane {f * 1000:.1f} ms")
        print(f"Référence : lecture complète + filtre               : médiane {s * 1000:.1f} ms")
        print(f"Rapport référence / court_year : {s / f:.1f}×")


if __name__ == "__main__":
    main()
