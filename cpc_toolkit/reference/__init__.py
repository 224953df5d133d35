"""French court map: cours d'appel, tribunaux judiciaires, TPI, TAE, départements.

Data: ``data/courts.csv``, ``data/departements.csv``, ``data/departements.geojson``
(see ``data/PROVENANCE.md`` and ``data/README.md`` for sources and attribution).
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from cpc_toolkit.errors import ReasonCode, ReferenceDataError

if TYPE_CHECKING:  # pandas is imported by the functions returning frames only (light `cpc` start)
    import pandas as pd

__all__ = [
    "ATTRIBUTION",
    "COUR_KINDS",
    "FIRST_INSTANCE_KINDS",
    "NATIONAL",
    "TAE_START_YEAR",
    "consolidation_units",
    "cour_departements",
    "cour_of",
    "court",
    "court_name",
    "court_rows",
    "courts",
    "courts_of_cour",
    "departements",
    "departements_geojson",
    "first_instance_courts",
    "has_tae",
    "level_label",
    "level_of",
    "levels",
    "national_name",
    "short_name",
    "tae_tj_ids",
    "validate_scope",
]

FIRST_INSTANCE_KINDS = ("TJ", "TPI")
COUR_KINDS = ("CA", "TSA")
NATIONAL = "national"
TAE_START_YEAR = 2025
ATTRIBUTION = (
    "Carte judiciaire : COJ Tableau IV, Judilibre (Cour de cassation), Ministère de la Justice ; "
    "contours des départements : IGN – Admin Express, via france-geojson (Licence Ouverte Etalab)."
)


_DATA = Path(__file__).resolve().parent / "data"


def _data(name: str) -> Path:
    return _DATA / name


@cache
def _rows() -> dict[str, dict[str, str]]:
    """courts.csv read with the csv module (no pandas): court id → row (all fields text)."""
    with _data("courts.csv").open("r", encoding="utf-8", newline="") as fh:
        return {row["court_id"]: row for row in csv.DictReader(fh)}


@cache
def _courts() -> pd.DataFrame:
    import pandas as pd

    df = pd.DataFrame(list(_rows().values()), dtype=str)
    df["departements"] = df["departement_codes"].map(lambda s: tuple(x for x in s.split(";") if x))
    return df.set_index("court_id", drop=False)


def _row(court_id: str) -> dict[str, str]:
    """One court's raw row; raises a French error naming close ids when unknown."""
    rows = _rows()
    if court_id not in rows:
        close = difflib.get_close_matches(str(court_id), list(rows), n=5, cutoff=0.75)
        if not close and str(court_id).split("-")[-1]:
            close = [c for c in rows if str(court_id).split("-")[-1] in c][:5]
        hint = f" Vouliez-vous dire : {', '.join(close)} ?" if close else ""
        raise ReferenceDataError(
            f"Juridiction inconnue : « {court_id} ».{hint} "
            "La liste complète est donnée par « cpc juridictions ».",
            ReasonCode.UNKNOWN_COURT,
        )
    return rows[court_id]


def court_rows(kind: str | tuple[str, ...] | None = None, cour: str | None = None) -> list[dict[str, str]]:
    """Same selection as :func:`courts`, as plain rows (copies) in file order, without pandas."""
    rows = list(_rows().values())
    if kind is not None:
        kinds = (kind,) if isinstance(kind, str) else kind
        _check_kinds(kinds)
        rows = [r for r in rows if r["kind"] in kinds]
    if cour is not None:
        _check_cour(cour)
        rows = [r for r in rows if r["parent_ca_id"] == cour]
    return [dict(r) for r in rows]


def _check_kinds(kinds: tuple[str, ...]) -> None:
    known = {r["kind"] for r in _rows().values()}
    bad = [k for k in kinds if k not in known]
    if bad:
        raise ReferenceDataError(
            f"Type de juridiction inconnu : {', '.join(bad)}. Types possibles : "
            f"{', '.join(sorted(known))}.",
            ReasonCode.UNKNOWN_COURT,
        )


