"""End-to-end: a small campaign (national + cour d'Agen + its CLPC reports) in HTML, PDF and Excel.

One campaign is built per test session (fixture ``small_campaign``); everything that needs real
outputs lives in this file so that ``--dist loadfile`` builds it once.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import nbformat
import pandas as pd
import pypdf
import pytest
from openpyxl import load_workbook

from cpc_toolkit import reference
from cpc_toolkit.errors import RenderError
from cpc_toolkit.render import campaign, html, notebook
from cpc_toolkit.render.accessibility import STATEMENT_FILE
from cpc_toolkit.settings import DEMO_LABEL
from cpc_toolkit.store import Store, SubmissionRecord

from .conftest import pdf_signature

YEAR = 2025
COUR = "ca-agen"  # same as tests/render/conftest.py

A4_WIDTH_PX = 186 / 25.4 * 96  # printable width: 210 mm − 2 × 12 mm margins, at 96 px per inch
A4_HEIGHT_PX = 267 / 25.4 * 96


def _files(result, fmt: str) -> list[Path]:
    year_dir = result.root / str(YEAR)
    return [year_dir / o.files[fmt] for o in result.outcomes if fmt in o.files]


def test_every_report_is_built_in_every_format(small_campaign):
    res = small_campaign
    assert not res.failures, [(o.job_id, o.cell, o.error) for o in res.failures]
    expected = 2 + len(reference.courts_of_cour(COUR))
    assert len(res.built) == expected
    for fmt in ("html", "pdf", "xlsx"):
        files = _files(res, fmt)
        assert len(files) == expected and all(p.stat().st_size > 10_000 for p in files)
    year_dir = res.root / str(YEAR)
    assert (year_dir / "clpc" / f"{reference.courts_of_cour(COUR)[0]}.html").exists()
    assert (year_dir / "cours" / f"{COUR}.html").exists() and (year_dir / "national" / "national.html").exists()
    index = (year_dir / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', index)
    assert all((year_dir / link).exists() for link in links)
    assert len([x for x in links if x != STATEMENT_FILE]) == 3 * expected and links.count(STATEMENT_FILE) == 1
    assert DEMO_LABEL in index


def test_html_is_offline_without_code_prompts_or_errors(small_campaign):
    for path in _files(small_campaign, "html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+src=[\"']?https?:", text)
        assert "<link" not in text or not re.search(r"<link[^>]+href=[\"']?https?:", text)
        assert "fonts.googleapis" not in text and "cdn." not in text.split("</script>")[-1]
        for bad in ("Traceback", "Error</", "papermill", "In&nbsp;[", "rapport.cover()", "jp-InputArea-editor",
                    "get_ipython"):
            assert bad not in text, (path.name, bad)
        assert "@media print" in text and "size: A4" in text
        assert DEMO_LABEL in text and "Données fictives" in text
        assert text.count("<script") >= 2  # plotly.js inlined once + one per chart


def test_clpc_report_has_every_section(small_campaign):
    court = reference.courts_of_cour(COUR)[0]
    text = (small_campaign.root / str(YEAR) / "clpc" / f"{court}.html").read_text(encoding="utf-8")
    for heading in ("Sommaire", "Synthèse", "Faits marquants", "Alertes", "Composition du conseil",
                    "Priorités juridictionnelles locales", "Politique de l'amiable",
                    "Protection des majeurs vulnérables", "Exploitations agricoles en difficulté",
                    "Prévention et traitement des difficultés des entreprises",
                    "Les acteurs de la politique locale de prévention", "CODEFI",
                    "Violences intrafamiliales et contrôle coercitif", "Dématérialisation", "Activité civile",
                    "Définitions et bases légales", "Complétude des données", "Sources"):
        assert heading in text, heading
    assert reference.court_name(court) in text and reference.court_name(COUR) in text
    assert re.search(r"\d\s?\d{3},\d", text) or re.search(r"\d+,\d", text)  # French decimals


def test_chef_de_cour_and_national_sections(small_campaign):
    year_dir = small_campaign.root / str(YEAR)
    cour = (year_dir / "cours" / f"{COUR}.html").read_text(encoding="utf-8")
    for heading in ("Synthèse régionale", "Points d'harmonisation", "Magistrat référent amiable désigné",
                    "Écarts les plus marqués entre juridictions", "Tous les indicateurs, par juridiction",
                    "Évolution sur cinq ans", "Position de la cour parmi les cours d'appel",
                    "État des remontées", "Priorités locales des juridictions", "Totaux régionaux"):
        assert heading in cour, heading
    for court in reference.courts_of_cour(COUR):
        assert reference.court_name(court) in cour
    nat = (year_dir / "national" / "national.html").read_text(encoding="utf-8")
    for heading in ("Évolution sur cinq ans", "Carte par cour d'appel", "Répartitions et classements",
                    "Complétude de la campagne",
                    "Remontées des procédures par critère", "Procédures signalées à la DACS"):
        assert heading in nat, heading


def test_charts_draw_offline_in_headless_chromium_and_fit_a4(small_campaign):
    from playwright.sync_api import sync_playwright

    from cpc_toolkit.render.pdf import chromium_path

    year_dir = small_campaign.root / str(YEAR)
    court = reference.courts_of_cour(COUR)[0]
    pages = [year_dir / "clpc" / f"{court}.html", year_dir / "cours" / f"{COUR}.html",
             year_dir / "national" / "national.html"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": int(A4_WIDTH_PX), "height": 1000})
            requests: list[str] = []
            page.route("**/*", lambda r: (requests.append(r.request.url), r.abort())
                       if r.request.url.startswith("http") else r.continue_())
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            for path in pages:
                page.goto(path.as_uri())
                n_div = page.eval_on_selector_all(".plotly-graph-div", "e => e.length")
                page.wait_for_function(f"document.querySelectorAll('.plotly-graph-div .main-svg').length >= "
                                       f"{n_div}", timeout=30_000)
                drawn = page.eval_on_selector_all(
                    ".plotly-graph-div", "els => els.filter(e => e.querySelector('svg.main-svg g.trace')).length")
                assert n_div >= 2 and drawn == n_div, (path.name, n_div, drawn)
                page.emulate_media(media="print")
                boxes = page.eval_on_selector_all(
                    ".plotly-graph-div", "els => els.map(e => {const r = e.getBoundingClientRect();"
                                         " return [r.left, r.right, r.height];})")
                assert all(left >= 0 and right <= A4_WIDTH_PX + 1 and h <= A4_HEIGHT_PX for left, right, h in boxes)
                tables = page.eval_on_selector_all("table", "els => els.map(e => e.getBoundingClientRect().right)")
                assert tables and max(tables) <= A4_WIDTH_PX + 1, (path.name, max(tables))
                page.emulate_media(media="screen")
            assert requests == [] and errors == []
        finally:
            browser.close()


def test_pdf_is_a4_with_the_court_on_page_one(small_campaign):
    year_dir = small_campaign.root / str(YEAR)
    court = reference.courts_of_cour(COUR)[0]
    reader = pypdf.PdfReader(year_dir / "clpc" / f"{court}.pdf")
    assert len(reader.pages) >= 8
    first = reader.pages[0].extract_text()
    assert reference.court_name(court) in first and str(YEAR) in first
    assert "DONNÉES FICTIVES" in first.upper()
    for pg in reader.pages:
        w, h = float(pg.mediabox.width), float(pg.mediabox.height)
        assert abs(w - 595) < 2 and abs(h - 842) < 2  # A4 in points


def test_every_pdf_page_is_numbered_out_of_the_total(small_campaign):
    """« n / total » at the foot of every page of every report, below the text."""
    pdfs = _files(small_campaign, "pdf")
    assert {p.parts[-2] for p in pdfs} == {"clpc", "cours", "national"}
    for path in pdfs:
        pages = pypdf.PdfReader(path).pages
        total = str(len(pages))
        for n, pg in enumerate(pages, start=1):
            marks: list[float] = []

            def seen(text, cm, tm, font, size, marks=marks, n=n, total=total):
                if text.strip() in (f"{n} / {total}", total):
                    marks.append(cm[5] + cm[3] * tm[5])  # height on the page, in points from the bottom

            pg.extract_text(visitor_text=seen)
            assert marks and min(marks) < 40, (path.name, n)


def test_a_chromium_that_cannot_start_fails_each_pdf_in_french(render_donnees, tmp_path, monkeypatch):
    """The campaign's printer process started ahead meets a Chromium that does not start: the HTML
    and Excel files are written, each report is in failure with the French reason, nothing is left
    running."""
    monkeypatch.setenv("CPC_CHROMIUM", "/bin/false")
    sel = [campaign.Job("clpc", c, YEAR) for c in reference.courts_of_cour(COUR)[:2]]
    t0 = time.monotonic()
    res = campaign.run_campaign(YEAR, render_donnees, tmp_path, jobs=1, formats=("html", "pdf", "xlsx"),
                                selection=sel)
    assert len(res.failures) == 2 and all("Chromium ne démarre pas" in o.error for o in res.failures)
    assert all({"html", "xlsx"} <= set(o.files) and "pdf" not in o.files for o in res.outcomes)
    assert all((tmp_path / str(YEAR) / o.files["html"]).exists() for o in res.outcomes)
    assert time.monotonic() - t0 < 120


def test_pdf_printed_in_a_reused_tab_is_the_pdf_of_a_fresh_tab(small_campaign, tmp_path):
    """The campaign prints each report in a tab that already holds plotly.js (its own copy left out):
    page for page the same drawing and the same links as the page opened from its file, for every
    kind of report printed one after the other in the same tab; a report whose script fails gives a
    located error and the next one is printed as if nothing happened."""
    from cpc_toolkit.render.pdf import PdfPrinter, chromium_path

    sources = _files(small_campaign, "html")
    broken = tmp_path / "casse.html"
    broken.write_text(sources[0].read_text(encoding="utf-8").replace(
        "<body", "<script>throw new Error('boum')</script><body", 1), encoding="utf-8")
    reused, fresh = PdfPrinter(chromium_path(), 1), PdfPrinter(chromium_path(), 1, reuse_tabs=False)
    try:
        with pytest.raises(RenderError, match=r"Erreur JavaScript.*boum"):
            reused.print(broken, tmp_path / "casse.pdf")
        for i, src in enumerate(sources):
            a = reused.print(src, tmp_path / f"{i}-onglet.pdf")
            b = fresh.print(src, tmp_path / f"{i}-fichier.pdf")
            sig_a, sig_b = pdf_signature(a), pdf_signature(b)
            assert len(sig_a) >= 8 and sig_a == sig_b, src.name
            uris = [uri for _, links in sig_a for uri, _ in links if uri]
            assert uris and all(u.startswith("file://") and u.endswith(STATEMENT_FILE) for u in uris), uris
    finally:
        reused.close()
        fresh.close()
    assert {p.parts[-2] for p in sources} == {"clpc", "cours", "national"}


def test_no_confidential_name_in_any_output(small_campaign, render_donnees, planted):
    # the planted register really went into the store (aggregated counts only)...
    court = reference.courts_of_cour(COUR)[0]
    vals = Store(render_donnees).values(YEAR, [court])
    assert (vals["indicator_id"] == "reg_proc_plus_250_salaries").any()
    # ...and none of its names or identifiers reached a report
    texts: list[tuple[str, str]] = []
    for p in _files(small_campaign, "html"):
        texts.append((p.name, p.read_text(encoding="utf-8")))
    for p in _files(small_campaign, "pdf"):
        texts.append((p.name, "\n".join(pg.extract_text() for pg in pypdf.PdfReader(p).pages)))
    for p in _files(small_campaign, "xlsx"):
        wb = load_workbook(p, read_only=True)
        cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row
                 if c is not None]
        texts.append((p.name, "\n".join(cells)))
    index = small_campaign.root / str(YEAR) / "index.html"
    texts.append((index.name, index.read_text(encoding="utf-8")))
    assert len(texts) == 3 * len(small_campaign.built) + 1
    for name, text in texts:
        for secret in planted:
            assert secret not in text, (name, secret)


def test_excel_annex_has_frozen_headers_and_french_formats(small_campaign):
    court = reference.courts_of_cour(COUR)[0]
    wb = load_workbook(small_campaign.root / str(YEAR) / "clpc" / f"{court}.xlsx")
    assert {"Indicateurs", "Activité civile", "Évolution", "Politique locale", "Définitions"} <= set(wb.sheetnames)
    ws = wb["Indicateurs"]
    assert ws.freeze_panes is not None
    formats = {c.number_format for row in ws.iter_rows(min_row=3) for c in row if isinstance(c.value, float)}
    assert '0.0" %"' in formats and "#,##0" in formats


@pytest.mark.parametrize("kind", ["clpc", "cour", "national"])
def test_campaign_output_equals_a_plain_papermill_run(kind, small_campaign, render_donnees, tmp_path, monkeypatch):
    """The campaign (cells executed in its worker, papermill's in-process engine) and
    `papermill.execute_notebook` in a fresh Jupyter kernel + nbconvert give the same HTML."""
    from cpc_toolkit.render.outputs import exported

    monkeypatch.setenv("CPC_RAPPORTS", str(small_campaign.root))  # as the campaign's workers see it
    job = next(j for j in campaign.plan(YEAR, units=[reference.NATIONAL, COUR, reference.courts_of_cour(COUR)[-1]])
               if j.kind == kind)
    nb = notebook.run_papermill(kind, job.params(str(render_donnees)), tmp_path / "executed.ipynb")
    assert (tmp_path / "executed.ipynb").exists()
    ex = exported(nb)
    plain = html.export_html(nb, ex.title, ex.demo, ex.footer, a11y_href=f"../{STATEMENT_FILE}")
    built = job.path(small_campaign.root, "html").read_text(encoding="utf-8")
    assert 'class="plotly-graph-div' in built and plain == built


def test_spawned_workers_build_the_pages_of_forked_ones(render_donnees, tmp_path, monkeypatch):
    """Workers forked from the warm campaign process (Linux) and workers started afresh (``spawn``,
    the other systems) write the same pages, byte for byte."""
    sel = [j for j in campaign.plan(YEAR, units=[reference.NATIONAL, reference.courts_of_cour(COUR)[0]])]
    pages = {}
    for method in ("fork", "spawn"):
        monkeypatch.setattr(campaign, "start_method", lambda method=method: method)
        out = tmp_path / method
        built = campaign.run_campaign(YEAR, render_donnees, out, jobs=2, formats=("html",), selection=sel)
        assert len(built.built) == len(sel) == 2
        pages[method] = [job.path(out, "html").read_bytes() for job in sel]
    assert all(b'class="plotly-graph-div' in page for page in pages["fork"])
    assert pages["fork"] == pages["spawn"]


START_METHOD = """
import sys, threading
from cpc_toolkit.render import campaign
if sys.argv[1] == "fil":
    stop = threading.Event()
    threading.Thread(target=stop.wait, daemon=True).start()
print(campaign.start_method())
"""


@pytest.mark.parametrize(("thread", "method"), [("seul", "fork"), ("fil", "spawn")])
def test_workers_are_forked_only_from_a_single_threaded_process(thread, method):
    """In a fresh interpreter (as ``cpc campagne``): fork; with another Python thread running: spawn."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", START_METHOD, thread], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == method


