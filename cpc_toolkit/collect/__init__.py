"""Collecte: Excel collection workbooks and their validated import (nothing lost).

Public API:

- :func:`build_workbook`, :func:`workbook_bytes`, :func:`write_workbooks`,
  :func:`write_blank_template` — workbooks generated from the catalogue;
- :func:`parse_workbook` — read and validate one workbook's bytes (problems, never exceptions);
- :func:`import_files` / :func:`import_bytes` — archive, validate, accept or reject each file whole,
  commit the accepted ones to the store in one atomic write, write receipts and error reports;
- :class:`Archive` — received files and receipts; :func:`versions`, :func:`completeness` — history
  and which courts have submitted;
- :class:`Problem`, :func:`problems_frame`, :func:`error_report_bytes` — the problem table.
"""

from cpc_toolkit.collect.archive import Archive
from cpc_toolkit.collect.depots import completeness, rejections, versions
from cpc_toolkit.collect.ingest import CHANNEL, FileOutcome, collect_paths, import_bytes, import_files
from cpc_toolkit.collect.layout import file_name, template_version
from cpc_toolkit.collect.problems import Problem, error_report_bytes, problems_frame
from cpc_toolkit.collect.reader import ParsedFile, parse_workbook
from cpc_toolkit.collect.workbook import (
    blank_template_path,
    build_workbook,
    set_safe_value,
    workbook_bytes,
    write_blank_template,
    write_workbooks,
)

__all__ = [
    "CHANNEL",
    "Archive",
    "FileOutcome",
    "ParsedFile",
    "Problem",
    "blank_template_path",
    "build_workbook",
    "collect_paths",
    "completeness",
    "error_report_bytes",
    "file_name",
    "import_bytes",
    "import_files",
    "parse_workbook",
    "problems_frame",
    "rejections",
    "set_safe_value",
    "template_version",
    "versions",
    "workbook_bytes",
    "write_blank_template",
    "write_workbooks",
]
