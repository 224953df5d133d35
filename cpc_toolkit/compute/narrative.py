"""« Faits marquants »: deterministic French sentences built from like-for-like changes and positions.

Every number written in a sentence is formatted with :mod:`cpc_toolkit.fr` from a raw value kept
in :attr:`FaitMarquant.numbers`, so that tests (and readers) can check it against the results.

Editorial rules (one place, here):

- changes are **like for like** (courts present both years, :func:`~.compare.changes`); when that
  perimeter is partial, the sentence says it next to the figure (« sur les 5 juridictions
  présentes les deux années (5/6) ») and ranks are not given for a partial value;
- facts are ranked by importance; the national priorities of the circulaire of 27 June 2025
  (:data:`PRIORITY_FAMILIES`) weigh :data:`PRIORITY_WEIGHT` times more;
- alerts are not repeated: they have their own block (:func:`~.alerts.alerts`), and no position
  sentence is written for an indicator in alert;
- one fact per idea: indicators that say the same thing (:data:`EQUIVALENT_INDICATORS`) give at
  most one sentence, the first of their group when it is known;
- no rank for volumes nor yes/no answers (:data:`~.compare.UNRANKED_UNITS`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

import pandas as pd

from cpc_toolkit import catalogue, fr, reference
from cpc_toolkit.compute.alerts import AlertConfig, alerts
from cpc_toolkit.compute.compare import (
    UNRANKED_UNITS,
    changes,
    cour_of,
    courts_of,
    courts_where,
    coverage,
    positions,
    reporting_courts,
    results_index,
    unit_level,
    unit_name,
)
from cpc_toolkit.fr import format_change, format_number, format_signed, format_value, unit_suffix


def _ministerial_priorities() -> tuple[str, ...]:
    """Families of the « priorités ministérielles » (§ 3 of the circulaire of 27 June 2025), read
    from the catalogue's ``circulaire`` field: amiable, majeurs, agricole, vif, demat."""
    return tuple(f.id for f in catalogue.families() if f.circulaire.strip().startswith("§ 3"))


PRIORITY_FAMILIES: tuple[str, ...] = _ministerial_priorities()
PRIORITY_WEIGHT = 1.6  # their facts weigh that much more

# Groups of indicators that say the same thing (one idea → at most one sentence). The first of a
# group is preferred; the others are used only when it is unknown. DTES (stock / monthly
# outflow, in months) and the CEPEJ disposition time (365 × stock / outflow, in days) are the
# same ratio in two units; ARA ordered, held and their outcomes move together (the idea is « the
# ARA grow »); the share of e-signed minutes and their number are one idea.
EQUIVALENT_INDICATORS: tuple[tuple[str, ...], ...] = (
    ("act_cg_dtes", "act_cg_disposition_time"),
    ("act_jaf_dtes", "act_jaf_disposition_time"),
    ("act_jcp_dtes", "act_jcp_disposition_time"),
    ("act_refere_dtes", "act_refere_disposition_time"),
    ("ami_ara_tenues", "ami_ara_ordonnees", "ami_ara_accord_total", "ami_ara_accord_partiel", "ami_ara_echec"),
    ("dem_part_signature_electronique", "dem_minutes_signees_electroniquement"),
)

# indicators whose evolution is worth a sentence besides ratios and delays (civil inflow, stock)
_EXTRA_EVOLUTION = ("act_total_entrees", "act_total_stock_fin", "pjm_mesures_total", "vif_op_demandees")
# English or technical words of catalogue labels, said in plain French in sentences
_SPOKEN = (("Disposition time CEPEJ", "Durée d'écoulement CEPEJ"),)
_POSITION_FACTS_MAX = 2  # ranks are context, not the story: at most two per report
_PER_FAMILY_MAX = 2  # a short list covers several priorities before a third fact of one family
_COVERAGE_IMPORTANCE = 10.0  # the perimeter caveat is always said first


