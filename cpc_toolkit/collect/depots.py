"""Submission history and completeness (which of the 168 courts have submitted a workbook)."""

from __future__ import annotations

import pandas as pd

from cpc_toolkit import reference
from cpc_toolkit.collect.archive import Archive
from cpc_toolkit.store import Store

__all__ = ["completeness", "rejections", "versions"]

CHANNEL = "classeur"


def versions(store: Store, court_id: str | None = None, year: int | None = None,
             cour: str | None = None) -> pd.DataFrame:
    """Every accepted workbook version (current and superseded), newest last."""
    subs = store.submissions() if store.exists() else pd.DataFrame(
        columns=["submission_id", "court_id", "year", "channel", "version", "sha256", "file_name", "received_at",
                 "status", "n_values", "n_warnings", "demo"])
    subs = subs[subs["channel"] == CHANNEL]
    if court_id is not None:
        reference.court(court_id)
        subs = subs[subs["court_id"] == court_id]
    if cour is not None:
        subs = subs[subs["court_id"].isin(reference.courts_of_cour(cour))]
    if year is not None:
        subs = subs[subs["year"] == year]
    return subs.sort_values(["court_id", "year", "version"], kind="stable").reset_index(drop=True)


def completeness(store: Store, year: int, cour: str | None = None) -> pd.DataFrame:
    """One row per expected court (the 168 TJ/TPI, or those of one cour): submitted or not."""
    courts = reference.first_instance_courts(cour)
    subs = versions(store, year=year, cour=cour)
    cur = subs[subs["status"] == "accepted"].set_index("court_id")
    n_versions = subs.groupby("court_id").size()
    out = pd.DataFrame({
        "court_id": courts["court_id"].to_numpy(),
        "name": courts["name"].to_numpy(),
        "cour": courts["parent_ca_id"].to_numpy(),
    })
    out["submitted"] = out["court_id"].isin(cur.index)
    out["version"] = out["court_id"].map(n_versions).fillna(0).astype(int)
    out["received_at"] = out["court_id"].map(cur["received_at"]) if len(cur) else None
    out["file_name"] = out["court_id"].map(cur["file_name"]) if len(cur) else None
    return out.sort_values(["submitted", "cour", "court_id"], kind="stable").reset_index(drop=True)


def rejections(store: Store, court_id: str | None = None, year: int | None = None) -> pd.DataFrame:
    """Receipts of rejected files (from the archive)."""
    rec = Archive(store.root).receipts()
    rec = rec[rec["outcome"] == "rejected"]
    if court_id is not None:
        rec = rec[rec["court_id"] == court_id]
    if year is not None:
        rec = rec[rec["year"] == year]
    return rec.reset_index(drop=True)
