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
from pathlib import Path

import numpy as np
import pandas as pd
from _harness import Bench, compare, describe, goal, load, measure, median_sample

from cpc_toolkit import catalogue, reference
from cpc_toolkit.compute import alerts, changes, compute_results, faits_marquants, positions
from cpc_toolkit.fr import format_number
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


def same_outputs(engine: list, naive: list) -> bool:
    """Engine and naive give the same deltas, and the same ranks, counts and medians (cour, national)."""
    for (ch, po), (nch, npo) in zip(engine, naive, strict=True):
        d = ch[["indicator_id", "delta"]].merge(nch[["indicator_id", "delta"]], on="indicator_id",
                                                 suffixes=("", "_n"))
        p = po[po["group"].isin(["cour", "national"])][["indicator_id", "group", "rank", "n", "median"]].merge(
            npo, on=["indicator_id", "group"], suffixes=("", "_n"))
        if len(d) < 20 or len(p) < 20:
            return False
        if not np.allclose(d["delta"].to_numpy(float), d["delta_n"].to_numpy(float), equal_nan=True):
            return False
        for c in ("rank", "n", "median"):
            if not np.allclose(p[c].to_numpy(float), p[f"{c}_n"].to_numpy(float), equal_nan=True):
                return False
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--donnees", type=Path)
    ap.add_argument("--rapide", action="store_true", help="2 répétitions")
    args = ap.parse_args()
    reps = 2 if args.rapide else 3
    if args.donnees:
        return run(Store(args.donnees), reps)
    from cpc_toolkit.cli.demo import write_demo

    with tempfile.TemporaryDirectory(prefix="bench_moteur_") as tmp:
        store = Store(Path(tmp))
        write_demo(store, 2025)
        return run(store, reps)


def run(store: Store, reps: int) -> int:
    bench = Bench("Moteur d'indicateurs sur le magasin de démonstration")
    values = store.values()
    print(f"  magasin : {format_number(len(values))} valeurs")
    res = compute_results(values)
    with bench.section("compute_results (pas de référence : objectif absolu ≈ 2 s)"):
        samples = [measure(lambda: compute_results(values))[0] for _ in range(reps)]
        m = median_sample(samples)
        print(f"  compute_results : {describe(m)} (médiane de {reps}, {load()})")
        goal("temps CPU", m.cpu, 2.0)

    year = int(res["year"].max())
    courts = sorted(reference.first_instance_courts().index)
    sample = courts[::6]  # 28 courts
    with bench.section(f"changes + positions, {len(sample)} juridictions (index froid) vs filtrage pandas"):
        compare("changes + positions",
                lambda: [(naive_changes(res, c, year), naive_positions(res, c, year)) for c in sample],
                lambda: (lambda fresh: [(changes(fresh, c, year), positions(fresh, c, year)) for c in sample])(
                    res.copy()),
                equivalent=lambda naive, eng: same_outputs(eng, naive), repeats=reps,
                labels=("pandas", "moteur"))

    with bench.section("toutes fonctions, 206 unités"):
        units = [*courts, *sorted(reference.consolidation_units().index), reference.NATIONAL]
        fresh = res.copy()
        per_unit = []
        for u in units:
            s, _ = measure(lambda u=u: (changes(fresh, u, year),
                                        positions(fresh, u, year) if u != reference.NATIONAL else None,
                                        alerts(fresh, u, year), faits_marquants(fresh, u, year)))
            per_unit.append(s)
        wall = np.array([s.wall for s in per_unit])
        cpu = sum(s.cpu for s in per_unit)
        print(f"  {len(units)} unités : CPU {format_number(cpu, 2)} s, écoulé {format_number(wall.sum(), 2)} s, "
              f"médiane {format_number(1000 * np.median(wall), 0)} ms, max {format_number(1000 * wall.max(), 0)} ms "
              f"(premier appel : construction de l'index ; {load()})")
    return bench.finish()


if __name__ == "__main__":
    raise SystemExit(main())
