"""Report notebooks: parameter validation, papermill parameterisation and execution.

The notebooks in ``notebooks/`` are the source of truth. Two ways to execute them:

* :func:`run_papermill` — a plain ``papermill.execute_notebook`` (one fresh kernel per report);
  used by ``cpc rapport`` for a single report and as the reference in tests;
* :class:`WarmKernel` — one long-lived kernel that executes many parameterised notebooks in
  turn (the campaign keeps one per worker). The notebook is parameterised by papermill exactly
  as above; the kernel's user namespace is reset (``%reset -f``) before each report, while
  imported modules — and the results table cached by :mod:`cpc_toolkit.render.data` — stay
  loaded. A test proves that both ways give the same HTML.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from cpc_toolkit import reference, settings
from cpc_toolkit.errors import ReasonCode, RenderError

__all__ = [
    "KINDS",
    "NotebookFailure",
    "WarmKernel",
    "load_notebook",
    "notebook_path",
    "notebooks_dir",
    "parameterize",
    "run_papermill",
    "validate_parameters",
]

KINDS = {"clpc": "rapport_clpc.ipynb", "cour": "rapport_chef_de_cour.ipynb", "national": "rapport_national.ipynb",
         "remontees": "rapport_remontees.ipynb"}  # remontees: DACS-only summary (annee 0 / cour "" = all)
ENV_NOTEBOOKS = settings.ENV_NOTEBOOKS
KERNEL_NAME = "python3"
CELL_TIMEOUT_S = 600
MIN_YEAR, MAX_YEAR = 2000, 2100


def notebooks_dir() -> Path:
    """``$CPC_NOTEBOOKS`` or the shipped notebooks (:func:`cpc_toolkit.settings.notebooks_dir`)."""
    return settings.notebooks_dir()


def notebook_path(kind: str) -> Path:
    if kind not in KINDS:
        raise RenderError(f"Type de rapport inconnu : « {kind} » (attendus : {', '.join(KINDS)}).",
                          ReasonCode.USAGE)
    path = notebooks_dir() / KINDS[kind]
    if not path.exists():
        raise RenderError(f"Carnet de rapport introuvable : {path}.", ReasonCode.NOT_FOUND)
    return path


def load_notebook(kind: str) -> NotebookNode:
    """The report notebook (a fresh copy)."""
    return copy.deepcopy(_load(notebook_path(kind), notebook_path(kind).stat().st_mtime_ns))


@cache
def _load(path: Path, _mtime: int) -> NotebookNode:
    from papermill.iorw import load_notebook_node  # ensures metadata.tags on every cell, as papermill does

    return load_notebook_node(str(path))


@cache
def _declared(path: Path, _mtime: int) -> dict[str, Any]:
    import papermill

    return papermill.inspect_notebook(str(path))


def declared_parameters(kind: str) -> dict[str, Any]:
    """Parameters declared in the notebook's ``parameters`` cell (papermill's inspection)."""
    path = notebook_path(kind)
    return _declared(path, path.stat().st_mtime_ns)


def validate_parameters(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Check names against the notebook (unknown = error, not papermill's warning) and values
    against the court reference; return the normalised parameters."""
    declared = declared_parameters(kind)
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise RenderError(
            f"Paramètre(s) inconnu(s) pour le carnet « {KINDS[kind]} » : {', '.join(unknown)} "
            f"(paramètres admis : {', '.join(declared)}).", ReasonCode.NOTEBOOK_PARAMETER)
    out = dict(params)
    if "annee" in out:
        try:
            year = int(out["annee"])
        except (TypeError, ValueError) as exc:
            raise RenderError(f"Année invalide : « {out['annee']} ».", ReasonCode.NOTEBOOK_PARAMETER) from exc
        every_year = kind == "remontees" and year == 0
        if not (every_year or MIN_YEAR <= year <= MAX_YEAR) or str(year) != str(out["annee"]).strip():
            raise RenderError(f"Année invalide : « {out['annee']} ».", ReasonCode.NOTEBOOK_PARAMETER)
        out["annee"] = year
    if kind == "clpc":
        if "juridiction" not in out:
            raise RenderError("Paramètre « juridiction » manquant.", ReasonCode.NOTEBOOK_PARAMETER)
        reference.validate_scope(str(out["juridiction"]), "juridiction")
    if kind == "cour":
        if "cour" not in out:
            raise RenderError("Paramètre « cour » manquant.", ReasonCode.NOTEBOOK_PARAMETER)
        reference.validate_scope(str(out["cour"]), "cour")
    if kind == "remontees" and out.get("cour"):
        reference.validate_scope(str(out["cour"]), "cour")
    if "donnees" in out:
        out["donnees"] = str(out["donnees"])
    return out


