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

__all__ = ["PLOTLY_JS_NAME", "export_html", "exporter", "plotly_js", "report_css", "split_at_plotly"]

PLOTLY_JS_NAME = "plotly-basic-4.1.1.min.js"  # npm plotly.js-basic-dist-min 4.1.1 (MIT) = plotly.py 7's plotly.js
TEMPLATE_NAME = "cpc_rapport"
_STATIC = resources.files("cpc_toolkit.render").joinpath("static")


@cache
def plotly_js() -> str:
    return _STATIC.joinpath(PLOTLY_JS_NAME).read_text(encoding="utf-8")


@cache
def plotly_sri() -> str:
    """Subresource-integrity hash of the vendored plotly.js (``sha384-…``)."""
    import base64
    import hashlib

    return "sha384-" + base64.b64encode(hashlib.sha384(plotly_js().encode("utf-8")).digest()).decode("ascii")


def split_at_plotly(page: str) -> tuple[str, str] | None:
    """A report page before and after its plotly.js script element, embedded or shared (``--plotly
    partage``), as :func:`export_html` writes it; ``None`` when the page loads no plotly.js."""
    embedded = f'<script type="text/javascript">{plotly_js()}</script>'
    start = page.find(embedded)
    if start >= 0:
        return page[:start], page[start + len(embedded):]
    shared = re.search(r'<script type="text/javascript" src="[^"]*' + re.escape(PLOTLY_JS_NAME) + r'"[^>]*></script>',
                       page)
    return (page[:shared.start()], page[shared.end():]) if shared else None


def write_shared_plotly(folder: Path) -> Path:
    """The shared, versioned plotly.js of ``--plotly partage`` (written once, rewritten if altered)."""
    from cpc_toolkit.store import atomic_write_bytes

    path = Path(folder) / PLOTLY_JS_NAME
    data = plotly_js().encode("utf-8")
    if not path.exists() or path.read_bytes() != data:
        atomic_write_bytes(path, data)
    return path


@cache
def report_css() -> str:
    return _STATIC.joinpath("report.css").read_text(encoding="utf-8")


def _templates_dir() -> str:
    return str(Path(str(resources.files("cpc_toolkit.render").joinpath("templates"))))


def _bytecode_cache() -> Any:
    """Compiled templates kept between processes, in Jinja's private per-user folder of the temp
    directory (checked owner-only by Jinja): every ``cpc rapport`` and campaign worker otherwise
    compiles nbconvert's ten templates again (≈ 0,1 s of CPU). No cache when the folder is refused,
    and a failed write is only a missed cache."""
    from jinja2 import FileSystemBytecodeCache

    class QuietCache(FileSystemBytecodeCache):
        def dump_bytecode(self, bucket: Any) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    try:
        return QuietCache()
    except (OSError, RuntimeError):
        return None


@cache
def exporter() -> Any:
    from nbconvert import HTMLExporter

    class _TemplateOnly(HTMLExporter):
        """The page as the template writes it. nbconvert's ``HTMLExporter.from_notebook_node`` then
        re-parses the whole page (≈1.4 MB) with BeautifulSoup to add ``alt`` to images and
        ``tabindex`` under a ``.jp-Notebook`` element, and re-serialises it: ≈90 % of the export's
        CPU for nothing here (reports show no image and this template has no ``.jp-Notebook``
        element). Same steps as nbconvert 7's method otherwise; a test checks that the page parses
        to the same document as nbconvert's own export."""

        def _create_environment(self) -> Any:
            env = super()._create_environment()
            env.bytecode_cache = _bytecode_cache()
            return env

        def from_notebook_node(  # type: ignore[override]
                self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
        ) -> tuple[str, dict[str, Any]]:
            from nbconvert.exporters.templateexporter import TemplateExporter
            from nbconvert.filters.highlight import Highlight2HTML
            from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exp = _TemplateOnly(template_name=TEMPLATE_NAME, extra_template_basedirs=[_templates_dir()])
    exp.exclude_input = True
    exp.exclude_input_prompt = True
    exp.exclude_output_prompt = True
    exp.exclude_anchor_links = True
    exp.language_code = "fr"
    return exp


