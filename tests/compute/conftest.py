"""Hand-made store rows for the engine tests (no demo generator involved)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest


def rows(court_id: str, year: int, values: dict[str, float | str | None],
         statuses: dict[str, str] | None = None) -> list[dict]:
    """Store-shaped rows: numbers go to ``value``, strings to ``text``; None → status NA."""
    out = []
    for iid, v in values.items():
        status = "ok"
        if v is None:
            status = "NA"
        out.append({"court_id": court_id, "year": year, "indicator_id": iid,
                    "value": float(v) if isinstance(v, int | float) else math.nan,
                    "text": v if isinstance(v, str) else "", "status": status,
                    "submission_id": f"{court_id}:{year}:test"})
    for iid, st in (statuses or {}).items():
        out.append({"court_id": court_id, "year": year, "indicator_id": iid, "value": math.nan, "text": "",
                    "status": st, "submission_id": f"{court_id}:{year}:test"})
    return out


def frame(*parts: list[dict]) -> pd.DataFrame:
    data = [r for p in parts for r in p]
    df = pd.DataFrame(data)
    df["year"] = df["year"].astype("int32")
    return df


def value_of(res: pd.DataFrame, unit: str, year: int, iid: str) -> pd.Series:
    sub = res[(res["unit_id"] == unit) & (res["year"] == year) & (res["indicator_id"] == iid)]
    assert len(sub) == 1, (unit, year, iid, len(sub))
    return sub.iloc[0]


@pytest.fixture(scope="session")
def hand() -> SimpleNamespace:
    """Helpers: ``hand.rows(court, year, {id: value}, statuses)``, ``hand.frame(*rows)``,
    ``hand.value_of(res, unit, year, id)``."""
    return SimpleNamespace(rows=rows, frame=frame, value_of=value_of)
