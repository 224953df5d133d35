"""Screenshots of the three dashboards for the README (never made by hand).

Builds the demo data in a temporary folder (or uses ``--donnees``), starts ``cpc tableau-de-bord``,
opens each dashboard in headless Debian chromium and writes ``docs/images/tableau_de_bord_<niveau>.png``.

Usage: ``.venv/bin/python scripts/captures_tableau_de_bord.py [--donnees DOSSIER] [--sortie docs/images]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from cpc_toolkit.dashboard import harness

PAGES = {
    "national": "?annee=2025&indicateur=act_total_taux_couverture",
    "cour": "?cour=ca-lyon&annee=2025&indicateur=act_cg_dtes",
    "juridiction": "?juridiction=tj-lyon&annee=2025&indicateur=act_cg_dtes",
}
N_CHARTS = {"national": 4, "cour": 3, "juridiction": 3}


def capture(data_dir: Path, out_dir: Path, work: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    srv = harness.start(data_dir, work / "serveur.log", wait_pools=3)
    written = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS)
            for level, query in PAGES.items():
                page = browser.new_page(viewport={"width": 1280, "height": 1000}, device_scale_factor=1)
                page.goto(srv.url + f"voila/render/tableau_de_bord_{level}.ipynb{query}", timeout=240_000)
                page.wait_for_function(
                    f"document.querySelectorAll('.cpc-tableau .js-plotly-plot .main-svg').length >= {N_CHARTS[level]}",
                    timeout=240_000)
                time.sleep(1.5)  # plotly transitions
                height = page.evaluate("Math.max(document.body.scrollHeight, "
                                       "document.getElementById('rendered_cells').scrollHeight)")
                page.set_viewport_size({"width": 1280, "height": min(int(height) + 40, 6000)})
                time.sleep(0.5)
                target = out_dir / f"tableau_de_bord_{level}.png"
                page.screenshot(path=str(target), full_page=True)
                written.append(target)
                page.close()
            browser.close()
    finally:
        harness.stop(srv)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description="Captures d'écran des tableaux de bord (données fictives).")
    parser.add_argument("--donnees", type=Path, default=None, help="dossier des données (défaut : démo temporaire)")
    parser.add_argument("--sortie", type=Path, default=Path("docs/images"), help="dossier des images")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="captures-tableau-") as tmp:
        work = Path(tmp)
        data = args.donnees
        if data is None:
            from cpc_toolkit.cli.demo import write_demo
            from cpc_toolkit.store import Store

            data = work / "donnees"
            write_demo(Store(data), 2025)
        for path in capture(data, args.sortie, work):
            print(f"écrit : {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
