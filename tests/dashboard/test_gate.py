"""One gate: with ``--token`` every route needs it (no kernel is started: preheating off)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from cpc_toolkit.dashboard import harness
from cpc_toolkit.store import Store

from .conftest import DashboardServer, stop_server

TOKEN = "jeton-de-test-0123456789"
ROUTES = ["", "rapports/2025/index.html", "rapports/manifest.json", "voila/render/tableau_de_bord_national.ipynb",
          "voila/templates/cpc/static/plotly-basic.min.js", "voila/static/voila.js", "voila/tree",
          "api/kernels/00000000-0000-4000-8000-000000000000", "voila/api/contents/",
          "voila/api/shutdown/00000000-0000-4000-8000-000000000000"]


@pytest.fixture(scope="module")
def server(demo_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DashboardServer]:
    reports = tmp_path_factory.mktemp("rapports")
    (reports / "2025").mkdir()
    (reports / "2025" / "index.html").write_text("<html lang='fr'><body>Index des rapports</body></html>")
    (reports / "manifest.json").write_text("{}")
    srv = harness.start(demo_store.root, tmp_path_factory.mktemp("j") / "serveur.log", reports=reports,
                        extra=("--noyaux-prechauffes", "0"), timeout=180, token=TOKEN)
    yield srv
    stop_server(srv)


def _status(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read(200_000).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_rapports_without_token_is_403_in_french(server: DashboardServer) -> None:
    code, body = _status(server.url + "rapports/2025/index.html")
    assert code == 403
    assert "Accès refusé" in body and 'lang="fr"' in body and "Index des rapports" not in body


@pytest.mark.parametrize("route", ROUTES)
def test_every_route_requires_the_token(server: DashboardServer, route: str) -> None:
    assert _status(server.url + route)[0] == 403
    assert _status(server.url + route + "?token=mauvais-jeton-0123")[0] == 403


def test_the_token_opens_reports_and_static_files(server: DashboardServer) -> None:
    code, body = _status(server.url + f"rapports/2025/index.html?token={TOKEN}")
    assert code == 200 and "Index des rapports" in body
    assert _status(server.url + "voila/templates/cpc/static/plotly-basic.min.js",
                   {"Authorization": f"token {TOKEN}"})[0] == 200
    code, body = _status(server.url + f"?token={TOKEN}")
    assert code == 200 and "tableau_de_bord_national" in body


@pytest.mark.browser
def test_a_visitor_with_the_token_gets_the_interactive_dashboard(server: DashboardServer, browser: object) -> None:
    """The first link carries the token; the page's own requests (scripts, kernel websocket) pass on the cookie."""
    from .conftest import open_dashboard

    page, console = open_dashboard(browser, server.url + f"voila/render/tableau_de_bord_cour.ipynb?token={TOKEN}",
                                   n_charts=3)
    try:
        assert page.query_selector(".cpc-erreur") is None  # type: ignore[attr-defined]
        assert "Données fictives" in page.inner_text("body")  # type: ignore[attr-defined]
        assert console.errors == []
    finally:
        page.close()  # type: ignore[attr-defined]
