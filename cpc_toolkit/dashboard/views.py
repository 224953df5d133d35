"""What each panel shows for a state: one ``draw_<key>(panel, state, data)`` function per panel.

Figures come from ``cpc_toolkit.render.figures`` (the same ones as the reports); the data table
beside each chart gives the same values in fr-FR.
"""

from __future__ import annotations

import functools
import html
import os
from collections.abc import Callable, Sequence
from typing import Any, cast

import pandas as pd

from cpc_toolkit import catalogue, compute, fr, reference
from cpc_toolkit.dashboard import export as exp
from cpc_toolkit.dashboard.alerts import AlertsPanel, alert_rows
from cpc_toolkit.dashboard.markup import fmt, table
from cpc_toolkit.dashboard.panels import ChartPanel, HtmlPanel
from cpc_toolkit.dashboard.state import DashboardData, State, focus_unit
from cpc_toolkit.fr import format_number, format_value
from cpc_toolkit.settings import reports_dir

__all__ = ["DRAW", "TITLES", "alerts_of", "header_html", "report_links", "value"]

TITLES = {
    "national": "Tableau de bord national de la politique civile",
    "cour": "Tableau de bord de la cour d'appel",
    "juridiction": "Tableau de bord de la juridiction",
}


value = compute.value  # the one lookup API over results


def header_html(level: str, state: State, data: DashboardData) -> str:
    demo = (f'<p class="cpc-demo" role="note"><strong>{html.escape(exp.DEMO_LABEL)}</strong></p>'
            if data.demo else "")
    scope = reference.court_name(focus_unit(state))
    ind = catalogue.get(state.indicateur)
    return (f'<header class="cpc-entete"><h1 class="cpc-h1">{html.escape(TITLES[level])}</h1>{demo}'
            f'<p class="cpc-portee">{html.escape(scope)} — année {state.annee} — '
            f"{html.escape(ind.label)}</p></header>")


def _values(data: DashboardData, unit_ids: Sequence[str], year: int, indicator_id: str) -> pd.DataFrame:
    from cpc_toolkit.render.tables import unit_values

    return unit_values(data.res, unit_ids, year, indicator_id).formatted(
        missing=catalogue.vocabulary.missing_mark(long=True))


def draw_carte(panel: ChartPanel, s: State, data: DashboardData) -> None:
    from cpc_toolkit.render import figures

    fig = figures.france_map.spec(data.res, s.annee, s.indicateur)
    panel.show(fig, _values(data, data.cours, s.annee, s.indicateur), "valeur par cour d'appel")


def draw_classement(panel: ChartPanel, s: State, data: DashboardData) -> None:
    from cpc_toolkit.render import figures

    if s.cour:
        fig = figures.courts_bar.spec(data.res, s.cour, s.annee, s.indicateur)
        units = sorted(reference.courts_of_cour(s.cour), key=lambda c: fr.sort_key(reference.court_name(c)))
        caption = f"juridictions de la {reference.court_name(s.cour)}"
    else:
        fig = figures.ranking.spec(data.res, s.annee, s.indicateur, "cour")
        units = data.cours
        caption = reference.level_label("cour", plural=True)
    panel.show(fig, _values(data, units, s.annee, s.indicateur), caption)


def draw_evolution(panel: ChartPanel, s: State, data: DashboardData) -> None:
    from cpc_toolkit.render import figures

    unit = focus_unit(s)
    fig = figures.trend.spec(data.res, unit, s.indicateur, compare=True)
    units = [unit]
    if reference.level_of(unit) == "juridiction":
        units.append(reference.cour_of(unit))
    if unit != reference.NATIONAL:
        units.append(reference.NATIONAL)
    ind = catalogue.get(s.indicateur)
    idx_rows = []
    for y in data.years:
        row = {"Année": str(y)}
        for u in units:
            row[reference.court_name(u)] = fmt(value(data.res, u, y, s.indicateur),
                                               compute.display_unit(ind.id, reference.level_of(u)))
        idx_rows.append(row)
    panel.show(fig, pd.DataFrame(idx_rows), f"{ind.label}, {data.years[0]}–{data.years[-1]}")


def _rank_text(rank: float, n: float) -> str:
    """« 3 sur 37 », or « — » when the rank is missing (NaN)."""
    return f"{int(rank)} sur {int(n)}" if rank == rank else "—"


def draw_position(panel: ChartPanel, s: State, data: DashboardData) -> None:
    from cpc_toolkit.render import figures

    if not s.juridiction:
        panel.set_visible(False)
        return
    panel.set_visible(True)
    fig = figures.position_strip.spec(data.res, s.juridiction, s.annee, s.indicateur)
    pos = compute.positions(data.res, s.juridiction, s.annee, [s.indicateur])
    ind = catalogue.get(s.indicateur)
    rows = [{"Groupe de comparaison": r.group_label,
             "Rang": _rank_text(cast(float, r.rank), cast(float, r.n)),
             "Médiane du groupe": fmt(r.median, ind.unit),
             "Valeur de la juridiction": fmt(r.value, ind.unit)} for r in pos.itertuples()]
    df = pd.DataFrame(rows, columns=["Groupe de comparaison", "Rang", "Médiane du groupe",
                                     "Valeur de la juridiction"])
    panel.show(fig, df, f"position — {reference.court_name(s.juridiction)}, {s.annee}")


