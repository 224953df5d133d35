"""Register indicators computed out of core by DuckDB over the stored Parquet partitions.

Same rules and same results as the in-memory pandas / numpy path (``mesures.indicators``,
``procedures.indicators``, ``ordonnances.indicators``: the rules are documented there), but the rows
are never loaded into Python: DuckDB streams the court-year partitions of ``storage`` (or any
Parquet files) and returns only the per court-year counts. A national multi-year register (tens of
millions of rows) is computed in bounded memory (``MEMORY_LIMIT``) on every core.

Civil-law month arithmetic: DuckDB's ``date + INTERVAL n MONTH`` clips to the end of the month
(31 October + 4 months = 28/29 February), the convention of ``clocks.add_months``. Every flag is
``coalesce(…, false)`` so that a missing date never counts (NaT comparisons are false in numpy).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from cpc_toolkit import reference
from cpc_toolkit.registers import mesures, ordonnances, procedures, storage
from cpc_toolkit.registers.mesures import DUE_MONTHS, LONG_RENEWAL_MONTHS
from cpc_toolkit.registers.schema import COLLECTIVE_TYPES, MEASURES_WITH_ACCOUNTS

if TYPE_CHECKING:
    import duckdb

MEMORY_LIMIT = "1GB"
COLUMNS = ["court_id", "year", "indicator_id", "value"]

_MACROS = (
    # NaN (pandas' missing float) and NULL are both "unknown"
    "CREATE MACRO num(x) AS CASE WHEN isnan(x) THEN NULL ELSE x END",
    "CREATE MACRO add_m(d, m) AS CASE WHEN d IS NULL OR m IS NULL THEN NULL "
    "ELSE CAST(d + to_months(CAST(trunc(m) AS INTEGER)) AS DATE) END",
    "CREATE MACRO flag(x) AS coalesce(x, false)",
)


def _connect(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    import duckdb

    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "threads": threads or os.cpu_count() or 1,
                                 "preserve_insertion_order": False})
    for macro in _MACROS:
        con.execute(macro)
    return con


def _quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _files(paths: Sequence[Path]) -> str:
    return "[" + ", ".join(_quote(str(p)) for p in paths) + "]"


def _source(files_by_year: Mapping[int, Sequence[Path]], court_ids: Sequence[str] | None) -> str:
    """One ``UNION ALL`` branch per register year (the year is the partition's, not a column)."""
    where = f" WHERE juridiction IN ({', '.join(_quote(c) for c in court_ids)})" if court_ids is not None else ""
    return " UNION ALL ".join(
        f"SELECT *, {int(y)} AS annee FROM read_parquet({_files(f)}, union_by_name = true){where}"
        for y, f in sorted(files_by_year.items()) if f)


def _in_list(values: Sequence[str]) -> str:
    return ", ".join(_quote(v) for v in values) or "NULL"


def _mesures_sql(source: str) -> str:
    horizons = ", ".join(f"CAST(ref + to_months({n}) AS DATE) AS h{n}" for n in DUE_MONTHS)
    due = ", ".join(f"sum(CAST(live AND flag(terme >= ref AND terme <= h{n}) AS INTEGER)) "
                    f"AS reg_pjm_echeance_{n}m" for n in DUE_MONTHS)
    return f"""
    WITH r AS (
      SELECT annee, juridiction, type_mesure, make_date(annee, 12, 31) AS ref,
             CAST(date_ouverture AS DATE) AS ouv, CAST(date_fin AS DATE) AS fin,
             CAST(date_dernier_renouvellement AS DATE) AS ren,
             CAST(date_dernier_compte_recu AS DATE) AS recu,
             CAST(date_dernier_compte_verifie AS DATE) AS verif,
             num(duree_mois) AS duree, num(duree_renouvellement_mois) AS duree_ren,
             flag(dispense_compte) AS dispense
      FROM ({source})
    ), t AS (
      SELECT *, CASE WHEN ren IS NULL THEN add_m(ouv, duree) ELSE add_m(ren, duree_ren) END AS terme,
             {horizons},
             flag(ouv <= ref AND (fin IS NULL OR fin > ref)) AS live,
             make_date(annee, 1, 1) AS jan1, make_date(annee, 6, 30) AS jun30
      FROM r
    ), f AS (
      SELECT *,
             live AND flag(type_mesure IN ({_in_list(MEASURES_WITH_ACCOUNTS)})) AND NOT dispense
               AND flag(ouv <= make_date(annee - 1, 12, 31)) AS owes,
             flag(recu >= jan1 AND recu <= jun30) AS on_time,
             flag(recu >= jan1 AND recu <= ref) AND flag(verif >= recu AND verif <= ref) AS checked
      FROM t
    )
    SELECT juridiction AS court_id, annee AS year,
           sum(CAST(live AS INTEGER)) AS reg_pjm_mesures_suivies,
           sum(CAST(live AND flag(terme < ref) AS INTEGER)) AS reg_pjm_echues_non_revisees,
           {due},
           sum(CAST(owes AND NOT on_time AS INTEGER)) AS reg_pjm_comptes_manquants_30juin,
           sum(CAST(owes AND NOT checked AS INTEGER)) AS reg_pjm_comptes_non_verifies_31dec,
           sum(CAST(live AND ren IS NOT NULL AND flag(duree_ren > {LONG_RENEWAL_MONTHS}) AS INTEGER))
             AS reg_pjm_renouvelees_plus_5ans
    FROM f WHERE juridiction IS NOT NULL GROUP BY ALL"""


def _procedures_sql(source: str, as_of: dt.date) -> str:
    p = procedures
    counts = ", ".join(f"sum(CAST(flag(typ = {_quote(t)}) AS INTEGER)) AS {iid}"
                       for t, iid in p.COUNT_BY_TYPE.items())
    return f"""
    WITH r AS (
      SELECT juridiction, type_procedure AS typ, DATE {_quote(as_of.isoformat())} AS ref,
             CAST(date_ouverture AS DATE) AS ouv, CAST(date_fin AS DATE) AS fin,
             flag(prorogation) AS prorogee,
             CAST(date_debut_suspension AS DATE) AS susp, CAST(date_fin_suspension AS DATE) AS susp_fin,
             coalesce(suspension_renouvelee, true) AS susp_renouvelee,
             num(salaries) AS salaries, salarie_6_derniers_mois AS salarie_recent,
             num(actif_declare) AS actif, CAST(date_procedure_precedente AS DATE) AS precedente,
             flag(forme_debiteur = 'personne_morale') AS personne_morale,
             flag(profession_liberale_reglementee) AS reglementee,
             year(date_ouverture) AS year
      FROM ({source})
    ), f AS (
      SELECT *, coalesce(fin, ref) AS fin_ou_ref, coalesce(susp_fin, ref) AS susp_fin_ou_ref,
             flag(typ = 'retablissement_professionnel') AS rp,
             coalesce(salarie_recent, flag(salaries > 0)) AS avait_salarie,
             precedente IS NOT NULL AND flag(add_m(precedente, {p.RP_LOOKBACK_MONTHS}) > ouv) AS precedente_recente
      FROM r
    )
    SELECT juridiction AS court_id, year, {counts},
      sum(CAST(flag(typ = 'conciliation') AND flag(fin_ou_ref > add_m(ouv, CASE WHEN prorogee
          THEN {p.CONCILIATION_EXTENDED_MONTHS} ELSE {p.CONCILIATION_MONTHS} END)) AS INTEGER))
        AS reg_proc_conciliations_hors_delai,
      sum(CAST(rp AND flag(fin_ou_ref > add_m(ouv, {p.RETABLISSEMENT_MONTHS})) AS INTEGER))
        AS reg_proc_retablissements_hors_delai,
      sum(CAST(rp AND (personne_morale OR flag(actif > {p.RP_MAX_ASSETS}) OR avait_salarie
          OR precedente_recente) AS INTEGER)) AS reg_proc_retablissements_non_eligibles,
      sum(CAST(flag(typ = 'reglement_amiable_agricole') AND susp IS NOT NULL
          AND flag(susp_fin_ou_ref > add_m(susp, CASE WHEN susp_renouvelee THEN {2 * p.AGRI_STAY_MONTHS}
          ELSE {p.AGRI_STAY_MONTHS} END)) AS INTEGER)) AS reg_proc_agricoles_suspension_hors_delai,
      sum(CAST(flag(typ IN ({_in_list(COLLECTIVE_TYPES)})) AND flag(salaries > {p.EMPLOYEES_THRESHOLD})
          AS INTEGER)) AS reg_proc_plus_250_salaries,
      sum(CAST(flag(juridiction IN ({_in_list(sorted(reference.tae_tj_ids()))})) AND year >= {reference.TAE_START_YEAR}
          AND NOT reglementee AS INTEGER)) AS reg_proc_competence_tae
    FROM f WHERE juridiction IS NOT NULL GROUP BY ALL"""


def _ordonnances_sql(source: str, as_of: dt.datetime) -> str:
    return f"""
    WITH r AS (
      SELECT juridiction, year(coalesce(date_decision, date_demande)) AS year,
             CAST(date_decision AS DATE) AS decision,
             coalesce(CAST(date_fixation_audience AS DATE), CAST(date_demande AS DATE)) AS debut,
             CAST(oppi_saisine AS TIMESTAMP) AS saisine,
             coalesce(CAST(oppi_decision AS TIMESTAMP), TIMESTAMP {_quote(as_of.isoformat(sep=' '))}) AS oppi_fin
      FROM ({source})
    ), f AS (
      SELECT *, decision IS NOT NULL AS decidee,
             CASE WHEN decision IS NOT NULL THEN CAST(date_diff('day', debut, decision) AS DOUBLE) END AS delai
      FROM r
    )
    SELECT juridiction AS court_id, year,
           sum(CAST(decidee AS INTEGER)) AS reg_op_decisions,
           sum(CAST(decidee AND flag(delai > {ordonnances.OP_MAX_DAYS}) AS INTEGER)) AS reg_op_hors_delai_6j,
           median(delai) AS reg_op_delai_median,
           sum(CAST(saisine IS NOT NULL AS INTEGER)) AS reg_oppi_decisions,
           sum(CAST(saisine IS NOT NULL AND flag(epoch(oppi_fin) - epoch(saisine) > 86400) AS INTEGER))
             AS reg_oppi_hors_delai_24h
    FROM f WHERE juridiction IS NOT NULL GROUP BY ALL"""


def indicators_from_files(register_type: str, files_by_year: Mapping[int, Sequence[Path]],
                          as_of: dt.date | dt.datetime | None = None, court_ids: Sequence[str] | None = None,
                          threads: int | None = None) -> pd.DataFrame:
    """Per court-year indicators (court_id, year, indicator_id, value) of register Parquet files.

    ``files_by_year``: register year → Parquet files with the canonical columns (``storage``). Rows and
    order are those of the pandas path: sorted by court, year and indicator (catalogue order for
    mesures and procédures, alphabetical for ordonnances, as there).
    """
    source = _source(files_by_year, court_ids)
    if not source:
        return pd.DataFrame(columns=COLUMNS)
    if register_type == "mesures":
        sql, names = _mesures_sql(source), list(mesures.INDICATORS)
    elif register_type == "procedures":
        sql, names = _procedures_sql(source, _as_date(as_of)), list(procedures.INDICATORS)
    elif register_type == "ordonnances":
        moment = pd.Timestamp(as_of or dt.datetime.now()).to_pydatetime().replace(microsecond=0)
        sql, names = _ordonnances_sql(source, moment), sorted(ordonnances.INDICATORS)
    else:
        raise ValueError(register_type)
    con = _connect(threads)
    try:
        wide = con.execute(sql).df()
    finally:
        con.close()
    if wide.empty:
        return pd.DataFrame(columns=COLUMNS)
    wide["court_id"] = wide["court_id"].astype(str)
    wide["year"] = wide["year"].astype("int64")
    long = wide.melt(id_vars=["court_id", "year"], value_vars=names, var_name="indicator_id", value_name="value")
    long["value"] = long["value"].astype("float64")
    order = {n: i for i, n in enumerate(names)}
    keys = ["year", "court_id"] if register_type == "mesures" else ["court_id", "year"]
    long = long.assign(_k=long["indicator_id"].map(order)).sort_values([*keys, "_k"], ignore_index=True)
    return long.drop(columns="_k")[COLUMNS]


def _as_date(as_of: dt.date | dt.datetime | None) -> dt.date:
    if as_of is None:
        return dt.date.today()
    return as_of.date() if isinstance(as_of, dt.datetime) else as_of


def stored_indicators(root: str | os.PathLike[str], register_type: str, years: list[int] | None = None,
                      court_ids: list[str] | None = None, as_of: dt.date | dt.datetime | None = None,
                      threads: int | None = None) -> pd.DataFrame:
    """Indicators of the stored register (``storage`` partitions), read partition by partition."""
    files = storage.partition_files(root, register_type, years, court_ids)
    return indicators_from_files(register_type, files, as_of, court_ids, threads)
