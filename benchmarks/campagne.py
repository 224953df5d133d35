"""Report campaign timings on the shared harness (CPU + wall, load, interleaved repeats, checked outputs).

1. One report from cold: the naive CLIs (``papermill`` then ``jupyter nbconvert`` with an offline-equivalent
   template: JupyterLab's, plotly.js inlined, no code) against ``cpc rapport``, interleaved, in fresh processes;
   both outputs checked (same title, same charts, plotly inlined, no network script).
2. The campaign, HTML only, on a selection (default: the cour d'Agen, its courts and the national report;
   ``--tous``: the 206 reports), interleaved with the naive CLIs run report by report on the same selection;
   then (2 bis) the campaign of the 206 reports, measured once, for the goal.
3. The same selection with ``--formats html,pdf,xlsx`` end to end (PDF printed while the HTML is built),
   then (3 bis) the 206 reports in those three formats (goal ≤ 4 min).
4. Incremental re-run after one TJ resubmits: every report showing its figures is rebuilt, checked (the
   formats of section 3); (4 ter) the same, interleaved: workers spawned against forked, 3 PDF pages at
   once against 2, charts printed interactive against static (``pdf.STATIC_CHARTS``); then (4 bis) the
   same in HTML only, compared with a forced full rebuild (goal ≤ 6 s).
5. Per-report cost in a warm campaign worker against the floor (an empty notebook executed in the same warm
   interpreter plus the HTML export of the report's own output; a warm Jupyter kernel's empty notebook
   printed beside it), interleaved (goal ≤ ×1,5).

Goals (issue 17, 2-core machine, idle): one report ≥ 2× faster than the naive CLIs (CPU); 206 HTML ≤ 60 s.
Each section keeps going when another fails; the machine load is printed (on a loaded machine the CPU time
is the figure that counts).

Usage: ``.venv/bin/python benchmarks/campagne.py [--jobs 2] [--repetitions 2] [--tous]`` (everything), or one
section: ``--un-rapport`` (1), ``--formats-206`` (3 bis), ``--incremental`` (3, 4, 4 ter and 4 bis), ``--plancher`` (5).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _harness import (
    Bench,
    Sample,
    compare,
    cpu_now,
    describe,
    fmt_s,
    goal,
    machine_cpu,
    measure_machine,
    median_sample,
    run_child,
)

from cpc_toolkit import reference
from cpc_toolkit.render import campaign
from cpc_toolkit.render.html import PLOTLY_JS_NAME, plotly_js
from cpc_toolkit.render.notebook import notebook_path
from cpc_toolkit.store import Store, SubmissionRecord

YEAR = 2025
REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
SECTION_COLD = "1. Un rapport CLPC à froid : CLI naïves contre cpc rapport"
SECTION_206_FORMATS = "3 bis. Campagne --formats html,pdf,xlsx des 206 rapports, mesurée une fois"
SECTION_INCREMENTAL_FORMATS = "4. Réexécution incrémentale HTML + PDF + Excel après la resoumission d'un TJ"
SECTION_INCREMENTAL_HTML = ("4 bis. Réexécution incrémentale HTML après la resoumission d'un TJ, comparée à une "
                            "reconstruction complète")
SECTION_INCREMENTAL_AB = ("4 ter. Même réexécution en trois formats, alternée, un réglage à la fois : processus de "
                          "rendu lancés à neuf (spawn) contre issus de la campagne (fork), 3 pages PDF à la fois "
                          "contre 2, puis graphiques interactifs contre statiques à l'impression")
SECTION_FLOOR = "5. Coût par rapport contre le plancher (processus de rendu chaud, alternés)"
NAIVE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{{ resources.include_js('plotly.min.js') }}{%- endblock -%}
{%- block html_head_js_mathjax -%}{%- endblock -%}
{%- block html_head_js_mermaidjs -%}{%- endblock -%}
{% block jupyter_widgets %}{% endblock %}
"""


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, env=ENV, check=True, timeout=1800)


