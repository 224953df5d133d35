"""`cpc projection`: CSV consistent with the formula, recomputed from `cpc indicateurs` CSV."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from cpc_toolkit.cli.main import main
from cpc_toolkit.settings import DEMO_LABEL


def run(capsys, demo_store, *args: str) -> tuple[int, str, str]:
    code = main(["--donnees", str(demo_store.root), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_csv_stock_and_dtes_at_12_months_match_the_formula(capsys, demo_store):
    code, out, _ = run(capsys, demo_store, "projection", "--juridiction", "tj-lyon", "--annee", "2025",
                       "--horizon", "12", "--format", "csv")
    assert code == 0
    proj = pd.read_csv(io.StringIO(out)).set_index("contentieux")
    code, ind_out, _ = run(capsys, demo_store, "indicateurs", "--juridiction", "tj-lyon", "--annee", "2025",
                           "--format", "csv")
    assert code == 0
    ind = pd.to_numeric(pd.read_csv(io.StringIO(ind_out)).set_index("indicateur")["valeur"], errors="coerce")
    checked = 0
    for c in ("cg", "jaf", "jcp", "refere"):
        e, s, f = (ind[f"act_{c}_{k}"] for k in ("entrees", "sorties", "stock_fin"))
        stock_12 = max(0.0, f + 12 * (e / 12 - s / 12))
        assert proj.loc[c, "stock à l'horizon"] == pytest.approx(stock_12), c
        assert proj.loc[c, "DTES à l'horizon (mois)"] == pytest.approx(stock_12 / (s / 12)), c
        assert proj.loc[c, "stock au 31 décembre"] == f
        checked += 1
    assert checked == 4
    assert proj.loc["total", "stock à l'horizon"] == pytest.approx(
        sum(proj.loc[c, "stock à l'horizon"] for c in ("cg", "jaf", "jcp", "refere")))
    assert (proj["avertissement"] == DEMO_LABEL).all()


def test_table_what_if_and_contentieux_filter(capsys, demo_store):
    code, base, _ = run(capsys, demo_store, "projection", "--juridiction", "tj-lyon", "--annee", "2025",
                        "--contentieux", "cg", "--format", "csv")
    code2, more, _ = run(capsys, demo_store, "projection", "--juridiction", "tj-lyon", "--annee", "2025",
                         "--contentieux", "cg", "--sorties", "+10%", "--entrees", "-20", "--format", "csv")
    assert code == code2 == 0
    b, m = pd.read_csv(io.StringIO(base)).iloc[0], pd.read_csv(io.StringIO(more)).iloc[0]
    assert len(pd.read_csv(io.StringIO(more))) == 1
    assert m["sorties mensuelles"] == pytest.approx(1.1 * b["sorties mensuelles"])
    assert m["entrées mensuelles"] == pytest.approx(b["entrées mensuelles"] - 20)
    assert "+10,0\u00a0%" in m["hypothèses"]
    code, out, _ = run(capsys, demo_store, "projection", "--cour", "ca-lyon", "--annee", "2025", "--horizon", "24")
    assert code == 0 and "Cour d'appel de Lyon" in out and DEMO_LABEL in out and "DTES à l'horizon" in out


def test_target_mode(capsys, demo_store):
    code, out, _ = run(capsys, demo_store, "projection", "--national", "--annee", "2025", "--dtes-cible", "6",
                       "--format", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out)).set_index("contentieux")
    assert (df["DTES cible (mois)"] == 6).all()
    assert df.loc["cg", "sorties mensuelles nécessaires"] > 0


@pytest.mark.parametrize("args, message", [
    (["--annee", "2025"], "Indiquez --juridiction"),
    (["--juridiction", "ca-lyon", "--annee", "2025"], "n'est pas un tribunal"),
    (["--juridiction", "tj-lyon", "--entrees", "beaucoup"], "Variation illisible"),
    (["--juridiction", "tj-lyon", "--contentieux", "penal"], "Contentieux inconnu"),
    (["--juridiction", "tj-lyon", "--annee", "1990"], "Aucune donnée pour l'année 1990"),
])
def test_french_errors_without_traceback(capsys, demo_store, args, message):
    code, _, err = run(capsys, demo_store, "projection", *args)
    assert code == 2 and message in err and "Traceback" not in err


def test_protection_outlook_and_rates_views(capsys, demo_store, demo_results):
    code, out, _ = run(capsys, demo_store, "projection", "--juridiction", "tj-lyon", "--annee", "2025",
                       "--demande-protection", "--format", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert list(df["année cible"]) == [2030, 2035]
    mesures = demo_results[(demo_results["unit_id"] == "tj-lyon") & (demo_results["year"] == 2025)
                           & (demo_results["indicator_id"] == "pjm_mesures_total")]["value"].iloc[0]
    assert (df["mesures en cours"] == mesures).all()
    assert df["mesures attendues"].iloc[0] == pytest.approx(mesures * df["rapport 75 ans et plus"].iloc[0])
    assert df["hypothèses"].str.contains("75 ans et plus constant").all()
    code, out, _ = run(capsys, demo_store, "projection", "--juridiction", "tpi-noumea", "--annee", "2025",
                       "--par-habitant")
    assert code == 0 and "population non disponible" in out and "INSEE" in out
