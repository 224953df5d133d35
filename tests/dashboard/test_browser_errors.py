"""A dashboard whose data folder is corrupt shows a French message, never a Python traceback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .conftest import DashboardServer, open_dashboard, start_server, stop_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def broken_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DashboardServer]:
    data = tmp_path_factory.mktemp("donnees_corrompues")
    (data / "store").mkdir()
    (data / "store" / "manifest.json").write_text("{ceci n'est pas du JSON", encoding="utf-8")
    srv = start_server(data, tmp_path_factory.mktemp("rapports"), tmp_path_factory.mktemp("j") / "serveur.log",
                       extra=("--noyaux-prechauffes", "0"))
    yield srv
    stop_server(srv)


def test_corrupt_data_shows_a_french_message_without_traceback(broken_server: DashboardServer,
                                                               browser: object) -> None:
    page, console = open_dashboard(browser, broken_server.url + "voila/render/tableau_de_bord_national.ipynb",
                                   n_charts=0)
    try:
        page.wait_for_selector(".cpc-erreur", timeout=120_000)  # type: ignore[attr-defined]
        text = page.inner_text("body")  # type: ignore[attr-defined]
        assert "Erreur" in text and "illisible" in text
        for leak in ("Traceback", "There was an error", "File \"", "StoreError"):
            assert leak not in text
        assert "Traceback" not in page.content()  # type: ignore[attr-defined]
        assert console.errors == []
    finally:
        page.close()  # type: ignore[attr-defined]