def naive_template(tmp: Path) -> Path:
    """The offline-equivalent nbconvert template of the naive baseline (lab + plotly.js inlined)."""
    d = tmp / "gabarit" / "hors_ligne"
    d.mkdir(parents=True, exist_ok=True)
    (d / "index.html.j2").write_text(NAIVE_TEMPLATE, encoding="utf-8")
    (d / "conf.json").write_text('{"base_template": "lab", "mimetypes": {"text/html": true}}', encoding="utf-8")
    (d / "plotly.min.js").write_text(plotly_js(), encoding="utf-8")
    return d.parent


def naive_one(job: campaign.Job, donnees: Path, out: Path, templates: Path) -> Path:
    """papermill CLI then jupyter nbconvert CLI for one report; returns the HTML path."""
    executed = out / f"{job.kind}-{job.unit_id}.ipynb"
    args = [str(BIN / "papermill"), str(notebook_path(job.kind)), str(executed), "-k", "python3",
            "--no-progress-bar"]
    for k, v in job.params(str(donnees)).items():
        args += ["-p" if isinstance(v, int) else "-r", k, str(v)]
    _run(args)
    _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", "--no-prompt", "--template", "hors_ligne",
          f"--TemplateExporter.extra_template_basedirs={templates}", str(executed)])
    return executed.with_suffix(".html")


def cpc_one(job: campaign.Job, donnees: Path, out: Path) -> Path:
    unit = {"clpc": ["--juridiction", job.unit_id], "cour": ["--cour", job.unit_id]}.get(job.kind, ["--national"])
    _run([sys.executable, "-m", "cpc_toolkit.cli.main", "--donnees", str(donnees), "rapport", *unit,
          "--annee", str(YEAR), "--formats", "html", "--sortie", str(out)])
    return job.path(out, "html")


def same_report(a: Path, b: Path) -> bool:
    """Same title and charts, plotly.js inlined in both, no network script."""
    ta, tb = a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")
    def charts(t: str) -> list[str]:
        return re.findall(r'id="(fig-[^"]+)"', t)
    def title(t: str) -> str:
        m = re.search(r"<h1[^>]*>(.*?)</h1>", t, re.S)
        return m.group(1).strip() if m else ""
    offline = all("Plotly.newPlot" in t and len(t) > len(plotly_js()) and not re.search(r'<script[^>]+src="https?:', t)
                  for t in (ta, tb))
    return offline and bool(charts(ta)) and charts(ta) == charts(tb) and title(ta) == title(tb) != ""