@dataclass(frozen=True)
class FaitMarquant:
    """One sentence and the raw numbers it was built from.

    ``kind`` is ``evolution``, ``position`` or ``couverture``; ``importance`` orders the sentences
    (higher first); ``numbers`` maps a name to the raw value written in the text (rounded only
    when displayed); ``idea`` is the idea key (:func:`idea_of`) of the indicator; ``partial`` is
    True when the figure covers fewer courts than the unit has (the sentence says so).
    """

    text: str
    importance: float
    indicator_id: str | None
    numbers: dict[str, float] = field(default_factory=dict)
    kind: str = "evolution"
    idea: str | None = None
    partial: bool = False


@cache
def _idea_map() -> dict[str, str]:
    return {iid: group[0] for group in EQUIVALENT_INDICATORS for iid in group}


def idea_of(indicator_id: str) -> str:
    """The idea an indicator expresses: the first indicator of its :data:`EQUIVALENT_INDICATORS` group."""
    return _idea_map().get(indicator_id, indicator_id)


def _priority(indicator_id: str) -> float:
    return PRIORITY_WEIGHT if catalogue.get(indicator_id).family in PRIORITY_FAMILIES else 1.0


# --------------------------------------------------------------------------- French grammar

_FEMININE = {"part", "date", "organisation", "expérimentation", "disposition", "durée"}
_ACRONYM_PLURAL_F = {"ara", "oppi"}


def spoken_label(indicator_id: str) -> str:
    """The catalogue label, with technical English words said in French (« Durée d'écoulement CEPEJ »)."""
    label = catalogue.get(indicator_id).label
    for old, new in _SPOKEN:
        label = label.replace(old, new)
    return label


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


def _rounded(v: float, unit: str) -> float:
    return fr.rounded(v, unit)


def _perimeter(n_common: int, n_total: int) -> str:
    """« sur les 5 juridictions présentes les deux années (5/6) »."""
    return (f"sur les {format_number(n_common)} juridictions présentes les deux années "
            f"({format_number(n_common)}/{format_number(n_total)})")


@cache
def _candidates() -> tuple[str, ...]:
    out = [i.id for i in catalogue.indicators()
           if i.numeric and i.direction != "neutral" and i.unit in ("percent", "months", "days")]
    # volumes of the national priorities (ARA tenues, mesures, OP…) are news by themselves
    out.extend(i.id for i in catalogue.indicators()
               if i.numeric and i.unit == "count" and i.direction != "neutral" and i.family in PRIORITY_FAMILIES)
    out.extend(_EXTRA_EVOLUTION)
    return tuple(dict.fromkeys(out))


# --------------------------------------------------------------------------- facts


def faits_marquants(res: pd.DataFrame, unit_id: str, year: int, n: int = 6,
                    config: AlertConfig | None = None) -> list[FaitMarquant]:
    """The ``n`` most important facts of a court, a cour or the nation for ``year``.

    Built from like-for-like year-over-year changes of key indicators (compared with the cour's
    median for a court, with the national value for a cour), extreme positions (first / last of
    the cour for a court, of the cours for a cour; not for volumes, yes/no answers, partial values
    nor indicators in alert, see ``config``) and partial coverage. Alerts are not repeated here.
    Deterministic: same results → same sentences, in decreasing importance; at most one sentence
    per idea (:func:`idea_of`); a family gets a third sentence only when no other family has one
    to give.
    """
    level = unit_level(unit_id)
    idx = results_index(res)
    if int(year) not in idx.years:
        return []
    facts: list[FaitMarquant] = []
    facts.extend(_coverage_facts(res, unit_id, level, year))
    facts.extend(_evolution_facts(res, unit_id, level, year))
    if level != "national":
        facts.extend(_position_facts(res, unit_id, level, year, config))
    order = {iid: k for k, iid in enumerate(i.id for i in catalogue.indicators())}
    facts.sort(key=lambda f: (-round(f.importance, 9), order.get(f.indicator_id or "", -1), f.text))
    seen: set[str] = set()
    n_positions = 0
    unique: list[FaitMarquant] = []
    for f in facts:
        key = f.idea or f.text
        if key in seen or (f.kind == "position" and n_positions >= _POSITION_FACTS_MAX):
            continue
        seen.add(key)
        n_positions += f.kind == "position"
        unique.append(f)
    # variety: at most _PER_FAMILY_MAX facts of one family while others wait; then by importance
    chosen: list[int] = []
    per_family: dict[str, int] = {}
    for k, f in enumerate(unique):
        fam = catalogue.get(f.indicator_id).family if f.indicator_id else ""
        if fam and per_family.get(fam, 0) >= _PER_FAMILY_MAX:
            continue
        per_family[fam] = per_family.get(fam, 0) + 1
        chosen.append(k)
        if len(chosen) >= n:
            break
    if len(chosen) < n:
        chosen += [k for k in range(len(unique)) if k not in chosen][:n - len(chosen)]
    return [unique[k] for k in sorted(chosen)]


