"""Helpers for the register tests: hand-built rows in the validated (canonical) form."""

from __future__ import annotations

import pandas as pd
import pytest

from cpc_toolkit.registers.storage import canonical


def rows(register_type: str, records: list[dict]) -> pd.DataFrame:
    """Canonical register rows from a few dicts (missing columns empty)."""
    return canonical(pd.DataFrame(records), register_type)


@pytest.fixture
def make_rows():
    return rows
