"""Runtime settings: data directory, output root, demo label, where the shipped files are."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DEFAULT_DATA_DIR = "donnees"
DEFAULT_REPORTS_DIR = "reports"
ENV_DATA_DIR = "CPC_DONNEES"
ENV_REPORTS_DIR = "CPC_RAPPORTS"
ENV_NOTEBOOKS = "CPC_NOTEBOOKS"
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


def shipped_dir(name: str) -> Path:
    """A folder of files shipped with the package (``notebooks``, ``data_templates``).

    In the repository these folders sit at its root; the wheel ships them inside the package
    (``cpc_toolkit/<name>``, setuptools ``package-dir`` in pyproject.toml). The installed copy is looked
    up first with :mod:`importlib.resources`, then the root of the source checkout (editable install,
    ``PYTHONPATH``).
    """
    installed = resources.files("cpc_toolkit") / name
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[1] / name


def notebooks_dir() -> Path:
    """The report and dashboard notebooks: ``$CPC_NOTEBOOKS`` or the shipped ``notebooks`` folder."""
    env = os.environ.get(ENV_NOTEBOOKS)
    return Path(env) if env else shipped_dir("notebooks")