def _reference_values(res: pd.DataFrame, unit_id: str, level: str, year: int) -> tuple[str, dict[str, float]]:
    """Comparison point for a unit: median of the cour (court) or national value (cour)."""
    idx = results_index(res)
    if level == "juridiction":
        cour = cour_of(unit_id)
        w = idx.wide("juridiction", year)
        members = [c for c in courts_of(cour) if c in w.index]
        med = w.loc[members].median(numeric_only=True) if members else pd.Series(dtype=float)
        return f"la médiane de la {reference.level_label('cour')}", cast(dict[str, float], med.to_dict())
    if level == "cour":
        w = idx.wide("national", year)
        vals = w.loc[reference.NATIONAL].to_dict() if reference.NATIONAL in w.index else {}
        return "la valeur nationale", cast(dict[str, float], vals)
    return "", {}


def _preferred_known(ids_known: set[str], indicator_id: str) -> bool:
    """False when a preferred equivalent of ``indicator_id`` is known (the fact is said with it)."""
    idea = idea_of(indicator_id)
    if idea == indicator_id:
        return True
    group = next(g for g in EQUIVALENT_INDICATORS if indicator_id in g)
    return not any(g in ids_known for g in group[:group.index(indicator_id)])


def _evolution_importance(unit: str, shown_delta: float, value: float, previous: float) -> float:
    """Size of a change on a common scale: 1 for 5 points on a rate, ±25 % on a volume (as a ratio:
    ×2 weighs like ÷2), ±10 % on a delay; capped at 6; small volumes (< 10) count half."""
    if unit == "percent":
        return min(abs(shown_delta) / 5.0, 6.0)
    if not (value > 0 and previous > 0):
        return 1.0  # from or to zero: notable, not measurable as a ratio
    imp = min(abs(math.log(value / previous)) / math.log(1.25 if unit == "count" else 1.1), 6.0)
    if unit == "count" and min(value, previous) < 10:
        imp *= 0.5  # small numbers move a lot by chance
    return imp


