"""Register of protective measures (mesures de protection juridique des majeurs).

The register describes the measures as they stand at 31 December of the register year Y (the
reference date). Rules:

* in force: opened on or before 31 Dec Y and not ended on that date;
* term: last renewal date + renewal duration, otherwise opening date + initial duration
  (months added the civil way: 31 Oct + 4 months = 28/29 Feb);
* overdue (art. 441–443 C. civ.): in force and term strictly before 31 Dec Y (on its term day a
  measure is still in force);
* due within N months: in force and 31 Dec Y ≤ term ≤ 31 Dec Y + N months;
* comptes de gestion (art. 510, 1254 CPC, décret 2024-659): due for tutelles and curatelles
  renforcées without dispensation (art. 513) that were open during Y − 1; missing at 30 June Y
  when no compte was received between 1 January and 30 June Y; not verified at 31 December when
  no compte received during Y was verified by 31 December Y (a missing compte is unverified);
* renewed for more than 5 years (art. 442): in force and last renewal duration > 60 months.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import cast

import numpy as np
import pandas as pd

from cpc_toolkit.registers import storage
from cpc_toolkit.registers.clocks import add_months, to_day, year_end
from cpc_toolkit.registers.schema import MEASURES_WITH_ACCOUNTS

DUE_MONTHS = (3, 6, 12)
LONG_RENEWAL_MONTHS = 60
INDICATORS = (
    "reg_pjm_mesures_suivies", "reg_pjm_echues_non_revisees", "reg_pjm_echeance_3m",
    "reg_pjm_echeance_6m", "reg_pjm_echeance_12m", "reg_pjm_comptes_manquants_30juin",
    "reg_pjm_comptes_non_verifies_31dec", "reg_pjm_renouvelees_plus_5ans",
)
ECHEANCE_COLUMNS = ["identifiant", "type_mesure", "type_mandataire", "date_ouverture",
                    "date_dernier_renouvellement", "terme", "jours_restants", "situation"]


def _days(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    cols = ("date_ouverture", "date_fin", "date_dernier_renouvellement", "date_dernier_compte_recu",
            "date_dernier_compte_verifie")
    return {c: to_day(rows[c]) for c in cols}


def _terms(rows: pd.DataFrame, days: dict[str, np.ndarray]) -> np.ndarray:
    renewed = days["date_dernier_renouvellement"]
    initial = add_months(days["date_ouverture"], rows["duree_mois"].to_numpy(dtype="float64"))
    again = add_months(renewed, rows["duree_renouvellement_mois"].to_numpy(dtype="float64"))
    return np.where(np.isnat(renewed), initial, again)


def _in_force(days: dict[str, np.ndarray], ref: np.datetime64) -> np.ndarray:
    ended = days["date_fin"]
    return (days["date_ouverture"] <= ref) & (np.isnat(ended) | (ended > ref))


def terms(rows: pd.DataFrame) -> np.ndarray:
    """Term of each measure (``datetime64[D]``)."""
    return _terms(rows, _days(rows))


def in_force(rows: pd.DataFrame, ref: np.datetime64) -> np.ndarray:
    return _in_force(_days(rows), ref)


def clocks(rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """One boolean column per rule at 31 December of ``year``, aligned on ``rows`` (pure)."""
    ref = year_end(year)
    days = _days(rows)
    live = _in_force(days, ref)
    term = _terms(rows, days)
    out = {"suivie": live, "echue": live & (term < ref)}
    for n in DUE_MONTHS:
        horizon = add_months(np.array([ref]), n)[0]
        out[f"echeance_{n}m"] = live & (term >= ref) & (term <= horizon)
    opened = days["date_ouverture"]
    with_accounts = rows["type_mesure"].isin(MEASURES_WITH_ACCOUNTS).to_numpy(dtype=bool)
    dispensed = rows["dispense_compte"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    owes = live & with_accounts & ~dispensed & (opened <= year_end(year - 1))
    received = days["date_dernier_compte_recu"]
    verified = days["date_dernier_compte_verifie"]
    jan1 = np.datetime64(f"{int(year)}-01-01", "D")
    jun30 = np.datetime64(f"{int(year)}-06-30", "D")
    on_time = (received >= jan1) & (received <= jun30)
    got_this_year = (received >= jan1) & (received <= ref)
    checked = got_this_year & (verified >= received) & (verified <= ref)
    out["compte_manquant_30juin"] = owes & ~on_time
    out["compte_non_verifie_31dec"] = owes & ~checked
    long_renewal = rows["duree_renouvellement_mois"].to_numpy(dtype="float64") > LONG_RENEWAL_MONTHS
    out["renouvelee_plus_5ans"] = live & ~np.isnat(days["date_dernier_renouvellement"]) & long_renewal
    return pd.DataFrame(out, index=rows.index)


_NAMES = {
    "suivie": "reg_pjm_mesures_suivies", "echue": "reg_pjm_echues_non_revisees",
    "echeance_3m": "reg_pjm_echeance_3m", "echeance_6m": "reg_pjm_echeance_6m",
    "echeance_12m": "reg_pjm_echeance_12m", "compte_manquant_30juin": "reg_pjm_comptes_manquants_30juin",
    "compte_non_verifie_31dec": "reg_pjm_comptes_non_verifies_31dec",
    "renouvelee_plus_5ans": "reg_pjm_renouvelees_plus_5ans",
}


def indicators(rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per court indicators of the register at 31 Dec ``year``: court_id, year, indicator_id, value.

    Every court present in ``rows`` gets every indicator (0 when no measure matches).
    """
    if rows.empty:
        return pd.DataFrame(columns=["court_id", "year", "indicator_id", "value"])
    flags = clocks(rows, year).rename(columns=_NAMES)
    courts = rows["juridiction"]
    cat = courts.cat if isinstance(courts.dtype, pd.CategoricalDtype) else courts.astype("category").cat
    codes = cat.codes.to_numpy()
    uniques = np.asarray(cat.categories, dtype=object)
    sums = {iid: np.bincount(codes, weights=flags[iid].to_numpy(dtype=np.float64), minlength=len(uniques))
            for iid in INDICATORS}
    wide = pd.DataFrame(sums, index=pd.Index(uniques.astype(str), name="court_id"))
    wide = wide[np.bincount(codes, minlength=len(uniques)) > 0].sort_index()  # courts present only
    long = cast(pd.Series, wide.stack()).rename("value").reset_index().rename(columns={"level_1": "indicator_id"})
    long.insert(1, "year", int(year))
    return long