def parameterize(kind: str, params: dict[str, Any]) -> NotebookNode:
    """Validated parameters injected by papermill (``injected-parameters`` cell after ``parameters``)."""
    from papermill.parameterize import parameterize_notebook

    params = validate_parameters(kind, params)
    nb = parameterize_notebook(load_notebook(kind), params, kernel_name=KERNEL_NAME, language="python")
    for cell in nb.cells:  # deterministic ids (papermill draws a random one for the injected cell)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    return nb


def run_papermill(kind: str, params: dict[str, Any], output_path: Path | None = None) -> NotebookNode:
    """Plain papermill execution in a fresh kernel (the reference path). Raises RenderError."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    params = validate_parameters(kind, params)
    out = str(output_path) if output_path else "-"
    try:
        nb = papermill.execute_notebook(
            str(notebook_path(kind)), out if output_path else None, parameters=params,
            kernel_name=KERNEL_NAME, language="python", progress_bar=False, log_output=False,
            request_save_on_cell_execute=False, execution_timeout=CELL_TIMEOUT_S)
    except PapermillExecutionError as exc:
        cell = exc.cell_index - 1 if exc.cell_index > 0 else exc.cell_index  # injected-parameters cell
        raise RenderError(f"Échec du carnet « {KINDS[kind]} » (cellule {cell}) : "
                          f"{exc.ename} : {exc.evalue}", ReasonCode.NOTEBOOK_EXECUTION,
                          details={"cell": cell, "error": f"{exc.ename}: {exc.evalue}"}) from exc
    return nb


@dataclass
class NotebookFailure(Exception):
    """A cell failed while executing a report notebook."""

    cell: int
    error: str
    traceback: str = ""

    def __str__(self) -> str:
        return f"cellule {self.cell} : {self.error}"


class WarmKernel:
    """A long-lived kernel that executes parameterised notebooks one after another."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        from jupyter_client.manager import KernelManager
        from nbclient import NotebookClient

        self._env = {**os.environ, **(env or {})}
        # IPC sockets under a private folder: no TCP port races between workers, nothing on the network
        self._ipc_dir = tempfile.mkdtemp(prefix="cpc-noyau-")
        self.km = KernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=os.path.join(self._ipc_dir, "k"))
        self.km.start_kernel(env=self._env)
        self.client = NotebookClient(nbformat.v4.new_notebook(), km=self.km, timeout=CELL_TIMEOUT_S,
                                     kernel_name=KERNEL_NAME, allow_errors=False, record_timing=False,
                                     store_widget_state=False)
        self.runs = 0

    def execute(self, nb: NotebookNode) -> NotebookNode:
        """Execute every code cell of ``nb`` in place (namespace reset first); return ``nb``."""
        from nbclient.exceptions import CellExecutionError, DeadKernelError

        self.client.nb = nb
        self.client.reset_execution_trackers()
        try:
            with self.client.setup_kernel():
                # namespace reset, outside the notebook (execute_cell would write into nb.cells)
                kc = self.client.kc
                if kc is None:
                    raise RenderError("Noyau Jupyter non démarré.", ReasonCode.RENDER)
                msg_id = kc.execute("get_ipython().run_line_magic('reset', '-f')", silent=True,
                                     store_history=False)
                self.client.wait_for_reply(msg_id)
                n = 0
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type != "code":
                        continue
                    n += 1
                    try:
                        self.client.execute_cell(cell, index, execution_count=n)
                    except CellExecutionError as exc:
                        raise NotebookFailure(source_index(nb, index), f"{exc.ename} : {exc.evalue}",
                                              str(exc)) from exc
        except DeadKernelError as exc:
            self.restart()
            raise NotebookFailure(-1, f"le noyau Python s'est arrêté ({exc})") from exc
        self.runs += 1
        nb.metadata["cpc"] = {"executed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        return nb

    def restart(self) -> None:
        self.client.kc = None
        self.km.restart_kernel(now=True, newports=True)

    def shutdown(self) -> None:
        try:
            if self.client.kc is not None:
                self.client.kc.stop_channels()
        finally:
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=True)
            shutil.rmtree(self._ipc_dir, ignore_errors=True)

    def __enter__(self) -> WarmKernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def source_index(nb: NotebookNode, index: int) -> int:
    """Index of a cell in the committed notebook (the injected-parameters cell does not count)."""
    injected = [i for i, c in enumerate(nb.cells) if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    return index - sum(1 for i in injected if i < index)


def failure_from_notebook(nb: NotebookNode) -> NotebookFailure | None:
    """The first error output of an executed notebook, if any."""
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return NotebookFailure(index, f"{out.get('ename')} : {out.get('evalue')}")
    return None
