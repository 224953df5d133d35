"""A4 PDF of report HTML files through the system Chromium (Playwright), one browser for all,
a few pages printing at once.

``jupyter nbconvert --to webpdf`` cannot use Debian's chromium (no executable path option), hence
this small step over the offline HTML: the page is opened with the network blocked, every plotly
chart is awaited, then printed with the report's print stylesheet (A4, charts ≤ 180 mm wide).

Debian's ``chromium-headless-shell`` (the headless-only build) is preferred when installed: same
engine, less work per page. A report page is printed in a tab that already holds plotly.js: the
page's own copy (1.4 MB, parsed and initialised again in every fresh tab) is left out and its
content written into the tab, with plotly's global stylesheet, the one it adds when it starts, put
back in its place and relative links made absolute as if the file had been opened. A tab serves
:data:`TAB_USES` reports, then a fresh one is opened; one that met an error is not reused. Pages
without plotly.js (documents, remontées) are opened from their file in a fresh tab.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from cpc_toolkit.errors import ReasonCode, RenderError
from cpc_toolkit.files import atomic_write_bytes

__all__ = ["CHROMIUM", "HEADLESS_SHELL", "PAGES", "PdfPrinter", "chromium_path", "pdf_printer", "plotly_tab",
           "tab_document"]

HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
CHROMIUM = "/usr/bin/chromium"
ENV_CHROMIUM = "CPC_CHROMIUM"
FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#555;font-family:Arial">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
PDF_OPTIONS: dict[str, Any] = {
    "format": "A4", "print_background": True, "prefer_css_page_size": True, "display_header_footer": True,
    "header_template": "<span></span>", "footer_template": FOOTER,
    "margin": {"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"}}
WAIT_CHARTS_JS = """() => {
  const divs = document.querySelectorAll('.plotly-graph-div');
  const drawn = document.querySelectorAll('.plotly-graph-div .main-svg');
  return divs.length === 0 || drawn.length >= divs.length;
}"""
PLOTLY_CSS_JS = ("() => Array.from(document.getElementById('plotly.js-style-global').sheet.cssRules)"
                 ".map(r => r.cssText).join('\\n')")
STATIC_CHARTS = True  # charts drawn as static plots in print tabs (no drag layers, no hover: nothing printed changes)
STATIC_CHARTS_JS = """(() => {  // run before plotly.js: plotly configured as it defines itself
  let plotly;
  Object.defineProperty(window, 'Plotly', {configurable: true, get: () => plotly,
    set: (v) => { plotly = v; if (v && v.setPlotConfig) v.setPlotConfig({staticPlot: true}); }});
})()"""
TAB_USES = 25  # reports printed in one tab before a fresh one (bounds what a long campaign keeps)
_RELATIVE = re.compile(r'\b(href|src)="(?![A-Za-z][A-Za-z0-9+.-]*:|#|/)([^"]*)"')


def chromium_path() -> str:
    """``$CPC_CHROMIUM``, else Debian's headless shell, else /usr/bin/chromium, else chromium on the PATH."""
    for cand in (os.environ.get(ENV_CHROMIUM), HEADLESS_SHELL, CHROMIUM, shutil.which("chromium"), shutil.which("chromium-browser")):
        if cand and Path(cand).exists():
            return cand
    raise RenderError("Chromium est introuvable (/usr/bin/chromium) : installez-le avec « make chromium » "
                      "pour produire les PDF.", ReasonCode.RENDER)


PAGES = 2  # pages printed at once by one Chromium (campaign): the two cores busy, one plotly tab less than 3


def tab_document(html_path: Path, parts: tuple[str, str], plotly_css: str) -> str:
    """The report page ``html_path`` (``parts``: :func:`html.split_at_plotly`) as written into a tab
    that already holds plotly.js: plotly's global stylesheet in place of its script, relative links
    made absolute as if the file had been opened."""
    base = Path(html_path).resolve().as_uri()
    return _RELATIVE.sub(lambda m: f'{m[1]}="{urljoin(base, m[2])}"',
                         f'{parts[0]}<style id="plotly.js-style-global">{plotly_css}</style>{parts[1]}')


async def plotly_tab(page: Any) -> str:
    """Make a fresh Playwright ``page`` a print tab holding plotly.js (print media; charts static when
    :data:`STATIC_CHARTS`: the same pixels without the invisible drag layers; Chromium's work × 1,0
    to × 1,3 less over runs of benchmarks/pdf.py); returns plotly's global stylesheet, to be written
    back into each report page."""
    from cpc_toolkit.render.html import plotly_js

    await page.emulate_media(media="print")
    if STATIC_CHARTS:
        await page.evaluate(STATIC_CHARTS_JS)
    await page.add_script_tag(content=plotly_js())
    return str(await page.evaluate(PLOTLY_CSS_JS))


class _Tab:
    """A page holding plotly.js, reused for several reports; ``errors``: its JavaScript errors."""

    def __init__(self, page: Any) -> None:
        self.page, self.errors, self.uses = page, list[str](), 0


