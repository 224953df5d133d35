"""Render path: no IRI grammar compilation in render processes; HTML export through the template only."""

from __future__ import annotations

import html as htmllib
import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cpc_toolkit import reference
from cpc_toolkit.render import html, notebook
from cpc_toolkit.render.campaign import plan

from .conftest import pdf_signature

YEAR = 2025
COUR = "ca-agen"
ROOT = Path(__file__).resolve().parents[2]

_WORKER_PROBE = textwrap.dedent("""
    import json, sys
    from cpc_toolkit.render import campaign  # first import of a spawned worker (its initializer's module)
    from cpc_toolkit.render.notebook import IN_PROCESS_ENGINE, run_papermill

    campaign._init_worker({"CPC_DONNEES": sys.argv[1]})
    nb = run_papermill("clpc", {"juridiction": sys.argv[2], "annee": 2025, "donnees": sys.argv[1]},
                       engine=IN_PROCESS_ENGINE)  # a real report, executed in the worker
    print(json.dumps({"jsonschema": "jsonschema" in sys.modules, "report": "cpc_toolkit.render.report" in sys.modules,
                      "rfc": repr(sys.modules.get("rfc3987_syntax", "absent")), "cells": len(nb.cells)}))
""")


def test_no_iri_grammar_compilation_in_a_render_worker(render_donnees):
    """rfc3987_syntax is installed (jsonschema would import it), yet a campaign worker does not import
    it, although it has imported jsonschema and executed a real report."""
    assert importlib.metadata.version("rfc3987-syntax")
    court = reference.courts_of_cour(COUR)[0]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", _WORKER_PROBE, str(render_donnees), court], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    state = json.loads(proc.stdout.strip().splitlines()[-1])
    assert state["cells"] > 10
    assert {k: state[k] for k in ("jsonschema", "report", "rfc")} == {"jsonschema": True, "report": True, "rfc": "None"}


@pytest.fixture(scope="module")
def executed(render_donnees):
    """The national, cour d'Agen and one CLPC report, executed one after another in this process."""
    units = [reference.NATIONAL, COUR, reference.courts_of_cour(COUR)[1]]
    return [notebook.run_papermill(job.kind, job.params(str(render_donnees)), engine=notebook.IN_PROCESS_ENGINE,
                                   env={"CPC_DONNEES": str(render_donnees)}) for job in plan(YEAR, units=units)]


