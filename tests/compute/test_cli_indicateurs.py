"""`cpc indicateurs`: readable default read-out, comparisons, alerts, faits marquants, CSV for all."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from cpc_toolkit import reference
from cpc_toolkit.cli.main import main
from cpc_toolkit.compute import compute_results, results
from cpc_toolkit.demo import MISSING_COURT_YEARS
from cpc_toolkit.fr import format_value
from cpc_toolkit.settings import DEMO_LABEL


def run(capsys, demo_store, *args: str) -> tuple[int, str, str]:
    code = main(["--donnees", str(demo_store.root), "indicateurs", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_default_readout_shows_values_comparisons_alerts_and_facts(capsys, demo_store, demo_results):
    year = max(demo_results["year"])
    code, out, _ = run(capsys, demo_store, "--juridiction", "tj-lyon", "--annee", str(year))
    assert code == 0
    assert out.startswith(f"Tribunal judiciaire de Lyon — {year}")
    assert DEMO_LABEL in out
    for header in ("valeur", "N-1", "évolution", "rang cour", "rang national", "Alertes (", "Faits marquants"):
        assert header in out
    v = demo_results[(demo_results["unit_id"] == "tj-lyon") & (demo_results["year"] == year)
                     & (demo_results["indicator_id"] == "act_cg_taux_couverture")]["value"].iloc[0]
    assert format_value(v, "percent") in out


def test_csv_for_every_view(capsys, demo_store, demo_results):
    year = max(demo_results["year"])
    for extra in ([], ["--comparaisons"], ["--series"], ["--liste-alertes"], ["--faits-marquants"],
                  ["--couverture"], ["--regles"]):
        unit = [] if extra in (["--couverture"], ["--regles"]) else ["--cour", "ca-lyon"]
        code, out, _ = run(capsys, demo_store, *unit, "--annee", str(year), "--format", "csv", *extra)
        assert code == 0
        df = pd.read_csv(io.StringIO(out))
        assert len(df) > 0, extra
        if extra != ["--regles"]:
            assert (df["avertissement"] == DEMO_LABEL).all()


def test_csv_values_are_raw_numbers(capsys, demo_store, demo_results):
    year = max(demo_results["year"])
    code, out, _ = run(capsys, demo_store, "--cour", "ca-lyon", "--annee", str(year), "--format", "csv",
                       "--indicateur", "act_cg_taux_couverture")
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert list(df["indicateur"]) == ["act_cg_taux_couverture"]
    v = demo_results[(demo_results["unit_id"] == "ca-lyon") & (demo_results["year"] == year)
                     & (demo_results["indicator_id"] == "act_cg_taux_couverture")]["value"].iloc[0]
    assert df["valeur"].iloc[0] == pytest.approx(v)
    assert "couverture" in df.columns and "partiel" in df.columns


def test_coverage_view_names_missing_courts(capsys, demo_store):
    court, year = MISSING_COURT_YEARS[0]
    code, out, _ = run(capsys, demo_store, "--couverture", "--annee", str(year))
    assert code == 0 and court in out
    assert reference.cour_of(court) in out


def test_alert_override_file_changes_thresholds(capsys, demo_store, demo_results, tmp_path: Path):
    year = max(demo_results["year"])
    path = tmp_path / "seuils.yaml"
    path.write_text("regles:\n  - id: couverture_faible\n    seuil: 200\n", encoding="utf-8")
    code, out, _ = run(capsys, demo_store, "--juridiction", "tj-lyon", "--annee", str(year), "--liste-alertes",
                       "--format", "csv", "--alertes", str(path))
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert (df.loc[df["règle"] == "couverture_faible", "seuil"] == 200).all()
    assert (df["règle"] == "couverture_faible").sum() == 4


def test_invalid_override_is_a_french_error_not_a_traceback(capsys, demo_store, tmp_path: Path):
    path = tmp_path / "seuils.yaml"
    path.write_text("regles:\n  - id: couverture_faible\n    seuil: haut\n", encoding="utf-8")
    code, out, err = run(capsys, demo_store, "--juridiction", "tj-lyon", "--liste-alertes", "--alertes", str(path))
    assert code != 0 and out == ""
    assert "Traceback" not in err
    assert "seuil" in err and "seuils.yaml" in err and "ligne 2" in err


def test_unknown_unit_and_year_are_reported_in_french(capsys, demo_store):
    code, _, err = run(capsys, demo_store, "--juridiction", "tj-atlantide")
    assert code != 0 and "inconnue" in err
    code, _, err = run(capsys, demo_store, "--juridiction", "tj-lyon", "--annee", "1999")
    assert code != 0 and "Aucune donnée pour l'année 1999" in err


def test_results_are_cached_on_disk_and_match_a_fresh_computation(demo_store, demo_results):
    cached = list((demo_store.root / "cache").glob("resultats-*.parquet"))
    assert len(cached) == 1
    again = results(demo_store)
    assert again is demo_results
    fresh = compute_results(demo_store.values())
    pd.testing.assert_frame_equal(pd.read_parquet(cached[0]).reset_index(drop=True),
                                  fresh.reset_index(drop=True), check_dtype=False)
