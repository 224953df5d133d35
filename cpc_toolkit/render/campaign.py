"""Report campaign: 168 CLPC + 37 chef de cour + 1 national reports, parallel and incremental.

* **Parallel.** ``jobs`` worker processes, each executing the papermill-parameterised notebooks
  one after another in its own interpreter (papermill's in-process engine of
  :mod:`cpc_toolkit.render.notebook`: no kernel to start, no messages), the results table being
  loaded once per worker; nbconvert (HTML) and XlsxWriter (Excel) run in the worker. PDFs are
  printed by one Chromium, a few pages at a time, while the workers build the next reports.
* **Incremental.** Each report has a fingerprint: its notebook, the toolkit (version and source
  digest), the alert and campaign settings, and the *store slice it reads* — the accepted
  submissions of its court (CLPC), of the courts of its cour (chef de cour) or of every court
  (national) over the five years shown. A report whose fingerprint and files are unchanged is
  skipped. Comparison points of a CLPC report (cour, nation, size class) are context: a
  resubmission elsewhere rebuilds that court, its cour and the national report, not the 167
  other CLPC reports (``--force`` rebuilds everything).
* **Robust.** A failing report does not stop the others; failures (report, notebook cell,
  error) are kept in ``reports/<annee>/manifest.json`` and returned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from cpc_toolkit import __version__, reference
from cpc_toolkit.errors import CpcError, RenderError, UsageError
from cpc_toolkit.render import kinds
from cpc_toolkit.settings import data_dir, reports_dir
from cpc_toolkit.store import Store, atomic_write_bytes

__all__ = ["FORMATS", "CampaignResult", "Job", "ReportOutcome", "build_one", "build_report", "fingerprints", "plan",
           "run_campaign"]

FORMATS = tuple(kinds.FORMATS)  # html, pdf, xlsx (declared in cpc_toolkit.render.kinds)
MANIFEST = "manifest.json"
LOCK = ".campagne.lock"
YEARS_SHOWN = 5


@dataclass(frozen=True)
class Job:
    """One report to build."""

    kind: str  # a campaign kind of cpc_toolkit.render.kinds.KINDS
    unit_id: str
    year: int

    @property
    def spec(self) -> kinds.ReportKind:
        return kinds.kind(self.kind)

    @property
    def id(self) -> str:
        return f"{self.spec.subdir}/{self.unit_id}"

    def params(self, donnees: str) -> dict[str, Any]:
        return self.spec.params_for(self.unit_id, self.year, donnees)

    def path(self, root: Path, fmt: str) -> Path:
        return root / str(self.year) / self.spec.subdir / f"{self.unit_id}.{fmt}"

    def courts(self) -> list[str] | None:
        return self.spec.courts(self.unit_id)


@dataclass
class ReportOutcome:
    job_id: str
    kind: str
    unit_id: str
    name: str
    status: str  # ok | echec | inchange
    fingerprint: str
    files: dict[str, str] = field(default_factory=dict)
    cell: int | None = None
    error: str = ""
    seconds: float = 0.0
    demo: bool = False


@dataclass
class CampaignResult:
    year: int
    root: Path
    outcomes: list[ReportOutcome]
    seconds: float

    @property
    def failures(self) -> list[ReportOutcome]:
        return [o for o in self.outcomes if o.status == "echec"]

    @property
    def built(self) -> list[ReportOutcome]:
        return [o for o in self.outcomes if o.status == "ok"]

    @property
    def skipped(self) -> list[ReportOutcome]:
        return [o for o in self.outcomes if o.status == "inchange"]


# ------------------------------------------------------------------------------------ planning
def plan(year: int, kinds_: Sequence[str] | None = None, units: Iterable[str] | None = None) -> list[Job]:
    """Jobs of a campaign, in the registry's order (national first, then cours, then CLPC: longest first)."""
    wanted = set(units) if units is not None else None
    return [Job(k.id, u, year) for k in kinds.campaign_kinds() if kinds_ is None or k.id in kinds_
            for u in k.units() if wanted is None or u in wanted]


