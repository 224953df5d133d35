"""What a dashboard shows: its data (loaded once per kernel) and its filter state.

The state is a frozen value; :func:`next_state` gives the state after a filter change, with the
cascades (cour ↔ juridiction, famille → indicateur), without touching any widget.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from cpc_toolkit import catalogue, compute, fr, reference
from cpc_toolkit.dashboard.params import LEVELS, Selection, query_string
from cpc_toolkit.errors import CpcError, DashboardError, ReasonCode

__all__ = [
    "DEFAULT_INDICATOR",
    "FILTERS",
    "DashboardData",
    "State",
    "check_level",
    "cour_options",
    "court_options",
    "default_state",
    "family_options",
    "focus_unit",
    "indicator_options",
    "load_data",
    "next_state",
    "scope_units",
    "selection_values",
    "share_query",
]

DEFAULT_INDICATOR = "act_total_taux_couverture"
FILTERS = ("annee", "cour", "juridiction", "famille", "indicateur")


@dataclass
class DashboardData:
    """What every dashboard needs, loaded once per kernel (results table and reference lists)."""

    res: pd.DataFrame
    years: list[int]
    demo: bool
    cours: list[str]
    tag: str = ""
    cache: dict[Any, Any] = field(default_factory=dict)

    def memo(self, key: Any, build: Callable[[], Any]) -> Any:
        """Per-kernel memo of derived frames (coverage, alerts… per year/unit)."""
        if key not in self.cache:
            self.cache[key] = build()
        return self.cache[key]


def load_data(data_dir: str | os.PathLike[str] | None = None) -> DashboardData:
    """Open the store, compute (or read the cached) results; French errors when unusable."""
    from cpc_toolkit.store import open_store

    store = open_store(data_dir)
    try:
        res = compute.results(store)
        subs = store.submissions()
    except CpcError:
        raise
    except Exception as exc:  # corrupt Parquet, unreadable manifest…
        raise DashboardError(
            f"Les données du dossier « {store.root} » sont illisibles ou incomplètes. "
            "Vérifiez le dossier des données (--donnees) ou relancez l'import.", ReasonCode.STORE_CORRUPT,
        ) from exc
    if res.empty:
        raise DashboardError(
            f"Aucune donnée dans « {store.root} ». Importez des classeurs (cpc collecte) ou construisez la "
            "démonstration (cpc demo).", ReasonCode.NOT_FOUND,
        )
    years = sorted(int(y) for y in res["year"].unique())
    demo = bool(len(subs)) and bool(subs["demo"].fillna(False).astype(bool).any())
    cours = sorted(reference.consolidation_units().index, key=lambda c: fr.sort_key(reference.court_name(c)))
    return DashboardData(res=res, years=years, demo=demo, cours=cours, tag=str(store.manifest().get("tag", "")))


@dataclass(frozen=True)
class State:
    annee: int
    cour: str  # "" = all cours (national dashboard only)
    juridiction: str  # "" = none
    famille: str
    indicateur: str


def check_level(level: str) -> None:
    if level not in LEVELS:
        raise DashboardError(f"Niveau de tableau de bord inconnu : « {level} » (national, cour, juridiction).",
                             ReasonCode.USAGE)


def default_state(level: str, data: DashboardData) -> State:
    year = data.years[-1]
    cour = "" if level == "national" else "ca-paris"
    court = ""
    if level == "juridiction":
        court = "tj-paris"
        cour = reference.cour_of(court)
    ind = catalogue.get(DEFAULT_INDICATOR)
    return State(annee=year, cour=cour, juridiction=court, famille=ind.family, indicateur=ind.id)


# ---------------------------------------------------------------- options of the controls
def cour_options(level: str, data: DashboardData) -> list[tuple[str, str]]:
    opts = [(reference.court_name(c), c) for c in data.cours]
    return ([("Toutes les cours d'appel", ""), *opts]) if level == "national" else opts


def court_options(level: str, cour: str) -> list[tuple[str, str]]:
    ids = reference.courts_of_cour(cour) if cour else list(reference.first_instance_courts().index)
    opts = sorted(((reference.court_name(c), c) for c in ids), key=lambda t: fr.sort_key(t[0]))
    return opts if level == "juridiction" else [("Aucune (vue d'ensemble)", ""), *opts]


def family_options() -> list[tuple[str, str]]:
    return [(f.label, f.id) for f in catalogue.families()
            if any(i.numeric for i in catalogue.indicators(family=f.id))]


def indicator_options(family: str) -> list[tuple[str, str]]:
    return [(i.label, i.id) for i in catalogue.indicators(family=family) if i.numeric]


# ---------------------------------------------------------------- transitions
def next_state(level: str, state: State, values: dict[str, Any]) -> tuple[State, set[str]]:
    """The state after changing ``values`` (cascading cour ↔ juridiction, famille → indicateur)."""
    changed: set[str] = set()
    new = asdict(state)
    for k, v in values.items():
        if v is None or k not in new:
            continue
        if new[k] != v:
            new[k] = v
            changed.add(k)
    if "cour" in changed and "juridiction" not in values:
        if new["juridiction"] and reference.cour_of(new["juridiction"]) != new["cour"]:
            new["juridiction"] = "" if level != "juridiction" else court_options(level, new["cour"])[0][1]
            changed.add("juridiction")
    if level == "juridiction" and not new["juridiction"]:
        new["juridiction"] = court_options(level, new["cour"])[0][1]
        changed.add("juridiction")
    if "juridiction" in changed and new["juridiction"] and level != "national":
        parent = reference.cour_of(new["juridiction"])
        if parent != new["cour"]:
            new["cour"] = parent
            changed.add("cour")
    if "famille" in changed and "indicateur" not in values:
        opts = indicator_options(new["famille"])
        if new["indicateur"] not in {v for _, v in opts}:
            new["indicateur"] = opts[0][1]
            changed.add("indicateur")
    return State(**new), changed


def selection_values(sel: Selection, years: list[int]) -> tuple[dict[str, Any], list[str]]:
    """Filter values and notices of a validated URL selection."""
    values: dict[str, Any] = {}
    notices = list(sel.notices)
    if sel.annee is not None:
        if sel.annee in years:
            values["annee"] = sel.annee
        else:
            notices.append(f"Année {sel.annee} non disponible : année {years[-1]} affichée.")
    if sel.cour is not None:
        values["cour"] = sel.cour
    if sel.juridiction is not None:
        values["juridiction"] = sel.juridiction
        values["cour"] = reference.cour_of(sel.juridiction)
    if sel.famille is not None:
        values["famille"] = sel.famille
    if sel.indicateur is not None:
        values["indicateur"] = sel.indicateur
    return values, notices


# ---------------------------------------------------------------- derived
def scope_units(state: State, data: DashboardData) -> list[str]:
    """Units of the current selection, as exported: (nation,) cour(s) and courts shown."""
    if state.juridiction:
        return [state.juridiction, reference.cour_of(state.juridiction), reference.NATIONAL]
    if state.cour:
        return [state.cour, *sorted(reference.courts_of_cour(state.cour)), reference.NATIONAL]
    return [reference.NATIONAL, *data.cours]


def focus_unit(state: State) -> str:
    return state.juridiction or state.cour or reference.NATIONAL


def share_query(state: State) -> str:
    return "?" + query_string(Selection(annee=state.annee, cour=state.cour or None,
                                        juridiction=state.juridiction or None, famille=state.famille,
                                        indicateur=state.indicateur))
