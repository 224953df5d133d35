"""Commands of this stage (registered by cpc_toolkit.cli.main)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add this stage's sub-commands (none yet)."""