class PdfPrinter:
    """One headless Chromium driven from its own thread (Playwright's asyncio API): :meth:`submit`
    queues an HTML file and returns a future, at most ``pages`` pages print at once; :meth:`print`
    waits for its PDF. The caller's thread stays free (the campaign keeps collecting HTML meanwhile)."""

    def __init__(self, path: str, pages: int = 1, reuse_tabs: bool = True) -> None:
        import asyncio
        import threading

        self.path, self.pages, self.reuse_tabs = path, max(1, pages), reuse_tabs
        self._idle: list[_Tab] = []
        self._plotly_css: str | None = None
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="cpc-pdf", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            first = (str(self._error).strip().splitlines() or [type(self._error).__name__])[0]  # not the browser's log
            raise RenderError(f"Chromium ne démarre pas ({path}) : {first}", ReasonCode.RENDER) from self._error

    def _run(self) -> None:
        import asyncio

        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main())

    async def _main(self) -> None:
        import asyncio

        from playwright.async_api import async_playwright

        self._stop = asyncio.Event()
        self._slots = asyncio.Semaphore(self.pages)
        try:
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=self.path, args=["--no-sandbox", "--disable-gpu"])
                try:
                    self.context = await browser.new_context(offline=False, java_script_enabled=True)
                    await self.context.route("http://**", lambda route: route.abort())
                    await self.context.route("https://**", lambda route: route.abort())
                    self._ready.set()
                    await self._stop.wait()
                finally:
                    await browser.close()
        except BaseException as exc:  # start failure: reported by __init__
            self._error = exc
            self._ready.set()

    async def _print(self, html_path: Path, timeout_ms: int) -> tuple[bytes, list[str]]:
        async with self._slots:
            parts = None
            if self.reuse_tabs:
                from cpc_toolkit.render.html import split_at_plotly

                parts = split_at_plotly(Path(html_path).read_text(encoding="utf-8"))
            if parts is None:
                return await self._print_file(html_path, timeout_ms)
            return await self._print_in_tab(html_path, parts, timeout_ms)

    async def _print_file(self, html_path: Path, timeout_ms: int) -> tuple[bytes, list[str]]:
        page = await self.context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            await page.emulate_media(media="print")  # before loading: the charts are laid out once, for print
            if STATIC_CHARTS:
                await page.add_init_script(STATIC_CHARTS_JS)
            await page.goto(Path(html_path).resolve().as_uri(), wait_until="load", timeout=timeout_ms)
            await page.wait_for_function(WAIT_CHARTS_JS, timeout=timeout_ms)
            data = await page.pdf(**PDF_OPTIONS)
        finally:
            await page.close()
        return data, errors

    async def _new_tab(self) -> _Tab:
        tab = _Tab(await self.context.new_page())
        tab.page.on("pageerror", lambda exc: tab.errors.append(str(exc)))
        try:
            self._plotly_css = await plotly_tab(tab.page)
        except BaseException:
            await tab.page.close()
            raise
        return tab

    async def _print_in_tab(self, html_path: Path, parts: tuple[str, str], timeout_ms: int) -> tuple[bytes, list[str]]:
        tab = self._idle.pop() if self._idle else await self._new_tab()
        body = tab_document(html_path, parts, self._plotly_css or "")
        tab.errors.clear()
        done = False
        try:
            await tab.page.set_content(body, wait_until="load", timeout=timeout_ms)
            await tab.page.wait_for_function(WAIT_CHARTS_JS, timeout=timeout_ms)
            data = await tab.page.pdf(**PDF_OPTIONS)
            done = True
        finally:
            tab.uses += 1
            if done and not tab.errors and tab.uses < TAB_USES:
                self._idle.append(tab)
            else:
                await tab.page.close()
        return data, list(tab.errors)

    def submit(self, html_path: Path, pdf_path: Path, timeout_ms: int = 60_000,
               mode: int | None = None) -> Future[Path]:
        """Queue ``html_path``; the future gives ``pdf_path`` (atomic write; ``mode``, e.g. 0o600,
        whatever the umask) or raises :class:`RenderError`."""
        import asyncio

        done: Future[Path] = Future()
        inner = asyncio.run_coroutine_threadsafe(self._print(html_path, timeout_ms), self._loop)

        def finish(f: Future[tuple[bytes, list[str]]]) -> None:
            try:
                data, errors = f.result()
                if errors:
                    raise RenderError(f"Erreur JavaScript dans « {html_path} » : {errors[0]}", ReasonCode.RENDER)
                atomic_write_bytes(Path(pdf_path), data, mode=mode)
                done.set_result(Path(pdf_path))
            except RenderError as exc:
                done.set_exception(exc)
            except Exception as exc:  # playwright raises its own error types
                done.set_exception(RenderError(f"Impression PDF impossible pour « {html_path} » : {exc}",
                                               ReasonCode.RENDER))

        inner.add_done_callback(finish)
        return done

    def print(self, html_path: Path, pdf_path: Path, timeout_ms: int = 60_000, mode: int | None = None) -> Path:
        """Print ``html_path`` to ``pdf_path`` and wait for it."""
        return self.submit(html_path, pdf_path, timeout_ms, mode).result()

    def close(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join()
        self._loop.close()


@contextmanager
def pdf_printer(pages: int = 1) -> Iterator[PdfPrinter]:
    """Start Chromium once for a batch of PDFs (``pages`` printed at once)."""
    printer = PdfPrinter(chromium_path(), pages)
    try:
        yield printer
    finally:
        printer.close()
