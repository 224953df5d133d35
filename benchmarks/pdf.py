"""PDF printing of report pages: the toolkit's printer against the plain way, interleaved, outputs checked.

Reports of the demo data (the cours d'Agen and de Bordeaux, their CLPC reports and the national report) are
built once in HTML, then printed to A4 PDF, all of them per pass, ``PAGES`` pages at once as in a campaign:

- baseline: what a competent user of Playwright writes, and the toolkit did until 4 December 2026 — each
  page opened from its file in a fresh tab of Debian's ``chromium``, charts awaited, printed;
- the same with Debian's ``chromium-headless-shell`` (the headless-only build), to separate the two gains;
- the toolkit: ``PdfPrinter`` (headless shell, each report written into a tab that already holds plotly.js,
  charts drawn as static plots: ``pdf.STATIC_CHARTS``), and the same with interactive charts, to separate
  that gain too (the baselines draw interactive charts, as plotly does by default).

The CPU that counts is the whole machine's (Chromium's page processes are not children this process reaps):
run it on an otherwise idle machine. Outputs: same number of pages, same text and same links page for page
(and whether the drawings are byte-identical). Usage: ``.venv/bin/python benchmarks/pdf.py [--repetitions 2]``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from concurrent.futures import wait
from pathlib import Path

import pypdf
from _harness import Bench, compare, fmt_s, measure_machine

from cpc_toolkit import reference
from cpc_toolkit.render import campaign, pdf
from cpc_toolkit.render.pdf import CHROMIUM, HEADLESS_SHELL, PAGES, PdfPrinter
from cpc_toolkit.store import Store

YEAR = 2025
COURS = ("ca-agen", "ca-bordeaux")


def pages_of(path: Path) -> list[tuple[str, list[object], bytes]]:
    """Per page: its text, its links (URI or internal destination) and its drawing."""
    out = []
    for pg in pypdf.PdfReader(path).pages:
        links = [((a.get_object().get("/A") or {}).get("/URI"), a.get_object().get("/Dest"))
                 for a in pg.get("/Annots") or []]
        out.append((pg.extract_text(), links, pg.get_contents().get_data()))
    return out


def print_all(exe: str, reuse_tabs: bool, static: bool, pages: list[Path], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    pdf.STATIC_CHARTS = static  # read as each tab is opened
    printer = PdfPrinter(exe, PAGES, reuse_tabs=reuse_tabs)
    try:
        futures = [printer.submit(p, out / f"{p.parent.name}-{p.stem}.pdf") for p in pages]
        wait(futures)
        return [f.result() for f in futures]
    finally:
        printer.close()


def same_pdfs(a: list[Path], b: list[Path]) -> bool:
    drawings = True
    for x, y in zip(a, b, strict=True):
        px, py = pages_of(x), pages_of(y)
        if len(px) != len(py) or [p[:2] for p in px] != [p[:2] for p in py]:
            print(f"    {x.name} : pages, texte ou liens différents")
            return False
        drawings = drawings and [p[2] for p in px] == [p[2] for p in py]
    print(f"    mêmes pages, textes et liens ; dessins identiques octet pour octet : {'oui' if drawings else 'non'}")
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repetitions", type=int, default=2)
    args = ap.parse_args()
    bench = Bench("Impression PDF des rapports")
    tmp = Path(tempfile.mkdtemp(prefix="cpc-bench-pdf-"))
    try:
        from cpc_toolkit.cli.demo import write_demo

        donnees = tmp / "donnees"
        write_demo(Store(donnees), YEAR)
        units = [reference.NATIONAL, *[u for c in COURS for u in (c, *reference.courts_of_cour(c))]]
        sel = campaign.plan(YEAR, units=units)
        res = campaign.run_campaign(YEAR, donnees, tmp / "r", formats=("html",), selection=sel)
        assert not res.failures, res.failures[0].error
        pages = [j.path(tmp / "r", "html") for j in sel]
        print(f"  {len(pages)} rapports HTML ({', '.join(COURS)}, leurs CLPC, national), {PAGES} pages à la fois")
        n = iter(range(10_000))
        variants = {"chromium, onglet neuf": (CHROMIUM, False, False),
                    "headless, onglet neuf": (HEADLESS_SHELL, False, False),
                    "outil, graphiques interactifs": (HEADLESS_SHELL, True, False), "outil": (HEADLESS_SHELL, True, True)}
        missing = [exe for exe, _, _ in variants.values() if not Path(exe).exists()]
        if missing:
            print(f"  introuvable : {', '.join(missing)} (make chromium) — mesure impossible")
            return 1
        runs = {k: (lambda exe=exe, reuse=reuse, static=static: print_all(exe, reuse, static, pages, tmp / f"p{next(n)}"))
                for k, (exe, reuse, static) in variants.items()}
        for base, cand in (("chromium, onglet neuf", "outil"), ("headless, onglet neuf", "outil"),
                           ("outil, graphiques interactifs", "outil")):
            with bench.section(f"{base} contre {cand}"):
                r = compare(f"{len(pages)} PDF", runs[base], runs[cand], same_pdfs, repeats=args.repetitions,
                            sample=measure_machine, labels=(base, cand))
                if r.candidate.machine:
                    print(f"    par rapport, outil : {fmt_s(r.candidate.wall / len(pages))} écoulé, "
                          f"{fmt_s(r.candidate.machine / len(pages))} de CPU (machine entière)")
        return bench.finish()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
