"""The report-kind registry is the one description of each kind: notebook, parameters, sections,
formats; the CLI, the campaign, the index and papermill's engine registry read it."""

from __future__ import annotations

import re

import nbformat
import pytest
from papermill.engines import papermill_engines

from cpc_toolkit.errors import RenderError
from cpc_toolkit.render import campaign, index, kinds, notebook, report


@pytest.mark.parametrize("kind", sorted(kinds.KINDS))
def test_declared_parameters_are_the_notebook_parameters(kind):
    spec = kinds.KINDS[kind]
    assert set(spec.param_names()) == set(notebook.declared_parameters(kind))
    assert kinds.notebook_path(kind).name == spec.notebook and set(spec.formats) <= set(kinds.FORMATS)


@pytest.mark.parametrize("kind", sorted(report.BUILDERS))
def test_notebook_shows_every_declared_section_once_in_order(kind):
    nb = nbformat.read(kinds.notebook_path(kind), as_version=4)
    shown = [m.group(1) for c in nb.cells if c.cell_type == "code"
             for m in [re.fullmatch(r'rapport\.section\("(\w+)"\)', c.source.strip())] if m]
    assert shown == [sid for sid, _ in kinds.KINDS[kind].sections]
    assert set(report.BUILDERS[kind].sections) | {"annexe"} == set(shown)
    export = [c for c in nb.cells if "rapport.export()" in c.source]
    assert len(export) == 1 and "remove" in export[0].metadata.get("tags", [])


def test_campaign_plan_manifest_paths_and_index_follow_the_registry(tmp_path):
    jobs = campaign.plan(2025)
    by_kind = {k.id: len(k.units()) for k in kinds.campaign_kinds()}
    assert [j.kind for j in jobs] == [k for k, n in by_kind.items() for _ in range(n)]
    assert by_kind == {"national": 1, "cour": 37, "clpc": 168}
    assert "remontees" not in by_kind  # the DACS summary is never part of a campaign
    job = campaign.Job("cour", "ca-lyon", 2025)
    assert job.id == "cours/ca-lyon" and job.path(tmp_path, "xlsx") == tmp_path / "2025" / "cours" / "ca-lyon.xlsx"
    assert job.params("/d") == {"annee": 2025, "donnees": "/d", "cour": "ca-lyon"}
    assert [k for k, _ in index.SECTIONS] == list(by_kind)
    assert set(index.FORMAT_LABELS) == set(kinds.FORMATS) == set(campaign.FORMATS)


def test_unknown_kind_and_missing_parameter_are_french_errors():
    with pytest.raises(RenderError, match="Type de rapport inconnu"):
        kinds.kind("trimestriel")
    with pytest.raises(RenderError, match="« annee » manquant"):
        kinds.kind("clpc").validate({"juridiction": "tj-lyon"})
    assert kinds.kind("remontees").validate({"annee": "0", "cour": ""}) == {"annee": 0, "cour": ""}


def test_in_process_engine_is_in_papermills_own_registry():
    assert papermill_engines.get_engine(notebook.IN_PROCESS_ENGINE) is notebook.InProcessEngine


def test_the_cli_offers_one_option_per_campaign_kind(capsys):
    from cpc_toolkit.cli.main import main

    try:  # the French parser prints the help and exits 0 (or returns 0)
        rc = main(["rapport", "--help"])
    except SystemExit as exc:
        rc = exc.code
    assert rc in (0, None)
    out = capsys.readouterr().out
    for k in kinds.campaign_kinds():
        assert f"--{k.cli_flag}" in out
