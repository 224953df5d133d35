"""The simulator page in headless Chromium against a real ``cpc tableau-de-bord`` (demo data): moving a
slider (keyboard, as a user without a mouse would) and typing in a labelled box redraw the chart and
the cleared-stock dates exactly as :func:`cpc_toolkit.render.perspectives.simulate` computes them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from cpc_toolkit.compute import results
from cpc_toolkit.compute.projection import TOTAL, WhatIf, projection_base
from cpc_toolkit.dashboard.simulator import DEFAULT_UNIT, result_rows
from cpc_toolkit.render.perspectives import simulate
from cpc_toolkit.store import Store

from .conftest import PAGE_TIMEOUT_MS, DashboardServer, open_dashboard, start_server, stop_server

pytestmark = pytest.mark.browser

URL = "voila/render/tableau_de_bord_simulateur.ipynb"
CHART = ".cpc-sim-graphique .js-plotly-plot"
PROJECTED_ENDS = ("el => Object.fromEntries(el.data.filter(t => t.name.endsWith('(projeté)'))"
                  ".map(t => [t.legendgroup, t.y[t.y.length - 1]]))")


@pytest.fixture(scope="module")
def server(demo_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DashboardServer]:
    srv = start_server(demo_store.root, tmp_path_factory.mktemp("rapports"),
                       tmp_path_factory.mktemp("journal") / "serveur.log")
    yield srv
    stop_server(srv)


def _expected(demo_store: Store, horizon: int, whatif: WhatIf) -> tuple[dict[str, float], dict[str, str]]:
    res = results(demo_store)
    year = int(res["year"].max())
    table, _ = simulate(res, projection_base(res, DEFAULT_UNIT, year), horizon, whatif)
    ends = {r.contentieux: round(float(r.stock_h), 1) for r in table.itertuples() if r.contentieux != TOTAL}
    return ends, {r["contentieux"]: r["echeance"] for r in result_rows(table)}


def _wait_for_ends(page: object, ends: dict[str, float]) -> None:
    page.wait_for_function(  # type: ignore[attr-defined]
        f"want => {{ const el = document.querySelector('{CHART}'); if (!el || !el.data) return false;"
        f" const got = ({PROJECTED_ENDS})(el);"
        " return Object.keys(want).every(k => Math.abs(got[k] - want[k]) < 0.05); }",
        arg=ends, timeout=PAGE_TIMEOUT_MS)


def _dates(page: object) -> dict[str, str]:
    return page.eval_on_selector_all(  # type: ignore[attr-defined]
        ".cpc-sim-resultat tr[data-contentieux]",
        "rows => Object.fromEntries(rows.map(r => [r.dataset.contentieux, "
        "r.querySelector('.cpc-sim-echeance').textContent]))")


def test_slider_and_inputs_update_chart_and_cleared_stock_dates(server: DashboardServer, browser: object,
                                                                demo_store: Store) -> None:
    page, console = open_dashboard(browser, server.url + URL, 1)
    try:
        text = page.inner_text("body")  # type: ignore[attr-defined]
        assert "Données fictives" in text and "Simulateur" in text and "Traceback" not in text
        for label in ("Ressort", "Entrées (variation en %)", "Sorties (variation en %)",
                      "ETPT de magistrats (en plus ou en moins)", "ETPT de greffe (en plus ou en moins)",
                      "Horizon (mois)"):
            assert page.get_by_label(label, exact=True).count() == 1, label  # type: ignore[attr-defined]

        ends0, dates0 = _expected(demo_store, 24, WhatIf())
        _wait_for_ends(page, ends0)
        assert _dates(page) == dates0

        # move the exits slider by 10 steps with the keyboard (+10 %)
        handle = page.locator(".cpc-sim-curseur-sorties_pct .noUi-handle")  # type: ignore[attr-defined]
        handle.focus()
        for _ in range(10):
            handle.press("ArrowRight")
        ends1, dates1 = _expected(demo_store, 24, WhatIf(sorties_pct=10))
        assert all(ends1[c] < ends0[c] for c in ends0) and dates1 != dates0  # the move matters
        _wait_for_ends(page, ends1)
        page.wait_for_function("n => document.querySelector('.cpc-sim-sorties_pct input').value === n",  # type: ignore[attr-defined]
                               arg="10", timeout=PAGE_TIMEOUT_MS)
        page.wait_for_function(  # type: ignore[attr-defined]
            "want => { const rows = document.querySelectorAll('.cpc-sim-resultat tr[data-contentieux]');"
            " return [...rows].every(r => r.querySelector('.cpc-sim-echeance').textContent"
            " === want[r.dataset.contentieux]); }", arg=dates1, timeout=PAGE_TIMEOUT_MS)
        assert _dates(page) == dates1
        assert "sorties +10,0\u00a0%" in page.inner_text(".cpc-sim-hypothese")  # type: ignore[attr-defined]

        # the labelled number box: a 12-month horizon shortens the projected lines
        box = page.get_by_label("Horizon (mois)", exact=True)  # type: ignore[attr-defined]
        box.fill("12")
        box.press("Enter")
        ends2, dates2 = _expected(demo_store, 12, WhatIf(sorties_pct=10))
        _wait_for_ends(page, ends2)
        last_x = page.eval_on_selector(CHART, "el => el.data.filter(t => t.name.endsWith('(projeté)'))"  # type: ignore[attr-defined]
                                              ".map(t => t.x[t.x.length - 1])")
        year = int(results(demo_store)["year"].max())
        assert set(last_x) == {f"{year + 1}-12-31"}
        assert json.dumps(_dates(page), sort_keys=True) == json.dumps(dates2, sort_keys=True)
        assert console.errors == []
    finally:
        page.close()  # type: ignore[attr-defined]