def draw_repartition(panel: ChartPanel, s: State, data: DashboardData) -> None:
    from cpc_toolkit.render import figures

    fig = figures.distribution.spec(data.res, s.annee, s.indicateur, highlight=s.juridiction or None)
    ind = catalogue.get(s.indicateur)
    res = data.res
    vals = res[(res["year"] == s.annee) & (res["indicator_id"] == s.indicateur)
               & (res["level"] == "juridiction")]["value"].dropna()
    stats = [("Juridictions renseignées", format_number(len(vals)))]
    if len(vals):
        stats += [("Minimum", fmt(vals.min(), ind.unit)), ("Premier quartile", fmt(vals.quantile(0.25), ind.unit)),
                  ("Médiane", fmt(vals.median(), ind.unit)),
                  ("Troisième quartile", fmt(vals.quantile(0.75), ind.unit)),
                  ("Maximum", fmt(vals.max(), ind.unit))]
    if s.juridiction:
        stats.append((reference.court_name(s.juridiction),
                      fmt(value(res, s.juridiction, s.annee, s.indicateur), ind.unit)))
    panel.show(fig, pd.DataFrame(stats, columns=["Statistique", "Valeur"]), f"{ind.label}, {s.annee}")


def draw_completude(panel: HtmlPanel, s: State, data: DashboardData) -> None:
    cov = data.memo(("coverage", s.annee), lambda: compute.coverage(data.res, s.annee))
    if s.juridiction:
        rows = []
        for y in data.years:
            c = data.memo(("coverage", y), functools.partial(compute.coverage, data.res, y))
            missing = any(s.juridiction in m for m in c["missing_ids"])
            rows.append({"Année": str(y), "Classeur transmis": "non" if missing else "oui"})
        body = table(pd.DataFrame(rows), f"Transmission des classeurs — {reference.court_name(s.juridiction)}")
    else:
        sub = cov[cov["unit_id"] == s.cour] if s.cour else cov
        nat = cov[cov["level"] == "national"]
        rows = []
        for r in pd.concat([sub[sub["level"] != "national"], nat]).itertuples():
            rows.append({"Unité": r.unit_name, "Juridictions ayant transmis": f"{r.n_reporting} / {r.n_expected}",
                         "Taux": format_value(r.rate, "percent"),
                         "Juridictions manquantes": r.missing_names or "aucune"})
        body = table(pd.DataFrame(rows), f"Classeurs transmis pour {s.annee}")
    panel.body.value = body


def draw_alertes(panel: AlertsPanel, s: State, data: DashboardData) -> None:
    unit = focus_unit(s)
    rows = alerts_of(s, data)
    panel.set_rows(rows, f"Alertes {s.annee} — {reference.court_name(unit)}",
                   f"Aucune alerte pour {reference.court_name(unit)} en {s.annee}.")


def alerts_of(s: State, data: DashboardData) -> pd.DataFrame:
    """Every alert of the focus unit and its courts, as the French table (most severe first)."""
    unit = focus_unit(s)
    return data.memo(("alert_rows", unit, s.annee),
                     lambda: alert_rows(compute.alerts(data.res, unit, s.annee, include_courts=True)))


def draw_rapports(panel: HtmlPanel, s: State, data: DashboardData) -> None:
    links = report_links(s.annee, [u for u in (s.juridiction, s.cour) if u])
    if not links:
        panel.body.value = (f"<p>Aucun rapport statique construit pour {s.annee} "
                            "(commandes « cpc rapport » ou « cpc campagne »).</p>")
        return
    items = "".join(f'<li><a href="{html.escape(url)}" target="_blank" rel="noopener">{html.escape(label)}</a></li>'
                    for label, url in links)
    panel.body.value = f"<ul>{items}</ul>"


def report_links(year: int, unit_ids: Sequence[str]) -> list[tuple[str, str]]:
    """Links to built static reports of ``year`` (index first, then files naming one of ``unit_ids``).

    URLs point to the ``/rapports/`` route of ``cpc tableau-de-bord`` (relative to the page).
    """
    root = reports_dir().resolve()
    ydir = root / str(int(year))
    if not ydir.is_dir():
        return []
    base = os.environ.get("VOILA_BASE_URL", "/")
    out: list[tuple[str, str]] = []
    index = ydir / "index.html"
    if index.is_file():
        out.append((f"Index des rapports {year}", f"{base}rapports/{year}/index.html"))
    from cpc_toolkit.render import accessibility

    if (ydir / accessibility.STATEMENT_FILE).is_file():
        out.append((accessibility.LINK_LABEL, f"{base}rapports/{year}/{accessibility.STATEMENT_FILE}"))
    for uid in unit_ids:
        for path in sorted(ydir.rglob(f"*{uid}*")):
            if path.suffix.lower() in (".html", ".pdf") and path.is_file():
                rel = path.relative_to(root).as_posix()
                kind = "PDF" if path.suffix.lower() == ".pdf" else "HTML"
                out.append((f"{reference.court_name(uid)} — rapport {year} ({kind})", f"{base}rapports/{rel}"))
    return out


#: panel key → drawing function
DRAW: dict[str, Callable[[Any, State, DashboardData], None]] = {
    "carte": draw_carte, "classement": draw_classement, "evolution": draw_evolution, "position": draw_position,
    "repartition": draw_repartition, "completude": draw_completude, "alertes": draw_alertes,
    "rapports": draw_rapports,
}
