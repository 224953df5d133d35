"""Indicator engine timings on the demo store, with a straightforward pandas baseline.

1. ``compute_results`` over the whole demo store (goal: about 2 s or less).
2. Per-unit functions (``changes`` + ``positions``) for a sample of units, with the engine's
   cached index versus a straightforward implementation that filters the long results table on
   every call; then every per-unit function (changes, positions, alerts, faits marquants) for all
   206 report units (168 courts, 37 cours, national).

Usage: ``.venv/bin/python benchmarks/bench_moteur.py [--donnees DOSSIER]`` (default: a temporary
demo store written with seed 2025).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cpc_toolkit import catalogue, reference
from cpc_toolkit.compute import alerts, changes, compute_results, faits_marquants, positions
from cpc_toolkit.store import Store


def naive_changes(res: pd.DataFrame, unit: str, year: int) -> pd.DataFrame:
    cur = res[(res["unit_id"] == unit) & (res["year"] == year)][["indicator_id", "value"]]
    prev = res[(res["unit_id"] == unit) & (res["year"] == year - 1)][["indicator_id", "value"]]
    out = cur.merge(prev, on="indicator_id", how="left", suffixes=("", "_prev"))
    out["delta"] = out["value"] - out["value_prev"]
    return out


def naive_positions(res: pd.DataFrame, court: str, year: int) -> pd.DataFrame:
    sub = res[(res["level"] == "juridiction") & (res["year"] == year)]
    wide = sub.pivot_table(index="unit_id", columns="indicator_id", values="value")
    members = reference.courts_of_cour(reference.cour_of(court))
    rows = []
    for iid in wide.columns:
        col = wide[iid].dropna()
        if court not in col.index:
            continue
        for name, grp in (("cour", col[col.index.isin(members)]), ("national", col)):
            asc = catalogue.get(iid).direction == "lower"
            rank = grp.rank(ascending=asc, method="min")[court]
            rows.append((iid, name, rank, len(grp), grp.median()))
    return pd.DataFrame(rows, columns=["indicator_id", "group", "rank", "n", "median"])


def timed(fn, *args) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--donnees", type=Path)
    args = ap.parse_args()
    if args.donnees:
        run(Store(args.donnees))
        return
    from cpc_toolkit.cli.demo import write_demo

    with tempfile.TemporaryDirectory(prefix="bench_moteur_") as tmp:
        store = Store(Path(tmp))
        write_demo(store, 2025)
        run(store)


def run(store: Store) -> None:
    values = store.values()
    print(f"Magasin : {len(values):,} valeurs".replace(",", " "))

    runs = [timed(compute_results, values)[0] for _ in range(3)]
    res = compute_results(values)
    best = min(runs)
    print(f"compute_results : meilleur de 3 = {best:.2f} s (objectif ≈ 2 s) — {'OK' if best <= 2.0 else 'LENT'}")

    year = int(res["year"].max())
    courts = sorted(reference.first_instance_courts().index)
    sample = courts[::6]  # 28 courts
    fresh = res.copy()  # cold index: its build time is included in the engine measure
    t_engine = timed(lambda: [(changes(fresh, c, year), positions(fresh, c, year)) for c in sample])[0]
    t_naive = timed(lambda: [(naive_changes(res, c, year), naive_positions(res, c, year)) for c in sample])[0]
    print(f"changes + positions, {len(sample)} juridictions : moteur {t_engine:.2f} s, "
          f"référence pandas {t_naive:.2f} s — rapport {t_naive / t_engine:.1f}×")

    units = [*courts, *sorted(reference.consolidation_units().index), reference.NATIONAL]
    fresh = res.copy()
    per_unit = []
    for u in units:
        t = time.perf_counter()
        changes(fresh, u, year)
        if u != reference.NATIONAL:
            positions(fresh, u, year)
        alerts(fresh, u, year)
        faits_marquants(fresh, u, year)
        per_unit.append(time.perf_counter() - t)
    arr = np.array(per_unit)
    print(f"toutes fonctions, {len(units)} unités : total {arr.sum():.2f} s, médiane {1000 * np.median(arr):.0f} ms, "
          f"max {1000 * arr.max():.0f} ms (premier appel : construction de l'index)")


if __name__ == "__main__":
    main()
