"""Where the confidential DACS channel lives (``<donnees>/confidentiel``).

Owner-only folders and files (0700 / 0600, atomic writes) come from the package's one file helper,
:mod:`cpc_toolkit.files`.
"""

from __future__ import annotations

from pathlib import Path

CONFIDENTIAL_DIR = "confidentiel"


def confidential_root(donnees: Path) -> Path:
    """``<donnees>/confidentiel`` — the only place where DACS data and outputs live."""
    return Path(donnees) / CONFIDENTIAL_DIR
