"""cpc_toolkit — suivi de la politique civile (circulaire CIV/06/2025 du 27 juin 2025).

Stages (dependencies flow one way, top to bottom):
reference → catalogue → store → collect → compute → registers → render → dashboard → cli
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
