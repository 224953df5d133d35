"""Rendered reports read right and are accessible: French typography in the HTML text, no word cut
in table headers at A4 width, axe-core (vendored, MPL-2.0) finds no serious or critical violation on
one report of each kind (CLPC, chef de cour, national) and every chart has a text alternative.

axe-core is vendored in tests/a11y/vendor/axe.min.js (``npm pack axe-core``, licence beside it)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cpc_toolkit import fr, reference
from cpc_toolkit.render.accessibility import LINK_LABEL, STATEMENT_FILE, statement_html

pytestmark = pytest.mark.browser

YEAR = 2025
COUR = "ca-agen"
AXE = Path(__file__).resolve().parents[1] / "a11y" / "vendor" / "axe.min.js"
A4_CSS_PX = 718  # 190 mm printable width at 96 dpi: the width the PDF is printed at
GROUPED_WITH_SPACE = re.compile(r"(?<![\d,.])\d{1,3}(?: \d{3})+(?!\d)")
HYPHEN_MINUS_NUMBER = re.compile(r"(?<![\w\-/–])-\d")


class _Text(HTMLParser):
    """Visible text nodes of a page (scripts and styles skipped)."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.nodes: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.nodes.append(data)


def _text_nodes(html: str) -> list[str]:
    p = _Text()
    p.feed(html)
    return p.nodes


@pytest.fixture(scope="module")
def three_reports(render_donnees, tmp_path_factory):
    """One CLPC, one chef de cour and the national report (HTML only)."""
    from cpc_toolkit.render.campaign import plan, run_campaign

    out = tmp_path_factory.mktemp("a11y_reports")
    court = reference.courts_of_cour(COUR)[0]
    result = run_campaign(YEAR, render_donnees, out, jobs=1, formats=("html",),
                          selection=plan(YEAR, units=[reference.NATIONAL, COUR, court]))
    year_dir = out / str(YEAR)
    paths = {o.kind: year_dir / o.files["html"] for o in result.outcomes if o.status == "ok"}
    assert set(paths) == {"clpc", "cour", "national"}, [(o.kind, o.error) for o in result.outcomes]
    return year_dir, paths


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from cpc_toolkit.render.pdf import chromium_path

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def test_the_scanners_catch_bad_typography():
    assert GROUPED_WITH_SPACE.search("soit 1 234 affaires") and not GROUPED_WITH_SPACE.search("en 2024 et 2025")
    assert HYPHEN_MINUS_NUMBER.search("(-4,3 pt)") and not HYPHEN_MINUS_NUMBER.search("2021-2025, tj-agen 2")
    assert not GROUPED_WITH_SPACE.search(fr.format_number(1234567)) and not HYPHEN_MINUS_NUMBER.search(
        fr.format_change(-4.3, "percent"))
    nodes = _text_nodes("<p>a 1 234</p><script>var x = -1;</script><style>.a{margin:-1px}</style>")
    assert nodes == ["a 1 234"]


def test_rendered_reports_use_french_typography(three_reports):
    _, paths = three_reports
    minus = 0
    for kind, path in paths.items():
        nodes = _text_nodes(path.read_text(encoding="utf-8"))
        text = "\n".join(nodes)
        assert len(text) > 2000 and fr.THOUSANDS_SEP in text, kind
        minus += text.count(fr.MINUS)
        assert [m.group() for n in nodes for m in GROUPED_WITH_SPACE.finditer(n)] == [], kind
        assert [n for n in nodes if HYPHEN_MINUS_NUMBER.search(n)] == [], kind
    assert minus >= 1  # negative changes are written with U+2212


def test_reports_link_the_accessibility_statement(three_reports):
    year_dir, paths = three_reports
    statement = year_dir / STATEMENT_FILE
    assert statement.is_file() and "État de conformité" in statement.read_text(encoding="utf-8")
    for path in paths.values():
        html = path.read_text(encoding="utf-8")
        m = re.search(r'<footer class="cpc-footer">.*?<a href="([^"]+)">([^<]+)</a>', html, re.S)
        assert m and m.group(2) == LINK_LABEL
        assert (path.parent / m.group(1)).resolve() == statement.resolve()
    assert f'href="{STATEMENT_FILE}"' in (year_dir / "index.html").read_text(encoding="utf-8")
    page = statement_html()
    for heading in ("État de conformité", "Contenus non accessibles", "Retour d'information et contact",
                    "Voies de recours", "Défenseur des droits"):
        assert heading in page


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    out = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                        ".map(v => ({id: v.id, impact: v.impact, n: v.nodes.length, "
                        "target: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
    return [v for v in out if v["impact"] in ("serious", "critical")]


