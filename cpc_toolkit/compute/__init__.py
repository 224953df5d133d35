"""Indicator engine: derived indicators, consolidation TJ → cour → national, comparisons, alerts.

The engine's output is one long *results* table (see :data:`RESULT_COLUMNS`): every indicator of
every unit (juridiction, cour, national) and year, with value, text, status, NA reason and
coverage. Reports and dashboards only filter this table and draw it.
"""

from cpc_toolkit.compute.engine import (
    RESULT_COLUMNS,
    compute_derived,
    compute_results,
    consolidate,
    results,
    unit_table,
    wide_values,
)

__all__ = [
    "RESULT_COLUMNS",
    "compute_derived",
    "compute_results",
    "consolidate",
    "results",
    "unit_table",
    "wide_values",
]
