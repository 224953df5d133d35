"""Benchmark: per-court indicators of a 1.3 M-row national register of measures (circulaire § 3.2).

Goal (issue 4, item 7): per-court indicators in ≤ 3 s and ≤ 1.5 GB peak memory on 2 cores.

1. generates a synthetic national register (1 300 000 measures over the 168 courts, « données
   fictives ») and writes it as Parquet, as an import would have stored it;
2. in a fresh subprocess (clean peak-memory measure via ``getrusage``): reads the Parquet file and
   computes the 8 register indicators of every court with ``cpc_toolkit.registers.mesures``
   (vectorised numpy / pandas);
3. in the same run, a straightforward pandas baseline: a per-court loop with a row-wise ``apply``
   (``DateOffset`` per row), measured on a sample of the rows (row-wise code is linear in the
   number of rows; the projection to the full register is printed as such, or pass ``--complet``
   to time it on every row); both give identical counts on the sample (checked).

Usage: ``.venv/bin/python benchmarks/registre_mesures.py [--lignes 1300000] [--echantillon 60000]
[--complet]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 3.0
GOAL_BYTES = 1.5 * 1024**3
YEAR = 2025


def generate(n_rows: int, path: Path) -> float:
    import numpy as np

    from cpc_toolkit.demo.generate import court_sizes
    from cpc_toolkit.registers.demo import generate_measures

    shares = court_sizes(2025)
    counts = (shares / shares.sum() * n_rows).round().astype(np.int64)
    counts.iloc[0] += n_rows - int(counts.sum())
    t0 = time.perf_counter()
    df = generate_measures(counts, YEAR, seed=2025)
    df.to_parquet(path, index=False)
    return time.perf_counter() - t0


def cpu_seconds() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def child_candidate(path: str) -> None:
    """Fresh process: read + compute; print JSON timings and peak RSS."""
    import resource

    import pandas as pd

    from cpc_toolkit.registers import mesures

    t0, c0 = time.perf_counter(), cpu_seconds()
    rows = pd.read_parquet(path)
    t1, c1 = time.perf_counter(), cpu_seconds()
    out = mesures.indicators(rows, YEAR)
    t2, c2 = time.perf_counter(), cpu_seconds()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"read": t1 - t0, "compute": t2 - t1, "read_cpu": c1 - c0, "compute_cpu": c2 - c1,
                      "peak": peak, "courts": int(out["court_id"].nunique()),
                      "suivies": float(out.loc[out["indicator_id"] == "reg_pjm_mesures_suivies", "value"].sum())}))


def baseline(rows):
    """Straightforward pandas: loop over courts, one ``apply`` per rule, DateOffset per row."""
    import pandas as pd

    ref = pd.Timestamp(f"{YEAR}-12-31")
    out = {}
    for court, df in rows.groupby("juridiction", observed=True):
        def term(r):
            if pd.notna(r["date_dernier_renouvellement"]):
                return r["date_dernier_renouvellement"] + pd.DateOffset(months=int(r["duree_renouvellement_mois"]))
            return r["date_ouverture"] + pd.DateOffset(months=int(r["duree_mois"]))

        terms = df.apply(term, axis=1)
        live = df.apply(lambda r: r["date_ouverture"] <= ref and (pd.isna(r["date_fin"]) or r["date_fin"] > ref),
                        axis=1)
        res = {"reg_pjm_mesures_suivies": int(live.sum()),
               "reg_pjm_echues_non_revisees": int((live & (terms < ref)).sum())}
        for n in (3, 6, 12):
            horizon = ref + pd.DateOffset(months=n)
            res[f"reg_pjm_echeance_{n}m"] = int((live & (terms >= ref) & (terms <= horizon)).sum())

        def owes(r):
            return (r["type_mesure"] in ("tutelle", "curatelle_renforcee") and not bool(r["dispense_compte"])
                    and r["date_ouverture"] <= pd.Timestamp(f"{YEAR - 1}-12-31"))

        def missing(r):
            d = r["date_dernier_compte_recu"]
            return pd.isna(d) or not (pd.Timestamp(f"{YEAR}-01-01") <= d <= pd.Timestamp(f"{YEAR}-06-30"))

        def unverified(r):
            d, v = r["date_dernier_compte_recu"], r["date_dernier_compte_verifie"]
            ok = (pd.notna(d) and pd.notna(v) and pd.Timestamp(f"{YEAR}-01-01") <= d <= ref and d <= v <= ref)
            return not ok

        ow = live & df.apply(owes, axis=1)
        res["reg_pjm_comptes_manquants_30juin"] = int((ow & df.apply(missing, axis=1)).sum())
        res["reg_pjm_comptes_non_verifies_31dec"] = int((ow & df.apply(unverified, axis=1)).sum())
        long = df.apply(lambda r: pd.notna(r["date_dernier_renouvellement"])
                        and r["duree_renouvellement_mois"] > 60, axis=1)
        res["reg_pjm_renouvelees_plus_5ans"] = int((live & long).sum())
        out[str(court)] = res
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lignes", type=int, default=1_300_000)
    parser.add_argument("--echantillon", type=int, default=60_000, help="lignes pour la référence naïve")
    parser.add_argument("--complet", action="store_true", help="référence naïve sur toutes les lignes (long)")
    parser.add_argument("--_enfant", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._enfant:
        child_candidate(args._enfant)
        return 0

    import pandas as pd

    from cpc_toolkit.fr import format_number
    from cpc_toolkit.registers import mesures

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mesures.parquet"
        gen = generate(args.lignes, path)
        print(f"Registre national fictif : {format_number(args.lignes)} mesures, 168 juridictions "
              f"(généré en {format_number(gen, 1)} s ; {format_number(path.stat().st_size / 2**20, 1)} Mo Parquet).")
        proc = subprocess.run([sys.executable, __file__, "--_enfant", str(path)], capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        cand = json.loads(proc.stdout.strip().splitlines()[-1])
        rows = pd.read_parquet(path)
        n_base = len(rows) if args.complet else min(args.echantillon, len(rows))
        sample = rows.sample(n=n_base, random_state=1) if n_base < len(rows) else rows
        load_before = os.getloadavg()[0]
        t0, c0 = time.perf_counter(), cpu_seconds()
        naive = baseline(sample)
        t_naive, c_naive = time.perf_counter() - t0, cpu_seconds() - c0
        fast = mesures.indicators(sample, YEAR)
        t0 = time.perf_counter()
        mesures.indicators(sample, YEAR)
        t_fast_sample = time.perf_counter() - t0
        check = {c: dict(zip(g["indicator_id"], g["value"].astype(int), strict=True))
                 for c, g in fast.groupby("court_id")}
        same = check == naive
    factor = len(rows) / n_base
    projected, projected_cpu = t_naive * factor, c_naive * factor
    total, total_cpu = cand["read"] + cand["compute"], cand["read_cpu"] + cand["compute_cpu"]
    cores = os.cpu_count() or 1
    print(f"cpc_toolkit (numpy vectorisé) : calcul {format_number(cand['compute'], 2)} s "
          f"(+ lecture Parquet {format_number(cand['read'], 2)} s = {format_number(total, 2)} s écoulées ; "
          f"temps CPU {format_number(total_cpu, 2)} s dont calcul {format_number(cand['compute_cpu'], 2)} s), "
          f"mémoire de pointe {format_number(cand['peak'] / 2**20, 0)} Mo, {cand['courts']} juridictions, "
          f"{format_number(cand['suivies'])} mesures suivies.")
    label = "mesurée" if n_base == len(rows) else \
        f"mesurée sur {format_number(n_base)} lignes ({format_number(t_naive, 1)} s), projetée linéairement"
    print(f"Référence pandas naïve (boucle par juridiction + apply ligne à ligne) : {label} → "
          f"{format_number(projected, 1)} s écoulées, {format_number(projected_cpu, 1)} s CPU pour "
          f"{format_number(len(rows))} lignes.")
    print(f"Sur l'échantillon : résultats identiques à la référence : {'oui' if same else 'NON'} "
          f"(vectorisé : {format_number(t_fast_sample, 3)} s).")
    print(f"Rapport référence / cpc_toolkit (calcul, temps CPU) : × "
          f"{format_number(projected_cpu / max(cand['compute_cpu'], 1e-9), 0)} ; "
          f"(temps écoulé) : × {format_number(projected / max(cand['compute'], 1e-9), 0)}.")
    ok_mem = cand["peak"] <= GOAL_BYTES
    ok_wall, ok_cpu = total <= GOAL_SECONDS, total_cpu <= GOAL_SECONDS
    print(f"Objectif ≤ {format_number(GOAL_SECONDS, 0)} s (lecture + calcul) : temps écoulé "
          f"{'atteint' if ok_wall else 'MANQUÉ'}, temps CPU {'atteint' if ok_cpu else 'MANQUÉ'} ; "
          f"≤ 1,5 Go de mémoire : {'atteint' if ok_mem else 'MANQUÉ'}.")
    if load_before > cores:
        print(f"Attention : machine chargée (charge moyenne {format_number(load_before, 1)} pour {cores} cœurs) ; "
              "le temps écoulé n'est pas représentatif, le temps CPU l'est.")
    return 0 if ((ok_wall or (ok_cpu and load_before > cores)) and ok_mem and same) else 1


if __name__ == "__main__":
    raise SystemExit(main())
