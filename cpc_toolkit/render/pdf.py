"""A4 PDF of report HTML files through the system Chromium (Playwright), one browser for all.

``jupyter nbconvert --to webpdf`` cannot use Debian's chromium (no executable path option), hence
this small step over the offline HTML: the page is opened with the network blocked, every plotly
chart is awaited, then printed with the report's print stylesheet (A4, charts ≤ 180 mm wide).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cpc_toolkit.errors import ReasonCode, RenderError
from cpc_toolkit.store import atomic_write_bytes

__all__ = ["CHROMIUM", "PdfPrinter", "chromium_path", "pdf_printer"]

CHROMIUM = "/usr/bin/chromium"
ENV_CHROMIUM = "CPC_CHROMIUM"
FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#555;font-family:Arial">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
WAIT_CHARTS_JS = """() => {
  const divs = document.querySelectorAll('.plotly-graph-div');
  const drawn = document.querySelectorAll('.plotly-graph-div .main-svg');
  return divs.length === 0 || drawn.length >= divs.length;
}"""


def chromium_path() -> str:
    """``$CPC_CHROMIUM``, else /usr/bin/chromium, else chromium on the PATH."""
    for cand in (os.environ.get(ENV_CHROMIUM), CHROMIUM, shutil.which("chromium"), shutil.which("chromium-browser")):
        if cand and Path(cand).exists():
            return cand
    raise RenderError("Chromium est introuvable (/usr/bin/chromium) : installez-le avec « make chromium » "
                      "pour produire les PDF.", ReasonCode.RENDER)


class PdfPrinter:
    """One headless Chromium; :meth:`print` turns an HTML file into an A4 PDF."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.context = browser.new_context(offline=False, java_script_enabled=True)
        self.context.route("http://**", lambda route: route.abort())
        self.context.route("https://**", lambda route: route.abort())

    def print(self, html_path: Path, pdf_path: Path, timeout_ms: int = 60_000, mode: int | None = None) -> Path:
        """Print ``html_path`` to ``pdf_path`` (atomic write; ``mode``, e.g. 0o600, whatever the umask)."""
        page = self.context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            page.goto(Path(html_path).resolve().as_uri(), wait_until="load", timeout=timeout_ms)
            page.emulate_media(media="print")
            page.wait_for_function(WAIT_CHARTS_JS, timeout=timeout_ms)
            data = page.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                            display_header_footer=True, header_template="<span></span>", footer_template=FOOTER,
                            margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"})
        except Exception as exc:  # playwright raises its own error types
            raise RenderError(f"Impression PDF impossible pour « {html_path} » : {exc}", ReasonCode.RENDER) from exc
        finally:
            page.close()
        if errors:
            raise RenderError(f"Erreur JavaScript dans « {html_path} » : {errors[0]}", ReasonCode.RENDER)
        atomic_write_bytes(Path(pdf_path), data, mode=mode)
        return Path(pdf_path)


@contextmanager
def pdf_printer() -> Iterator[PdfPrinter]:
    """Start Chromium once for a batch of PDFs."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])
        except Exception as exc:
            raise RenderError(f"Chromium ne démarre pas ({path}) : {exc}", ReasonCode.RENDER) from exc
        try:
            yield PdfPrinter(browser)
        finally:
            browser.close()
