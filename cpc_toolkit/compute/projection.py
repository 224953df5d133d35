"""Projection and what-if at constant monthly rates: where stocks and DTES are heading.

Baseline (reference year ``year``, for each contentieux and unit): monthly entries ``e = entrées / 12``,
monthly exits ``s = sorties / 12``, stock at 31 December ``stock_fin``. After ``h`` calendar months
(month 1 = January of ``year + 1``) the stock is ``max(0, stock_fin + h × (e − s))`` and the DTES is
``stock_h / s`` months. The stock is cleared in month ``ceil(stock_fin / (s − e))`` when ``s > e``, and
doubles in month ``ceil(stock_fin / (e − s))`` when ``e > s``.

What-if: entries and exits changed by a percentage and/or an absolute number per month; where staffing
is collected, ETPT of magistrats and greffe with exits per ETPT held constant (one category changed:
its exits per ETPT give the extra exits; both changed: the smaller effect, the scarcer category
bounding output). Targets: the monthly exits reaching a DTES of ``N`` months within ``h`` months,
``s* = (stock_fin + h × e) / (N + h)``.

Consolidated units (cour, national) are projected from the sums over the same courts: those whose
entrées, sorties and stock au 31 décembre are all known. Every function is pure and never mutates
its inputs; NA comes with its reason (the engine's convention), never 0 nor infinity.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from cpc_toolkit import catalogue, reference
from cpc_toolkit.catalogue.expressions import NA_DIV_ZERO, NA_MISSING
from cpc_toolkit.compute.compare import results_index
from cpc_toolkit.errors import ComputeError, ReasonCode
from cpc_toolkit.fr import MONTHS, format_number, format_signed, unit_suffix

__all__ = [
    "BASE_COLUMNS",
    "OUTLOOK_COLUMNS",
    "PROJECTION_COLUMNS",
    "TARGET_COLUMNS",
    "TOTAL",
    "WhatIf",
    "assumption_sentence",
    "month_label",
    "outlook_sentence",
    "projection_base",
    "projection_path",
    "projection_table",
    "protection_outlook",
    "rates_table",
    "target_exits",
]

TOTAL = "total"
NA_NO_EXITS = f"{NA_DIV_ZERO} : aucune affaire terminée (sorties nulles), DTES non calculable"
NA_STABLE = "stock stable : entrées et sorties mensuelles égales"
NA_EMPTY_STOCK = "stock nul au 31 décembre : pas de doublement possible"
NA_NO_STAFF = "effectifs (ETPT) non collectés pour ce contentieux"
NA_NO_COURT_DATA = "aucune juridiction n'a transmis à la fois entrées, sorties et stock"
NA_TARGET = "objectif hors d'atteinte : horizon et DTES cible nuls"
MAX_MONTHS = 1200  # a date beyond 100 years is not a date any more

BASE_COLUMNS = ["unit_id", "year", "contentieux", "label", "entrees", "sorties", "stock_fin",
                "etpt_magistrats", "etpt_greffe", "sorties_par_etpt_magistrat", "sorties_par_etpt_greffe",
                "n_reporting", "n_expected", "na_reason"]
PROJECTION_COLUMNS = ["unit_id", "year", "contentieux", "label", "horizon", "entrees_mensuelles",
                      "sorties_mensuelles", "stock_fin", "dtes_fin", "stock_h", "dtes_h", "tendance",
                      "mois_evenement", "evenement", "echeance", "evenement_na_reason",
                      "effet_etpt_magistrat", "effet_etpt_greffe", "n_reporting", "n_expected", "na_reason",
                      "hypothese"]
TARGET_COLUMNS = ["unit_id", "year", "contentieux", "label", "horizon", "dtes_cible", "sorties_mensuelles",
                  "sorties_cibles", "ecart_mensuel", "ecart_pct", "etpt_magistrats_supplementaires",
                  "etpt_greffe_supplementaires", "na_reason"]


@dataclass(frozen=True)
class WhatIf:
    """What-if parameters (all neutral by default).

    ``entrees_pct`` / ``sorties_pct``: change in % of the monthly flow; ``entrees_abs`` /
    ``sorties_abs``: cases per month added (or removed, negative) after the percentage;
    ``etpt_magistrats`` / ``etpt_greffe``: ETPT added (or removed) for the contentieux.
    """

    entrees_pct: float = 0.0
    entrees_abs: float = 0.0
    sorties_pct: float = 0.0
    sorties_abs: float = 0.0
    etpt_magistrats: float = 0.0
    etpt_greffe: float = 0.0

    @property
    def neutral(self) -> bool:
        return self == WhatIf()


def _contentieux() -> list[tuple[str, str]]:
    return [(c["id"], c["label"]) for c in catalogue.contentieux()]


def _members(unit_id: str) -> tuple[str, list[str]]:
    level = reference.level_of(unit_id)
    if level == "juridiction":
        return level, [unit_id]
    if level == "cour":
        return level, reference.courts_of_cour(unit_id)
    return level, list(reference.first_instance_courts().index)


def projection_base(res: pd.DataFrame, unit_id: str, year: int) -> pd.DataFrame:
    """Reference-year flows per contentieux of one unit (see :data:`BASE_COLUMNS`), plus a ``total`` row.

    For a cour or the nation, sums over the courts where entrées, sorties and stock au 31 décembre
    are all known (the same courts for the three), and exits per ETPT over the courts where both the
    exits and the ETPT are known. ``na_reason`` says why a contentieux cannot be projected.
    """
    idx = results_index(res)
    level, members = _members(unit_id)
    if year not in idx.years:
        raise ComputeError(f"Aucun résultat pour l'année {year} (années : "
                           f"{', '.join(map(str, idx.years)) or 'aucune'}).", ReasonCode.UNKNOWN_YEAR)
    rows_ix = [idx.keys.get((c, int(year))) for c in members]
    present_rows = np.array([r for r in rows_ix if r is not None], dtype=int)

    def court_vals(iid: str) -> np.ndarray:
        if iid not in idx.col or not len(present_rows):
            return np.full(len(present_rows), np.nan)
        return idx.values[present_rows, idx.col[iid]]

    def reason_of(iid: str) -> str:
        sub = res[(res["unit_id"] == unit_id) & (res["year"] == int(year)) & (res["indicator_id"] == iid)]
        return str(sub["na_reason"].iloc[0]) if len(sub) and sub["na_reason"].iloc[0] else NA_MISSING

    out = []
    for cid, label in _contentieux():
        e, s, f = (court_vals(f"act_{cid}_{k}") for k in ("entrees", "sorties", "stock_fin"))
        ok = ~np.isnan(e) & ~np.isnan(s) & ~np.isnan(f)
        m, g = court_vals(f"act_{cid}_etpt_magistrats"), court_vals(f"act_{cid}_etpt_greffe")
        ok_m = ok & ~np.isnan(m) & (m > 0)
        ok_g = ok & ~np.isnan(g) & (g > 0)
        n_ok = int(ok.sum())
        row = {"unit_id": unit_id, "year": int(year), "contentieux": cid, "label": label,
               "entrees": float(e[ok].sum()) if n_ok else np.nan,
               "sorties": float(s[ok].sum()) if n_ok else np.nan,
               "stock_fin": float(f[ok].sum()) if n_ok else np.nan,
               "etpt_magistrats": float(m[ok_m].sum()) if ok_m.any() else np.nan,
               "etpt_greffe": float(g[ok_g].sum()) if ok_g.any() else np.nan,
               "sorties_par_etpt_magistrat": float(s[ok_m].sum() / m[ok_m].sum()) if ok_m.any() else np.nan,
               "sorties_par_etpt_greffe": float(s[ok_g].sum() / g[ok_g].sum()) if ok_g.any() else np.nan,
               "n_reporting": n_ok, "n_expected": len(members), "na_reason": ""}
        if not n_ok:
            if level == "juridiction":
                missing = [k for k, v in (("entrees", e), ("sorties", s), ("stock_fin", f))
                           if not len(v) or np.isnan(v).all()]
                row["na_reason"] = reason_of(f"act_{cid}_{missing[0] if missing else 'entrees'}")
            else:
                row["na_reason"] = NA_NO_COURT_DATA
        out.append(row)
    base = pd.DataFrame(out, columns=BASE_COLUMNS)
    return pd.concat([base, _total_row(base, unit_id, int(year), len(members))], ignore_index=True)


def _total_row(base: pd.DataFrame, unit_id: str, year: int, n_expected: int) -> pd.DataFrame:
    ok = base["na_reason"] == ""
    row = {"unit_id": unit_id, "year": year, "contentieux": TOTAL, "label": "total des contentieux suivis",
           "n_reporting": int(base.loc[ok, "n_reporting"].min()) if ok.any() else 0,
           "n_expected": n_expected, "na_reason": "" if ok.all() else
           "au moins un contentieux ne peut être projeté : total non calculé"}
    for k in ("entrees", "sorties", "stock_fin"):
        row[k] = float(base[k].sum()) if ok.all() else np.nan
    for k in ("etpt_magistrats", "etpt_greffe", "sorties_par_etpt_magistrat", "sorties_par_etpt_greffe"):
        row[k] = np.nan
    return pd.DataFrame([row], columns=BASE_COLUMNS)


def _apply(e: float, s: float, base: pd.Series, w: WhatIf) -> tuple[float, float, str]:
    """Monthly entries and exits after the what-if; third item: an NA reason for the staffing part."""
    e2 = e * (1 + w.entrees_pct / 100) + w.entrees_abs
    s2 = s * (1 + w.sorties_pct / 100) + w.sorties_abs
    effects = []
    for delta, prod in ((w.etpt_magistrats, base["sorties_par_etpt_magistrat"]),
                        (w.etpt_greffe, base["sorties_par_etpt_greffe"])):
        if delta:
            if pd.isna(prod):
                return e2, s2, NA_NO_STAFF
            effects.append(delta * float(prod) / 12)
    if effects:
        s2 += min(effects)
    return max(0.0, e2), max(0.0, s2), ""


def month_label(year: int, months: int) -> str:
    """Calendar month ``months`` after 31 December ``year`` (1 → « janvier {year + 1} »)."""
    y, m = divmod(int(year) * 12 + int(months) - 1, 12)
    return f"{MONTHS[m]} {y + 1}"


def assumption_sentence(year: int, w: WhatIf | None = None) -> str:
    """The one-sentence statement of the projection's assumptions (to print next to the figures)."""
    text = (f"Projection à rythme mensuel constant : entrées et sorties de {year} divisées par 12, "
            f"à partir du stock au 31 décembre {year}, en mois calendaires")
    w = w or WhatIf()
    parts = []
    if w.entrees_pct or w.entrees_abs:
        parts.append("entrées " + _change_text(w.entrees_pct, w.entrees_abs))
    if w.sorties_pct or w.sorties_abs:
        parts.append("sorties " + _change_text(w.sorties_pct, w.sorties_abs))
    for delta, what in ((w.etpt_magistrats, "magistrat"), (w.etpt_greffe, "greffe")):
        if delta:
            parts.append(f"{format_signed(delta, 1)} ETPT de {what} à sorties par ETPT constantes")
    if w.etpt_magistrats and w.etpt_greffe:
        parts.append("l'effet retenu est le plus faible des deux catégories")
    if parts:
        text += " ; hypothèses : " + ", ".join(parts)
    return text + "."


