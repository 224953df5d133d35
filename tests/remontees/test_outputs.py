"""DACS outputs: fiches (HTML + PDF), national register (xlsx), summary — from a hand-filled workbook."""

from __future__ import annotations

import datetime as dt
import os
import stat

import openpyxl
import pandas as pd
import pytest

from cpc_toolkit import fr
from cpc_toolkit.remontees.config import ENV_DESTINATION, load_config
from cpc_toolkit.remontees.importer import import_file
from cpc_toolkit.remontees.outputs import build_outputs, fiche_html, summary_tables
from cpc_toolkit.remontees.store import RemonteesStore

HOSTILE = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    # conftest helpers, module scope
    import importlib.util
    import pathlib
    from types import SimpleNamespace

    from cpc_toolkit.files import owner_only_umask
    spec = importlib.util.spec_from_file_location("rem_conftest", pathlib.Path(__file__).with_name("conftest.py"))
    cf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cf)
    tmp = tmp_path_factory.mktemp("rem_out")
    root = tmp / "donnees"
    planted = {**cf.BASE_CASE, "Dénomination de l'entreprise": cf.PLANTED_NAME, "SIREN": cf.PLANTED_SIREN,
               "Observations": "@SUM(A1) " + HOSTILE, "Territoire concerné": "-2+3 bassin",
               "Critère : souveraineté économique, technologies d'avenir, défense": "oui"}
    other = {**cf.BASE_CASE, "Juridiction saisie": "tj-saint-etienne", "Effectif salarié": 1200,
             "Emplois menacés": 300, "Date du signalement": dt.datetime(2025, 5, 20), "Code NAF": "10.71C"}
    lyon = cf.fill("ca-lyon", 2025, [planted, other],
                   [{"N° du signalement": 1, "Date": dt.datetime(2025, 4, 1), "Événement": "audience",
                     "Description": "audience de suivi"},
                    {"N° du signalement": 1, "Date": dt.datetime(2025, 9, 1), "Événement": "cession",
                     "Description": "cession partielle"}])
    paris = cf.fill("ca-paris", 2025, [{**cf.BASE_CASE, "Juridiction saisie": "tae-paris",
                                        "Date du signalement": dt.datetime(2025, 7, 2)}])
    store = RemonteesStore(root)
    for name, data in (("remontees_2025_ca-lyon.xlsx", lyon), ("remontees_2025_ca-paris.xlsx", paris)):
        res = import_file(cf.write(tmp, name, data), store, today=cf.TODAY)
        assert res.outcome == "accepte", [str(p) for p in res.problems]
    old = os.umask(0o022)
    try:
        out = build_outputs(store, pdf=True, summary=True)
    finally:
        os.umask(old)
    with owner_only_umask():
        lyon_only = build_outputs(store, cour="ca-lyon", year=2025, pdf=False, summary=False)
    return SimpleNamespace(root=root, store=store, out=out, lyon=lyon_only, cf=cf)


def test_fiches_html_and_pdf_for_every_case(built):
    out = built.out
    assert sorted(p.stem for p in out.fiches_html) == ["ca-lyon-2025-001", "ca-lyon-2025-002", "ca-paris-2025-001"]
    assert sorted(p.stem for p in out.fiches_pdf) == sorted(p.stem for p in out.fiches_html)
    for pdf in out.fiches_pdf:
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5000
    html = (out.folder / "fiches" / "ca-lyon-2025-001.html").read_text(encoding="utf-8")
    assert built.cf.PLANTED_NAME in html and built.cf.PLANTED_SIREN in html
    assert "dacs-d4@justice.gouv.fr" in html
    assert "10 mars 2025" in html and "1er avril 2025" in html and "cession partielle" in html
    assert "souveraineté économique" in html and "plus de 250 salariés" in html
    assert HOSTILE not in html and "&lt;script&gt;" in html
    other = (out.folder / "fiches" / "ca-lyon-2025-002.html").read_text(encoding="utf-8")
    assert fr.format_number(1200) in other and built.cf.PLANTED_NAME not in other
    assert sorted(p.stem for p in built.lyon.fiches_html) == ["ca-lyon-2025-001", "ca-lyon-2025-002"]


def test_national_register_lists_the_cases_and_neutralises_formulas(built):
    wb = openpyxl.load_workbook(built.out.register)
    ws = wb["Registre"]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, [c for c in r], strict=True)) for r in ws.iter_rows(min_row=2)]
    assert [r["N° de signalement"].value for r in rows] == ["ca-lyon-2025-001", "ca-lyon-2025-002",
                                                           "ca-paris-2025-001"]
    first = rows[0]
    assert first["Dénomination de l'entreprise"].value == built.cf.PLANTED_NAME
    assert first["SIREN"].value == built.cf.PLANTED_SIREN
    assert first["Date d'ouverture"].value.date() == dt.date(2025, 3, 3)
    for label in ("Observations", "Territoire concerné"):
        cell = first[label]
        assert cell.value.startswith(("@", "-")) and cell.data_type == "s" and cell.quotePrefix
    assert [c.value for c in wb["Suivi"]["A"][1:]] == ["ca-lyon-2025-001"] * 2
    assert wb["Lisez-moi"]["A2"].value.startswith("CONFIDENTIEL")


