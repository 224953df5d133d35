"""Report notebooks: parameter validation, papermill parameterisation and execution.

The notebooks in ``notebooks/`` are the source of truth; each report kind names its notebook and
its parameters in :mod:`cpc_toolkit.render.kinds`. :func:`run_papermill` is the ONE execution
path: ``papermill.execute_notebook`` with

* the default engine (one fresh kernel per report) for ``cpc rapport`` and the DACS summary;
* the ``cpc-noyau-chaud`` engine (:class:`WarmKernelEngine`, registered in papermill's own engine
  registry) for the campaign: one long-lived :class:`WarmKernel` per worker executes the reports
  one after another; the kernel's user namespace is reset (``%reset -f``) before each report, while
  imported modules — and the results table cached by :mod:`cpc_toolkit.render.data` — stay loaded.
  A test proves that both engines give the same HTML.

A failing cell is always a :class:`~cpc_toolkit.errors.RenderError` (``NOTEBOOK_EXECUTION``) whose
``details["cell"]`` is the index of the cell in the committed notebook.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from papermill.engines import Engine, papermill_engines

from cpc_toolkit.errors import ReasonCode, RenderError
from cpc_toolkit.render import kinds
from cpc_toolkit.render.kinds import ENV_NOTEBOOKS, notebook_path, notebooks_dir

__all__ = [
    "ENV_NOTEBOOKS",
    "KINDS",
    "WARM_ENGINE",
    "WarmKernel",
    "WarmKernelEngine",
    "declared_parameters",
    "load_notebook",
    "notebook_path",
    "notebooks_dir",
    "parameterize",
    "run_papermill",
    "validate_parameters",
]

KINDS = {k.id: k.notebook for k in kinds.KINDS.values()}  # derived from the registry (kind → notebook file)
KERNEL_NAME = "python3"
CELL_TIMEOUT_S = 600
WARM_ENGINE = "cpc-noyau-chaud"


def load_notebook(kind: str) -> NotebookNode:
    """The report notebook (a fresh copy)."""
    path = notebook_path(kind)
    return copy.deepcopy(_load(path, path.stat().st_mtime_ns))


@cache
def _load(path: Path, _mtime: int) -> NotebookNode:
    from papermill.iorw import load_notebook_node  # ensures metadata.tags on every cell, as papermill does

    return load_notebook_node(str(path))


@cache
def _declared(path: Path, _mtime: int) -> dict[str, Any]:
    import papermill

    return dict(papermill.inspect_notebook(str(path)))


def declared_parameters(kind: str) -> dict[str, Any]:
    """Parameters declared in the notebook's ``parameters`` cell (papermill's inspection)."""
    path = notebook_path(kind)
    return _declared(path, path.stat().st_mtime_ns)


def validate_parameters(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Check names against the kind's declaration and the notebook (unknown = error, not papermill's
    warning), values with the kind's checks; return the normalised parameters."""
    spec = kinds.kind(kind)
    declared = declared_parameters(kind)
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise RenderError(
            f"Paramètre(s) inconnu(s) pour le carnet « {spec.notebook} » : {', '.join(unknown)} "
            f"(paramètres admis : {', '.join(declared)}).", ReasonCode.NOTEBOOK_PARAMETER)
    return spec.validate(params)


def parameterize(kind: str, params: dict[str, Any]) -> NotebookNode:
    """Validated parameters injected by papermill (``injected-parameters`` cell after ``parameters``)."""
    from papermill.parameterize import parameterize_notebook

    params = validate_parameters(kind, params)
    nb = parameterize_notebook(load_notebook(kind), params, kernel_name=KERNEL_NAME, language="python")
    for cell in nb.cells:  # deterministic ids (papermill draws a random one for the injected cell)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    return nb


