"""Register indicators at national scale: DuckDB (out of core) vs the in-memory paths, 1,3 M → 20 M rows.

A synthetic national register of measures (« données fictives »: 1 300 000 measures over the 168 courts,
one snapshot per register year, dates shifted year by year) is stored as the import stores it:
Parquet partitioned by year and court (``registers.storage``). Then, for 1 year (1,3 M rows), 5 years
(6,5 M) and 15 years (19,5 M ≈ 20 M), per court-year indicators (the 8 rules of ``registers.mesures``)
are computed by three engines, each in a fresh process (peak memory of that process), interleaved and
repeated:

- ``pandas groupby``: the competent baseline — read the rows with pandas, vectorised pandas date
  arithmetic (one ``DateOffset`` per distinct duration, not per row) and one ``groupby`` sum;
- ``numpy (cpc)``: the toolkit's in-memory path (``storage.read_rows`` + ``mesures.indicators``);
- ``DuckDB``: ``registers.duckdb_engine.stored_indicators`` over the partitions (rows never in Python).

The three outputs are checked identical. Goal (issue 17, point 6): 20 M rows in ≤ 30 s and ≤ 1,5 Go.
The in-memory engines are not run where their projected peak memory exceeds a third of the free
memory (printed as such; ``--complet`` forces them).

Usage: ``.venv/bin/python benchmarks/registre_mesures.py [--rapide] [--repetitions 2] [--complet]``
(``--rapide``: ÷10 rows).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import tempfile
import time
from pathlib import Path

from _harness import Bench, Sample, child_peak_mb, describe, goal, load, median_sample, run_child

from cpc_toolkit.fr import format_number

BASE_ROWS = 1_300_000
LAST_YEAR = 2025
SCALES = (1, 5, 15)  # register years → 1,3 M, 6,5 M, 19,5 M rows
ENGINES = ("pandas groupby", "numpy (cpc)", "DuckDB")
GOAL_S, GOAL_MB = 30.0, 1536.0


# ---------------------------------------------------------------------------------------- engines
def groupby_baseline(rows, year: int):  # type: ignore[no-untyped-def]
    """Competent pandas: vectorised date arithmetic (one DateOffset per distinct duration), one groupby."""
    import pandas as pd

    ref = pd.Timestamp(f"{year}-12-31")

    def add_months(dates: pd.Series, months: pd.Series) -> pd.Series:
        out = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[s]")
        for m in months.dropna().unique():
            sel = (months == m) & dates.notna()
            out[sel] = dates[sel] + pd.DateOffset(months=int(m))
        return out

    renewed = rows["date_dernier_renouvellement"]
    term = add_months(rows["date_ouverture"], rows["duree_mois"]).where(
        renewed.isna(), add_months(renewed, rows["duree_renouvellement_mois"]))
    live = (rows["date_ouverture"] <= ref) & (rows["date_fin"].isna() | (rows["date_fin"] > ref))
    owes = (live & rows["type_mesure"].isin(["tutelle", "curatelle_renforcee"])
            & ~rows["dispense_compte"].fillna(False).astype(bool)
            & (rows["date_ouverture"] <= pd.Timestamp(f"{year - 1}-12-31")))
    got = rows["date_dernier_compte_recu"]
    ver = rows["date_dernier_compte_verifie"]
    jan1, jun30 = pd.Timestamp(f"{year}-01-01"), pd.Timestamp(f"{year}-06-30")
    flags = pd.DataFrame({
        "reg_pjm_mesures_suivies": live,
        "reg_pjm_echues_non_revisees": live & (term < ref),
        **{f"reg_pjm_echeance_{n}m": live & (term >= ref) & (term <= ref + pd.DateOffset(months=n))
           for n in (3, 6, 12)},
        "reg_pjm_comptes_manquants_30juin": owes & ~((got >= jan1) & (got <= jun30)),
        "reg_pjm_comptes_non_verifies_31dec": owes & ~((got >= jan1) & (got <= ref) & (ver >= got) & (ver <= ref)),
        "reg_pjm_renouvelees_plus_5ans": live & renewed.notna() & (rows["duree_renouvellement_mois"] > 60),
    })
    wide = flags.groupby(rows["juridiction"].astype(str).to_numpy()).sum().astype("float64")
    long = wide.stack().rename("value").reset_index()
    long.columns = ["court_id", "indicator_id", "value"]
    long.insert(1, "year", int(year))
    return long


def child(engine: str, root: str, years: list[int], out: str) -> None:
    import pandas as pd

    from cpc_toolkit.registers import duckdb_engine, mesures, storage

    if engine == "DuckDB":
        res = duckdb_engine.stored_indicators(root, "mesures", years=years)
    else:
        rows = storage.read_rows(root, "mesures", years=years)
        fn = mesures.indicators if engine == "numpy (cpc)" else groupby_baseline
        res = pd.concat([fn(rows[rows["register_year"] == y], y) for y in years], ignore_index=True)
    res.to_parquet(out, index=False)
    print(json.dumps({"peak_mb": child_peak_mb(), "n": len(res)}))


# ------------------------------------------------------------------------------------------- data
def build(root: Path, base_rows: int, n_years: int) -> float:
    """One snapshot generated, then shifted by whole years; files written in the storage layout.

    The snapshot goes through ``storage.canonical`` and ``storage.frame_bytes`` (the import's dtypes and
    Parquet settings); the yearly copies are sliced per court in Arrow (fast to build, same files).
    """
    import datetime as dt

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from cpc_toolkit.demo.generate import court_sizes
    from cpc_toolkit.registers import storage
    from cpc_toolkit.registers.demo import generate_measures

    t0 = time.perf_counter()
    shares = court_sizes(LAST_YEAR)
    counts = (shares / shares.sum() * base_rows).round().astype(np.int64)
    counts.iloc[0] += base_rows - int(counts.sum())
    snap = storage.canonical(generate_measures(counts, LAST_YEAR, seed=2025), "mesures")
    snap = snap.sort_values(["juridiction", "ligne"], ignore_index=True)
    table = pq.read_table(pa.BufferReader(storage.frame_bytes(snap)))
    courts = snap["juridiction"].to_numpy()
    bounds = np.flatnonzero(np.r_[True, courts[1:] != courts[:-1], True])
    dates = [f.name for f in table.schema if pa.types.is_timestamp(f.type)]
    for k in range(n_years):
        year = LAST_YEAR - k
        shifted = table
        for name in dates:
            col = pc.subtract(table[name], pa.scalar(dt.timedelta(days=365 * k), pa.duration("s")))
            shifted = shifted.set_column(shifted.schema.get_field_index(name), name, col)
        for a, b in itertools.pairwise(bounds):
            path = storage._part_path(root, "mesures", year, str(courts[a]))
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(shifted.slice(a, b - a), path, compression="zstd")
        print(f"  registre {year} écrit ({format_number(len(snap))} lignes, {k + 1}/{n_years})", flush=True)
    return time.perf_counter() - t0


def same(a, b) -> bool:  # type: ignore[no-untyped-def]
    import pandas as pd

    key = ["court_id", "year", "indicator_id"]
    a = a.sort_values(key, ignore_index=True)
    b = b.sort_values(key, ignore_index=True)
    try:
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    except AssertionError:
        return False
    return True


def free_mb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return math.inf


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rapide", action="store_true", help="÷10 lignes (130 000 par année)")
    ap.add_argument("--repetitions", type=int, default=2)
    ap.add_argument("--complet", action="store_true", help="moteurs en mémoire même si la mémoire projetée est forte")
    ap.add_argument("--_enfant", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._enfant:
        engine, root, years, out = args._enfant
        child(engine, root, [int(y) for y in years.split(",")], out)
        return 0

    import pandas as pd

    base = BASE_ROWS // 10 if args.rapide else BASE_ROWS
    bench = Bench("Indicateurs d'un registre national des mesures : DuckDB, numpy (cpc), pandas groupby")
    table: list[tuple[int, str, Sample | None, str]] = []
    with tempfile.TemporaryDirectory(prefix="cpc-bench-registre-") as tmp:
        root = Path(tmp) / "donnees"
        with bench.section("données fictives"):
            took = build(root, base, max(SCALES))
            size = sum(p.stat().st_size for p in (root / "registres").rglob("*.parquet"))
            print(f"  {max(SCALES)} années × {format_number(base)} mesures, 168 juridictions, "
                  f"{format_number(size / 2**20, 0)} Mo de Parquet partitionné par année et juridiction "
                  f"(écrit en {format_number(took, 0)} s)")
        peaks: dict[str, tuple[int, float]] = {}
        for n_years in SCALES:
            years = list(range(LAST_YEAR - n_years + 1, LAST_YEAR + 1))
            n_rows = base * n_years
            with bench.section(f"{format_number(n_rows)} lignes ({n_years} année(s))"):
                engines = []
                for e in ENGINES:
                    if e != "DuckDB" and e in peaks and not args.complet:
                        rows0, mb0 = peaks[e]
                        projected = mb0 * n_rows / rows0
                        if projected > free_mb() / 3:
                            table.append((n_rows, e, None, f"non mesuré : mémoire projetée "
                                          f"{format_number(projected / 1024, 1)} Go (libre : "
                                          f"{format_number(free_mb() / 1024, 1)} Go)"))
                            continue
                    engines.append(e)
                samples: dict[str, list[Sample]] = {e: [] for e in engines}
                outputs: dict[str, object] = {}
                for r in range(args.repetitions):
                    order = engines[r % len(engines):] + engines[:r % len(engines)]
                    for e in order:
                        out = Path(tmp) / f"{e.replace(' ', '_')}.parquet"
                        s, _ = run_child([__file__, "--_enfant", e, str(root), ",".join(map(str, years)), str(out)])
                        samples[e].append(s)
                        outputs[e] = pd.read_parquet(out)
                ref = outputs["DuckDB"]
                for e in engines:
                    m = median_sample(samples[e])
                    ok = same(outputs[e], ref)
                    peaks[e] = (n_rows, m.peak_mb or 0.0)
                    table.append((n_rows, e, m, "identique à DuckDB" if ok else "DIFFÉRENT de DuckDB"))
                    print(f"  {e:>15} : {describe(m)} — {'sorties identiques' if ok else 'SORTIES DIFFÉRENTES'} "
                          f"({load()})")
                    if not ok:
                        raise AssertionError(f"{e} ne donne pas les mêmes indicateurs que DuckDB")
                if n_years == max(SCALES):
                    d = median_sample(samples["DuckDB"])
                    goal(f"DuckDB {format_number(n_rows)} lignes, temps écoulé", d.wall, GOAL_S * (0.1 if args.rapide else 1))
                    goal("DuckDB, mémoire de pointe", d.peak_mb or 0, GOAL_MB, "Mo")
    print("-- tableau d'échelle (médianes ; rapport = pandas groupby / moteur, temps CPU)")
    print(f"  {'lignes':>12} | {'moteur':>15} | {'CPU':>8} | {'écoulé':>8} | {'mémoire':>9} | {'rapport':>8} | sorties")
    by_key = {(n, e): s for n, e, s, _ in table if s is not None}
    for n, e, s, note in table:
        if s is None:
            print(f"  {format_number(n):>12} | {e:>15} | {'—':>8} | {'—':>8} | {'—':>9} | {'—':>8} | {note}")
            continue
        b = by_key.get((n, "pandas groupby"))
        ratio = f"×{format_number(b.cpu / max(s.cpu, 1e-9), 1)}" if b else "—"
        print(f"  {format_number(n):>12} | {e:>15} | {format_number(s.cpu, 1):>6} s | {format_number(s.wall, 1):>6} s"
              f" | {format_number(s.peak_mb or 0, 0):>6} Mo | {ratio:>8} | {note}")
    return bench.finish()


if __name__ == "__main__":
    sys.exit(main())