def courts(kind: str | tuple[str, ...] | None = None, cour: str | None = None) -> pd.DataFrame:
    """All courts (a copy), optionally filtered by kind(s) and parent cour id."""
    kinds = None if kind is None else (kind,) if isinstance(kind, str) else tuple(kind)
    return _selection(kinds, cour).copy()


@cache
def _selection(kinds: tuple[str, ...] | None, cour: str | None) -> pd.DataFrame:
    """The selection of :func:`courts`, computed once (reports ask for the same ones thousands of
    times); callers get copies."""
    df = _courts()
    if kinds is not None:
        _check_kinds(kinds)
        df = df[df["kind"].isin(kinds)]
    if cour is not None:
        _check_cour(cour)
        df = df[df["parent_ca_id"] == cour]
    return df


def court(court_id: str) -> pd.Series:
    """One court's row; raises a French error naming close ids when unknown."""
    _row(court_id)
    # court ids are the unique index of the courts frame: one label gives one row (a Series)
    return cast("pd.Series", _courts().loc[court_id]).copy()


LEVELS = ("juridiction", "cour", "national")


@cache
def _level_rows() -> dict[str, dict[str, str]]:
    """The comparison levels and their French names (``data/levels.csv``), validated at load (no pandas)."""
    with _data("levels.csv").open("r", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    problems = []
    if tuple(r["level"] for r in rows) != LEVELS:
        problems.append(f"niveaux attendus {', '.join(LEVELS)}, trouvés {', '.join(r['level'] for r in rows)}")
    for row in rows:
        if not row.get("label") or not row.get("plural"):
            problems.append(f"niveau {row.get('level')} : libellé manquant")
    nat = [r for r in rows if r["level"] == NATIONAL]
    if len(nat) != 1 or not nat[0].get("name") or not nat[0].get("short_name"):
        problems.append("le niveau national doit avoir un nom et un nom court")
    if problems:
        raise ReferenceDataError("Fichier levels.csv invalide : " + " ; ".join(problems),
                                 ReasonCode.UNKNOWN_COURT)
    return {r["level"]: r for r in rows}


def levels() -> pd.DataFrame:
    """The three comparison levels (juridiction, cour, national) with their French labels (a copy)."""
    import pandas as pd

    return pd.DataFrame(list(_level_rows().values()), dtype=str).set_index("level", drop=False)


def level_label(level: str, plural: bool = False) -> str:
    """French name of a level: « juridiction », « cour d'appel », « national » (or plural)."""
    rows = _level_rows()
    if level not in rows:
        raise ReferenceDataError(f"Niveau inconnu : « {level} » ({', '.join(LEVELS)}).", ReasonCode.UNKNOWN_COURT)
    return rows[level]["plural" if plural else "label"]


def national_name(short: bool = False) -> str:
    """Name of the national unit (« France entière »; short form « France »)."""
    return _level_rows()[NATIONAL]["short_name" if short else "name"]


def court_name(court_id: str) -> str:
    """French name of a court, a cour, or « France entière » for ``national``."""
    if court_id == NATIONAL:
        return national_name()
    return _row(court_id)["name"]


def first_instance_courts(cour: str | None = None) -> pd.DataFrame:
    """The CLPC scope: 164 TJ + 4 TPI = 168 courts (optionally those of one cour)."""
    return courts(FIRST_INSTANCE_KINDS, cour=cour)


def consolidation_units() -> pd.DataFrame:
    """The 36 cours d'appel + the TSA of Saint-Pierre-et-Miquelon = 37 units."""
    return courts(COUR_KINDS)


def _check_cour(cour: str) -> None:
    rows = _rows()
    if cour not in rows or rows[cour]["kind"] not in COUR_KINDS:
        raise ReferenceDataError(
            f"Cour d'appel inconnue : « {cour} ». Exemple d'identifiant : ca-lyon "
            "(liste : « cpc juridictions --type CA »).",
            ReasonCode.UNKNOWN_COURT,
        )


def courts_of_cour(cour: str) -> list[str]:
    """Ids of the first-instance courts (TJ/TPI) of a cour d'appel or the TSA (file order)."""
    return list(_courts_of_cour(cour))


@cache
def _courts_of_cour(cour: str) -> tuple[str, ...]:
    return tuple(_selection(FIRST_INSTANCE_KINDS, cour)["court_id"])


def cour_of(court_id: str) -> str:
    """Parent cour id of a first-instance court."""
    row = _row(court_id)
    if not row["parent_ca_id"]:
        raise ReferenceDataError(
            f"« {court_id} » n'a pas de cour d'appel de rattachement.", ReasonCode.UNKNOWN_COURT
        )
    return str(row["parent_ca_id"])


def level_of(unit_id: str) -> str:
    """``juridiction``, ``cour`` or ``national`` for any unit id."""
    if unit_id == NATIONAL:
        return "national"
    kind = _row(unit_id)["kind"]
    if kind in COUR_KINDS:
        return "cour"
    if kind in FIRST_INSTANCE_KINDS:
        return "juridiction"
    raise ReferenceDataError(
        f"« {unit_id} » n'entre pas dans le périmètre de la politique civile (TJ, TPI, cours d'appel).",
        ReasonCode.UNKNOWN_COURT,
    )


def validate_scope(unit_id: str, level: str | None = None) -> str:
    """Check that ``unit_id`` exists (and is of ``level`` if given); return its level."""
    found = level_of(unit_id)
    if level is not None and found != level:
        labels = {"juridiction": "un tribunal judiciaire ou un TPI", "cour": "une cour d'appel",
                  "national": "« national »"}
        raise ReferenceDataError(
            f"« {unit_id} » n'est pas {labels[level]}.", ReasonCode.UNKNOWN_COURT
        )
    return found


def cour_departements(cour: str) -> tuple[str, ...]:
    """Départements of a cour: the union of its courts' départements."""
    _check_cour(cour)
    codes: set[str] = set()
    for deps in courts(cour=cour)["departements"]:
        codes.update(deps)
    return tuple(sorted(codes))


@cache
def tae_tj_ids() -> frozenset[str]:
    """The TJ whose ressort has a tribunal des activités économiques (from 1 January 2025).

    A TJ is in a TAE ressort when the TAE has the same seat, or when every commercial court of
    the TJ's département is a TAE (e.g. Carpentras, in the ressort of the TAE of Avignon).
    """
    rows = _rows()
    seats = {cid.removeprefix("tae-") for cid, r in rows.items() if r["kind"] == "TAE"}
    ids = {f"tj-{s}" for s in seats if f"tj-{s}" in rows}
    for row in _departement_rows():
        commercial = [c for c in row["commercial_court_ids"].split(";") if c]
        if commercial and all(c.startswith("tae-") for c in commercial):
            ids.update(t for t in row["tj_ids"].split(";") if t)
    return frozenset(ids)


def has_tae(court_id: str, year: int) -> bool:
    """True when agricultural and collective procedures of this TJ go to a TAE in ``year``."""
    return year >= TAE_START_YEAR and court_id in tae_tj_ids()


@cache
def _departement_rows() -> tuple[dict[str, str], ...]:
    with _data("departements.csv").open("r", encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


@cache
def _departements() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(list(_departement_rows()), dtype=str)


def departements() -> pd.DataFrame:
    """The 108 départements and collectivités with their cour d'appel and courts."""
    return _departements().copy()


@cache
def _geojson_text() -> str:
    return _data("departements.geojson").read_text(encoding="utf-8")


def departements_geojson() -> dict[str, Any]:
    """Outlines of the 101 départements (IGN – Admin Express, via france-geojson)."""
    return json.loads(_geojson_text())


_NAME_PREFIX = re.compile(r"^(Tribunal judiciaire|Tribunal de première instance|Cour d'appel|Tribunal supérieur "
                          r"d'appel)( de la | de l'| de | d'| du | des )")


@cache
def short_name(unit_id: str) -> str:
    """Short name for axes and cards: « TJ Saint-Étienne », « CA Lyon », « France »."""
    if unit_id == NATIONAL:
        return national_name(short=True)
    row = _row(unit_id)
    return f"{row['kind']} {_NAME_PREFIX.sub('', str(row['name']))}"
