"""Reproducibility stamp and rectificatifs of the reports (issue 16, point 2).

* :func:`report_stamp` — the stamp of one report (tool and catalogue versions, digest of the figures
  it reads, build date), from the one implementation :mod:`cpc_toolkit.compute.digest`; the figures
  a report reads are those of the store slice its campaign fingerprint covers (the TJ for a CLPC
  report, the cour and its courts for a chef de cour report, every unit for the national report,
  over the five years shown), so the digest changes exactly when the report is rebuilt for new data.
* :func:`publish` — at the end of a campaign, ``reports/<annee>/publication.parquet`` (the figures
  published) and ``publication.json`` (their stamp, the receipt time of the latest data published);
* :func:`rectificatif` — the figures of a report's unit that changed since the previous publication,
  with the resubmissions that changed them; :func:`rectificatif_blocks` / :func:`annex_sheets` put
  them (and the stamp) in the report, :func:`campaign_rectificatifs` in the index.

A report finds the previous publication under ``$CPC_RAPPORTS/<annee>/`` (the campaign sets it for
its workers).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cpc_toolkit import catalogue, reference
from cpc_toolkit.compute.digest import (
    changed_figures,
    figures_snapshot,
    load_snapshot,
    save_snapshot,
    stamp,
    stamp_text,
)
from cpc_toolkit.fr import format_date, format_value
from cpc_toolkit.render import kinds
from cpc_toolkit.render.sections import Block, Heading, TableBlock, Text
from cpc_toolkit.render.tables import Table
from cpc_toolkit.settings import reports_dir

__all__ = ["PUBLICATION", "annex_sheets", "campaign_rectificatifs", "previous_publication", "publish", "rectificatif",
           "rectificatif_blocks", "report_stamp", "report_units", "stamp_line"]

PUBLICATION = "publication.parquet"
YEARS_SHOWN = 5  # same window as the campaign fingerprints (cpc_toolkit.render.campaign.YEARS_SHOWN)


def report_units(kind_id: str, unit_id: str) -> list[str] | None:
    """Units whose figures a report reads (``None``: every unit, the national report)."""
    courts = kinds.kind(kind_id).courts(unit_id)
    if courts is None:
        return None
    return list(dict.fromkeys([unit_id, *courts]))


def _years(year: int) -> list[int]:
    return list(range(year - YEARS_SHOWN + 1, year + 1))


def report_stamp(res: pd.DataFrame, kind_id: str, unit_id: str, year: int,
                 built: dt.date | None = None) -> dict[str, str]:
    """Reproducibility stamp of one report."""
    return stamp(res, _years(year), report_units(kind_id, unit_id), built)


def stamp_line(res: pd.DataFrame, kind_id: str, unit_id: str, year: int, built: dt.date | None = None) -> str:
    """« Traçabilité : Établi avec cpc_toolkit …, catalogue …, données …, le … » (report footer)."""
    return "Traçabilité : " + stamp_text(report_stamp(res, kind_id, unit_id, year, built))


# ------------------------------------------------------------------------------------ publication
def publish(res: pd.DataFrame, submissions: pd.DataFrame, year: int, year_dir: Path) -> dict[str, object]:
    """Keep what a campaign published: the year's figures and their stamp (``publication.json``)."""
    subs = submissions[submissions["year"] == year]
    latest = str(subs["received_at"].astype(str).max()) if len(subs) else ""
    return save_snapshot(res, year, Path(year_dir) / PUBLICATION, store_tag="", published_at=latest)


def previous_publication(year: int, root: Path | None = None) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    """The figures and stamp of the last campaign publication of ``year`` (``None`` if none)."""
    path = (root or reports_dir()) / str(year) / PUBLICATION
    meta_path = path.with_suffix(".json")
    try:
        key = (str(path), *((st.st_mtime_ns, st.st_size) for st in (path.stat(), meta_path.stat())))
    except FileNotFoundError:
        return None
    if _LAST_PUBLICATION.get("key") != key:  # read once per campaign worker, not once per report
        _LAST_PUBLICATION.update(key=key, value=(load_snapshot(path), json.loads(meta_path.read_text(encoding="utf-8"))))
    return _LAST_PUBLICATION["value"]


_LAST_PUBLICATION: dict[str, Any] = {}  # the last publication read (its files' path, dates and sizes as key)