def resubmit(store: Store, court: str) -> None:
    """A new version of ``court``'s workbook (its register-derived values stay in their own channel, so
    a court can resubmit any number of times)."""
    subs = store.submissions(include_superseded=False)
    workbook = set(subs.loc[subs["channel"] == "classeur", "submission_id"])
    vals = store.values(YEAR, [court])
    vals = vals[vals["indicator_id"].notna() & vals["submission_id"].isin(workbook)]
    vals = vals[["indicator_id", "value", "text", "status"]].copy()
    vals.loc[vals["indicator_id"] == "act_cg_entrees", "value"] += 7
    store.write([SubmissionRecord(court, YEAR, "classeur", vals, demo=True, file_name="resoumission")])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repetitions", type=int, default=2)
    ap.add_argument("--tous", action="store_true", help="les 206 rapports (sinon : la cour d'Agen et le national)")
    ap.add_argument("--un-rapport", action="store_true", help="seulement la section 1 (un rapport à froid)")
    ap.add_argument("--incremental", action="store_true",
                    help="seulement les sections 3, 4, 4 ter et 4 bis (sélection en trois formats, réexécutions)")
    ap.add_argument("--plancher", action="store_true", help="seulement la section 5 (coût par rapport / plancher)")
    ap.add_argument("--formats-206", action="store_true", help="seulement la section 3 bis (206 rapports HTML, PDF, Excel)")
    args = ap.parse_args()
    bench = Bench("Campagne de rapports")
    tmp = Path(tempfile.mkdtemp(prefix="cpc-bench-campagne-"))
    try:
        donnees = tmp / "donnees"
        from cpc_toolkit.cli.demo import write_demo

        write_demo(Store(donnees), YEAR)
        templates = naive_template(tmp)
        units = None if args.tous else [reference.NATIONAL, "ca-agen", *reference.courts_of_cour("ca-agen")]
        sel = campaign.plan(YEAR, units=units)
        print(f"  sélection : {len(sel)} rapports ; plotly.js : {PLOTLY_JS_NAME}")
        clpc = next(j for j in sel if j.kind == "clpc")
        if args.formats_206:
            with bench.section(SECTION_206_FORMATS):
                all_formats_section(donnees, _fresh(tmp, 0), args.jobs)
            return bench.finish()
        if args.incremental:
            out = tmp / "complet"
            with bench.section(f"3. Campagne --formats html,pdf,xlsx ({len(sel)} rapports) de bout en bout"):
                selection_formats_section(sel, donnees, out, args.jobs, args.tous)
            with bench.section(SECTION_INCREMENTAL_FORMATS):
                incremental_formats_section(sel, donnees, out, args.jobs)
            with bench.section(SECTION_INCREMENTAL_AB):
                incremental_ab_section(sel, donnees, out, args.jobs, args.repetitions)
            with bench.section(SECTION_INCREMENTAL_HTML):
                incremental_html_section(sel, donnees, tmp, args.jobs)
            return bench.finish()
        if args.plancher:
            with bench.section(SECTION_FLOOR):
                floor_section(sel, donnees, tmp, args.repetitions)
            return bench.finish()
        n = iter(range(10_000))

        with bench.section(SECTION_COLD):
            cold_section(clpc, donnees, tmp, templates, args.repetitions)
        if args.un_rapport:
            return bench.finish()

        with bench.section(f"2. Campagne HTML ({len(sel)} rapports, --jobs {args.jobs}) contre CLI naïves"):
            def naive_all() -> list[Path]:
                out = _fresh(tmp, next(n))
                return [naive_one(j, donnees, out, templates) for j in sel]

            def camp() -> list[Path]:
                out = _fresh(tmp, next(n))
                r = campaign.run_campaign(YEAR, donnees, out, jobs=args.jobs, formats=("html",), selection=sel)
                assert not r.failures, r.failures[0].error
                return [j.path(out, "html") for j in sel]

            res = compare("campagne HTML", naive_all, camp,
                          lambda a, b: all(same_report(x, y) for x, y in zip(a, b, strict=True)),
                          repeats=max(1, args.repetitions - 1), labels=("CLI naïves", "campagne"))
            per = res.candidate.wall / len(sel)
            print(f"    par rapport : {fmt_s(per)} écoulé, {fmt_s(res.candidate.cpu / len(sel))} CPU, démarrage "
                  f"des processus compris")
            if args.tous:
                goal("206 HTML (écoulé)", res.candidate.wall, 60)

        if not args.tous:
            with bench.section(f"2 bis. Campagne HTML des 206 rapports (--jobs {args.jobs}), mesurée une fois"):
                everything = campaign.plan(YEAR)
                s206, r206 = measure_machine(lambda: campaign.run_campaign(
                    YEAR, donnees, _fresh(tmp, next(n)), jobs=args.jobs, formats=("html",), selection=everything))
                print(f"    {describe(s206)} ; {len(r206.built)}/{len(everything)} rapports construits")
                assert len(r206.built) == len(everything) and not r206.failures, "campagne incomplète"
                goal("206 HTML (écoulé)", s206.wall, 60)

        out = tmp / "complet"
        with bench.section(f"3. Campagne --formats html,pdf,xlsx ({len(sel)} rapports) de bout en bout"):
            selection_formats_section(sel, donnees, out, args.jobs, args.tous)
        if not args.tous:
            with bench.section(SECTION_206_FORMATS):
                all_formats_section(donnees, _fresh(tmp, next(n)), args.jobs)
        with bench.section(SECTION_INCREMENTAL_FORMATS):
            incremental_formats_section(sel, donnees, out, args.jobs)
        with bench.section(SECTION_INCREMENTAL_AB):
            incremental_ab_section(sel, donnees, out, args.jobs, args.repetitions)
        with bench.section(SECTION_INCREMENTAL_HTML):
            incremental_html_section(sel, donnees, tmp, args.jobs)
        with bench.section(SECTION_FLOOR):
            floor_section(sel, donnees, tmp, args.repetitions)
        return bench.finish()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cold_section(clpc: campaign.Job, donnees: Path, tmp: Path, templates: Path, repetitions: int) -> None:
    n = iter(range(10_000, 20_000))
    res = compare("un rapport", lambda: naive_one(clpc, donnees, _fresh(tmp, next(n)), templates),
                  lambda: cpc_one(clpc, donnees, _fresh(tmp, next(n))), same_report,
                  repeats=repetitions, labels=("CLI naïves", "cpc rapport"))
    ok = res.equivalent and res.cpu_ratio >= 2
    print(f"  objectif CLI naïves / cpc rapport ≥ ×2 (CPU) : ×{res.cpu_ratio:.1f} — "
          f"{'atteint' if ok else 'MANQUÉ'}".replace(".", ","))


