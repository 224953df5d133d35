"""Shared fixtures. The demo store is built once per test worker (direct write, no workbooks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpc_toolkit.store import Store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A store filled with the calibrated demo inputs (seed 2025). Treat as read-only."""
    from cpc_toolkit.cli.demo import write_demo

    root = tmp_path_factory.mktemp("demo_donnees")
    store = Store(root)
    write_demo(store, 2025)
    return store


@pytest.fixture(scope="session")
def demo_results(demo_store: Store):
    """Engine results (all units, all years) over the demo store."""
    from cpc_toolkit.compute import results

    return results(demo_store)
