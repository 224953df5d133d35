"""Bounded: a burst of 200 concurrent loopback requests gets a page or a French 503, memory stays bounded.

The server runs with at most 4 live kernels, 3 per client, no preheating (every admitted page
starts a kernel). Requests are bounded in count (200) and time (each 240 s at most).
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from cpc_toolkit.dashboard import harness
from cpc_toolkit.store import Store

from .conftest import stop_server

N_REQUESTS = 200
MAX_KERNELS = 4
PER_CLIENT = 3
#: server (≈ 0,3 Go) + 4 kernels (≈ 0,45 Go each at most) with margin
MEMORY_BOUND_MIB = 3_000


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=240) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_burst_of_200_requests_is_answered_within_a_memory_bound(demo_store: Store,
                                                                 tmp_path_factory: pytest.TempPathFactory) -> None:
    srv = harness.start(demo_store.root, tmp_path_factory.mktemp("j") / "serveur.log",
                        reports=tmp_path_factory.mktemp("rapports"), timeout=180,
                        extra=("--noyaux-prechauffes", "0", "--noyaux-max", str(MAX_KERNELS),
                               "--noyaux-par-client", str(PER_CLIENT)))
    peak = {"mib": 0.0, "kernels": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            mib, kernels = harness.server_memory(srv)
            peak["mib"], peak["kernels"] = max(peak["mib"], mib), max(peak["kernels"], kernels)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    try:
        sampler.start()
        urls = [srv.url + f"voila/render/tableau_de_bord_{lvl}.ipynb"
                for lvl in ("national", "cour", "juridiction") for _ in range(N_REQUESTS // 3 + 1)][:N_REQUESTS]
        t0 = time.monotonic()
        with ThreadPoolExecutor(max_workers=N_REQUESTS) as pool:
            answers = list(pool.map(_get, urls))
        elapsed = time.monotonic() - t0
        done.set()
        sampler.join(timeout=5)
        codes = Counter(code for code, _ in answers)
        print(f"rafale : {dict(codes)} en {elapsed:.1f} s ; pic {peak['mib']:.0f} Mio, {peak['kernels']} noyaux")
        assert srv.proc.poll() is None  # the server stayed up
        assert len(answers) == N_REQUESTS and set(codes) <= {200, 503}
        assert 1 <= codes[200] <= PER_CLIENT and codes[503] >= N_REQUESTS - PER_CLIENT
        assert all("Serveur occupé, réessayez dans un instant" in body for code, body in answers if code == 503)
        assert all("cpc-tableau" in body or "cpc-apercu" in body or "rendered_cells" in body
                   for code, body in answers if code == 200)
        assert peak["kernels"] <= MAX_KERNELS
        assert peak["mib"] < MEMORY_BOUND_MIB
        # the server still serves once the burst is over
        assert _get(srv.url)[0] == 200
    finally:
        done.set()
        stop_server(srv)
