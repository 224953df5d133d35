"""The static first view: the header and the charts the basic plotly.js bundle can draw, as plain
HTML with their JSON, drawn by the page itself before any kernel connection.

The template hides it as soon as the first interactive chart is drawn (CSS ``:has``). Hidden from
assistive technologies: the widgets that follow carry the same content, labelled controls and
data tables. Its script is ``static/apercu.js`` (package data).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources

from cpc_toolkit.dashboard.figwidget import PREVIEW_BUNDLE_NAME
from cpc_toolkit.dashboard.panels import ChartPanel, Panel

__all__ = ["preview_html", "preview_script"]


@cache
def preview_script() -> str:
    """The preview's JavaScript, loading the basic plotly.js bundle from the template's static folder."""
    js = resources.files("cpc_toolkit.dashboard").joinpath("static", "apercu.js").read_text(encoding="utf-8")
    return js.replace("__BUNDLE__", PREVIEW_BUNDLE_NAME)


def preview_html(level: str, header: str, panels: Iterable[Panel]) -> str:
    """The preview block of one dashboard ("" when no chart can be previewed)."""
    charts = []
    for k, panel in enumerate(p for p in panels if isinstance(p, ChartPanel)):
        spec = panel.preview_json()
        if spec is None:
            continue
        spec = spec.replace("</", "<\\/")  # never closes the <script> element early
        charts.append(f'<div class="cpc-apercu-bloc">{panel.heading.value}'
                      f'<div class="cpc-apercu-graphique" id="cpc-apercu-{level}-{k}"></div>'
                      f'<script type="application/json" class="cpc-apercu-spec">{spec}</script></div>')
    if not charts:
        return ""
    return (f'<div class="cpc-apercu" aria-hidden="true">{header}'
            '<p class="cpc-aide">Chargement des graphiques interactifs et des filtres…</p>'
            f"{''.join(charts)}<script>{preview_script()}</script></div>")
