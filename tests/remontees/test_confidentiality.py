"""Confidentiality: planted company name and SIREN reach the DACS outputs and nothing else.

The CLPC / chef de cour reports (``cpc rapport``) did not exist when this channel was written, so
besides the planted-name checks on every file outside ``confidentiel/``, a structural test proves
that no non-DACS module (reports, dashboards, compute, notebooks) reads the confidential register.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from cpc_toolkit.cli.main import main
from cpc_toolkit.remontees.importer import import_file
from cpc_toolkit.remontees.store import RemonteesStore

REPO = Path(__file__).resolve().parents[2]
PKG = REPO / "cpc_toolkit"
# the only modules allowed to touch the confidential channel
ALLOWED = {
    "cpc_toolkit/remontees",  # the channel itself
    "cpc_toolkit/cli/remontees.py",  # `cpc remontees`
    "cpc_toolkit/cli/collecte.py",  # `cpc modeles --remontees` (blank workbook only)
    "cpc_toolkit/cli/demo.py",  # demo step
}
FORBIDDEN = re.compile(r"cpc_toolkit\.remontees|cpc_toolkit import remontees")
CONFIDENTIAL_PATH = re.compile(r"^(?:.*[/\\])?confidentiel(?:[/\\].*)?$")


def _allowed(path: Path) -> bool:
    rel = path.relative_to(REPO).as_posix()
    return any(rel == a or rel.startswith(a + "/") for a in ALLOWED)


def test_no_non_dacs_module_reads_the_confidential_register():
    offenders = []
    for path in sorted(PKG.rglob("*.py")):
        if _allowed(path):
            continue
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            if any(n == "cpc_toolkit.remontees" or n.startswith("cpc_toolkit.remontees.") for n in names):
                offenders.append(f"{path.relative_to(REPO)}: import {names}")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    CONFIDENTIAL_PATH.match(node.value.strip()):
                offenders.append(f"{path.relative_to(REPO)}: path « {node.value} »")
        if FORBIDDEN.search(text):
            offenders.append(f"{path.relative_to(REPO)}: mentions the confidential channel")
    for nb in sorted((REPO / "notebooks").glob("*.ipynb")):
        if nb.name == "rapport_remontees.ipynb":
            continue
        src = "\n".join("".join(c.get("source", "")) for c in json.loads(nb.read_text("utf-8"))["cells"])
        if FORBIDDEN.search(src) or re.search(r"[\"'/]confidentiel[\"'/]", src):
            offenders.append(f"{nb.relative_to(REPO)}: reads the confidential channel")
    assert offenders == []
    # the guards themselves can fail: the DACS modules do match them
    assert FORBIDDEN.search((PKG / "cli" / "remontees.py").read_text(encoding="utf-8"))
    assert CONFIDENTIAL_PATH.match("confidentiel") and CONFIDENTIAL_PATH.match("donnees/confidentiel/sorties")
    assert not CONFIDENTIAL_PATH.match("dénomination de l'entreprise (confidentiel)")


def test_planted_name_only_in_dacs_outputs(tmp_path, h, capsys):
    from cpc_toolkit.cli.demo import write_demo
    from cpc_toolkit.store import Store

    root = tmp_path / "donnees"
    write_demo(Store(root), 2025)  # the indicator store the CLPC / chef de cour outputs read
    case = {**h.BASE_CASE, "Dénomination de l'entreprise": h.PLANTED_NAME, "SIREN": h.PLANTED_SIREN,
            "Juridiction saisie": "tj-lyon"}
    data = h.fill("ca-lyon", 2025, [case])
    res = import_file(h.write(tmp_path, "remontees_2025_ca-lyon.xlsx", data), RemonteesStore(root), today=h.TODAY)
    assert res.outcome == "accepte"
    assert main(["--donnees", str(root), "remontees", "fiches", "--sans-pdf", "--sans-synthese"]) == 0
    # non-DACS command-line outputs of the same data directory
    for argv in (["indicateurs", "--juridiction", "tj-lyon", "--annee", "2025", "--format", "csv"],
                 ["indicateurs", "--cour", "ca-lyon", "--annee", "2025", "--format", "csv"],
                 ["indicateurs", "--national", "--annee", "2025", "--format", "csv"]):
        assert main(["--donnees", str(root), *argv]) == 0
    # CLPC report of the court and chef de cour report of its cour, built by `cpc rapport`
    reports = tmp_path / "reports"
    for who in (["--juridiction", "tj-lyon"], ["--cour", "ca-lyon"]):
        assert main(["--donnees", str(root), "rapport", *who, "--annee", "2025", "--formats", "html,xlsx",
                     "--sortie", str(reports)]) == 0
    built = sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*") if p.is_file())
    assert {"2025/clpc/tj-lyon.html", "2025/clpc/tj-lyon.xlsx", "2025/cours/ca-lyon.html",
            "2025/cours/ca-lyon.xlsx"} <= set(built)
    printed = capsys.readouterr().out
    needles = (h.PLANTED_NAME.encode("utf-8"), h.PLANTED_SIREN.encode("ascii"))
    assert all(n.decode() not in printed.split("Sorties DACS")[-1].split("\n", 5)[-1] for n in needles)
    # present in the DACS outputs ...
    dacs = root / "confidentiel" / "sorties"
    fiche = next(dacs.rglob("ca-lyon-2025-001.html")).read_bytes()
    register = next(dacs.rglob("registre_national_*.xlsx"))
    import openpyxl
    values = {c.value for row in openpyxl.load_workbook(register)["Registre"].iter_rows() for c in row}
    assert all(n in fiche for n in needles) and {h.PLANTED_NAME, h.PLANTED_SIREN} <= values
    # ... and in no file outside confidentiel/ (indicator store, caches, reports)
    outside = [p for p in root.rglob("*") if p.is_file() and "confidentiel" not in p.relative_to(root).parts]
    outside += [p for p in reports.rglob("*") if p.is_file()]
    assert len(outside) > 4
    assert [p for p in outside if _contains(p, needles)] == []
    # the scanner itself finds the needles in a DACS xlsx (zipped XML)
    assert _contains(register, needles)


def _contains(path: Path, needles: tuple[bytes, ...]) -> bool:
    """True when any needle is in the file, looking inside zip containers (xlsx) member by member."""
    import zipfile

    data = path.read_bytes()
    blobs = [data]
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(path) as zf:
            blobs += [zf.read(i) for i in zf.infolist()]
    return any(n in b for b in blobs for n in needles)
