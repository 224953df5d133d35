"""The `cpc` start is light: help, version and argument errors never load pandas or a back end.

Timing goals (≤ 0,25 s of CPU) are measured by benchmarks/cli.py; here we check the cause (what is imported).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cpc_toolkit.cli.main import COMMAND_MODULES, build_parser

REPO = Path(__file__).resolve().parents[2]
# the catalogue's vocabulary (units, statuses: what fr formats with) and the report registry (which
# options `cpc rapport` offers) are light declarations read at start-up; their engines are not
HEAVY = ("pandas", "numpy", "pyarrow", "openpyxl", "duckdb", "jsonschema", "nbformat", "plotly", "papermill",
         "cpc_toolkit.store", "cpc_toolkit.collect", "cpc_toolkit.compute", "cpc_toolkit.catalogue.expressions",
         "cpc_toolkit.render.report", "cpc_toolkit.render.figures", "cpc_toolkit.render.campaign",
         "cpc_toolkit.render.notebook", "cpc_toolkit.render.documents", "cpc_toolkit.dashboard",
         "cpc_toolkit.remontees.store")

PROBE = """
import json, sys
from cpc_toolkit.cli.main import main
code = main(sys.argv[1:])
sys.stdout.flush()
print("\\n@@" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _probe(*args: str) -> tuple[int, set[str], str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "CPC_DONNEES": str(REPO / "donnees-inexistantes")}
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    tail = proc.stdout.rsplit("\n@@", 1)
    assert len(tail) == 2, proc.stderr
    data = json.loads(tail[1])
    return data["code"], set(data["modules"]), proc.stderr


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def _commands() -> list[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "commande")
    return list(sub.choices)


@pytest.mark.parametrize("args", [("--aide",), ("--version",), ("commande-inconnue",), ("indicateurs", "--zzz"),
                                  ("juridictions", "--type", "XX")])
def test_help_version_and_malformed_commands_import_no_back_end(args):
    code, modules, err = _probe(*args)
    assert code == (0 if args[0] in ("--aide", "--version") else 2), err
    assert _heavy(modules) == []
    assert "Traceback" not in err


def test_every_command_help_is_light():
    commands = _commands()
    assert {"juridictions", "indicateurs", "demo", "importer", "campagne", "registre", "remontees"} <= set(commands)
    probe = ("import sys\nfrom cpc_toolkit.cli.main import build_parser\np = build_parser()\n"
             "for c in sys.argv[1:]:\n    try:\n        p.parse_args([c, '--aide'])\n    except SystemExit:\n"
             "        pass\nprint('@@', sorted(sys.modules))")
    proc = subprocess.run([sys.executable, "-c", probe, *commands], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120, check=False)
    modules = set(eval(proc.stdout.rsplit("@@", 1)[1]))
    assert _heavy(modules) == [], "un module de cpc_toolkit/cli importe un moteur au chargement"
    assert {f"cpc_toolkit.cli.{m.rsplit('.', 1)[1]}" for m in COMMAND_MODULES} <= modules


@pytest.mark.parametrize(("args", "message"), [
    (("indicateurs", "--juridiction", "tj-atlantide", "--annee", "2025"), "Juridiction inconnue : « tj-atlantide »"),
    (("indicateurs", "--cour", "tj-lyon"), "« tj-lyon » n'est pas une cour d'appel"),
    (("rapport", "--juridiction", "ca-lyon"), "« ca-lyon » n'est pas un tribunal judiciaire ou un TPI"),
    (("campagne", "--annee", "20x5"), "valeur invalide « 20x5 »"),
    (("registre", "echeances", "--juridiction", "tj-lyonn"), "Vouliez-vous dire : tj-lyon"),
    (("juridictions", "--cour", "ca-atlantide"), "Cour d'appel inconnue : « ca-atlantide »"),
])
def test_bad_ids_and_years_are_usage_errors_before_any_data_load(args, message):
    code, modules, err = _probe(*args)
    assert code == 2 and message in err and "utilisation :" in err, err
    assert _heavy(modules) == []


def test_juridictions_reads_the_reference_without_pandas():
    code, modules, _ = _probe("juridictions", "--type", "CA", "--format", "csv")
    assert code == 0 and "pandas" not in modules


def test_iri_grammars_are_never_compiled_by_the_cli():
    probe = ("import sys\nfrom cpc_toolkit.cli.main import main\nmain(['--version'])\n"
             "import nbformat, jsonschema\nnbformat.validate(nbformat.v4.new_notebook())\n"
             "print('@@', sys.modules.get('rfc3987_syntax', 'absent'))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rsplit("@@", 1)[1].strip() == "None"
