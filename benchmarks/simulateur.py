"""Simulator page: update time of one control change (goal ≤ 0,5 s).

1. In the kernel (no browser): a change of the « Sorties » box of a :class:`Simulator` (its observer
   runs ``simulate`` + the batched ``FigureWidget`` update + the result table), interleaved with the
   bare ``simulate`` call it contains (the floor). Wall and CPU medians, machine load before/after.
2. With ``--navigateur``: a real ``cpc tableau-de-bord`` and headless Chromium; time from typing a
   new value (Entrée) to the chart showing the new projected stocks (browser round trip). Each
   measure is printed even if the other fails (« ÉCHEC » and its reason).

Usage: ``.venv/bin/python benchmarks/simulateur.py [--donnees DOSSIER] [-n 15] [--navigateur]``
(default: a temporary demo store written with seed 2025).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cpc_toolkit.compute.projection import WhatIf
from cpc_toolkit.fr import format_number
from cpc_toolkit.store import Store

GOAL_S = 0.5


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return (f"charge (moyenne 1/5/15 min) : {format_number(one, 2)} / {format_number(five, 2)} / "
            f"{format_number(fifteen, 2)} ; {os.cpu_count()} cœurs")


def _ms(x: float) -> str:
    return f"{format_number(x * 1000, 0)} ms"


def in_kernel(donnees: Path, n: int) -> None:
    from cpc_toolkit.dashboard.simulator import Simulator
    from cpc_toolkit.dashboard.state import load_data
    from cpc_toolkit.render.perspectives import simulate

    data = load_data(donnees)
    sim = Simulator(data)
    box = sim.inputs["sorties_pct"]
    page_w, page_c, floor_w, floor_c = [], [], [], []
    for k in range(1, n + 1):
        value = (k % 20) - 10 or 11
        runs = [("page", lambda v=value: setattr(box, "value", v)),
                ("floor", lambda v=value: simulate(data.res, sim._base, sim.horizon, WhatIf(sorties_pct=v + 0.5)))]
        for name, fn in (runs if k % 2 else runs[::-1]):  # interleaved A B, B A
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            w, c = time.perf_counter() - w0, time.process_time() - c0
            (page_w if name == "page" else floor_w).append(w)
            (page_c if name == "page" else floor_c).append(c)
        if sim.notice.value:
            raise RuntimeError(f"message d'erreur affiché : {sim.notice.value}")
    med = statistics.median
    print(f"[noyau] {sim.unit_id}, {n} changements de « Sorties » interleavés")
    print(f"[noyau] mise à jour de la page (simulate + graphique + tableau) : écoulé {_ms(med(page_w))} "
          f"(max {_ms(max(page_w))}), CPU {_ms(med(page_c))}")
    print(f"[noyau] plancher simulate seul : écoulé {_ms(med(floor_w))}, CPU {_ms(med(floor_c))} ; "
          f"surcoût widgets ×{format_number(med(page_w) / max(med(floor_w), 1e-9), 2)}")
    print(f"[noyau] objectif ≤ 500 ms : {'atteint' if med(page_w) <= GOAL_S else 'non atteint'}")
    sim.close()


def in_browser(donnees: Path, n: int, work: Path) -> None:
    from playwright.sync_api import sync_playwright

    from cpc_toolkit.dashboard import harness

    chart = ".cpc-sim-graphique .js-plotly-plot"
    ends = ("() => JSON.stringify(document.querySelector('" + chart + "').data"
            ".filter(t => t.name.endsWith('(projeté)')).map(t => t.y[t.y.length - 1]))")
    srv = harness.start(donnees, work / "serveur.log", timeout=240)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                t0 = time.perf_counter()
                page.goto(srv.url + "voila/render/tableau_de_bord_simulateur.ipynb", timeout=180_000)
                page.wait_for_selector(chart + " .main-svg", timeout=180_000)
                print(f"[navigateur] premier graphique : {format_number(time.perf_counter() - t0, 1)} s")
                box = page.get_by_label("Sorties (variation en %)", exact=True)
                times = []
                for k in range(1, n + 1):
                    before = page.evaluate(ends)
                    box.fill(str((k % 20) - 10 or 11))
                    t0 = time.perf_counter()
                    box.press("Enter")
                    page.wait_for_function(f"prev => ({ends})() !== prev", arg=before, timeout=30_000)
                    times.append(time.perf_counter() - t0)
                med = statistics.median(times)
                print(f"[navigateur] aller-retour d'un changement (saisie → graphique redessiné), {n} fois : "
                      f"médiane {_ms(med)}, max {_ms(max(times))}")
                print(f"[navigateur] objectif ≤ 500 ms : {'atteint' if med <= GOAL_S else 'non atteint'}")
            finally:
                browser.close()
    finally:
        harness.stop(srv)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--donnees", type=Path)
    ap.add_argument("-n", type=int, default=15)
    ap.add_argument("--navigateur", action="store_true", help="mesurer aussi l'aller-retour dans Chromium")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_simulateur_"))
    donnees = args.donnees
    if donnees is None:
        from cpc_toolkit.cli.demo import write_demo

        donnees = work / "donnees"
        write_demo(Store(donnees), 2025)
    print(_load())
    failed = False
    steps = [("noyau", lambda: in_kernel(donnees, args.n))]
    if args.navigateur:
        steps.append(("navigateur", lambda: in_browser(donnees, args.n, work)))
    for name, step in steps:
        try:
            step()
        except Exception as exc:  # each measure is reported even if another fails
            failed = True
            print(f"[{name}] ÉCHEC : {type(exc).__name__} : {exc}")
        print(_load())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