@cache
def _toolkit_digest() -> str:
    """Version + digest of the toolkit's sources, templates and catalogue (any change rebuilds)."""
    h = hashlib.sha256(__version__.encode())
    pkg = Path(str(resources.files("cpc_toolkit")))
    for p in sorted(pkg.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".yaml", ".j2", ".css", ".json", ".csv") and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(pkg)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.exists() else ""


def _cour_or_none(court_id: str) -> str | None:
    try:
        return reference.cour_of(court_id)
    except CpcError:  # a court without a cour d'appel (none in the reference today)
        return None


def _comparison_units(job: Job) -> list[str]:
    """Units whose consolidated values a report shows beside its own: the cour(s) of its courts and the
    national level (none for a report that reads every court)."""
    courts = job.courts()
    if courts is None:
        return []
    cours = sorted({c for c in map(_cour_or_none, courts) if c} - {job.unit_id})
    return [*cours, reference.NATIONAL]


def _comparison_digests(res: Any, jobs: Sequence[Job]) -> dict[tuple[str, int], str]:
    """Digest of the consolidated values of each comparison unit over the years a report shows."""
    import pandas as pd

    wanted = {(u, j.year) for j in jobs for u in _comparison_units(j)}
    out: dict[tuple[str, int], str] = {}
    cols = ["unit_id", "year", "indicator_id", "value", "text", "status", "na_reason", "n_reporting",
            "n_expected", "partial"]
    for unit, year in sorted(wanted):
        rows = res.loc[(res["unit_id"] == unit) & (res["year"] <= year) & (res["year"] > year - YEARS_SHOWN),
                       [c for c in cols if c in res.columns]].sort_values(["year", "indicator_id"])
        out[(unit, year)] = hashlib.sha256(pd.util.hash_pandas_object(rows, index=False).to_numpy().tobytes()
                                           ).hexdigest()[:16]
    return out


def fingerprints(store: Store, jobs: Sequence[Job], res: Any = None, variant: str = "integre") -> dict[str, str]:
    """Fingerprint of each job: notebook, toolkit, settings, the store slice it reads and the
    consolidated values of its comparison points (its cour, the national level: a resubmission
    anywhere that moves them rebuilds the report). ``res``: the engine's results (computed if absent)."""
    if res is None and any(_comparison_units(j) for j in jobs):
        from cpc_toolkit.render.data import load

        res = load(str(store.root)).res
    compare = _comparison_digests(res, jobs) if res is not None else {}
    subs = store.submissions(include_superseded=False)
    settings = "".join(_file_digest(store.root / n) for n in ("alertes.yaml", "campagne.yaml"))
    nb_digest = {k: _file_digest(kinds.notebook_path(k)) for k in {j.kind for j in jobs}}
    out: dict[str, str] = {}
    by_year: dict[int, Any] = {}
    for job in jobs:
        if job.year not in by_year:
            s = subs[(subs["year"] <= job.year) & (subs["year"] > job.year - YEARS_SHOWN)]
            by_year[job.year] = s.groupby("court_id")["submission_id"].apply(lambda x: "|".join(sorted(x)))
        ids = by_year[job.year]
        courts = job.courts()
        slice_ids = ids if courts is None else ids.reindex(courts).fillna("")
        h = hashlib.sha256()
        points = "\n".join(f"{u}={compare[(u, job.year)]}" for u in _comparison_units(job))
        if variant != "integre":  # how the page loads plotly.js (the default leaves old prints valid)
            points += f"\nplotly={variant}"
        for part in (job.kind, job.unit_id, str(job.year), nb_digest[job.kind], _toolkit_digest(), settings,
                     "\n".join(f"{k}={v}" for k, v in slice_ids.items()), points):
            h.update(part.encode())
            h.update(b"\0")
        out[job.id] = h.hexdigest()[:20]
    return out


# ------------------------------------------------------------------------------------ worker
PLOTLY_MODES = ("integre", "partage")


