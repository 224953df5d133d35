"""Register of amiable and collective procedures: counts by type, legal-duration overruns,
rétablissement professionnel eligibility, > 250 employees, TAE competence from 2025.

Rows belong to the year of their opening date. A procedure still running is measured at the
reference date ``as_of`` (the import date unless given).
"""

from __future__ import annotations

import datetime as dt
import os
from typing import cast

import numpy as np
import pandas as pd

from cpc_toolkit import reference
from cpc_toolkit.registers import storage
from cpc_toolkit.registers.clocks import add_months, to_day
from cpc_toolkit.registers.schema import COLLECTIVE_TYPES

CONCILIATION_MONTHS = 4  # L. 611-6 C. com.
CONCILIATION_EXTENDED_MONTHS = 5
RETABLISSEMENT_MONTHS = 4  # L. 645-4 C. com.
AGRI_STAY_MONTHS = 2  # L. 351-5 C. rur., renewable once
RP_MAX_ASSETS = 15_000.0  # R. 645-1 C. com.
RP_LOOKBACK_MONTHS = 60  # no procedure within 5 years (L. 645-2)
EMPLOYEES_THRESHOLD = 250  # circulaire § 2.2

COUNT_BY_TYPE = {
    "mandat_ad_hoc": "reg_proc_mandats_ad_hoc",
    "conciliation": "reg_proc_conciliations",
    "reglement_amiable_agricole": "reg_proc_reglements_amiables_agricoles",
    "sauvegarde": "reg_proc_sauvegardes",
    "redressement_judiciaire": "reg_proc_redressements",
    "liquidation_judiciaire": "reg_proc_liquidations",
    "retablissement_professionnel": "reg_proc_retablissements",
}
INDICATORS = (
    *COUNT_BY_TYPE.values(),
    "reg_proc_conciliations_hors_delai", "reg_proc_retablissements_hors_delai",
    "reg_proc_retablissements_non_eligibles", "reg_proc_agricoles_suspension_hors_delai",
    "reg_proc_plus_250_salaries", "reg_proc_competence_tae",
)
OVER_THRESHOLD_COLUMNS = [
    "court_id", "cour_id", "year", "identifiant", "denomination", "siren", "type_procedure",
    "date_ouverture", "salaries", "secteur_naf", "agricole", "issue", "motif",
]


def row_years(rows: pd.DataFrame) -> pd.Series:
    """Register year of each row: the year of its opening."""
    return rows["date_ouverture"].dt.year.astype("int64")


def _flag(rows: pd.DataFrame, col: str, default: bool) -> np.ndarray:
    return rows[col].astype("boolean").fillna(default).to_numpy(dtype=bool)


def clocks(rows: pd.DataFrame, as_of: dt.date | None = None) -> pd.DataFrame:
    """One boolean column per rule, aligned on ``rows`` (pure; explains every count)."""
    ref = np.datetime64(as_of or dt.date.today(), "D")
    typ = rows["type_procedure"].astype("string").fillna("").to_numpy()
    opened = to_day(rows["date_ouverture"])
    ended = to_day(rows["date_fin"])
    end = np.where(np.isnat(ended), ref, ended)
    extended = _flag(rows, "prorogation", False)
    concil_limit = add_months(opened, np.where(extended, CONCILIATION_EXTENDED_MONTHS,
                                               CONCILIATION_MONTHS))
    rp = typ == "retablissement_professionnel"
    rp_limit = add_months(opened, RETABLISSEMENT_MONTHS)
    stay_start = to_day(rows["date_debut_suspension"])
    stay_end_raw = to_day(rows["date_fin_suspension"])
    stay_end = np.where(np.isnat(stay_end_raw), ref, stay_end_raw)
    renewed = rows["suspension_renouvelee"].astype("boolean")
    # renewal unknown → the longest lawful stay (2 + 2 months) is assumed
    stay_months = np.where(renewed.fillna(True).to_numpy(dtype=bool), 2 * AGRI_STAY_MONTHS,
                           AGRI_STAY_MONTHS)
    stay_limit = add_months(stay_start, stay_months)
    employees = rows["salaries"].to_numpy(dtype="float64")
    recent_employee = rows["salarie_6_derniers_mois"].astype("boolean")
    had_employee = recent_employee.fillna(pd.Series(employees > 0, index=rows.index)).to_numpy(dtype=bool)
    assets = rows["actif_declare"].to_numpy(dtype="float64")
    prev = to_day(rows["date_procedure_precedente"])
    prev_recent = ~np.isnat(prev) & (add_months(prev, RP_LOOKBACK_MONTHS) > opened)
    legal_person = (rows["forme_debiteur"].astype("string") == "personne_morale").fillna(False).to_numpy(bool)
    years = rows["date_ouverture"].dt.year.to_numpy()
    courts = rows["juridiction"].astype("string").to_numpy()
    tae = np.isin(courts, list(reference.tae_tj_ids())) & (years >= reference.TAE_START_YEAR)
    regulated = _flag(rows, "profession_liberale_reglementee", False)
    return pd.DataFrame({
        "conciliation_hors_delai": (typ == "conciliation") & (end > concil_limit),
        "retablissement_hors_delai": rp & (end > rp_limit),
        "retablissement_non_eligible": rp & (legal_person | (assets > RP_MAX_ASSETS) | had_employee
                                             | prev_recent),
        "suspension_hors_delai": (typ == "reglement_amiable_agricole") & ~np.isnat(stay_start)
        & (stay_end > stay_limit),
        "plus_250_salaries": np.isin(typ, COLLECTIVE_TYPES) & (employees > EMPLOYEES_THRESHOLD),
        "competence_tae": tae & ~regulated,
    }, index=rows.index)