def _change_text(pct: float, absolute: float) -> str:
    bits = []
    if pct:
        bits.append(f"{format_signed(pct, 1)}{unit_suffix('percent')}")
    if absolute:
        bits.append(f"{format_signed(absolute, 0)} affaires par mois")
    return " et ".join(bits)


def _resolve(whatif: WhatIf | Mapping[str, WhatIf] | None, cid: str) -> WhatIf:
    if whatif is None:
        return WhatIf()
    if isinstance(whatif, WhatIf):
        return whatif
    return whatif.get(cid, WhatIf())


def _event(stock: float, e: float, s: float) -> tuple[str, float, str]:
    """(tendance, month of clearing/doubling or NaN, reason when there is no such month)."""
    if s > e:
        if stock <= 0:
            return "résorption", 0.0, ""
        return "résorption", float(math.ceil(stock / (s - e) - 1e-9)), ""
    if e > s:
        if stock <= 0:
            return "hausse", np.nan, NA_EMPTY_STOCK
        return "hausse", float(math.ceil(stock / (e - s) - 1e-9)), ""
    return "stable", np.nan, NA_STABLE


def projection_table(res: pd.DataFrame, unit_id: str, year: int, horizon: int = 12,
                     whatif: WhatIf | Mapping[str, WhatIf] | None = None,
                     base: pd.DataFrame | None = None) -> pd.DataFrame:
    """Stock and DTES after ``horizon`` months per contentieux and in total (see :data:`PROJECTION_COLUMNS`).

    ``effet_etpt_magistrat`` / ``effet_etpt_greffe``: monthly exits one more ETPT would add (NaN when
    staffing is not collected). ``evenement`` is « résorption du stock » or « doublement du stock »,
    ``mois_evenement`` its month
    (1 = January of ``year + 1``) and ``echeance`` its calendar month in French (``evenement_na_reason``
    says why there is none). ``na_reason`` says why the stock or the DTES cannot be projected (e.g.
    zero exits: no DTES). ``whatif`` is one :class:`WhatIf` for every contentieux or a mapping
    contentieux → WhatIf. ``base`` (from :func:`projection_base`) skips the lookup, for interactive use.
    """
    if horizon < 0:
        raise ComputeError("L'horizon de projection doit être positif ou nul (en mois).", ReasonCode.USAGE)
    h = int(horizon)
    b = projection_base(res, unit_id, year) if base is None else base
    out = []
    flows: list[tuple[float, float, float, float]] = []
    for _, r in b.iterrows():
        cid = r["contentieux"]
        if cid == TOTAL:
            continue
        w = _resolve(whatif, cid)
        row = {k: r[k] for k in ("unit_id", "year", "contentieux", "label", "stock_fin", "n_reporting",
                                 "n_expected")}
        row.update(horizon=h, hypothese=assumption_sentence(int(year), w), na_reason=r["na_reason"],
                   # monthly exits added by one more ETPT, at constant exits per ETPT
                   effet_etpt_magistrat=r["sorties_par_etpt_magistrat"] / 12,
                   effet_etpt_greffe=r["sorties_par_etpt_greffe"] / 12)
        e, s, why = (np.nan, np.nan, "")
        if not r["na_reason"]:
            e, s, why = _apply(r["entrees"] / 12, r["sorties"] / 12, r, w)
        if r["na_reason"] or why:
            row["na_reason"] = r["na_reason"] or why
            out.append(row)
            flows.append((np.nan,) * 4)
            continue
        stock, s0 = float(r["stock_fin"]), float(r["sorties"]) / 12
        flows.append((stock, e, s, s0))
        stock_h = max(0.0, stock + h * (e - s))
        trend, k, no_event = _event(stock, e, s)
        row.update(entrees_mensuelles=e, sorties_mensuelles=s, stock_h=stock_h,
                   dtes_fin=stock / s0 if s0 > 0 else np.nan, dtes_h=stock_h / s if s > 0 else np.nan,
                   na_reason=NA_NO_EXITS if s <= 0 else "", tendance=trend, mois_evenement=k,
                   evenement=_EVENTS.get(trend, "") if not no_event else "", echeance=_echeance(int(year), k),
                   evenement_na_reason=no_event)
        out.append(row)
    out.append(_project_total(b, flows, int(year), h, whatif))
    return pd.DataFrame(out).reindex(columns=PROJECTION_COLUMNS)


