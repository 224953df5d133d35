"""Outputs for the DACS: one fiche per case (HTML + PDF), the national register (xlsx), the summary.

Everything is written under ``<donnees>/confidentiel/sorties/`` (0700 directories, 0600 files) — a
folder no CLPC / chef de cour report or non-DACS dashboard reads.

The summary is rendered like the other reports, by :mod:`cpc_toolkit.render` (papermill execution with
parameter validation, offline HTML export with the vendored plotly.js bundle inlined once, Chromium PDF
helper). This DACS output step is the one place of ``registers`` that calls the render stage; it
imports it lazily, inside the functions, so the register itself never depends on it.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, cast

import pandas as pd
from jinja2 import Environment, StrictUndefined, select_autoescape

from cpc_toolkit import reference
from cpc_toolkit.collect.workbook import first_sheet, set_safe_value
from cpc_toolkit.files import FILE_MODE, lock_down, owner_only_umask, private_dir, write_private
from cpc_toolkit.fr import MONTHS, format_date, format_number
from cpc_toolkit.remontees.config import RemonteesConfig, load_config
from cpc_toolkit.remontees.model import (
    CASE_FIELDS,
    CRITERIA,
    EVENT_TYPES,
    PROCEDURE_TYPES,
    STATUSES,
    criteria_labels,
    naf_section,
)
from cpc_toolkit.remontees.secure import confidential_root
from cpc_toolkit.remontees.store import RemonteesStore

NOTEBOOK_KIND = "remontees"  # declared in cpc_toolkit.render.kinds.KINDS (notebook, parameters, formats)
SUMMARY_TITLE = "Synthèse des remontées d'information à la DACS"
CONFIDENTIAL_NOTICE = "CONFIDENTIEL — réservé à la DACS (bureau D4). Ne pas diffuser."


def demo_label() -> str:
    from cpc_toolkit.settings import DEMO_LABEL

    return DEMO_LABEL


def outputs_root(donnees: Path) -> Path:
    """``<donnees>/confidentiel/sorties`` — the DACS-only output folder."""
    return confidential_root(donnees) / "sorties"


def scope_name(year: int | None, cour: str | None) -> str:
    return f"remontees_{year if year else 'toutes-annees'}" + (f"_{cour}" if cour else "")


def scope_label(year: int | None, cour: str | None) -> str:
    where = reference.court_name(cour if cour else reference.NATIONAL)
    return f"{where}, {('année ' + str(year)) if year else 'toutes années'}"


# ----------------------------------------------------------------------------- tables
def _events_of(events: pd.DataFrame, cid: str) -> pd.DataFrame:
    return events[events["case_id"] == cid].sort_values(["event_date", "event_type"], na_position="last")


def summary_tables(cases: pd.DataFrame, events: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Counts by criterion, cour, sector (NAF division), month of signalling and status; employees.

    Pure: returns new frames, inputs untouched. Numbers are raw (format them for display).
    """
    n = len(cases)
    crit = cases["criteria"].fillna("").astype(str).str.split(";") if n else pd.Series(dtype=object)
    by_crit = pd.DataFrame({
        "critère": list(CRITERIA.values()),
        "signalements": [int(sum(code in c for c in crit)) for code in CRITERIA],
    })
    by_cour = (cases.groupby("cour_id").agg(signalements=("case_id", "size"),
                                            salaries=("employees", "sum"),
                                            emplois_menaces=("emplois_menaces", "sum"))
               .reset_index() if n else pd.DataFrame(columns=["cour_id", "signalements", "salaries",
                                                               "emplois_menaces"]))
    by_cour.insert(1, "cour", by_cour["cour_id"].map(reference.court_name))
    sector = cases["naf"].map(naf_section) if n else pd.Series(dtype=str)
    by_sector = (pd.DataFrame({"division NAF": sector, "case_id": cases["case_id"] if n else []})
                 .groupby("division NAF").size().rename("signalements").reset_index())
    month = pd.to_datetime(cases["date_signalement"], errors="coerce") if n else pd.Series(dtype="datetime64[ns]")
    by_month = (pd.DataFrame({"mois": month.dt.to_period("M").astype(str) if n else []})
                .groupby("mois").size().rename("signalements").reset_index())
    by_month["mois (libellé)"] = by_month["mois"].map(
        lambda m: f"{MONTHS[int(m[5:7]) - 1]} {m[:4]}" if len(m) == 7 else m)
    by_status = pd.DataFrame({
        "statut": list(STATUSES.values()),
        "signalements": [int((cases["statut"] == code).sum()) if n else 0 for code in STATUSES],
    })
    totals = pd.DataFrame([{
        "signalements": n,
        "cours": int(cases["cour_id"].nunique()) if n else 0,
        "salariés concernés": int(pd.to_numeric(cases["employees"], errors="coerce").fillna(0).sum()) if n else 0,
        "emplois menacés": int(pd.to_numeric(cases["emplois_menaces"], errors="coerce").fillna(0).sum())
        if n else 0,
        "événements de suivi": 0 if events is None else len(events),
    }])
    return {"totaux": totals, "criteres": by_crit, "cours": by_cour, "secteurs": by_sector,
            "mois": by_month, "statuts": by_status}


