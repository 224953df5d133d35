"""The « Simulateur » dashboard page: what-if on entries, exits and staffing, chart and cleared-stock dates.

Same always-there pattern as the three other dashboards (``notebooks/tableau_de_bord_simulateur.ipynb``:
prepare → wait_for_visitor (cell tagged ``cpc-attente-visiteur``) → show). The projection base of the
selected unit-year is computed once (:func:`cpc_toolkit.compute.projection.projection_base`); each
control change is one :func:`cpc_toolkit.render.perspectives.simulate` call and one batched update of
the existing ``FigureWidget`` (:func:`cpc_toolkit.dashboard.figwidget.sync_figure`).

Every control is a labelled number box (keyboard and screen-reader friendly) linked to a slider.
"""

from __future__ import annotations

import contextlib
import html
import os
import warnings
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from cpc_toolkit import fr, reference
from cpc_toolkit.compute.projection import TOTAL, WhatIf, assumption_sentence, projection_base
from cpc_toolkit.dashboard.markup import error_html, log_exception, user_message
from cpc_toolkit.dashboard.params import parse_query
from cpc_toolkit.dashboard.state import DashboardData, load_data
from cpc_toolkit.errors import DashboardError, ReasonCode
from cpc_toolkit.render.perspectives import simulate
from cpc_toolkit.settings import DEMO_LABEL

__all__ = ["CONTROLS", "Control", "Prepared", "Simulator", "prepare", "result_rows", "show", "wait_for_visitor"]

DEFAULT_UNIT = "tj-paris"


@dataclass(frozen=True)
class Control:
    """One what-if control: its name (a :class:`WhatIf` field or ``horizon``), French label and bounds."""

    name: str
    label: str
    low: float
    high: float
    step: float
    default: float
    integer: bool = True


CONTROLS = (
    Control("entrees_pct", "Entrées (variation en %)", -50, 50, 1, 0),
    Control("sorties_pct", "Sorties (variation en %)", -50, 50, 1, 0),
    Control("etpt_magistrats", "ETPT de magistrats (en plus ou en moins)", -10, 10, 0.5, 0, integer=False),
    Control("etpt_greffe", "ETPT de greffe (en plus ou en moins)", -10, 10, 0.5, 0, integer=False),
    Control("horizon", "Horizon (mois)", 1, 60, 1, 24),
)


def unit_options(data: DashboardData) -> list[tuple[str, str]]:
    """National, then every cour, then every first-instance court (French labels)."""
    courts = sorted(reference.first_instance_courts().index, key=lambda c: fr.sort_key(reference.court_name(c)))
    return [(reference.national_name(), reference.NATIONAL),
            *((f"Cour : {reference.court_name(c)}", c) for c in data.cours),
            *((reference.court_name(c), c) for c in courts)]


def result_rows(table: pd.DataFrame) -> list[dict[str, str]]:
    """Per contentieux: label, stock at the horizon, and the cleared-stock (or doubling) date in French."""
    from cpc_toolkit.fr import format_number

    rows = []
    for r in table.itertuples():
        if isinstance(r.echeance, str) and r.echeance:
            when = f"{r.evenement} : {r.echeance}"
        else:
            when = str(r.evenement_na_reason or r.na_reason or "non calculable")
        stock = "non projeté" if pd.isna(cast(float, r.stock_h)) else f"{format_number(r.stock_h)} affaires"
        rows.append({"contentieux": str(r.contentieux), "label": str(r.label), "stock": stock, "echeance": when})
    return rows


