"""Tables of the regional (chef de cour) and national reports: courts × indicators, five-year series,
a cour's position among the cours, harmonisation points from the spread between courts.

Pure functions of the engine's results (read through the one lookup API); they return
:class:`~cpc_toolkit.render.tables.Table` values (raw numbers + units, formatted to fr-FR when
drawn) or plain data for the report builders of :mod:`cpc_toolkit.render.report`. Unknown values
stay unknown (never 0, never « aucune »); partial perimeters are carried as ``n/N juridictions``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from cpc_toolkit import catalogue, compute, reference
from cpc_toolkit.compute.compare import SIZE_INDICATOR
from cpc_toolkit.fr import format_change, format_number, format_value
from cpc_toolkit.render.tables import Table, html_table

__all__ = ["Spread", "bool_answers", "courts_matrix", "details", "family_ids", "perimeter", "position_table",
           "rankable", "series_table", "similar_cours", "spreads", "units_table"]

RANKED_UNITS = ("percent", "months", "days")  # no rank for volumes (count, fte) nor yes/no answers


def family_ids(family_id: str) -> list[str]:
    """Numeric catalogue indicators of one family, in catalogue order."""
    return [i.id for i in catalogue.indicators(family=family_id) if i.numeric]


def rankable(indicator_id: str) -> bool:
    """Whether ranking units on an indicator makes sense: a rate or a duration with a direction."""
    ind = catalogue.get(indicator_id)
    return ind.unit in RANKED_UNITS and ind.direction != "neutral"


def perimeter(n: int, total: int) -> str:
    """« 5/6 juridictions »."""
    return f"{n}/{total} juridictions"


def details(summary: str, inner_html: str, open_: bool = False) -> str:
    """A collapsible block (``<details>``), printed open (see report.css)."""
    return (f'<details class="cpc-details"{" open" if open_ else ""}><summary>{html.escape(summary)}</summary>'
            f"{inner_html}</details>")


class _RowUnits(Table):
    """Rows are indicators: every value column in the row's unit, except ``ref_columns`` (in the
    ``_unit_ref`` unit) and the plain text columns."""

    def __init__(self, frame: pd.DataFrame, plain: Sequence[str] = (), ref_columns: Sequence[str] = ()) -> None:
        super().__init__(frame, row_units="_unit")
        self.plain = set(plain)
        self.ref_columns = set(ref_columns)

    def unit_of(self, row: Mapping[str, Any], column: str) -> str | None:
        if column in self.plain or column.startswith("_"):
            return None
        if column in self.ref_columns and "_unit_ref" in row:
            return str(row["_unit_ref"])
        return str(row["_unit"])


# ------------------------------------------------------------------------------ courts × indicators
def courts_matrix(res: pd.DataFrame, cour_id: str, year: int, indicator_ids: Sequence[str],
                  with_family: bool = False) -> Table:
    """One row per indicator, one column per court of the cour (short names) and the cour's total.

    A court that has not transmitted its data shows unknown marks (never 0)."""
    courts = list(reference.courts_of_cour(cour_id))
    wide = compute.values_by_unit(res, year, list(indicator_ids), [*courts, cour_id])
    cour_col = reference.short_name(cour_id)
    rows = []
    for iid in indicator_ids:
        ind = catalogue.get(iid)
        row: dict[str, object] = {}
        if with_family:
            row["famille"] = catalogue.family(ind.family).label
        row["indicateur"] = ind.label
        row["_unit"] = compute.display_unit(iid, "juridiction")
        row["_unit_ref"] = compute.display_unit(iid, "cour")
        for c in courts:
            row[reference.short_name(c)] = wide.at[c, iid]
        row[cour_col] = wide.at[cour_id, iid]
        rows.append(row)
    return _RowUnits(pd.DataFrame(rows), plain=("famille", "indicateur"), ref_columns=(cour_col,))


# ------------------------------------------------------------------------------ five-year series
def series_table(res: pd.DataFrame, unit_ids: Sequence[str], indicator_ids: Sequence[str],
                 years: Sequence[int], with_family: bool = False) -> Table:
    """One row per (indicator, unit), one column per year: the published value of each year.

    A consolidated value on a partial perimeter is followed, in the « périmètre » column, by the
    years concerned (« 2025 : 5/6 juridictions »)."""
    years = sorted(int(y) for y in years)
    idx = compute.results_index(res)
    rows = []
    for iid in indicator_ids:
        ind = catalogue.get(iid)
        for u in unit_ids:
            level = reference.level_of(u)
            row: dict[str, object] = {}
            if with_family:
                row["famille"] = catalogue.family(ind.family).label
            row["indicateur"] = ind.label
            row["unité"] = reference.short_name(u)
            row["_unit"] = compute.display_unit(iid, level)
            notes = []
            for y in years:
                row[str(y)] = compute.value(res, u, y, iid)
                r = idx.row(u, y)
                if level != "juridiction" and r is not None:
                    n, e = _reporting(res, u, y)
                    if n < e:
                        notes.append(f"{y} : {perimeter(n, e)}")
            row["périmètre"] = " ; ".join(notes) if level != "juridiction" else ""
            rows.append(row)
    return _RowUnits(pd.DataFrame(rows), plain=("famille", "indicateur", "unité", "périmètre"))


def _reporting(res: pd.DataFrame, unit_id: str, year: int) -> tuple[int, int]:
    return compute.reporting_counts(res, year).get(unit_id, (0, 0))


# ------------------------------------------------------------------------------ a cour among the cours
def similar_cours(res: pd.DataFrame, cour_id: str, year: int, k: int = 8) -> list[str]:
    """The ``k`` cours closest in size to ``cour_id`` (and the cour itself).

    Size is the mean civil inflow (``act_total_entrees``) over the years where the cour's perimeter
    was complete (all its courts reported), so that a missing court never makes a cour look smaller."""
    units = list(reference.consolidation_units().index)
    years = [y for y in compute.results_index(res).years if y <= year]
    sizes: dict[str, float] = {}
    for u in units:
        vals = []
        for y in years:
            n, e = _reporting(res, u, y)
            v = compute.value(res, u, y, SIZE_INDICATOR)
            if n == e and not math.isnan(v):
                vals.append(v)
        if vals:
            sizes[u] = float(np.mean(vals))
    if cour_id not in sizes:
        return [cour_id]
    own = sizes[cour_id]
    near = sorted((u for u in sizes if u != cour_id), key=lambda u: (abs(math.log(sizes[u] / own))
                                                                     if sizes[u] > 0 and own > 0 else math.inf, u))
    return sorted([cour_id, *near[:k]])


def _rank(values: pd.Series, unit_id: str, direction: str) -> tuple[int, int]:
    """Rank of ``unit_id`` (1 = best, ties share the best rank) among the units with a value."""
    v = values.dropna()
    if unit_id not in v.index:
        return 0, len(v)
    own = float(v[unit_id])
    better = (v < own - 1e-12) if direction == "lower" else (v > own + 1e-12)
    return int(better.sum()) + 1, len(v)


def position_table(res: pd.DataFrame, cour_id: str, year: int, indicator_ids: Sequence[str],
                   peers: Sequence[str]) -> Table:
    """The cour's value, the median and its rank among the 37 cours and among ``peers`` (cours of
    similar size). Ranks only for rates and durations (never for volumes or yes/no answers); a
    value computed on a partial perimeter has its rank flagged « n/N juridictions »."""
    units = list(reference.consolidation_units().index)
    wide = compute.values_by_unit(res, year, list(indicator_ids), units)
    peer_wide = wide.reindex(list(peers))
    medians, peer_medians = wide.median(), peer_wide.median()  # NaN for a column without any value
    n, e = _reporting(res, cour_id, year)
    partial = f"rang sur {perimeter(n, e)}" if n < e else ""
    rows = []
    for iid in indicator_ids:
        ind = catalogue.get(iid)
        col = wide[iid]
        own = col.get(cour_id, math.nan)
        row: dict[str, object] = {"indicateur": ind.label, "_unit": compute.display_unit(iid, "cour"),
                                  "cour": own, "médiane des cours": float(medians[iid]),
                                  "médiane taille comparable": float(peer_medians[iid])}
        if rankable(iid) and not math.isnan(own):
            r, m = _rank(col, cour_id, ind.direction)
            rp, mp = _rank(peer_wide[iid], cour_id, ind.direction)
            row["rang / cours"] = f"{r}/{m}"
            row["rang / taille comparable"] = f"{rp}/{mp}"
            row["remarque"] = partial
        else:
            row["rang / cours"] = row["rang / taille comparable"] = "–"
            row["remarque"] = "sans classement (volume ou réponse oui/non)" if not rankable(iid) else ""
        rows.append(row)
    return _RowUnits(pd.DataFrame(rows), plain=("indicateur", "rang / cours", "rang / taille comparable",
                                                "remarque"))


# ------------------------------------------------------------------------------ harmonisation
@dataclass(frozen=True)
class Spread:
    """The spread of one indicator between the reporting courts of a cour."""

    indicator_id: str
    label: str
    unit: str
    n: int
    total: int
    low: float
    low_court: str
    high: float
    high_court: str
    median: float
    cv: float  # coefficient of variation (std / mean)
    ratio: float  # max / min (inf when min is 0)

    def sentence(self) -> str:
        gap = format_change(self.high - self.low, self.unit).lstrip("+")
        ratio = "" if not math.isfinite(self.ratio) else f", rapport max/min {format_number(self.ratio, 1)}"
        return (f"de {format_value(self.low, self.unit)} ({self.low_court}) à {format_value(self.high, self.unit)} "
                f"({self.high_court}), écart {gap}{ratio}, coefficient de variation "
                f"{format_value(100 * self.cv, 'percent', 0)} — {perimeter(self.n, self.total)}")


def spreads(res: pd.DataFrame, cour_id: str, year: int, indicator_ids: Sequence[str] | None = None,
            top: int = 12, min_courts: int = 2) -> list[Spread]:
    """Indicators on which the courts of a cour differ most: coefficient of variation over the
    reporting courts, for rates and durations (volumes reflect size, yes/no answers are listed by
    :func:`bool_answers`), highest first, ``top`` of them."""
    courts = list(reference.courts_of_cour(cour_id))
    ids = [i for i in (indicator_ids or [i.id for i in catalogue.indicators() if i.numeric])
           if catalogue.get(i).unit in RANKED_UNITS]
    wide = compute.values_by_unit(res, year, ids, courts)
    out = []
    for iid in ids:
        col = wide[iid].dropna()
        if len(col) < min_courts:
            continue
        mean = float(col.mean())
        if mean <= 0:
            continue
        cv = float(col.std(ddof=0)) / mean
        if cv <= 0:
            continue
        low, high = float(col.min()), float(col.max())
        ind = catalogue.get(iid)
        out.append(Spread(iid, ind.label, compute.display_unit(iid, "juridiction"), len(col), len(courts), low,
                          reference.short_name(str(col.idxmin())), high, reference.short_name(str(col.idxmax())),
                          float(col.median()), cv, high / low if low > 0 else math.inf))
    out.sort(key=lambda s: (-s.cv, s.indicator_id))
    return out[:top]


def bool_answers(res: pd.DataFrame, cour_id: str, year: int, indicator_id: str) -> tuple[list[str], list[str],
                                                                                           list[str]]:
    """Courts answering « non », « oui », and those whose answer is unknown, for a yes/no indicator."""
    courts = list(reference.courts_of_cour(cour_id))
    col = compute.values_by_unit(res, year, [indicator_id], courts)[indicator_id]
    no = [c for c in courts if col.get(c) == 0]
    yes = [c for c in courts if col.get(c) == 1]
    unknown = [c for c in courts if pd.isna(col.get(c))]
    return no, yes, unknown


def none_among(courts: Sequence[str], unknown: Sequence[str]) -> str:
    """« aucune » said honestly: « aucune parmi les 5 juridictions ayant répondu ; TJ Privas n'a pas transmis »."""
    answered = len(courts) - len(unknown)
    if not unknown:
        return "aucune"
    who = ", ".join(reference.court_name(c) for c in unknown)
    verb = "n'a pas transmis" if len(unknown) == 1 else "n'ont pas transmis"
    if answered == 0:
        return f"inconnu : aucune juridiction n'a répondu ({who})"
    return f"aucune parmi les {answered} juridictions ayant répondu ; {who} {verb}"


