"""Allowlisted URL parameters of the dashboards (``?cour=ca-lyon&annee=2025``).

Only the names in :data:`ALLOWED_PARAMS` are ever read; every other name (``template``, ``theme``,
anything else) is ignored and never reaches code. Values are validated against the reference
data and the catalogue: an invalid value is dropped and reported as a French notice, and the
dashboard keeps its default for that filter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl

from cpc_toolkit import catalogue, reference

__all__ = ["ALLOWED_PARAMS", "LEVELS", "MAX_QUERY_LENGTH", "Selection", "parse_query", "query_string"]

#: the only URL parameter names the dashboards read (in the order they are applied)
ALLOWED_PARAMS = ("annee", "cour", "juridiction", "famille", "indicateur")
#: longer query strings are ignored as a whole
MAX_QUERY_LENGTH = 2000
#: dashboard levels (one notebook each)
LEVELS = ("national", "cour", "juridiction")


@dataclass(frozen=True)
class Selection:
    """Preselected filters (``None`` = the dashboard's default) and notices about ignored values."""

    annee: int | None = None
    cour: str | None = None
    juridiction: str | None = None
    famille: str | None = None
    indicateur: str | None = None
    notices: tuple[str, ...] = field(default=())

    def with_notice(self, text: str) -> Selection:
        return replace(self, notices=(*self.notices, text))


def _numeric_indicator_ids() -> frozenset[str]:
    return frozenset(i.id for i in catalogue.indicators() if i.numeric)


def parse_query(query: str | None, years: Iterable[int] | None = None) -> Selection:
    """Read the allowlisted parameters of a raw query string (``QUERY_STRING``).

    Pure function: unknown names are skipped without being evaluated; a repeated name keeps its
    first value; values are checked (year among ``years`` when given, cour id, first-instance
    court id, family id, numeric indicator id). A court given without its cour implies the cour;
    a court outside the given cour is dropped with a notice; an indicator implies its family.
    """
    sel = Selection()
    if not query:
        return sel
    if len(query) > MAX_QUERY_LENGTH:
        return sel.with_notice("Adresse trop longue : les paramètres ont été ignorés.")
    raw: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=False):
        if name in ALLOWED_PARAMS and name not in raw:
            raw[name] = value.strip()
    years_ok = sorted({int(y) for y in years}) if years is not None else None
    values: dict[str, object] = {}
    if "annee" in raw:
        text = raw["annee"]
        if text.isdigit() and (years_ok is None or int(text) in years_ok):
            values["annee"] = int(text)
        else:
            sel = sel.with_notice(f"Année « {text[:20]} » non disponible : année par défaut affichée.")
    cour_ids = set(reference.consolidation_units().index)
    court_ids = set(reference.first_instance_courts().index)
    if "cour" in raw:
        if raw["cour"] in cour_ids:
            values["cour"] = raw["cour"]
        else:
            sel = sel.with_notice(f"Cour d'appel « {raw['cour'][:40]} » inconnue : paramètre ignoré.")
    if "juridiction" in raw:
        jid = raw["juridiction"]
        if jid not in court_ids:
            sel = sel.with_notice(f"Juridiction « {jid[:40]} » inconnue : paramètre ignoré.")
        else:
            parent = reference.cour_of(jid)
            if values.get("cour", parent) != parent:
                sel = sel.with_notice(f"La juridiction « {jid} » ne relève pas de la cour choisie : "
                                      "paramètre ignoré.")
            else:
                values["juridiction"] = jid
                values["cour"] = parent
    if "famille" in raw:
        if raw["famille"] in {f.id for f in catalogue.families()}:
            values["famille"] = raw["famille"]
        else:
            sel = sel.with_notice(f"Famille « {raw['famille'][:40]} » inconnue : paramètre ignoré.")
    if "indicateur" in raw:
        iid = raw["indicateur"]
        if iid in _numeric_indicator_ids():
            fam = catalogue.get(iid).family
            if values.get("famille", fam) != fam:
                sel = sel.with_notice(f"L'indicateur « {iid} » n'appartient pas à la famille choisie : "
                                      "paramètre ignoré.")
            else:
                values["indicateur"] = iid
                values["famille"] = fam
        else:
            sel = sel.with_notice(f"Indicateur « {iid[:40]} » inconnu ou non chiffré : paramètre ignoré.")
    return replace(sel, **values)  # type: ignore[arg-type]  # values: checked fields of Selection only


def query_string(sel: Selection) -> str:
    """The query string that reproduces a selection (for shareable links), allowlisted names only."""
    from urllib.parse import urlencode

    pairs = [(name, getattr(sel, name)) for name in ALLOWED_PARAMS]
    return urlencode([(k, str(v)) for k, v in pairs if v is not None])