def _result_html(table: pd.DataFrame, horizon: int) -> str:
    body = "".join(
        f'<tr data-contentieux="{html.escape(r["contentieux"])}"><th scope="row">{html.escape(r["label"])}</th>'
        f'<td class="cpc-sim-stock">{html.escape(r["stock"])}</td>'
        f'<td class="cpc-sim-echeance">{html.escape(r["echeance"])}</td></tr>' for r in result_rows(table))
    return (f'<table class="cpc-table cpc-sim-resultat" aria-live="polite"><caption>Stock projeté à {fr.format_value(horizon, "months", 0)} '
            "et date de résorption (ou de doublement) du stock</caption><thead><tr><th scope=\"col\">Contentieux"
            '</th><th scope="col">Stock projeté</th><th scope="col">Résorption ou doublement</th></tr></thead>'
            f"<tbody>{body}</tbody></table>")


class Simulator:
    """Widgets and update logic of the simulator page."""

    def __init__(self, data: DashboardData, unit_id: str = DEFAULT_UNIT, year: int | None = None) -> None:
        import ipywidgets as w

        from cpc_toolkit.dashboard.figwidget import figure_widget

        self.data = data
        self.year = int(year or data.years[-1])
        self.unit_id = unit_id
        self._base = self._base_for(unit_id, self.year)
        style = {"description_width": "initial"}
        self.w_unite = w.Dropdown(description="Ressort", options=unit_options(data), value=unit_id, style=style,
                                  layout=w.Layout(width="auto", min_width="24em", max_width="40em"))
        self.w_annee = w.Dropdown(description="Année de référence", options=[(str(y), y) for y in reversed(data.years)],
                                  value=self.year, style=style, layout=w.Layout(width="auto", min_width="12em"))
        self.inputs: dict[str, Any] = {}
        rows = []
        for c in CONTROLS:
            box_cls, slider_cls = (w.BoundedIntText, w.IntSlider) if c.integer else (w.BoundedFloatText, w.FloatSlider)
            box = box_cls(value=c.default, min=c.low, max=c.high, step=c.step, description=c.label, style=style,
                          layout=w.Layout(width="24em"))
            slider = slider_cls(value=c.default, min=c.low, max=c.high, step=c.step, readout=False,
                                continuous_update=False, layout=w.Layout(width="18em"))
            w.link((box, "value"), (slider, "value"))
            box.add_class(f"cpc-sim-{c.name}")
            slider.add_class(f"cpc-sim-curseur-{c.name}")
            box.observe(self._guard(lambda _change: self.update()), names="value")
            self.inputs[c.name] = box
            rows.append(w.HBox([box, slider]))
        for widget in (self.w_unite, self.w_annee):
            widget.observe(self._guard(lambda _change: self._rebase()), names="value")
        self.notice = w.HTML()
        self.notice.add_class("cpc-notice")
        table, spec = self.compute()
        self.chart = figure_widget(spec)
        self.result = w.HTML(_result_html(table, self.horizon))
        self.hypothese = w.HTML(self._hypothese_html())
        demo = f'<div class="cpc-banner" role="note">{html.escape(DEMO_LABEL)}</div>' if data.demo else ""
        header = w.HTML(f'<h1 class="cpc-h1">Simulateur : stock et délais projetés</h1>{demo}'
                        '<p class="cpc-aide">Projection à rythme mensuel constant de l\'année de référence ; '
                        "modifiez les entrées, les sorties, les effectifs ou l'horizon : le graphique et les dates "
                        "de résorption se mettent à jour.</p>")
        controls = w.VBox([w.HBox([self.w_unite, self.w_annee], layout=w.Layout(flex_flow="row wrap")), *rows])
        controls.add_class("cpc-sim-controles")
        chart_box = w.VBox([self.chart])
        chart_box.add_class("cpc-sim-graphique")
        self.root = w.VBox([header, self.notice, controls, chart_box, self.hypothese, self.result],
                           layout=w.Layout(width="100%"))
        self.root.add_class("cpc-tableau")
        self.root.add_class("cpc-simulateur")

    # ---------------------------------------------------------------- model
    def _base_for(self, unit_id: str, year: int) -> pd.DataFrame:
        return self.data.memo(("projection_base", unit_id, year),
                              lambda: projection_base(self.data.res, unit_id, year))

    @property
    def horizon(self) -> int:
        return int(self.inputs["horizon"].value) if hasattr(self, "inputs") and self.inputs else 24

    def whatif(self) -> WhatIf:
        if not getattr(self, "inputs", None):
            return WhatIf()
        return WhatIf(**{c.name: float(self.inputs[c.name].value) for c in CONTROLS if c.name != "horizon"})

    def compute(self) -> tuple[pd.DataFrame, dict[str, Any]]:
        """The current table and chart spec (one :func:`simulate` call)."""
        cont = tuple(c for c in self._base["contentieux"] if c != TOTAL)
        return simulate(self.data.res, self._base, self.horizon, self.whatif(), cont, demo=self.data.demo)

    def _hypothese_html(self) -> str:
        return f'<p class="cpc-muted cpc-sim-hypothese">{html.escape(assumption_sentence(self.year, self.whatif()))}</p>'

    # ---------------------------------------------------------------- events
    def _guard(self, fn: Any) -> Any:
        def wrapper(*args: Any) -> None:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fn(*args)
                    self.notice.value = ""
            except Exception as exc:
                log_exception("simulateur : mise à jour")
                self.notice.value = error_html(user_message(exc))
        return wrapper

    def _rebase(self) -> None:
        self.unit_id, self.year = str(self.w_unite.value), int(self.w_annee.value)
        self._base = self._base_for(self.unit_id, self.year)
        self.update()

    def update(self) -> None:
        """Recompute and redraw (chart in one batched message, table and assumption sentence)."""
        import plotly.graph_objects as go

        from cpc_toolkit.dashboard.figwidget import sync_figure

        table, spec = self.compute()
        sync_figure(self.chart, go.Figure(spec))
        self.result.value = _result_html(table, self.horizon)
        self.hypothese.value = self._hypothese_html()

    def close(self) -> None:
        def close_tree(widget: Any) -> None:
            for child in getattr(widget, "children", ()):
                close_tree(child)
            widget.close()

        close_tree(self.root)


