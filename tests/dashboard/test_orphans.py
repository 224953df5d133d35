"""A page closed without asking for its kernel's shutdown does not keep the kernel until the idle cull.

A browser navigating away quickly loses Voilà's unload request; the page's kernel then stayed alive
for the whole idle cull (120 s), counted against the per-client limit, and a reader opening a few
pages in a row got « serveur occupé ». Here the page is fetched without any browser (its kernel never
sees a connection): with ``--fermeture-pages 3`` it is shut down within seconds, the idle cull being
left at 120 s; with ``--fermeture-pages 0`` it stays.
"""

from __future__ import annotations

import time
import urllib.request

import pytest

from cpc_toolkit.dashboard import harness


def _kernels_after_one_page(store_root, tmp_path, grace: int, wait_s: float) -> tuple[int, int, str]:
    srv = harness.start(store_root, tmp_path / f"serveur-{grace}.log",
                        extra=("--noyaux-prechauffes", "0", "--fermeture-pages", str(grace)), timeout=180)
    try:
        with urllib.request.urlopen(srv.url + "voila/render/tableau_de_bord_juridiction.ipynb", timeout=180) as resp:
            assert resp.status == 200 and "cpc-tableau" in resp.read().decode("utf-8")
        during = len(harness.kernel_memory(srv))
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and harness.kernel_memory(srv):
            time.sleep(0.5)
        return during, len(harness.kernel_memory(srv)), srv.log_text()
    finally:
        harness.stop(srv)


@pytest.mark.parametrize("grace", [3, 0])
def test_the_kernel_of_a_page_without_connection_is_shut_down_after_the_grace(demo_store, tmp_path, grace) -> None:
    during, after, log = _kernels_after_one_page(demo_store.root, tmp_path, grace, wait_s=20)
    assert during == 1  # the page's kernel (no preheated pool)
    if grace:
        assert after == 0 and "sa page n'a plus de connexion depuis 3 s" in log
    else:
        assert after == 1 and "sa page n'a plus de connexion" not in log
