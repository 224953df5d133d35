"""The three dashboards in headless Chromium against a real ``cpc tableau-de-bord`` (demo data).

One server for the whole module; every assertion reads the DOM or the plotted data (``gd.data``),
never pixels.
"""

from __future__ import annotations

import io
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from cpc_toolkit import catalogue, reference
from cpc_toolkit.store import Store

from .conftest import PAGE_TIMEOUT_MS, DashboardServer, open_dashboard, start_server, stop_server

pytestmark = pytest.mark.browser

RENDER = "voila/render/tableau_de_bord_{}.ipynb"
N_CHARTS = {"national": 4, "cour": 3, "juridiction": 3}


@pytest.fixture(scope="module")
def server(demo_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DashboardServer]:
    reports = tmp_path_factory.mktemp("rapports")
    (reports / "2025").mkdir()
    (reports / "2025" / "index.html").write_text("<html lang='fr'><body>Index des rapports</body></html>")
    srv = start_server(demo_store.root, reports, tmp_path_factory.mktemp("journal") / "serveur.log")
    yield srv
    stop_server(srv)


def _url(server: DashboardServer, level: str, query: str = "") -> str:
    return server.url + RENDER.format(level) + (f"?{query}" if query else "")


def _panel_data(page: object, panel: str, key: str = "y") -> list:
    return page.eval_on_selector(f".cpc-panel-{panel} .js-plotly-plot", f"el => el.data[0].{key}")  # type: ignore[attr-defined]


def test_home_page_lists_the_three_dashboards_in_french(server: DashboardServer) -> None:
    with urllib.request.urlopen(server.url, timeout=30) as resp:
        page = resp.read().decode("utf-8")
    assert '<html lang="fr">' in page
    for level in ("national", "cour", "juridiction"):
        assert RENDER.format(level) in page
    assert "cdn." not in page and "Select items" not in page


@pytest.mark.parametrize("level", ["national", "cour", "juridiction"])
def test_dashboard_loads_in_french_without_console_errors(server: DashboardServer, browser: object,
                                                          level: str) -> None:
    page, console = open_dashboard(browser, _url(server, level), N_CHARTS[level])
    try:
        text = page.inner_text("body")  # type: ignore[attr-defined]
        assert "Données fictives" in text
        assert page.evaluate("document.documentElement.lang") == "fr"  # type: ignore[attr-defined]
        for label in ("Année", "Famille", "Indicateur", "Juridiction"):
            assert page.get_by_label(label, exact=True).count() == 1, label  # type: ignore[attr-defined]
        n_charts = page.eval_on_selector_all(".cpc-tableau .js-plotly-plot", "els => els.length")  # type: ignore[attr-defined]
        n_tables = page.eval_on_selector_all("details.cpc-details table", "els => els.length")  # type: ignore[attr-defined]
        assert n_charts >= N_CHARTS[level] and n_tables >= n_charts  # a data table for each chart
        # the static first view was drawn from the served basic bundle, then hidden by the widgets
        assert page.eval_on_selector_all(".cpc-apercu .js-plotly-plot .main-svg", "els => els.length") >= 1  # type: ignore[attr-defined]
        assert not page.is_visible(".cpc-apercu")  # type: ignore[attr-defined]
        assert page.evaluate(  # type: ignore[attr-defined]
            "!document.getElementById('rendered_cells').contains(document.querySelector('.cpc-apercu'))")
        html = page.content()  # type: ignore[attr-defined]
        assert "tableau_de_bord(niveau)" not in html
        # Voilà's loading texts come from the French macro (templates/cpc/voila_setup.macro.html.j2)
        assert "Executing ${cell_index}" not in html and "Reading ${cell_index}" not in html
        assert "étape ${cell_index} sur ${cell_count}" in html
        assert "Traceback" not in text
        assert console.errors == []
    finally:
        page.close()  # type: ignore[attr-defined]


def test_changing_the_cour_redraws_the_courts_chart(server: DashboardServer, browser: object) -> None:
    page, console = open_dashboard(browser, _url(server, "national", "cour=ca-lyon"), N_CHARTS["national"])
    try:
        before = _panel_data(page, "classement", "hovertext")
        assert sorted(before) == sorted(reference.court_name(c) for c in reference.courts_of_cour("ca-lyon"))
        # ipywidgets options carry their labels
        page.select_option(".cpc-filtre-cour select", label=reference.court_name("ca-rennes"))  # type: ignore[attr-defined]
        page.wait_for_function(  # type: ignore[attr-defined]
            "() => { const el = document.querySelector('.cpc-panel-classement .js-plotly-plot');"
            " return el && el.data[0].hovertext.some(t => t.includes('Rennes')); }", timeout=PAGE_TIMEOUT_MS)
        after = _panel_data(page, "classement", "hovertext")
        assert sorted(after) == sorted(reference.court_name(c) for c in reference.courts_of_cour("ca-rennes"))
        assert console.errors == []
    finally:
        page.close()  # type: ignore[attr-defined]