# --------------------------------------------------------------------------- entry points (notebook)
@dataclass
class Prepared:
    level: str = "simulateur"
    data: DashboardData | None = None
    sim: Simulator | None = None


LEVEL = "simulateur"


def prepare(level: str = LEVEL) -> Prepared:
    """Load the data and build the default simulator before the visitor comes (failures kept for :func:`show`).

    ``level`` is the notebook's ``niveau`` parameter (always ``"simulateur"``; kept for the common layout)."""
    prep = Prepared(level=level)
    if level != LEVEL:
        return prep  # show() then reports the problem in French
    with warnings.catch_warnings(), contextlib.suppress(Exception):
        warnings.simplefilter("ignore")
        prep.data = load_data()
        prep.sim = Simulator(prep.data)
    return prep


def wait_for_visitor() -> None:
    """Under a preheated Voilà kernel, block until the page request arrives (cell without timeout)."""
    from cpc_toolkit.dashboard.app import wait_for_visitor as wait

    wait()


def show(prep: Prepared) -> Simulator | None:
    """Display the simulator (``?juridiction=`` or ``?cour=`` and ``?annee=`` preselect); French message on error."""
    from IPython.display import HTML, display

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if prep.level != LEVEL:
                raise DashboardError(f"Niveau de tableau de bord inconnu : « {prep.level} » (simulateur).",
                                     ReasonCode.USAGE)
            data = prep.data or load_data()
            sel = parse_query(os.environ.get("QUERY_STRING", ""), data.years)
            unit = sel.juridiction or sel.cour or DEFAULT_UNIT
            year = sel.annee or data.years[-1]
            sim = prep.sim
            if sim is None or sim.unit_id != unit or sim.year != year:
                if sim is not None:
                    sim.close()
                sim = Simulator(data, unit, year)
            display(sim.root)
            return sim
    except Exception as exc:
        log_exception("simulateur : construction")
        display(HTML(error_html(user_message(exc))))
        return None
