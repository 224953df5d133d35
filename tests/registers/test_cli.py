"""Import round trip through the CLI: `cpc registre importer` → `cpc indicateurs` shows the register
indicators; same bytes twice is a no-op; `cpc registre echeances`; restricted permissions."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pandas as pd
import pytest

from cpc_toolkit.cli.main import main
from cpc_toolkit.registers import procedures_over_threshold
from cpc_toolkit.store import Store

MESURES = """identifiant;juridiction;type_mesure;date_ouverture;duree_mois;date_dernier_renouvellement;duree_renouvellement_mois;date_fin;date_dernier_compte_recu;date_dernier_compte_verifie;type_mandataire
M1;tj-lyon;tutelle;15/03/2018;60;;;;10/04/2024;20/05/2024;familial
M2;tj-lyon;curatelle renforcée;2019-01-10;60;2024-01-10;120;;2024-07-10;;mjpm_service
M3;tj-lyon;sauvegarde de justice;2024-06-01;12;;;;;;
M4;tj-lyon;tutelle;2010-05-05;60;2020-06-30;60;;;;mjpm_prepose
M5;tj-lyon;tutelle;2019-12-31;60;;;;;;
M6;tj-lyon;tutelle;2019-12-31;60;;;2024-03-01;;;
"""

PROCEDURES = """identifiant;juridiction;type_procedure;date_ouverture;date_fin;prorogation;salaries;forme_debiteur;denomination;siren;strategique
24/1;tj-lyon;redressement_judiciaire;2024-02-01;;;400;personne_morale;Société Fictive Alpha 1 SAS;732829320;non
24/2;tj-lyon;conciliation;2024-03-01;2024-08-15;oui;3;personne_morale;Société Fictive Bêta 2 SARL;;
24/3;tj-lyon;conciliation;2024-03-01;2024-07-01;non;3;personne_morale;;;
24/4;tj-lyon;liquidation_judiciaire;2024-05-01;;;12;personne_morale;Société Fictive Gamma 3 SA;443061841;oui
24/5;tj-paris;sauvegarde;2024-06-01;;;20;personne_morale;;;
"""


@pytest.fixture
def cpc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    root = tmp_path / "donnees"
    monkeypatch.setenv("CPC_DONNEES", str(root))

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--donnees", str(root), *argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    run.root = root  # type: ignore[attr-defined]
    return run


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _indicators(cpc, court: str, year: int) -> dict[str, str]:
    code, out, _ = cpc("indicateurs", "--juridiction", court, "--annee", str(year), "--format", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    return dict(zip(df["indicateur"], df["valeur"], strict=True))


def test_measures_round_trip_and_echeances(cpc, tmp_path: Path) -> None:
    path = _file(tmp_path, "mesures.csv", MESURES)
    code, out, err = cpc("registre", "importer", "--type", "mesures", str(path), "--annee", "2024")
    assert code == 0, err
    assert "6 ligne(s)" in out and "Mesures échues non réexaminées" in out
    vals = _indicators(cpc, "tj-lyon", 2024)
    assert float(vals["reg_pjm_mesures_suivies"]) == 5  # M6 ended in 2024
    assert float(vals["reg_pjm_echues_non_revisees"]) == 1  # M1 only; M4's term is 30/06/2025
    assert float(vals["reg_pjm_echeance_3m"]) == 1  # M5: term 31/12/2024 = reference date
    assert float(vals["reg_pjm_echeance_6m"]) == 3  # + M3 (01/06/2025) and M4 (30/06/2025)
    assert float(vals["reg_pjm_renouvelees_plus_5ans"]) == 1  # M2, 120 months
    assert float(vals["reg_pjm_comptes_manquants_30juin"]) == 3  # M2 late, M4 and M5 none
    assert float(vals["reg_pjm_taux_echues"]) == pytest.approx(20.0)  # derived over register values
    # same bytes again: nothing changes
    store = Store(cpc.root)
    before = store.file_digest()
    code, out, _ = cpc("registre", "importer", "--type", "mesures", str(path), "--annee", "2024")
    assert code == 0 and "déjà importé" in out
    assert Store(cpc.root).file_digest() == before
    subs = store.submissions()
    assert subs.loc[subs["channel"] == "registre:mesures", "court_id"].tolist() == ["tj-lyon"]
    # échéancier (internal use)
    code, out, _ = cpc("registre", "echeances", "--juridiction", "tj-lyon", "--dans", "6", "--au", "2024-12-31")
    assert code == 0
    assert "Usage interne" in out and "Dont échues non réexaminées : 1." in out
    order = [line.split()[0] for line in out.splitlines() if line.strip().startswith("M")]
    assert order == ["M1", "M5", "M3", "M4"]
    code, out, _ = cpc("registre", "echeances", "--juridiction", "tj-lyon", "--dans", "0", "--au",
                       "2024-12-31", "--format", "csv")
    assert pd.read_csv(io.StringIO(out))["identifiant"].tolist() == ["M1", "M5"]
    # restricted permissions on individual rows
    reg = cpc.root / "registres"
    for p in [reg, *reg.rglob("*")]:
        if p.name == ".lock":
            continue
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))
    archived = list((reg / "archive").iterdir())
    assert len(archived) == 1 and archived[0].read_bytes() == path.read_bytes()


def test_procedures_round_trip_and_reimport(cpc, tmp_path: Path) -> None:
    path = _file(tmp_path, "procedures.csv", PROCEDURES)
    code, _, err = cpc("registre", "importer", "--type", "procedures", str(path), "--au", "2025-06-30")
    assert code == 0, err
    lyon = _indicators(cpc, "tj-lyon", 2024)
    assert float(lyon["reg_proc_conciliations"]) == 2
    assert float(lyon["reg_proc_conciliations_hors_delai"]) == 1  # 24/2: > 5 months despite extension
    assert float(lyon["reg_proc_plus_250_salaries"]) == 1
    assert float(_indicators(cpc, "tj-paris", 2024)["reg_proc_sauvegardes"]) == 1
    over = procedures_over_threshold(cpc.root, year=2024, cour="ca-lyon")
    assert over["identifiant"].tolist() == ["24/1", "24/4"]
    assert procedures_over_threshold(cpc.root, cour="ca-paris").empty
    # a corrected export of tj-lyon replaces its rows; tj-paris rows are kept
    fixed = PROCEDURES.replace("24/1;tj-lyon;redressement_judiciaire;2024-02-01;;;400",
                               "24/1;tj-lyon;redressement_judiciaire;2024-02-01;;;40")
    fixed = "\n".join(line for line in fixed.splitlines() if "tj-paris" not in line) + "\n"
    code, _, err = cpc("registre", "importer", "--type", "procedures",
                       str(_file(tmp_path, "procedures-v2.csv", fixed)), "--au", "2025-06-30")
    assert code == 0, err
    assert float(_indicators(cpc, "tj-lyon", 2024)["reg_proc_plus_250_salaries"]) == 0
    assert procedures_over_threshold(cpc.root, year=2024)["identifiant"].tolist() == ["24/4"]
    assert float(_indicators(cpc, "tj-paris", 2024)["reg_proc_sauvegardes"]) == 1
    subs = Store(cpc.root).submissions()
    lyon_subs = subs[(subs["court_id"] == "tj-lyon") & (subs["channel"] == "registre:procedures")]
    assert sorted(lyon_subs["status"]) == ["accepted", "superseded"]


def test_bad_file_cli_lists_problems_and_writes_nothing(cpc, tmp_path: Path) -> None:
    bad = PROCEDURES.replace("732829320", "732829321").replace("tj-paris", "tj-paname")
    code, out, err = cpc("registre", "importer", "--type", "procedures", str(_file(tmp_path, "p.csv", bad)))
    assert code == 1 and out == ""
    assert "2 problèmes" in err and "rien n'a été enregistré" in err
    assert "ligne 2, colonne « siren »" in err and "ligne 6, colonne « juridiction »" in err
    assert not cpc.root.exists()


def test_cli_usage_errors(cpc, tmp_path: Path) -> None:
    code, _, err = cpc("registre", "echeances", "--juridiction", "tj-lyon")
    assert code == 1 and "Aucun registre des mesures importé" in err
    code, _, err = cpc("registre", "echeances", "--juridiction", "ca-lyon")
    assert code == 2 and "n'est pas un tribunal judiciaire" in err
    path = _file(tmp_path, "m.csv", MESURES)
    code, _, err = cpc("registre", "importer", "--type", "mesures", str(path), "--annee", "2099")
    assert code == 2 and "Année invalide" in err
    code, out, _ = cpc("registre", "colonnes", "--type", "ordonnances", "--format", "csv")
    cols = pd.read_csv(io.StringIO(out))
    assert "date_fixation_audience" in cols["colonne"].tolist()
