"""Indicator engine: derived indicators, consolidation TJ → cour → national, comparisons, alerts.

The engine's output is one long *results* table (see :data:`RESULT_COLUMNS`): every indicator of
every unit (juridiction, cour, national) and year, with value, text, status, NA reason and
coverage. Reports, dashboards and the CLI read it through one lookup API (:mod:`.lookup`:
:func:`value`, :func:`text`, :func:`status`, :func:`level_values`, :func:`values_by_unit`) or
the per-unit functions below, all indexed and cached per results object, and draw it.
"""

from cpc_toolkit.compute.alerts import (
    ALERT_COLUMNS,
    AlertConfig,
    AlertRule,
    alerts,
    builtin_alert_config,
    load_alert_config,
    parse_alert_config,
    rules_frame,
)
from cpc_toolkit.compute.compare import (
    SIZE_LABELS,
    CourtsWhere,
    changes,
    courts_where,
    coverage,
    display_unit,
    like_for_like,
    positions,
    reporting_counts,
    reporting_courts,
    series,
    size_classes,
)
from cpc_toolkit.compute.engine import (
    RESULT_COLUMNS,
    compute_derived,
    compute_results,
    consolidate,
    results,
    unit_table,
    wide_values,
)
from cpc_toolkit.compute.lookup import (
    ResultsIndex,
    frame_memo,
    level_values,
    results_index,
    status,
    text,
    value,
    values_by_unit,
)
from cpc_toolkit.compute.narrative import (
    EQUIVALENT_INDICATORS,
    PRIORITY_FAMILIES,
    FaitMarquant,
    courts_where_sentence,
    faits_marquants,
    idea_of,
)

__all__ = [
    "ALERT_COLUMNS",
    "EQUIVALENT_INDICATORS",
    "PRIORITY_FAMILIES",
    "RESULT_COLUMNS",
    "SIZE_LABELS",
    "AlertConfig",
    "AlertRule",
    "CourtsWhere",
    "FaitMarquant",
    "ResultsIndex",
    "alerts",
    "builtin_alert_config",
    "changes",
    "compute_derived",
    "compute_results",
    "consolidate",
    "courts_where",
    "courts_where_sentence",
    "coverage",
    "display_unit",
    "faits_marquants",
    "frame_memo",
    "idea_of",
    "level_values",
    "like_for_like",
    "load_alert_config",
    "parse_alert_config",
    "positions",
    "reporting_counts",
    "reporting_courts",
    "results",
    "results_index",
    "rules_frame",
    "series",
    "size_classes",
    "status",
    "text",
    "unit_table",
    "value",
    "values_by_unit",
    "wide_values",
]
