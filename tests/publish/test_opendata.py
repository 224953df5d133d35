"""Open-data bundle (`cpc donnees-ouvertes`): a valid Frictionless Data Package built from the demo data, whose
values are those of `cpc indicateurs`, whose schemas come from the catalogue, marked « Données fictives », with
no confidential data."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import frictionless
import numpy as np
import pandas as pd
import pytest

from cpc_toolkit import catalogue
from cpc_toolkit.cli.demo import write_demo
from cpc_toolkit.cli.main import main
from cpc_toolkit.publish import opendata
from cpc_toolkit.registers.importer import import_register
from cpc_toolkit.settings import DEMO_LABEL
from cpc_toolkit.store import Store

YEAR = 2024
PLANTED = "Zorglub Hyperfréquences Souveraines"
PROCEDURES = f"""identifiant;juridiction;type_procedure;date_ouverture;date_fin;salaries;forme_debiteur;denomination;siren
24/77;tj-lyon;redressement_judiciaire;2024-02-01;;400;personne_morale;{PLANTED};732829320
24/78;tj-lyon;conciliation;2024-03-01;2024-08-15;3;personne_morale;Société Fictive Bêta SARL;
"""
EMJPM = [{"id": 9000 + k, "numero_rg": f"RG-PLANTE-{k:04d}", "annee_naissance": 1941, "civilite": "madame",
          "date_premier_mesure": "2020-01-15", "date_nomination": "2020-01-20", "tribunal_siret": "17690111400346",
          "nature_mesure": "tutelle"} for k in range(6)]


@pytest.fixture(scope="module")
def donnees(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("od_donnees")
    store = Store(root)
    write_demo(store, 2025)
    reg = root.parent / "od_procedures.csv"
    reg.write_text(PROCEDURES, encoding="utf-8")
    import_register(store, "procedures", reg, as_of=dt.date(2025, 1, 31), today=dt.date(2025, 3, 1))
    em = root.parent / "od_emjpm.json"
    em.write_text(json.dumps(EMJPM), encoding="utf-8")
    import_register(store, "mesures", em, year=YEAR, today=dt.date(2025, 3, 1), source_format="emjpm")
    return root


@pytest.fixture(scope="module")
def bundle(donnees: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("od_bundle")
    code = main(["--donnees", str(donnees), "donnees-ouvertes", "--annee", str(YEAR), "--sortie", str(out),
                 "--separateur", ";"])
    assert code == 0
    return out


def test_frictionless_validates_the_bundle(bundle: Path) -> None:
    report = frictionless.validate(str(bundle / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]
    tables = {t.name: t.stats for t in report.tasks}
    assert tables["indicateurs-juridictions"]["rows"] == 168
    assert tables["indicateurs-cours"]["rows"] == 37
    assert tables["indicateurs-national"]["rows"] == 1
    assert tables["dictionnaire-indicateurs"]["rows"] == len(opendata.published_indicators())


def test_an_invalid_value_is_caught(bundle: Path, tmp_path: Path) -> None:
    """The validator really reads the tables: a count written as text fails it."""
    for p in bundle.iterdir():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    path = tmp_path / f"indicateurs-national-{YEAR}.csv"
    df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    df.loc[0, "act_cg_entrees"] = "beaucoup"
    df.to_csv(path, sep=";", index=False)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert any(e[1] == "act_cg_entrees" for e in report.flatten(["rowNumber", "fieldName"]))


def _cli_values(donnees: Path, unit: str, capsys: pytest.CaptureFixture[str]) -> pd.DataFrame:
    code = main(["--donnees", str(donnees), "indicateurs", "--juridiction", unit, "--annee", str(YEAR),
                 "--vue", "indicateurs", "--format", "csv"])
    assert code == 0
    return pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str, keep_default_na=False).set_index("indicateur")


@pytest.mark.parametrize(("unit", "table"), [("tj-lyon", "juridictions"), ("tj-privas", "juridictions"),
                                             ("ca-lyon", "cours"), ("national", "national")])
def test_values_are_those_of_cpc_indicateurs(donnees: Path, bundle: Path, unit: str, table: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    cli = _cli_values(donnees, unit, capsys)
    df = pd.read_csv(bundle / f"indicateurs-{table}-{YEAR}.csv", sep=";", dtype=str, keep_default_na=False)
    row = df.set_index("code").loc[unit]
    checked = statuses = 0
    for ind in opendata.published_indicators():
        status = cli.at[ind.id, "statut"]
        assert row[ind.id + "__statut"] == status, ind.id
        statuses += status != "ok"
        if status != "ok":
            assert row[ind.id] == "", ind.id  # unknown is never a value
            continue
        want, got = cli.at[ind.id, "valeur"], row[ind.id]
        if ind.unit == "date":
            assert got == want[:10], ind.id
        elif ind.unit == "boolean" and table == "juridictions":
            assert got == ("true" if float(want) > 0 else "false"), ind.id
        else:
            assert float(got) == pytest.approx(float(want), rel=1e-12), ind.id
        checked += 1
        if table != "juridictions":
            transmis, attendus = cli.at[ind.id, "couverture"].split("/")
            assert (row[ind.id + "__transmis"], row[ind.id + "__attendus"]) == (transmis, attendus), ind.id
    assert checked > 100
    if unit == "tj-lyon":  # the e-MJPM import: comptes de gestion unknown → NA, not 0
        assert row["reg_pjm_comptes_manquants_30juin__statut"] == "NA"
        assert row["reg_pjm_mesures_suivies"] == "6"
    if unit == "tj-privas":
        assert statuses > 0


def test_parquet_equals_csv(bundle: Path) -> None:
    for name in ("juridictions", "cours", "national"):
        pq = pd.read_parquet(bundle / f"indicateurs-{name}-{YEAR}.parquet")
        csv = pd.read_csv(bundle / f"indicateurs-{name}-{YEAR}.csv", sep=";", dtype=str, keep_default_na=False)
        assert list(pq.columns) == list(csv.columns)
        assert str(pq["act_cg_entrees"].dtype) == "Int64"
        for ind in opendata.published_indicators()[::7]:
            a = pq[ind.id]
            b = csv[ind.id].replace("", np.nan)
            if ind.unit in ("count", "percent", "days", "months"):
                np.testing.assert_allclose(a.astype("float64").to_numpy(), b.astype("float64").to_numpy(),
                                           rtol=1e-12, equal_nan=True)
            assert (pq[ind.id + "__statut"].to_numpy() == csv[ind.id + "__statut"].to_numpy()).all()


def test_schemas_come_from_the_catalogue(bundle: Path) -> None:
    dp = json.loads((bundle / "datapackage.json").read_text(encoding="utf-8"))
    assert dp["licenses"][0]["name"] == "etalab-2.0"
    assert dp["cpc:donnees_fictives"] is True and DEMO_LABEL in dp["title"]
    titles = " ".join(s["title"] for s in dp["sources"])
    assert "SocialGouv/schema-pjm" in titles and "COJ Tableau IV" in titles  # attribution of reference data
    res = {r["name"]: r for r in dp["resources"]}
    schema = json.loads((bundle / res["indicateurs-cours"]["schema"]).read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in schema["fields"]}
    for ind in opendata.published_indicators():
        f = fields[ind.id]
        assert f["title"] == ind.label and f["description"].startswith(ind.definition)
        if ind.legal_basis:
            assert f["cpc:base_legale"] == ind.legal_basis and ind.legal_basis in f["description"]
        whole = ind.unit == "count" and ind.aggregation != "ratio"  # per ETPT / per 100 000 inhabitants: decimals
        assert f["type"] == ("integer" if whole else "date" if ind.unit == "date" else "number")  # oui/non → %
    assert fields["act_cg_taux_couverture"]["cpc:unite"] == "%"
    assert fields["act_cg_entrees"]["cpc:agregation"] == "somme"
    assert all(i.unit != "text" for i in opendata.published_indicators())
    assert not any(n == i.id for n in fields for i in catalogue.indicators() if i.unit == "text")
    days = [i for i in opendata.published_indicators() if i.unit == "days"]
    assert days and all(fields[i.id]["cpc:unite"] == "jours" for i in days)
    booleans = [i for i in opendata.published_indicators() if i.unit == "boolean"]
    assert booleans and all(fields[i.id]["cpc:unite"] == "% des juridictions" for i in booleans)
    readme = (bundle / "LISEZMOI.md").read_text(encoding="utf-8")
    assert "Licence Ouverte" in readme and DEMO_LABEL in readme and "NAP" in readme


def test_demo_mark_on_every_row(bundle: Path) -> None:
    for name in ("juridictions", "cours", "national"):
        csv = pd.read_csv(bundle / f"indicateurs-{name}-{YEAR}.csv", sep=";", dtype=str, keep_default_na=False)
        assert (csv["avertissement"] == DEMO_LABEL).all() and len(csv) > 0


def test_no_confidential_data(bundle: Path) -> None:
    blob = b"".join(p.read_bytes() for p in bundle.iterdir())
    for secret in (PLANTED, "732829320", "24/77", "Société Fictive Bêta", "RG-PLANTE-0001", "emjpm-9001"):
        assert secret.encode("utf-8") not in blob, secret
    nat = pd.read_csv(bundle / f"indicateurs-national-{YEAR}.csv", sep=";", dtype=str, keep_default_na=False)
    assert nat.at[0, "reg_pjm_mesures_suivies"] == "6"  # …while the register indicators are there


def test_unknown_year_is_a_french_error(donnees: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--donnees", str(donnees), "donnees-ouvertes", "--annee", "1999", "--sortie", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "Aucune donnée pour l'année 1999" in err and "Traceback" not in err