def register_frame(cases: pd.DataFrame) -> pd.DataFrame:
    """The national register as a French table (one row per case, raw values, dates as dates)."""
    out = pd.DataFrame({"N° de signalement": cases["case_id"], "Cour d'appel": cases["cour_id"],
                        "Année": cases["year"]})
    for f in CASE_FIELDS:
        if f.id == "numero":
            continue
        s = cases[f.id]
        if f.kind == "date":
            s = pd.to_datetime(s, errors="coerce").dt.date
        elif f.kind == "bool":
            s = s.map(lambda v: "oui" if v is True else ("non" if v is False else ""))
        elif f.id == "procedure_type":
            s = s.map(lambda v: PROCEDURE_TYPES.get(str(v), v))
        elif f.id == "statut":
            s = s.map(lambda v: STATUSES.get(str(v), v))
        out[f.label] = s.to_numpy()
    out["Critères retenus"] = [criteria_labels(str(_nz(c) or ""), str(_nz(a) or "")) for c, a in
                               zip(cases["criteria"], cases["crit_autre"], strict=True)]
    return out


def register_workbook(cases: pd.DataFrame, events: pd.DataFrame, config: RemonteesConfig, title: str,
                      demo: bool) -> bytes:
    """National register workbook (xlsx bytes); every text cell is formula-injection neutralised."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    info = first_sheet(wb)
    info.title = "Lisez-moi"
    lines = [f"Registre national des remontées d'information — {title}",
             "CONFIDENTIEL — réservé à la DACS (bureau D4). Ne pas diffuser.",
             f"Destinataire : {config.service_destinataire} — {config.destinataire}",
             f"Généré le {format_date(dt.date.today())} par cpc_toolkit.",
             "Base : circulaire de politique civile du 27 juin 2025, § 2.2."]
    if demo:
        lines.insert(1, f"⚠ {demo_label()}")
    for i, line in enumerate(lines, start=1):
        cell = info.cell(i, 1)
        set_safe_value(cell, line)
        cell.font = Font(bold=i <= 2)
    info.column_dimensions["A"].width = 110
    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F3864")

    def sheet(name: str, df: pd.DataFrame) -> None:
        ws = wb.create_sheet(name)
        for j, h in enumerate(df.columns, start=1):
            c = ws.cell(1, j)
            set_safe_value(c, str(h))
            c.font, c.fill = head_font, head_fill
            ws.column_dimensions[get_column_letter(j)].width = max(12, min(40, len(str(h)) + 2))
        for i, row in enumerate(df.itertuples(index=False), start=2):
            for j, v in enumerate(row, start=1):
                if v is None or (not isinstance(v, str) and pd.isna(v)):
                    continue
                cell = ws.cell(i, j)
                set_safe_value(cell, v if isinstance(v, str | dt.date) else
                               (int(v) if float(v).is_integer() else float(v)))
                if isinstance(v, dt.date):
                    cell.number_format = "DD/MM/YYYY"
        ws.freeze_panes = "B2"
        ws.auto_filter.ref = ws.dimensions

    sheet("Registre", register_frame(cases))
    ev = pd.DataFrame({
        "N° de signalement": events["case_id"],
        "Date": pd.to_datetime(events["event_date"], errors="coerce").dt.date,
        "Événement": events["event_type"].map(lambda v: EVENT_TYPES.get(str(v), v)),
        "Description": events["description"],
    }) if len(events) else pd.DataFrame(columns=["N° de signalement", "Date", "Événement", "Description"])
    sheet("Suivi", ev)
    tabs = summary_tables(cases, events)
    sheet("Par critère", tabs["criteres"])
    sheet("Par cour", tabs["cours"].rename(columns={"cour_id": "identifiant", "salaries": "salariés",
                                                    "emplois_menaces": "emplois menacés"}))
    sheet("Par secteur", tabs["secteurs"])
    sheet("Par mois", tabs["mois"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ----------------------------------------------------------------------------- fiches
def _env() -> Environment:
    return Environment(autoescape=select_autoescape(default=True, default_for_string=True),
                       undefined=StrictUndefined, trim_blocks=False)


def _template(name: str) -> str:
    return resources.files("cpc_toolkit.remontees").joinpath("templates", name).read_text("utf-8")


def _nz(v: Any) -> Any:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v


def fiche_html(case: dict[str, Any], events: pd.DataFrame, config: RemonteesConfig, demo: bool) -> str:
    """HTML of one « fiche de remontée d'information » (escaped, self-contained, offline)."""
    c = {k: _nz(v) for k, v in case.items()}
    jur = c.get("juridiction_id") or ""
    try:
        jur_name = reference.court_name(jur)
    except Exception:
        jur_name = jur
    c.update(
        juridiction_name=jur_name,
        procedure_type_fr=PROCEDURE_TYPES.get(str(c.get("procedure_type")), "–"),
        statut_fr=STATUSES.get(str(c.get("statut")), "–"),
        opening_date_fr=format_date(c.get("opening_date")),
        date_signalement_fr=format_date(c.get("date_signalement")),
        employees_fr=format_number(c.get("employees")),
        emplois_menaces_fr=format_number(c.get("emplois_menaces")),
        criteria_fr=criteria_labels(str(c.get("criteria") or ""), str(c.get("crit_autre") or "")) or "–",
    )
    evs = [{"date_fr": format_date(_nz(r["event_date"])), "type_fr": EVENT_TYPES.get(str(r["event_type"]), "–"),
            "description": _nz(r["description"])} for _, r in events.iterrows()]
    sender = f"Parquet général près la {reference.court_name(str(c['cour_id']))[0].lower()}" \
             f"{reference.court_name(str(c['cour_id']))[1:]}"
    return _env().from_string(_template("fiche.html.j2")).render(
        case=c, events=evs, config=config, sender=sender, generated=format_date(dt.date.today()),
        demo_label=demo_label() if demo else "")


