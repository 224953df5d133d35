"""Demo through the real path: the demo submissions are written as workbooks, then imported."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import cast

from tqdm import tqdm

from cpc_toolkit.collect import layout
from cpc_toolkit.collect.ingest import FileOutcome, import_files
from cpc_toolkit.collect.workbook import FastFiller
from cpc_toolkit.demo import generate_inputs
from cpc_toolkit.errors import ReasonCode, StoreError
from cpc_toolkit.store import Store

__all__ = ["import_demo_workbooks", "write_demo_workbooks"]


def write_demo_workbooks(seed: int, folder: Path, progress: bool | None = None) -> list[Path]:
    """Write one filled demo workbook per demo court-year into ``folder`` (« Données fictives »)."""
    df = generate_inputs(seed)
    cols = ["indicator_id", "value", "text", "status"]
    Path(folder).mkdir(parents=True, exist_ok=True)
    groups = list(df.groupby(["court_id", "year"], sort=True))
    fillers: dict[int, FastFiller] = {}
    out: list[Path] = []
    for (court_id, year), grp in tqdm(groups, desc="Classeurs de démonstration", unit="classeur", file=sys.stderr,
                                      disable=(not sys.stderr.isatty()) if progress is None else not progress,
                                      leave=False):
        y = int(cast(int, year))
        filler = fillers.get(y) or fillers.setdefault(y, FastFiller(y, demo=True))
        path = Path(folder) / layout.file_name(str(court_id), y)
        path.write_bytes(filler.fill(str(court_id), grp[cols].reset_index(drop=True)))
        out.append(path)
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