_EVENTS = {"résorption": "résorption du stock", "hausse": "doublement du stock"}


def _echeance(year: int, k: float) -> str:
    if pd.isna(k):
        return ""
    if k == 0:
        return "déjà nul"
    if k > MAX_MONTHS:
        return "au-delà de 100 ans"
    return month_label(year, int(k))


def _project_total(b: pd.DataFrame, flows: list[tuple[float, float, float, float]], year: int, h: int,
                   whatif: WhatIf | Mapping[str, WhatIf] | None) -> dict[str, object]:
    """Total row: sum of the contentieux paths (each clipped at zero); its month is read on that path."""
    t = b[b["contentieux"] == TOTAL].iloc[0]
    row: dict[str, object] = {k: t[k] for k in ("unit_id", "year", "contentieux", "label", "stock_fin",
                                                "n_reporting", "n_expected")}
    uniform = whatif is None or isinstance(whatif, WhatIf)
    row.update(horizon=h, na_reason=t["na_reason"],
               hypothese=assumption_sentence(year, whatif if isinstance(whatif, WhatIf) else None)
               if uniform else assumption_sentence(year) + " Hypothèses propres à chaque contentieux.")
    arr = np.array(flows, dtype=float)
    if t["na_reason"] or not len(arr) or np.isnan(arr).any():
        row["na_reason"] = row["na_reason"] or "au moins un contentieux ne peut être projeté : total non calculé"
        return row
    stock0, e, s, s0 = arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]
    total0, s_tot, s0_tot = float(stock0.sum()), float(s.sum()), float(s0.sum())
    months = np.arange(0, MAX_MONTHS + 1)
    path = np.maximum(0.0, stock0[None, :] + months[:, None] * (e - s)[None, :]).sum(axis=1)
    stock_h = float(np.maximum(0.0, stock0 + h * (e - s)).sum())
    row.update(entrees_mensuelles=float(e.sum()), sorties_mensuelles=s_tot, stock_h=stock_h,
               dtes_fin=total0 / s0_tot if s0_tot > 0 else np.nan,
               dtes_h=stock_h / s_tot if s_tot > 0 else np.nan, na_reason=NA_NO_EXITS if s_tot <= 0 else "")
    cleared = path <= 0
    doubled = path >= 2 * total0 if total0 > 0 else np.zeros_like(cleared)
    if cleared.any() and (not doubled.any() or np.argmax(cleared) < np.argmax(doubled)):
        k = float(np.argmax(cleared))
        row.update(tendance="résorption", mois_evenement=k, evenement=_EVENTS["résorption"],
                   echeance=_echeance(year, k), evenement_na_reason="")
    elif doubled.any():
        k = float(np.argmax(doubled))
        row.update(tendance="hausse", mois_evenement=k, evenement=_EVENTS["hausse"],
                   echeance=_echeance(year, k), evenement_na_reason="")
    else:
        # no event: the trend is read at the horizon (or on the first month when h = 0)
        ref = path[h] if 0 < h <= MAX_MONTHS else path[1]
        trend = "hausse" if ref > total0 else "résorption" if ref < total0 else "stable"
        why = (NA_STABLE if (e == s).all() else NA_EMPTY_STOCK if total0 <= 0 else
               "ni résorption complète ni doublement du stock dans les 100 ans")
        row.update(tendance=trend, mois_evenement=np.nan, evenement="", echeance="", evenement_na_reason=why)
    return row