def _a11y_label() -> str:
    from cpc_toolkit.render.accessibility import LINK_LABEL

    return LINK_LABEL


_MARKUP = re.compile(r"(<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<[^>]*>)", re.S | re.I)
_JS_SLOT = "/*cpc:plotly.js*/"
_TEXT_ENTITIES = {"&#39;": "'", "&#x27;": "'", "&#34;": '"', "&quot;": '"'}


def _plain_quotes(body: str) -> str:
    """Apostrophes and quotes written as characters in text nodes (markupsafe and ``html.escape``
    write them as entities; nbconvert's BeautifulSoup pass used to write them plainly): the same text,
    French apostrophes searchable as written. Tags, scripts and styles are left as they are."""
    parts = _MARKUP.split(body)
    for i in range(0, len(parts), 2):  # even indexes: text between markup
        if "&" in parts[i]:
            for ent, char in _TEXT_ENTITIES.items():
                parts[i] = parts[i].replace(ent, char)
    return "".join(parts)


def _prepare(nb: NotebookNode, title: str, demo: bool, footer: str,
             plotly_src: str | None = None, a11y_href: str = "") -> tuple[NotebookNode, dict[str, Any]]:
    """The notebook copy and the template resources of one export. The copy has only what the page
    shows: no parameter or ``remove`` cell (the Excel annex payload, hundreds of thousands of values
    that nbconvert would deep-copy twice more), no code cell without output, no stderr stream."""
    import copy

    cells = []
    for cell in nb.cells:
        if set(cell.get("metadata", {}).get("tags", [])) & {"parameters", "injected-parameters", "remove"}:
            continue
        if cell.cell_type == "code":
            outputs = [o for o in cell.get("outputs", [])
                       if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            if not outputs:
                continue
            cell = NotebookNode({**cell, "outputs": outputs})
        cells.append(cell)
    nb = copy.deepcopy(NotebookNode({**nb, "cells": cells}))
    nb.metadata["title"] = title
    res = {"cpc_plotly_js": plotly_js(), "cpc_css": report_css(), "cpc_demo": demo, "cpc_footer": footer,
           "cpc_a11y_href": a11y_href, "cpc_a11y_label": _a11y_label(), "metadata": {"name": title}}
    if plotly_src is not None:
        res.update(cpc_plotly_js="", cpc_plotly_src=f"{plotly_src}{PLOTLY_JS_NAME}", cpc_plotly_sri=plotly_sri())
    return nb, res


def export_html(nb: NotebookNode, title: str, demo: bool, footer: str = "", plotly_src: str | None = None,
                a11y_href: str = "") -> str:
    """Render an executed notebook to a self-contained HTML page (no network resource); with
    ``plotly_src`` (a relative folder URL, e.g. ``"../"``), the page loads the shared plotly.js there
    (integrity hash checked by the browser when served over HTTP(S)) instead of embedding it.
    ``a11y_href``: relative link to the accessibility statement, shown in the footer."""
    nb, res = _prepare(nb, title, demo, footer, plotly_src, a11y_href)
    # plotly.js (1.4 MB) goes in after the text pass, which then scans only the report itself
    js, res["cpc_plotly_js"] = res["cpc_plotly_js"], _JS_SLOT
    try:
        body, _ = exporter().from_notebook_node(nb, resources=res)
        body = _plain_quotes(body).replace(_JS_SLOT, js, 1)
    except Exception as exc:  # nbconvert raises many types; report them as a render error
        raise RenderError(f"Export HTML impossible : {exc}", ReasonCode.RENDER) from exc
    if re.search(r"<script[^>]+src=\"https?:", body):
        raise RenderError("Le rapport HTML référence un script en ligne : refusé (rapport hors ligne).",
                          ReasonCode.RENDER)
    return body
