"""Executed notebook → single-file offline HTML (nbconvert, lab-derived template).

The ``cpc_rapport`` template (``templates/cpc_rapport``) extends nbconvert's ``lab`` template but
drops every network resource (require.js, MathJax, Mermaid, widget manager), inlines the small
``plotly.js-basic`` bundle once and replaces the JupyterLab theme by the report stylesheet (screen
and A4 print). Code, prompts, parameter cells, empty cells and stderr streams are removed.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from cpc_toolkit.errors import ReasonCode, RenderError

__all__ = ["PLOTLY_JS_NAME", "export_html", "plotly_js", "report_css"]

PLOTLY_JS_NAME = "plotly-basic-4.1.1.min.js"  # npm plotly.js-basic-dist-min 4.1.1 (MIT) = plotly.py 7's plotly.js
TEMPLATE_NAME = "cpc_rapport"
_STATIC = resources.files("cpc_toolkit.render").joinpath("static")


@cache
def plotly_js() -> str:
    return _STATIC.joinpath(PLOTLY_JS_NAME).read_text(encoding="utf-8")


@cache
def report_css() -> str:
    return _STATIC.joinpath("report.css").read_text(encoding="utf-8")


def _templates_dir() -> str:
    return str(Path(str(resources.files("cpc_toolkit.render").joinpath("templates"))))


@cache
def _exporter() -> Any:
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import Preprocessor

    class _Clean(Preprocessor):
        """Drop parameter cells, code cells without output and stderr streams."""

        def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
            keep = []
            for cell in nb.cells:
                tags = set(cell.get("metadata", {}).get("tags", []))
                if tags & {"parameters", "injected-parameters", "remove"}:
                    continue
                if cell.cell_type == "code":
                    cell.outputs = [o for o in cell.get("outputs", [])
                                    if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
                    if not cell.outputs:
                        continue
                keep.append(cell)
            nb.cells = keep
            return nb, resources

    exp = HTMLExporter(template_name=TEMPLATE_NAME, extra_template_basedirs=[_templates_dir()])
    exp.exclude_input = True
    exp.exclude_input_prompt = True
    exp.exclude_output_prompt = True
    exp.exclude_anchor_links = True
    exp.language_code = "fr"
    exp.register_preprocessor(_Clean(), enabled=True)
    return exp


def _a11y_label() -> str:
    from cpc_toolkit.render.accessibility import LINK_LABEL

    return LINK_LABEL


def export_html(nb: NotebookNode, title: str, demo: bool, footer: str = "", a11y_href: str = "") -> str:
    """Render an executed notebook to a self-contained HTML page (no network resource).

    ``a11y_href``: relative link to the accessibility statement, shown in the footer."""
    import copy

    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    res = {"cpc_plotly_js": plotly_js(), "cpc_css": report_css(), "cpc_demo": demo, "cpc_footer": footer,
           "cpc_a11y_href": a11y_href, "cpc_a11y_label": _a11y_label(), "metadata": {"name": title}}
    try:
        body, _ = _exporter().from_notebook_node(nb, resources=res)
    except Exception as exc:  # nbconvert raises many types; report them as a render error
        raise RenderError(f"Export HTML impossible : {exc}", ReasonCode.RENDER) from exc
    if re.search(r"<script[^>]+src=\"https?:", body):
        raise RenderError("Le rapport HTML référence un script en ligne : refusé (rapport hors ligne).",
                          ReasonCode.RENDER)
    return body
