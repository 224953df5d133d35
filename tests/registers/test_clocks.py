"""Legal clocks on hand-built rows: exact counts at the boundaries."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cpc_toolkit.registers import mesures, ordonnances, procedures
from cpc_toolkit.registers.clocks import add_months


def _values(long: pd.DataFrame, court: str = "tj-lyon", year: int | None = None) -> dict[str, float]:
    sel = long[long["court_id"] == court]
    if year is not None:
        sel = sel[sel["year"] == year]
    return dict(zip(sel["indicator_id"], sel["value"], strict=True))


@pytest.mark.parametrize(("start", "months", "expected"), [
    ("2023-10-31", 4, "2024-02-29"),  # leap year: clipped to 29 February
    ("2024-10-31", 4, "2025-02-28"),
    ("2024-02-29", 12, "2025-02-28"),
    ("2024-02-29", 48, "2028-02-29"),
    ("2025-01-15", 120, "2035-01-15"),
    ("2025-12-31", 6, "2026-06-30"),
    ("2025-03-31", -1, "2025-02-28"),
])
def test_add_months_civil_convention(start: str, months: int, expected: str) -> None:
    out = add_months(pd.Series(pd.to_datetime([start])), months)
    assert out[0] == np.datetime64(expected, "D")


def test_add_months_missing_gives_nat() -> None:
    out = add_months(pd.Series(pd.to_datetime(["2025-01-01", None])), np.array([3.0, 3.0]))
    assert np.isnat(out[1]) and out[0] == np.datetime64("2025-04-01")
    out = add_months(pd.Series(pd.to_datetime(["2025-01-01"])), np.array([np.nan]))
    assert np.isnat(out[0])


# ------------------------------------------------------------------------------------ mesures
def _m(ident: str, **kw: object) -> dict:
    base = {"identifiant": ident, "juridiction": "tj-lyon", "type_mesure": "curatelle_simple",
            "date_ouverture": "2023-06-01", "duree_mois": 60}
    base.update(kw)
    return base


def test_measures_terms_and_due_windows(make_rows) -> None:
    rows = make_rows("mesures", [
        _m("term-is-ref", date_ouverture="2020-12-31"),  # term 31/12/2025: in force that day
        _m("term-day-before", date_ouverture="2020-12-30"),  # term 30/12/2025: overdue
        _m("due-3m-edge", date_ouverture="2021-03-31"),  # term 31/03/2026 = ref + 3 months
        _m("due-6m", date_ouverture="2021-04-01"),  # term 01/04/2026: not within 3 months
        _m("due-12m-edge", date_ouverture="2021-12-31"),  # term 31/12/2026
        _m("beyond-12m", date_ouverture="2022-01-01"),
        _m("leap-open", type_mesure="tutelle", date_ouverture="2020-02-29"),  # term 28/02/2025: overdue
        _m("renewed-10y", type_mesure="tutelle", date_ouverture="2010-01-10",
           date_dernier_renouvellement="2015-01-10", duree_renouvellement_mois=120),  # → 10/01/2025 overdue
        _m("renewed-5y", date_ouverture="2015-05-01", date_dernier_renouvellement="2021-05-01",
           duree_renouvellement_mois=60),  # term 01/05/2026: due within 6 months
        _m("renewed-20y", type_mesure="tutelle", date_ouverture="2000-05-01",
           date_dernier_renouvellement="2020-05-01", duree_renouvellement_mois=240),
        _m("ended", date_ouverture="2015-01-01", date_fin="2025-06-30"),  # not in force
        _m("ends-after-ref", date_ouverture="2015-01-01", date_fin="2026-01-05"),  # in force, overdue
        _m("opened-later", date_ouverture="2026-01-02"),  # not yet opened at 31/12/2025
    ])
    flags = mesures.clocks(rows, 2025).set_axis(rows["identifiant"])
    assert flags["suivie"].sum() == 11
    assert sorted(flags.index[flags["echue"]]) == ["ends-after-ref", "leap-open", "renewed-10y",
                                                   "term-day-before"]
    assert sorted(flags.index[flags["echeance_3m"]]) == ["due-3m-edge", "term-is-ref"]
    assert sorted(flags.index[flags["echeance_6m"]]) == ["due-3m-edge", "due-6m", "renewed-5y", "term-is-ref"]
    assert sorted(flags.index[flags["echeance_12m"]]) == ["due-12m-edge", "due-3m-edge", "due-6m",
                                                          "renewed-5y", "term-is-ref"]
    assert sorted(flags.index[flags["renouvelee_plus_5ans"]]) == ["renewed-10y", "renewed-20y"]
    vals = _values(mesures.indicators(rows, 2025))
    assert vals["reg_pjm_mesures_suivies"] == 11
    assert vals["reg_pjm_echues_non_revisees"] == 4
    assert vals["reg_pjm_echeance_3m"] == 2 and vals["reg_pjm_echeance_12m"] == 5
    assert vals["reg_pjm_renouvelees_plus_5ans"] == 2


def test_measures_comptes_de_gestion(make_rows) -> None:
    t = {"type_mesure": "tutelle", "date_ouverture": "2020-01-15", "duree_mois": 120}
    rows = make_rows("mesures", [
        _m("on-time-verified", **t, date_dernier_compte_recu="2025-06-30",
           date_dernier_compte_verifie="2025-12-31"),
        _m("late-1-july", **t, date_dernier_compte_recu="2025-07-01",
           date_dernier_compte_verifie="2025-09-01"),
        _m("on-time-unverified", **t, date_dernier_compte_recu="2025-03-01"),
        _m("old-compte", **t, date_dernier_compte_recu="2024-05-01",
           date_dernier_compte_verifie="2024-06-01"),
        _m("none", **t),
        _m("dispensed", **t, dispense_compte=True),
        _m("simple-curatelle", type_mesure="curatelle_simple", date_ouverture="2020-01-15", duree_mois=60),
        _m("renforcee", type_mesure="curatelle_renforcee", date_ouverture="2024-12-31",
           date_dernier_compte_recu="2025-01-02", date_dernier_compte_verifie="2025-01-03"),
        _m("opened-this-year", **{**t, "date_ouverture": "2025-01-01"}),
    ])
    flags = mesures.clocks(rows, 2025).set_axis(rows["identifiant"])
    assert sorted(flags.index[flags["compte_manquant_30juin"]]) == ["late-1-july", "none", "old-compte"]
    assert sorted(flags.index[flags["compte_non_verifie_31dec"]]) == ["none", "old-compte",
                                                                      "on-time-unverified"]
    vals = _values(mesures.indicators(rows, 2025))
    assert vals["reg_pjm_comptes_manquants_30juin"] == 3
    assert vals["reg_pjm_comptes_non_verifies_31dec"] == 3


def test_measure_indicators_per_court(make_rows) -> None:
    rows = make_rows("mesures", [_m("a"), _m("b", juridiction="tj-paris"), _m("c", juridiction="tj-paris")])
    long = mesures.indicators(rows, 2025)
    assert set(long["court_id"]) == {"tj-lyon", "tj-paris"}
    assert set(long["year"]) == {2025}
    assert _values(long, "tj-paris")["reg_pjm_mesures_suivies"] == 2
    assert _values(long, "tj-lyon")["reg_pjm_echues_non_revisees"] == 0  # zero is a value, not missing
    assert len(long) == 2 * len(mesures.INDICATORS)


def test_due_list_orders_overdue_first(make_rows) -> None:
    rows = make_rows("mesures", [
        _m("late", date_ouverture="2020-11-30", type_mandataire="familial"),  # term 30/11/2025
        _m("soon", date_ouverture="2021-02-15"),  # term 15/02/2026
        _m("far", date_ouverture="2023-01-01"),
    ])
    out = mesures.due_list(rows, 3, dt.date(2025, 12, 31))
    assert out["identifiant"].tolist() == ["late", "soon"]
    assert out["jours_restants"].tolist() == [-31, 46]
    assert out["situation"].tolist() == ["échue, non réexaminée", "à réexaminer"]
    assert mesures.due_list(rows, 0, dt.date(2025, 12, 31))["identifiant"].tolist() == ["late"]


# ------------------------------------------------------------------------------------ ordonnances
def _op(ident: str, **kw: object) -> dict:
    base = {"identifiant": ident, "juridiction": "tj-lyon", "date_demande": "2025-03-01 09:00"}
    base.update(kw)
    return base


def test_op_six_days_calendar(make_rows) -> None:
    rows = make_rows("ordonnances", [
        _op("exactly-6", date_fixation_audience="2025-03-03 10:00", date_decision="2025-03-09 10:00"),
        _op("6-days-1h", date_fixation_audience="2025-03-03 10:00", date_decision="2025-03-09 11:00"),
        _op("7-days", date_fixation_audience="2025-03-03 10:00", date_decision="2025-03-10 09:00"),
        _op("same-day", date_fixation_audience="2025-03-03", date_decision="2025-03-03"),
        _op("leap-7", date_demande="2024-02-20", date_fixation_audience="2024-02-26",
            date_decision="2024-03-04"),  # 29 February counts: 7 days
        _op("no-leap-6", date_demande="2023-02-20", date_fixation_audience="2023-02-26",
            date_decision="2023-03-04"),  # 6 days
        _op("no-fixing-order", date_demande="2025-04-01", date_decision="2025-04-08"),  # from request: 7
        _op("undecided", date_demande="2025-05-01"),
    ])
    c = ordonnances.clocks(rows, dt.date(2025, 12, 31)).set_axis(rows["identifiant"])
    assert sorted(c.index[c["op_hors_delai"]]) == ["7-days", "leap-7", "no-fixing-order"]
    assert c.loc["6-days-1h", "op_delai_jours"] == 6
    assert not c.loc["undecided", "op_decidee"]
    long = ordonnances.indicators(rows, dt.date(2025, 12, 31))
    v25 = _values(long, year=2025)
    assert v25["reg_op_decisions"] == 5 and v25["reg_op_hors_delai_6j"] == 2
    assert v25["reg_op_delai_median"] == 6.0  # delays 6, 6, 7, 0, 7
    assert _values(long, year=2024)["reg_op_hors_delai_6j"] == 1
    assert _values(long, year=2023)["reg_op_hors_delai_6j"] == 0


def test_oppi_24_hours(make_rows) -> None:
    rows = make_rows("ordonnances", [
        _op("24h", oppi_saisine="2025-03-01 10:00", oppi_decision="2025-03-02 10:00"),
        _op("24h-1s", oppi_saisine="2025-03-01 10:00:00", oppi_decision="2025-03-02 10:00:01"),
        _op("2h", oppi_saisine="2025-03-01 10:00", oppi_decision="2025-03-01 12:00"),
        _op("pending-25h", oppi_saisine="2025-12-30 22:00"),
        _op("pending-23h", oppi_saisine="2025-12-31 01:00"),
        _op("no-oppi"),
    ])
    as_of = dt.datetime(2025, 12, 31, 23, 0)
    c = ordonnances.clocks(rows, as_of).set_axis(rows["identifiant"])
    assert sorted(c.index[c["oppi_hors_delai"]]) == ["24h-1s", "pending-25h"]
    v = _values(ordonnances.indicators(rows, as_of), year=2025)
    assert v["reg_oppi_decisions"] == 5 and v["reg_oppi_hors_delai_24h"] == 2


def test_op_median_na_without_decision(make_rows) -> None:
    rows = make_rows("ordonnances", [_op("a"), _op("b")])
    v = _values(ordonnances.indicators(rows, dt.date(2025, 12, 31)), year=2025)
    assert v["reg_op_decisions"] == 0 and np.isnan(v["reg_op_delai_median"])


# ------------------------------------------------------------------------------------ procédures
def _p(ident: str, typ: str, **kw: object) -> dict:
    base = {"identifiant": ident, "juridiction": "tj-lyon", "type_procedure": typ,
            "date_ouverture": "2024-10-31", "forme_debiteur": "personne_morale", "salaries": 3}
    base.update(kw)
    return base


AS_OF = dt.date(2025, 12, 31)


def test_conciliation_four_or_five_months(make_rows) -> None:
    rows = make_rows("procedures", [
        _p("c-4m", "conciliation", date_fin="2025-02-28"),  # 31/10 + 4 months = 28/02: on time
        _p("c-4m+1", "conciliation", date_fin="2025-03-01"),
        _p("c-5m-ext", "conciliation", prorogation=True, date_fin="2025-03-31"),
        _p("c-5m+1-ext", "conciliation", prorogation=True, date_fin="2025-04-01"),
        _p("c-leap", "conciliation", date_ouverture="2023-10-31", date_fin="2024-02-29"),
        _p("c-running", "conciliation", date_ouverture="2025-06-01"),  # still open at 31/12: late
        _p("c-running-ok", "conciliation", date_ouverture="2025-10-01"),
    ])
    f = procedures.clocks(rows, AS_OF).set_axis(rows["identifiant"])
    assert sorted(f.index[f["conciliation_hors_delai"]]) == ["c-4m+1", "c-5m+1-ext", "c-running"]


def test_retablissement_duration_and_eligibility(make_rows) -> None:
    pp = {"forme_debiteur": "personne_physique", "salaries": 0, "actif_declare": 15000}
    rows = make_rows("procedures", [
        _p("rp-ok", "retablissement_professionnel", **pp, date_fin="2025-02-28"),
        _p("rp-late", "retablissement_professionnel", **pp, date_fin="2025-03-01"),
        _p("rp-assets", "retablissement_professionnel", **{**pp, "actif_declare": 15000.01},
           date_fin="2025-01-31"),
        _p("rp-legal-person", "retablissement_professionnel", **{**pp, "forme_debiteur": "personne_morale"}),
        _p("rp-employee", "retablissement_professionnel", **pp, salarie_6_derniers_mois=True),
        _p("rp-employee-count", "retablissement_professionnel", **{**pp, "salaries": 1}),
        _p("rp-prev-4y11m", "retablissement_professionnel", **pp, date_procedure_precedente="2019-12-01"),
        _p("rp-prev-5y", "retablissement_professionnel", **pp, date_procedure_precedente="2019-10-31"),
        _p("rp-unknown-assets", "retablissement_professionnel", **{**pp, "actif_declare": None},
           date_fin="2025-01-15"),
    ])
    f = procedures.clocks(rows, AS_OF).set_axis(rows["identifiant"])
    late = set(f.index[f["retablissement_hors_delai"]])
    # every RP without an end date is still running at 31/12/2025 → late too
    assert late == {"rp-late", "rp-legal-person", "rp-employee", "rp-employee-count", "rp-prev-4y11m",
                    "rp-prev-5y"}
    assert sorted(f.index[f["retablissement_non_eligible"]]) == ["rp-assets", "rp-employee",
                                                                 "rp-employee-count", "rp-legal-person",
                                                                 "rp-prev-4y11m"]


def test_agricultural_stay(make_rows) -> None:
    raa = "reglement_amiable_agricole"
    s = {"agricole": True, "date_debut_suspension": "2024-11-15"}
    rows = make_rows("procedures", [
        _p("s-2m", raa, **s, suspension_renouvelee=False, date_fin_suspension="2025-01-15"),
        _p("s-2m+1", raa, **s, suspension_renouvelee=False, date_fin_suspension="2025-01-16"),
        _p("s-4m", raa, **s, suspension_renouvelee=True, date_fin_suspension="2025-03-15"),
        _p("s-4m+1", raa, **s, suspension_renouvelee=True, date_fin_suspension="2025-03-16"),
        _p("s-unknown-3m", raa, **s, date_fin_suspension="2025-02-15"),  # renewal unknown → 4 months
        _p("no-stay", raa),
    ])
    f = procedures.clocks(rows, AS_OF).set_axis(rows["identifiant"])
    assert sorted(f.index[f["suspension_hors_delai"]]) == ["s-2m+1", "s-4m+1"]


def test_employees_tae_and_counts(make_rows) -> None:
    from cpc_toolkit import reference

    tae_court = sorted(reference.tae_tj_ids())[0]
    other = next(c for c in reference.first_instance_courts()["court_id"] if c not in reference.tae_tj_ids())
    rows = make_rows("procedures", [
        _p("rj-250", "redressement_judiciaire", salaries=250),
        _p("rj-251", "redressement_judiciaire", salaries=251),
        _p("lj-3000", "liquidation_judiciaire", salaries=3000),
        _p("concil-300", "conciliation", salaries=300),  # amiable: not a collective procedure
        _p("tae-2025", "liquidation_judiciaire", juridiction=tae_court, date_ouverture="2025-01-01"),
        _p("tae-2024", "liquidation_judiciaire", juridiction=tae_court, date_ouverture="2024-12-31"),
        _p("tae-regulated", "redressement_judiciaire", juridiction=tae_court, date_ouverture="2025-03-01",
           profession_liberale_reglementee=True, forme_debiteur="personne_physique"),
        _p("other-2025", "liquidation_judiciaire", juridiction=other, date_ouverture="2025-03-01"),
    ])
    f = procedures.clocks(rows, AS_OF).set_axis(rows["identifiant"])
    assert sorted(f.index[f["plus_250_salaries"]]) == ["lj-3000", "rj-251"]
    assert f.index[f["competence_tae"]].tolist() == ["tae-2025"]
    long = procedures.indicators(rows, AS_OF)
    v = _values(long, "tj-lyon", 2024)
    assert v["reg_proc_plus_250_salaries"] == 2
    assert v["reg_proc_redressements"] == 2 and v["reg_proc_liquidations"] == 1
    assert v["reg_proc_conciliations"] == 1 and v["reg_proc_sauvegardes"] == 0
    assert _values(long, tae_court, 2025)["reg_proc_competence_tae"] == 1
    assert _values(long, tae_court, 2024)["reg_proc_competence_tae"] == 0
    assert set(long["indicator_id"]) == set(procedures.INDICATORS)


def test_over_threshold_selection(make_rows) -> None:
    rows = make_rows("procedures", [
        _p("big", "redressement_judiciaire", salaries=400, denomination="Société Fictive Alpha 1 SAS",
           siren="732829320", secteur_naf="62.01Z"),
        _p("strategic", "sauvegarde", salaries=40, strategique=True),
        _p("both", "liquidation_judiciaire", salaries=251, strategique=True),
        _p("small", "liquidation_judiciaire", salaries=12),
        _p("amiable-big", "mandat_ad_hoc", salaries=900),
    ])
    out = procedures.over_threshold(rows)
    assert list(out.columns) == procedures.OVER_THRESHOLD_COLUMNS
    assert dict(zip(out["identifiant"], out["motif"], strict=True)) == {
        "big": "plus de 250 salariés", "strategic": "entreprise stratégique",
        "both": "plus de 250 salariés ; entreprise stratégique"}
    big = out.set_index("identifiant").loc["big"]
    assert big["cour_id"] == "ca-lyon" and big["siren"] == "732829320" and big["salaries"] == 400
    assert big["denomination"] == "Société Fictive Alpha 1 SAS" and big["year"] == 2024