def projection_path(res: pd.DataFrame, unit_id: str, year: int, horizon: int = 24,
                    whatif: WhatIf | Mapping[str, WhatIf] | None = None,
                    base: pd.DataFrame | None = None) -> pd.DataFrame:
    """Month-by-month projected stock and DTES (month 0 = 31 December ``year``) per contentieux and total.

    Columns: contentieux, label, mois, date (last day of the month), stock, dtes. Contentieux that
    cannot be projected are absent (their reason is in :func:`projection_table`); so is the total then.
    """
    b = projection_base(res, unit_id, year) if base is None else base
    months = np.arange(0, int(horizon) + 1)
    dec31 = pd.Timestamp(year=int(year), month=12, day=31)
    dates = [dec31 + pd.offsets.MonthEnd(int(m)) for m in months]
    frames, stocks, exits = [], [], []
    for _, r in b.iterrows():
        if r["contentieux"] == TOTAL or r["na_reason"]:
            continue
        e, s, why = _apply(r["entrees"] / 12, r["sorties"] / 12, r, _resolve(whatif, r["contentieux"]))
        if why:
            continue
        stock = np.maximum(0.0, float(r["stock_fin"]) + months * (e - s))
        stocks.append(stock)
        exits.append(s)
        frames.append(pd.DataFrame({"contentieux": r["contentieux"], "label": r["label"], "mois": months,
                                    "date": dates, "stock": stock,
                                    "dtes": stock / s if s > 0 else np.nan}))
    if stocks and len(stocks) == int((b["contentieux"] != TOTAL).sum()):
        tot = np.sum(stocks, axis=0)
        s_tot = float(np.sum(exits))
        frames.append(pd.DataFrame({"contentieux": TOTAL, "label": "total des contentieux suivis", "mois": months,
                                    "date": dates, "stock": tot, "dtes": tot / s_tot if s_tot > 0 else np.nan}))
    if not frames:
        return pd.DataFrame(columns=["contentieux", "label", "mois", "date", "stock", "dtes"])
    return pd.concat(frames, ignore_index=True)


