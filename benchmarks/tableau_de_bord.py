"""Speed of the dashboards (Playwright + Debian chromium, demo data).

Prints, with the goals they are measured against (2 cores):
- time from navigation to the first chart drawn, per dashboard (goal ≤ 4 s), measured once the
  preheated kernel of the pool has finished executing the dashboard (the server is idle), plus —
  reported without goal — the very first visit right after the server started, while every pool is
  still preheating at once;
- time from a filter change (cour) to the redrawn chart (goal ≤ 0,5 s), once the server is idle
  again after the page load, plus — without goal — the same changes started at once, while the
  pool refills the kernel the page took;
- resident memory per kernel, and per visitor with several pages open at once (capacity);
- late visits: each dashboard at +5 min after the server started (preheated kernels must not have
  expired), and at +30 min with ``--plus-30-min``.
Every measure is printed as soon as it is taken, with the time since the server started and the
machine's load; a measure that fails (a Playwright timeout under load…) is reported as such and
the others still run.
Baseline measured in the same run: a bare Voilà page with one plotly chart (plain ``voila``,
cold kernel), so that the ratios say how the dashboards compare on the same, possibly loaded,
machine.

Usage: ``.venv/bin/python benchmarks/tableau_de_bord.py [--repetitions N] [--visiteurs N] [--plus-30-min]``
"""

from __future__ import annotations

import argparse
import os
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


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"charge {format_number(one, 2)} / {format_number(five, 2)} (1 / 5 min, {os.cpu_count()} cœurs)"