# ------------------------------------------------------------------------------ national
def units_table(res: pd.DataFrame, year: int, indicator_ids: Sequence[str], unit_ids: Sequence[str],
                rank: bool = True) -> Table:
    """One row per unit (cours, the nation): its value of each indicator and, for rates and
    durations, its rank; the « périmètre » column says when a cour's figures are partial."""
    wide = compute.values_by_unit(res, year, list(indicator_ids), list(unit_ids))
    rows: list[dict[str, object]] = []
    units: dict[str, str | None] = {"unité": None, "périmètre": None}
    ranked = [u for u in unit_ids if u != reference.NATIONAL]
    for u in unit_ids:
        row: dict[str, object] = {"unité": reference.court_name(u)}
        for iid in indicator_ids:
            label = catalogue.get(iid).label
            row[label] = wide.at[u, iid]
            units[label] = compute.display_unit(iid, "cour")
            if rank and rankable(iid):
                r, m = _rank(wide[iid].reindex(ranked), u, catalogue.get(iid).direction)
                row[f"rang ({_short_label(label)})"] = f"{r}/{m}" if r else "–"
                units[f"rang ({_short_label(label)})"] = None
        n, e = _reporting(res, u, year)
        row["périmètre"] = perimeter(n, e) if n < e else ""
        rows.append(row)
    return Table(pd.DataFrame(rows), units)