def html_to_pdf(pages: list[tuple[Path, Path]]) -> list[Path]:
    """Print each (HTML file, PDF path) with ONE headless Chromium — the render stage's PDF helper
    (network blocked, charts awaited); PDFs are created 0600 whatever the umask."""
    if not pages:
        return []
    from cpc_toolkit.render.pdf import pdf_printer

    with owner_only_umask(), pdf_printer() as printer:
        return [printer.print(html, pdf, mode=FILE_MODE) for html, pdf in pages]


# ----------------------------------------------------------------------------- orchestration
@dataclass
class OutputSet:
    """What :func:`build_outputs` wrote."""

    folder: Path
    fiches_html: list[Path] = field(default_factory=list)
    fiches_pdf: list[Path] = field(default_factory=list)
    register: Path | None = None
    summary_html: Path | None = None
    summary_pdf: Path | None = None
    index: Path | None = None
    n_cases: int = 0


def build_outputs(store: RemonteesStore, year: int | None = None, cour: str | None = None, pdf: bool = True,
                  summary: bool = True) -> OutputSet:
    """Write the fiches, the national register and the summary of the selected cases (DACS folder)."""
    if cour:
        reference.validate_scope(cour, "cour")
    config = load_config(store.donnees)
    cases = store.cases(year=year, cour=cour).sort_values("case_id", ignore_index=True)
    events = store.events(year=year, cour=cour)
    demo = bool(cases["demo"].fillna(False).any()) if len(cases) else False
    top = confidential_root(store.donnees)
    folder = private_dir(outputs_root(store.donnees) / scope_name(year, cour), top=top)
    fiches_dir = private_dir(folder / "fiches", top=top)
    out = OutputSet(folder=folder, n_cases=len(cases))
    pages: list[tuple[Path, Path]] = []
    for case in cast(list[dict[str, Any]], cases.to_dict("records")):
        html = fiche_html(case, _events_of(events, case["case_id"]), config, bool(case.get("demo") is True))
        path = fiches_dir / f"{case['case_id']}.html"
        write_private(path, html.encode("utf-8"))
        out.fiches_html.append(path)
        pages.append((path, path.with_suffix(".pdf")))
    title = scope_label(year, cour)
    out.register = folder / f"registre_national_{scope_name(year, cour)}.xlsx"
    write_private(out.register, register_workbook(cases, events, config, title, demo))
    if summary:
        out.summary_html = folder / f"synthese_{scope_name(year, cour)}.html"
        html = render_summary(store.donnees, year, cour)
        write_private(out.summary_html, html.encode("utf-8"))
        if pdf:
            out.summary_pdf = out.summary_html.with_suffix(".pdf")
            pages.append((out.summary_html, out.summary_pdf))
    if pdf:
        html_to_pdf(pages)
        out.fiches_pdf = [p for _, p in pages if p.parent == fiches_dir]
    rows = [{"case_id": c["case_id"], "cour": c["cour_id"], "denomination": c["denomination"],
             "date": format_date(c["date_signalement"]), "pdf": pdf} for c in cases.to_dict("records")]
    index = _env().from_string(_template("index.html.j2")).render(
        scope=title, config=config, rows=rows, register_name=out.register.name,
        summary_name=out.summary_html.name if out.summary_html else "",
        summary_pdf=out.summary_pdf.name if out.summary_pdf else "", demo_label=demo_label() if demo else "")
    out.index = folder / "index.html"
    write_private(out.index, index.encode("utf-8"))
    lock_down(confidential_root(store.donnees))
    return out


