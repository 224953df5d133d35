"""Fixtures of the dashboard tests: a real ``cpc tableau-de-bord`` server and headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cpc_toolkit.dashboard import harness
from cpc_toolkit.dashboard.harness import CHROMIUM, CHROMIUM_ARGS

START_TIMEOUT_S = 180.0
PAGE_TIMEOUT_MS = 120_000


DashboardServer = harness.RunningServer


def start_server(data_dir: Path, reports: Path, log: Path, extra: tuple[str, ...] = ()) -> DashboardServer:
    """Start ``cpc tableau-de-bord`` on a free port and wait until its home page answers."""
    return harness.start(data_dir, log, reports=reports, extra=extra, timeout=START_TIMEOUT_S)


def stop_server(srv: DashboardServer) -> None:
    """SIGTERM the server (it shuts its kernels down), then kill any child left."""
    harness.stop(srv)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class ConsoleLog:
    """Console errors and uncaught page errors of one page."""

    def __init__(self, page: object) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))  # type: ignore[attr-defined]


def open_dashboard(browser: object, url: str, n_charts: int = 1, **page_options: object) -> tuple[object, ConsoleLog]:
    """Open a dashboard page and wait until ``n_charts`` plotly charts are drawn (``page_options``:
    more options of Playwright's ``new_page``)."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True,  # type: ignore[attr-defined]
                            **page_options)
    console = ConsoleLog(page)
    page.goto(url, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_selector(".cpc-tableau, .cpc-erreur", timeout=PAGE_TIMEOUT_MS)
    if n_charts:
        page.wait_for_function(
            f"document.querySelectorAll('.cpc-tableau .js-plotly-plot .main-svg').length >= {n_charts}",
            timeout=PAGE_TIMEOUT_MS)
    return page, console