def _evolution_facts(res: pd.DataFrame, unit_id: str, level: str, year: int) -> list[FaitMarquant]:
    ch = changes(res, unit_id, year)
    ch = ch[ch["indicator_id"].isin(_candidates()) & ch["comparable"]]
    known = set(ch["indicator_id"])
    ref_label, ref = _reference_values(res, unit_id, level, year)
    facts = []
    for r in cast(Iterable[Any], ch.itertuples(index=False)):  # named rows
        if not _preferred_known(known, r.indicator_id):
            continue
        unit = r.unit
        v = _rounded(r.value_lfl, unit)
        # the change as every output shows it: fr rounds the (like-for-like) change itself, once
        shown_delta = fr.rounded(r.delta, unit)
        if shown_delta == 0:
            continue
        numbers = {"valeur": float(r.value_lfl), "precedent": float(r.previous_lfl), "ecart": shown_delta}
        pct = float(r.delta_pct) if pd.notna(r.delta_pct) else math.nan
        if unit != "percent" and (math.isnan(pct) or round(pct, 1) == 0):
            continue
        phrase, plural = _noun_phrase(spoken_label(r.indicator_id))
        verb = "passent" if plural else "passe"
        delta_txt = format_change(shown_delta, unit, words=True)
        if unit == "count":
            ratio = float(r.value_lfl) / float(r.previous_lfl) if r.previous_lfl else math.nan
            if not math.isnan(ratio) and ratio >= 2:
                numbers["rapport"] = ratio
                delta_txt += f", soit {format_number(ratio, 1)} fois plus"
            else:
                numbers["ecart_pct"] = pct
                delta_txt += f", soit {format_signed(pct, 1)}{unit_suffix('percent')}"
        partial = bool(r.partial)
        lead = ""
        if partial:
            numbers["n_common"], numbers["n_total"] = float(r.n_common), float(r.n_expected)
            lead = _cap(_perimeter(int(r.n_common), int(r.n_expected))) + ", "
            phrase_txt = phrase
        else:
            phrase_txt = _cap(phrase)
        text = (f"{lead}{phrase_txt} {verb} de {format_value(r.previous_lfl, unit)} à "
                f"{format_value(r.value_lfl, unit)} ({delta_txt})")
        rv = ref.get(r.indicator_id) if unit != "count" else None
        if rv is not None and not math.isnan(rv):
            numbers["reference"] = float(rv)
            cmp_v = _rounded(rv, unit)
            where = ("au-dessus de" if v > cmp_v else "au-dessous de" if v < cmp_v else "au niveau de")
            text += f" et se {'situent' if plural else 'situe'} {where} {ref_label} ({format_value(rv, unit)})"
        importance = _evolution_importance(unit, shown_delta, float(r.value_lfl), float(r.previous_lfl)) \
            * _priority(r.indicator_id)
        if partial and r.n_expected:
            importance *= float(r.n_common) / float(r.n_expected)  # a change over few courts says less
        facts.append(FaitMarquant(text + ".", importance, r.indicator_id, numbers, "evolution",
                                  idea_of(r.indicator_id), partial))
    return facts


def _alerted_indicators(res: pd.DataFrame, unit_id: str, year: int, config: AlertConfig | None) -> set[str]:
    al = alerts(res, unit_id, year, config=config, include_courts=False)
    return {str(i) for i in al.get("indicator_id", pd.Series(dtype=str)) if i}


def _position_facts(res: pd.DataFrame, unit_id: str, level: str, year: int,
                    config: AlertConfig | None) -> list[FaitMarquant]:
    ids = [i for i in _candidates() if catalogue.get(i).direction != "neutral"
           and catalogue.get(i).unit not in UNRANKED_UNITS]
    pos = positions(res, unit_id, year, ids)
    group = "cour" if level == "juridiction" else "national"
    sub = pos[(pos["group"] == group) & (pos["n"] >= 3) & pos["rankable"] & ~pos["partial"].astype(bool)]
    known = set(sub["indicator_id"])
    sub = sub[(sub["rank"] == 1) | (sub["rank"] == sub["n"])]
    if sub.empty:
        return []
    in_alert = _alerted_indicators(res, unit_id, year, config)
    who = _who(unit_id, level)
    facts = []
    for r in cast(Iterable[Any], sub.itertuples(index=False)):  # named rows
        if r.indicator_id in in_alert or not _preferred_known(known, r.indicator_id):
            continue
        if r.rank == r.n and r.rank == 1:
            continue  # everyone tied
        unit = catalogue.get(r.indicator_id).unit
        numbers = {"rang": float(r.rank), "n": float(r.n), "valeur": float(r.value), "mediane": float(r.median)}
        best = r.rank == 1
        if level == "juridiction":
            among = f"des {format_number(r.n)} juridictions de la {reference.level_label('cour')}"
            med = f"médiane de la {reference.level_label('cour')}"
        else:
            among = f"des {format_number(r.n)} {reference.level_label('cour', plural=True)}"
            if r.n_partial:  # other cours ranked on partial totals: say it
                numbers["n_partielles"] = float(r.n_partial)
                among += f" (dont {format_number(r.n_partial)} aux données partielles)"
            med = "médiane des " + reference.level_label("cour", plural=True)
        phrase, _ = _noun_phrase(spoken_label(r.indicator_id))
        text = (f"{who} est au {'premier' if best else 'dernier'} rang {among} pour {phrase} "
                f"({format_value(r.value, unit)} ; {med} : {format_value(r.median, unit)}).")
        importance = (1.2 if best else 1.4) * _priority(r.indicator_id)
        facts.append(FaitMarquant(text, importance, r.indicator_id, numbers, "position", idea_of(r.indicator_id)))
    return facts


