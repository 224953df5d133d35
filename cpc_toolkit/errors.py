"""One exception hierarchy for the whole toolkit.

Every error carries a machine-readable reason code and, where it makes sense, a location
(file, sheet, cell) so that a greffier can find and fix the problem. Messages are French.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ReasonCode(StrEnum):
    """Stable reason codes (English identifiers, French messages elsewhere)."""

    # generic / usage
    USAGE = "usage"
    UNKNOWN_COURT = "unknown_court"
    UNKNOWN_INDICATOR = "unknown_indicator"
    UNKNOWN_YEAR = "unknown_year"
    NOT_FOUND = "not_found"
    # catalogue
    CATALOGUE_INVALID = "catalogue_invalid"
    FORMULA_INVALID = "formula_invalid"
    # store
    STORE_CORRUPT = "store_corrupt"
    STORE_LOCKED = "store_locked"
    # collect / validation
    FILE_UNREADABLE = "file_unreadable"
    FILE_FORMAT = "file_format"
    FILE_ENCRYPTED = "file_encrypted"
    FILE_MACROS = "file_macros"
    FILE_TOO_LARGE = "file_too_large"
    SHEET_MISSING = "sheet_missing"
    NAME_MISSING = "defined_name_missing"
    WRONG_COURT = "wrong_court"
    WRONG_YEAR = "wrong_year"
    REQUIRED = "required"
    TYPE_NUMBER = "type_number"
    TYPE_INTEGER = "type_integer"
    TYPE_DATE = "type_date"
    TYPE_BOOLEAN = "type_boolean"
    TYPE_TEXT = "type_text"
    RANGE = "range"
    DATE_FUTURE = "date_future"
    TEXT_TOO_LONG = "text_too_long"
    FORMULA_NO_CACHE = "formula_no_cached_value"
    CONSISTENCY = "consistency"
    OUTLIER = "outlier"
    # compute
    DIVISION_BY_ZERO = "division_by_zero"
    MISSING_INPUT = "missing_input"
    # render
    NOTEBOOK_PARAMETER = "notebook_parameter"
    NOTEBOOK_EXECUTION = "notebook_execution"
    RENDER = "render"
    # dashboard
    SECURITY = "security"
    # confidentiality
    CONFIDENTIAL = "confidential"
    # alerts (compute)
    ALERT_CONFIG = "alert_config"
    # collect (workbook import)
    STATUS_INVALID = "status_invalid"
    TEMPLATE_VERSION = "template_version"
    DUPLICATE_FILE = "duplicate_file"
    # hardening (issue 11)
    DUPLICATE_MEMBER = "duplicate_zip_member"
    HIDDEN_SHEET = "hidden_sheet_values"
    NAME_MISPLACED = "defined_name_misplaced"
    SHARED_CELL = "cell_shared_by_indicators"
    FORMULA_MISMATCH = "formula_cached_value_mismatch"
    IMPLAUSIBLE = "implausible_value"
    ENCODING = "encoding"
    DATE_PARTIAL = "date_partial"
    DISK_FULL = "disk_full"
    READ_ONLY = "read_only"


@dataclass(frozen=True)
class Location:
    """Where a problem is, as the user sees it (A1 cell notation, 1-based rows)."""

    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(f"fichier « {self.file} »")
        if self.sheet:
            parts.append(f"feuille « {self.sheet} »")
        if self.cell:
            parts.append(f"cellule {self.cell}")
        if self.row is not None and not self.cell:
            parts.append(f"ligne {self.row}")
        if self.column and not self.cell:
            parts.append(f"colonne « {self.column} »")
        return ", ".join(parts)


@dataclass
class CpcError(Exception):
    """Base error: a French message, a reason code and an optional location."""

    message: str
    reason: ReasonCode = ReasonCode.USAGE
    location: Location | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        where = f" ({self.location})" if self.location and str(self.location) else ""
        return f"{self.message}{where} [{self.reason.value}]"


class UsageError(CpcError):
    """Bad command-line or API arguments (exit code 2)."""


class ReferenceDataError(CpcError):
    """Unknown court, cour or département."""


class CatalogueError(CpcError):
    """The indicator catalogue is invalid or an indicator id is unknown."""


class StoreError(CpcError):
    """The data store cannot be read or written."""


class ValidationError(CpcError):
    """A submitted file is rejected; ``problems`` lists every problem found (lazy validation)."""

    problems: list[Any]

    def __init__(self, message: str, problems: list[Any], location: Location | None = None,
                 reason: ReasonCode = ReasonCode.FILE_FORMAT) -> None:
        super().__init__(message=message, reason=reason, location=location)
        self.problems = problems


class ComputeError(CpcError):
    """An indicator cannot be computed."""


class RegisterError(CpcError):
    """A case register is invalid."""


class RenderError(CpcError):
    """A report or notebook cannot be built."""


class DashboardError(CpcError):
    """The dashboard server refuses to start (e.g. insecure binding)."""