def _init_worker(env: dict[str, str], parent_pid: int | None = None) -> None:
    """Worker start: dies with the campaign; the reports' environment (store, reports root) is the
    worker's own, the notebooks being executed in the worker (papermill's in-process engine)."""
    if parent_pid is not None:
        from cpc_toolkit.safeopen import die_with_parent

        die_with_parent(parent_pid)
    os.environ.update(env)


def start_method() -> str:
    """How campaign workers start: ``fork`` where the system has it and this process runs no other
    Python thread (a fork copies no thread, only the locks they may hold), from the campaign's own
    process once :func:`warm_process` has loaded the modules and data every report needs (no second
    import, no second read of the store per worker); ``spawn`` otherwise."""
    import threading

    return "fork" if "fork" in mp.get_all_start_methods() and threading.active_count() == 1 else "spawn"


def warm_process(donnees: str) -> None:
    """Load in this process what every report uses (forked workers start with it): the rendering
    modules, the notebooks, the report data of ``donnees`` and its lookup index, the HTML exporter,
    the French collation table."""
    from cpc_toolkit import fr
    from cpc_toolkit.compute.lookup import results_index
    from cpc_toolkit.render import notebook, outputs, report  # noqa: F401  (imported for the workers)
    from cpc_toolkit.render.data import load
    from cpc_toolkit.render.html import exporter

    results_index(load(donnees).res)
    for kind_id in kinds.KINDS:
        notebook.load_notebook(kind_id)
    exporter()
    fr.sort_key("a")


def report_env(donnees: str, root: Path) -> dict[str, str]:
    """Environment of every report notebook: the store, and the reports root where a report finds
    its previous publication (rectificatif)."""
    return {"CPC_DONNEES": donnees, "CPC_RAPPORTS": str(root)}


def build_one(job: Job, donnees: str, root: Path, formats: Sequence[str], fingerprint: str,
              env: dict[str, str] | None = None, plotly: str = "integre") -> ReportOutcome:
    """Execute one report notebook (papermill's in-process engine, ``env`` set for the run) and
    write its worker-stage formats. Never raises."""
    from cpc_toolkit.render.notebook import IN_PROCESS_ENGINE, run_papermill
    from cpc_toolkit.render.outputs import exported

    t0 = time.perf_counter()
    name = reference.court_name(job.unit_id)
    outcome = ReportOutcome(job.id, job.kind, job.unit_id, name, "echec", fingerprint)
    try:
        nb = run_papermill(job.kind, job.params(donnees), engine=IN_PROCESS_ENGINE, env=env)
        ex = exported(nb)  # the values the notebook built (no second build of the report)
        outcome.demo = ex.demo
        for fmt in formats:
            spec = kinds.FORMATS[fmt]
            if spec.stage != "worker":
                continue
            path = job.path(root, fmt)
            if fmt == "html" and plotly == "partage":  # one shared plotly.js in the year folder
                from cpc_toolkit.render.outputs import html_bytes

                rel = os.path.relpath(root / str(job.year), path.parent)
                atomic_write_bytes(path, html_bytes(nb, ex, plotly_src=f"{rel}/"))
            else:
                atomic_write_bytes(path, spec.write(nb, ex))
            outcome.files[fmt] = str(path.relative_to(root / str(job.year)))
        outcome.status = "ok"
    except RenderError as exc:
        outcome.cell, outcome.error = exc.details.get("cell"), str(exc.details.get("error") or exc.message)
    except Exception as exc:  # one failing report must not stop the campaign
        outcome.error = f"{type(exc).__name__} : {exc}"
    outcome.seconds = round(time.perf_counter() - t0, 3)
    return outcome


def _worker_formats(want: Sequence[str]) -> tuple[str, ...]:
    """Worker-stage formats to write for ``want`` (a batch format brings its source format)."""
    need = list(want) + [kinds.FORMATS[f].source for f in want if kinds.FORMATS[f].stage == "batch"]
    return tuple(f for f in FORMATS if f in need and kinds.FORMATS[f].stage == "worker")


