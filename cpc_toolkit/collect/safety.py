"""Collecte's side of the shared safe-open kernel (:mod:`cpc_toolkit.safeopen`).

Refuses, with a located French message and before any spreadsheet library parses the file: empty or
oversized files, encrypted (OLE2/CFB container) workbooks, legacy ``.xls``, ``.ods``, ``.csv`` and
other non-xlsx files, macro-enabled workbooks, truncated or corrupt zips, duplicate zip members, zip
bombs, XML with DTD / entity declarations anywhere in a member, and sheets whose declared or real
extent (rows, columns, cells) is absurd. openpyxl itself is only ever used with defusedxml.
"""

from __future__ import annotations

from cpc_toolkit.collect.problems import Problem
from cpc_toolkit.safeopen import WORKBOOK_LIMITS, Issue, Limits, inspect, require_defusedxml

__all__ = ["MAX_FILE_BYTES", "MAX_UNCOMPRESSED_BYTES", "inspect_bytes", "issue_problem", "require_defusedxml"]

MAX_FILE_BYTES = WORKBOOK_LIMITS.max_file_bytes
MAX_UNCOMPRESSED_BYTES = WORKBOOK_LIMITS.max_uncompressed_bytes


def issue_problem(name: str, issue: Issue) -> Problem:
    sheet = issue.member if issue.rule in ("dimensions de feuille", "nombre de cellules") else None
    return Problem(file=name, message=issue.message, reason=issue.reason, rule=issue.rule, sheet=sheet)


def inspect_bytes(data: bytes, name: str, limits: Limits = WORKBOOK_LIMITS) -> list[Problem]:
    """Problems that forbid opening the file (empty list: safe to hand to openpyxl)."""
    return [issue_problem(name, i) for i in inspect(data, name, limits)]
