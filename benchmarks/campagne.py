"""Report campaign timings, measured in one run against a naive baseline.

1. Naive loop: for a sample of reports, the ``papermill`` CLI then the ``jupyter nbconvert`` CLI
   (one fresh kernel and two interpreter starts per report), extrapolated to the 206 reports
   (168 CLPC, 37 chef de cour, 1 national) from the mean time per kind.
2. The campaign: all 206 HTML reports (``run_campaign``, ``--jobs`` workers, warm kernels).
3. Incremental re-run after one court's resubmission: only that court, its cour and the national
   report must be rebuilt.
4. PDF throughput: a few reports printed by one Chromium, extrapolated to 206.

Goals on a 2-core machine: campaign ≥ 10× faster than the naive loop and ≤ 120 s for 206 HTML;
incremental ≤ 15 s. The ratios are printed; absolute times depend on the machine's load.

Usage: ``.venv/bin/python benchmarks/campagne.py [--donnees DOSSIER] [--jobs 2] [--echantillon 2]
[--pdf 6]`` (default: a temporary demo data set written with seed 2025).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cpc_toolkit import reference
from cpc_toolkit.render import campaign
from cpc_toolkit.render.notebook import notebook_path
from cpc_toolkit.store import Store, SubmissionRecord

YEAR = 2025
COUNTS = {"clpc": 168, "cour": 37, "national": 1}
BIN = Path(sys.executable).parent


def naive_one(kind: str, unit: str, donnees: Path, out: Path) -> float:
    """papermill CLI then jupyter nbconvert CLI for one report; returns seconds."""
    executed = out / f"{kind}-{unit}.ipynb"
    args = [str(BIN / "papermill"), str(notebook_path(kind)), str(executed), "-k", "python3",
            "-p", "annee", str(YEAR), "-r", "donnees", str(donnees), "--no-progress-bar"]
    if kind == "clpc":
        args += ["-r", "juridiction", unit]
    elif kind == "cour":
        args += ["-r", "cour", unit]
    t0 = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", "--no-prompt", str(executed)],
                   check=True, capture_output=True)
    return time.perf_counter() - t0


def resubmit(store: Store, court: str) -> None:
    vals = store.values(YEAR, [court])
    vals = vals[vals["indicator_id"].notna()][["indicator_id", "value", "text", "status"]].copy()
    vals.loc[vals["indicator_id"] == "act_cg_entrees", "value"] += 7
    store.write([SubmissionRecord(court, YEAR, "classeur", vals, demo=True, file_name="resoumission")])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--donnees", help="dossier de données existant (copié ; défaut : démo temporaire)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--echantillon", type=int, default=2, help="rapports CLPC de l'échantillon naïf")
    ap.add_argument("--pdf", type=int, default=6, help="rapports imprimés en PDF pour le débit")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cpc-bench-campagne-"))
    try:
        donnees = tmp / "donnees"
        if args.donnees:
            shutil.copytree(args.donnees, donnees)
        else:
            from cpc_toolkit.cli.demo import write_demo

            write_demo(Store(donnees), 2025)
        store = Store(donnees)
        from cpc_toolkit.compute import results

        results(store)  # warm the results cache shared by every approach
        os.environ["CPC_DONNEES"] = str(donnees)

        # 1. naive loop on a sample
        courts = list(reference.first_instance_courts().index)
        step = max(1, len(courts) // max(1, args.echantillon))
        sample = [("clpc", c) for c in courts[::step][:args.echantillon]]
        sample += [("cour", "ca-lyon"), ("national", reference.NATIONAL)]
        naive_dir = tmp / "naif"
        naive_dir.mkdir()
        per_kind: dict[str, list[float]] = {}
        for kind, unit in sample:
            s = naive_one(kind, unit, donnees, naive_dir)
            per_kind.setdefault(kind, []).append(s)
            print(f"  naïf {kind:8} {unit:28} {s:6.1f} s", flush=True)
        naive_total = sum(COUNTS[k] * sum(v) / len(v) for k, v in per_kind.items())
        print(f"1. Boucle naïve (papermill CLI + jupyter nbconvert CLI), {len(sample)} rapports mesurés, "
              f"extrapolée à 206 : {naive_total:7.1f} s", flush=True)

        # 2. full campaign, HTML
        out = tmp / "reports"
        t0 = time.perf_counter()
        res = campaign.run_campaign(YEAR, donnees, out, jobs=args.jobs, formats=("html",), force=True)
        camp = time.perf_counter() - t0
        print(f"2. Campagne 206 HTML (--jobs {args.jobs}) : {camp:7.1f} s — {len(res.built)} construits, "
              f"{len(res.failures)} en échec", flush=True)

        # 3. incremental re-run after one court's resubmission
        court = "tj-lyon"
        resubmit(store, court)
        t0 = time.perf_counter()
        inc = campaign.run_campaign(YEAR, donnees, out, jobs=args.jobs, formats=("html",))
        incr = time.perf_counter() - t0
        rebuilt = sorted(o.job_id for o in inc.built)
        print(f"3. Réexécution incrémentale après la resoumission de {court} : {incr:7.1f} s — reconstruits : "
              f"{', '.join(rebuilt)} ; inchangés : {len(inc.skipped)}", flush=True)

        # 4. PDF throughput, one browser
        from cpc_toolkit.render.pdf import pdf_printer

        htmls = sorted((out / str(YEAR) / "clpc").glob("*.html"))[:args.pdf]
        t0 = time.perf_counter()
        with pdf_printer() as printer:
            t1 = time.perf_counter()
            for h in htmls:
                printer.print(h, h.with_suffix(".pdf"))
        pdf_each = (time.perf_counter() - t1) / max(1, len(htmls))
        print(f"4. PDF : démarrage de Chromium {t1 - t0:.1f} s, puis {pdf_each:.2f} s par rapport "
              f"({len(htmls)} imprimés) — soit ≈ {t1 - t0 + 206 * pdf_each:.0f} s pour 206", flush=True)

        speedup = naive_total / camp
        expected = {f"clpc/{court}", f"cours/{reference.cour_of(court)}", "national/national"}
        print()
        print(f"Rapport naïf / campagne : {speedup:5.1f}×   (objectif ≥ 10×)  {'OK' if speedup >= 10 else 'NON ATTEINT'}")
        print(f"Campagne 206 HTML       : {camp:5.1f} s  (objectif ≤ 120 s) {'OK' if camp <= 120 else 'NON ATTEINT'}")
        print(f"Incrémental             : {incr:5.1f} s  (objectif ≤ 15 s)  {'OK' if incr <= 15 else 'NON ATTEINT'}"
              f" ; périmètre {'exact' if set(rebuilt) == expected else 'INATTENDU'}")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"(charge moyenne de la machine pendant la mesure : {load:.1f} sur {os.cpu_count()} cœurs)")
        return 0 if not res.failures and set(rebuilt) == expected else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
