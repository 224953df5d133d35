"""Indicator catalogue: structure, coverage of issue 2 §4, legal bases, validation."""

from __future__ import annotations

import dataclasses
import re

import pytest

from cpc_toolkit import catalogue
from cpc_toolkit.catalogue import (
    AGGREGATIONS,
    DIRECTIONS,
    KINDS,
    UNITS,
    _find_cycle,
    validate_catalogue,
)
from cpc_toolkit.errors import CatalogueError, ReasonCode

IDS = [i.id for i in catalogue.indicators()]

# issue 2 §4: what the catalogue must cover at least, family by family
REQUIRED = {
    "clpc": ["clpc_date", "clpc_membres_elus_locaux", "clpc_membres_parlementaires",
             "clpc_membres_professions_droit", "clpc_membres_associations",
             "clpc_membres_presidents_tc_cph", "clpc_membres_autres", "clpc_priorites_locales",
             "clpc_organisation_audiences", "clpc_circuits", "clpc_projets", "clpc_decisions_marquantes"],
    "activite": [f"act_{c}_{m}" for c in ("cg", "jaf", "jcp", "refere")
                 for m in ("entrees", "sorties", "stock_debut", "stock_fin", "delai_moyen",
                           "taux_couverture", "dtes", "disposition_time", "ecart_stock")],
    "amiable": ["ami_referent_designe", "ami_comite_pilotage", "ami_projet_juridiction",
                "ami_magistrats_formes_ara", "ami_ara_ordonnees", "ami_ara_tenues", "ami_ara_accord_total",
                "ami_ara_accord_partiel", "ami_ara_echec", "ami_mediations_ordonnees",
                "ami_injonctions_mediateur", "ami_conciliations_deleguees", "ami_conciliateurs_actifs",
                "ami_taux_accord_ara", "ami_part_amiable"],
    "majeurs": ["pjm_mesures_tutelle", "pjm_mesures_curatelle", "pjm_mesures_sauvegarde",
                "pjm_mesures_habilitation", "pjm_ouvertures", "pjm_renouvellements", "pjm_mainlevees",
                "pjm_echues_sans_decision", "pjm_comptes_attendus", "pjm_comptes_recus_30juin",
                "pjm_comptes_verifies_31dec", "pjm_mandats_protection_future", "pjm_controles_mjpm",
                "pjm_signalements_mjpm", "pjm_referent_protection", "pjm_conventions_sanitaires_sociales",
                "pjm_taux_comptes_recus", "pjm_taux_comptes_verifies", "pjm_taux_echues_sans_decision"],
    "agricole": ["agr_reglements_amiables", "agr_conciliations", "agr_entretiens_prevention",
                 "agr_sauvegardes", "agr_redressements", "agr_liquidations", "agr_referent"],
    "entreprises": ["ent_mandats_ad_hoc", "ent_conciliations", "ent_sauvegardes",
                    "ent_sauvegardes_accelerees", "ent_redressements", "ent_liquidations",
                    "ent_retablissements", "ent_entretiens_prevention", "ent_procedures_signalees"],
    "vif": ["vif_op_demandees", "vif_op_accordees", "vif_op_rejetees", "vif_op_delai_moyen",
            "vif_part_op_6j", "vif_oppi_demandees", "vif_oppi_delivrees", "vif_part_oppi_24h",
            "vif_interventions_parquet"],
    "demat": ["dem_part_signature_electronique", "dem_ordonnances_minutier", "dem_ged_experimentation"],
}

# where a legal basis exists, the catalogue must give it (fragment expected in legal_basis)
LEGAL = {
    "vif_part_op_6j": "515-11 C. civ.",
    "vif_op_delai_moyen": "515-11 C. civ.",
    "vif_op_decidees_6j": "515-11 C. civ.",
    "vif_part_oppi_24h": "515-13-1 C. civ.",
    "vif_oppi_demandees": "515-13-1",
    "pjm_comptes_recus_30juin": "1254 CPC",
    "pjm_taux_comptes_verifies": "512 C. civ.",
    "pjm_echues_sans_decision": "441",
    "pjm_mesures_habilitation": "494-1",
    "ami_ara_ordonnees": "1532",
    "ent_conciliations": "L. 611-4",
    "ent_mandats_ad_hoc": "L. 611-3",
    "ent_sauvegardes_accelerees": "L. 628-1",
    "ent_retablissements": "L. 645-1",
    "agr_reglements_amiables": "L. 351-1",
    "reg_proc_conciliations_hors_delai": "L. 611-6",
    "reg_proc_agricoles_suspension_hors_delai": "L. 351-5",
    "dem_minutes_signees_electroniquement": "456 CPC",
    "act_cg_taux_couverture": "CEPEJ",
}


def test_ids_unique_and_ascii_snake_case():
    assert len(IDS) == len(set(IDS)) >= 150
    for iid in IDS:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", iid), iid


def test_every_family_of_the_circulaire_is_present_and_populated():
    fams = {f.id for f in catalogue.families()}
    assert fams == {"clpc", "activite", "amiable", "majeurs", "agricole", "entreprises", "vif", "demat"}
    for fam in fams:
        kinds = {i.kind for i in catalogue.indicators(family=fam)}
        assert "input" in kinds, fam
        assert catalogue.family(fam).label and catalogue.family(fam).sheet


@pytest.mark.parametrize("family", sorted(REQUIRED))
def test_indicators_required_by_issue_2_are_present(family):
    for iid in REQUIRED[family]:
        assert catalogue.get(iid).family == family, iid
    for c in catalogue.contentieux():
        assert catalogue.get(f"act_{c['id']}_delai_moyen").unit == "months"
        assert catalogue.get(f"act_{c['id']}_disposition_time").unit == "days"
        assert catalogue.get(f"act_{c['id']}_dtes").unit == "months"