def _short_label(label: str, width: int = 28) -> str:
    return label if len(label) <= width else label[: width - 1].rsplit(" ", 1)[0] + "…"


def table_details(summary: str, table: Table, open_: bool = False) -> str:
    """A table in a collapsible block."""
    return details(summary, html_table(table, classes="cpc-table cpc-wide"), open_)


# ------------------------------------------------------------------------------ like-for-like changes
def changes_table(res: pd.DataFrame, unit_id: str, year: int, indicator_ids: Sequence[str]) -> Table:
    """One row per indicator: published values of ``year - 1`` and ``year``, the change **like for
    like** (courts present both years, :func:`cpc_toolkit.compute.changes`) with its perimeter next
    to it when partial (« 5/6 juridictions »), and the change of the published figures when it differs.
    The nation's value is given as reference for a cour."""
    ch = compute.changes(res, unit_id, year).set_index("indicator_id")
    level = reference.level_of(unit_id)
    rows = []
    for iid in indicator_ids:
        c = cast(pd.Series, ch.loc[iid])
        unit = str(c["unit"])
        lfl = format_change(float(c["delta"]), unit) if bool(c["comparable"]) and unit != "boolean" else "–"
        full = float(c["delta_full"])
        row: dict[str, object] = {
            "indicateur": c["label"], "_unit": unit, str(year - 1): float(c["previous"]), str(year): float(c["value"]),
            "évolution à périmètre constant": lfl,
            "périmètre": perimeter(int(c["n_common"]), int(c["n_members"])) if bool(c["partial"]) else "complet",
            "évolution des chiffres publiés": (format_change(full, unit) if bool(c["partial"]) and unit != "boolean"
                                               and not math.isnan(full) else "")}
        if level != "national":
            row[reference.national_name(short=True)] = compute.value(res, reference.NATIONAL, year, iid)
            row["_unit_ref"] = compute.display_unit(iid, "national")
        rows.append(row)
    return _RowUnits(pd.DataFrame(rows), plain=("indicateur", "évolution à périmètre constant", "périmètre",
                                                "évolution des chiffres publiés"),
                     ref_columns=(reference.national_name(short=True),))
