"""`cpc rapport` / `cpc campagne`: French errors instead of tracebacks."""

from __future__ import annotations

from cpc_toolkit.cli.main import main


def test_unknown_court_is_a_french_error(demo_store, capsys):
    code = main(["--donnees", str(demo_store.root), "rapport", "--juridiction", "tj-atlantide", "--annee", "2025"])
    err = capsys.readouterr().err
    assert code == 2 and "Juridiction inconnue" in err and "Traceback" not in err


def test_bad_format_and_year_are_usage_errors(demo_store, capsys):
    assert main(["--donnees", str(demo_store.root), "campagne", "--annee", "2025", "--formats", "rtf"]) == 2
    assert "Format(s) inconnu(s) : rtf" in capsys.readouterr().err
    assert main(["--donnees", str(demo_store.root), "campagne", "--annee", "1999"]) == 2
    assert "Aucune donnée pour l'année 1999" in capsys.readouterr().err


def test_rapport_requires_a_target(capsys):
    try:
        code = main(["rapport", "--annee", "2025"])
    except SystemExit as exc:  # argparse: missing required group
        code = exc.code
    assert code == 2
