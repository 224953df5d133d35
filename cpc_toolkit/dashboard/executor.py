"""The notebook executor of ``cpc tableau-de-bord``: preheated kernels never expire, failures in French.

A preheated Voilà kernel runs the dashboard notebook *before* anyone visits and then waits for
its visitor inside a cell (``voila.utils.wait_for_request``). Voilà's per-cell timeout counted
that wait: every preheated kernel turned into « Cell execution timed out… » 120 s after it was
filled. Here the waiting cell (tagged :data:`WAIT_TAG`) has no timeout, and every other cell keeps
the server's cell timeout, so a hung computation still ends. Timeouts and cell errors are shown
as a French message with a retry link (the reload gets a fresh kernel), never Voilà's English
instructions.
"""

from __future__ import annotations

from typing import Any

from voila.execute import VoilaExecutor

from cpc_toolkit.dashboard.markup import error_html

__all__ = ["WAIT_TAG", "CpcExecutor", "failure_output", "install"]

#: tag of the notebook cell where a preheated kernel waits for its visitor
WAIT_TAG = "cpc-attente-visiteur"
TIMEOUT_MESSAGE = ("Le tableau de bord a mis trop de temps à s'afficher (serveur très chargé). "
                   "L'incident a été consigné dans le journal du serveur.")
ERROR_MESSAGE = ("Une erreur est survenue pendant l'affichage du tableau de bord. Le détail a été consigné "
                 "dans le journal du serveur ; si le problème persiste, contactez l'administrateur des données.")


def failure_output(message: str) -> dict[str, Any]:
    """A display output with a French message and a retry link (what the visitor sees on failure)."""
    return {"output_type": "display_data", "metadata": {}, "data": {"text/html": error_html(message),
                                                                     "text/plain": message}}


def _tags(cell: Any) -> list[str]:
    return list((cell.get("metadata") or {}).get("tags") or [])


class CpcExecutor(VoilaExecutor):
    """``VoilaExecutor`` without a timeout on the visitor-waiting cell, with French failures."""

    def _get_timeout(self, cell: Any) -> int | None:
        if cell is not None and WAIT_TAG in _tags(cell):
            return None
        return super()._get_timeout(cell)

    def show_code_cell_timeout(self, cell: Any) -> None:
        cell["outputs"] = [failure_output(TIMEOUT_MESSAGE)]

    def strip_code_cell_errors(self, cell: Any) -> Any:
        if cell["cell_type"] != "code":
            return cell
        outputs = cell["outputs"]
        if any(o["output_type"] == "error" for o in outputs):
            cell["outputs"] = [o for o in outputs if o["output_type"] != "error"] + [failure_output(ERROR_MESSAGE)]
        return cell


def install() -> None:
    """Make Voilà's notebook renderer use :class:`CpcExecutor` (server process only)."""
    import voila.notebook_renderer as renderer

    renderer.VoilaExecutor = CpcExecutor
