"""Alert rules: defaults, evaluation, overrides (data folder and explicit file), validation errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cpc_toolkit import catalogue, reference
from cpc_toolkit.compute import (
    ALERT_COLUMNS,
    alerts,
    builtin_alert_config,
    load_alert_config,
    parse_alert_config,
)
from cpc_toolkit.demo import MISSING_COURT_YEARS
from cpc_toolkit.errors import ReasonCode, ValidationError
from cpc_toolkit.fr import parse_french_number


def _val(res, unit, year, iid):
    sub = res[(res["unit_id"] == unit) & (res["year"] == year) & (res["indicator_id"] == iid)]
    return float(sub["value"].iloc[0])


def test_default_rules_cover_the_brief_and_reference_the_catalogue():
    cfg = builtin_alert_config()
    ids = {r.id for r in cfg.rules}
    for needed in ("couverture_faible", "dtes_eleve", "op_6_jours", "revisions_tardives",
                   "referent_amiable_absent", "clpc_non_tenu", "donnees_manquantes"):
        assert needed in ids
    for r in cfg.rules:
        for iid in r.indicator_ids():
            catalogue.get(iid)  # raises if unknown
        assert r.label and not any(ch.isdigit() for ch in r.label)  # threshold lives in the message
    assert cfg.rule("couverture_faible").threshold == 95
    assert cfg.rule("dtes_eleve").threshold == 12
    assert cfg.rule("op_6_jours").threshold == 90
    assert cfg.rule("revisions_tardives").threshold == 5


def _court_alerts_consistent(res, al, year):
    cfg = builtin_alert_config()
    for r in al.itertuples():
        rule = cfg.rule(r.rule_id)
        if rule.condition in ("inferieur", "superieur"):
            v = _val(res, r.unit_id, year, r.indicator_id)
            assert r.value == pytest.approx(v)
            assert r.threshold == rule.threshold
            assert (v < r.threshold) if rule.condition == "inferieur" else (v > r.threshold)
            ind = catalogue.get(r.indicator_id)
            assert r.legal_basis == (rule.legal_basis or ind.legal_basis)
            assert ind.label in r.message
            # value and threshold appear in the message, as displayed
            nums = [parse_french_number(x) for x in
                    pd.Series([r.message]).str.findall(r"\d[\d\u00a0 ]*(?:,\d+)?").iloc[0]]
            assert round(v, 1) in [round(n, 1) for n in nums]
            assert float(r.threshold) in nums
        elif rule.condition == "non":
            assert _val(res, r.unit_id, year, r.indicator_id) == 0.0


def test_court_alerts_state_rule_value_threshold_and_legal_basis(demo_results):
    year = max(demo_results["year"])
    seen = 0
    for court in list(reference.first_instance_courts().index)[:40]:
        al = alerts(demo_results, court, year, config=builtin_alert_config())
        assert list(al.columns) == ALERT_COLUMNS
        assert (al["unit_id"] == court).all()
        _court_alerts_consistent(demo_results, al, year)
        seen += len(al)
    assert seen > 0


def test_no_alert_when_thresholds_are_not_crossed(demo_results):
    year = max(demo_results["year"])
    court = "tj-lyon"
    v = _val(demo_results, court, year, "act_cg_taux_couverture")
    cfg = parse_alert_config(
        f"regles:\n  - id: t\n    libelle: Test\n    indicateur: act_cg_taux_couverture\n"
        f"    condition: inferieur\n    seuil: {v - 0.01}\n", "test.yaml")
    assert alerts(demo_results, court, year, config=cfg).empty
    cfg2 = parse_alert_config(
        f"regles:\n  - id: t\n    libelle: Test\n    indicateur: act_cg_taux_couverture\n"
        f"    condition: inferieur\n    seuil: {v + 0.01}\n", "test.yaml")
    got = alerts(demo_results, court, year, config=cfg2)
    assert list(got["rule_id"]) == ["t"]


def test_cour_alerts_include_own_aggregate_and_its_courts(demo_results):
    court, year = MISSING_COURT_YEARS[1]
    cour = reference.cour_of(court)
    al = alerts(demo_results, cour, year, config=builtin_alert_config())
    assert set(al["unit_id"]) <= {cour, *reference.courts_of_cour(cour)}
    missing = al[(al["rule_id"] == "donnees_manquantes")]
    assert cour in set(missing["unit_id"]) and court in set(missing["unit_id"])
    own = missing[missing["unit_id"] == cour].iloc[0]
    assert reference.court_name(court) in own["message"]
    assert set(al["unit_name"]) == {reference.court_name(u) for u in al["unit_id"]}
    sev = al["severity"].map({"haute": 0, "moyenne": 1, "basse": 2}).to_numpy()
    assert np.all(np.diff(sev) >= 0)
    _court_alerts_consistent(demo_results, al[al["unit_id"] != cour], year)


def test_override_in_data_folder_and_explicit_file(tmp_path: Path, monkeypatch, demo_results):
    data = tmp_path / "donnees"
    data.mkdir()
    (data / "alertes.yaml").write_text("regles:\n  - id: couverture_faible\n    seuil: 120\n"
                                       "  - id: clpc_non_tenu\n    actif: false\n", encoding="utf-8")
    monkeypatch.setenv("CPC_DONNEES", str(data))
    cfg = load_alert_config()
    assert cfg.rule("couverture_faible").threshold == 120
    assert cfg.rule("couverture_faible").label == builtin_alert_config().rule("couverture_faible").label
    assert not cfg.rule("clpc_non_tenu").active
    extra = tmp_path / "mes_alertes.yaml"
    extra.write_text("regles:\n  - id: couverture_faible\n    seuil: 130\n    gravite: haute\n"
                     "  - id: conciliations_rares\n    libelle: Peu de conciliations déléguées\n"
                     "    indicateur: ami_conciliations_deleguees\n    condition: inferieur\n    seuil: 1000000\n",
                     encoding="utf-8")
    cfg2 = load_alert_config(extra)
    assert cfg2.rule("couverture_faible").threshold == 130
    assert cfg2.rule("couverture_faible").severity == "haute"
    assert cfg2.rules[-1].id == "conciliations_rares"
    year = max(demo_results["year"])
    al = alerts(demo_results, "tj-lyon", year, config=cfg2)
    assert "conciliations_rares" in set(al["rule_id"])
    assert "clpc_non_tenu" not in set(al["rule_id"])
    cover = al[al["rule_id"] == "couverture_faible"]
    assert len(cover) == 4  # every contentieux is below 130 %
    assert (cover["threshold"] == 130).all()


@pytest.mark.parametrize(("text", "fragment"), [
    ("regles:\n  - id: couverture_faible\n    seuil: beaucoup\n", "« seuil » doit être un nombre"),
    ("regles:\n  - id: x\n    libelle: X\n    indicateur: pas_un_id\n    condition: inferieur\n    seuil: 1\n",
     "indicateur inconnu « pas_un_id »"),
    ("regles:\n  - id: x\n    libelle: X\n    indicateur: act_cg_dtes\n    condition: egal\n    seuil: 1\n",
     "condition « egal » inconnue"),
    ("regles:\n  - id: x\n    libelle: X\n    indicateur: act_cg_dtes\n    condition: non\n",
     "exige un indicateur oui/non"),
    ("regles:\n  - id: dtes_eleve\n    couleur: rouge\n", "clé(s) inconnue(s) couleur"),
    ("regles:\n  - id: nouvelle\n    indicateur: act_cg_dtes\n", "« libelle » obligatoire"),
    ("regles: [\n", "YAML invalide"),
])
def test_invalid_override_gives_french_error_with_location(tmp_path: Path, text: str, fragment: str):
    path = tmp_path / "alertes.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        load_alert_config(path, use_data_dir=False)
    err = exc.value
    assert fragment in err.message
    assert err.reason == ReasonCode.ALERT_CONFIG
    assert err.location is not None and err.location.file == str(path)
    assert err.location.row is not None and err.location.row >= 1


def test_faulty_rule_is_located_on_its_own_line(tmp_path: Path):
    path = tmp_path / "alertes.yaml"
    path.write_text("version: 1\nregles:\n  - id: dtes_eleve\n    seuil: 20\n  - id: dtes_eleve\n"
                    "    couleur: rouge\n", encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        load_alert_config(path, use_data_dir=False)
    assert exc.value.location.row == 5 and "règle n° 2 (ligne 5)" in exc.value.message


def test_missing_override_file_is_reported(tmp_path: Path):
    with pytest.raises(ValidationError, match="introuvable"):
        load_alert_config(tmp_path / "absent.yaml", use_data_dir=False)


def test_alert_on_a_partial_value_says_its_perimeter(demo_results):
    """ca-nimes 2025 lacks one court: its own threshold alerts are flagged partial, next to the figure."""
    al = alerts(demo_results, "ca-nimes", 2025, config=builtin_alert_config())
    own = al[(al["unit_id"] == "ca-nimes") & al["condition"].isin(["inferieur", "superieur"])]
    assert len(own) >= 1
    assert own["partial"].all()
    for msg in own["message"]:
        assert "(données partielles : 5/6 juridictions)" in msg
    full = alerts(demo_results, "ca-lyon", 2025, config=builtin_alert_config())
    full_own = full[(full["unit_id"] == "ca-lyon") & full["condition"].isin(["inferieur", "superieur"])]
    assert len(full_own) >= 1
    assert not full_own["partial"].any()
    assert not full_own["message"].str.contains("partielles").any()
