"""Case-level registers (mesures de protection, procédures, ordonnances de protection) and the
confidential register of remontées d'information. Individual rows never leave this stage except
through `cpc registre echeances` (court's internal use) and the DACS remontées channel
(`procedures_over_threshold`)."""

from __future__ import annotations

from typing import Any

from cpc_toolkit.registers.schema import REGISTER_TYPES

__all__ = ["OVER_THRESHOLD_COLUMNS", "REGISTER_TYPES", "procedures_over_threshold"]


def __getattr__(name: str) -> Any:  # PEP 562: pandas-backed names load on first use (light `cpc` start)
    if name in ("OVER_THRESHOLD_COLUMNS", "procedures_over_threshold"):
        from cpc_toolkit.registers import procedures

        return getattr(procedures, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
