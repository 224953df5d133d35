"""What a report reads: the engine's results and the submission history of one data directory.

Loaded once per process and cached by the store's manifest tag, so a campaign worker executes
report after report without re-reading Parquet. Reports never
read the case registers or the confidential remontées: only store indicators (counts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from cpc_toolkit.compute import results
from cpc_toolkit.errors import ReasonCode, RenderError
from cpc_toolkit.settings import data_dir, load_yaml
from cpc_toolkit.store import Store

__all__ = ["ReportData", "load"]


@dataclass(frozen=True)
class ReportData:
    """Results table, accepted submissions and campaign settings of one data directory."""

    root: Path
    tag: str
    res: pd.DataFrame
    submissions: pd.DataFrame  # accepted (current) submissions only
    deadlines: dict[int, dt.date]
    year_list: tuple[int, ...] = ()

    def demo(self, court_ids: list[str] | None = None) -> bool:
        """True when the data (of these courts) are the synthetic demo data set."""
        subs = self.submissions
        if court_ids is not None:
            subs = subs[subs["court_id"].isin(court_ids)]
        return bool(len(subs)) and bool(subs["demo"].any())

    def years(self) -> list[int]:
        return list(self.year_list)


_CACHE: dict[str, ReportData] = {}


def load(donnees: str | Path | None = None) -> ReportData:
    """The report data of ``donnees`` (``--donnees`` > ``$CPC_DONNEES`` > ``./donnees``), cached."""
    root = data_dir(donnees or None).resolve()
    store = Store(root)
    if not store.exists():
        raise RenderError(f"Aucune donnée dans « {root} » : lancez « cpc demo » ou importez des classeurs.",
                          ReasonCode.NOT_FOUND)
    tag = str(store.manifest().get("tag", ""))
    key = str(root)
    hit = _CACHE.get(key)
    if hit is not None and hit.tag == tag:
        return hit
    subs = store.submissions(include_superseded=False)
    res = results(store)
    data = ReportData(root=root, tag=tag, res=res, submissions=subs.reset_index(drop=True),
                      deadlines=_deadlines(root),
                      year_list=tuple(sorted(int(y) for y in res["year"].unique())))
    _CACHE[key] = data
    return data


def _deadlines(root: Path) -> dict[int, dt.date]:
    """Optional ``<donnees>/campagne.yaml``: ``echeances: {2025: 2026-03-31}`` (transmission deadlines)."""
    path = root / "campagne.yaml"
    if not path.exists():
        return {}
    try:
        raw = load_yaml(path.read_text(encoding="utf-8")) or {}
        return {int(k): dt.date.fromisoformat(str(v)) for k, v in (raw.get("echeances") or {}).items()}
    except (ValueError, yaml.YAMLError, AttributeError) as exc:
        raise RenderError(f"Fichier « {path} » illisible (attendu : echeances: {{2025: 2026-03-31}}).",
                          ReasonCode.FILE_FORMAT) from exc
