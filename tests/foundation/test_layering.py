"""The stages' one-way dependencies are stated once, as import-linter contracts in pyproject.toml.

`make test` runs `lint-imports`; these tests prove that the contracts are live: the real tree keeps
them, every stage is named in them, and a deliberate forbidden import breaks them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "cpc_toolkit"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture()
def tree_copy(tmp_path: Path) -> Path:
    """A copy of the package and its pyproject.toml, to inject imports into."""
    shutil.copytree(PACKAGE, tmp_path / "cpc_toolkit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _inject(root: Path, module: str, line: str) -> None:
    path = root / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_every_stage_of_the_package_is_a_layer_of_the_contract():
    layers = next(c for c in _contracts() if c["type"] == "layers")["layers"]
    named = {m.strip().removeprefix("cpc_toolkit.") for layer in layers for m in layer.split("|")}
    stages = {p.stem for p in PACKAGE.iterdir()
              if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.stem != "__init__")}
    assert len(stages) > 10
    assert stages == named


def test_the_real_tree_keeps_every_contract(tree_copy: Path):
    result = _lint(tree_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(_contracts())} kept, 0 broken." in result.stdout


@pytest.mark.parametrize(("module", "line", "broken"), [
    # render may sit above collect in the layers, but must never read workbooks
    ("render/figures.py", "import cpc_toolkit.collect.reader", "Reports and dashboards read the store"),
    ("dashboard/params.py", "from cpc_toolkit.remontees import model",
     "Public outputs (reports, dashboards) never reach the confidential DACS channel"),
    ("compute/compare.py", "import cpc_toolkit.render.tables", "Stages depend one way"),
    ("store/__init__.py", "import cpc_toolkit.collect", "Stages depend one way"),
    ("render/index.py", "from cpc_toolkit.demo import generate_inputs", "never import the demo generator"),
])
def test_a_forbidden_import_breaks_the_contracts(tree_copy: Path, module: str, line: str, broken: str):
    _inject(tree_copy, f"cpc_toolkit/{module}", line)
    result = _lint(tree_copy)
    assert result.returncode != 0
    broken_lines = [ln for ln in result.stdout.splitlines() if ln.endswith("BROKEN") or broken in ln]
    assert any(broken in ln for ln in broken_lines), result.stdout
    assert f"cpc_toolkit.{module.removesuffix('.py').replace('/', '.').removesuffix('.__init__')}" in result.stdout
