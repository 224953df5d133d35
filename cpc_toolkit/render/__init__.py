"""Rendering: figures and tables (package functions), papermill notebooks, HTML/PDF/Excel outputs."""

from cpc_toolkit.lean import skip_iri_grammars

# every render process (CLI, campaign worker, report kernel of papermill's default engine) imports this package before nbformat
skip_iri_grammars()
