"""Fixtures of the render tests: one data directory (demo inputs + planted confidential names) and
one small campaign (national + the cour d'Agen + its 3 courts, HTML + Excel + PDF) built once."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pypdf
import pytest

from cpc_toolkit import reference
from cpc_toolkit.store import Store

YEAR = 2025
COUR = "ca-agen"
# identifiable data planted in the registers and in the confidential remontées: must never leak
PLANTED = ("Zorglub Confidentiel SAS", "Boulangerie Secrète Dupont-Aignan", "732829320", "RG 25/99871")


def _plant(root: Path) -> None:
    from cpc_toolkit.registers.importer import import_register

    court = reference.courts_of_cour(COUR)[0]
    reg = root / "a_importer" / "procedures_2025.csv"
    reg.parent.mkdir(parents=True, exist_ok=True)
    reg.write_text(textwrap.dedent(f"""\
        identifiant;juridiction;type_procedure;date_ouverture;forme_debiteur;salaries;denomination;siren
        RG 25/99871;{court};redressement_judiciaire;2025-03-04;personne_morale;312;{PLANTED[0]};{PLANTED[2]}
        RG 25/99872;{court};conciliation;2025-05-12;personne_morale;12;{PLANTED[1]};
        """), encoding="utf-8")
    import_register(Store(root), "procedures", reg, year=YEAR)
    conf = root / "confidentiel"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "remontees_2025.csv").write_text(
        f"entreprise;siren;dossier\n{PLANTED[0]};{PLANTED[2]};{PLANTED[3]}\n{PLANTED[1]};;\n", encoding="utf-8")
    regdir = root / "registres"
    regdir.mkdir(parents=True, exist_ok=True)
    (regdir / "notes_greffe.txt").write_text(f"{PLANTED[1]} — {PLANTED[3]}\n", encoding="utf-8")


@pytest.fixture(scope="session")
def planted() -> tuple[str, ...]:
    """Names and identifiers planted in the registers and remontées."""
    return PLANTED


@pytest.fixture(scope="session")
def render_donnees(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo inputs for every court + a procedures register and remontées naming companies."""
    from cpc_toolkit.cli.demo import write_demo

    root = tmp_path_factory.mktemp("render_donnees")
    write_demo(Store(root), 2025)
    _plant(root)
    return root


@pytest.fixture(scope="session")
def small_campaign(render_donnees: Path, tmp_path_factory: pytest.TempPathFactory):
    """The national report, the chef de cour report of Agen and the CLPC reports of its courts."""
    from cpc_toolkit.render.campaign import plan, run_campaign

    out = tmp_path_factory.mktemp("reports")
    units = [reference.NATIONAL, COUR, *reference.courts_of_cour(COUR)]
    result = run_campaign(YEAR, render_donnees, out, jobs=2, formats=("html", "pdf", "xlsx"),
                          selection=plan(YEAR, units=units))
    return result


def pdf_signature(path: Path) -> list[tuple[bytes, list[tuple[object, object]]]]:
    """Per page: the drawing (content stream) and the links (URI or internal destination)."""
    pages = []
    for pg in pypdf.PdfReader(path).pages:
        links = []
        for annot in pg.get("/Annots") or []:
            a = annot.get_object()
            links.append(((a.get("/A") or {}).get("/URI"), a.get("/Dest")))
        pages.append((pg.get_contents().get_data(), links))
    return pages