def test_rerun_is_incremental(small_campaign, render_donnees):
    jobs = [j for j in campaign.plan(YEAR, units=[reference.NATIONAL, COUR, *reference.courts_of_cour(COUR)])]
    t0 = time.perf_counter()
    again = campaign.run_campaign(YEAR, render_donnees, small_campaign.root, jobs=2,
                                  formats=("html", "pdf", "xlsx"), selection=jobs)
    assert len(again.skipped) == len(jobs) and not again.built
    assert time.perf_counter() - t0 < 30
    manifest = json.loads((small_campaign.root / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))
    assert all(manifest["reports"][j.id]["status"] == "inchange" for j in jobs)


def test_fingerprints_follow_the_store_slice(render_donnees, tmp_path):
    root = tmp_path / "donnees"
    shutil.copytree(render_donnees / "store", root / "store")
    store = Store(root)
    jobs = campaign.plan(YEAR)
    before = campaign.fingerprints(store, jobs)
    court = reference.courts_of_cour("ca-lyon")[0]
    vals = store.values(YEAR, [court])[["indicator_id", "value", "text", "status"]]
    # same values in a new submission: only the reports reading the court's slice change (moved values
    # also change every report showing the comparison points: tests/render/test_incremental.py)
    store.write([SubmissionRecord(court, YEAR, "classeur", vals, demo=True, file_name="v2")])
    after = campaign.fingerprints(Store(root), jobs)
    changed = sorted(k for k in before if before[k] != after[k])
    assert changed == sorted([f"clpc/{court}", "cours/ca-lyon", "national/national"])