def _who(unit_id: str, level: str) -> str:
    """Subject of a sentence about the unit: « La juridiction », « La cour d'appel », « Le tribunal
    supérieur d'appel » (the TSA of Saint-Pierre is not a cour d'appel)."""
    if level == "cour":
        name = unit_name(unit_id)
        if not name.lower().startswith("cour"):
            head = name.rsplit(" de ", 1)[0]  # « Tribunal supérieur d'appel »
            return _cap(("le " if head.lower().startswith("tribunal") else "la ") + head.lower())
    return _cap(f"la {reference.level_label(level)}")


def _names(court_ids: tuple[str, ...] | list[str]) -> str:
    return ", ".join(unit_name(c) for c in court_ids)


def _coverage_facts(res: pd.DataFrame, unit_id: str, level: str, year: int) -> list[FaitMarquant]:
    if level == "juridiction":
        return []
    cov = coverage(res, year)
    row = cov[cov["unit_id"] == unit_id]
    if row.empty or not bool(row["partial"].iloc[0]):
        return []
    r = row.iloc[0]
    missing = list(r["missing_ids"])
    which = f" (manque : {_names(missing)})" if 0 < len(missing) <= 3 else ""
    whose = "de la cour" if level == "cour" else "de la " + reference.national_name()
    text = (f"Données partielles pour {year} : {format_number(r['n_reporting'])} juridictions sur "
            f"{format_number(r['n_expected'])} ont transmis leurs données{which} ; les totaux {whose} "
            f"sont incomplets et les évolutions sont calculées sur les juridictions présentes les deux années.")
    return [FaitMarquant(text, _COVERAGE_IMPORTANCE, None,
                         {"n_reporting": float(r["n_reporting"]), "n_expected": float(r["n_expected"]),
                          "annee": float(year)}, "couverture", None, True)]


# --------------------------------------------------------------------------- yes/no lists


def courts_where_sentence(res: pd.DataFrame, unit_id: str, year: int, indicator_id: str,
                          value: bool | float = True) -> str:
    """Which courts of a cour answer ``value``, never saying « aucune » for an unknown answer.

    « Tribunal judiciaire d'Alès » / « aucune parmi les 5 juridictions ayant répondu ; Tribunal
    judiciaire de Privas n’a pas transmis de données » / « toutes les juridictions ayant répondu
    (5 sur 6) ; … ». Names are public court names (never cases nor companies).
    """
    cw = courts_where(res, unit_id, year, indicator_id, value)
    n_ans, n_all = len(cw.answered), len(cw.answered) + len(cw.unknown)
    if not cw.answered:
        return f"inconnu : aucune des {format_number(n_all)} juridictions n'a répondu"
    if not cw.matching:
        head = f"aucune parmi les {format_number(n_ans)} juridictions ayant répondu" if n_ans > 1 else \
            "aucune (une seule juridiction a répondu)"
    elif len(cw.matching) == n_ans and cw.unknown:
        head = f"toutes les juridictions ayant répondu ({format_number(n_ans)} sur {format_number(n_all)})"
    else:
        head = _names(cw.matching)
    if not cw.unknown:
        return head
    sent = reporting_courts(res, year)
    parts = [head]
    silent = [c for c in cw.unknown if c not in sent]
    blank = [c for c in cw.unknown if c in sent]
    if silent:
        parts.append(f"{_names(silent)} {'n’a' if len(silent) == 1 else 'n’ont'} pas transmis de données")
    if blank:
        parts.append(f"{_names(blank)} {'n’a' if len(blank) == 1 else 'n’ont'} pas répondu à cette question")
    return " ; ".join(parts)