def test_units_kinds_aggregations_directions_valid():
    for ind in catalogue.indicators():
        assert ind.unit in UNITS and ind.kind in KINDS, ind.id
        assert ind.aggregation in AGGREGATIONS and ind.direction in DIRECTIONS, ind.id
        assert ind.label and ind.definition and ind.sheet, ind.id
        if ind.aggregation == "sum":
            assert ind.unit in ("count", "fte"), ind.id  # quantities: cases, full-time equivalents
        if ind.aggregation == "ratio":
            assert ind.kind == "derived" and ind.formula, ind.id
        if ind.aggregation == "share_true":
            assert ind.unit == "boolean", ind.id
        if ind.unit in ("text", "date"):
            assert ind.aggregation == "none", ind.id
        if ind.unit == "percent" and ind.kind == "derived":
            # a rate is recomputed from summed numerator and denominator, never averaged
            assert ind.aggregation == "ratio", ind.id


def test_units_of_named_indicators():
    assert catalogue.get("vif_op_delai_moyen").unit == "days"
    assert catalogue.get("clpc_date").unit == "date"
    assert catalogue.get("clpc_priorites_locales").unit == "text"
    assert catalogue.get("ami_referent_designe").unit == "boolean"
    assert catalogue.get("act_cg_taux_couverture").formula.replace(" ", "") == \
        "100*act_cg_sorties/act_cg_entrees"


def test_derived_formulas_refer_to_known_ids_and_have_no_cycle():
    known = set(IDS)
    deps = {}
    for ind in catalogue.indicators(kind="derived"):
        assert ind.inputs, ind.id
        assert ind.inputs <= known, (ind.id, ind.inputs - known)
        assert ind.id not in ind.inputs
        deps[ind.id] = ind.inputs
    assert _find_cycle(deps) == []
    for ind in catalogue.indicators():
        if ind.kind != "derived":
            assert not ind.formula, ind.id
    for check in catalogue.checks():
        assert check.expression.names <= known, check.id


def test_cycle_detection_finds_a_cycle():
    assert _find_cycle({"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"})}) in (
        ["a", "b", "c", "a"], ["b", "c", "a", "b"], ["c", "a", "b", "c"])
    assert _find_cycle({"a": frozenset({"b", "x"}), "b": frozenset({"x"})}) == []


def test_validate_catalogue_reports_every_problem_in_french():
    fams = catalogue.families()
    inds = list(catalogue.indicators())
    ok = inds[0]
    broken = [
        dataclasses.replace(ok, id="Bad-Id"),
        dataclasses.replace(ok, id="x_unit", unit="litres"),
        dataclasses.replace(ok, id="x_loop1", kind="derived", formula="x_loop2 + 1", aggregation="sum"),
        dataclasses.replace(ok, id="x_loop2", kind="derived", formula="x_loop1 + 1", aggregation="sum"),
        dataclasses.replace(ok, id="x_unknown", kind="derived", formula="nexiste_pas * 2", aggregation="sum"),
        dataclasses.replace(ok, id="x_avg", unit="percent", aggregation="sum"),
    ]
    with pytest.raises(CatalogueError) as info:
        validate_catalogue(fams, tuple(inds + broken), catalogue.checks())
    msg = info.value.message
    assert info.value.reason == ReasonCode.CATALOGUE_INVALID
    assert "identifiant non conforme : 'Bad-Id'" in msg
    assert "unité inconnue litres" in msg
    assert "formules circulaires" in msg and "x_loop1" in msg
    assert "indicateurs inconnus ['nexiste_pas']" in msg
    assert "x_avg : seule une quantité peut être sommée" in msg
    with pytest.raises(CatalogueError, match="identifiants en double"):
        validate_catalogue(fams, (*inds, inds[3]), catalogue.checks())


@pytest.mark.parametrize(("iid", "fragment"), sorted(LEGAL.items()))
def test_legal_basis_present_where_one_exists(iid, fragment):
    assert fragment in catalogue.get(iid).legal_basis


def test_every_family_has_legal_bases_and_inputs_have_sheets():
    for fam in catalogue.families():
        assert any(i.legal_basis for i in catalogue.indicators(family=fam.id)), fam.id
    for ind in catalogue.input_indicators():
        assert ind.sheet == catalogue.family(ind.family).sheet


def test_register_indicators_name_their_register():
    regs = catalogue.indicators(kind="register")
    assert regs
    assert {i.source for i in regs} == {"mesures", "procedures", "ordonnances"}


def test_unknown_indicator_and_family_errors_are_french():
    with pytest.raises(CatalogueError, match=r"Indicateur inconnu.*vif_op_demandees") as info:
        catalogue.get("vif_op_demandes")
    assert info.value.reason == ReasonCode.UNKNOWN_INDICATOR
    with pytest.raises(CatalogueError, match="Famille inconnue"):
        catalogue.family("sport")


def test_catalogue_frame_and_markdown_cover_every_indicator():
    frame = catalogue.catalogue_frame()
    assert list(frame["id"]) == IDS
    assert not frame["libellé"].eq("").any()
    md = catalogue.catalogue_markdown()
    for iid in IDS:
        assert f"| `{iid}` |" in md, iid
    for fam in catalogue.families():
        assert f"## {fam.label}" in md
    assert "Art. 515-11 C. civ." in md
    # one table row per indicator, with exactly 8 cells (pipes inside cells are escaped)
    rows = [line for line in md.splitlines() if line.startswith("| `") and line.count("`") >= 2]
    ind_rows = [r for r in rows if r.split("`")[1] in set(IDS)]
    assert len(ind_rows) == len(IDS)
    for row in ind_rows:
        assert len(re.split(r"(?<!\\)\|", row)) == 10, row