def test_summary_counts_and_notebook(built):
    cases = built.store.cases()
    tabs = summary_tables(cases, built.store.events())
    crit = dict(zip(tabs["criteres"]["critère"], tabs["criteres"]["signalements"], strict=True))
    assert crit["plus de 250 salariés"] == 3 and crit["souveraineté économique (technologies d'avenir, défense)"] == 1
    cours = tabs["cours"].set_index("cour_id")
    assert cours.loc["ca-lyon", "signalements"] == 2 and cours.loc["ca-lyon", "salaries"] == 420 + 1200
    assert tabs["totaux"].iloc[0]["salariés concernés"] == int(pd.to_numeric(cases["employees"]).sum())
    months = dict(zip(tabs["mois"]["mois"], tabs["mois"]["signalements"], strict=True))
    assert months == {"2025-03": 1, "2025-05": 1, "2025-07": 1}
    html = built.out.summary_html.read_text(encoding="utf-8")
    assert "Synthèse des remontées d'information à la DACS" in html and "CONFIDENTIEL" in html
    assert "Cour d'appel de Lyon" in html and fr.format_number(1620) in html  # employees of ca-lyon, fr-FR
    assert "summary_context" not in html  # code cells hidden
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html  # no error / warning output
    assert built.out.summary_pdf.read_bytes()[:5] == b"%PDF-"


def test_every_output_is_owner_only(built):
    top = built.store.top
    bad = []
    for dirpath, _dirs, files in os.walk(top):
        if stat.S_IMODE(os.stat(dirpath).st_mode) != 0o700:
            bad.append(dirpath)
        bad += [f for f in files if stat.S_IMODE(os.stat(os.path.join(dirpath, f)).st_mode) != 0o600]
    assert bad == []
    assert built.out.folder.is_relative_to(top)


def test_destination_address_is_a_setting(built, monkeypatch, tmp_path):
    case = built.store.cases().iloc[0].to_dict()
    (tmp_path / "remontees.yaml").write_text("destinataire: bureau-test@example.invalid\n", encoding="utf-8")
    cfg = load_config(tmp_path)
    html = fiche_html(case, built.store.events().iloc[0:0], cfg, demo=True)
    assert "bureau-test@example.invalid" in html and "dacs-d4@justice.gouv.fr" not in html
    assert "Données fictives" in html
    monkeypatch.setenv(ENV_DESTINATION, "env-d4@example.invalid")
    assert load_config(tmp_path).destinataire == "env-d4@example.invalid"
    (tmp_path / "remontees.yaml").write_text("destinatair: typo@example.invalid\n", encoding="utf-8")
    from cpc_toolkit.errors import UsageError
    with pytest.raises(UsageError):
        load_config(tmp_path)


def test_summary_is_rendered_offline_like_the_other_reports(built):
    """Render stage's template: no network script, no code or prompts, the vendored plotly.js
    bundle inlined exactly once (not plotly.py's full 4.8 MB one), and charts that draw offline."""
    import re

    from playwright.sync_api import sync_playwright

    from cpc_toolkit.render.html import plotly_js
    from cpc_toolkit.render.pdf import chromium_path

    html = built.out.summary_html.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc=[\"']?(https?:)?//", html)
    bundle = plotly_js()
    assert html.count(bundle[:4000]) == 1 and html.count(bundle[-4000:]) == 1
    assert html.count("plotly.js v") <= 1 and len(html) < len(bundle) + 400_000  # not the full plotly.js
    assert "cpc-rapport" in html and "ro.summary" not in html and "In&nbsp;[" not in html
    assert 'id="remontees-criteres"' in html and 'id="remontees-mois"' in html
    assert "Données fictives" not in html  # hand-filled test data are not demo data
    remote: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"])
        try:
            ctx = browser.new_context()
            ctx.route(re.compile(r"^https?://"), lambda route: (remote.append(route.request.url), route.abort()))
            page = ctx.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(built.out.summary_html.resolve().as_uri(), wait_until="load")
            page.wait_for_function("document.querySelectorAll('.plotly-graph-div .main-svg').length >= 2",
                                   timeout=30_000)
            bars = page.eval_on_selector_all(".plotly-graph-div", "els => els.map(e => e.data[0].y.length)")
        finally:
            browser.close()
    assert errors == [] and remote == []
    assert bars == [5, 3]  # 5 criteria; signalements in 3 months


@pytest.mark.parametrize(("params", "ok"), [
    ({"annee": 0, "cour": "", "donnees": "/x"}, True),          # every year, national
    ({"annee": 2025, "cour": "ca-lyon"}, True),
    ({"annee": 2025, "cour": "tj-lyon"}, False),                 # a TJ is not a cour
    ({"annee": 1850}, False),
    ({"annee": "0; import os"}, False),
    ({"annee": 2025, "juridiction": "tj-lyon"}, False),          # unknown parameter
])
def test_summary_parameters_are_validated_by_the_render_stage(params, ok):
    from cpc_toolkit.errors import CpcError
    from cpc_toolkit.render.notebook import validate_parameters

    if ok:
        assert validate_parameters("remontees", params)["annee"] == int(params["annee"])
    else:
        with pytest.raises(CpcError):
            validate_parameters("remontees", params)