def selection_formats_section(sel: list[campaign.Job], donnees: Path, out: Path, jobs: int, tous: bool) -> None:
    """Section 3: the selection in HTML, PDF and Excel, end to end, into ``out`` (kept for section 4)."""
    s, r = measure_machine(lambda: campaign.run_campaign(YEAR, donnees, out, jobs=jobs,
                                                         formats=("html", "pdf", "xlsx"), selection=sel))
    ok = [o for o in r.built if {"html", "pdf", "xlsx"} <= set(o.files)]
    print(f"    {describe(s)} ; {len(ok)}/{len(sel)} rapports avec HTML, PDF et Excel")
    assert len(ok) == len(sel), "rapports incomplets"
    if tous:
        goal("206 rapports HTML + PDF + Excel, de bout en bout (écoulé)", s.wall, 240)


def incremental_formats_section(sel: list[campaign.Job], donnees: Path, out: Path, jobs: int) -> None:
    """Section 4: one TJ resubmits; the incremental re-run over section 3's output, in its three formats."""
    court = reference.courts_of_cour("ca-agen")[0]
    resubmit(Store(donnees), court)
    s, r = measure_machine(lambda: campaign.run_campaign(YEAR, donnees, out, jobs=jobs,
                                                         formats=("html", "pdf", "xlsx"), selection=sel))
    rebuilt = {o.job_id for o in r.built}
    print(f"    {describe(s)} ; reconstruits {len(rebuilt)}, inchangés {len(r.skipped)}")
    assert {f"clpc/{court}", "cours/ca-agen", "national/national"} <= rebuilt, sorted(rebuilt)
    goal("réexécution incrémentale HTML + PDF + Excel (écoulé)", s.wall, 6)


CHILD_CAMPAIGN = """
import json, sys
from cpc_toolkit.render import campaign, pdf
opts, donnees, out, jobs, ids = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
campaign.start_method, pdf.PAGES, pdf.STATIC_CHARTS = (lambda: opts["method"]), opts["pages"], opts["static"]
sel = [j for j in campaign.plan(2025) if j.id in ids]
r = campaign.run_campaign(2025, donnees, out, jobs=jobs, formats=("html", "pdf", "xlsx"), selection=sel)
print(json.dumps({"built": sorted(o.job_id for o in r.built if {"html", "pdf", "xlsx"} <= set(o.files))}))
"""
AB_DEFAULTS = {"method": "fork", "pages": 2, "static": True}


