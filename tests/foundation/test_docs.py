"""README (French base) and generated catalogue documentation stay in sync with the code."""

from __future__ import annotations

import argparse
from pathlib import Path

from cpc_toolkit import catalogue
from cpc_toolkit.cli.main import build_parser

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def test_readme_gives_the_two_setup_commands_and_the_data_flow():
    assert "make demo" in README and "make test" in README
    for step in ("collecte", "validation", "magasin", "calcul", "rendu"):
        assert step in README, step
    for audience in ("CLPC", "chefs de cour", "DACS", "CIV/06/2025"):
        assert audience in README, audience
    assert "Données fictives" in README


def test_readme_lists_every_cli_command():
    commands = _commands()
    for planned in ("juridictions", "indicateurs", "demo", "modeles", "importer", "depots", "registre",
                    "rapport", "campagne", "tableau-de-bord", "remontees"):
        assert planned in commands, planned
    for name in commands:
        assert f"`cpc {name}" in README, name
    assert "`cpc registre importer`" in README and "`cpc registre echeances`" in README


def test_readme_keeps_attributions_and_the_merge_point():
    assert "IGN – Admin Express, via france-geojson" in README
    assert "COJ" in README and "Judilibre" in README
    assert "SECTIONS DES VOLETS" in README
    assert "docs/indicateurs.md" in README


def test_catalogue_doc_is_generated_from_the_catalogue():
    doc = (REPO / "docs" / "indicateurs.md").read_text(encoding="utf-8")
    assert doc == catalogue.catalogue_markdown(), (
        "docs/indicateurs.md est périmé : .venv/bin/cpc indicateurs --catalogue --format md > docs/indicateurs.md")