def due_list(rows: pd.DataFrame, within_months: int, as_of: dt.date) -> pd.DataFrame:
    """Measures in force at ``as_of`` whose term is past or within ``within_months`` (pure).

    For the court's internal use only (individual measures): never in CLPC outputs.
    """
    ref = np.datetime64(as_of, "D")
    live = in_force(rows, ref)
    term = terms(rows)
    horizon = add_months(np.array([ref]), within_months)[0]
    keep = live & (term <= horizon)
    sel = rows[keep]
    t = term[keep]
    days = (t - ref).astype("timedelta64[D]").astype(np.int64)
    situation = np.where(days < 0, "échue, non réexaminée", "à réexaminer")
    out = pd.DataFrame({
        "identifiant": sel["identifiant"].astype("string").to_numpy(),
        "type_mesure": sel["type_mesure"].astype("string").to_numpy(),
        "type_mandataire": sel["type_mandataire"].astype("string").to_numpy(),
        "date_ouverture": to_day(sel["date_ouverture"]),
        "date_dernier_renouvellement": to_day(sel["date_dernier_renouvellement"]),
        "terme": t,
        "jours_restants": days,
        "situation": situation,
    })
    return out.sort_values(["terme", "identifiant"], ignore_index=True)


def echeances(root: str | os.PathLike[str], court_id: str, within_months: int = 6,
              as_of: dt.date | None = None) -> pd.DataFrame:
    """Measures of a court to review (latest stored register of the court). Internal use only."""
    years = storage.stored_court_years(root, "mesures")
    years = years[years["court_id"] == court_id]
    if years.empty:
        from cpc_toolkit.errors import ReasonCode, RegisterError

        raise RegisterError(f"Aucun registre des mesures importé pour « {court_id} » (commande : "
                            "cpc registre importer --type mesures FICHIER).", ReasonCode.NOT_FOUND)
    latest = int(years["year"].max())
    rows = storage.read_rows(root, "mesures", [court_id], [latest])
    return due_list(rows, within_months, as_of or dt.date.today())
