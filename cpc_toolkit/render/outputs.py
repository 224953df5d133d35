"""Output files of a report, derived from the executed notebook and the values it exported.

The report is built once, where the notebook executes. Its last cell (tagged ``remove``) displays
:class:`Exported`: a hidden output of type :data:`MIMETYPE` holding the title, the demo flag, the
footer and the annex tables (raw values, each cell's unit). The writers below turn the executed
notebook and that export into bytes, one per output format of :data:`cpc_toolkit.render.kinds.FORMATS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
from nbformat import NotebookNode

from cpc_toolkit.errors import ReasonCode, RenderError
from cpc_toolkit.render.sections import table_payload
from cpc_toolkit.render.tables import Table

if TYPE_CHECKING:
    from cpc_toolkit.render.report import Report

__all__ = ["MIMETYPE", "Exported", "exported", "html_bytes", "xlsx_bytes"]

MIMETYPE = "application/vnd.cpc.rapport+json"


class _CellUnits(Table):
    """A table whose cells carry their own unit (rebuilt from an export)."""

    def __init__(self, frame: pd.DataFrame, cell_units: list[list[str | None]]) -> None:
        super().__init__(frame)
        self._units = {(i, c): cell_units[i][j] for i in range(len(frame)) for j, c in enumerate(frame.columns)}

    def unit_of(self, row: Mapping[str, Any], column: str) -> str | None:
        return self._units.get((int(row["__row"]), column)) if "__row" in row else None


def table_from_payload(payload: Mapping[str, Any]) -> Table:
    cols = list(payload["columns"])
    frame = pd.DataFrame([list(r) for r in payload["rows"]], columns=cols, dtype=object)
    table = _CellUnits(frame, [list(u) for u in payload["units"]])
    table.frame = frame.assign(__row=range(len(frame)))
    return table


@dataclass(frozen=True)
class Exported:
    """What the output writers need from a built report."""

    title: str
    demo: bool
    footer: str
    annex: tuple[tuple[str, dict[str, Any]], ...]

    @staticmethod
    def of(report: Report) -> Exported:
        return Exported(report.title, report.demo, report.footer,
                        tuple((name, table_payload(t)) for name, t in report.annex().items()))

    def payload(self) -> dict[str, Any]:
        return {"title": self.title, "demo": self.demo, "footer": self.footer,
                "annex": [{"name": n, **p} for n, p in self.annex]}

    @staticmethod
    def from_payload(p: Mapping[str, Any]) -> Exported:
        return Exported(str(p["title"]), bool(p["demo"]), str(p["footer"]),
                        tuple((str(s["name"]), {k: s[k] for k in ("columns", "rows", "units")}) for s in p["annex"]))

    def tables(self) -> dict[str, Table]:
        return {name: table_from_payload(p) for name, p in self.annex}

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {MIMETYPE: self.payload(), "text/plain": ""}


def exported(nb: NotebookNode) -> Exported:
    """The export of an executed report notebook (French error if its export cell is missing)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if MIMETYPE in data:
                return Exported.from_payload(data[MIMETYPE])
    raise RenderError("Le carnet n'a pas exporté son rapport (cellule « rapport.export() » absente).",
                      ReasonCode.NOTEBOOK_EXECUTION)


# ------------------------------------------------------------------------------------ writers
def html_bytes(nb: NotebookNode, ex: Exported, plotly_src: str | None = None) -> bytes:
    """The report page; ``plotly_src``: folder (relative URL) of the shared plotly.js, else embedded."""
    from cpc_toolkit.render.accessibility import STATEMENT_FILE
    from cpc_toolkit.render.html import export_html

    # every report lives in <annee>/<dossier du type>/ (kinds.subdir); the statement in <annee>/
    return export_html(nb, ex.title, ex.demo, ex.footer, plotly_src=plotly_src,
                       a11y_href=f"../{STATEMENT_FILE}").encode("utf-8")


def xlsx_bytes(nb: NotebookNode, ex: Exported) -> bytes:
    from cpc_toolkit.render.xlsx import annex_bytes

    return annex_bytes(ex.tables(), ex.title, ex.demo)