def indicators(rows: pd.DataFrame, as_of: dt.date | None = None) -> pd.DataFrame:
    """Per court-year register indicators: long frame court_id, year, indicator_id, value."""
    if rows.empty:
        return pd.DataFrame(columns=["court_id", "year", "indicator_id", "value"])
    flags = clocks(rows, as_of)
    data = pd.DataFrame({"court_id": rows["juridiction"].astype(str).to_numpy(),
                         "year": row_years(rows).to_numpy()})
    typ = rows["type_procedure"].astype("string").to_numpy()
    for t, iid in COUNT_BY_TYPE.items():
        data[iid] = typ == t
    names = {"conciliation_hors_delai": "reg_proc_conciliations_hors_delai",
             "retablissement_hors_delai": "reg_proc_retablissements_hors_delai",
             "retablissement_non_eligible": "reg_proc_retablissements_non_eligibles",
             "suspension_hors_delai": "reg_proc_agricoles_suspension_hors_delai",
             "plus_250_salaries": "reg_proc_plus_250_salaries",
             "competence_tae": "reg_proc_competence_tae"}
    for col, iid in names.items():
        data[iid] = flags[col].to_numpy()
    wide = data.groupby(["court_id", "year"], sort=True)[list(INDICATORS)].sum()
    long = cast(pd.Series, wide.stack()).rename("value").reset_index().rename(columns={"level_2": "indicator_id"})
    long["value"] = long["value"].astype("float64")
    return long


def over_threshold(rows: pd.DataFrame) -> pd.DataFrame:
    """Collective procedures of more than 250 employees or flagged strategic (pure)."""
    if rows.empty:
        return pd.DataFrame(columns=OVER_THRESHOLD_COLUMNS)
    typ = rows["type_procedure"].astype("string")
    big = (rows["salaries"] > EMPLOYEES_THRESHOLD).fillna(False)
    strategic = rows["strategique"].astype("boolean").fillna(False)
    keep = typ.isin(COLLECTIVE_TYPES).fillna(False) & (big | strategic)
    sel = rows[keep.to_numpy(dtype=bool)]
    motif = np.where(big[keep].to_numpy(dtype=bool) & strategic[keep].to_numpy(dtype=bool),
                     "plus de 250 salariés ; entreprise stratégique",
                     np.where(big[keep].to_numpy(dtype=bool), "plus de 250 salariés",
                              "entreprise stratégique"))
    cour = {cid: reference.cour_of(cid) for cid in sel["juridiction"].astype(str).unique()}
    out = pd.DataFrame({
        "court_id": sel["juridiction"].astype(str).to_numpy(),
        "cour_id": sel["juridiction"].astype(str).map(cour).to_numpy(),
        "year": sel["date_ouverture"].dt.year.astype("int64").to_numpy(),
        "identifiant": sel["identifiant"].astype("string").to_numpy(),
        "denomination": sel["denomination"].astype("string").to_numpy(),
        "siren": sel["siren"].astype("string").to_numpy(),
        "type_procedure": typ[keep].to_numpy(),
        "date_ouverture": sel["date_ouverture"].to_numpy(),
        "salaries": sel["salaries"].astype("Int64").to_numpy(),
        "secteur_naf": sel["secteur_naf"].astype("string").to_numpy(),
        "agricole": sel["agricole"].astype("boolean").to_numpy(),
        "issue": sel["issue"].astype("string").to_numpy(),
        "motif": motif,
    })
    return out.sort_values(["cour_id", "court_id", "date_ouverture", "identifiant"], ignore_index=True)


def procedures_over_threshold(root: str | os.PathLike[str], year: int | None = None,
                              cour: str | None = None) -> pd.DataFrame:
    """Collective procedures to report to the DACS (circulaire § 2.2), from the stored register.

    Procedures with more than 250 employees or flagged strategic, optionally of one opening
    ``year`` and one ``cour`` (id such as ``ca-lyon``). Columns: ``OVER_THRESHOLD_COLUMNS``
    (court, cour, year, case number, company name, SIREN, type, opening date, employees, NAF
    sector, agricultural flag, outcome, reason). CONFIDENTIAL: for the remontées channel only.
    """
    courts = reference.courts_of_cour(cour) if cour else None
    rows = storage.read_rows(root, "procedures", court_ids=courts, years=[year] if year else None)
    return over_threshold(rows)
