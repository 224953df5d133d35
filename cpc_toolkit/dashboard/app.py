"""The three dashboards (national, cour, juridiction) as an ipywidgets application.

Notebooks stay thin: ``from cpc_toolkit.dashboard.app import tableau_de_bord`` then
``tableau_de_bord("national")``. The data are loaded and every chart is drawn once *before* the
request arrives (so a preheated Voilà kernel has done the heavy work), then the allowlisted URL
parameters are applied. Filter changes only touch the panels that depend on the changed filter
and update the existing ``FigureWidget`` objects in one batched message.

Modules: ``state`` (data and filter state), ``panels`` (page blocks), ``views`` (what each panel
draws), ``preview`` (static first view), ``markup`` (French messages, log, HTML tables). Every
error is caught here and shown as a French message; the traceback goes to the log file
(``$CPC_TABLEAU_JOURNAL``), never to the page.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cpc_toolkit import reference
from cpc_toolkit.dashboard import export as exp
from cpc_toolkit.dashboard import state as st
from cpc_toolkit.dashboard.figwidget import ENV_SERVER
from cpc_toolkit.dashboard.markup import error_html, log_exception, user_message
from cpc_toolkit.dashboard.panels import ChartPanel, panels_for
from cpc_toolkit.dashboard.params import Selection, parse_query
from cpc_toolkit.dashboard.preview import preview_html
from cpc_toolkit.dashboard.state import DashboardData, State, load_data
from cpc_toolkit.dashboard.views import DRAW, alerts_of, header_html
from cpc_toolkit.fr import format_number

__all__ = ["Dashboard", "Prepared", "build", "prepare", "show", "tableau_de_bord", "wait_for_visitor"]

log = logging.getLogger("cpc_toolkit.dashboard")


class Dashboard:
    """Widgets and update logic of one dashboard level (``national``, ``cour`` or ``juridiction``)."""

    FILTERS = st.FILTERS

    def __init__(self, level: str, data: DashboardData, selection: Selection | None = None) -> None:
        import ipywidgets as w

        st.check_level(level)
        self.level = level
        self.data = data
        self._busy = False
        self.state = st.default_state(level, data)
        notices: list[str] = []
        if selection is not None:
            values, notices = self._selection_values(selection)
            self.state, _ = self._next_state(values)
        style = {"description_width": "initial"}
        lay = w.Layout(width="auto", min_width="12em", max_width="32em")
        self.w_annee = w.Dropdown(description="Année", options=[(str(y), y) for y in reversed(data.years)],
                                  value=self.state.annee, style=style, layout=lay)
        self.w_cour = w.Dropdown(description="Cour d'appel", options=st.cour_options(level, data),
                                 value=self.state.cour, style=style, layout=lay)
        self.w_juridiction = w.Dropdown(description="Juridiction", options=st.court_options(level, self.state.cour),
                                        value=self.state.juridiction, style=style, layout=lay)
        self.w_famille = w.Dropdown(description="Famille", options=st.family_options(),
                                    value=self.state.famille, style=style, layout=lay)
        self.w_indicateur = w.Dropdown(description="Indicateur", options=st.indicator_options(self.state.famille),
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
        self.panels = panels_for(level)
        self.root = self._layout()
        self.refresh(set(self.FILTERS))
        self._show_notices(notices)

    def _layout(self) -> Any:
        import ipywidgets as w

        filters = [self.w_annee, self.w_cour, self.w_juridiction, self.w_famille, self.w_indicateur]
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
        return st.next_state(self.level, self.state, values)

    def _selection_values(self, sel: Selection) -> tuple[dict[str, Any], list[str]]:
        return st.selection_values(sel, self.data.years)

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
                self.w_juridiction.options = st.court_options(self.level, self.state.cour)
            if "cour" in changed or "juridiction" in changed:
                self.w_juridiction.value = self.state.juridiction
            if "famille" in changed:
                self.w_famille.value = self.state.famille
                self.w_indicateur.options = st.indicator_options(self.state.famille)
            if "famille" in changed or "indicateur" in changed:
                self.w_indicateur.value = self.state.indicateur
            if "annee" in changed:
                self.w_annee.value = self.state.annee
        finally:
            self._busy = False

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
        return st.scope_units(self.state, self.data)

    def focus_unit(self) -> str:
        return st.focus_unit(self.state)

    def refresh(self, changed: set[str]) -> None:
        """Redraw the panels depending on ``changed`` filters (all panels when every filter changed)."""
        self.header.value = header_html(self.level, self.state, self.data)
        self.export_links.value = ""
        self.notice.value = ""
        for panel in self.panels.values():
            if panel.deps & changed:
                first = isinstance(panel, ChartPanel) and panel.figure is None
                DRAW[panel.key](panel, self.state, self.data)
                if first and panel.key == "carte":
                    self._bind_map_clicks(panel)

    def _bind_map_clicks(self, panel: Any) -> None:
        names = {reference.court_name(c): c for c in self.data.cours}

        def clicked(trace: Any, points: Any, _state: Any) -> None:
            cour = names.get(getattr(trace, "name", ""))
            if cour and points.point_inds:
                self.select(cour=cour)

        for trace in panel.figure.data:
            trace.on_click(self._guard(clicked))

    # ---------------------------------------------------------------- export
    def export_frame(self) -> pd.DataFrame:
        s = self.state
        return exp.selection_frame(self.data.res, self.scope_units(), s.annee, s.famille)

    def prepare_export(self) -> None:
        s = self.state
        df = self.export_frame()
        unit = self.focus_unit()
        alerts = alerts_of(s, self.data)
        csv_url = exp.data_url(exp.to_csv_bytes(df, self.data.demo), "text/csv")
        alerts_url = exp.data_url(exp.to_csv_bytes(alerts, self.data.demo), "text/csv")
        xlsx_url = exp.data_url(exp.to_excel_bytes(df, self.data.demo, alerts),
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        csv_name = exp.export_name(unit, s.annee, s.famille, "csv")
        alerts_name = exp.export_name(unit, s.annee, "alertes", "csv")
        xlsx_name = exp.export_name(unit, s.annee, s.famille, "xlsx")
        self.export_links.value = (
            f'<p>{format_number(len(df))} lignes et {format_number(len(alerts))} alertes prêtes : '
            f'<a class="cpc-export-csv" download="{csv_name}" href="{csv_url}">Télécharger {csv_name} (CSV)</a> · '
            f'<a class="cpc-export-alertes" download="{alerts_name}" href="{alerts_url}">Télécharger '
            f"{alerts_name} (CSV des alertes)</a> · "
            f'<a class="cpc-export-xlsx" download="{xlsx_name}" href="{xlsx_url}">Télécharger {xlsx_name} '
            f"(Excel, feuilles Sélection et Alertes)</a></p>")

    def preview_html(self) -> str:
        """Static first view drawn by the page before any kernel connection (see ``preview``)."""
        return preview_html(self.level, header_html(self.level, self.state, self.data), self.panels.values())

    def close(self) -> None:
        """Close every widget of this dashboard (frees the kernel-side models)."""
        def close_tree(widget: Any) -> None:
            for child in getattr(widget, "children", ()):
                close_tree(child)
            widget.close()

        close_tree(self.root)

    def share_link(self) -> str:
        return st.share_query(self.state)


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


@dataclass
class Prepared:
    """What a kernel built before its visitor came: the data and the default dashboard (or None)."""

    level: str
    data: DashboardData | None = None
    dash: Dashboard | None = None


def prepare(level: str) -> Prepared:
    """Load the data and draw the default dashboard, warming every cache (before the request).

    Failures are kept for later: :func:`show` retries them once the visitor is there.
    """
    prep = Prepared(level)
    with warnings.catch_warnings(), contextlib.suppress(Exception):
        warnings.simplefilter("ignore")
        prep.data = load_data()
        prep.dash = Dashboard(level, prep.data)
    return prep


def wait_for_visitor() -> None:
    """Under a preheated Voilà kernel, block until the page request arrives (no-op otherwise).

    Called in its own notebook cell, tagged ``cpc-attente-visiteur``: the server gives that cell no
    timeout (see ``executor``), so a preheated kernel waits for hours without expiring.
    """
    _wait_for_request()


def show(prep: Prepared) -> Dashboard | None:
    """Display the dashboard for the request (URL selection); any error becomes a French message.

    The prepared dashboard is shown as is when the URL selects nothing else; otherwise a new one
    is built directly with the URL selection (a widget updated before the page connects would
    show its initial figure).
    """
    from IPython.display import HTML, display

    level = prep.level
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data, pre = prep.data, prep.dash
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


def tableau_de_bord(level: str) -> Dashboard | None:
    """One-call entry point (plain Jupyter): prepare, wait for the request, show."""
    prep = prepare(level)
    wait_for_visitor()
    return show(prep)


def _store_tag() -> str:
    try:
        from cpc_toolkit.store import open_store

        return str(open_store().manifest().get("tag", ""))
    except Exception:
        return ""
