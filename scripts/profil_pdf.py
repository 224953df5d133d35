"""Where a report's PDF time goes in Chromium (diagnostic, not a benchmark: no baseline).

Each report page is written into one tab that already holds plotly.js, as the campaign's printer does
(:class:`cpc_toolkit.render.pdf.PdfPrinter`), twice in a row; per pass, the whole machine's CPU and the
wall time of loading the page (plotly draws its charts), of waiting for the charts and of printing.
Then Chromium's JavaScript profiler over one more load of the first page: the functions with the most
time, themselves and with what they call.

Usage, after ``make demo``: ``.venv/bin/python scripts/profil_pdf.py [PAGE.html …]`` (default: the
CLPC report of Agen, the cour d'Agen's and the national one of ``reports/2025``). Run it on an
otherwise idle machine: the CPU is the whole machine's (Chromium's page processes are not children).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from _harness import load, machine_cpu  # noqa: E402

from cpc_toolkit.fr import format_number  # noqa: E402
from cpc_toolkit.render import pdf  # noqa: E402
from cpc_toolkit.render.html import split_at_plotly  # noqa: E402

DEFAULT = ("clpc/tj-agen.html", "cours/ca-agen.html", "national/national.html")


def body_of(path: Path, css: str) -> str:
    """The page as the printer writes it into a tab holding plotly.js."""
    parts = split_at_plotly(path.read_text(encoding="utf-8"))
    if parts is None:
        raise SystemExit(f"{path} : pas de plotly.js dans la page")
    return pdf.tab_document(path, parts, css)


def top(profile: dict[str, Any]) -> tuple[collections.Counter, collections.Counter]:
    """Self and inclusive time (µs) per function of a CDP ``Profiler`` profile."""
    nodes = {x["id"]: x for x in profile["nodes"]}
    parent = {c: x["id"] for x in profile["nodes"] for c in x.get("children", [])}

    def key(node_id: int) -> str:
        cf = nodes[node_id]["callFrame"]
        return f"{cf['functionName'] or '(anonyme)'} {cf['lineNumber']}:{cf['columnNumber']}"

    own, incl = collections.Counter(), collections.Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        own[key(sample)] += delta
        seen, x = set(), sample
        while x is not None:
            k = key(x)
            if k not in seen:
                incl[k] += delta
                seen.add(k)
            x = parent.get(x)
    return own, incl


async def main(paths: list[Path], n: int) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=pdf.chromium_path(), args=["--no-sandbox", "--disable-gpu"])
        page = await (await browser.new_context()).new_page()
        css = await pdf.plotly_tab(page)
        print(f"Chromium : {pdf.chromium_path()} ; {load()}")
        for i in range(2):
            for path in paths:
                body = body_of(path, css)
                marks = [(time.perf_counter(), machine_cpu())]
                await page.set_content(body, wait_until="load")
                marks.append((time.perf_counter(), machine_cpu()))
                await page.wait_for_function(pdf.WAIT_CHARTS_JS)
                marks.append((time.perf_counter(), machine_cpu()))
                await page.pdf(**pdf.PDF_OPTIONS)
                marks.append((time.perf_counter(), machine_cpu()))
                phases = [f"{name} {format_number(b[0] - a[0], 2)} s écoulées / {format_number(b[1] - a[1], 2)} s de CPU"
                          for name, a, b in zip(("chargement", "attente des graphiques", "impression"),
                                                marks, marks[1:], strict=False)]
                print(f"  passage {i + 1}, {path.name} : " + " ; ".join(phases))
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("Profiler.enable")
        await cdp.send("Profiler.setSamplingInterval", {"interval": 100})
        await cdp.send("Profiler.start")
        await page.set_content(body_of(paths[0], css), wait_until="load")
        await page.wait_for_function(pdf.WAIT_CHARTS_JS)
        own, incl = top((await cdp.send("Profiler.stop"))["profile"])
        print(f"Profil JavaScript du chargement de {paths[0].name} (ms ; « (program) » : travail natif, mise en page) :")
        print("  temps propre :")
        for k, v in own.most_common(n):
            print(f"    {format_number(v / 1000, 1):>8}  {k}")
        print("  temps inclusif :")
        for k, v in incl.most_common(n):
            print(f"    {format_number(v / 1000, 1):>8}  {k}")
        await browser.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="*", type=Path, help="pages HTML de rapports (défaut : trois rapports de reports/2025)")
    ap.add_argument("--lignes", type=int, default=25, help="fonctions affichées par tableau (défaut 25)")
    args = ap.parse_args()
    root = Path(os.environ.get("CPC_RAPPORTS", REPO / "reports")) / "2025"
    asyncio.run(main(args.pages or [root / x for x in DEFAULT], args.lignes))
