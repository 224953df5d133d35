"""The three dashboards (national, cour, juridiction) as an ipywidgets application.

Notebooks stay thin: ``from cpc_toolkit.dashboard.app import tableau_de_bord`` then
``tableau_de_bord("national")``. The data are loaded and every chart is drawn once *before* the
request arrives (so a preheated Voilà kernel has done the heavy work), then the allowlisted URL
parameters are applied. Filter changes only touch the panels that depend on the changed filter
and update the existing ``FigureWidget`` objects in one batched message.

Every error is caught here and shown as a French message; the traceback goes to the log file
(``$CPC_TABLEAU_JOURNAL``), never to the page.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import tempfile
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cpc_toolkit import catalogue, compute, fr, reference
from cpc_toolkit.dashboard import export as exp
from cpc_toolkit.dashboard.figwidget import ENV_SERVER, PREVIEW_BUNDLE_NAME
from cpc_toolkit.dashboard.params import LEVELS, Selection, parse_query, query_string
from cpc_toolkit.errors import CpcError, DashboardError, ReasonCode
from cpc_toolkit.fr import format_number, format_value
from cpc_toolkit.render import accessibility
from cpc_toolkit.settings import reports_dir

__all__ = ["Dashboard", "DashboardData", "load_data", "tableau_de_bord"]

ENV_LOG = "CPC_TABLEAU_JOURNAL"
TITLES = {
    "national": "Tableau de bord national de la politique civile",
    "cour": "Tableau de bord de la cour d'appel",
    "juridiction": "Tableau de bord de la juridiction",
}
GENERIC_ERROR = ("Le tableau de bord n'a pas pu être affiché. L'incident a été consigné dans le journal du "
                 "serveur ; si le problème persiste, contactez l'administrateur des données.")
DEFAULT_INDICATOR = "act_total_taux_couverture"
MAX_ALERT_ROWS = 60

log = logging.getLogger("cpc_toolkit.dashboard")


# --------------------------------------------------------------------------- errors and logging
def _log_path() -> Path:
    env = os.environ.get(ENV_LOG)
    return Path(env) if env else Path(tempfile.gettempdir()) / "cpc_tableau_de_bord.log"


def log_exception(context: str) -> None:
    """Append the current traceback to the dashboard log file (never to the page)."""
    with contextlib.suppress(OSError), open(_log_path(), "a", encoding="utf-8") as fh:
        fh.write(f"--- {context}\n{traceback.format_exc()}\n")


def user_message(exc: BaseException) -> str:
    """The French sentence shown to users for an exception (package errors keep their message)."""
    if isinstance(exc, CpcError):
        return exc.message
    return GENERIC_ERROR


def error_html(message: str) -> str:
    return (f'<div class="cpc-erreur" role="alert"><strong>Erreur :</strong> {html.escape(message)}</div>')


# --------------------------------------------------------------------------- data
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


# --------------------------------------------------------------------------- HTML helpers
def _table(df: pd.DataFrame, caption: str) -> str:
    """An accessible HTML table (caption, header cells with scope)."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in df.columns)
    rows = []
    for row in df.itertuples(index=False):
        cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
        rows.append(f"<tr>{cells}</tr>")
    return (f'<table class="cpc-table"><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _details(summary: str, body: str, open_: bool = False) -> str:
    return (f'<details class="cpc-details"{" open" if open_ else ""}><summary>{html.escape(summary)}</summary>'
            f"{body}</details>")


def _fmt(v: Any, unit: str) -> str:
    from cpc_toolkit.render.tables import cell_text

    return cell_text(v, unit, missing=catalogue.vocabulary.missing_mark(long=True))


# --------------------------------------------------------------------------- panels
class ChartPanel:
    """A chart (FigureWidget), its heading and a data-table alternative (collapsible)."""

    def __init__(self, key: str, heading: str, deps: Iterable[str], help_text: str = "") -> None:
        import ipywidgets as w

        self.key = key
        self.deps = frozenset(deps)
        self.heading = w.HTML(f'<h2 class="cpc-h2">{html.escape(heading)}</h2>'
                              + (f'<p class="cpc-aide">{html.escape(help_text)}</p>' if help_text else ""))
        self.figure: Any = None
        self.holder = w.Box(layout=w.Layout(width="100%"))
        self.table = w.HTML()
        self.box = w.VBox([self.heading, self.holder, self.table], layout=w.Layout(width="100%"))
        self.box.add_class(f"cpc-panel-{key}")

    def show(self, fig: dict[str, Any], table: pd.DataFrame, caption: str) -> None:
        """Draw a figure spec (``figures.<builder>.spec``: validated once, by the widget or the
        ``go.Figure`` diffed against it, instead of twice)."""
        import plotly.graph_objects as go

        from cpc_toolkit.dashboard.figwidget import figure_widget, sync_figure

        fig = {**fig, "layout": {**fig.get("layout", {}), "width": None, "autosize": True}}
        if self.figure is None:
            self.figure = figure_widget(fig)
            self.holder.children = (self.figure,)
        else:
            sync_figure(self.figure, go.Figure(fig))
        from cpc_toolkit.render.figures import alt_text

        alt = alt_text(fig)  # the chart's text alternative (a sentence with its key values), then its table
        self.table.value = ((f'<p class="cpc-aide cpc-alt">{html.escape(alt)}</p>' if alt else "")
                            + _details(f"Tableau des données — {caption}", _table(table, caption)))

    def set_visible(self, visible: bool) -> None:
        self.box.layout.display = None if visible else "none"

    def preview_json(self) -> str | None:
        """The chart as plotly JSON for the static preview, or None (hidden, or a trace type the basic
        plotly.js bundle cannot draw, such as the map)."""
        from cpc_toolkit.dashboard.figwidget import PREVIEW_TRACE_TYPES

        if self.figure is None or self.box.layout.display == "none":
            return None
        if not all(t.type in PREVIEW_TRACE_TYPES for t in self.figure.data):
            return None
        return str(self.figure.to_json())


class HtmlPanel:
    """A titled HTML block (tables, lists, links)."""

    def __init__(self, key: str, heading: str, deps: Iterable[str]) -> None:
        import ipywidgets as w

        self.key = key
        self.deps = frozenset(deps)
        self.body = w.HTML()
        self.box = w.VBox([w.HTML(f'<h2 class="cpc-h2">{html.escape(heading)}</h2>'), self.body],
                          layout=w.Layout(width="100%"))
        self.box.add_class(f"cpc-panel-{key}")

    def set_visible(self, visible: bool) -> None:
        self.box.layout.display = None if visible else "none"


# --------------------------------------------------------------------------- the dashboard
@dataclass
class State:
    annee: int
    cour: str  # "" = all cours (national dashboard only)
    juridiction: str  # "" = none
    famille: str
    indicateur: str


class Dashboard:
    """Widgets and update logic of one dashboard level (``national``, ``cour`` or ``juridiction``)."""

    FILTERS = ("annee", "cour", "juridiction", "famille", "indicateur")

    def __init__(self, level: str, data: DashboardData, selection: Selection | None = None) -> None:
        import ipywidgets as w

        if level not in LEVELS:
            raise DashboardError(f"Niveau de tableau de bord inconnu : « {level} » (national, cour, juridiction).",
                                 ReasonCode.USAGE)
        self.level = level
        self.data = data
        self._busy = False
        self.state = self._default_state()
        notices: list[str] = []
        if selection is not None:
            values, notices = self._selection_values(selection)
            self.state, _ = self._next_state(values)
        style = {"description_width": "initial"}
        lay = w.Layout(width="auto", min_width="12em", max_width="32em")
        self.w_annee = w.Dropdown(description="Année", options=[(str(y), y) for y in reversed(data.years)],
                                  value=self.state.annee, style=style, layout=lay)
        self.w_cour = w.Dropdown(description="Cour d'appel", options=self._cour_options(),
                                 value=self.state.cour, style=style, layout=lay)
        self.w_juridiction = w.Dropdown(description="Juridiction", options=self._court_options(self.state.cour),
                                        value=self.state.juridiction, style=style, layout=lay)
        self.w_famille = w.Dropdown(description="Famille", options=self._family_options(),
                                    value=self.state.famille, style=style, layout=lay)
        self.w_indicateur = w.Dropdown(description="Indicateur", options=self._indicator_options(self.state.famille),
                                       value=self.state.indicateur, style=style,
                                       layout=w.Layout(width="auto", min_width="20em", max_width="48em"))
        for name in self.FILTERS:
            widget = getattr(self, f"w_{name}")
            widget.add_class(f"cpc-filtre-{name}")
            widget.observe(self._on_change(name), names="value")
        self.notice = w.HTML()
        self.notice.add_class("cpc-notice")
        self.header = w.HTML()
        self.export_button = w.Button(description="Préparer l'export (CSV et Excel)",
                                      tooltip="Exporter la sélection courante", button_style="",
                                      layout=w.Layout(width="auto"))
        self.export_button.add_class("cpc-export-bouton")
        self.export_button.on_click(self._guard(lambda _b: self.prepare_export()))
        self.export_links = w.HTML()
        self.export_links.add_class("cpc-export-liens")
        self.panels = self._build_panels()
        self.root = self._layout()
        self.refresh(set(self.FILTERS))
        self._show_notices(notices)

    # ---------------------------------------------------------------- defaults and options
    def _default_state(self) -> State:
        year = self.data.years[-1]
        cour = "" if self.level == "national" else "ca-paris"
        court = ""
        if self.level == "juridiction":
            court = "tj-paris"
            cour = reference.cour_of(court)
        ind = catalogue.get(DEFAULT_INDICATOR)
        return State(annee=year, cour=cour, juridiction=court, famille=ind.family, indicateur=ind.id)

    def _cour_options(self) -> list[tuple[str, str]]:
        opts = [(reference.court_name(c), c) for c in self.data.cours]
        return ([("Toutes les cours d'appel", ""), *opts]) if self.level == "national" else opts

    def _court_options(self, cour: str) -> list[tuple[str, str]]:
        ids = reference.courts_of_cour(cour) if cour else list(reference.first_instance_courts().index)
        opts = sorted(((reference.court_name(c), c) for c in ids), key=lambda t: fr.sort_key(t[0]))
        return opts if self.level == "juridiction" else [("Aucune (vue d'ensemble)", ""), *opts]

    @staticmethod
    def _family_options() -> list[tuple[str, str]]:
        return [(f.label, f.id) for f in catalogue.families()
                if any(i.numeric for i in catalogue.indicators(family=f.id))]

    @staticmethod
    def _indicator_options(family: str) -> list[tuple[str, str]]:
        return [(i.label, i.id) for i in catalogue.indicators(family=family) if i.numeric]

    # ---------------------------------------------------------------- layout
    def _build_panels(self) -> dict[str, Any]:
        p: dict[str, Any] = {}
        if self.level == "national":
            p["carte"] = ChartPanel("carte", "Carte de France par cour d'appel", ("annee", "indicateur"),
                                    "Cliquez sur une cour ou choisissez-la dans la liste « Cour d'appel » pour "
                                    "afficher ses juridictions.")
        if self.level in ("national", "cour"):
            p["classement"] = ChartPanel("classement", "Classement", ("annee", "indicateur", "cour"))
        p["evolution"] = ChartPanel("evolution", "Évolution sur cinq ans", ("indicateur", "cour", "juridiction"))
        p["position"] = ChartPanel("position", "Position de la juridiction",
                                   ("annee", "indicateur", "juridiction"),
                                   "La juridiction parmi toutes les juridictions, celles de sa cour et celles de "
                                   "sa classe de taille.")
        p["repartition"] = ChartPanel("repartition", "Répartition des juridictions", ("annee", "indicateur",
                                                                                     "juridiction"))
        p["completude"] = HtmlPanel("completude", "Complétude de la campagne", ("annee", "cour", "juridiction"))
        p["alertes"] = HtmlPanel("alertes", "Alertes", ("annee", "cour", "juridiction"))
        p["rapports"] = HtmlPanel("rapports", "Rapports statiques", ("annee", "cour", "juridiction"))
        return p

    def _layout(self) -> Any:
        import ipywidgets as w

        filters = [self.w_annee]
        if self.level in ("national", "cour"):
            filters.append(self.w_cour)
        if self.level == "juridiction":
            filters.append(self.w_cour)
        filters += [self.w_juridiction, self.w_famille, self.w_indicateur]
        bar = w.HBox(filters, layout=w.Layout(flex_flow="row wrap"))
        bar.add_class("cpc-filtres")
        export = w.VBox([w.HTML('<h2 class="cpc-h2">Export de la sélection</h2>'
                                '<p class="cpc-aide">Valeurs de tous les indicateurs de la famille choisie, '
                                "pour l'année et les unités affichées.</p>"),
                         self.export_button, self.export_links])
        export.add_class("cpc-panel-export")
        root = w.VBox([self.header, self.notice, bar, *[p.box for p in self.panels.values()], export],
                      layout=w.Layout(width="100%"))
        root.add_class("cpc-tableau")
        root.add_class(f"cpc-tableau-{self.level}")
        return root

    # ---------------------------------------------------------------- events
    def _guard(self, fn: Callable[..., None]) -> Callable[..., None]:
        def wrapper(*args: Any) -> None:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fn(*args)
            except Exception as exc:
                log_exception(f"tableau {self.level} : mise à jour")
                self.notice.value = error_html(user_message(exc))
        return wrapper

    def _on_change(self, name: str) -> Callable[[dict[str, Any]], None]:
        def handler(change: dict[str, Any]) -> None:
            if self._busy:
                return
            self.select(**{name: change["new"]})
        return self._guard(handler)

    def _next_state(self, values: dict[str, Any]) -> tuple[State, set[str]]:
        """The state after changing ``values`` (cascading cour ↔ juridiction, famille → indicateur)."""
        changed: set[str] = set()
        new = dict(self.state.__dict__)
        for k, v in values.items():
            if v is None or k not in new:
                continue
            if new[k] != v:
                new[k] = v
                changed.add(k)
        if "cour" in changed and "juridiction" not in values:
            if new["juridiction"] and reference.cour_of(new["juridiction"]) != new["cour"]:
                new["juridiction"] = "" if self.level != "juridiction" else self._court_options(new["cour"])[0][1]
                changed.add("juridiction")
        if self.level == "juridiction" and not new["juridiction"]:
            new["juridiction"] = self._court_options(new["cour"])[0][1]
            changed.add("juridiction")
        if "juridiction" in changed and new["juridiction"] and self.level != "national":
            parent = reference.cour_of(new["juridiction"])
            if parent != new["cour"]:
                new["cour"] = parent
                changed.add("cour")
        if "famille" in changed and "indicateur" not in values:
            opts = self._indicator_options(new["famille"])
            if new["indicateur"] not in {v for _, v in opts}:
                new["indicateur"] = opts[0][1]
                changed.add("indicateur")
        return State(**new), changed

    def select(self, **values: Any) -> None:
        """Change filters programmatically (map clicks, tests) and redraw what depends on them."""
        state, changed = self._next_state(values)
        if not changed:
            return
        self.state = state
        self._sync_controls(changed)
        self.refresh(changed)

    def _sync_controls(self, changed: set[str]) -> None:
        self._busy = True
        try:
            if "cour" in changed:
                self.w_cour.value = self.state.cour
                self.w_juridiction.options = self._court_options(self.state.cour)
            if "cour" in changed or "juridiction" in changed:
                self.w_juridiction.value = self.state.juridiction
            if "famille" in changed:
                self.w_famille.value = self.state.famille
                self.w_indicateur.options = self._indicator_options(self.state.famille)
            if "famille" in changed or "indicateur" in changed:
                self.w_indicateur.value = self.state.indicateur
            if "annee" in changed:
                self.w_annee.value = self.state.annee
        finally:
            self._busy = False

    def _selection_values(self, sel: Selection) -> tuple[dict[str, Any], list[str]]:
        """Filter values and notices of a validated URL selection."""
        values: dict[str, Any] = {}
        notices = list(sel.notices)
        if sel.annee is not None:
            if sel.annee in self.data.years:
                values["annee"] = sel.annee
            else:
                notices.append(f"Année {sel.annee} non disponible : année {self.data.years[-1]} affichée.")
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

    def apply_selection(self, sel: Selection) -> None:
        """Apply a URL selection to a dashboard already built (before it is displayed)."""
        values, notices = self._selection_values(sel)
        self.select(**values)
        self._show_notices(notices)

    def _show_notices(self, notices: Sequence[str]) -> None:
        if notices:
            items = "".join(f"<li>{html.escape(n)}</li>" for n in notices)
            self.notice.value = f'<div class="cpc-avis" role="status"><ul>{items}</ul></div>'

    # ---------------------------------------------------------------- drawing
    def scope_units(self) -> list[str]:
        """Units of the current selection, as exported: (nation,) cour(s) and courts shown."""
        s = self.state
        if s.juridiction:
            return [s.juridiction, reference.cour_of(s.juridiction), reference.NATIONAL]
        if s.cour:
            return [s.cour, *sorted(reference.courts_of_cour(s.cour)), reference.NATIONAL]
        return [reference.NATIONAL, *self.data.cours]

    def focus_unit(self) -> str:
        s = self.state
        return s.juridiction or s.cour or reference.NATIONAL

    def refresh(self, changed: set[str]) -> None:
        """Redraw the panels depending on ``changed`` filters (all panels when every filter changed)."""
        self.header.value = self._header_html()
        if changed - {"annee"} or "annee" in changed:
            self.export_links.value = ""
        self.notice.value = ""
        for panel in self.panels.values():
            if panel.deps & changed:
                getattr(self, f"_draw_{panel.key}")(panel)

    def _header_html(self) -> str:
        s = self.state
        demo = (f'<p class="cpc-demo" role="note"><strong>{html.escape(exp.DEMO_LABEL)}</strong></p>'
                if self.data.demo else "")
        scope = reference.court_name(self.focus_unit())
        ind = catalogue.get(s.indicateur)
        return (f'<header class="cpc-entete"><h1 class="cpc-h1">{html.escape(TITLES[self.level])}</h1>{demo}'
                f'<p class="cpc-portee">{html.escape(scope)} — année {s.annee} — '
                f"{html.escape(ind.label)}</p></header>")

    def _values(self, unit_ids: Sequence[str], year: int, indicator_id: str) -> pd.DataFrame:
        from cpc_toolkit.render.tables import unit_values

        return unit_values(self.data.res, unit_ids, year, indicator_id).formatted(
            missing=catalogue.vocabulary.missing_mark(long=True))

    def _draw_carte(self, panel: ChartPanel) -> None:
        from cpc_toolkit.render import figures

        s = self.state
        fig = figures.france_map.spec(self.data.res, s.annee, s.indicateur)
        first = panel.figure is None
        panel.show(fig, self._values(self.data.cours, s.annee, s.indicateur), "valeur par cour d'appel")
        if first:
            self._bind_map_clicks(panel)

    def _bind_map_clicks(self, panel: ChartPanel) -> None:
        names = {reference.court_name(c): c for c in self.data.cours}

        def clicked(trace: Any, points: Any, _state: Any) -> None:
            cour = names.get(getattr(trace, "name", ""))
            if cour and points.point_inds:
                self.select(cour=cour)

        for trace in panel.figure.data:
            trace.on_click(self._guard(clicked))

    def _draw_classement(self, panel: ChartPanel) -> None:
        from cpc_toolkit.render import figures

        s = self.state
        if s.cour:
            fig = figures.courts_bar.spec(self.data.res, s.cour, s.annee, s.indicateur)
            units = sorted(reference.courts_of_cour(s.cour), key=lambda c: fr.sort_key(reference.court_name(c)))
            caption = f"juridictions de la {reference.court_name(s.cour)}"
        else:
            fig = figures.ranking.spec(self.data.res, s.annee, s.indicateur, "cour")
            units = self.data.cours
            caption = reference.level_label("cour", plural=True)
        panel.show(fig, self._values(units, s.annee, s.indicateur), caption)

    def _draw_evolution(self, panel: ChartPanel) -> None:
        from cpc_toolkit.render import figures

        s = self.state
        unit = self.focus_unit()
        fig = figures.trend.spec(self.data.res, unit, s.indicateur, compare=True)
        units = [unit]
        if reference.level_of(unit) == "juridiction":
            units.append(reference.cour_of(unit))
        if unit != reference.NATIONAL:
            units.append(reference.NATIONAL)
        ind = catalogue.get(s.indicateur)
        idx_rows = []
        for y in self.data.years:
            row = {"Année": str(y)}
            for u in units:
                row[reference.court_name(u)] = _fmt(_value(self.data.res, u, y, s.indicateur),
                                                    compute.display_unit(ind.id, reference.level_of(u)))
            idx_rows.append(row)
        panel.show(fig, pd.DataFrame(idx_rows), f"{ind.label}, {self.data.years[0]}–{self.data.years[-1]}")

    def _draw_position(self, panel: ChartPanel) -> None:
        from cpc_toolkit.render import figures

        s = self.state
        if not s.juridiction:
            panel.set_visible(False)
            return
        panel.set_visible(True)
        fig = figures.position_strip.spec(self.data.res, s.juridiction, s.annee, s.indicateur)
        pos = compute.positions(self.data.res, s.juridiction, s.annee, [s.indicateur])
        ind = catalogue.get(s.indicateur)
        rows = [{"Groupe de comparaison": r.group_label,
                 "Rang": f"{int(r.rank)} sur {int(r.n)}" if r.rank == r.rank else "—",
                 "Médiane du groupe": _fmt(r.median, ind.unit),
                 "Valeur de la juridiction": _fmt(r.value, ind.unit)} for r in pos.itertuples()]
        table = pd.DataFrame(rows, columns=["Groupe de comparaison", "Rang", "Médiane du groupe",
                                            "Valeur de la juridiction"])
        panel.show(fig, table, f"position — {reference.court_name(s.juridiction)}, {s.annee}")

    def _draw_repartition(self, panel: ChartPanel) -> None:
        from cpc_toolkit.render import figures

        s = self.state
        fig = figures.distribution.spec(self.data.res, s.annee, s.indicateur, highlight=s.juridiction or None)
        ind = catalogue.get(s.indicateur)
        res = self.data.res
        vals = res[(res["year"] == s.annee) & (res["indicator_id"] == s.indicateur)
                   & (res["level"] == "juridiction")]["value"].dropna()
        stats = [("Juridictions renseignées", format_number(len(vals)))]
        if len(vals):
            stats += [("Minimum", _fmt(vals.min(), ind.unit)), ("Premier quartile", _fmt(vals.quantile(0.25), ind.unit)),
                      ("Médiane", _fmt(vals.median(), ind.unit)),
                      ("Troisième quartile", _fmt(vals.quantile(0.75), ind.unit)),
                      ("Maximum", _fmt(vals.max(), ind.unit))]
        if s.juridiction:
            stats.append((reference.court_name(s.juridiction),
                          _fmt(_value(res, s.juridiction, s.annee, s.indicateur), ind.unit)))
        panel.show(fig, pd.DataFrame(stats, columns=["Statistique", "Valeur"]), f"{ind.label}, {s.annee}")

    def _draw_completude(self, panel: HtmlPanel) -> None:
        s = self.state
        cov = self.data.memo(("coverage", s.annee), lambda: compute.coverage(self.data.res, s.annee))
        if s.juridiction:
            rows = []
            for y in self.data.years:
                c = self.data.memo(("coverage", y), lambda y=y: compute.coverage(self.data.res, y))
                missing = any(s.juridiction in m for m in c["missing_ids"])
                rows.append({"Année": str(y), "Classeur transmis": "non" if missing else "oui"})
            body = _table(pd.DataFrame(rows), f"Transmission des classeurs — {reference.court_name(s.juridiction)}")
        else:
            sub = cov[cov["unit_id"] == s.cour] if s.cour else cov
            nat = cov[cov["level"] == "national"]
            rows = []
            for r in pd.concat([sub[sub["level"] != "national"], nat]).itertuples():
                rows.append({"Unité": r.unit_name, "Juridictions ayant transmis": f"{r.n_reporting} / {r.n_expected}",
                             "Taux": format_value(r.rate, "percent"),
                             "Juridictions manquantes": r.missing_names or "aucune"})
            body = _table(pd.DataFrame(rows), f"Classeurs transmis pour {s.annee}")
        panel.body.value = body

    def _draw_alertes(self, panel: HtmlPanel) -> None:
        s = self.state
        unit = self.focus_unit()
        al = self.data.memo(("alerts", unit, s.annee),
                            lambda: compute.alerts(self.data.res, unit, s.annee, include_courts=True))
        if al.empty:
            panel.body.value = f"<p>Aucune alerte pour {html.escape(reference.court_name(unit))} en {s.annee}.</p>"
            return
        shown = al.head(MAX_ALERT_ROWS)
        df = pd.DataFrame({"Unité": shown["unit_name"], "Gravité": shown["severity"],
                           "Alerte": shown["rule_label"], "Constat": shown["message"],
                           "Base légale": shown["legal_basis"].fillna("")})
        more = (f"<p>{format_number(len(al))} alertes au total ; les {MAX_ALERT_ROWS} plus graves sont "
                "affichées (l'export n'inclut pas les alertes).</p>" if len(al) > MAX_ALERT_ROWS else "")
        panel.body.value = more + _table(df, f"Alertes {s.annee} — {reference.court_name(unit)}")

    def _draw_rapports(self, panel: HtmlPanel) -> None:
        s = self.state
        links = report_links(s.annee, [u for u in (s.juridiction, s.cour) if u])
        statement = next((url for label, url in links if label == accessibility.LINK_LABEL), None)
        links = [(label, url) for label, url in links if label != accessibility.LINK_LABEL]
        a11y = accessibility.summary_html(statement)
        if not links:
            panel.body.value = (f"<p>Aucun rapport statique construit pour {s.annee} "
                                "(commande « cpc rapports »).</p>" + a11y)
            return
        items = "".join(f'<li><a href="{html.escape(url)}" target="_blank" rel="noopener">{html.escape(label)}</a></li>'
                        for label, url in links)
        panel.body.value = f"<ul>{items}</ul>{a11y}"

    # ---------------------------------------------------------------- export
    def export_frame(self) -> pd.DataFrame:
        s = self.state
        return exp.selection_frame(self.data.res, self.scope_units(), s.annee, s.famille)

    def prepare_export(self) -> None:
        s = self.state
        df = self.export_frame()
        unit = self.focus_unit()
        csv_url = exp.data_url(exp.to_csv_bytes(df, self.data.demo), "text/csv")
        xlsx_url = exp.data_url(exp.to_excel_bytes(df, self.data.demo),
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        csv_name = exp.export_name(unit, s.annee, s.famille, "csv")
        xlsx_name = exp.export_name(unit, s.annee, s.famille, "xlsx")
        self.export_links.value = (
            f'<p>{format_number(len(df))} lignes prêtes : '
            f'<a class="cpc-export-csv" download="{csv_name}" href="{csv_url}">Télécharger {csv_name} (CSV)</a> · '
            f'<a class="cpc-export-xlsx" download="{xlsx_name}" href="{xlsx_url}">Télécharger {xlsx_name} '
            f"(Excel)</a></p>")

    def preview_html(self) -> str:
        """Static first view, drawn by the page itself before any kernel connection.

        The header and the charts the basic plotly.js bundle can draw, as plain HTML with their JSON
        (served in the preheated page); the template hides it as soon as the first interactive chart
        is drawn (CSS ``:has``). Hidden from assistive technologies: the widgets that follow carry the
        same content, labelled controls and data tables.
        """
        charts = []
        for k, panel in enumerate(p for p in self.panels.values() if isinstance(p, ChartPanel)):
            spec = panel.preview_json()
            if spec is None:
                continue
            spec = spec.replace("</", "<\\/")  # never closes the <script> element early
            charts.append(f'<div class="cpc-apercu-bloc">{panel.heading.value}'
                          f'<div class="cpc-apercu-graphique" id="cpc-apercu-{self.level}-{k}"></div>'
                          f'<script type="application/json" class="cpc-apercu-spec">{spec}</script></div>')
        if not charts:
            return ""
        return (f'<div class="cpc-apercu" aria-hidden="true">{self._header_html()}'
                '<p class="cpc-aide">Chargement des graphiques interactifs et des filtres…</p>'
                f"{''.join(charts)}<script>{_PREVIEW_JS}</script></div>")

    def close(self) -> None:
        """Close every widget of this dashboard (frees the kernel-side models)."""
        def close_tree(widget: Any) -> None:
            for child in getattr(widget, "children", ()):
                close_tree(child)
            widget.close()

        close_tree(self.root)

    def share_link(self) -> str:
        s = self.state
        return "?" + query_string(Selection(annee=s.annee, cour=s.cour or None, juridiction=s.juridiction or None,
                                            famille=s.famille, indicateur=s.indicateur))


#: loads the basic plotly.js bundle once (template static folder) and draws the preview charts
_PREVIEW_JS = """(function () {
  var base = (document.body && document.body.dataset.baseUrl) || '/voila/';
  // parsed with the page (template cpc): leave Voilà's hidden cell area to be seen at once
  var me = document.currentScript, root = me && me.closest('.cpc-apercu');
  var cells = document.getElementById('rendered_cells');
  if (root && cells && cells.contains(root)) { cells.parentNode.insertBefore(root, cells); }
  function draw() {  // one chart per task, so that each one is painted as soon as it is drawn
    var el = document.querySelector('.cpc-apercu-graphique:not([data-drawn])');
    if (!el) { return; }
    el.dataset.drawn = '1';
    var spec = JSON.parse(el.nextElementSibling.textContent);
    window.Plotly.newPlot(el, spec.data, spec.layout, {staticPlot: true, responsive: true,
                                                      displayModeBar: false}).then(function () {
      setTimeout(draw, 0);
    });
  }
  if (window.Plotly) { draw(); return; }
  var s = document.createElement('script');
  s.src = base + 'templates/cpc/static/%s';
  s.onload = draw;
  document.head.appendChild(s);
})();""".replace("%s", PREVIEW_BUNDLE_NAME)


_value = compute.value  # the one lookup API over results


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
    if (ydir / accessibility.STATEMENT_FILE).is_file():
        out.append((accessibility.LINK_LABEL, f"{base}rapports/{year}/{accessibility.STATEMENT_FILE}"))
    for uid in unit_ids:
        for path in sorted(ydir.rglob(f"*{uid}*")):
            if path.suffix.lower() in (".html", ".pdf") and path.is_file():
                rel = path.relative_to(root).as_posix()
                kind = "PDF" if path.suffix.lower() == ".pdf" else "HTML"
                out.append((f"{reference.court_name(uid)} — rapport {year} ({kind})", f"{base}rapports/{rel}"))
    return out


# --------------------------------------------------------------------------- entry point
def _wait_for_request() -> None:
    """Under a preheated Voilà kernel, block until the page request arrives (no-op otherwise)."""
    try:
        from voila.utils import wait_for_request
    except ImportError:  # pragma: no cover - voila is a dependency
        return
    wait_for_request()


def build(level: str, query: str | None = None, data: DashboardData | None = None) -> Dashboard:
    """Build a dashboard and apply a raw query string (allowlisted names only). Raises French errors."""
    data = data or load_data()
    return Dashboard(level, data, parse_query(query, data.years))


def tableau_de_bord(level: str) -> Dashboard | None:
    """Notebook entry point: build and display the dashboard; any error becomes a French message.

    Before the request (preheated kernel) the data are loaded and the default dashboard is drawn
    (warming every cache). After it, that dashboard is shown as is when the URL selects nothing
    else; otherwise a new one is built directly with the URL selection (a widget updated before the
    page connects would show its initial figure).
    """
    from IPython.display import HTML, display

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data: DashboardData | None = None
            pre: Dashboard | None = None
            with contextlib.suppress(Exception):
                data = load_data()
                pre = Dashboard(level, data)
            _wait_for_request()
            if data is None or (data.tag and _store_tag() not in ("", data.tag)):
                data, pre = load_data(), None
            sel = parse_query(os.environ.get("QUERY_STRING", ""), data.years)
            dash = pre
            if pre is not None:
                values, notices = pre._selection_values(sel)
                if notices or pre._next_state(values)[1]:
                    pre.close()  # its widgets must not be shown with updates the page never received
                    dash = None
            if dash is None:
                dash = Dashboard(level, data, sel)
            if os.environ.get(ENV_SERVER):  # the preview's plotly.js is served by cpc tableau-de-bord
                preview = dash.preview_html()
                if preview:
                    display(HTML(preview))
            display(dash.root)
            return dash
    except Exception as exc:
        log_exception(f"tableau {level} : construction")
        display(HTML(error_html(user_message(exc))))
        return None


def _store_tag() -> str:
    try:
        from cpc_toolkit.store import open_store

        return str(open_store().manifest().get("tag", ""))
    except Exception:
        return ""
