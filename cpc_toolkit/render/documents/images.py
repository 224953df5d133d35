"""Charts as PNG for the office documents, drawn by the Chromium the PDF step already uses.

One headless page loads the vendored plotly.js once; each figure is drawn with ``Plotly.toImage``
(no second chart engine, no network). Figures are plotly JSON specs (dicts), as the report
figures produce them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from typing import Any

from cpc_toolkit.errors import ReasonCode, RenderError

__all__ = ["chart_session", "figures_to_png"]

_PAGE = "<!doctype html><html lang='fr'><head><meta charset='utf-8'></head><body><div id='g'></div></body></html>"
_DRAW = """async ([spec, w, h, scale]) => {
  const gd = document.getElementById('g');
  const layout = Object.assign({}, spec.layout || {}, {width: w, height: h});
  await Plotly.newPlot(gd, spec.data || [], layout, {staticPlot: true});
  const url = await Plotly.toImage(gd, {format: 'png', width: w, height: h, scale: scale});
  Plotly.purge(gd);
  return url;
}"""


def _plotly_js() -> str:
    static = resources.files("cpc_toolkit.render").joinpath("static")
    name = next(p.name for p in static.iterdir() if p.name.startswith("plotly") and p.name.endswith(".min.js"))
    return static.joinpath(name).read_text(encoding="utf-8")


_SESSION: list[Any] = []  # the page of an open :func:`chart_session` (campaigns: one browser for all)


@contextmanager
def chart_session() -> Iterator[None]:
    """Keep one headless Chromium page open for every :func:`figures_to_png` call inside the block."""
    from playwright.sync_api import sync_playwright

    from cpc_toolkit.render.pdf import chromium_path

    path = chromium_path()
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])
        except Exception as exc:
            raise RenderError(f"Chromium ne démarre pas ({path}) : {exc}", ReasonCode.RENDER) from exc
        try:
            _SESSION.append(_page(browser))
            yield
        finally:
            _SESSION.clear()
            browser.close()


def _page(browser: Any) -> Any:
    page = browser.new_page()
    page.route("http://**", lambda route: route.abort())
    page.route("https://**", lambda route: route.abort())
    page.set_content(_PAGE)
    page.add_script_tag(content=_plotly_js())
    return page


def _draw(page: Any, specs: Sequence[dict[str, Any]], width: int, height: int, scale: float) -> list[bytes]:
    out: list[bytes] = []
    for spec in specs:
        plain = json.loads(json.dumps(spec, default=str))
        try:
            url = page.evaluate(_DRAW, [plain, width, height, scale])
        except Exception as exc:
            raise RenderError(f"Graphique impossible à dessiner pour le document : {exc}",
                              ReasonCode.RENDER) from exc
        out.append(base64.b64decode(url.split(",", 1)[1]))
    return out


def figures_to_png(specs: Sequence[dict[str, Any]], width: int = 900, height: int = 450,
                   scale: float = 2.0) -> list[bytes]:
    """PNG bytes of each plotly figure spec, in order (one browser for all, or the open session's)."""
    if not specs:
        return []
    if _SESSION:
        return _draw(_SESSION[0], specs, width, height, scale)
    with chart_session():
        return _draw(_SESSION[0], specs, width, height, scale)