def incremental_ab_section(sel: list[campaign.Job], donnees: Path, out: Path, jobs: int, repetitions: int) -> None:
    """Section 4 ter: the incremental re-run in three formats, each pass in a fresh interpreter as
    ``cpc campagne`` runs (a court of Agen resubmits before each pass, outside the measure), baseline
    and candidate interleaved, one setting changed at a time from the campaign's own: workers spawned
    afresh against forked from the campaign, 3 PDF pages at once against 2 (:data:`pdf.PAGES`), the
    print tabs' charts interactive against static (:data:`pdf.STATIC_CHARTS`)."""
    courts = reference.courts_of_cour("ca-agen")
    turn = iter(range(10_000))
    everything = sorted(j.id for j in sel)

    def resubmitted(args: Callable[[], list[str]]) -> tuple[Sample, list[str]]:
        resubmit(Store(donnees), courts[next(turn) % len(courts)])
        m0 = machine_cpu()
        s, data = run_child(args(), env=ENV)
        return Sample(s.wall, s.cpu, None, machine_cpu() - m0), data["built"]

    def run(**change: object) -> Callable[[], list[str]]:
        opts = json.dumps({**AB_DEFAULTS, **change})
        return lambda: ["-c", CHILD_CAMPAIGN, opts, str(donnees), str(out), str(jobs), *everything]

    def same(a: list[str], b: list[str]) -> bool:
        return a == b == everything

    n = max(3, repetitions)
    for title, baseline, labels in (
            ("processus de rendu", {"method": "spawn"}, ("spawn", "fork")),
            ("pages PDF à la fois", {"pages": 3}, ("3 pages", "2 pages")),
            ("graphiques des onglets d'impression", {"static": False}, ("interactifs", "statiques"))):
        compare(title, run(**baseline), run(), same, repeats=n, sample=resubmitted, labels=labels)


def incremental_html_section(sel: list[campaign.Job], donnees: Path, tmp: Path, jobs: int) -> None:
    """HTML campaign of the selection, one TJ resubmits, incremental re-run (measured); then a forced full
    rebuild against the same previous publication must give the same pages (build-date lines aside,
    as in tests/render/test_incremental.py)."""
    inc, full = _fresh(tmp, 30_000), _fresh(tmp, 30_001)
    first = campaign.run_campaign(YEAR, donnees, inc, jobs=jobs, formats=("html",), selection=sel)
    assert len(first.built) == len(sel), "première campagne incomplète"
    (full / str(YEAR)).mkdir(parents=True, exist_ok=True)
    for name in ("publication.parquet", "publication.json"):
        if (inc / str(YEAR) / name).exists():
            shutil.copy(inc / str(YEAR) / name, full / str(YEAR) / name)
    court = reference.courts_of_cour("ca-agen")[1]
    resubmit(Store(donnees), court)
    s, r = measure_machine(lambda: campaign.run_campaign(YEAR, donnees, inc, jobs=jobs, formats=("html",), selection=sel))
    rebuilt = {o.job_id for o in r.built}
    print(f"    {describe(s)} ; reconstruits {len(rebuilt)}, inchangés {len(r.skipped)}")
    campaign.run_campaign(YEAR, donnees, full, jobs=jobs, formats=("html",), selection=sel, force=True)
    stamp = re.compile(r"édité le|stamp", re.I)

    def lines(path: Path) -> list[str]:
        return [x for x in path.read_text(encoding="utf-8").splitlines() if not stamp.search(x)]

    same = all(lines(j.path(inc, "html")) == lines(j.path(full, "html")) for j in sel)
    print(f"    pages identiques à une reconstruction complète : {'oui' if same else 'NON'}")
    assert same and f"clpc/{court}" in rebuilt, "réexécution incrémentale incorrecte"
    goal("réexécution incrémentale HTML (écoulé)", s.wall, 6)


def all_formats_section(donnees: Path, out: Path, jobs: int) -> None:
    """The 206 reports in HTML, PDF and Excel, end to end (PDF printed while the HTML is built). The CPU
    time counts this process and its finished children (campaign workers); the whole machine's, printed
    beside it, also counts Chromium's page processes."""
    everything = campaign.plan(YEAR)
    s, r = measure_machine(lambda: campaign.run_campaign(YEAR, donnees, out, jobs=jobs,
                                                         formats=("html", "pdf", "xlsx"), selection=everything))
    ok = [o for o in r.built if {"html", "pdf", "xlsx"} <= set(o.files)]
    print(f"    {describe(s)} ; {len(ok)}/{len(everything)} rapports avec HTML, PDF et Excel")
    assert len(ok) == len(everything), "rapports incomplets"
    goal("206 rapports HTML + PDF + Excel, de bout en bout (écoulé)", s.wall, 240)