def target_exits(res: pd.DataFrame, unit_id: str, year: int, dtes_target: float, horizon: int = 12,
                 whatif: WhatIf | Mapping[str, WhatIf] | None = None,
                 base: pd.DataFrame | None = None) -> pd.DataFrame:
    """Monthly exits reaching a DTES of ``dtes_target`` months after ``horizon`` months (per contentieux).

    ``s* = (stock_fin + h × e) / (N + h)`` with ``e`` the monthly entries after the what-if's entries
    part (the target replaces its exits part). Also the gap to today's monthly exits and, where
    staffing is collected, the extra ETPT of magistrats, or of greffe, that would give it at constant
    exits per ETPT. The total row applies the target to the summed stock and flows.
    """
    if dtes_target < 0 or horizon < 0:
        raise ComputeError("Le DTES cible et l'horizon doivent être positifs ou nuls.", ReasonCode.USAGE)
    b = projection_base(res, unit_id, year) if base is None else base
    h, n = int(horizon), float(dtes_target)
    out = []
    sums = {"stock": 0.0, "e": 0.0, "s": 0.0}
    complete = True
    for _, r in b.iterrows():
        cid = r["contentieux"]
        row = {k: r[k] for k in ("unit_id", "year", "contentieux", "label")}
        row.update(horizon=h, dtes_cible=n, na_reason=r["na_reason"])
        if cid == TOTAL:
            if not complete or r["na_reason"]:
                row["na_reason"] = row["na_reason"] or "au moins un contentieux manque : total non calculé"
                out.append(row)
                continue
            stock, e, s, pm, pg = sums["stock"], sums["e"], sums["s"], np.nan, np.nan
        else:
            if r["na_reason"]:
                complete = False
                out.append(row)
                continue
            w = replace(_resolve(whatif, cid), sorties_pct=0.0, sorties_abs=0.0, etpt_magistrats=0.0,
                        etpt_greffe=0.0)
            e, s, _ = _apply(r["entrees"] / 12, r["sorties"] / 12, r, w)
            stock, pm, pg = float(r["stock_fin"]), r["sorties_par_etpt_magistrat"], r["sorties_par_etpt_greffe"]
            sums["stock"] += stock
            sums["e"] += e
            sums["s"] += s
        if n + h <= 0:
            row["na_reason"] = NA_TARGET
            out.append(row)
            continue
        s_star = (stock + h * e) / (n + h)
        gap = s_star - s
        row.update(sorties_mensuelles=s, sorties_cibles=s_star, ecart_mensuel=gap,
                   ecart_pct=100 * gap / s if s > 0 else np.nan,
                   etpt_magistrats_supplementaires=12 * gap / pm if pd.notna(pm) and pm > 0 else np.nan,
                   etpt_greffe_supplementaires=12 * gap / pg if pd.notna(pg) and pg > 0 else np.nan)
        if s <= 0:
            row["na_reason"] = f"{NA_DIV_ZERO} : aucune affaire terminée, écart en % non calculable"
        out.append(row)
    return pd.DataFrame(out).reindex(columns=TARGET_COLUMNS)