def run_papermill(kind: str, params: dict[str, Any], output_path: Path | None = None,
                  engine: str | None = None, **engine_kwargs: Any) -> NotebookNode:
    """Execute a report notebook with ``papermill.execute_notebook`` (validated parameters; default
    engine: a fresh kernel; ``engine=WARM_ENGINE, kernel=WarmKernel(...)``: the campaign's warm
    kernel). Returns the executed notebook; raises RenderError (cell index of the committed notebook)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    nb = parameterize(kind, params)
    injected = next(i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", []))
    try:
        out = papermill.execute_notebook(
            nb, str(output_path) if output_path else None, engine_name=engine, kernel_name=KERNEL_NAME,
            language="python", progress_bar=False, log_output=False, request_save_on_cell_execute=False,
            execution_timeout=CELL_TIMEOUT_S, **engine_kwargs)
    except PapermillExecutionError as exc:
        cell = exc.cell_index - 1 if exc.cell_index > injected else exc.cell_index
        raise RenderError(f"Échec du carnet « {kinds.kind(kind).notebook} » (cellule {cell}) : "
                          f"{exc.ename} : {exc.evalue}", ReasonCode.NOTEBOOK_EXECUTION,
                          details={"cell": cell, "error": f"{exc.ename} : {exc.evalue}"}) from exc
    except RenderError:
        raise
    except Exception as exc:  # kernel death, start timeout…: one failure type for the caller
        raise RenderError(f"Échec du carnet « {kinds.kind(kind).notebook} » : le noyau Python s'est arrêté "
                          f"({type(exc).__name__} : {exc}).", ReasonCode.NOTEBOOK_EXECUTION,
                          details={"cell": None, "error": f"le noyau Python s'est arrêté ({exc})"}) from exc
    return out


# ------------------------------------------------------------------------------------ warm kernel engine
class WarmKernel:
    """A long-lived kernel (IPC transport, private folder) that executes notebooks one after another."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        from jupyter_client.manager import KernelManager

        self._env = {**os.environ, **(env or {})}
        # IPC sockets under a private folder: no TCP port races between workers, nothing on the network
        self._ipc_dir = tempfile.mkdtemp(prefix="cpc-noyau-")
        self.km = KernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=os.path.join(self._ipc_dir, "k"))
        self.km.start_kernel(env=self._env)
        self.runs = 0
        self._kc: Any = None

    def client(self) -> Any:
        """The kernel's one client, connected and ready once, then reused by every report (each
        nbclient run only reads the replies to its own messages)."""
        if self._kc is None:
            kc = self.km.client()
            kc.start_channels()
            try:
                kc.wait_for_ready(timeout=60)
            except RuntimeError:
                kc.stop_channels()
                raise
            kc.allow_stdin = False
            self._kc = kc
        return self._kc

    def drop_client(self) -> None:
        """Forget the client (after an error: the next report connects afresh)."""
        if self._kc is not None:
            self._kc.stop_channels()
            self._kc = None

    def restart(self) -> None:
        self.drop_client()
        self.km.restart_kernel(now=True, newports=True)

    def shutdown(self) -> None:
        try:
            self.drop_client()
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=True)
        finally:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)

    def __enter__(self) -> WarmKernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


#: Run in the warm kernel before each notebook: the previous notebook's names are dropped, its
#: cyclic garbage collected, then the survivors (modules, the loaded store, caches) are frozen out of
#: the garbage collector's reach (``gc.freeze``): its later passes scan only what the new report
#: creates, not the ~140 000 objects of pandas, plotly and the data (≈ 20 % of a CLPC report's time
#: in the kernel, see benchmarks/campagne.py section 5). Garbage is collected before each freeze,
#: so nothing collectable is frozen.
RESET_CODE = ("get_ipython().run_line_magic('reset', '-f')\n"
              "import gc as _cpc_gc\n_cpc_gc.collect()\n_cpc_gc.freeze()\ndel _cpc_gc")


class WarmKernelEngine(Engine):
    """papermill engine executing the notebook in a :class:`WarmKernel` passed as ``kernel=``:
    papermill's own cell bookkeeping (``NotebookExecutionManager``), nbclient's cell execution, the
    namespace reset first; the kernel is left running for the next report."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                 stdout_file: Any = None, stderr_file: Any = None, start_timeout: int = 60,
                                 execution_timeout: int | None = None, kernel: WarmKernel | None = None,
                                 **kwargs: Any) -> Any:
        from nbclient.exceptions import CellExecutionError, DeadKernelError
        from papermill.clientwrap import PapermillNotebookClient

        if kernel is None:
            raise RenderError("Aucun noyau Python disponible pour exécuter le carnet.", ReasonCode.NOTEBOOK_EXECUTION)
        client = PapermillNotebookClient(nb_man, km=kernel.km, timeout=execution_timeout or CELL_TIMEOUT_S,
                                         startup_timeout=start_timeout, kernel_name=kernel_name,
                                         allow_errors=False, record_timing=False, store_widget_state=False)
        client.reset_execution_trackers()
        client.kc = kernel.client()  # nbclient's setup_kernel then neither connects nor waits
        done = False
        try:
            with client.setup_kernel():
                # namespace reset, outside the notebook (execute_cell would write into nb.cells)
                msg_id = client.kc.execute(RESET_CODE, silent=True, store_history=False)
                client.wait_for_reply(msg_id)
                for index, cell in enumerate(nb_man.nb.cells):
                    try:
                        nb_man.cell_start(cell, index)
                        client.execute_cell(cell, index)
                    except CellExecutionError as ex:
                        nb_man.cell_exception(nb_man.nb.cells[index], cell_index=index, exception=ex)
                        break
                    finally:
                        nb_man.cell_complete(nb_man.nb.cells[index], cell_index=index)
            done = True
        except DeadKernelError:
            kernel.restart()
            raise
        finally:
            client.kc = None  # the kernel and its client outlive this report
            if not done:
                kernel.drop_client()
        kernel.runs += 1
        return nb_man.nb


papermill_engines.register(WARM_ENGINE, WarmKernelEngine)

