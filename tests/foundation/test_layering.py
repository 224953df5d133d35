"""Dependencies flow one way: a stage never imports a later stage.

The confidential DACS channel (``remontees``) is its own stage, downstream of rendering
(it renders the DACS fiches) and upstream of nothing that the public outputs use.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "cpc_toolkit"
# base utilities first, then the stages in data-flow order
ORDER = ["errors", "fr", "settings", "safeopen", "confidentiality", "reference", "catalogue", "store", "demo", "collect", "compute",
         "registers", "render", "remontees", "dashboard", "cli"]
RANK = {name: i for i, name in enumerate(ORDER)}


def _imported_stages(path: Path) -> set[str]:
    stages: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cpc_toolkit"):
            names.append(node.module)
            if node.module == "cpc_toolkit":
                names += [f"cpc_toolkit.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        stages.update(_stage_of_module(n) for n in names if n.startswith("cpc_toolkit.") and n.count(".") >= 1)
    return stages


def _stage_of_module(name: str) -> str:
    return name.split(".")[1]


def test_every_stage_is_known_and_imports_only_earlier_stages():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 50
    checked = 0
    violations = []
    for path in files:
        rel = path.relative_to(PACKAGE).parts
        stage = rel[0].removesuffix(".py")
        if stage in ("__init__", "__main__"):
            continue
        assert stage in RANK, f"étape inconnue : {stage} ({path})"
        for target in _imported_stages(path):
            if target in RANK and RANK[target] > RANK[stage]:
                violations.append(f"{path.relative_to(PACKAGE)} importe {target}")
        checked += 1
    assert checked > 50
    assert violations == []


def test_reports_and_public_dashboards_never_import_the_confidential_register():
    scanned = 0
    for stage in ("render", "dashboard", "compute", "collect"):
        for path in (PACKAGE / stage).rglob("*.py"):
            assert "cpc_toolkit.remontees" not in path.read_text(encoding="utf-8"), path
            scanned += 1
    assert scanned > 20
