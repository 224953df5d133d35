"""Notebook parameters: unknown names are errors, values are checked against the court reference;
the committed notebooks are thin (parameters + calls into the package) and without outputs."""

from __future__ import annotations

import nbformat
import pytest

from cpc_toolkit.errors import CpcError, ReasonCode, RenderError
from cpc_toolkit.render import notebook


@pytest.mark.parametrize("kind", sorted(notebook.KINDS))
def test_notebooks_are_thin_and_committed_without_outputs(kind):
    nb = nbformat.read(notebook.notebook_path(kind), as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
        if cell is not tagged[0]:
            # thin: a call into the package per cell, no logic in the notebook
            assert len([ln for ln in cell.source.splitlines() if ln.strip()]) <= 2, cell.source
            assert "import pandas" not in cell.source and "def " not in cell.source
    assert any(c.cell_type == "markdown" for c in nb.cells)


def test_declared_parameters_come_from_the_parameters_cell():
    assert set(notebook.declared_parameters("clpc")) == {"juridiction", "annee", "donnees"}
    assert set(notebook.declared_parameters("cour")) == {"cour", "annee", "donnees"}
    assert set(notebook.declared_parameters("national")) == {"annee", "donnees"}


def test_unknown_parameter_is_an_error_not_a_warning():
    with pytest.raises(RenderError) as exc:
        notebook.validate_parameters("clpc", {"juridiction": "tj-lyon", "annee": 2025, "juridicton": "x"})
    assert exc.value.reason is ReasonCode.NOTEBOOK_PARAMETER
    assert "juridicton" in exc.value.message


@pytest.mark.parametrize(("kind", "params"), [
    ("clpc", {"juridiction": "tj-atlantide", "annee": 2025}),
    ("clpc", {"juridiction": "ca-lyon", "annee": 2025}),     # a cour is not a CLPC court
    ("cour", {"cour": "tj-lyon", "annee": 2025}),            # a TJ is not a cour
    ("clpc", {"juridiction": "tj-lyon", "annee": "2025; import os"}),
    ("national", {"annee": 1850}),
])
def test_parameter_values_are_validated(kind, params):
    with pytest.raises(CpcError):
        notebook.validate_parameters(kind, params)


def test_parameterize_injects_validated_values_after_the_parameters_cell():
    nb = notebook.parameterize("cour", {"cour": "tsa-saint-pierre", "annee": "2024", "donnees": "/x"})
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    i = next(k for k, t in enumerate(tags) if "parameters" in t)
    assert "injected-parameters" in tags[i + 1]
    src = nb.cells[i + 1].source
    assert 'cour = "tsa-saint-pierre"' in src and "annee = 2024" in src
    assert nb.cells[i + 1]["id"] == "injected-parameters"
