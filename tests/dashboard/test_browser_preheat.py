"""Preheated kernels never expire: a dashboard visited long after the server started shows its charts.

The server's cell timeout is shortened to 20 s (``--delai-cellule 20``) and each dashboard is
visited once its preheated kernel has waited well beyond it; the mechanism is the one of the
default 120 s. Before the fix, the waiting cell counted against that timeout and every visit
showed « Cell execution timed out… ».
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from cpc_toolkit.store import Store

from .conftest import DashboardServer, open_dashboard, start_server, stop_server

pytestmark = pytest.mark.browser

CELL_TIMEOUT_S = 20
#: a pool is reported filled when its kernel starts; the notebook then needs a few seconds to reach
#: its waiting cell, which must have waited longer than the cell timeout at the first visit
VISIT_AFTER_FILLED_S = CELL_TIMEOUT_S + 25


@pytest.fixture(scope="module")
def server(demo_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DashboardServer]:
    srv = start_server(demo_store.root, tmp_path_factory.mktemp("rapports"),
                       tmp_path_factory.mktemp("journal") / "serveur.log",
                       extra=("--delai-cellule", str(CELL_TIMEOUT_S)))
    srv.started = time.monotonic()  # type: ignore[attr-defined]
    deadline = time.monotonic() + 240
    while srv.pools_filled() < 3 and time.monotonic() < deadline:
        time.sleep(1)
    assert srv.pools_filled() >= 3, srv.log_text()[-2000:]
    time.sleep(VISIT_AFTER_FILLED_S)
    yield srv
    stop_server(srv)


@pytest.mark.parametrize("level", ["national", "cour", "juridiction"])
def test_a_late_visit_gets_the_first_chart(server: DashboardServer, browser: object, level: str) -> None:
    waited = time.monotonic() - server.started  # type: ignore[attr-defined]
    assert waited > 2 * CELL_TIMEOUT_S
    page, _console = open_dashboard(browser, server.url + f"voila/render/tableau_de_bord_{level}.ipynb", n_charts=1)
    try:
        text = page.inner_text("body")  # type: ignore[attr-defined]
        assert page.query_selector(".cpc-erreur") is None, text[:500]  # type: ignore[attr-defined]
        assert "Données fictives" in text
        for english in ("timed out", "Voilà", "Voila", "There was an error"):
            assert english not in text
    finally:
        page.close()  # type: ignore[attr-defined]
    assert "Timeout waiting for execute reply" not in server.log_text()
