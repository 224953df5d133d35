"""The blocks of a dashboard page: a chart with its data table, or a titled HTML block.

:func:`panels_for` lists the panels of one dashboard level with the filters each one depends on
(a filter change redraws only the panels depending on it).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import pandas as pd

from cpc_toolkit.dashboard.alerts import AlertsPanel
from cpc_toolkit.dashboard.markup import details, table

__all__ = ["ChartPanel", "HtmlPanel", "Panel", "panels_for"]


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

    def show(self, fig: dict[str, Any], data: pd.DataFrame, caption: str) -> None:
        """Draw a figure spec (``figures.<builder>.spec``: validated once, by the widget or the
        ``go.Figure`` diffed against it, instead of twice)."""
        import plotly.graph_objects as go

        from cpc_toolkit.dashboard.figwidget import figure_widget, sync_figure

        fig = fr_ticks({**fig, "layout": {**fig.get("layout", {}), "width": None, "autosize": True}})
        if self.figure is None:
            self.figure = figure_widget(fig)
            self.holder.children = (self.figure,)
        else:
            sync_figure(self.figure, go.Figure(fig))
        from cpc_toolkit.render.figures import alt_text

        alt = alt_text(fig)  # the chart's text alternative (a sentence with its key values), then its table
        self.table.value = ((f'<p class="cpc-aide cpc-alt">{html.escape(alt)}</p>' if alt else "")
                            + details(f"Tableau des données — {caption}", table(data, caption)))

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


#: plotly's decimal and thousands separators for fr-FR (« 5 000 », « 2,5 »)
SEPARATORS = ", "


def _is_year_axis(values: list[Any]) -> bool:
    nums = [v for v in values if isinstance(v, int | float) and v == v]
    return bool(nums) and all(float(v).is_integer() and 1900 <= v <= 2100 for v in nums)


def fr_ticks(fig: dict[str, Any]) -> dict[str, Any]:
    """The figure with fr-FR axis ticks: « 5 000 » and « 100 000 », never « 5k » (pure).

    Value axes get full numbers with thousands separators; an axis holding only years stays
    « 2025 ». Category axes are left alone.
    """
    layout = {**fig.get("layout", {}), "separators": SEPARATORS}
    for axis in ("x", "y"):
        key = f"{axis}axis"
        values = [v for t in fig.get("data", []) for v in (t.get(axis) or []) if t.get(axis) is not None]
        if not values or not any(isinstance(v, int | float) for v in values):
            continue
        extra: dict[str, object] = {"exponentformat": "none"}
        if not _is_year_axis(values):
            extra["separatethousands"] = True
        layout[key] = {**extra, **layout.get(key, {})}
    return {**fig, "layout": layout}


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


Panel = ChartPanel | HtmlPanel | AlertsPanel


def panels_for(level: str) -> dict[str, Panel]:
    """The panels of one dashboard level, in page order."""
    p: dict[str, Panel] = {}
    if level == "national":
        p["carte"] = ChartPanel("carte", "Carte de France par cour d'appel", ("annee", "indicateur"),
                                "Cliquez sur une cour ou choisissez-la dans la liste « Cour d'appel » pour "
                                "afficher ses juridictions.")
    if level in ("national", "cour"):
        p["classement"] = ChartPanel("classement", "Classement", ("annee", "indicateur", "cour"))
    p["evolution"] = ChartPanel("evolution", "Évolution sur cinq ans", ("indicateur", "cour", "juridiction"))
    p["position"] = ChartPanel("position", "Position de la juridiction", ("annee", "indicateur", "juridiction"),
                               "La juridiction parmi toutes les juridictions, celles de sa cour et celles de "
                               "sa classe de taille.")
    p["repartition"] = ChartPanel("repartition", "Répartition des juridictions",
                                  ("annee", "indicateur", "juridiction"))
    p["completude"] = HtmlPanel("completude", "Complétude de la campagne", ("annee", "cour", "juridiction"))
    p["alertes"] = AlertsPanel("alertes", "Alertes", ("annee", "cour", "juridiction"))
    p["rapports"] = HtmlPanel("rapports", "Rapports statiques", ("annee", "cour", "juridiction"))
    return p