# ----------------------------------------------------------------------------- summary notebook
def notebook_path() -> Path:
    """The summary notebook (``notebooks/rapport_remontees.ipynb``, found by the render stage)."""
    from cpc_toolkit.render.kinds import notebook_path as render_notebook_path

    return render_notebook_path(NOTEBOOK_KIND)


def render_summary(donnees: Path, year: int | None, cour: str | None) -> str:
    """Execute the summary notebook and export it as offline HTML, exactly like the other reports.

    :func:`cpc_toolkit.render.notebook.run_papermill` validates the parameters against the notebook
    and the court reference, then executes it in a fresh kernel (in memory: no executed notebook is
    written); :func:`cpc_toolkit.render.html.export_html` gives one page without code, prompts or
    network resource, with the vendored plotly.js bundle inlined once. The kernel runs under an
    owner-only umask, so anything it might write stays 0600 / 0700.
    """
    from cpc_toolkit.render.html import export_html
    from cpc_toolkit.render.notebook import run_papermill

    params = {"donnees": str(Path(donnees).resolve()), "annee": int(year) if year else 0, "cour": cour or ""}
    with owner_only_umask():
        nb = run_papermill(NOTEBOOK_KIND, params)
    cases = RemonteesStore(Path(donnees)).cases(year=year, cour=cour)
    demo = bool(cases["demo"].fillna(False).any()) if len(cases) else False
    footer = f"{CONFIDENTIAL_NOTICE} Généré le {format_date(dt.date.today())} par cpc_toolkit."
    return export_html(nb, f"{SUMMARY_TITLE} — {scope_label(year, cour)}", demo, footer)


