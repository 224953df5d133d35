"""Process start-up helpers that keep heavy, unused imports out of every toolkit process."""

from __future__ import annotations

import sys

__all__ = ["skip_iri_grammars"]


def skip_iri_grammars() -> None:
    """Keep jsonschema (imported by nbformat for reports and dashboards) from importing ``rfc3987_syntax``.

    That module compiles ~35 Lark grammars at import (≈2 s of CPU per process, docs: stack notes §1.3)
    for IRI format checks the toolkit never uses; marked absent, jsonschema skips those checkers. The
    GPL ``rfc3987`` is not an option. No effect when jsonschema is already imported. Called by the CLI,
    by :mod:`cpc_toolkit.render` (campaign workers, report kernels) and by the dashboard kernels.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None marks a module absent (import system)