def test_axe_core_finds_no_serious_violation_and_every_chart_has_an_alternative(three_reports, browser):
    year_dir, paths = three_reports
    page = browser.new_page(viewport={"width": 900, "height": 1200})
    try:
        for kind, path in [*paths.items(), ("declaration", year_dir / STATEMENT_FILE),
                           ("index", year_dir / "index.html")]:
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            assert _axe(page) == [], kind
            if kind in paths:
                charts = page.evaluate("""() => [...document.querySelectorAll('.plotly-graph-div')].map(d => {
                    const f = d.closest('figure');
                    return {alt: f ? (f.getAttribute('aria-label') || '') : '',
                            caption: f && f.querySelector('figcaption') ? f.querySelector('figcaption').innerText : '',
                            rows: f ? f.querySelectorAll('details tbody tr').length : 0};
                })""")
                assert len(charts) >= 1, kind
                assert all(len(c["alt"]) > 20 and c["caption"].strip() == c["alt"].strip() for c in charts), kind
                assert all(c["rows"] >= 1 for c in charts if not c["alt"].endswith("donnée sur la période.")), kind
    finally:
        page.close()


def _cut_words(page) -> dict:
    """Words of table headers drawn on more than one line (a word cut has two client rectangles)."""
    return page.evaluate("""() => { const out = []; let n = 0;
                for (const th of document.querySelectorAll('table th')) {
                  const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
                  let node; while ((node = walker.nextNode())) {
                    const re = /\\S+/g; let m;
                    while ((m = re.exec(node.data))) {
                      const r = document.createRange(); r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
                      const rects = [...r.getClientRects()].filter(x => x.width > 0);
                      if (rects.length === 0) continue; n += 1;
                      const tops = new Set(rects.map(x => Math.round(x.top)));
                      if (tops.size > 1) out.push(m[0]);
                    } } }
                return {n, out}; }""")


def test_no_word_is_cut_in_table_headers_at_a4_width(three_reports, browser):
    _, paths = three_reports
    page = browser.new_page(viewport={"width": A4_CSS_PX, "height": 1100})
    try:
        page.emulate_media(media="print")
        checked = 0
        for kind, path in paths.items():
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            style = page.evaluate("""() => { const th = document.querySelector('table.cpc-table th');
                const s = getComputedStyle(th); return [s.hyphens, s.overflowWrap, s.wordBreak]; }""")
            assert style == ["manual", "normal", "normal"], (kind, style)
            cut = _cut_words(page)
            checked += cut["n"]
            assert cut["out"] == [], (kind, cut["out"][:10])
            # and no word sticks out of its cell either (short labels / smaller type where columns are narrow)
            over = page.evaluate("""() => [...document.querySelectorAll('table th, table td')]
                .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText.slice(0, 40))""")
            assert over == [], (kind, over[:5])
        assert checked > 50
    finally:
        page.close()


def test_heat_table_marks_better_and_worse_in_text(three_reports):
    _, paths = three_reports
    html = paths["cour"].read_text(encoding="utf-8")
    heat = html[html.index('class="cpc-table cpc-heat"'):]
    heat = heat[:heat.index("</table>")]
    assert "▲" in heat or "▼" in heat
    assert heat.count('class="cpc-mark"') == heat.count('class="cpc-sr"') >= 1
    assert "plus favorable" in html and "moins favorable" in html


def test_the_browser_probes_see_violations_and_cut_words(browser, tmp_path):
    # a page with an unlabelled image, low contrast and a narrow header that cuts words: the probes must see it
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>t</title></head><body><main>'
                   '<img src="x.png"><p style="color:#bbb">texte pâle</p>'
                   '<table class="cpc-table" style="width:60px"><tr><th style="overflow-wrap:anywhere;width:40px">'
                   'électroniquement</th></tr></table></main></body></html>', encoding="utf-8")
    page = browser.new_page(viewport={"width": A4_CSS_PX, "height": 800})
    try:
        page.goto(bad.as_uri())
        ids = {v["id"] for v in _axe(page)}
        assert {"image-alt", "color-contrast"} <= ids
        assert _cut_words(page)["out"] == ["électroniquement"]
    finally:
        page.close()