# --------------------------------------------------------------------------- per inhabitant

RATE_IDS = ("act_total_entrees_100k_hab", "pjm_mesures_10k_hab", "vif_op_demandees_100k_hab")


def rates_table(res: pd.DataFrame, unit_id: str, year: int) -> pd.DataFrame:
    """Rates per inhabitant of one unit-year (value, status, NA reason, coverage) and the population used.

    They are catalogue indicators (population is a reference input, consolidated as a ratio of sums
    over the same courts): this only selects them, with their labels.
    """
    ids = ("ref_population", *RATE_IDS)
    sub = res[(res["unit_id"] == unit_id) & (res["year"] == int(year)) & res["indicator_id"].isin(ids)]
    labels = pd.DataFrame([{"indicator_id": i, "label": catalogue.get(i).label} for i in ids])
    return labels.merge(sub[["indicator_id", "value", "status", "na_reason", "n_reporting", "n_expected"]],
                        on="indicator_id", how="left")


# --------------------------------------------------------------------------- protection outlook

OUTLOOK_COLUMNS = ["unit_id", "year", "annee_cible", "mesures", "pop75_reference", "pop75_cible", "ratio_75",
                   "mesures_attendues", "variation", "variation_pct", "n_reporting", "n_expected",
                   "na_reason", "hypothese"]