def build_report(kind: str, unit_id: str, year: int, donnees: str | Path | None = None,
                 out_root: str | Path | None = None, formats: Sequence[str] = ("html", "xlsx")) -> ReportOutcome:
    """Build one report in this process (``cpc rapport``, papermill's in-process engine); updates the campaign manifest and index."""
    data_root = data_dir(donnees or None).resolve()
    store = Store(data_root)
    if not store.exists():
        raise UsageError(f"Aucune donnée dans « {data_root} » : lancez « cpc demo » ou importez des classeurs.")
    job = Job(kind, unit_id, year)
    root = reports_dir(out_root).resolve()
    want = tuple(f for f in FORMATS if f in formats)
    year_dir = root / str(year)
    year_dir.mkdir(parents=True, exist_ok=True)
    with campaign_lock(year_dir):
        return _build_report_locked(job, store, data_root, root, year_dir, want)


def _build_report_locked(job: Job, store: Store, data_root: Path, root: Path, year_dir: Path,
                         want: tuple[str, ...]) -> ReportOutcome:
    year = job.year
    o = build_one(job, str(data_root), root, _worker_formats(want), fingerprints(store, [job])[job.id],
                  env=report_env(str(data_root), root))
    if "pdf" in want and o.status == "ok":
        _print_pdfs([o], year_dir, None)
    if o.status == "ok":
        result = CampaignResult(year, root, [o], o.seconds)
        _write_manifest(year_dir / MANIFEST, year, result, _read_manifest(year_dir / MANIFEST).get("reports", {}))
        from cpc_toolkit.render.index import write_index

        write_index(year_dir)
    return o


def _worker_task(job: Job, donnees: str, root: str, formats: tuple[str, ...], fingerprint: str,
                 plotly: str = "integre") -> ReportOutcome:
    return build_one(job, donnees, Path(root), formats, fingerprint, plotly=plotly)


# ------------------------------------------------------------------------------------ campaign
def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def run_campaign(year: int, donnees: str | Path | None = None, out_root: str | Path | None = None,
                 jobs: int = 2, formats: Sequence[str] = ("html",), force: bool = False,
                 selection: Sequence[Job] | None = None,
                 progress: Callable[[ReportOutcome], None] | None = None,
                 plotly: str = "integre") -> CampaignResult:
    """Build the reports of ``year`` (all 206, or ``selection``); return every outcome.

    ``progress`` is called after each report (built, skipped or failed). ``plotly="partage"``: the
    HTML reports load one shared ``plotly-<version>.min.js`` of the year folder (integrity hash)
    instead of embedding it (``"integre"``, the default: single-file reports for e-mail).
    """
    if plotly not in PLOTLY_MODES:
        raise UsageError(f"Mode plotly inconnu : {plotly} (modes : {', '.join(PLOTLY_MODES)}).")
    bad = sorted(set(formats) - set(FORMATS))
    if bad:
        raise UsageError(f"Format(s) inconnu(s) : {', '.join(bad)} (formats : {', '.join(FORMATS)}).")
    t0 = time.perf_counter()
    data_root = data_dir(donnees or None).resolve()
    store = Store(data_root)
    if not store.exists():
        raise UsageError(f"Aucune donnée dans « {data_root} » : lancez « cpc demo » ou importez des classeurs.")
    from cpc_toolkit.render.data import load

    data = load(str(data_root))
    if year not in data.years():
        raise UsageError(f"Aucune donnée pour l'année {year} (années disponibles : "
                         f"{', '.join(str(y) for y in data.years())}).")
    root = reports_dir(out_root).resolve()
    year_dir = root / str(year)
    year_dir.mkdir(parents=True, exist_ok=True)
    with campaign_lock(year_dir):
        if plotly == "partage":
            from cpc_toolkit.render.html import write_shared_plotly

            write_shared_plotly(year_dir)
        return _run_locked(year, store, data_root, root, year_dir, jobs, formats, force, selection, progress, t0,
                           plotly)