def test_template_only_export_is_the_document_nbconvert_exports(executed):
    """Same document as nbconvert's own HTMLExporter (which re-parses and re-serialises the page with
    BeautifulSoup): serialised the same way, the two pages are byte-identical."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from cpc_toolkit.render.outputs import exported

    assert len(executed) == 3
    for nb in executed:
        ex = exported(nb)
        ours = html.export_html(nb, ex.title, ex.demo, ex.footer)
        stock, _ = HTMLExporter.from_notebook_node(html.exporter(), *html._prepare(nb, ex.title, ex.demo, ex.footer))
        assert 'class="plotly-graph-div' in ours and ex.title in ours
        assert str(BeautifulSoup(ours, features="html.parser")) == stock
        assert ours != stock  # really exported without the re-serialisation
        # French apostrophes and quotes stay searchable as written (text nodes, as nbconvert wrote them)
        # the same visible text, French apostrophes written as characters in text nodes
        text = BeautifulSoup(ours, features="html.parser").get_text()
        assert text == BeautifulSoup(stock, features="html.parser").get_text()
        assert "'" in htmllib.unescape(text) and "&#39;" not in ours.split("<body", 1)[1].split("<script", 1)[0]


def test_shared_plotly_page_loads_the_versioned_file_with_its_integrity_hash(executed, tmp_path):
    """``--plotly partage``: no embedded plotly.js, one shared versioned file whose SRI hash the page
    carries; served over HTTP, Chromium checks the hash and draws every chart."""
    import base64
    import hashlib
    import http.server
    import threading
    from functools import partial

    from playwright.sync_api import sync_playwright

    from cpc_toolkit.render.outputs import exported
    from cpc_toolkit.render.pdf import WAIT_CHARTS_JS, chromium_path

    nb = executed[2]
    ex = exported(nb)
    embedded = html.export_html(nb, ex.title, ex.demo, ex.footer)
    shared_js = html.write_shared_plotly(tmp_path)
    (tmp_path / "clpc").mkdir()
    page_path = tmp_path / "clpc" / "rapport.html"
    page_path.write_text(html.export_html(nb, ex.title, ex.demo, ex.footer, plotly_src="../"), encoding="utf-8")
    page = page_path.read_text(encoding="utf-8")
    assert shared_js.name == html.PLOTLY_JS_NAME and html.PLOTLY_JS_NAME.startswith("plotly-")
    digest = "sha384-" + base64.b64encode(hashlib.sha384(shared_js.read_bytes()).digest()).decode()
    assert f'src="../{html.PLOTLY_JS_NAME}" integrity="{digest}"' in page
    assert len(embedded) - len(page) > 0.95 * shared_js.stat().st_size  # plotly.js is not embedded
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"])
            try:
                tab = browser.new_page()
                errors: list[str] = []
                tab.on("pageerror", lambda exc: errors.append(str(exc)))
                tab.goto(f"http://127.0.0.1:{server.server_address[1]}/clpc/rapport.html", wait_until="load")
                tab.wait_for_function(WAIT_CHARTS_JS, timeout=60_000)
                drawn = tab.evaluate("document.querySelectorAll('.plotly-graph-div .main-svg').length")
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert drawn >= page.count('class="plotly-graph-div') > 0 and not errors


def test_pdf_of_a_shared_plotly_page_is_the_pdf_of_the_embedded_page(executed, tmp_path):
    """``--plotly partage`` with the PDF: the printer leaves the page's script element out (a browser
    would refuse the integrity-checked file from a local path) and draws with its own copy of the
    same plotly.js: page for page the same drawing as the single-file page."""
    from cpc_toolkit.render.outputs import exported
    from cpc_toolkit.render.pdf import PdfPrinter, chromium_path

    nb = executed[2]
    ex = exported(nb)
    html.write_shared_plotly(tmp_path)
    (tmp_path / "clpc").mkdir()
    shared, embedded = tmp_path / "clpc" / "partage.html", tmp_path / "clpc" / "integre.html"
    shared.write_text(html.export_html(nb, ex.title, ex.demo, ex.footer, plotly_src="../"), encoding="utf-8")
    embedded.write_text(html.export_html(nb, ex.title, ex.demo, ex.footer), encoding="utf-8")
    assert html.plotly_js() not in shared.read_text(encoding="utf-8")
    printer = PdfPrinter(chromium_path(), 1)
    try:
        a, b = (printer.print(p, p.with_suffix(".pdf")) for p in (shared, embedded))
    finally:
        printer.close()
    sig = pdf_signature(a)
    assert len(sig) >= 8 and sig == pdf_signature(b)


def test_print_tabs_draw_static_charts_with_the_same_pages_and_text(executed, tmp_path, monkeypatch):
    """Charts are printed as static plots (``pdf.STATIC_CHARTS``): the invisible drag layers leave the
    drawing, nothing printed changes: same pages, same text and links on each, a lighter drawing."""
    import pypdf

    from cpc_toolkit.render import pdf
    from cpc_toolkit.render.outputs import exported

    nb = executed[2]
    ex = exported(nb)
    page = tmp_path / "clpc.html"
    page.write_text(html.export_html(nb, ex.title, ex.demo, ex.footer), encoding="utf-8")
    out = {}
    for static in (False, True):
        monkeypatch.setattr(pdf, "STATIC_CHARTS", static)
        printer = pdf.PdfPrinter(pdf.chromium_path(), 1)
        try:
            out[static] = printer.print(page, tmp_path / f"static-{static}.pdf")
        finally:
            printer.close()
    text = {k: [pg.extract_text() for pg in pypdf.PdfReader(p).pages] for k, p in out.items()}
    links = {k: [links for _, links in pdf_signature(p)] for k, p in out.items()}
    size = {k: sum(len(d) for d, _ in pdf_signature(p)) for k, p in out.items()}
    assert len(text[True]) >= 3 and text[True] == text[False] and links[True] == links[False]
    assert 0 < size[True] < size[False]


def test_unknown_plotly_mode_is_refused(tmp_path):
    from cpc_toolkit.errors import UsageError
    from cpc_toolkit.render.campaign import run_campaign

    with pytest.raises(UsageError, match="Mode plotly inconnu"):
        run_campaign(YEAR, tmp_path, tmp_path / "r", plotly="cdn")