class Report:
    """Prints each measure at once (time since server start, load); failures never stop the run."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.failures = 0

    def since(self) -> str:
        return f"t+{format_number(time.monotonic() - self.t0, 0)} s"

    def line(self, text: str) -> None:
        print(f"  [{self.since()}, {load()}] {text}", flush=True)

    def measure(self, label: str, fn, *args):
        try:
            return fn(*args)
        except Exception as exc:  # a timeout under load must not hide the other measures
            self.failures += 1
            self.line(f"{label} : ÉCHEC ({type(exc).__name__} : {str(exc).splitlines()[0][:160]})")
            return None


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


def filter_changes(browser, srv: harness.RunningServer, n: int, settle: bool) -> list[float]:
    """Cour changes on the national dashboard, timed until the ranking chart shows the new cour.

    ``settle``: start once the page is drawn *and* the server is idle again (the pool has refilled
    the kernel this page took), as on an idle machine; otherwise at once, while that refill (a
    whole dashboard executed in a new kernel) competes for the 2 cores.
    """
    filled = srv.pools_filled()
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(srv.url + "voila/render/tableau_de_bord_national.ipynb?cour=ca-lyon", timeout=180_000)
    page.wait_for_selector(".cpc-panel-classement .js-plotly-plot .main-svg", timeout=180_000)
    if settle:
        wait_pools(srv, filled + 1)
        wait_idle(srv)
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


def s(v: float) -> str:
    return format_number(v, 2)


def verdict(value: float, goal: float) -> str:
    return f"objectif ≤ {s(goal)} s : {'atteint' if value <= goal else 'NON atteint'}"


def late_visits(browser, srv: harness.RunningServer, rep: Report, at_s: float) -> None:
    """Visit each dashboard once ``at_s`` seconds after the server started, each on a settled server
    (the previous visit's pool refilled and idle, as a reader arriving alone would find it)."""
    wait = at_s - (time.monotonic() - rep.t0)
    if wait > 0:
        rep.line(f"attente de {format_number(wait, 0)} s avant les visites à +{format_number(at_s / 60, 0)} min")
        time.sleep(wait)
    filled = srv.pools_filled()
    for k, level in enumerate(("national", "cour", "juridiction")):
        if k:  # the previous visit took its pool's kernel: wait for the refill to start, then to finish
            filled += 1
            wait_pools(srv, filled)
            wait_idle(srv)
        since = rep.since()
        v = rep.measure(f"visite tardive, tableau {level}", first_chart, browser,
                        srv.url + f"voila/render/tableau_de_bord_{level}.ipynb")
        if v is not None:
            rep.line(f"visite tardive ({since} après le démarrage), tableau {level:<11} : premier graphique en "
                     f"{s(v)} s ({verdict(v, GOAL_FIRST_CHART_S)})")


def visitors(browser, srv: harness.RunningServer, rep: Report, n: int) -> None:
    """Memory per visitor: ``n`` national pages open at once; each open page holds one kernel.

    Reported: kernels and resident memory (server + kernels) before and with the pages open, the
    memory each added kernel costs, and the capacity of a 24 Go machine at that cost.
    """
    import psutil

    wait_idle(srv)
    before, k0 = harness.server_memory(srv)
    pages, times = [], []
    for _ in range(n):
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        t0 = time.perf_counter()
        page.goto(srv.url + "voila/render/tableau_de_bord_national.ipynb", timeout=180_000)
        page.wait_for_selector(".cpc-tableau .js-plotly-plot .main-svg", timeout=180_000)
        times.append(time.perf_counter() - t0)
        pages.append(page)
    wait_idle(srv)
    after, k1 = harness.server_memory(srv)
    rss = sorted(m for _, m in harness.kernel_memory(srv))
    server_rss = psutil.Process(srv.proc.pid).memory_info().rss / 2**20
    per = (after - before) / (k1 - k0) if k1 > k0 else statistics.median(rss)
    capacity = (24 * 1024 - server_rss) / max(per, 1.0)
    rep.line(f"{n} visiteurs simultanés (pages ouvertes) : {k1} noyaux contre {k0} avant, mémoire serveur + noyaux "
             f"{format_number(after, 0)} Mio contre {format_number(before, 0)} ; {format_number(per, 0)} Mio par noyau "
             f"ajouté (médiane des noyaux {format_number(statistics.median(rss), 0)} Mio, serveur "
             f"{format_number(server_rss, 0)} Mio) ; premier graphique des visiteurs "
             f"{', '.join(s(t) for t in times)} s ; 24 Go ≈ {format_number(capacity, 0)} noyaux à la fois")
    for page in pages:
        page.goto("about:blank")
        page.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--visiteurs", type=int, default=3, help="pages ouvertes à la fois pour la mémoire")
    parser.add_argument("--plus-30-min", action="store_true", help="visites aussi 30 min après le démarrage")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from cpc_toolkit.cli.demo import write_demo
    from cpc_toolkit.store import Store

    print(f"Tableaux de bord — mesures (Chromium headless, données fictives) ; {load()}", flush=True)
    rep = Report()
    with tempfile.TemporaryDirectory(prefix="bench-tableau-") as tmp:
        work = Path(tmp)
        write_demo(Store(work / "donnees"), 2025)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS)
            base = rep.measure("référence", baseline, browser, work)
            if base is not None:
                rep.line(f"référence : page Voilà nue avec un graphique (noyau froid) : {s(base)} s")
            ratio = (lambda v: f" ; rapport à la référence : {s(v / base)}") if base else (lambda v: "")
            rep.t0 = time.monotonic()
            srv = harness.start(work / "donnees", work / "serveur.log", wait_pools=3)
            rep.line("serveur démarré, noyaux préchauffés lancés")
            try:
                v = rep.measure("première visite", first_chart, browser,
                                srv.url + "voila/render/tableau_de_bord_national.ipynb")
                if v is not None:
                    rep.line(f"première visite juste après le démarrage (tous les noyaux en préchauffage), "
                             f"tableau national : {s(v)} s (sans objectif){ratio(v)}")
                visits = 1
                for level in ("national", "cour", "juridiction"):
                    vals = []
                    for _ in range(args.repetitions):
                        wait_pools(srv, 3 + visits)
                        wait_idle(srv)
                        visits += 1
                        v = rep.measure(f"premier graphique, tableau {level}", first_chart, browser,
                                        srv.url + f"voila/render/tableau_de_bord_{level}.ipynb")
                        if v is not None:
                            vals.append(v)
                    if vals:
                        med = statistics.median(vals)
                        rep.line(f"premier graphique, noyau préchauffé prêt, tableau {level:<11} : médiane {s(med)} s "
                                 f"sur {len(vals)} ({verdict(med, GOAL_FIRST_CHART_S)}){ratio(med)}")
                for settle, when in ((True, "serveur au repos"), (False, "pendant le remplissage du noyau préchauffé")):
                    wait_pools(srv, 3 + visits)
                    wait_idle(srv)
                    visits += 1
                    changes = rep.measure(f"changement de cour ({when})", filter_changes, browser, srv,
                                          2 * args.repetitions + 2, settle)
                    if changes:
                        med = statistics.median(changes)
                        goal = verdict(med, GOAL_FILTER_S) if settle else "sans objectif"
                        rep.line(f"changement de cour → graphique redessiné ({when}) : médiane {s(med)} s sur "
                                 f"{len(changes)}, max {s(max(changes))} s ({goal})")
                mem = harness.kernel_memory(srv)
                if mem:
                    rss = [m for _, m in mem]
                    rep.line(f"mémoire par noyau : médiane {format_number(statistics.median(rss), 0)} Mio, "
                             f"max {format_number(max(rss), 0)} Mio ({len(rss)} noyaux, dont 3 préchauffés)")
                rep.measure("visiteurs simultanés", visitors, browser, srv, rep, args.visiteurs)
                rep.measure("visites à +5 min", late_visits, browser, srv, rep, 5 * 60)
                if args.plus_30_min:
                    rep.measure("visites à +30 min", late_visits, browser, srv, rep, 30 * 60)
            finally:
                harness.stop(srv)
            browser.close()
    print(f"Fin des mesures : {rep.failures} en échec ; {load()}", flush=True)
    return 1 if rep.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