@contextmanager
def campaign_lock(year_dir: Path) -> Iterator[None]:
    """Hold the lock of one output folder (French error at once if another campaign holds it)."""
    lock = FileLock(str(year_dir / LOCK), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise UsageError(f"Une autre campagne (ou un autre « cpc rapport ») écrit déjà dans « {year_dir} » : "
                         "attendez qu'elle se termine, puis relancez la commande (les rapports déjà construits "
                         "ne seront pas refaits).") from None
    try:
        yield
    finally:
        lock.release()


def _run_locked(year: int, store: Store, data_root: Path, root: Path, year_dir: Path, jobs: int,
                formats: Sequence[str], force: bool, selection: Sequence[Job] | None,
                progress: Callable[[ReportOutcome], None] | None, t0: float,
                plotly: str = "integre") -> CampaignResult:
    todo = list(selection) if selection is not None else plan(year)
    from cpc_toolkit.render.data import load

    prints = fingerprints(store, todo, load(str(data_root)).res, variant=plotly)
    manifest_path = year_dir / MANIFEST
    previous = _read_manifest(manifest_path).get("reports", {})
    want = tuple(f for f in FORMATS if f in formats)
    outcomes: dict[str, ReportOutcome] = {}
    to_build: list[Job] = []
    for job in todo:
        prev = previous.get(job.id)
        fresh = (not force and prev is not None and prev.get("status") in ("ok", "inchange")
                 and prev.get("fingerprint") == prints[job.id]
                 and all(f in prev.get("files", {}) and (year_dir / prev["files"][f]).exists() for f in want))
        if fresh:
            o = ReportOutcome(**{**prev, "status": "inchange", "seconds": 0.0})
            outcomes[job.id] = o
            if progress:
                progress(o)
        else:
            to_build.append(job)

    entries = {**previous, **{k: asdict(o) for k, o in outcomes.items()}}  # each outcome converted once

    def record(o: ReportOutcome) -> None:
        """Each finished report goes into the manifest at once: a killed campaign resumes from there
        (compact JSON, C encoder: rewriting the manifest after each of 206 reports stays cheap)."""
        outcomes[o.job_id] = o
        entries[o.job_id] = asdict(o)
        failed = [x for x in outcomes.values() if x.status == "echec"]
        _write_manifest_doc(manifest_path, year, round(time.perf_counter() - t0, 2), entries, failed, compact=True)

    if to_build:
        with _PdfStage(year_dir, progress) if "pdf" in want else nullcontext() as pdfs:
            for o in _execute(to_build, str(data_root), root, _worker_formats(want), prints, jobs, plotly):
                record(o)
                if pdfs is not None:
                    pdfs.add(o)  # printed while the workers build the next reports
                elif progress:
                    progress(o)
    ordered = [outcomes[j.id] for j in todo]
    result = CampaignResult(year, root, ordered, round(time.perf_counter() - t0, 2))
    _write_manifest(manifest_path, year, result, previous)
    from cpc_toolkit.render.traceability import after_campaign

    after_campaign(store, year, year_dir, result.outcomes)  # issue 16: rectificatifs.json + publication.parquet
    from cpc_toolkit.render.index import write_index

    write_index(year_dir)
    return result


def _execute(jobs_: list[Job], donnees: str, root: Path, formats: tuple[str, ...], prints: dict[str, str],
             n_jobs: int, plotly: str = "integre") -> Iterable[ReportOutcome]:
    """Build ``jobs_`` (``n_jobs`` worker processes), yielding each outcome as it comes."""
    env = report_env(donnees, root)
    n_jobs = max(1, min(n_jobs, len(jobs_)))
    if n_jobs == 1:
        for job in jobs_:
            yield build_one(job, donnees, root, formats, prints[job.id], env=env, plotly=plotly)
        return
    method = start_method()
    if method == "fork":
        import gc

        warm_process(donnees)
        gc.collect()
        gc.freeze()  # the workers' collections neither scan nor copy what they inherit
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=mp.get_context(method), initializer=_init_worker,
                             initargs=(env, os.getpid())) as pool:
        futures = {pool.submit(_worker_task, job, donnees, str(root), formats, prints[job.id], plotly): job for job in jobs_}
        if method == "fork":
            gc.unfreeze()  # every worker was forked by the first submit; this process collects as before
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                o = fut.result()
            except Exception as exc:  # a worker died: report it, keep going with the others
                o = ReportOutcome(job.id, job.kind, job.unit_id, reference.court_name(job.unit_id), "echec",
                                  prints[job.id], error=f"processus de rendu interrompu : {exc}")
            yield o


