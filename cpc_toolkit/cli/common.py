"""Helpers shared by the CLI commands: output formats, store opening, French tables."""

from __future__ import annotations

import sys

import pandas as pd

from cpc_toolkit.store import Store, open_store


def store_from_env() -> Store:
    """The store of ``--donnees`` / ``$CPC_DONNEES`` / ``./donnees``."""
    return open_store()


def print_frame(df: pd.DataFrame, fmt: str) -> None:
    """Print a table as aligned text (``table``) or CSV (``csv``, UTF-8, comma separated)."""
    if fmt == "csv":
        df.to_csv(sys.stdout, index=False)
        return
    if df.empty:
        print("(aucune ligne)")
        return
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 60):
        print(df.to_string(index=False))
