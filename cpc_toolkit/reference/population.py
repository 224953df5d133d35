"""Real population data: population of each TJ ressort (2019 census) and projected 75+ by département.

Data (copied as-is, see ``data/PROVENANCE.md`` and ``data/README.md``):
- ``population_tj_2019.csv``: population of each tribunal judiciaire's ressort at the 2019 census (INSEE),
  as aggregated by the Ministry's A-JUST tool (betagouv/a-just, EUPL-1.2);
- ``population_75plus_dep_2018_2050.csv``: INSEE OMPHALE projection of people aged 60–75 and 75+ by
  département (metropolitan France only), by sex, 2018–2050 (jeandav/st_viellissement, DSJ study).

Unknown is never a guess: the 4 TPI and Mamoudzou have no population figure, and the overseas
départements have no 75+ projection; functions return NaN and a French reason for them.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from cpc_toolkit.errors import ReasonCode, ReferenceDataError
from cpc_toolkit.reference import _data, first_instance_courts

__all__ = [
    "ELDERLY_FIRST_YEAR",
    "ELDERLY_LAST_YEAR",
    "POPULATION_ATTRIBUTION",
    "POPULATION_YEAR",
    "WEIGHTING_SENTENCE",
    "court_populations",
    "departement_75plus",
    "departement_weights",
    "elderly_growth",
    "population_na_reason",
]

POPULATION_YEAR = 2019
ELDERLY_FIRST_YEAR, ELDERLY_LAST_YEAR = 2018, 2050
POPULATION_ATTRIBUTION = (
    "Population des ressorts : recensement INSEE 2019, agrégé par ressort de TJ dans A-JUST (Ministère de la "
    "Justice, betagouv/a-just, EUPL-1.2) ; projections des 75 ans et plus par département : INSEE OMPHALE, "
    "via le tableau de bord du vieillissement de la DSJ (jeandav/st_viellissement)."
)
NA_NO_POPULATION = ("population non disponible : le fichier du recensement 2019 par ressort (A-JUST) "
                    "ne donne aucun chiffre pour cette juridiction")
NA_NO_ELDERLY = ("projection des 75 ans et plus non disponible pour les départements de ce ressort "
                 "(projections INSEE OMPHALE : France métropolitaine seulement)")


@cache
def _tj_population() -> pd.Series:
    with _data("population_tj_2019.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"cpc_court_id": str}, keep_default_na=True)
    # Bordeaux and Épinal appear under two establishment codes, one without population: keep the figure
    pop = df.dropna(subset=["population_2019"]).groupby("cpc_court_id")["population_2019"].sum()
    return pop.astype(float)


def court_populations() -> pd.Series:
    """Population (2019 census) of each of the 168 first-instance courts; NaN where the file has none."""
    ids = first_instance_courts().index
    return _tj_population().reindex(ids).rename("population")


def population_na_reason(court_id: str) -> str:
    """Why a court has no population figure ('' when it has one)."""
    pop = _tj_population()
    return "" if court_id in pop.index and not np.isnan(pop[court_id]) else NA_NO_POPULATION


@cache
def _elderly() -> pd.DataFrame:
    # the file is Latin-1 encoded (kept byte-exact, as published)
    with _data("population_75plus_dep_2018_2050.csv").open("r", encoding="latin-1") as fh:
        df = pd.read_csv(fh, sep=";", dtype={"DEPNUM": str})
    df = df[df["FormulaCol2"].str.contains("75+", regex=False)]
    years = [c for c in df.columns if c.isdigit()]
    df = df.assign(dep=df["DEPNUM"].str.zfill(2))
    out = df.groupby("dep")[years].sum()  # both sexes
    out.columns = out.columns.astype(int)
    return out.astype(float)


def departement_75plus() -> pd.DataFrame:
    """Projected population aged 75+ (both sexes): one row per département code, one column per year."""
    return _elderly().copy()


@cache
def _weights() -> pd.DataFrame:
    courts = first_instance_courts()
    pop = _tj_population()
    rows: list[tuple[object, str, float]] = []
    for cid, deps in courts["departements"].items():
        share = pop.get(cid, np.nan) / len(deps) if deps else np.nan
        rows.extend((cid, d, share) for d in deps)
    w = pd.DataFrame(rows, columns=["court_id", "dep", "pop_share"])
    tot = w.groupby("dep")["pop_share"].transform("sum")
    n = w.groupby("dep")["court_id"].transform("size")
    # a département with one court belongs wholly to it; otherwise split by the courts' 2019 population
    w["weight"] = np.where(n == 1, 1.0, w["pop_share"] / tot)
    return w[["court_id", "dep", "weight"]]


def departement_weights() -> pd.DataFrame:
    """Share of each département attributed to each first-instance court (columns court_id, dep, weight).

    Approximation (no commune → TJ table is packaged): a département served by one court belongs wholly
    to it; a département shared by several courts is split in proportion to their 2019 population, the
    population of a court spanning several départements being divided equally between them.
    """
    return _weights().copy()


WEIGHTING_SENTENCE = (
    "Départements rattachés au ressort ; un département partagé entre plusieurs tribunaux est réparti au "
    "prorata de leur population de 2019 (approximation, faute de table commune → tribunal)."
)


def elderly_growth(reference_year: int, target_year: int) -> pd.DataFrame:
    """Ratio of projected 75+ population ``target_year`` / ``reference_year`` for each first-instance court.

    Columns: court_id, pop75_reference, pop75_target, ratio, na_reason. The reference year is clipped to
    the projection's range (2018–2050). NaN with a reason where no département of the ressort is covered.
    """
    years = _elderly().columns
    ref = int(min(max(reference_year, ELDERLY_FIRST_YEAR), ELDERLY_LAST_YEAR))
    tgt = int(min(max(target_year, ELDERLY_FIRST_YEAR), ELDERLY_LAST_YEAR))
    if ref not in years or tgt not in years:  # pragma: no cover - the file covers 2018–2050
        raise ReferenceDataError(f"Années hors des projections de population : {ref}, {tgt}.",
                                 ReasonCode.UNKNOWN_YEAR)
    w = _weights()
    el = _elderly()
    covered = w["dep"].isin(el.index)
    ww = w[covered]
    p_ref = ww["weight"].to_numpy() * el.loc[ww["dep"], ref].to_numpy()
    p_tgt = ww["weight"].to_numpy() * el.loc[ww["dep"], tgt].to_numpy()
    agg = pd.DataFrame({"court_id": ww["court_id"].to_numpy(), "ref": p_ref, "tgt": p_tgt}) \
        .groupby("court_id")[["ref", "tgt"]].sum(min_count=1)
    ids = first_instance_courts().index
    agg = agg.reindex(ids)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = agg["tgt"] / agg["ref"]
    # a ressort only partly covered (e.g. overseas collectivities of Basse-Terre) keeps its covered part
    reason = np.where(ratio.isna(), NA_NO_ELDERLY, "")
    return pd.DataFrame({"court_id": ids, "pop75_reference": agg["ref"].to_numpy(),
                         "pop75_target": agg["tgt"].to_numpy(), "ratio": ratio.to_numpy(),
                         "na_reason": reason})