class _PdfStage:
    """PDFs printed while the workers build the next reports' HTML: each report's HTML is queued as
    soon as it is written, a few pages print at once in one Chromium (:data:`pdf.PAGES`), started
    with the first HTML (after the workers' fork)."""

    def __init__(self, year_dir: Path, progress: Callable[[ReportOutcome], None] | None,
                 pages: int | None = None) -> None:
        self.year_dir, self.progress = year_dir, progress
        self.pages = pages
        self.printer: Any = None
        self.error: str | None = None
        self._stack: Any = None
        self.queued: list[tuple[ReportOutcome, Any]] = []

    def __enter__(self) -> _PdfStage:
        return self

    def _start(self) -> None:
        from contextlib import ExitStack

        from cpc_toolkit.render.pdf import PAGES, pdf_printer

        self._stack = ExitStack()
        try:
            self.printer = self._stack.enter_context(pdf_printer(self.pages or PAGES))
        except RenderError as exc:
            self.error = exc.message

    def add(self, o: ReportOutcome) -> None:
        if o.status != "ok" or "html" not in o.files:
            if self.progress:
                self.progress(o)
            return
        if self.printer is None and self.error is None:
            self._start()  # Chromium starts with the first HTML, not before
        if self.error is not None:
            o.status, o.error = "echec", self.error
            if self.progress:
                self.progress(o)
            return
        html_path = self.year_dir / o.files["html"]
        t0 = time.perf_counter()
        fut = self.printer.submit(html_path, html_path.with_suffix(".pdf"))
        fut.add_done_callback(lambda _f, o=o, t0=t0: setattr(o, "seconds", round(o.seconds + time.perf_counter()
                                                                                 - t0, 3)))
        self.queued.append((o, fut))

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            for o, fut in self.queued if exc_type is None else ():
                try:
                    fut.result()
                    o.files["pdf"] = str(Path(o.files["html"]).with_suffix(".pdf"))
                except RenderError as err:
                    o.status, o.error = "echec", err.message
                if self.progress:
                    self.progress(o)
        finally:
            if self._stack is not None:
                self._stack.close()


def _print_pdfs(outcomes: list[ReportOutcome], year_dir: Path,
                progress: Callable[[ReportOutcome], None] | None) -> None:
    with _PdfStage(year_dir, progress) as stage:
        for o in outcomes:
            stage.add(o)


def _write_manifest(path: Path, year: int, result: CampaignResult, previous: dict[str, Any]) -> None:
    reports = dict(previous)
    for o in result.outcomes:
        reports[o.job_id] = asdict(o)
    _write_manifest_doc(path, year, result.seconds, reports, result.failures)


def _write_manifest_doc(path: Path, year: int, seconds: float, reports: dict[str, Any],
                        failures: Sequence[ReportOutcome], compact: bool = False) -> None:
    """The manifest (indented when final; ``compact`` while the campaign runs)."""
    doc = {"annee": year, "toolkit": __version__, "ecrit_le": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
           "duree_s": seconds, "reports": reports,
           "echecs": [{"rapport": o.job_id, "juridiction": o.name, "cellule": o.cell, "erreur": o.error}
                      for o in failures]}
    text = json.dumps(doc, ensure_ascii=False, indent=None if compact else 1, sort_keys=True)
    atomic_write_bytes(path, text.encode("utf-8"))
