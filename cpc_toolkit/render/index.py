"""``reports/<annee>/index.html``: every report of the campaign with links (offline, no script)."""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

from cpc_toolkit import reference
from cpc_toolkit.fr import format_date, format_number, sort_key
from cpc_toolkit.render import kinds
from cpc_toolkit.render.accessibility import LINK_LABEL, STATEMENT_FILE, write_statement
from cpc_toolkit.render.html import report_css
from cpc_toolkit.settings import DEMO_LABEL
from cpc_toolkit.store import atomic_write_bytes

__all__ = ["write_index"]

SECTIONS = tuple((k.id, k.label) for k in kinds.campaign_kinds())
FORMAT_LABELS = {f.id: f.label for f in kinds.FORMATS.values()}


def write_index(year_dir: Path) -> Path:
    """Write the index of ``year_dir`` from its manifest; return its path."""
    year_dir = Path(year_dir)
    manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    reports = manifest.get("reports", {})
    demo = any(r.get("demo") for r in reports.values())
    year = manifest.get("annee", year_dir.name)
    parts = [f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Rapports de politique civile '
             f'{year}</title><style>{report_css()}</style></head><body class="cpc-rapport"><main>',
             f"<h1>Rapports de politique civile — {html.escape(str(year))}</h1>"]
    if demo:
        parts.append(f'<div class="cpc-banner" role="note">{html.escape(DEMO_LABEL)}</div>')
    n_ok = sum(1 for r in reports.values() if r.get("status") in ("ok", "inchange"))
    n_ko = sum(1 for r in reports.values() if r.get("status") == "echec")
    parts.append(f"<p>{format_number(n_ok)} rapport(s) disponibles"
                 + (f", <strong>{format_number(n_ko)} en échec</strong>" if n_ko else "")
                 + f" — index mis à jour le {format_date(dt.date.today())}.</p>")
    for kind, label in SECTIONS:
        rows = sorted((r for r in reports.values() if r.get("kind") == kind),
                      key=lambda r: (sort_key(reference.court_name(c)) if (c := _cour_of(r)) else (),
                                     sort_key(r.get("name", ""))))
        if not rows:
            continue
        parts.append(f'<h2 class="cpc-nobreak">{html.escape(label)} ({len(rows)})</h2>')
        parts.append('<table class="cpc-table"><thead><tr><th>Rapport</th>'
                     + ("<th>Cour d'appel</th>" if kinds.KINDS[kind].index_cour else "")
                     + "<th>Fichiers</th><th>État</th></tr></thead><tbody>")
        for r in rows:
            links = " · ".join(f'<a href="{html.escape(path)}">{FORMAT_LABELS.get(fmt, fmt)}</a>'
                               for fmt, path in sorted(r.get("files", {}).items(), key=lambda kv: list(FORMAT_LABELS)
                                                       .index(kv[0]) if kv[0] in FORMAT_LABELS else 9))
            state = ("à jour" if r.get("status") in ("ok", "inchange") else
                     f"échec : {html.escape(r.get('error', ''))}")
            cour = (f"<td>{html.escape(reference.court_name(_cour_of(r)))}</td>" if kinds.KINDS[kind].index_cour
                    else "")
            parts.append(f"<tr><td>{html.escape(r.get('name', r.get('unit_id', '')))}</td>{cour}"
                         f"<td>{links or '–'}</td><td>{state}</td></tr>")
        parts.append("</tbody></table>")
    from cpc_toolkit.render.traceability import index_html

    parts += index_html(year_dir)  # issue 16: rectificatifs since the previous publication
    parts.append(f'<footer class="cpc-footer"><a href="{STATEMENT_FILE}">{html.escape(LINK_LABEL)}</a></footer>')
    parts.append("</main></body></html>")
    write_statement(year_dir)
    path = year_dir / "index.html"
    atomic_write_bytes(path, "".join(parts).encode("utf-8"))
    return path


def _cour_of(r: dict) -> str:
    spec = kinds.KINDS.get(str(r.get("kind")))
    if spec is not None and spec.index_cour:
        try:
            return reference.cour_of(r["unit_id"])
        except Exception:
            return ""
    return ""