@dataclass(frozen=True)
class SummaryContext:
    """What the summary notebook shows."""

    title: str
    demo: bool
    config: RemonteesConfig
    cases: pd.DataFrame
    events: pd.DataFrame
    tables: dict[str, pd.DataFrame]


def summary_context(donnees: str | Path, annee: int = 0, cour: str = "") -> SummaryContext:
    """Load the selection of the summary notebook (``annee`` 0 = every year, ``cour`` "" = national)."""
    store = RemonteesStore(Path(donnees))
    year, cour_id = (int(annee) or None), (cour or None)
    if cour_id:
        reference.validate_scope(cour_id, "cour")
    cases = store.cases(year=year, cour=cour_id)
    events = store.events(year=year, cour=cour_id)
    demo = bool(cases["demo"].fillna(False).any()) if len(cases) else False
    return SummaryContext(scope_label(year, cour_id), demo, load_config(store.donnees), cases, events,
                          summary_tables(cases, events))


def display_table(df: pd.DataFrame):
    """fr-FR formatted copy of a summary table (numbers as ``1 234``), as a Styler without index."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_numeric_dtype(out[c]):
            out[c] = out[c].map(format_number)
    return out.style.hide(axis="index")


def summary_figure(df: pd.DataFrame, label: str, value: str, title: str):
    """Horizontal bar chart of one summary table (plotly), values labelled in fr-FR."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=df[value], y=df[label].astype(str), orientation="h",
                           text=[format_number(v) for v in df[value]], textposition="auto",
                           marker_color="#1f3864"))
    fig.update_layout(title=title, width=720, height=max(220, 60 + 28 * len(df)), separators=", ",
                      margin={"l": 10, "r": 10, "t": 50, "b": 30}, yaxis={"autorange": "reversed"},
                      xaxis={"tickformat": ",d", "dtick": 1 if len(df) and df[value].max() <= 10 else None},
                      template="simple_white")
    return fig


def summary_chart(df: pd.DataFrame, label: str, value: str, title: str, div_id: str):
    """:func:`summary_figure` as an HTML fragment WITHOUT plotly.js (the report template inlines the
    vendored bundle once), with a fixed ``div`` id (reproducible HTML)."""
    import plotly.io as pio
    from IPython.display import HTML

    from cpc_toolkit.render.sections import PLOTLY_CONFIG

    body = pio.to_html(summary_figure(df, label, value, title), include_plotlyjs=False, full_html=False,
                       div_id=div_id, config=PLOTLY_CONFIG)
    return HTML(f'<div class="cpc-figure">{body}</div>')


def summary_header(ctx: SummaryContext):
    """Title block of the summary: confidentiality notice, demo warning, scope and destination."""
    import html as _html

    from IPython.display import HTML

    demo = (f'<p style="background:#fff3cd;padding:4px;font-weight:bold">⚠ {_html.escape(demo_label())}</p>'
            if ctx.demo else "")
    return HTML(f'<p style="border:2px solid #9c0006;color:#9c0006;font-weight:bold;padding:4px">'
                f'{_html.escape(CONFIDENTIAL_NOTICE)}</p>{demo}'
                f'<h1>{_html.escape(SUMMARY_TITLE)}</h1>'
                f'<p><strong>{_html.escape(ctx.title)}</strong> — destinataire : '
                f'{_html.escape(ctx.config.service_destinataire)} ({_html.escape(ctx.config.destinataire)}).</p>')