def floor_section(sel: list[campaign.Job], donnees: Path, tmp: Path, repetitions: int) -> None:
    """Per-report cost of a campaign worker (execute the report in the worker, papermill's in-process
    engine, and export its HTML) against the floor of the issue: an empty notebook executed in an
    already-warm interpreter plus the HTML export of the report's own output. The warm interpreter is
    the worker's own (the campaign's engine); an empty notebook in a warm Jupyter kernel is printed
    beside it (CPU of the kernel included). Interleaved report by report, in this process."""
    import nbformat
    import psutil
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from papermill.engines import papermill_engines

    from cpc_toolkit.render.notebook import IN_PROCESS_ENGINE, KERNEL_NAME, run_papermill
    from cpc_toolkit.render.outputs import exported, html_bytes

    jobs = [j for j in sel if j.kind == "clpc"][: max(4, 2 * repetitions)]
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    empty.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    empty.metadata["papermill"] = {}
    out = _fresh(tmp, 99_999)
    env = campaign.report_env(str(donnees), out)
    ipc = Path(tempfile.mkdtemp(prefix="cpc-bench-noyau-"))  # IPC transport: no TCP warning, no port
    km = KernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(ipc / "k"))
    km.start_kernel(env={**os.environ, **env})
    try:
        kernel = psutil.Process(km.provisioner.pid)  # type: ignore[attr-defined]

        def clock() -> tuple[float, float]:
            t = kernel.cpu_times()  # alive: RUSAGE_CHILDREN misses it
            return time.perf_counter(), cpu_now() + t.user + t.system

        def since(t: tuple[float, float]) -> Sample:
            w, c = clock()
            return Sample(w - t[0], c - t[1])

        def in_kernel() -> None:
            NotebookClient(nbformat.from_dict(empty), km=km, kernel_name=KERNEL_NAME).execute()

        def in_process() -> None:
            papermill_engines.execute_notebook_with_engine(IN_PROCESS_ENGINE, nbformat.from_dict(empty),
                                                           kernel_name=KERNEL_NAME, progress_bar=False)

        build_one = campaign.build_one
        build_one(jobs[0], str(donnees), out, ("html",), "x", env=env)  # warm-up (imports, caches)
        in_kernel()
        reports, floors, empties, kernels, exports = [], [], [], [], []
        for job in jobs:
            t = clock()
            o = build_one(job, str(donnees), out, ("html",), "x", env=env)
            reports.append(since(t))
            assert o.status == "ok", o.error
            t = clock()
            in_process()
            e = since(t)
            t = clock()
            in_kernel()
            kernels.append(since(t))
            nb = run_papermill(job.kind, job.params(str(donnees)), engine=IN_PROCESS_ENGINE, env=env)
            ex = exported(nb)
            t = clock()
            page = html_bytes(nb, ex)
            x = since(t)
            assert page == job.path(out, "html").read_bytes(), "export du plancher différent du rapport"
            empties.append(e)
            exports.append(x)
            floors.append(Sample(e.wall + x.wall, e.cpu + x.cpu))
    finally:
        km.shutdown_kernel(now=True)
        shutil.rmtree(ipc, ignore_errors=True)
    rep, flo = median_sample(reports), median_sample(floors)
    print(f"    rapport CLPC (exécution dans le processus + HTML) : {describe(rep)} (médiane sur {len(jobs)})")
    print(f"    plancher : carnet vide dans le même processus chaud {describe(median_sample(empties))} + export "
          f"HTML du même résultat {describe(median_sample(exports))} = {describe(flo)}")
    print(f"    pour mémoire, carnet vide dans un noyau Jupyter chaud : {describe(median_sample(kernels))}")
    print(f"    rapport / plancher : ×{rep.wall / flo.wall:.1f} écoulé, ×{rep.cpu / flo.cpu:.1f} CPU".replace(".", ","))
    goal("rapport / plancher (écoulé)", rep.wall / flo.wall, 1.5, unit="×")


def _fresh(tmp: Path, i: int) -> Path:
    d = tmp / f"sortie-{i}"
    d.mkdir(parents=True, exist_ok=True)
    return d


if __name__ == "__main__":
    raise SystemExit(main())
