"""Drive a real ``cpc tableau-de-bord`` server from scripts (benchmark, screenshots).

Starts the server as a child process on a free port, waits for its preheated kernels, and stops
it by pid (SIGTERM, then any leftover child). Chromium is Debian's ``/usr/bin/chromium``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cpc_toolkit.errors import DashboardError, ReasonCode

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "RunningServer", "free_port", "kernel_memory", "server_memory", "start", "stop"]

CHROMIUM = os.environ.get("CPC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-extensions", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningServer:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def pools_filled(self) -> int:
        return self.log_text().count("is filled with")


def start(data_dir: Path, log: Path, reports: Path | None = None, extra: tuple[str, ...] = (),
          timeout: float = 240.0, wait_pools: int = 0, token: str | None = None,
          base_url: str = "/") -> RunningServer:
    """Start the server and wait for its home page (and ``wait_pools`` filled kernel pools);
    ``base_url``: the server's prefix (``--base-url``), as behind a reverse proxy."""
    if token:
        extra = (*extra, "--token", token)
    if base_url != "/":
        extra = (*extra, "--base-url", base_url)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    if reports is not None:
        env["CPC_RAPPORTS"] = str(reports)
    env.pop("PLOTLY_RENDERER", None)
    deadline = time.monotonic() + timeout
    for _attempt in range(PORT_ATTEMPTS):
        srv = _launch(data_dir, log, extra, env, base_url)
        outcome = _wait(srv, deadline, token, wait_pools)
        if outcome == "pret":
            return srv
        stop(srv)
        if outcome != "port pris":
            break
    if outcome == "arrete":
        raise DashboardError(f"Le serveur s'est arrêté : {srv.log_text()[-2000:]}", ReasonCode.RENDER)
    if outcome == "port pris":
        raise DashboardError(f"Aucun port libre après {PORT_ATTEMPTS} essais.", ReasonCode.RENDER)
    raise DashboardError("Le serveur n'a pas répondu à temps.", ReasonCode.RENDER)


#: a free port can be taken by another process (a kernel's ZMQ socket…) between ``free_port()`` and the
#: server's own bind: the server then refuses to start, and the harness tries another port
PORT_ATTEMPTS = 3


def _launch(data_dir: Path, log: Path, extra: tuple[str, ...], env: dict[str, str], base_url: str) -> RunningServer:
    port = free_port()
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "cpc_toolkit", "--donnees", str(data_dir), "tableau-de-bord",
                                 "--port", str(port), *extra],
                                stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    return RunningServer(url=f"http://127.0.0.1:{port}{base_url}", proc=proc, log=log)


def _wait(srv: RunningServer, deadline: float, token: str | None, wait_pools: int) -> str:
    """``pret``, ``arrete`` (the server exited), ``port pris`` (another process holds its port) or
    ``delai`` (no answer before ``deadline``)."""
    import http.client

    while time.monotonic() < deadline:
        if srv.proc.poll() is not None:
            text = srv.log_text()
            return "port pris" if "déjà utilisé" in text or "already in use" in text else "arrete"
        try:
            probe = srv.url + (f"?token={token}" if token else "")
            with urllib.request.urlopen(probe, timeout=5) as resp:
                if resp.status == 200 and srv.pools_filled() >= wait_pools:
                    return "pret"
        except (OSError, http.client.HTTPException):  # not up yet, or someone else's (non-HTTP) socket
            pass
        time.sleep(0.5)
    return "delai"


def _children(pid: int) -> list:
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def server_memory(srv: RunningServer) -> tuple[float, int]:
    """(resident memory in MiB of the server and all its children, number of kernels)."""
    import psutil

    total, kernels = 0.0, 0
    for p in [psutil.Process(srv.proc.pid), *_children(srv.proc.pid)]:
        try:
            total += p.memory_info().rss / 2**20
            kernels += "ipykernel" in " ".join(p.cmdline())
        except psutil.NoSuchProcess:
            continue
    return total, kernels


def kernel_memory(srv: RunningServer) -> list[tuple[int, float]]:
    """(pid, resident memory in MiB) of every kernel of the server."""
    import psutil

    out = []
    for child in _children(srv.proc.pid):
        try:
            if "ipykernel" in " ".join(child.cmdline()):
                out.append((child.pid, child.memory_info().rss / 2**20))
        except psutil.NoSuchProcess:
            continue
    return out


def stop(srv: RunningServer) -> None:
    """SIGTERM (the server shuts its kernels down), then kill leftover children by pid."""
    import psutil

    children = _children(srv.proc.pid)
    if srv.proc.poll() is None:
        srv.proc.send_signal(signal.SIGTERM)
        try:
            srv.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            srv.proc.kill()
            srv.proc.wait(timeout=10)
    for child in children:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
