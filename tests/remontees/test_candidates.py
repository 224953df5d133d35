"""Candidates: procédures register (> 250 employees or strategic) minus the remontées register."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from cpc_toolkit.cli.main import main
from cpc_toolkit.registers.importer import import_register
from cpc_toolkit.remontees.candidates import candidates, candidates_for
from cpc_toolkit.remontees.demo import write_demo_register
from cpc_toolkit.remontees.importer import import_file
from cpc_toolkit.remontees.store import RemonteesStore
from cpc_toolkit.store import Store

PROCEDURES = """identifiant,juridiction,type_procedure,date_ouverture,salaries,strategique,denomination,siren,secteur_naf,forme_debiteur
RG-P1,tj-lyon,redressement_judiciaire,2025-02-01,400,non,Alpha (fictive),552100554,29.10Z,personne_morale
RG-P2,tj-lyon,liquidation_judiciaire,2025-03-01,300,non,Beta (fictive),542107651,25.62A,personne_morale
RG-P3,tj-lyon,sauvegarde,2025-04-01,50,oui,Gamma (fictive),443061841,30.30Z,personne_morale
RG-P4,tj-lyon,redressement_judiciaire,2025-05-01,100,non,Delta (fictive),349092676,10.71C,personne_morale
RG-P5,tj-lyon,conciliation,2025-01-10,900,non,Epsilon (fictive),381420876,29.10Z,personne_morale
RG-P6,tj-lyon,redressement_judiciaire,2025-06-01,260,non,Zeta (fictive),732829320,13.10Z,personne_morale
RG-P7,tj-lyon,redressement_judiciaire,2024-06-01,500,non,Eta (fictive),775665011,29.10Z,personne_morale
RG-P8,tj-paris,redressement_judiciaire,2025-02-15,1000,non,Theta (fictive),428268023,64.20Z,personne_morale
"""


@pytest.fixture
def root(tmp_path, h):
    donnees = tmp_path / "donnees"
    csv = tmp_path / "procedures.csv"
    csv.write_text(PROCEDURES, encoding="utf-8")
    import_register(Store(donnees), "procedures", csv, today=h.TODAY)
    return donnees


def _signal(root, tmp_path, h):
    p1 = {**h.BASE_CASE, "Juridiction saisie": "tj-lyon", "Référence de la procédure": "RG-P1",
          "SIREN": "552100554"}
    p6 = {**h.BASE_CASE, "Juridiction saisie": "tj-lyon", "Référence de la procédure": None,
          "SIREN": "732829320", "Effectif salarié": 260, "Emplois menacés": 10}
    data = h.fill("ca-lyon", 2025, [p1, p6])
    path = tmp_path / "remontees_2025_ca-lyon.xlsx"
    path.write_bytes(data)
    res = import_file(path, RemonteesStore(root), today=h.TODAY)
    assert res.outcome == "accepte", [str(p) for p in res.problems]


def test_candidates_are_the_unsignalled_procedures_over_threshold(root, tmp_path, h):
    assert sorted(candidates_for(root, year=2025)["identifiant"]) == ["RG-P1", "RG-P2", "RG-P3", "RG-P6", "RG-P8"]
    _signal(root, tmp_path, h)
    got = candidates_for(root, year=2025)
    assert sorted(got["identifiant"]) == ["RG-P2", "RG-P3", "RG-P8"]
    assert sorted(candidates_for(root, year=2025, cour="ca-lyon")["identifiant"]) == ["RG-P2", "RG-P3"]
    assert sorted(candidates_for(root, year=2024)["identifiant"]) == ["RG-P7"]
    motif = dict(zip(got["identifiant"], got["motif"], strict=True))
    assert "250 salariés" in motif["RG-P2"] and "stratégique" in motif["RG-P3"]
    assert "250" not in motif["RG-P3"]


def test_cli_candidats_csv(root, tmp_path, h, capsys):
    _signal(root, tmp_path, h)
    assert main(["--donnees", str(root), "remontees", "candidats", "--annee", "2025", "--cour", "ca-lyon",
                 "--format", "csv"]) == 0
    df = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str)
    assert sorted(df["identifiant"]) == ["RG-P2", "RG-P3"]
    assert main(["--donnees", str(root), "remontees", "candidats", "--annee", "2025"]) == 0
    out = capsys.readouterr().out
    assert "RG-P8" in out and "RG-P1" not in out and "plus de 250 salariés" in out


def test_demo_register_leaves_exactly_the_unsignalled_ones(root, h):
    over = pd.read_csv(io.StringIO(PROCEDURES))
    collective = over["type_procedure"].isin(["sauvegarde", "redressement_judiciaire", "liquidation_judiciaire"])
    expected_over = set(over.loc[collective & ((over["salaries"] > 250) | (over["strategique"] == "oui")),
                                 "identifiant"])
    results = write_demo_register(root, 2025, today=h.TODAY)
    assert all(r.outcome == "accepte" for r in results), [[str(p) for p in r.problems] for r in results]
    cases = RemonteesStore(root).cases()
    signalled = set(cases["procedure_ref"].dropna())
    assert signalled and signalled < expected_over
    assert cases["demo"].all()
    assert cases["denomination"].str.contains("fictive|fictif|Démo").all()
    got = set(candidates_for(root)["identifiant"])
    assert got == expected_over - signalled
    assert got  # some procedures stay to be signalled


def test_candidates_is_pure():
    over = pd.DataFrame({"cour_id": ["ca-lyon"], "court_id": ["tj-lyon"], "identifiant": ["A"],
                         "denomination": ["X"], "siren": ["552100554"], "type_procedure": ["sauvegarde"],
                         "date_ouverture": [dt.date(2025, 1, 1)], "salaries": [300], "secteur_naf": ["29.10Z"],
                         "motif": ["plus de 250 salariés"]})
    cases = pd.DataFrame({"juridiction_id": ["tj-lyon"], "procedure_ref": [None], "siren": ["552100554"]})
    before = over.copy()
    assert candidates(over, cases).empty
    assert len(candidates(over, cases.assign(juridiction_id="tj-roanne"))) == 1
    pd.testing.assert_frame_equal(over, before)
