"""The dashboard application without a browser: filters drive the figures, errors stay French."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpc_toolkit import reference
from cpc_toolkit.dashboard.app import Dashboard, build
from cpc_toolkit.dashboard.markup import user_message
from cpc_toolkit.dashboard.state import DashboardData, load_data
from cpc_toolkit.dashboard.views import report_links
from cpc_toolkit.errors import CpcError, StoreError
from cpc_toolkit.store import Store


@pytest.fixture(scope="module")
def data(demo_store: Store) -> DashboardData:
    return load_data(demo_store.root)


def _bar_labels(dash: Dashboard) -> list[str]:
    return list(dash.panels["classement"].figure.data[0].y)


def test_each_level_builds_and_flags_fictitious_data(data: DashboardData) -> None:
    for level in ("national", "cour", "juridiction"):
        dash = build(level, "", data)
        assert "Données fictives" in dash.header.value
        figs = [p.figure for p in dash.panels.values() if getattr(p, "figure", None) is not None]
        assert figs and all(len(f.data) > 0 for f in figs)
        dash.close()


def test_static_preview_holds_the_visible_charts_in_order(data: DashboardData) -> None:
    import json
    import re

    dash = build("national", "cour=ca-lyon", data)
    try:
        preview = dash.preview_html()
        specs = [json.loads(m.replace("<\\/", "</")) for m in
                 re.findall(r'<script type="application/json" class="cpc-apercu-spec">(.*?)</script>', preview, re.S)]
        drawn = {t["type"] for spec in specs for t in spec["data"]}
        assert "Données fictives" in preview and 'aria-hidden="true"' in preview
        # carte, classement, évolution, répartition (the position panel is hidden without a juridiction)
        assert len(specs) == 4 and drawn <= {"scatter", "bar", "pie"}  # drawable by the basic bundle
        assert specs[1]["data"][0]["y"] == list(dash.panels["classement"].figure.data[0].y)  # Lyon's courts
        assert "templates/cpc/static/plotly-basic.min.js" in preview
    finally:
        dash.close()


def test_changing_the_cour_changes_the_plotted_courts(data: DashboardData) -> None:
    dash = build("national", "cour=ca-lyon", data)
    lyon = _bar_labels(dash)
    dash.w_cour.value = "ca-rennes"  # as the browser would
    rennes = _bar_labels(dash)
    assert lyon != rennes
    assert len(rennes) == len(reference.courts_of_cour("ca-rennes"))
    assert dash.w_juridiction.options[1][1] in reference.courts_of_cour("ca-rennes")
    dash.close()


def test_url_preselection_and_notices(data: DashboardData) -> None:
    dash = build("juridiction", "juridiction=tj-lyon&annee=2023&indicateur=act_cg_dtes&template=x", data)
    s = dash.state
    assert (s.juridiction, s.cour, s.annee, s.indicateur) == ("tj-lyon", "ca-lyon", 2023, "act_cg_dtes")
    assert dash.notice.value == ""
    assert "2023" in dash.panels["position"].figure.layout.title.text
    bad = build("national", "annee=1999&cour=ca-nulle-part", data)
    assert "ca-nulle-part" in bad.notice.value and bad.state.cour == ""
    dash.close()
    bad.close()


def test_family_change_picks_an_indicator_of_that_family(data: DashboardData) -> None:
    dash = build("cour", "cour=ca-douai", data)
    dash.w_famille.value = "vif"
    assert dash.state.indicateur.startswith(("vif_", "reg_op", "reg_oppi"))
    assert dash.w_indicateur.value == dash.state.indicateur
    dash.close()


def test_export_links_carry_the_expected_rows(data: DashboardData) -> None:
    dash = build("cour", "cour=ca-lyon&famille=activite", data)
    df = dash.export_frame()
    assert set(df["Identifiant"]) == {"ca-lyon", "national", *reference.courts_of_cour("ca-lyon")}
    dash.prepare_export()
    assert "data:text/csv;base64," in dash.export_links.value
    assert f"{len(df)} lignes" in dash.export_links.value.replace("\u202f", " ").replace("\xa0", " ")
    dash.select(annee=2024)
    assert dash.export_links.value == ""  # a stale export is never offered
    dash.close()


def test_errors_are_french_and_tracebacks_stay_out(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "manifest.json").write_text("{pas du json", encoding="utf-8")
    with pytest.raises(CpcError) as exc:
        load_data(tmp_path)
    assert isinstance(exc.value, StoreError | CpcError)
    assert "illisible" in user_message(exc.value)
    generic = user_message(ZeroDivisionError("division by zero"))
    assert "division" not in generic and "administrateur" in generic


def test_report_links_point_to_the_rapports_route(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "2025" / "juridictions").mkdir(parents=True)
    (tmp_path / "2025" / "index.html").write_text("<html></html>")
    (tmp_path / "2025" / "juridictions" / "clpc_tj-lyon_2025.html").write_text("<html></html>")
    monkeypatch.setenv("CPC_RAPPORTS", str(tmp_path))
    monkeypatch.setenv("VOILA_BASE_URL", "/tableaux/")
    links = report_links(2025, ["tj-lyon"])
    assert [u for _, u in links] == ["/tableaux/rapports/2025/index.html",
                                     "/tableaux/rapports/2025/juridictions/clpc_tj-lyon_2025.html"]
    assert report_links(2024, ["tj-lyon"]) == []


def test_axis_ticks_are_french_full_numbers_and_years_stay_plain(data: DashboardData) -> None:
    dash = build("national", "indicateur=act_cg_entrees", data)
    try:
        bars = dash.panels["classement"].figure.layout
        assert bars.separators == ", "
        assert bars.xaxis.exponentformat == "none" and bars.xaxis.separatethousands is True  # « 5 000 », not « 5k »
        trend = dash.panels["evolution"].figure.layout
        assert not trend.xaxis.separatethousands  # years stay « 2025 »
        assert trend.yaxis.separatethousands is True
    finally:
        dash.close()


def test_no_report_message_names_real_commands(data: DashboardData, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPC_RAPPORTS", str(tmp_path))
    dash = build("cour", "cour=ca-lyon", data)
    try:
        text = dash.panels["rapports"].body.value
        assert "« cpc rapport »" in text and "« cpc campagne »" in text and "cpc rapports" not in text
    finally:
        dash.close()


def test_french_collation_ignores_accents_and_case() -> None:
    from cpc_toolkit.dashboard.alerts import french_key

    names = ["Évry", "Douai", "evreux", "Epinal", "Zèbre", "Œuvre", "Orléans"]
    assert sorted(names, key=french_key) == ["Douai", "Epinal", "evreux", "Évry", "Œuvre", "Orléans", "Zèbre"]
    assert sorted(names) != sorted(names, key=french_key)  # plain code-point order puts « Évry » last


def test_alerts_table_lists_every_alert_most_severe_first_and_filters(data: DashboardData) -> None:
    from cpc_toolkit import compute
    from cpc_toolkit.dashboard.alerts import ALL, french_key
    from cpc_toolkit.fr import format_number

    dash = build("national", "", data)
    try:
        panel = dash.panels["alertes"]
        total = len(compute.alerts(data.res, reference.NATIONAL, dash.state.annee, include_courts=True))
        assert total > 100 and len(panel.rows) == total  # none is cut off
        sev = list(panel.current()["Gravité"])
        assert sev == sorted(sev, key=lambda v: {"haute": 0, "moyenne": 1, "basse": 2}[v])
        assert f"sur {format_number(total)}" in panel.body.value
        cour = next(o for o in panel.filters["Cour d'appel"].options if o != ALL)
        panel.filters["Cour d'appel"].value = cour
        shown = panel.current()
        assert len(shown) and set(shown["Cour d'appel"]) == {cour}
        panel.sort.value = "Juridiction"
        names = list(panel.current()["Juridiction"])
        assert names == sorted(names, key=french_key)
        cont = [o for o in panel.filters["Contentieux"].options if o != ALL]
        assert cont  # alerts on per-contentieux indicators carry their contentieux
        dash.prepare_export()
        assert "cpc-export-alertes" in dash.export_links.value
    finally:
        dash.close()


def test_excel_export_has_an_alerts_sheet(data: DashboardData) -> None:
    import io

    from openpyxl import load_workbook

    from cpc_toolkit.dashboard import export as exp
    from cpc_toolkit.dashboard.alerts import ALERT_COLUMNS

    dash = build("cour", "cour=ca-lyon", data)
    try:
        alerts = dash.panels["alertes"].rows
        wb = load_workbook(io.BytesIO(exp.to_excel_bytes(dash.export_frame(), True, alerts)))
        rows = list(wb["Alertes"].iter_rows(values_only=True))
        assert list(rows[1]) == ALERT_COLUMNS and len(rows) - 2 == len(alerts) > 0
    finally:
        dash.close()


@pytest.mark.parametrize("indicator", ["act_total_taux_couverture", "act_cg_delai_moyen"])
def test_map_colours_mean_the_same_as_the_heat_table(data: DashboardData, indicator: str) -> None:
    """Dark blue is favourable on the map as in the heat table (blue = better), whatever the direction."""
    from plotly.colors import sample_colorscale

    from cpc_toolkit import catalogue
    from cpc_toolkit.dashboard.views import value

    direction = catalogue.get(indicator).direction
    assert direction in ("higher", "lower")
    dash = build("national", f"indicateur={indicator}", data)
    try:
        fills = {t.name: t.fillcolor for t in dash.panels["carte"].figure.data if t.fill == "toself"}
        year = dash.state.annee
        values = {reference.court_name(c): v for c in data.cours if (v := value(data.res, c, year, indicator)) == v}
        best = (max if direction == "higher" else min)(values, key=values.get)
        worst = (min if direction == "higher" else max)(values, key=values.get)
        dark, light = sample_colorscale("Cividis", [0.0, 1.0])
        assert fills[best] == dark and fills[worst] == light
    finally:
        dash.close()


def test_each_chart_has_its_text_alternative_and_the_statement_is_linked(
        data: DashboardData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cpc_toolkit.render import accessibility

    dash = build("national", "cour=ca-lyon", data)
    try:
        shown = [p for p in dash.panels.values() if getattr(p, "figure", None) is not None]
        assert shown
        for p in shown:
            assert 'class="cpc-aide cpc-alt">' in p.table.value
            alt = p.table.value.split('cpc-alt">')[1].split("</p>")[0]
            assert len(alt) > 30 and any(ch.isdigit() for ch in alt)
    finally:
        dash.close()
    (tmp_path / "2025").mkdir()
    accessibility.write_statement(tmp_path / "2025")
    monkeypatch.setenv("CPC_RAPPORTS", str(tmp_path))
    monkeypatch.setenv("VOILA_BASE_URL", "/tableaux/")
    links = dict(report_links(2025, []))
    assert links[accessibility.LINK_LABEL] == f"/tableaux/rapports/2025/{accessibility.STATEMENT_FILE}"
    summary = accessibility.summary_html(links[accessibility.LINK_LABEL])
    assert 'href="/tableaux/rapports/2025/accessibilite.html"' in summary
    assert "partiellement conforme" in accessibility.summary_html() and "DACS" in accessibility.summary_html()
