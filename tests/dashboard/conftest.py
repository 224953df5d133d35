"""Fixtures of the dashboard tests: a real ``cpc tableau-de-bord`` server and headless Chromium."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-extensions", "--no-first-run"]
START_TIMEOUT_S = 180.0
PAGE_TIMEOUT_MS = 120_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DashboardServer:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_server(data_dir: Path, reports: Path, log: Path, extra: tuple[str, ...] = ()) -> DashboardServer:
    """Start ``cpc tableau-de-bord`` on a free port and wait until its home page answers."""
    port = free_port()
    env = {**os.environ, "CPC_RAPPORTS": str(reports), "PYTHONWARNINGS": "ignore"}
    env.pop("PLOTLY_RENDERER", None)
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cpc_toolkit", "--donnees", str(data_dir), "tableau-de-bord",
             "--port", str(port), *extra],
            stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"le serveur s'est arrêté :\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return DashboardServer(url=url, proc=proc, log=log)
        except OSError:
            time.sleep(0.5)
    stop_server(proc)
    raise RuntimeError(f"le serveur n'a pas répondu à temps :\n{log.read_text(errors='replace')}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server (it shuts its kernels down), then kill any child left, by pid."""
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    for child in children:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass


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


def open_dashboard(browser: object, url: str, n_charts: int = 1) -> tuple[object, ConsoleLog]:
    """Open a dashboard page and wait until ``n_charts`` plotly charts are drawn."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True)  # type: ignore[attr-defined]
    console = ConsoleLog(page)
    page.goto(url, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_selector(".cpc-tableau, .cpc-erreur", timeout=PAGE_TIMEOUT_MS)
    if n_charts:
        page.wait_for_function(
            f"document.querySelectorAll('.cpc-tableau .js-plotly-plot .main-svg').length >= {n_charts}",
            timeout=PAGE_TIMEOUT_MS)
    return page, console
