"""Speed of the dashboards (Playwright + Debian chromium, demo data).

Prints, with the goals they are measured against (2 cores):
- time from navigation to the first chart drawn, per dashboard (goal ≤ 4 s), measured once the
  preheated kernel of the pool has finished executing the dashboard (the server is idle), plus —
  reported without goal — the very first visit right after the server started, while every pool is
  still preheating at once;
- time from a filter change (cour) to the redrawn chart (goal ≤ 0,5 s);
- resident memory per kernel.
Baseline measured in the same run: a bare Voilà page with one plotly chart (plain ``voila``,
cold kernel), so that the ratios say how the dashboards compare on the same, possibly loaded,
machine.

Usage: ``.venv/bin/python benchmarks/tableau_de_bord.py [--repetitions N]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from cpc_toolkit import reference
from cpc_toolkit.dashboard import harness
from cpc_toolkit.fr import format_number

GOAL_FIRST_CHART_S = 4.0
GOAL_FILTER_S = 0.5
BASELINE_NB = {
    "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": [
        "import plotly.graph_objects as go\n", "go.Figure(go.Bar(x=['a', 'b'], y=[1, 2]))"]}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def first_chart(browser, url: str) -> float:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    t0 = time.perf_counter()
    page.goto(url, timeout=180_000)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=180_000)
    elapsed = time.perf_counter() - t0
    page.goto("about:blank")  # lets Voilà's page ask for its kernel to be shut down
    page.close()
    return elapsed


def baseline(browser, work: Path) -> float:
    import json

    nb = work / "reference.ipynb"
    nb.write_text(json.dumps(BASELINE_NB), encoding="utf-8")
    port = harness.free_port()
    log = open(work / "voila-reference.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "voila", str(nb), "--no-browser", f"--port={port}",
                             "--Voila.ip=127.0.0.1"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    srv = harness.RunningServer(url=f"http://127.0.0.1:{port}/", proc=proc, log=work / "voila-reference.log")
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(srv.url + "voila/static/voila.js", timeout=5).close()
                break
            except OSError:
                time.sleep(0.5)
        return first_chart(browser, srv.url)
    finally:
        harness.stop(srv)
        log.close()


def wait_pools(srv: harness.RunningServer, n: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while srv.pools_filled() < n and time.monotonic() < deadline:
        time.sleep(0.5)


def wait_idle(srv: harness.RunningServer, timeout: float = 90.0, threshold: float = 10.0) -> None:
    """Wait until the server and its kernels use < ``threshold`` % CPU over one second.

    Voilà logs a pool as filled when its kernel *starts*; the preheated kernel then still executes
    the dashboard for a few seconds. A visit in that window measures preheating, not the page.
    """
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        procs = [psutil.Process(srv.proc.pid), *harness._children(srv.proc.pid)]
        for proc in procs:
            try:
                proc.cpu_percent(None)
            except psutil.NoSuchProcess:
                pass
        time.sleep(1.0)
        used = 0.0
        for proc in procs:
            try:
                used += proc.cpu_percent(None)
            except psutil.NoSuchProcess:
                pass
        if used < threshold:
            return


def filter_changes(browser, srv: harness.RunningServer, n: int) -> list[float]:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(srv.url + "voila/render/tableau_de_bord_national.ipynb?cour=ca-lyon", timeout=180_000)
    page.wait_for_selector(".cpc-panel-classement .js-plotly-plot .main-svg", timeout=180_000)
    times = []
    cours = ["ca-rennes", "ca-lyon", "ca-douai", "ca-bordeaux", "ca-nancy", "ca-riom"]
    for k in range(n):
        cour = cours[k % len(cours)]
        court = reference.court_name(sorted(reference.courts_of_cour(cour))[0])
        t0 = time.perf_counter()
        page.select_option(".cpc-filtre-cour select", label=reference.court_name(cour))
        page.wait_for_function(
            "name => { const el = document.querySelector('.cpc-panel-classement .js-plotly-plot');"
            " return el && el.data[0].hovertext.includes(name); }", arg=court, timeout=60_000)
        times.append(time.perf_counter() - t0)
    page.goto("about:blank")
    page.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from cpc_toolkit.cli.demo import write_demo
    from cpc_toolkit.store import Store

    with tempfile.TemporaryDirectory(prefix="bench-tableau-") as tmp:
        work = Path(tmp)
        write_demo(Store(work / "donnees"), 2025)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS)
            base = baseline(browser, work)
            srv = harness.start(work / "donnees", work / "serveur.log", wait_pools=3)
            try:
                startup = first_chart(browser, srv.url + "voila/render/tableau_de_bord_national.ipynb")
                firsts: dict[str, list[float]] = {}
                for level in ("national", "cour", "juridiction"):
                    firsts[level] = []
                    for _ in range(args.repetitions):
                        wait_pools(srv, 4 + sum(len(v) for v in firsts.values()))
                        wait_idle(srv)
                        firsts[level].append(first_chart(
                            browser, srv.url + f"voila/render/tableau_de_bord_{level}.ipynb"))
                changes = filter_changes(browser, srv, 2 * args.repetitions + 2)
                mem = harness.kernel_memory(srv)
            finally:
                harness.stop(srv)
            browser.close()

    def s(v: float) -> str:
        return format_number(v, 2)

    print("Tableaux de bord — mesures (Chromium headless, données fictives)")
    print(f"  référence : page Voilà nue avec un graphique (noyau froid) : {s(base)} s")
    print(f"  première visite juste après le démarrage du serveur (tous les noyaux en préchauffage), "
          f"tableau national : {s(startup)} s (sans objectif) ; rapport à la référence : {s(startup / base)}")
    print("  noyaux préchauffés prêts (serveur au repos avant chaque visite) :")
    for level, vals in firsts.items():
        med = statistics.median(vals)
        ok = "atteint" if med <= GOAL_FIRST_CHART_S else "NON atteint"
        print(f"  premier graphique, tableau {level:<11} : médiane {s(med)} s sur {len(vals)} "
              f"(objectif ≤ {s(GOAL_FIRST_CHART_S)} s : {ok}) ; rapport à la référence : {s(med / base)}")
    med = statistics.median(changes)
    ok = "atteint" if med <= GOAL_FILTER_S else "NON atteint"
    print(f"  changement de cour → graphique redessiné : médiane {s(med)} s sur {len(changes)}, "
          f"max {s(max(changes))} s (objectif ≤ {s(GOAL_FILTER_S)} s : {ok}) ; rapport à la référence : "
          f"{s(med / base)}")
    if mem:
        rss = [m for _, m in mem]
        print(f"  mémoire par noyau : médiane {format_number(statistics.median(rss), 0)} Mio, "
              f"max {format_number(max(rss), 0)} Mio ({len(rss)} noyaux, dont 3 préchauffés)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
