"""Demo through the real path: the demo submissions are written as workbooks, then imported."""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from cpc_toolkit.collect import layout
from cpc_toolkit.collect.ingest import FileOutcome, import_files
from cpc_toolkit.collect.workbook import build_workbook, workbook_bytes
from cpc_toolkit.demo import generate_inputs
from cpc_toolkit.errors import ReasonCode, StoreError
from cpc_toolkit.store import Store

__all__ = ["import_demo_workbooks", "write_demo_workbooks"]


def _write_one(args: tuple[str, int, pd.DataFrame, str]) -> str:
    court_id, year, values, folder = args
    path = Path(folder) / layout.file_name(court_id, year)
    path.write_bytes(workbook_bytes(build_workbook(court_id, year, values, demo=True)))
    return str(path)


def write_demo_workbooks(seed: int, folder: Path, jobs: int | None = None,
                         progress: bool | None = None) -> list[Path]:
    """Write one filled demo workbook per demo court-year into ``folder``."""
    df = generate_inputs(seed)
    cols = ["indicator_id", "value", "text", "status"]
    work = [(str(c), int(y), g[cols].reset_index(drop=True), str(folder))
            for (c, y), g in df.groupby(["court_id", "year"], sort=True)]
    Path(folder).mkdir(parents=True, exist_ok=True)
    jobs = jobs or min(os.cpu_count() or 1, 2)
    bar = tqdm(total=len(work), desc="Classeurs de démonstration", unit="classeur", file=sys.stderr,
               disable=(not sys.stderr.isatty()) if progress is None else not progress, leave=False)
    out: list[Path] = []
    try:
        if jobs > 1:
            ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() \
                else None
            with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
                for p in pool.map(_write_one, work, chunksize=8):
                    out.append(Path(p))
                    bar.update()
        else:
            for w in work:
                out.append(Path(_write_one(w)))
                bar.update()
    finally:
        bar.close()
    return out


def import_demo_workbooks(store: Store, seed: int, progress: bool | None = None) -> list[FileOutcome]:
    """Write the demo workbooks to a temporary folder and import them through ``import_files``.

    The files themselves stay in the archive (``<donnees>/archive/fichiers``), byte for byte.
    """
    with tempfile.TemporaryDirectory(prefix="cpc-demo-classeurs-") as tmp:
        paths = write_demo_workbooks(seed, Path(tmp), progress=progress)
        outcomes = import_files(paths, store, demo=True, progress=progress, error_reports=True)
    rejected = [o for o in outcomes if o.outcome == "rejected"]
    if rejected:
        first = rejected[0]
        raise StoreError(f"{len(rejected)} classeur(s) de démonstration refusé(s), par exemple « {first.name} » : "
                         f"{first.errors[0].message if first.errors else ''}", ReasonCode.CONSISTENCY)
    return outcomes
