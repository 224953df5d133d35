"""Plotly ``FigureWidget`` whose 5 MB front-end bundle is loaded once per page, from the server.

plotly's ``FigureWidget`` (an anywidget) ships its whole JavaScript bundle (plotly.js included,
~5 MB) *inside every widget's state*: with five charts a page moved 25 MB through the kernel
websocket and took 15–20 s to show its first chart. Under ``cpc tableau-de-bord`` the bundle is
copied once into the Voilà template's static folder and each widget's ESM is a three-line loader
that imports it by URL, so the browser fetches and evaluates it once (then from its cache).
Outside that server (plain Jupyter), the stock ``FigureWidget`` is used.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# plotly's FigureWidget imports nbformat → jsonschema, whose format checkers import
# ``rfc3987_syntax`` when installed: it compiles Lark grammars at import time (≈2.5 s of CPU per
# dashboard kernel on 2 cores, more while the three pools preheat together). IRI format checking
# is never used by a dashboard kernel, so the module is marked absent (jsonschema then simply
# skips the "iri" checkers) unless something already imported it.
from cpc_toolkit.lean import skip_iri_grammars

skip_iri_grammars()

import plotly.graph_objects as go  # noqa: E402 (after skip_iri_grammars)

__all__ = ["BUNDLE_NAME", "ENV_SERVER", "PREVIEW_BUNDLE_NAME", "PREVIEW_TRACE_TYPES", "copy_bundle", "figure_widget",
           "sync_figure"]

#: set by ``cpc tableau-de-bord`` in the kernels' environment
ENV_SERVER = "CPC_TABLEAU_SERVEUR"
BUNDLE_NAME = "plotly-widget.js"
#: plotly.js *basic* bundle (1,2 Mo, vendored in cpc_toolkit/render/static/) drawing the static preview
PREVIEW_BUNDLE_NAME = "plotly-basic.min.js"
#: trace types the basic bundle draws (the others, e.g. the map, are left to the widgets)
PREVIEW_TRACE_TYPES = frozenset({"scatter", "bar", "pie"})
#: template name served by cpc tableau-de-bord (see server.py)
TEMPLATE_NAME = "cpc"

_LOADER = (
    "const base = (document.body && document.body.dataset.baseUrl) || '/voila/';\n"
    f"const url = new URL(base + 'templates/{TEMPLATE_NAME}/static/{BUNDLE_NAME}', window.location.href);\n"
    "const mod = await import(url.href);\n"
    "export default mod.default;\n"
)


class ServedFigureWidget(go.FigureWidget):
    """A ``FigureWidget`` whose ESM imports the bundle served by the dashboard server."""

    _esm = _LOADER


def bundle_path() -> Path:
    """The anywidget bundle shipped by plotly."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "widgetbundle.js"


def copy_bundle(static_dir: Path) -> Path:
    """Copy plotly's widget bundle (and the basic plotly.js of the static preview) into a template
    ``static`` folder (copies: Tornado refuses symlinks)."""
    from cpc_toolkit.render.html import plotly_js

    static_dir.mkdir(parents=True, exist_ok=True)
    target = static_dir / BUNDLE_NAME
    shutil.copyfile(bundle_path(), target)
    (static_dir / PREVIEW_BUNDLE_NAME).write_text(plotly_js(), encoding="utf-8")
    return target


def figure_widget(fig: go.Figure | dict) -> go.FigureWidget:
    """A figure widget for ``fig``: the served variant under cpc tableau-de-bord, else plotly's own."""
    cls = ServedFigureWidget if os.environ.get(ENV_SERVER) else go.FigureWidget
    return cls(fig)


def sync_figure(widget: go.FigureWidget, fig: go.Figure) -> None:
    """Make the widget show ``fig`` without re-creating it.

    When the traces keep their number and types (the usual filter change), only the trace
    properties that differ are sent, with the new layout, in one ``batch_update`` message (the
    map's outlines are not re-sent when only its colours change); otherwise traces are replaced.
    Layout keys the new figure lacks (reference lines as ``shapes``, their ``annotations``…) are
    removed in the browser too: a plain layout assignment only sends the new keys, so the previous
    indicator's reference lines stayed drawn over the new one.
    """
    stale = sorted(set(widget.layout.to_plotly_json()) - set(fig.layout.to_plotly_json()))
    if stale:  # removed first (the widget still holds them, so the removal is sent), then the new figure
        widget.plotly_relayout({k: None for k in stale})
    _sync_traces_and_layout(widget, fig)


def _sync_traces_and_layout(widget: go.FigureWidget, fig: go.Figure) -> None:
    old, new = widget.data, fig.data
    if len(old) == len(new) and all(a.type == b.type for a, b in zip(old, new, strict=True)):
        with widget.batch_update():
            for a, b in zip(old, new, strict=True):
                a_props, b_props = a.to_plotly_json(), b.to_plotly_json()
                for key in set(a_props) | set(b_props):
                    if key in ("uid", "type"):
                        continue
                    if a_props.get(key) != b_props.get(key):
                        a[key] = b_props.get(key)
            widget.layout = fig.layout
        return
    widget.update(data=new, layout=fig.layout, overwrite=True)
