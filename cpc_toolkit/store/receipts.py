"""Receipts of received files, as far as later stages need them (read-only).

The receipts are written by the collection import (:class:`cpc_toolkit.collect.archive.Archive`) under
``<data directory>/archive/recus/*.jsonl``; this module owns that location so that compute and render
can read back what was said at import time without importing the collection stage.

:func:`confidentiality_warnings` gives the confidentiality warnings (names of persons or companies
suspected in a free text) of the current accepted submissions, so that the report build shows them again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["RECEIPTS_SUBDIR", "WARNING_COLUMNS", "confidentiality_warnings", "iter_receipts"]

RECEIPTS_SUBDIR = Path("archive") / "recus"
WARNING_COLUMNS = ["court_id", "year", "submission_id", "file_name", "sheet", "cell", "indicator", "message",
                   "value"]


def iter_receipts(root: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Every receipt of a data directory, oldest file first (unreadable lines skipped)."""
    folder = Path(root) / RECEIPTS_SUBDIR
    if not folder.is_dir():
        return
    for p in sorted(folder.glob("*.jsonl")):
        try:
            text = p.read_text(encoding="utf-8")
        except OSError:
            continue
        for line in text.splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict):
                yield rec


def confidentiality_warnings(root: str | os.PathLike[str], court_id: str | None = None,
                             year: int | None = None, current_only: bool = True) -> pd.DataFrame:
    """Confidentiality warnings of accepted submissions (one row per warning, :data:`WARNING_COLUMNS`).

    ``current_only`` keeps the submissions still current in the store (a superseded version's
    warnings are not shown again).
    """
    current: set[str] | None = None
    if current_only:
        from cpc_toolkit.store import Store

        store = Store(root)
        subs = store.submissions(include_superseded=False) if store.exists() else pd.DataFrame()
        current = set(subs["submission_id"]) if "submission_id" in subs else set()
    rows = []
    for rec in iter_receipts(root):
        if rec.get("outcome") != "accepted" or not rec.get("submission_id"):
            continue
        if current is not None and rec["submission_id"] not in current:
            continue
        if court_id is not None and rec.get("court_id") != court_id:
            continue
        if year is not None and rec.get("year") != int(year):
            continue
        for p in rec.get("problems") or []:
            if p.get("reason") == "confidential" and p.get("level") != "erreur":
                rows.append({"court_id": rec.get("court_id"), "year": rec.get("year"),
                             "submission_id": rec.get("submission_id"), "file_name": rec.get("file_name"),
                             "sheet": p.get("sheet"), "cell": p.get("cell"), "indicator": p.get("indicator"),
                             "message": p.get("message"), "value": p.get("value")})
    return pd.DataFrame(rows, columns=WARNING_COLUMNS).drop_duplicates(
        subset=["submission_id", "sheet", "cell", "message"]).reset_index(drop=True)
