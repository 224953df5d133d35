"""e-MJPM import (`cpc registre importer --type mesures --format emjpm`): SIRET → TJ (tribunaux de
proximité included), code mapping, located refusals, same indicators as the equivalent native register,
no personal field kept. Fixtures are generated from the schema (synthetic, no real person)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from cpc_toolkit.cli.main import main
from cpc_toolkit.compute import results
from cpc_toolkit.errors import ValidationError
from cpc_toolkit.registers import emjpm
from cpc_toolkit.registers.importer import import_register
from cpc_toolkit.registers.mesures import INDICATORS
from cpc_toolkit.store import Store

YEAR = 2024
TODAY = dt.date(2025, 3, 1)
# SIRETs of the packaged e-MJPM list: tribunaux de proximité and their TJ
COURTS = {
    "17750111100534": "tj-bobigny",     # TP Aubervilliers
    "17750111101078": "tj-bobigny",     # TP Saint-Ouen
    "17750111100997": "tj-bobigny",     # TP Le Raincy
    "17690111400346": "tj-lyon",        # TP Villeurbanne
    "17130111201238": "tj-grasse",      # TP Antibes
    "17130111200362": "tj-grasse",      # TP Cannes
    "17130111200719": "tj-grasse",      # TP Cagnes-sur-Mer
}
NATIVE_TYPES = ("tutelle", "curatelle_simple", "curatelle_renforcee", "sauvegarde_justice")


def _day(d: dt.date) -> str:
    return d.isoformat()


def generate(n: int = 360, seed: int = 16) -> tuple[list[dict], list[dict]]:
    """(e-MJPM measures, equivalent native register rows): same measures, two formats."""
    rng = np.random.default_rng(seed)
    sirets = list(COURTS)
    em, nat = [], []
    for k in range(n):
        siret = sirets[k % len(sirets)]
        nature = NATIVE_TYPES[int(rng.integers(0, 4))] if k % 12 else "mesure_accompagnement_judiciaire"
        months = 12 if nature == "sauvegarde_justice" else 60
        opened = dt.date(2016, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365 * 8)))
        if nature == "sauvegarde_justice":
            opened = dt.date(2023, 6, 1) + dt.timedelta(days=int(rng.integers(0, 500)))
        rec = {"id": 1000 + k, "numero_rg": f"RG-FICTIF-{k:05d}", "numero_dossier": f"D{k}",
               "annee_naissance": int(1930 + rng.integers(0, 70)),
               "civilite": "madame" if k % 2 else "monsieur", "date_premier_mesure": _day(opened),
               "date_nomination": _day(opened + dt.timedelta(days=int(rng.integers(0, 30)))),
               "tribunal_siret": siret,
               "etats": [{"date_changement_etat": _day(opened), "nature_mesure": "sauvegarde_justice",
                          "lieu_vie": "domicile", "code_postal": "93300", "ville": "Aubervilliers", "pays": "FR"},
                         {"date_changement_etat": _day(opened + dt.timedelta(days=1)),
                          "nature_mesure": nature, "lieu_vie": "domicile", "code_postal": "93300",
                          "ville": "Aubervilliers", "pays": "FR"}]}
        if k % 7 == 3:
            rec["antenne_id"] = 42
        row = {"identifiant": f"emjpm-{1000 + k}", "juridiction": COURTS[siret], "type_mesure": nature,
               "date_ouverture": _day(opened), "duree_mois": months, "date_dernier_renouvellement": "",
               "duree_renouvellement_mois": "", "date_fin": "",
               "type_mandataire": "mjpm_service" if k % 7 == 3 else "mjpm_individuel"}
        renewal = opened + dt.timedelta(days=365 * 5 - int(rng.integers(0, 60)))
        if nature != "sauvegarde_justice" and renewal < dt.date(2024, 12, 1) and k % 3 == 0:
            rec["resultat_revision"] = ("reconduction", "aggravation", "allegement")[k % 9 // 3]
            rec["date_protection_en_cours"] = _day(renewal)
            row["date_dernier_renouvellement"], row["duree_renouvellement_mois"] = _day(renewal), months
        if k % 10 == 4:  # ended
            end = opened + dt.timedelta(days=int(rng.integers(30, 1200)))
            end = min(end, dt.date(2025, 1, 15))
            if row["date_dernier_renouvellement"]:
                end = max(end, dt.date.fromisoformat(row["date_dernier_renouvellement"]))
            rec["cause_sortie"] = ("deces", "mainlevee", "caducite", "dessaisissement_autre_mjpm")[k % 4]
            rec["date_fin_mesure"] = _day(end)
            row["date_fin"] = _day(end)
        if k % 10 == 6:  # handed over to the family: the measure goes on
            rec["cause_sortie"] = "dessaisissement_famille"
            rec["date_fin_mesure"] = _day(dt.date(2024, 5, 2))
            row["type_mandataire"] = "familial"
        em.append(rec)
        if nature != "mesure_accompagnement_judiciaire":
            nat.append(row)
    return em, nat


def _write_native(path: Path, rows: list[dict]) -> Path:
    pd.DataFrame(rows).to_csv(path, sep=";", index=False)
    return path


def _write_emjpm_csv(path: Path, records: list[dict]) -> Path:
    flat = []
    for r in records:
        f = {k: v for k, v in r.items() if k != "etats"}
        f["nature_mesure"] = r["etats"][-1]["nature_mesure"]
        flat.append(f)
    pd.DataFrame(flat).to_csv(path, index=False)
    return path


def _indicators(store: Store, courts: list[str]) -> pd.DataFrame:
    res = results(store)
    sel = res[(res["unit_id"].isin(courts)) & (res["year"] == YEAR) & res["indicator_id"].isin(INDICATORS)]
    return sel.set_index(["unit_id", "indicator_id"])[["value", "status"]].sort_index()


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_same_indicators_as_native(tmp_path: Path, kind: str) -> None:
    em, nat = generate()
    assert len(em) == 360 and len(nat) == 330
    native_store, emjpm_store = Store(tmp_path / "natif"), Store(tmp_path / "emjpm")
    import_register(native_store, "mesures", _write_native(tmp_path / "natif.csv", nat), year=YEAR, today=TODAY)
    if kind == "json":
        src = tmp_path / "export.json"
        src.write_text(json.dumps({"mesures": em}), encoding="utf-8")
    else:
        src = _write_emjpm_csv(tmp_path / "export.csv", em)
    res = import_register(emjpm_store, "mesures", src, year=YEAR, today=TODAY, source_format="emjpm")
    assert res.n_rows == 330
    assert sorted({c for c, _ in res.court_years}) == ["tj-bobigny", "tj-grasse", "tj-lyon"]
    assert any("accompagnement judiciaire : 30" in w for w in res.warnings)
    courts = ["tj-bobigny", "tj-grasse", "tj-lyon"]
    a, b = _indicators(native_store, courts), _indicators(emjpm_store, courts)
    na = set(emjpm.NA_ACCOUNTS + emjpm.NA_LONG_RENEWAL)
    same = [i for i in INDICATORS if i not in na]
    pd.testing.assert_frame_equal(a[a.index.get_level_values(1).isin(same)],
                                  b[b.index.get_level_values(1).isin(same)])
    assert (a.xs("reg_pjm_mesures_suivies", level=1)["value"] > 30).all()
    assert a.xs("reg_pjm_echues_non_revisees", level=1)["value"].sum() > 0
    # what e-MJPM cannot tell is NA, never 0 (the native register says 0 or more)
    gone = b[b.index.get_level_values(1).isin(na)]
    assert len(gone) == 3 * len(na) and (gone["status"] == "NA").all() and gone["value"].isna().all()


def test_no_personal_field_kept(tmp_path: Path) -> None:
    em, _ = generate(60)
    src = tmp_path / "export.json"
    src.write_text(json.dumps(em), encoding="utf-8")
    store = Store(tmp_path / "d")
    import_register(store, "mesures", src, year=YEAR, today=TODAY, source_format="emjpm")
    reg = tmp_path / "d"  # registers, archive, import log and main store
    blobs = b"".join(p.read_bytes() for p in reg.rglob("*") if p.is_file())
    for p in reg.rglob("*.parquet"):
        blobs += pq.read_table(p).to_pandas().to_csv().encode()
    assert b"emjpm-1001" in blobs  # the rows are there…
    for r in em:  # …but no RG number, internal file number, year of birth or civility
        assert r["numero_rg"].encode() not in blobs
        assert f"D{r['id'] - 1000},".encode() not in blobs
    assert b"annee_naissance" not in blobs and b"civilite" not in blobs and b"monsieur" not in blobs
    assert b"Aubervilliers" not in blobs


def test_unknown_codes_are_located(tmp_path: Path) -> None:
    em, _ = generate(24)
    em[3]["etats"][-1]["nature_mesure"] = "tutelle_renforcee"
    em[5]["resultat_revision"], em[5]["date_protection_en_cours"] = "prolongation", "2022-01-01"
    em[8]["cause_sortie"], em[8]["date_fin_mesure"] = "demenagement", "2023-01-01"
    em[9]["tribunal_siret"] = "17690111499999"
    src = tmp_path / "export.json"
    src.write_text(json.dumps(em), encoding="utf-8")
    store = Store(tmp_path / "d")
    with pytest.raises(ValidationError) as ei:
        import_register(store, "mesures", src, year=YEAR, today=TODAY, source_format="emjpm")
    text = [str(p) for p in ei.value.problems]
    assert any("ligne 4" in t and "« nature_mesure »" in t and "tutelle_renforcee" in t for t in text), text
    assert any("ligne 6" in t and "« resultat_revision »" in t and "prolongation" in t for t in text), text
    assert any("ligne 9" in t and "« cause_sortie »" in t and "demenagement" in t for t in text), text
    assert any("ligne 10" in t and "« tribunal_siret »" in t and "SIRET inconnu" in t for t in text), text
    assert len(text) == 4
    assert not store.exists()


def test_native_problem_named_with_emjpm_field(tmp_path: Path) -> None:
    em, _ = generate(12)
    em[2]["date_fin_mesure"], em[2]["cause_sortie"] = "2001-01-01", "deces"
    src = _write_emjpm_csv(tmp_path / "export.csv", em)
    with pytest.raises(ValidationError) as ei:
        import_register(Store(tmp_path / "d"), "mesures", src, year=YEAR, today=TODAY, source_format="emjpm")
    text = [str(p) for p in ei.value.problems]
    assert any("ligne 4" in t and "« date_fin_mesure »" in t and "antérieure" in t for t in text), text


def test_siret_table_covers_every_tj() -> None:
    from cpc_toolkit import reference

    table = emjpm.siret_courts()
    assert len(table) == 289 and table["siret"].is_unique
    assert table["siret"].str.fullmatch(r"\d{14}").all()
    tj = set(reference.courts("TJ")["court_id"])
    direct = table[table["nature"] == "tribunal_judiciaire"]
    assert set(direct["court_id"]) == tj
    prox = table[table["nature"] == "tribunal_de_proximite"]
    assert len(prox) == 124 and prox["court_id"].isin(tj).all()
    assert dict(zip(prox["nom"], prox["court_id"], strict=True))["Tribunal de proximité de Villeurbanne"] == "tj-lyon"
    with open(Path(emjpm.__file__).parent / "data" / "emjpm_tribunaux.csv", encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == ["siret", "nom", "nature", "court_id", "code_postal"]


def test_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    em, _ = generate(48)
    src = tmp_path / "export.json"
    src.write_text(json.dumps(em), encoding="utf-8")
    root = tmp_path / "donnees"
    code = main(["--donnees", str(root), "registre", "importer", "--type", "mesures", "--format", "emjpm",
                 "--annee", str(YEAR), str(src)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "44 ligne(s)" in out.out and "durées légales maximales" in out.out
    code = main(["--donnees", str(root), "registre", "importer", "--type", "mesures", "--format", "emjpm",
                 "--annee", str(YEAR), str(src)])
    assert code == 0 and "déjà importé" in capsys.readouterr().out  # same bytes twice: nothing to do
    code = main(["--donnees", str(root), "registre", "importer", "--type", "procedures", "--format", "emjpm",
                 str(src)])
    err = capsys.readouterr().err
    assert code == 2 and "e-MJPM" in err and "Traceback" not in err
    bad = tmp_path / "bad.json"
    bad.write_text("{pas du json", encoding="utf-8")
    code = main(["--donnees", str(root), "registre", "importer", "--type", "mesures", "--format", "emjpm",
                 "--annee", str(YEAR), str(bad)])
    err = capsys.readouterr().err
    assert code == 1 and "JSON invalide" in err and "Traceback" not in err
