"""Report campaign: 168 CLPC + 37 chef de cour + 1 national reports, parallel and incremental.

* **Parallel.** ``jobs`` worker processes, each with one long-lived kernel (:class:`WarmKernel`)
  that executes the papermill-parameterised notebooks one after another, the results table
  being loaded once per kernel; nbconvert (HTML) and openpyxl (Excel) run in the worker. PDFs are
  printed afterwards by one Chromium for all reports.
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
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from cpc_toolkit import __version__, reference
from cpc_toolkit.errors import ReasonCode, RenderError, UsageError
from cpc_toolkit.settings import data_dir, reports_dir
from cpc_toolkit.store import Store, atomic_write_bytes

__all__ = ["FORMATS", "CampaignResult", "Job", "PapermillRunner", "ReportOutcome", "build_one", "build_report",
           "fingerprints", "plan", "run_campaign"]

FORMATS = ("html", "pdf", "xlsx")
SUBDIR = {"clpc": "clpc", "cour": "cours", "national": "national"}
MANIFEST = "manifest.json"
YEARS_SHOWN = 5


@dataclass(frozen=True)
class Job:
    """One report to build."""

    kind: str  # clpc | cour | national
    unit_id: str
    year: int

    @property
    def id(self) -> str:
        return f"{SUBDIR[self.kind]}/{self.unit_id}"

    def params(self, donnees: str) -> dict[str, Any]:
        base: dict[str, Any] = {"annee": self.year, "donnees": donnees}
        if self.kind == "clpc":
            base["juridiction"] = self.unit_id
        elif self.kind == "cour":
            base["cour"] = self.unit_id
        return base

    def path(self, root: Path, fmt: str) -> Path:
        return root / str(self.year) / SUBDIR[self.kind] / f"{self.unit_id}.{fmt}"

    def courts(self) -> list[str] | None:
        if self.kind == "clpc":
            return [self.unit_id]
        if self.kind == "cour":
            return reference.courts_of_cour(self.unit_id)
        return None


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
def plan(year: int, kinds: Sequence[str] = ("national", "cour", "clpc"),
         units: Iterable[str] | None = None) -> list[Job]:
    """Jobs of a campaign (national first, then cours, then CLPC: longest first)."""
    wanted = set(units) if units is not None else None
    jobs: list[Job] = []
    if "national" in kinds and (wanted is None or reference.NATIONAL in wanted):
        jobs.append(Job("national", reference.NATIONAL, year))
    if "cour" in kinds:
        jobs += [Job("cour", c, year) for c in reference.consolidation_units().index if wanted is None or c in wanted]
    if "clpc" in kinds:
        jobs += [Job("clpc", c, year) for c in reference.first_instance_courts().index if wanted is None or c in wanted]
    return jobs


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


def fingerprints(store: Store, jobs: Sequence[Job]) -> dict[str, str]:
    """Fingerprint of each job: notebook, toolkit, settings and the store slice it reads."""
    from cpc_toolkit.render.notebook import notebook_path

    subs = store.submissions(include_superseded=False)
    settings = "".join(_file_digest(store.root / n) for n in ("alertes.yaml", "campagne.yaml"))
    nb_digest = {k: _file_digest(notebook_path(k)) for k in {j.kind for j in jobs}}
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
        for part in (job.kind, job.unit_id, str(job.year), nb_digest[job.kind], _toolkit_digest(), settings,
                     "\n".join(f"{k}={v}" for k, v in slice_ids.items())):
            h.update(part.encode())
            h.update(b"\0")
        out[job.id] = h.hexdigest()[:20]
    return out


# ------------------------------------------------------------------------------------ worker
_KERNEL: Any = None


def _init_worker(env: dict[str, str]) -> None:
    """Worker start: one long-lived kernel (kept for the whole campaign)."""
    global _KERNEL
    os.environ.update(env)
    from multiprocessing.util import Finalize

    from cpc_toolkit.render.notebook import WarmKernel

    _KERNEL = WarmKernel()
    # pool workers leave through os._exit (no atexit): shut the kernel down with the process
    Finalize(None, _shutdown_worker, exitpriority=10)


def _shutdown_worker() -> None:
    global _KERNEL
    if _KERNEL is not None:
        _KERNEL.shutdown()
        _KERNEL = None


def build_one(job: Job, donnees: str, root: Path, formats: Sequence[str], fingerprint: str,
              kernel: Any = None) -> ReportOutcome:
    """Execute one report notebook and write its HTML (and Excel annex). Never raises."""
    from cpc_toolkit.render import html, report, xlsx
    from cpc_toolkit.render.accessibility import statement_href
    from cpc_toolkit.render.data import load
    from cpc_toolkit.render.notebook import NotebookFailure, parameterize

    t0 = time.perf_counter()
    name = reference.court_name(job.unit_id)
    outcome = ReportOutcome(job.id, job.kind, job.unit_id, name, "echec", fingerprint)
    try:
        kernel = kernel or _KERNEL
        if kernel is None:
            raise RenderError("Aucun noyau Python disponible pour exécuter le carnet.", ReasonCode.NOTEBOOK_EXECUTION)
        nb = parameterize(job.kind, job.params(donnees))
        kernel.execute(nb)
        rpt = _report_object(report, job, load(donnees))
        outcome.demo = rpt.demo
        if "html" in formats or "pdf" in formats:
            path = job.path(root, "html")
            body = html.export_html(nb, rpt.title(), rpt.demo, rpt.footer(),
                                    a11y_href=statement_href(path, root / str(job.year)))
            atomic_write_bytes(path, body.encode("utf-8"))
            outcome.files["html"] = str(path.relative_to(root / str(job.year)))
        if "xlsx" in formats:
            path = xlsx.write_annex(rpt.tables(), job.path(root, "xlsx"), rpt.title(), rpt.demo)
            outcome.files["xlsx"] = str(path.relative_to(root / str(job.year)))
        outcome.status = "ok"
    except NotebookFailure as exc:
        outcome.cell, outcome.error = exc.cell, exc.error
    except Exception as exc:  # one failing report must not stop the campaign
        outcome.error = f"{type(exc).__name__} : {exc}"
    outcome.seconds = round(time.perf_counter() - t0, 3)
    return outcome


class PapermillRunner:
    """Executes an already parameterised notebook with plain papermill (a fresh kernel each time)."""

    def execute(self, nb: Any) -> Any:
        import papermill
        from papermill.exceptions import PapermillExecutionError

        from cpc_toolkit.render.notebook import CELL_TIMEOUT_S, KERNEL_NAME, NotebookFailure

        try:
            out = papermill.execute_notebook(nb, None, kernel_name=KERNEL_NAME, language="python",
                                             progress_bar=False, request_save_on_cell_execute=False,
                                             execution_timeout=CELL_TIMEOUT_S)
        except PapermillExecutionError as exc:
            raise NotebookFailure(exc.cell_index - 1 if exc.cell_index > 0 else exc.cell_index,
                                  f"{exc.ename} : {exc.evalue}") from exc
        nb.cells = out.cells
        nb.metadata = out.metadata
        return nb


def build_report(kind: str, unit_id: str, year: int, donnees: str | Path | None = None,
                 out_root: str | Path | None = None, formats: Sequence[str] = ("html", "xlsx")) -> ReportOutcome:
    """Build one report with plain papermill (``cpc rapport``); updates the campaign manifest and index."""
    data_root = data_dir(donnees or None).resolve()
    store = Store(data_root)
    if not store.exists():
        raise UsageError(f"Aucune donnée dans « {data_root} » : lancez « cpc demo » ou importez des classeurs.")
    job = Job(kind, unit_id, year)
    root = reports_dir(out_root).resolve()
    want = tuple(f for f in FORMATS if f in formats)
    html_formats = tuple(dict.fromkeys(("html", *[f for f in want if f != "pdf"]))) if "pdf" in want else want
    o = build_one(job, str(data_root), root, html_formats, fingerprints(store, [job])[job.id], PapermillRunner())
    year_dir = root / str(year)
    if "pdf" in want and o.status == "ok":
        _print_pdfs([o], year_dir, None)
    if o.status == "ok":
        result = CampaignResult(year, root, [o], o.seconds)
        _write_manifest(year_dir / MANIFEST, year, result, _read_manifest(year_dir / MANIFEST).get("reports", {}))
        from cpc_toolkit.render.index import write_index

        write_index(year_dir)
    return o


def _report_object(report: Any, job: Job, data: Any) -> Any:
    if job.kind == "clpc":
        return report.ClpcReport(job.unit_id, job.year, data)
    if job.kind == "cour":
        return report.ChefDeCourReport(job.unit_id, job.year, data)
    return report.NationalReport(job.year, data)


def _worker_task(job: Job, donnees: str, root: str, formats: tuple[str, ...], fingerprint: str) -> ReportOutcome:
    return build_one(job, donnees, Path(root), formats, fingerprint)


# ------------------------------------------------------------------------------------ campaign
def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def run_campaign(year: int, donnees: str | Path | None = None, out_root: str | Path | None = None,
                 jobs: int = 2, formats: Sequence[str] = ("html",), force: bool = False,
                 selection: Sequence[Job] | None = None,
                 progress: Callable[[ReportOutcome], None] | None = None) -> CampaignResult:
    """Build the reports of ``year`` (all 206, or ``selection``); return every outcome.

    ``progress`` is called after each report (built, skipped or failed).
    """
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
    todo = list(selection) if selection is not None else plan(year)
    prints = fingerprints(store, todo)
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
    html_formats = tuple(f for f in want if f != "pdf")
    if "pdf" in want and "html" not in html_formats:
        html_formats = ("html", *html_formats)
    if to_build:
        for o in _execute(to_build, str(data_root), root, html_formats, prints, jobs, progress if "pdf" not in want
                          else None):
            outcomes[o.job_id] = o
    if "pdf" in want:
        _print_pdfs([outcomes[j.id] for j in to_build], year_dir, progress)
    ordered = [outcomes[j.id] for j in todo]
    result = CampaignResult(year, root, ordered, round(time.perf_counter() - t0, 2))
    _write_manifest(manifest_path, year, result, previous)
    from cpc_toolkit.render.index import write_index

    write_index(year_dir)
    return result


def _execute(jobs_: list[Job], donnees: str, root: Path, formats: tuple[str, ...], prints: dict[str, str],
             n_jobs: int, progress: Callable[[ReportOutcome], None] | None) -> Iterable[ReportOutcome]:
    env = {"CPC_DONNEES": donnees}
    n_jobs = max(1, min(n_jobs, len(jobs_)))
    if n_jobs == 1:
        _init_worker(env)
        try:
            for job in jobs_:
                o = build_one(job, donnees, root, formats, prints[job.id])
                if progress:
                    progress(o)
                yield o
        finally:
            _shutdown_worker()
        return
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx, initializer=_init_worker,
                             initargs=(env,)) as pool:
        futures = {pool.submit(_worker_task, job, donnees, str(root), formats, prints[job.id]): job for job in jobs_}
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                o = fut.result()
            except Exception as exc:  # a worker died: report it, keep going with the others
                o = ReportOutcome(job.id, job.kind, job.unit_id, reference.court_name(job.unit_id), "echec",
                                  prints[job.id], error=f"processus de rendu interrompu : {exc}")
            if progress:
                progress(o)
            yield o


def _print_pdfs(outcomes: list[ReportOutcome], year_dir: Path,
                progress: Callable[[ReportOutcome], None] | None) -> None:
    from cpc_toolkit.render.pdf import pdf_printer

    ready = [o for o in outcomes if o.status == "ok" and "html" in o.files]
    if ready:
        try:
            with pdf_printer() as printer:
                for o in ready:
                    t0 = time.perf_counter()
                    html_path = year_dir / o.files["html"]
                    try:
                        printer.print(html_path, html_path.with_suffix(".pdf"))
                        o.files["pdf"] = str(Path(o.files["html"]).with_suffix(".pdf"))
                    except RenderError as exc:
                        o.status, o.error = "echec", exc.message
                    o.seconds = round(o.seconds + time.perf_counter() - t0, 3)
                    if progress:
                        progress(o)
        except RenderError as exc:
            for o in ready:
                if "pdf" not in o.files:
                    o.status, o.error = "echec", exc.message
                    if progress:
                        progress(o)
    for o in outcomes:
        if o not in ready and progress:
            progress(o)


def _write_manifest(path: Path, year: int, result: CampaignResult, previous: dict[str, Any]) -> None:
    reports = dict(previous)
    for o in result.outcomes:
        reports[o.job_id] = asdict(o)
    doc = {"annee": year, "toolkit": __version__, "ecrit_le": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
           "duree_s": result.seconds, "reports": reports,
           "echecs": [{"rapport": o.job_id, "juridiction": o.name, "cellule": o.cell, "erreur": o.error}
                      for o in result.failures]}
    atomic_write_bytes(path, json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
