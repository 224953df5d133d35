"""« Faits marquants »: deterministic French sentences built from changes, positions and alerts.

Every number written in a sentence is formatted with :mod:`cpc_toolkit.fr` from a raw value kept
in :attr:`FaitMarquant.numbers`, so that tests (and readers) can check it against the results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from cpc_toolkit import catalogue, fr, reference
from cpc_toolkit.compute.alerts import AlertConfig, alerts
from cpc_toolkit.compute.compare import (
    changes,
    cour_of,
    courts_of,
    coverage,
    positions,
    results_index,
    unit_level,
)
from cpc_toolkit.fr import decimals_of, format_change, format_number, format_signed, format_value, unit_suffix

SEVERITY_WEIGHT = {"haute": 3.0, "moyenne": 2.2, "basse": 1.2}
# indicators whose evolution is worth a sentence (ratios and delays, plus the civil inflow)
_EXTRA_EVOLUTION = ("act_total_entrees", "act_total_stock_fin", "pjm_mesures_total", "vif_op_demandees")


@dataclass(frozen=True)
class FaitMarquant:
    """One sentence and the raw numbers it was built from.

    ``kind`` is ``evolution``, ``position``, ``alerte`` or ``couverture``; ``importance`` orders
    the sentences (higher first); ``numbers`` maps a name to the raw value written in the text
    (rounded only when displayed).
    """

    text: str
    importance: float
    indicator_id: str | None
    numbers: dict[str, float] = field(default_factory=dict)
    kind: str = "evolution"


# --------------------------------------------------------------------------- French grammar

_FEMININE = {"part", "date", "organisation", "expérimentation", "disposition", "durée"}
_ACRONYM_PLURAL_F = {"ara", "oppi"}


def _noun_phrase(label: str) -> tuple[str, bool]:
    """« le taux de couverture … » / « la part … » / « les affaires … » and whether it is plural."""
    first = label.split()[0]
    low = first.lower()
    body = label if (len(first) > 1 and first[1:2].isupper()) else label[0].lower() + label[1:]
    if low in _ACRONYM_PLURAL_F:
        return f"les {body}", True
    plural = (low.endswith("s") or low.endswith("x")) and low not in {"taux"}
    if plural:
        return f"les {body}", True
    if low[0] in "aeiouyéèêh":
        return f"l'{body}", False
    return (f"la {body}" if low in _FEMININE else f"le {body}"), False


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ordinal(n: int) -> str:
    return "1er" if n == 1 else f"{n}e"


def _decimals(unit: str) -> int:
    return decimals_of(unit)


def _rounded(v: float, unit: str) -> float:
    return fr.rounded(v, unit)


@cache
def _candidates() -> tuple[str, ...]:
    out = [i.id for i in catalogue.indicators()
           if i.numeric and i.direction != "neutral" and i.unit in ("percent", "months", "days")]
    out.extend(_EXTRA_EVOLUTION)
    return tuple(dict.fromkeys(out))


# --------------------------------------------------------------------------- facts


def faits_marquants(res: pd.DataFrame, unit_id: str, year: int, n: int = 6,
                    config: AlertConfig | None = None) -> list[FaitMarquant]:
    """The ``n`` most important facts of a court, a cour or the nation for ``year``.

    Built from: year-over-year changes of key indicators (compared with the cour's median for a
    court, with the national value for a cour), extreme positions (first / last of the cour,
    top or bottom decile nationally), alerts (own alerts; for a cour, how many of its courts are in
    alert per rule) and partial coverage. Deterministic: same results → same sentences, in
    decreasing importance; at most one sentence per indicator.
    """
    level = unit_level(unit_id)
    idx = results_index(res)
    if int(year) not in idx.years:
        return []
    facts: list[FaitMarquant] = []
    facts.extend(_coverage_facts(res, unit_id, level, year))
    facts.extend(_alert_facts(res, unit_id, level, year, config))
    facts.extend(_evolution_facts(res, unit_id, level, year))
    if level != "national":
        facts.extend(_position_facts(res, unit_id, level, year))
    order = {iid: k for k, iid in enumerate(i.id for i in catalogue.indicators())}
    facts.sort(key=lambda f: (-round(f.importance, 9), order.get(f.indicator_id or "", -1), f.text))
    seen: set[str] = set()
    out: list[FaitMarquant] = []
    for f in facts:
        key = f.indicator_id or f.text
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
        if len(out) >= n:
            break
    return out


def _reference_values(res: pd.DataFrame, unit_id: str, level: str, year: int) -> tuple[str, dict[str, float]]:
    """Comparison point for a unit: median of the cour (court) or national value (cour)."""
    idx = results_index(res)
    if level == "juridiction":
        cour = cour_of(unit_id)
        w = idx.wide("juridiction", year)
        members = [c for c in courts_of(cour) if c in w.index]
        med = w.loc[members].median(numeric_only=True) if members else pd.Series(dtype=float)
        return f"la médiane de la {reference.level_label('cour')}", med.to_dict()
    if level == "cour":
        w = idx.wide("national", year)
        vals = w.loc[reference.NATIONAL].to_dict() if reference.NATIONAL in w.index else {}
        return "la valeur nationale", vals
    return "", {}


def _evolution_facts(res: pd.DataFrame, unit_id: str, level: str, year: int) -> list[FaitMarquant]:
    ch = changes(res, unit_id, year)
    ch = ch[ch["indicator_id"].isin(_candidates()) & ch["comparable"]]
    ref_label, ref = _reference_values(res, unit_id, level, year)
    facts = []
    for r in ch.itertuples(index=False):
        unit = r.unit
        v = _rounded(r.value, unit)
        # the change as every output shows it: fr rounds the (like-for-like) change itself, once
        shown_delta = fr.rounded(r.delta, unit)
        if shown_delta == 0:
            continue
        numbers = {"valeur": float(r.value), "precedent": float(r.previous), "ecart": shown_delta}
        phrase, plural = _noun_phrase(r.label)
        verb = "passent" if plural else "passe"
        if unit == "percent":
            delta_txt = format_change(shown_delta, unit, words=True)
            importance = abs(shown_delta) / 5.0
        elif pd.notna(r.delta_pct) and r.previous != 0:
            pct = fr.round_half_up(float(r.delta_pct), 1)
            if pct == 0:
                continue
            numbers["ecart_pct"] = float(r.delta_pct)
            delta_txt = format_signed(pct, 1) + unit_suffix("percent")  # a relative change, in %
            importance = abs(pct) / 10.0
        else:
            continue
        text = (f"{_cap(phrase)} {verb} de {format_value(r.previous, unit)} à {format_value(r.value, unit)} "
                f"({delta_txt})")
        rv = ref.get(r.indicator_id) if unit != "count" else None
        if rv is not None and not np.isnan(rv):
            numbers["reference"] = float(rv)
            cmp_v = _rounded(rv, unit)
            where = ("au-dessus de" if v > cmp_v else "au-dessous de" if v < cmp_v else "au niveau de")
            text += f" et se {'situent' if plural else 'situe'} {where} {ref_label} ({format_value(rv, unit)})"
        if r.direction != "neutral" and pd.notna(r.improved):
            importance *= 1.1
        facts.append(FaitMarquant(text + ".", min(importance, 2.9), r.indicator_id, numbers, "evolution"))
    return facts


def _position_facts(res: pd.DataFrame, unit_id: str, level: str, year: int) -> list[FaitMarquant]:
    ids = [i for i in _candidates() if catalogue.get(i).direction != "neutral"]
    pos = positions(res, unit_id, year, ids)
    facts = []
    group = "cour" if level == "juridiction" else "national"
    sub = pos[(pos["group"] == group) & (pos["n"] >= 3)]
    who = _cap(f"la {reference.level_label(level)}")
    among = f"de la {reference.level_label('cour')}" if level == "juridiction" else \
        reference.level_label("cour", plural=True)
    for r in sub.itertuples(index=False):
        if r.rank not in (1, r.n):
            continue
        # ties: last rank only when strictly last
        unit = catalogue.get(r.indicator_id).unit
        label = catalogue.get(r.indicator_id).label
        numbers = {"rang": float(r.rank), "n": float(r.n), "valeur": float(r.value), "mediane": float(r.median)}
        best = r.rank == 1
        rank_txt = _ordinal(int(r.rank))
        if level == "juridiction":
            where = f"sur {format_number(r.n)} juridictions {among}"
        else:
            where = f"sur {format_number(r.n)} {among}"
        text = (f"{who} se classe au {rank_txt} rang {where} {_pour_phrase(label)} "
                f"({format_value(r.value, unit)} ; médiane : {format_value(r.median, unit)}).")
        importance = 1.6 if best else 1.8
        facts.append(FaitMarquant(text, importance, r.indicator_id, numbers, "position"))
    return facts


def _pour_phrase(label: str) -> str:
    phrase, _ = _noun_phrase(label)
    return "pour " + phrase


def _alert_facts(res: pd.DataFrame, unit_id: str, level: str, year: int,
                 config: AlertConfig | None) -> list[FaitMarquant]:
    al = alerts(res, unit_id, year, config=config, include_courts=(level == "cour"))
    if al.empty:
        return []
    facts = []
    own = al[al["unit_id"] == unit_id]
    for r in own.itertuples(index=False):
        if r.rule_id == "donnees_manquantes" and level != "juridiction":
            continue  # said by the coverage sentence
        numbers: dict[str, float] = {"valeur": float(r.value)}
        if not np.isnan(r.threshold):
            numbers["seuil"] = float(r.threshold)
        numbers["annee"] = float(year)
        text = f"Alerte « {r.rule_label} » : {r.message}"
        facts.append(FaitMarquant(text, SEVERITY_WEIGHT.get(r.severity, 1.0) + 0.5, r.indicator_id or None,
                                  numbers, "alerte"))
    if level == "cour":
        courts = al[(al["unit_id"] != unit_id) & (al["rule_id"] != "donnees_manquantes")]
        n_courts = len(courts_of(unit_id))
        for rule_id, grp in courts.groupby("rule_id", sort=True):
            names = sorted(set(grp["unit_name"]), key=fr.sort_key)
            k = len(names)
            first = grp.iloc[0]
            shown = ", ".join(names[:4]) + (" …" if k > 4 else "")
            text = (f"{format_number(k)} juridiction{'s' if k > 1 else ''} sur {format_number(n_courts)} "
                    f"{'sont' if k > 1 else 'est'} en alerte « {first['rule_label']} » : {shown}.")
            numbers = {"n_alerte": float(k), "n": float(n_courts)}
            imp = SEVERITY_WEIGHT.get(first["severity"], 1.0) * (0.6 + 0.4 * k / max(n_courts, 1))
            facts.append(FaitMarquant(text, imp, f"regle:{rule_id}", numbers, "alerte"))
    return facts


def _coverage_facts(res: pd.DataFrame, unit_id: str, level: str, year: int) -> list[FaitMarquant]:
    if level == "juridiction":
        return []
    cov = coverage(res, year)
    row = cov[cov["unit_id"] == unit_id]
    if row.empty or not bool(row["partial"].iloc[0]):
        return []
    r = row.iloc[0]
    text = (f"Données partielles pour {year} : {format_number(r['n_reporting'])} juridictions sur "
            f"{format_number(r['n_expected'])} ont transmis leurs données ; les totaux de "
            f"{'la cour' if level == 'cour' else 'la ' + reference.national_name()} sont donc incomplets.")
    return [FaitMarquant(text, 4.0, None, {"n_reporting": float(r["n_reporting"]),
                                            "n_expected": float(r["n_expected"]), "annee": float(year)},
                         "couverture")]
