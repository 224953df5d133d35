"""The server harness survives a port taken between ``free_port()`` and the server's own bind.

Seen on CI: two test workers in parallel, a kernel of one bound (ZMQ) the port the other had just
picked for its dashboard server; the probe read the ZMQ greeting and the fixture failed with
``BadStatusLine``. The harness now tries another port.
"""

from __future__ import annotations

import socket
import threading
import urllib.request
from collections.abc import Iterator

import pytest

from cpc_toolkit.dashboard import harness

ZMQ_GREETING = b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f"


@pytest.fixture()
def squatter() -> Iterator[int]:
    """A port held by a non-HTTP listener that greets like ZMQ."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(ZMQ_GREETING)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(sock.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        sock.close()


def test_a_port_taken_by_another_process_is_replaced(demo_store, tmp_path, monkeypatch, squatter) -> None:
    ports = iter([squatter, harness.free_port()])
    picked: list[int] = []

    def next_port() -> int:
        picked.append(next(ports))
        return picked[-1]

    monkeypatch.setattr(harness, "free_port", next_port)
    srv = harness.start(demo_store.root, tmp_path / "serveur.log", extra=("--noyaux-prechauffes", "0"), timeout=120)
    try:
        assert len(picked) == 2 and srv.url.startswith(f"http://127.0.0.1:{picked[1]}/")
        with urllib.request.urlopen(srv.url, timeout=10) as resp:
            assert resp.status == 200 and "Tableaux de bord" in resp.read().decode("utf-8")
    finally:
        harness.stop(srv)
    assert srv.proc.poll() is not None
