"""The wheel is self-contained: `pip install .` (not editable) into a fresh virtual environment, then
`cpc demo`, `cpc rapport` and `cpc tableau-de-bord` work from a folder outside the repository.

The dependencies are not downloaded again: the fresh environment sees the project environment's
site-packages through a ``.pth`` line (and its ``share/jupyter`` templates through symlinks), while
``cpc_toolkit`` itself is installed from the wheel with ``--no-deps`` (the test checks that it is
imported from the fresh environment, not from the sources).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from cpc_toolkit.dashboard.harness import RunningServer, free_port, stop

ROOT = Path(__file__).resolve().parents[2]
CLEAN_ENV = {k: v for k, v in os.environ.items()
             if k not in ("PYTHONPATH", "CPC_NOTEBOOKS", "CPC_DONNEES", "CPC_RAPPORTS", "PLOTLY_RENDERER",
                          "VIRTUAL_ENV", "PYTHONHOME")}


def test_every_package_of_the_tree_is_declared_for_the_wheel():
    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                   ["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "cpc_toolkit").rglob("__init__.py")}
    assert "cpc_toolkit.catalogue" in found
    assert declared == found | {"cpc_toolkit.notebooks", "cpc_toolkit.data_templates"}


def _run(argv: list[str | Path], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in argv], cwd=cwd, env=CLEAN_ENV, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{argv}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _fresh_clone(dest: Path) -> Path:
    """The files a fresh clone has (tracked and new, not ignored), as they are in the work tree."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_bytes(src.read_bytes())
    return dest


@pytest.mark.slow
def test_pip_install_then_demo_report_and_dashboard_from_any_folder(tmp_path: Path):
    src = _fresh_clone(tmp_path / "clone")
    venv, work = tmp_path / "venv", tmp_path / "ailleurs"
    work.mkdir()
    _run([sys.executable, "-m", "venv", venv], cwd=work, timeout=300)
    py = venv / "bin" / "python"
    site = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work, 60)
                .stdout.strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_cpc_project_deps.pth").write_text("\n".join(sorted(deps)) + "\n", encoding="utf-8")
    # the data files that the dependencies' wheels install under <prefix>/share/jupyter (nbconvert and
    # Voilà templates, widget extensions); kernel specs are left out (the kernel is the fresh interpreter)
    share = venv / "share" / "jupyter"
    share.mkdir(parents=True, exist_ok=True)
    for name in ("nbconvert", "voila", "labextensions", "nbextensions"):
        if (Path(sys.prefix) / "share" / "jupyter" / name).is_dir():
            (share / name).symlink_to(Path(sys.prefix) / "share" / "jupyter" / name)
    _run([py, "-m", "pip", "install", "--quiet", "--no-deps", src], cwd=work, timeout=600)

    where = _run([py, "-c", "import cpc_toolkit; print(cpc_toolkit.__file__)"], work, 60).stdout.strip()
    assert Path(where).is_relative_to(site), where
    assert not Path(where).is_relative_to(ROOT) and not work.is_relative_to(ROOT)

    cpc = venv / "bin" / "cpc"
    donnees = work / "donnees"
    _run([cpc, "--donnees", donnees, "demo"], cwd=work, timeout=1800)
    out = _run([cpc, "--donnees", donnees, "rapport", "--juridiction", "tj-lyon", "--annee", "2025"],
               cwd=work, timeout=1200)
    reports = sorted((work / "reports" / "2025" / "clpc").glob("*.html"))  # the CLPC report (not the statement)
    assert reports, out.stdout
    html = reports[0].read_text(encoding="utf-8")
    assert "Lyon" in html and "Données fictives" in html
    # the kernel talks over IPC in a private folder: no English « running over TCP » warning for the user
    assert "WARNING" not in out.stderr and "TCP" not in out.stderr, out.stderr

    port = free_port()
    log = tmp_path / "tableau.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([str(cpc), "--donnees", str(donnees), "tableau-de-bord", "--port", str(port),
                                 "--noyaux-prechauffes", "0"], cwd=work, env=CLEAN_ENV, stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
    srv = RunningServer(url=f"http://127.0.0.1:{port}/", proc=proc, log=log)
    try:
        page = srv.url + "voila/render/tableau_de_bord_national.ipynb"
        body, deadline = "", time.monotonic() + 600
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(page, timeout=300) as resp:
                    assert resp.status == 200
                    body = resp.read().decode("utf-8", errors="replace")
                    break
            except OSError:
                time.sleep(1)
        assert body, srv.log_text()[-3000:]
        assert "introuvable" not in body and "Traceback" not in body
        assert "Données fictives" in body
    finally:
        stop(srv)
    assert proc.poll() is not None