def protection_outlook(res: pd.DataFrame, unit_id: str, year: int,
                       targets: tuple[int, ...] = (2030, 2035)) -> pd.DataFrame:
    """Expected protection measures in ``targets`` at a constant rate of measures per person aged 75+.

    For each court: measures in progress at 31 December ``year`` × (projected 75+ of the target year /
    75+ of ``year``) over the départements of its ressort; a cour or the nation sums the courts having
    both figures (the same courts for today's measures and the expected ones). The assumption sentence
    is in ``hypothese``, next to every figure.
    """
    from cpc_toolkit.reference import population

    idx = results_index(res)
    _, members = _members(unit_id)
    rows_ix = [idx.keys.get((c, int(year))) for c in members]
    col = idx.col["pjm_mesures_total"]
    measures = np.array([idx.values[r, col] if r is not None else np.nan for r in rows_ix], dtype=float)
    out = []
    for target in targets:
        g = population.elderly_growth(int(year), int(target)).set_index("court_id").reindex(members)
        ok = ~np.isnan(measures) & g["ratio"].notna().to_numpy()
        ref_year = min(max(int(year), population.ELDERLY_FIRST_YEAR), population.ELDERLY_LAST_YEAR)
        sentence = (f"Hypothèse : taux de mesures de protection par personne de 75 ans et plus constant au niveau "
                    f"de {year}, appliqué aux projections INSEE (OMPHALE) des 75 ans et plus de {ref_year} à "
                    f"{target} ; {population.WEIGHTING_SENTENCE[0].lower()}{population.WEIGHTING_SENTENCE[1:]}")
        row: dict[str, object] = {"unit_id": unit_id, "year": int(year), "annee_cible": int(target),
                                  "n_reporting": int(ok.sum()), "n_expected": len(members), "na_reason": "",
                                  "hypothese": sentence}
        if not ok.any():
            if np.isnan(measures).all():
                row["na_reason"] = "mesures de protection en cours non disponibles pour cette année"
            else:
                row["na_reason"] = population.NA_NO_ELDERLY
            out.append(row)
            continue
        m = float(measures[ok].sum())
        p_ref = float(g["pop75_reference"].to_numpy()[ok].sum())
        p_tgt = float(g["pop75_target"].to_numpy()[ok].sum())
        expected = float((measures[ok] * g["ratio"].to_numpy()[ok]).sum())
        row.update(mesures=m, pop75_reference=p_ref, pop75_cible=p_tgt, ratio_75=p_tgt / p_ref,
                   mesures_attendues=expected, variation=expected - m,
                   variation_pct=100 * (expected - m) / m if m > 0 else np.nan)
        out.append(row)
    return pd.DataFrame(out).reindex(columns=OUTLOOK_COLUMNS)


def outlook_sentence(row: Mapping[str, object]) -> str:
    """French sentence stating one outlook figure with its assumption (for reports)."""
    if row.get("na_reason"):
        return f"Demande de protection en {row['annee_cible']} : non disponible ({row['na_reason']})."
    return (f"Mesures de protection attendues en {row['annee_cible']} : {format_number(row['mesures_attendues'])} "
            f"({format_signed(row['variation_pct'], 1)}{unit_suffix('percent')} par rapport à {row['year']}). "
            f"{row['hypothese']}")
