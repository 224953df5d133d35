"""Report notebooks: parameter validation, papermill parameterisation and execution.

The notebooks in ``notebooks/`` are the source of truth; each report kind names its notebook and
its parameters in :mod:`cpc_toolkit.render.kinds`. :func:`run_papermill` is the ONE execution
path: papermill's parameterisation, engine registry, metadata and error check, with

* the ``cpc-en-processus`` engine (:class:`InProcessEngine`, registered in papermill's own engine
  registry) for the campaign workers and ``cpc rapport``: the cells run in the calling process, a
  fresh namespace per report, while imported modules — and the results table cached by
  :mod:`cpc_toolkit.render.data` — stay loaded from one report to the next: no kernel to start
  (≈ 2 s of CPU), no message per output;
* papermill's default engine (one fresh Jupyter kernel per report) for the DACS summary and
  wherever a kernel is wanted. A test proves that both engines give the same HTML.

A failing cell is always a :class:`~cpc_toolkit.errors.RenderError` (``NOTEBOOK_EXECUTION``) whose
``details["cell"]`` is the index of the cell in the committed notebook.
"""

from __future__ import annotations

import ast
import copy
import io
import json
import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
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
    "IN_PROCESS_ENGINE",
    "KINDS",
    "InProcessEngine",
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
IN_PROCESS_ENGINE = "cpc-en-processus"


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
    """Execute a report notebook through papermill's engine registry (validated parameters; default
    engine: a fresh kernel; ``engine=IN_PROCESS_ENGINE``: this process, as the campaign and
    ``cpc rapport`` do). papermill's own metadata and error check apply; its ``execute_notebook``
    is not called because it serialises the notebook (with a schema validation) even when nothing
    is written, ≈ 50 ms per report. Returns the executed notebook, written to ``output_path`` if
    given; raises RenderError (cell index of the committed notebook)."""
    from papermill.exceptions import PapermillExecutionError
    from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors
    from papermill.iorw import write_ipynb

    out_name = str(output_path) if output_path else None
    nb = prepare_notebook_metadata(parameterize(kind, params), str(notebook_path(kind)), out_name)
    injected = next(i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", []))
    try:
        out = papermill_engines.execute_notebook_with_engine(
            engine, nb, kernel_name=KERNEL_NAME, output_path=None, progress_bar=False, log_output=False,
            execution_timeout=CELL_TIMEOUT_S, **engine_kwargs)
        raise_for_execution_errors(out, out_name)
    except PapermillExecutionError as exc:
        cell = exc.cell_index - 1 if exc.cell_index > injected else exc.cell_index
        raise RenderError(f"Échec du carnet « {kinds.kind(kind).notebook} » (cellule {cell}) : "
                          f"{exc.ename} : {exc.evalue}", ReasonCode.NOTEBOOK_EXECUTION,
                          details={"cell": cell, "error": f"{exc.ename} : {exc.evalue}"}) from exc
    except RenderError:
        raise
    except Exception as exc:  # kernel death, start timeout…: one failure type for the caller
        raise RenderError(f"Échec du carnet « {kinds.kind(kind).notebook} » : l'exécution s'est arrêtée "
                          f"({type(exc).__name__} : {exc}).", ReasonCode.NOTEBOOK_EXECUTION,
                          details={"cell": None, "error": f"l'exécution s'est arrêtée ({exc})"}) from exc
    if out_name:
        write_ipynb(out, out_name)
    return out


# ------------------------------------------------------------------------------------ in-process engine
class _CellTimeout(BaseException):
    """Raised in a cell past its time: a BaseException, as KeyboardInterrupt, so that the cell's own
    ``except Exception`` does not swallow it."""


@contextmanager
def _environ(env: dict[str, str] | None) -> Iterator[None]:
    """``env`` set in ``os.environ`` for the run, the previous values put back afterwards."""
    saved = {k: os.environ.get(k) for k in env or {}}
    os.environ.update(env or {})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def _cell_clock(seconds: int) -> Iterator[None]:
    """A cell running longer than ``seconds`` is interrupted (SIGALRM; main thread only, as in
    campaign workers and the CLI)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def ring(_signum: int, _frame: Any) -> None:
        raise _CellTimeout(f"cellule interrompue après {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@cache
def _formatter() -> Any:
    """IPython's display formatter, the one a kernel applies to a cell's value (``_repr_html_``,
    ``_repr_mimebundle_``, text/plain)."""
    from IPython.core.formatters import DisplayFormatter

    return DisplayFormatter()


def _json(value: Any) -> Any:
    """What the value becomes after a kernel message (JSON, NaN refused as jupyter_client does)."""
    return json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))


class _Display:
    """``display(obj, ...)``, as IPython offers it to a notebook: the objects become display_data
    outputs of the running cell."""

    def __init__(self) -> None:
        self.shown: list[Any] = []

    def __call__(self, *objs: Any, **_options: Any) -> None:
        self.shown.extend(objs)


def _bundle(value: Any) -> tuple[NotebookNode, NotebookNode]:
    data, metadata = _formatter().format(value)
    return NotebookNode(_json(data)), NotebookNode(_json(metadata))


def _run_cell(source: str, ns: dict[str, Any], count: int, timeout: int, show: _Display) -> list[NotebookNode]:
    """Execute one code cell in ``ns`` as a kernel would (statements, then the value of a final
    expression displayed), and return its outputs: stdout/stderr streams, what ``display()``
    showed, the ``execute_result``, or the ``error`` output of the exception that stopped it.
    Outputs are built as nbformat nodes directly: ``nbformat.v4.new_output`` would validate each
    against the schema and convert the Excel annex payload (≈ 10 000 values) node by node."""
    out, err = io.StringIO(), io.StringIO()
    show.shown = []
    outputs: list[NotebookNode] = []
    value: Any = None
    failure: BaseException | None = None
    try:
        tree = ast.parse(source, filename=f"<cellule {count}>")
        last = tail if tree.body and isinstance(tail := tree.body[-1], ast.Expr) else None
        if last is not None:
            tree.body.pop()  # the final expression is evaluated apart: its value is the cell's result
        with redirect_stdout(out), redirect_stderr(err), _cell_clock(timeout):
            exec(compile(tree, f"<cellule {count}>", "exec"), ns)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), f"<cellule {count}>", "eval"), ns)
    except (Exception, _CellTimeout) as exc:  # a failing cell, as a kernel reports it
        failure = exc
    for name, buf in (("stdout", out), ("stderr", err)):
        if buf.getvalue():
            outputs.append(NotebookNode(output_type="stream", name=name, text=buf.getvalue()))
    for obj in show.shown:
        data, metadata = _bundle(obj)
        outputs.append(NotebookNode(output_type="display_data", data=data, metadata=metadata))
    if failure is not None:
        ename = "TimeoutError" if isinstance(failure, _CellTimeout) else type(failure).__name__
        outputs.append(NotebookNode(output_type="error", ename=ename, evalue=str(failure),
                                    traceback=traceback.format_exception(failure)))
    elif value is not None:
        data, metadata = _bundle(value)
        outputs.append(NotebookNode(output_type="execute_result", data=data, metadata=metadata,
                                    execution_count=count))
    return outputs


class InProcessEngine(Engine):
    """papermill engine executing the cells in this Python process, in a fresh namespace per
    notebook: no kernel start, no messaging, the imported modules and the results table of
    :mod:`cpc_toolkit.render.data` shared by the reports of a campaign worker. Same outputs as a
    kernel (test: same HTML as papermill's default engine). ``env=`` is set in ``os.environ`` for
    the run; a cell is interrupted after ``execution_timeout`` seconds."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                 stdout_file: Any = None, stderr_file: Any = None, start_timeout: int = 60,
                                 execution_timeout: int | None = None, env: dict[str, str] | None = None,
                                 **kwargs: Any) -> Any:
        import builtins
        import gc

        gc.collect()  # the previous report's garbage; the survivors (modules, data, caches) are then
        gc.freeze()   # out of the collector's reach: its passes scan only what this report creates
        show = _Display()
        ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins, "display": show}
        count = 0
        with _environ(env):
            for index, cell in enumerate(nb_man.nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue  # nbclient skips them too
                nb_man.cell_start(cell, index)
                count += 1
                cell.execution_count = count
                cell.outputs = _run_cell(cell.source, ns, count, execution_timeout or CELL_TIMEOUT_S, show)
                failed = any(o.output_type == "error" for o in cell.outputs)
                if failed:
                    nb_man.cell_exception(cell, cell_index=index)
                nb_man.cell_complete(cell, cell_index=index)
                if failed:
                    break
        return nb_man.nb


papermill_engines.register(IN_PROCESS_ENGINE, InProcessEngine)

