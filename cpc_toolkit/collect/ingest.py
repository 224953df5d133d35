"""Validated import of collection workbooks: archive, validate, accept or reject each file whole.

Order of operations for a batch (``import_files``):

1. every file is read and archived byte for byte (:class:`~cpc_toolkit.collect.archive.Archive`);
2. bytes already imported (same sha256 in the store's submissions, or twice in the batch) are a
   no-op (outcome ``duplicate``);
3. each remaining file is read and validated (in worker processes for large batches), then the
   batch checks run (cross-field consistency, outliers against the store's history and peers);
4. the accepted files are committed to the store in ONE ``Store.write`` (one atomic manifest
   swap: a crash or ``kill -9`` leaves the store as before or after the batch, never between);
   rejected files change nothing in the store and get an error report (xlsx);
5. a receipt is written for every file (one receipts file per batch).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypedDict, Unpack

import pandas as pd
from tqdm import tqdm

from cpc_toolkit.collect.archive import Archive, display_name, sha256
from cpc_toolkit.collect.checks import batch_problems
from cpc_toolkit.collect.problems import HasProblems, Problem, write_error_report
from cpc_toolkit.collect.reader import ParsedFile, parse_workbook
from cpc_toolkit.collect.safety import require_defusedxml
from cpc_toolkit.errors import ReasonCode, UsageError
from cpc_toolkit.safeopen import die_with_parent
from cpc_toolkit.store import Store, SubmissionRecord
from cpc_toolkit.store.oserrors import storage_errors

__all__ = ["CHANNEL", "FileOutcome", "collect_paths", "import_bytes", "import_files", "parsed_values"]

CHANNEL = "classeur"
PARALLEL_MIN_FILES = 12
_IGNORED = re.compile(r"^(~\$|\.~lock|\.)")


@dataclass(frozen=True)
class FileOutcome(HasProblems):
    """What happened to one received file."""

    name: str
    sha256: str
    outcome: str  # accepted | rejected | duplicate
    problems: tuple[Problem, ...] = ()
    court_id: str | None = None
    year: int | None = None
    submission_id: str | None = None
    error_report: Path | None = None
    archive_path: Path | None = None
    receipt: Path | None = None


def collect_paths(items: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files to import: the given files, and the files directly inside given folders (sorted)."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out.extend(sorted(c for c in p.iterdir() if c.is_file() and not _IGNORED.match(c.name)))
        elif p.is_file():
            out.append(p)
        else:
            raise UsageError(f"Fichier introuvable : « {display_name(p)} ».", ReasonCode.NOT_FOUND)
    if not out:
        raise UsageError("Aucun fichier à importer.", ReasonCode.NOT_FOUND)
    return out


def parsed_values(parsed: ParsedFile) -> pd.DataFrame:
    return pd.DataFrame(list(parsed.values), columns=["indicator_id", "value", "text", "status"])


def _parse_job(args: tuple[bytes, str, str | None, int | None, dt.date | None]) -> ParsedFile:
    data, name, court, year, today = args
    return parse_workbook(data, name, expected_court=court, expected_year=year, today=today)


def _parse_all(jobs_args: list[tuple[bytes, str, str | None, int | None, dt.date | None]], jobs: int,
               progress: bool | None) -> list[ParsedFile]:
    bar = tqdm(total=len(jobs_args), desc="Validation des classeurs", unit="classeur", file=sys.stderr,
               disable=(not sys.stderr.isatty()) if progress is None else not progress, leave=False)
    try:
        if jobs > 1 and len(jobs_args) >= PARALLEL_MIN_FILES:
            ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() \
                else None
            out: list[ParsedFile] = []
            with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init) as pool:
                for res in pool.map(_parse_job, jobs_args, chunksize=4):
                    out.append(res)
                    bar.update()
            return out
        res_list = []
        for a in jobs_args:
            res_list.append(_parse_job(a))
            bar.update()
        return res_list
    finally:
        bar.close()


_NOTHING = "Rien n'a été importé : le magasin de données est inchangé."


def _worker_init() -> None:
    """Validation workers die with the importer (``kill -9`` of ``cpc importer`` leaves no orphan)."""
    die_with_parent()


def _report_name(name: str, digest: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(name).stem)[:80] or "classeur"
    return f"{stem}_erreurs_{digest[:8]}.xlsx"


class ImportOptions(TypedDict, total=False):
    """The keyword arguments of :func:`import_bytes`, passed on by :func:`import_files`."""

    expected_court: str | None
    expected_year: int | None
    demo: bool
    jobs: int | None
    progress: bool | None
    report_dir: Path | None
    error_reports: bool
    today: dt.date | None


def import_bytes(files: Sequence[tuple[str, bytes]], store: Store, *, expected_court: str | None = None,
                 expected_year: int | None = None, demo: bool = False, jobs: int | None = None,
                 progress: bool | None = None, report_dir: Path | None = None, error_reports: bool = True,
                 today: dt.date | None = None) -> list[FileOutcome]:
    """Import received files given as (name, bytes); see the module docstring for the steps."""
    require_defusedxml()
    archive = Archive(store.root)
    known = set(store.submissions()["sha256"]) if store.exists() else set()
    seen: set[str] = set()
    digests: list[str] = []
    kept: list[Path] = []
    with storage_errors(store.root, "l'archive des fichiers reçus", _NOTHING):
        for name, data in files:
            digest = sha256(data)
            digests.append(digest)
            kept.append(archive.keep(data, name, digest, durable=len(files) == 1))
        if len(files) > 1:
            archive.sync()
    to_parse: list[int] = []
    for i, digest in enumerate(digests):
        if digest in known or digest in seen:
            continue
        seen.add(digest)
        to_parse.append(i)
    jobs = jobs or min(os.cpu_count() or 1, 2)
    parsed_list = _parse_all([(files[i][1], files[i][0], expected_court, expected_year, today) for i in to_parse],
                             jobs, progress)
    history = store.values() if store.exists() else None
    parsed_list = batch_problems(parsed_list, history)
    parsed = dict(zip(to_parse, parsed_list, strict=True))
    accepted = [i for i in to_parse if parsed[i].ok]
    records = [SubmissionRecord(court_id=str(parsed[i].court_id), year=int(parsed[i].year or 0), channel=CHANNEL,
                                values=parsed_values(parsed[i]), sha256=digests[i], file_name=files[i][0],
                                n_warnings=len(parsed[i].warnings), demo=demo) for i in accepted]
    with storage_errors(store.root, "le magasin de données", _NOTHING):
        sids = dict(zip(accepted, store.write(records), strict=True)) if records else {}
    after = ("Les classeurs acceptés sont enregistrés ; relancez l'import des mêmes fichiers une fois la place "
             "libérée pour obtenir reçus et rapports (sans effet sur les données).") if records else _NOTHING
    outcomes: list[FileOutcome] = []
    receipts: list[dict[str, object]] = []
    report_dir = Path(report_dir) if report_dir else archive.reports_dir
    for i, (name, data) in enumerate(files):
        digest = digests[i]
        if i not in parsed:
            dup = Problem(file=name, level="avertissement", reason=ReasonCode.DUPLICATE_FILE, rule="fichier nouveau",
                          message="Ce fichier (mêmes octets) a déjà été reçu : import sans effet.")
            out = FileOutcome(name=name, sha256=digest, outcome="duplicate", problems=(dup,), archive_path=kept[i])
        else:
            p = parsed[i]
            report = None
            if not p.ok and error_reports:
                with storage_errors(store.root, "le rapport d'erreurs", after):
                    report = write_error_report(report_dir / _report_name(name, digest), list(p.problems), data,
                                                name, demo=demo)
            out = FileOutcome(name=name, sha256=digest, outcome="accepted" if p.ok else "rejected",
                              problems=p.problems, court_id=p.court_id, year=p.year, submission_id=sids.get(i),
                              error_report=report, archive_path=kept[i])
        receipts.append({
            "file_name": name, "size": len(data), "sha256": digest, "outcome": out.outcome,
            "court_id": out.court_id, "year": out.year, "submission_id": out.submission_id,
            "n_errors": len(out.errors), "n_warnings": len(out.warnings),
            "archive_path": str(kept[i].relative_to(store.root)),
            "error_report": str(out.error_report) if out.error_report else None,
            "problems": [{"level": x.level, "sheet": x.sheet, "cell": x.cell, "indicator": x.indicator,
                          "value": x.value, "rule": x.rule, "message": x.message, "reason": x.reason.value}
                         for x in out.problems],
        })
        outcomes.append(out)
    with storage_errors(store.root, "les reçus", after):
        path = archive.write_receipts(receipts)
    outcomes = [replace(o, receipt=path) for o in outcomes]
    return outcomes


def import_files(paths: Iterable[str | os.PathLike[str]], store: Store,
                 **kwargs: Unpack[ImportOptions]) -> list[FileOutcome]:
    """Import workbooks from paths (files or folders); keyword arguments as :func:`import_bytes`."""
    files = []
    for p in collect_paths(paths):
        try:
            files.append((display_name(p.name), p.read_bytes()))
        except OSError as exc:
            raise UsageError(f"Impossible de lire « {display_name(p)} » : {exc.strerror or exc}.",
                             ReasonCode.NOT_FOUND) from exc
    return import_bytes(files, store, **kwargs)
