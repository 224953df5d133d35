"""papermill's in-process engine (the campaign's and ``cpc rapport``'s): outputs as a kernel gives them,
a fresh namespace per notebook, the environment put back, a failing or endless cell reported."""

from __future__ import annotations

import os

import nbformat
import pytest
from papermill.engines import papermill_engines
from papermill.exceptions import PapermillExecutionError
from papermill.execute import raise_for_execution_errors

from cpc_toolkit.render import notebook


def _run(*sources: str, **kwargs):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": notebook.KERNEL_NAME, "language": "python", "display_name": "Python 3"}
    nb.metadata["papermill"] = {}  # as papermill's notebook loader leaves it
    return papermill_engines.execute_notebook_with_engine(notebook.IN_PROCESS_ENGINE, nb,
                                                          kernel_name=notebook.KERNEL_NAME, progress_bar=False,
                                                          **kwargs)


def test_outputs_are_those_of_a_kernel():
    out = _run("x = 2\nprint('bonjour')\nx * 21", "y = x", "", "import sys\nprint('alerte', file=sys.stderr)",
               "class Riche:\n    def _repr_html_(self):\n        return '<b>gras</b>'\nRiche()",
               "print('avant')\ndisplay(Riche(), 7)")
    first, assign, blank, err, rich, shown = out.cells
    assert [o.output_type for o in first.outputs] == ["stream", "execute_result"]
    assert first.outputs[0].text == "bonjour\n" and first.outputs[1].data == {"text/plain": "42"}
    assert first.execution_count == 1 and first.outputs[1].execution_count == 1
    assert assign.outputs == [] and assign.execution_count == 2
    assert blank.execution_count is None  # an empty cell is not executed (nbclient does the same)
    assert err.outputs[0].name == "stderr" and err.outputs[0].text == "alerte\n"
    assert rich.outputs[0].data["text/html"] == "<b>gras</b>" and rich.execution_count == 4
    assert [o.output_type for o in shown.outputs] == ["stream", "display_data", "display_data"]
    assert shown.outputs[1].data["text/html"] == "<b>gras</b>" and shown.outputs[2].data == {"text/plain": "7"}


def test_each_notebook_has_a_fresh_namespace_and_the_environment_is_put_back(monkeypatch):
    monkeypatch.delenv("CPC_ESSAI", raising=False)
    _run("secret = 1")
    seen = _run("import os\n(os.environ['CPC_ESSAI'], 'secret' in globals(), __name__)", env={"CPC_ESSAI": "oui"})
    assert seen.cells[0].outputs[0].data["text/plain"] == "('oui', False, '__main__')"
    assert "CPC_ESSAI" not in os.environ


def test_a_failing_cell_stops_the_notebook_with_papermills_error():
    out = _run("a = 1", "1 / 0", "b = 2")
    assert out.cells[1].outputs[-1].output_type == "error" and out.cells[1].outputs[-1].ename == "ZeroDivisionError"
    assert out.cells[1].metadata.papermill["exception"] is True and out.cells[2].execution_count is None
    with pytest.raises(PapermillExecutionError) as exc:
        raise_for_execution_errors(out, None)
    assert exc.value.cell_index == 1


def test_an_endless_cell_is_interrupted():
    # the cell's own `except Exception` does not swallow the interruption (the cell would end quietly)
    out = _run("import time\nend = time.monotonic() + 30\ntry:\n    while time.monotonic() < end:\n        pass\n"
               "except Exception:\n    pass", "fin = 1", execution_timeout=1)
    err = out.cells[0].outputs[-1]
    assert err.ename == "TimeoutError" and "1 s" in err.evalue and out.cells[1].execution_count is None