def rectificatif(res: pd.DataFrame, submissions: pd.DataFrame, kind_id: str, unit_id: str, year: int,
                 previous: tuple[pd.DataFrame, dict[str, Any]] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(changed figures of the report's unit for ``year``, resubmissions received since the publication)."""
    empty = pd.DataFrame(columns=["unit_id", "year", "indicator_id", "value_before", "status_before",
                                  "value_after", "status_after"])
    if previous is None:
        return empty, submissions.iloc[0:0]
    before, meta = previous
    changed = changed_figures(before[before["year"] == year], figures_snapshot(res, year, [unit_id]), [unit_id])
    if changed.empty:
        return changed, submissions.iloc[0:0]
    courts = report_units(kind_id, unit_id)
    subs = submissions[(submissions["year"] == year)
                       & (submissions["received_at"].astype(str) > str(meta.get("publie_le", "")))]
    if courts is not None:
        subs = subs[subs["court_id"].isin(courts)]
    return changed, subs.sort_values(["court_id", "received_at"], kind="stable", ignore_index=True)


def _indicator(iid: str) -> Any:
    try:
        return catalogue.get(iid)
    except Exception:  # an indicator no longer in the catalogue
        return None


def _value(iid: str, v: float) -> str:
    ind = _indicator(iid)
    if pd.isna(v):
        return "non connu"
    return format_value(v, ind.unit if ind is not None else "count")


def _label(iid: str) -> str:
    ind = _indicator(iid)
    return str(ind.label) if ind is not None else iid


def _received(text: str) -> str:
    try:
        return format_date(dt.datetime.fromisoformat(str(text)).date())
    except ValueError:
        return str(text)


def rectificatif_tables(changed: pd.DataFrame, subs: pd.DataFrame) -> tuple[Table, Table]:
    """The changed figures and the resubmissions as report tables."""
    figs = pd.DataFrame({
        "Indicateur": [_label(i) for i in changed["indicator_id"]],
        "Valeur publiée": [_value(i, v) for i, v in zip(changed["indicator_id"], changed["value_before"], strict=True)],
        "Nouvelle valeur": [_value(i, v) for i, v in zip(changed["indicator_id"], changed["value_after"], strict=True)],
        "_indicator_id": list(changed["indicator_id"]),
    })
    why = pd.DataFrame({
        "Juridiction": [reference.court_name(c) for c in subs["court_id"]],
        "Version": [int(v) for v in subs["version"]],
        "Reçue le": [_received(t) for t in subs["received_at"]],
    })
    return Table(figs), Table(why, {"Version": None})


def rectificatif_blocks(changed: pd.DataFrame, subs: pd.DataFrame, meta: dict[str, Any] | None) -> tuple[Block, ...]:
    """The « Rectificatif » block of a report (empty when no figure changed)."""
    if changed.empty:
        return ()
    figs, why = rectificatif_tables(changed, subs)
    n = len(changed)
    since = f" (empreinte {meta.get('empreinte', '')})" if meta else ""
    blocks: list[Block] = [
        Heading("Rectificatif"),
        Text(f"{n} chiffre{'s' if n > 1 else ''} de ce rapport ont changé depuis la publication précédente{since}, "
             "à la suite d'un nouveau dépôt de données."),
        TableBlock(figs),
    ]
    if len(subs):
        blocks += [Text("Dépôts reçus depuis la publication précédente :"), TableBlock(why)]
    return tuple(blocks)


def annex_sheets(stamp_: dict[str, str], changed: pd.DataFrame, subs: pd.DataFrame) -> tuple[tuple[str, Table], ...]:
    """Excel annex sheets: « Traçabilité » (the stamp) and, if any, « Rectificatif »."""
    trace = Table(pd.DataFrame({
        "Élément": ["Outil", "Version de l'outil", "Version du catalogue", "Empreinte des données", "Établi le",
                    "Mention"],
        "Valeur": ["cpc_toolkit", stamp_["version_outil"], stamp_["version_catalogue"], stamp_["empreinte_donnees"],
                   format_date(stamp_["date_construction"]), stamp_text(stamp_)],
    }))
    out: list[tuple[str, Table]] = [("Traçabilité", trace)]
    if not changed.empty:
        figs, why = rectificatif_tables(changed, subs)
        frame = figs.frame.copy()
        frame["Dépôts"] = "; ".join(f"{j} v{v} ({r})" for j, v, r in why.frame.itertuples(index=False))
        out.append(("Rectificatif", Table(frame)))
    return tuple(out)


# ------------------------------------------------------------------------------------ campaign side
def campaign_rectificatifs(res: pd.DataFrame, submissions: pd.DataFrame, year: int,
                           jobs: Sequence[tuple[str, str, str]], year_dir: Path) -> list[dict[str, Any]]:
    """For the index: per report (job id, kind, unit), the figures changed since the previous publication."""
    prev = previous_publication(year, Path(year_dir).parent)
    out: list[dict[str, Any]] = []
    for job_id, kind_id, unit_id in jobs:
        changed, subs = rectificatif(res, submissions, kind_id, unit_id, year, prev)
        if changed.empty:
            continue
        figs, why = rectificatif_tables(changed, subs)
        out.append({"rapport": job_id, "unite": reference.court_name(unit_id),
                    "chiffres": [{"indicateur": a, "avant": b, "apres": c}
                                 for a, b, c in figs.frame[["Indicateur", "Valeur publiée", "Nouvelle valeur"]]
                                 .itertuples(index=False)],
                    "depots": [{"juridiction": j, "version": int(v), "recu_le": r}
                               for j, v, r in why.frame.itertuples(index=False)]})
    return out


# ------------------------------------------------------------------------------------ report hook
def stamp_report(kind_id: str, unit_id: str, year: int, data: Any, cover: Any, footer: str,
                 annexe: Any) -> tuple[Any, str, Any]:
    """The report's cover (+ « Rectificatif » block), footer (+ « Traçabilité ») and annexe section
    (+ « Traçabilité » and « Rectificatif » sheets), from its data and the previous publication."""
    import dataclasses

    st = report_stamp(data.res, kind_id, unit_id, year)
    prev = previous_publication(year)
    changed, subs = rectificatif(data.res, data.submissions, kind_id, unit_id, year, prev)
    blocks = rectificatif_blocks(changed, subs, prev[1] if prev else None)
    if blocks:
        cover = dataclasses.replace(cover, blocks=(*cover.blocks, *blocks))
    annexe = dataclasses.replace(annexe, annex=(*annexe.annex, *annex_sheets(st, changed, subs)))
    return cover, f"{footer} — Traçabilité : {stamp_text(st)}", annexe


RECTIFICATIFS = "rectificatifs.json"


def read_rectificatifs(year_dir: Path) -> list[dict[str, Any]]:
    path = Path(year_dir) / RECTIFICATIFS
    return list(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else []


def after_campaign(store: Any, year: int, year_dir: Path, outcomes: Sequence[Any]) -> None:
    """End of a campaign: the rectificatifs of the reports just built (others keep theirs) go to
    ``rectificatifs.json`` (for the index), then what was published becomes the new publication."""
    from cpc_toolkit.compute import results
    from cpc_toolkit.store import atomic_write_bytes

    year_dir = Path(year_dir)
    res = results(store)
    subs = store.submissions(include_superseded=False)
    built = [o for o in outcomes if o.status == "ok"]
    rebuilt = {o.job_id for o in built}
    kept = [r for r in read_rectificatifs(year_dir) if r["rapport"] not in rebuilt]
    fresh = campaign_rectificatifs(res, subs, year, [(o.job_id, o.kind, o.unit_id) for o in built], year_dir)
    atomic_write_bytes(year_dir / RECTIFICATIFS,
                       json.dumps(sorted(kept + fresh, key=lambda r: r["rapport"]), ensure_ascii=False,
                                  indent=1).encode("utf-8"))
    publish(res, subs, year, year_dir)


def index_html(year_dir: Path) -> list[str]:
    """The « Rectificatifs » part of the campaign index (empty list when none)."""
    import html

    recs = read_rectificatifs(year_dir)
    if not recs:
        return []
    parts = ['<h2 class="cpc-nobreak">Rectificatifs</h2>',
             "<p>Chiffres modifiés depuis la publication précédente, à la suite d'un nouveau dépôt.</p>",
             '<table class="cpc-table"><thead><tr><th>Rapport</th><th>Indicateur</th><th>Valeur publiée</th>'
             "<th>Nouvelle valeur</th><th>Dépôts</th></tr></thead><tbody>"]
    for r in recs:
        why = "; ".join(f"{d['juridiction']} v{d['version']} ({d['recu_le']})" for d in r["depots"]) or "–"
        for c in r["chiffres"]:
            parts.append(f"<tr><td>{html.escape(r['unite'])}</td><td>{html.escape(c['indicateur'])}</td>"
                         f"<td>{html.escape(c['avant'])}</td><td>{html.escape(c['apres'])}</td>"
                         f"<td>{html.escape(why)}</td></tr>")
    parts.append("</tbody></table>")
    return parts