def test_a_failing_report_is_recorded_and_does_not_stop_the_others(render_donnees, tmp_path, monkeypatch):
    nb_dir = tmp_path / "carnets"
    shutil.copytree(notebook.notebooks_dir(), nb_dir)
    path = nb_dir / notebook.KINDS["clpc"]
    nb = nbformat.read(path, as_version=4)
    idx = next(i for i, c in enumerate(nb.cells) if c.source.strip() == 'rapport.section("politique")')
    nb.cells[idx].source = "raise ValueError('panne simulée')"
    nbformat.write(nb, path)
    monkeypatch.setenv(notebook.ENV_NOTEBOOKS, str(nb_dir))
    court = reference.courts_of_cour(COUR)[0]
    sel = [campaign.Job("clpc", court, YEAR), campaign.Job("cour", COUR, YEAR)]
    res = campaign.run_campaign(YEAR, render_donnees, tmp_path / "out", jobs=1, formats=("html",), selection=sel)
    assert [o.status for o in res.outcomes] == ["echec", "ok"]
    fail = res.failures[0]
    assert fail.cell == idx and "panne simulée" in fail.error
    manifest = json.loads((tmp_path / "out" / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["echecs"] == [{"rapport": f"clpc/{court}", "juridiction": reference.court_name(court),
                                   "cellule": idx, "erreur": fail.error}]
    assert not (tmp_path / "out" / str(YEAR) / "clpc" / f"{court}.html").exists()
    index = (tmp_path / "out" / str(YEAR) / "index.html").read_text(encoding="utf-8")
    assert "échec" in index and "panne simulée" in index


def test_report_objects_do_not_mutate_results(render_donnees):
    from cpc_toolkit.render import report
    from cpc_toolkit.render.data import load

    data = load(str(render_donnees))
    before = data.res.copy()
    rpt = report.assemble("cour", COUR, YEAR, data)
    rpt.section("juridictions").html()
    rpt.annex()
    pd.testing.assert_frame_equal(before, data.res)
