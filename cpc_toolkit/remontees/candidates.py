"""Candidates: procedures of the procédures register that should be signalled and are not yet.

Source: :func:`cpc_toolkit.registers.procedures_over_threshold` (collective procedures with more than
250 employees or flagged strategic). A procedure counts as signalled when a current case of the
remontées register names the same juridiction and either the same procedure reference (n° RG) or the
same SIREN.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cpc_toolkit.remontees.model import PROCEDURE_TYPES
from cpc_toolkit.remontees.store import RemonteesStore

CANDIDATE_COLUMNS = ["cour_id", "court_id", "identifiant", "denomination", "siren", "type_procedure",
                     "date_ouverture", "salaries", "secteur_naf", "motif"]


def _key(court: pd.Series, other: pd.Series) -> pd.Series:
    return court.astype("string").fillna("") + "|" + other.astype("string").str.strip().fillna("")


def candidates(over_threshold: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``over_threshold`` not matched by any case of ``cases`` (pure; inputs untouched)."""
    if over_threshold.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    ot = over_threshold.reset_index(drop=True)
    if len(cases):
        refs = set(_key(cases["juridiction_id"], cases["procedure_ref"])[cases["procedure_ref"].notna()])
        sirens = set(_key(cases["juridiction_id"], cases["siren"])[cases["siren"].notna()])
    else:
        refs, sirens = set(), set()
    by_ref = _key(ot["court_id"], ot["identifiant"]).isin(refs) & ot["identifiant"].notna()
    by_siren = _key(ot["court_id"], ot["siren"]).isin(sirens) & ot["siren"].notna()
    out = ot.loc[~(by_ref | by_siren).to_numpy(dtype=bool), CANDIDATE_COLUMNS]
    return out.reset_index(drop=True)


def candidates_for(donnees: Path, year: int | None = None, cour: str | None = None) -> pd.DataFrame:
    """Candidates of the data directory: the procédures register minus the remontées register."""
    from cpc_toolkit.registers import procedures_over_threshold

    over = procedures_over_threshold(donnees, year=year, cour=cour)
    cases = RemonteesStore(Path(donnees)).cases(cour=cour)
    return candidates(over, cases)


def candidates_table(df: pd.DataFrame) -> pd.DataFrame:
    """French display table of candidates (dates and numbers in fr-FR)."""
    from cpc_toolkit.fr import format_date, format_number

    labels = {**PROCEDURE_TYPES, "redressement_judiciaire": "redressement judiciaire",
              "liquidation_judiciaire": "liquidation judiciaire"}
    return pd.DataFrame({
        "cour": df["cour_id"],
        "juridiction": df["court_id"],
        "procédure": df["identifiant"],
        "entreprise": df["denomination"].fillna("–"),
        "SIREN": df["siren"].fillna("–"),
        "type": df["type_procedure"].map(lambda t: labels.get(str(t), str(t))),
        "ouverture": df["date_ouverture"].map(format_date),
        "salariés": df["salaries"].map(format_number),
        "NAF": df["secteur_naf"].fillna("–"),
        "motif": df["motif"],
    })