def test_export_downloads_the_selection(server: DashboardServer, browser: object) -> None:
    page, _ = open_dashboard(browser, _url(server, "cour", "cour=ca-lyon&famille=activite&annee=2025"),
                             N_CHARTS["cour"])
    try:
        page.click(".cpc-export-bouton")  # type: ignore[attr-defined]
        page.wait_for_selector("a.cpc-export-csv", timeout=PAGE_TIMEOUT_MS)  # type: ignore[attr-defined]
        with page.expect_download(timeout=PAGE_TIMEOUT_MS) as info:  # type: ignore[attr-defined]
            page.click("a.cpc-export-csv")  # type: ignore[attr-defined]
        download = info.value
        assert download.suggested_filename == "cpc_ca-lyon_2025_activite.csv"
        raw = Path(download.path()).read_bytes().decode("utf-8-sig")
        df = pd.read_csv(io.StringIO(raw), sep=";", decimal=",")
        assert all(v.startswith("Données fictives") for v in df["Avertissement"])
        n_ind = sum(1 for i in catalogue.indicators(family="activite") if i.numeric)
        units = {"ca-lyon", "national", *reference.courts_of_cour("ca-lyon")}
        assert len(df) == len(units) * n_ind
        assert set(df["Identifiant"]) == units
        with page.expect_download(timeout=PAGE_TIMEOUT_MS) as info:  # type: ignore[attr-defined]
            page.click("a.cpc-export-xlsx")  # type: ignore[attr-defined]
        xlsx = pd.read_excel(info.value.path(), skiprows=1)
        assert len(xlsx) == len(df)
    finally:
        page.close()  # type: ignore[attr-defined]


def test_url_preselection_and_ignored_parameters(server: DashboardServer, browser: object) -> None:
    query = "cour=ca-lyon&annee=2024&template=reveal&theme=dark&inconnu=1&__class__=x"
    page, console = open_dashboard(browser, _url(server, "national", query), N_CHARTS["national"])
    try:
        assert page.input_value(".cpc-filtre-cour select") == reference.court_name("ca-lyon")  # type: ignore[attr-defined]
        assert page.input_value(".cpc-filtre-annee select") == "2024"  # type: ignore[attr-defined]
        title = page.eval_on_selector(".cpc-panel-classement .js-plotly-plot",  # type: ignore[attr-defined]
                                      "el => el.layout.title.text")
        assert "2024" in title
        labels = _panel_data(page, "classement", "hovertext")
        assert sorted(labels) == sorted(reference.court_name(c) for c in reference.courts_of_cour("ca-lyon"))
        # ?template= and ?theme= are ignored: same French lab-based page, light theme, no reveal.js
        assert page.evaluate("document.documentElement.lang") == "fr"  # type: ignore[attr-defined]
        assert page.locator(".reveal").count() == 0  # type: ignore[attr-defined]
        assert "theme-dark" not in (page.get_attribute("body", "class") or "")  # type: ignore[attr-defined]
        assert "inconnu" not in page.inner_text("body")  # type: ignore[attr-defined]
        assert console.errors == []
    finally:
        page.close()  # type: ignore[attr-defined]


def test_reports_route_serves_built_reports_only(server: DashboardServer) -> None:
    with urllib.request.urlopen(server.url + "rapports/2025/index.html", timeout=30) as resp:
        assert "Index des rapports" in resp.read().decode("utf-8")
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(server.url + "voila/files/tableau_de_bord_national.ipynb", timeout=30)
    assert exc.value.code in (403, 404)


def _annotations(page: object, panel: str) -> list[str]:
    return page.eval_on_selector(  # type: ignore[attr-defined]
        f".cpc-panel-{panel} .js-plotly-plot", "el => (el.layout.annotations || []).map(a => a.text)")


def _shapes(page: object, panel: str) -> int:
    return page.eval_on_selector(  # type: ignore[attr-defined]
        f".cpc-panel-{panel} .js-plotly-plot", "el => (el.layout.shapes || []).length")


def test_changing_a_rate_to_a_count_replaces_the_reference_lines(server: DashboardServer, browser: object) -> None:
    """Counts have no national reference line: none of the rate's lines may stay drawn over them."""
    rate, count = catalogue.get("act_total_taux_couverture"), catalogue.get("act_cg_entrees")
    assert (rate.unit, count.unit) == ("percent", "count") and rate.family == count.family
    page, console = open_dashboard(browser, _url(server, "national", f"indicateur={rate.id}"), N_CHARTS["national"])
    try:
        for panel in ("classement", "repartition"):
            notes = _annotations(page, panel)
            assert any(n.startswith("France : ") and "%" in n for n in notes), (panel, notes)
            assert _shapes(page, panel) >= 1
        page.select_option(".cpc-filtre-indicateur select", label=count.label)  # type: ignore[attr-defined]
        page.wait_for_function(  # type: ignore[attr-defined]
            "() => { const el = document.querySelector('.cpc-panel-classement .js-plotly-plot');"
            f" return el && el.layout.title.text.includes({count.label!r}); }}", timeout=PAGE_TIMEOUT_MS)
        page.wait_for_timeout(500)  # type: ignore[attr-defined]
        for panel in ("classement", "repartition"):
            notes = _annotations(page, panel)
            assert not any("France" in n or "%" in n for n in notes), (panel, notes)
            assert _shapes(page, panel) == 0, panel
        values = _panel_data(page, "classement", "x")
        assert max(v for v in values if v is not None) > 100  # counts, not a rate
        # and back to the rate: its line is drawn again, with the rate's value
        page.select_option(".cpc-filtre-indicateur select", label=rate.label)  # type: ignore[attr-defined]
        page.wait_for_function(  # type: ignore[attr-defined]
            "() => { const el = document.querySelector('.cpc-panel-classement .js-plotly-plot');"
            " return el && (el.layout.annotations || []).some(a => a.text.startsWith('France'))"
            " && (el.layout.shapes || []).length >= 1; }", timeout=PAGE_TIMEOUT_MS)
        assert console.errors == []
    finally:
        page.close()  # type: ignore[attr-defined]
