"""Runtime settings: data directory, output root, demo label."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

DEFAULT_DATA_DIR = "donnees"
DEFAULT_REPORTS_DIR = "reports"
ENV_DATA_DIR = "CPC_DONNEES"
ENV_REPORTS_DIR = "CPC_RAPPORTS"
# Printed on every output built from the synthetic demo data (« Données fictives »).
DEMO_LABEL = "Données fictives — générées par cpc_toolkit pour démonstration, sans valeur statistique"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the data directory: explicit argument > $CPC_DONNEES > ./donnees."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_DATA_DIR)
    return Path(env) if env else Path(DEFAULT_DATA_DIR)


def reports_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the reports output root: explicit argument > $CPC_RAPPORTS > ./reports."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_REPORTS_DIR)
    return Path(env) if env else Path(DEFAULT_REPORTS_DIR)


def load_yaml(text: str) -> Any:
    """Parse YAML safely, with libyaml's C loader when available (≈ 10× faster than pure Python)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
