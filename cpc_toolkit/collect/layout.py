"""Shared layout of the collection workbook: defined names, sheet names, status codes, limits.

The workbook is generated from the catalogue (:mod:`cpc_toolkit.catalogue`); this module only
holds what is specific to the Excel container. The import locates every cell through the
workbook-level defined names declared here, never through positions.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache

from cpc_toolkit import catalogue

# identity cells (workbook-level defined names)
NAME_COURT = "cpc_juridiction"
NAME_COUR = "cpc_cour"
NAME_YEAR = "cpc_annee"
NAME_TEMPLATE = "cpc_modele"
IDENTITY_NAMES = (NAME_COURT, NAME_COUR, NAME_YEAR, NAME_TEMPLATE)
# the status cell of an input carries the name "<indicator id>__statut"
STATUS_SUFFIX = "__statut"

README_SHEET = "Lisez-moi"
CHECKS_SHEET = "Contrôles"
LISTS_SHEET = "Compte rendu"

# status codes a user may type beside a value (the store's statuses, same codes)
STATUS_CODES = {k: v for k, v in catalogue.STATUS_LABELS.items() if k != "ok"}  # labels: presentation.yaml
BOOLEAN_WORDS = {"oui": 1.0, "non": 0.0}

TEXT_MAX_CHARS = 2000
LIST_CELL_MAX_CHARS = 300
FILE_NAME_PATTERN = re.compile(r"^clpc_(?P<year>\d{4})_(?P<court>[a-z0-9-]+)(?:[ _.(].*)?$")
FORMULA_PREFIXES = ("=", "+", "-", "@")

DATE_FORMAT = "DD/MM/YYYY"


def status_name(indicator_id: str) -> str:
    """Defined name of the status cell of an input indicator."""
    return indicator_id + STATUS_SUFFIX


def file_name(court_id: str, year: int) -> str:
    """Canonical file name of a court's workbook: ``clpc_<annee>_<court_id>.xlsx``."""
    return f"clpc_{year}_{court_id}.xlsx"


@cache
def template_version() -> str:
    """A short fingerprint of what the workbook depends on in the catalogue (inputs and checks)."""
    h = hashlib.sha256()
    for ind in catalogue.input_indicators():
        h.update(repr((ind.id, ind.sheet, ind.unit, ind.required, ind.min, ind.max)).encode())
    for chk in catalogue.checks():
        h.update(repr((chk.id, chk.rule, chk.level)).encode())
    for spec in catalogue.lists():
        h.update(repr((spec.id, spec.rows, tuple((c.id, c.kind) for c in spec.columns))).encode())
    return "cpc-" + h.hexdigest()[:12]


def input_sheets() -> list[tuple[str, list[catalogue.Indicator]]]:
    """Input indicators grouped by sheet, in catalogue family order."""
    order = [f.sheet for f in catalogue.families()]
    by_sheet: dict[str, list[catalogue.Indicator]] = {}
    for ind in catalogue.input_indicators():
        by_sheet.setdefault(ind.sheet, []).append(ind)
    return [(s, by_sheet[s]) for s in order if s in by_sheet]


def effective_bounds(ind: catalogue.Indicator) -> tuple[float | None, float | None]:
    """Lower / upper bounds of an input (percentages are capped at 100 even without ``max``)."""
    lo, hi = ind.min, ind.max
    if ind.unit == "percent":
        lo = 0.0 if lo is None else lo
        hi = 100.0 if hi is None else min(hi, 100.0)
    return lo, hi
