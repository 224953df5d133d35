"""Report content: each report kind's sections, built once as immutable values.

``build(kind, ...)`` (or ``clpc(juridiction, annee, donnees)``, ``chef_de_cour(cour, annee, donnees)``,
``national(annee, donnees)``) returns a :class:`Report`: its cover, its table of contents and its
sections (:class:`~cpc_toolkit.render.sections.Section` values, in the order declared by the kind in
:mod:`cpc_toolkit.render.kinds`). The notebook displays them; the HTML, the PDF and the Excel annex
are derived from them. Each section builder is a pure function of the report context; the
definitions annex is derived from the indicators the other sections show, so the build order
never changes the result.

Only engine results (store indicators) are read: never a case register or a remontée.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from importlib import resources
from typing import Any, cast

import pandas as pd

from cpc_toolkit import __version__, catalogue, compute, reference
from cpc_toolkit.errors import ReasonCode, RenderError
from cpc_toolkit.fr import format_change, format_date, format_number, format_value
from cpc_toolkit.render import figures, kinds, regional, traceability
from cpc_toolkit.render.data import ReportData, load
from cpc_toolkit.render.kinds import POLICY_FAMILIES
from cpc_toolkit.render.sections import (
    PLOTLY_CONFIG,
    Block,
    Cover,
    Figure,
    Fragment,
    Heading,
    Items,
    Kpi,
    Kpis,
    Section,
    TableBlock,
    Text,
    Toc,
)
from cpc_toolkit.render.tables import Table, heat_table_html, indicator_table, values_by_unit
from cpc_toolkit.settings import DEMO_LABEL, load_yaml

__all__ = ["KEY_INDICATORS", "PLOTLY_CONFIG", "Context", "Report", "build", "chef_de_cour", "clpc", "national"]

# Report layout: which catalogue indicators are the family's key figures (labels stay in the catalogue)
KEY_INDICATORS: dict[str, tuple[str, ...]] = {
    "activite": ("act_total_taux_couverture", "act_total_dtes", "act_total_entrees", "act_total_sorties",
                 "act_total_stock_fin"),
    "amiable": ("ami_part_amiable", "ami_taux_accord_ara", "ami_ara_tenues", "ami_mediations_ordonnees",
                "ami_referent_designe"),
    "majeurs": ("pjm_taux_comptes_verifies", "pjm_taux_echues_sans_decision", "pjm_mesures_total",
                "pjm_ouvertures", "pjm_taux_comptes_recus"),
    "agricole": ("agr_part_amiable", "agr_procedures_collectives", "agr_entretiens_prevention"),
    "entreprises": ("ent_part_prevention", "ent_part_liquidations", "ent_procedures_collectives",
                    "ent_entretiens_prevention"),
    "vif": ("vif_part_op_6j", "vif_op_delai_moyen", "vif_taux_op_accordees", "vif_part_oppi_24h",
            "vif_op_demandees"),
    "demat": ("dem_part_signature_electronique", "dem_ordonnances_minutier", "dem_minutes_civiles"),
}
TEXT_FIELDS = ("clpc_priorites_locales", "clpc_organisation_audiences", "clpc_circuits", "clpc_projets",
               "clpc_decisions_marquantes")
HEAT_INDICATORS = ("act_total_taux_couverture", "act_total_dtes", "ami_part_amiable", "ami_referent_designe",
                   "pjm_taux_comptes_verifies", "vif_part_op_6j", "dem_part_signature_electronique",
                   "clpc_tenu")
MAP_INDICATORS = ("act_total_taux_couverture", "act_total_dtes", "ami_part_amiable")
REMONTEES_INDICATORS = ("ent_procedures_signalees", "reg_proc_plus_250_salaries", "reg_proc_competence_tae")
ANNEXE = "annexe"


@cache
def prevention_actors() -> tuple[str, pd.DataFrame]:
    """The circulaire's annex: actors of the local prevention of companies' difficulties."""
    raw = load_yaml(resources.files("cpc_toolkit.render").joinpath("static", "acteurs_prevention.yaml")
                         .read_text(encoding="utf-8"))
    df = pd.DataFrame(raw["acteurs"]).rename(columns={"acteur": "acteur", "role": "rôle", "base": "base légale"})
    return str(raw["source"]), df


# =============================================================================== context
@dataclass(frozen=True)
class Context:
    """What every section builder of one report reads (immutable)."""

    kind: str
    unit_id: str
    annee: int
    data: ReportData

    @property
    def res(self) -> pd.DataFrame:
        return self.data.res

    @property
    def name(self) -> str:
        return reference.court_name(self.unit_id)

    @property
    def courts(self) -> list[str] | None:
        return kinds.kind(self.kind).courts(self.unit_id)

    @property
    def cour(self) -> str:
        return reference.cour_of(self.unit_id)

    @property
    def demo(self) -> bool:
        return self.data.demo(self.courts)

    @property
    def years(self) -> list[int]:
        return [y for y in self.data.years() if self.annee - 4 <= y <= self.annee]

    def value(self, unit_id: str, indicator_id: str, year: int | None = None) -> float:
        return compute.value(self.res, unit_id, year or self.annee, indicator_id)

    def text(self, unit_id: str, indicator_id: str, year: int | None = None) -> str:
        return compute.text(self.res, unit_id, year or self.annee, indicator_id)

    def title(self, section_id: str) -> str:
        return dict(kinds.section_titles(self.kind))[section_id]

    def demo_label(self) -> str:
        return DEMO_LABEL if self.demo else ""


class _Figures:
    """Figure ids local to one section: ``fig-<kind>-<section>-<n>`` (independent of build order)."""

    def __init__(self, ctx: Context, section_id: str) -> None:
        self.prefix = f"fig-{ctx.kind}-{section_id}"
        self.n = 0

    def __call__(self, spec: Any) -> Figure:
        self.n += 1
        return Figure.of(spec, f"{self.prefix}-{self.n}")


def _section(ctx: Context, sid: str, blocks: Iterable[Block], indicators: Iterable[str] = (),
             annex: Sequence[tuple[str, Table]] = ()) -> Section:
    return Section(sid, ctx.title(sid), tuple(blocks), tuple(dict.fromkeys(indicators)), tuple(annex))


def _dedupe(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


# =============================================================================== shared blocks
def _kpis(ctx: Context, unit_id: str, ids: Sequence[str], compare_to: Sequence[str] = ()) -> Kpis:
    """Key-figure cards: value, change on one year, references."""
    level = reference.level_of(unit_id)
    changes = compute.changes(ctx.res, unit_id, ctx.annee).set_index("indicator_id")
    cards = []
    for iid in ids:
        ind = catalogue.get(iid)
        unit = compute.display_unit(iid, level)
        v = ctx.value(unit_id, iid)
        delta = ""
        change = cast(pd.Series, changes.loc[iid]) if iid in changes.index else None
        if change is not None and bool(change["comparable"]) and unit not in ("boolean",):
            # like for like: the courts present both years (the perimeter said when partial)
            delta = f"{format_change(float(change['delta']), unit)} sur un an"
            if bool(change["partial"]):
                delta += f" ({int(change['n_common'])}/{int(change['n_members'])} juridictions)"
        refs = []
        for ref in compare_to:
            rv = ctx.value(ref, iid)
            if not math.isnan(rv) and ind.unit != "count":
                refs.append(f"{reference.short_name(ref)} : "
                            f"{format_value(rv, compute.display_unit(iid, reference.level_of(ref)))}")
        cards.append(Kpi(format_value(v, unit), ind.label, " · ".join([x for x in [delta, *refs] if x])))
    return Kpis(tuple(cards))


def _facts_and_alerts(ctx: Context, unit_id: str, include_courts: bool = False) -> tuple[list[Block], list[str]]:
    facts = compute.faits_marquants(ctx.res, unit_id, ctx.annee)
    blocks: list[Block] = [Heading("Faits marquants")]
    blocks += [Text(f.text, "fact") for f in facts] or \
        [Text("Aucun fait marquant calculable pour cette année.", "muted")]
    al = compute.alerts(ctx.res, unit_id, ctx.annee, include_courts=include_courts)
    blocks.append(Heading("Alertes"))
    if len(al):
        blocks += [Text(cast(str, r.message), "alert", lead=cast(str, r.unit_name))
                   if include_courts or r.unit_id != unit_id
                   else Text(cast(str, r.message), "alert") for r in al.itertuples()]
    else:
        blocks.append(Text("Aucune alerte pour cette année.", "muted"))
    return blocks, [f.indicator_id for f in facts if f.indicator_id]


def _definitions_table() -> Table:
    cat = catalogue.catalogue_frame()
    return Table(cat[["id", "famille", "libellé", "définition", "unité", "base légale", "source", "agrégation"]])


def _sources(ctx: Context) -> Items:
    items: list[tuple[str, str]] = []
    if ctx.demo:
        items.append((DEMO_LABEL, "jeu de démonstration synthétique, sans valeur statistique."))
    items += [("", "Classeurs de collecte des juridictions (politique civile, circulaire CIV/06/2025 du 27 juin "
                   "2025), validés à l'import."),
              ("", "Indicateurs issus des registres d'affaires : décomptes agrégés uniquement, aucune affaire "
                   "individuelle."),
              ("", reference.ATTRIBUTION),
              ("", "Consolidation : sommes pour les volumes ; taux recalculés sur les sommes des numérateurs et "
                   "dénominateurs (jamais de moyenne de taux) ; parts de juridictions pour les indicateurs "
                   "oui/non.")]
    return Items(tuple(items))


def annexe(ctx: Context, shown: Sequence[Section], completeness: Sequence[Block],
           annex: Sequence[tuple[str, Table]] = ()) -> Section:
    """Definitions and legal bases (catalogue) of every indicator the other sections show, in their
    declared order — derived from the section values, not from the order they were built in."""
    ids = _dedupe(i for s in shown for i in s.indicators) or tuple(i.id for i in catalogue.indicators())
    cat = catalogue.catalogue_frame().set_index("id")
    rows = cat.loc[[i for i in ids if i in cat.index], ["libellé", "définition", "unité", "base légale", "source"]]
    blocks: list[Block] = [Heading("Définitions et bases légales"),
                           Text("Définitions issues du catalogue des indicateurs de cpc_toolkit.", "muted"),
                           TableBlock(Table(rows.reset_index(drop=True))), Heading("Complétude des données"),
                           *completeness, Heading("Sources"), _sources(ctx)]
    return _section(ctx, ANNEXE, blocks, (), [*annex, ("Définitions", _definitions_table())])


def _cover(ctx: Context, kicker: str, title: str, subtitle: str, rows: Sequence[tuple[str, str]],
           note: str = "") -> Section:
    return Section("cover", "", (Cover(kicker, title, subtitle, ctx.demo_label(), tuple(rows), note),))


# =============================================================================== CLPC
def clpc_cover(ctx: Context) -> Section:
    tenu = ctx.value(ctx.unit_id, "clpc_tenu")
    date = ctx.text(ctx.unit_id, "clpc_date")
    subs = ctx.data.submissions
    sub = subs[(subs["court_id"] == ctx.unit_id) & (subs["year"] == ctx.annee) & (subs["channel"] == "classeur")]
    recu = format_date(str(sub["received_at"].iloc[0])[:10]) if len(sub) else "non transmis"
    rows = [("Juridiction", ctx.name), ("Cour d'appel", reference.court_name(ctx.cour)), ("Année", str(ctx.annee)),
            ("Date du conseil", format_date(date) if date else "non renseignée"),
            ("Conseil tenu", format_value(tenu, "boolean", missing=catalogue.vocabulary.missing_mark(long=True))),
            ("Classeur reçu le", recu), ("Édité le", format_date(dt.date.today()))]
    return _cover(ctx, "Conseil local de politique civile — rapport annuel", ctx.name,
                  f"{reference.court_name(ctx.cour)} — année {ctx.annee}", rows,
                  "Circulaire CIV/06/2025 du 27 juin 2025 relative à la politique civile des juridictions.")


def clpc_synthese(ctx: Context) -> Section:
    keys = KEY_INDICATORS["activite"][:3]
    facts, used = _facts_and_alerts(ctx, ctx.unit_id)
    ids = [i.id for i in catalogue.indicators() if i.numeric]
    return _section(ctx, "synthese", [_kpis(ctx, ctx.unit_id, keys, (ctx.cour, reference.NATIONAL)), *facts],
                    [*keys, *used], [("Indicateurs", indicator_table(ctx.res, ctx.unit_id, ctx.annee, ids))])


def clpc_conseil(ctx: Context) -> Section:
    ids = [i.id for i in catalogue.indicators(family="clpc") if i.numeric]
    fig = _Figures(ctx, "conseil")
    table = indicator_table(ctx.res, ctx.unit_id, ctx.annee, ids, compare=False)
    return _section(ctx, "conseil", [fig(figures.composition_bar.spec(ctx.res, ctx.unit_id, ctx.annee)),
                                     TableBlock(table)], ids)


def clpc_politique(ctx: Context) -> Section:
    blocks: list[Block] = []
    texts = {iid: ctx.text(ctx.unit_id, iid) for iid in TEXT_FIELDS}
    for iid, txt in texts.items():
        blocks.append(Heading(catalogue.get(iid).label))
        blocks.append(Text(txt, "text") if txt else Text("Non renseigné dans le classeur.", "muted"))
    sheet = Table(pd.DataFrame({"rubrique": [catalogue.get(i).label for i in TEXT_FIELDS],
                                "texte": list(texts.values())}))
    return _section(ctx, "politique", blocks, TEXT_FIELDS, [("Politique locale", sheet)])


def clpc_famille(ctx: Context, family_id: str) -> Section:
    fam = catalogue.family(family_id)
    keys = KEY_INDICATORS[family_id]
    fig = _Figures(ctx, family_id)
    blocks: list[Block] = [Text(f"Circulaire, {fam.circulaire}.", "muted")]
    if family_id in ("agricole", "entreprises") and reference.has_tae(ctx.unit_id, ctx.annee):
        blocks.append(Text("Depuis le 1er janvier 2025, les procédures agricoles et collectives de ce ressort "
                           "relèvent du tribunal des activités économiques.", "fact"))
    blocks.append(_kpis(ctx, ctx.unit_id, keys[:3], (ctx.cour, reference.NATIONAL)))
    rates = [k for k in keys if catalogue.get(k).unit != "count"]
    counts = [k for k in keys if catalogue.get(k).unit == "count"]
    trend_ids = (rates[:1] + counts[:1]) or list(keys[:2])
    blocks.append(Heading("Évolution sur cinq ans"))
    blocks += [fig(figures.trend.spec(ctx.res, ctx.unit_id, iid, years=ctx.years)) for iid in trend_ids]
    if rates:
        blocks.append(Heading("Position par rapport à la cour, à la France et aux juridictions de même taille"))
        blocks.append(fig(figures.position_strip.spec(ctx.res, ctx.unit_id, ctx.annee, rates[0])))
    ids = [i.id for i in catalogue.indicators(family=family_id) if i.numeric]
    blocks.append(Heading("Tous les indicateurs"))
    blocks.append(TableBlock(indicator_table(ctx.res, ctx.unit_id, ctx.annee, ids)))
    if family_id == "entreprises":
        source, df = prevention_actors()
        blocks += [Heading("Les acteurs de la politique locale de prévention des difficultés des entreprises"),
                   Text(f"{source}.", "muted"), TableBlock(Table(df))]
    return _section(ctx, family_id, blocks, [*keys[:3], *ids])


def _activity_table(ctx: Context) -> Table:
    rows = []
    for c in catalogue.contentieux():
        row: dict[str, object] = {"contentieux": c["label"]}
        for suffix, col in (("entrees", "entrées"), ("sorties", "sorties"), ("stock_fin", "stock au 31/12"),
                            ("taux_couverture", "couverture"), ("dtes", "DTES"), ("delai_moyen", "délai moyen")):
            row[col] = ctx.value(ctx.unit_id, f"act_{c['id']}_{suffix}")
        rows.append(row)
    return Table(pd.DataFrame(rows), {"entrées": "count", "sorties": "count", "stock au 31/12": "count",
                                      "couverture": "percent", "DTES": "months", "délai moyen": "months"})


def clpc_activite(ctx: Context) -> Section:
    fig = _Figures(ctx, "activite")
    keys = KEY_INDICATORS["activite"][:3]
    table = _activity_table(ctx)
    blocks: list[Block] = [
        _kpis(ctx, ctx.unit_id, keys, (ctx.cour, reference.NATIONAL)),
        fig(figures.activity_bars.spec(ctx.res, ctx.unit_id, ctx.annee)), TableBlock(table),
        Heading("Évolution sur cinq ans"),
        fig(figures.trend.spec(ctx.res, ctx.unit_id, "act_total_taux_couverture", years=ctx.years)),
        fig(figures.trend.spec(ctx.res, ctx.unit_id, "act_total_dtes", years=ctx.years)),
        Heading("Position"), fig(figures.position_strip.spec(ctx.res, ctx.unit_id, ctx.annee, "act_total_dtes"))]
    return _section(ctx, "activite", blocks, [*keys, *(i.id for i in catalogue.indicators(family="activite"))],
                    [("Activité civile", table)])


def clpc_annexe(ctx: Context, shown: Sequence[Section]) -> Section:
    sub = ctx.res[(ctx.res["unit_id"] == ctx.unit_id) & (ctx.res["year"] == ctx.annee)]
    inputs = {i.id for i in catalogue.indicators() if i.kind == "input"}
    sub_in = sub[sub["indicator_id"].isin(inputs)]
    ok = int((sub_in["status"] == "ok").sum())
    na = sub[sub["status"] != "ok"]
    reasons = na.groupby("na_reason").size().sort_values(ascending=False)
    completeness: list[Block] = [Text(f"{format_number(ok)} indicateurs saisis renseignés sur "
                                      f"{format_number(len(inputs))} au catalogue pour {ctx.annee}.")]
    if len(reasons):
        completeness += [Text("Valeurs non disponibles, par motif :"),
                         Items(tuple(("", f"{r or catalogue.vocabulary.missing_mark(long=True)} : {format_number(n)}")
                                     for r, n in reasons.items()))]
    ids = [i.id for i in catalogue.indicators() if i.numeric]
    ser = compute.series(ctx.res, ctx.unit_id, ids, ctx.years)
    wide = ser.pivot_table(index="indicator_id", columns="year", values="value", aggfunc="first").reindex(ids)
    wide.columns = [str(c) for c in wide.columns]
    wide.insert(0, "indicateur", [catalogue.get(i).label for i in wide.index])
    wide.insert(1, "_unit", [catalogue.get(i).unit for i in wide.index])
    return annexe(ctx, shown, completeness, [("Évolution", Table(wide.reset_index(drop=True), row_units="_unit"))])


# =============================================================================== chef de cour
def _coverage(ctx: Context) -> tuple[int, int]:
    cov = compute.coverage(ctx.res, ctx.annee)
    row = cov[cov["unit_id"] == ctx.unit_id]
    if not len(row):
        return 0, len(ctx.courts or [])
    return int(row["n_reporting"].iloc[0]), int(row["n_expected"].iloc[0])


def _missing_names(ctx: Context) -> str:
    cov = compute.coverage(ctx.res, ctx.annee)
    row = cov[cov["unit_id"] == ctx.unit_id]
    return f" (non transmis : {row['missing_names'].iloc[0]})" if len(row) and bool(row["partial"].iloc[0]) else ""


def cour_cover(ctx: Context) -> Section:
    n, e = _coverage(ctx)
    rows = [("Ressort", ctx.name), ("Année", str(ctx.annee)),
            ("Juridictions du ressort", format_number(len(ctx.courts or []))),
            ("Juridictions ayant transmis", f"{n} sur {e}" + _missing_names(ctx)),
            ("Destinataires", "Direction des affaires civiles et du sceau ; direction des services judiciaires"),
            ("Édité le", format_date(dt.date.today()))]
    return _cover(ctx, "Rapport des chefs de cour — politique civile", ctx.name, f"Année {ctx.annee}", rows)


def cour_synthese(ctx: Context) -> Section:
    keys = KEY_INDICATORS["activite"][:3]
    facts, used = _facts_and_alerts(ctx, ctx.unit_id, include_courts=False)
    return _section(ctx, "synthese", [_kpis(ctx, ctx.unit_id, keys, (reference.NATIONAL,)), *facts],
                    [*keys, *used])


TREND_INDICATORS = ("act_total_taux_couverture", "act_total_dtes", "ami_part_amiable", "pjm_taux_comptes_verifies",
                    "vif_part_op_6j", "dem_part_signature_electronique")
HARMONISATION_TOP = 12
HARMONISATION_BOOLEANS = ("ami_referent_designe", "clpc_tenu")


def _family_ids(ctx: Context) -> list[tuple[str, list[str]]]:
    return [(f.id, regional.family_ids(f.id)) for f in catalogue.families() if regional.family_ids(f.id)]


def _missing_note(ctx: Context) -> list[Block]:
    cov = compute.coverage(ctx.res, ctx.annee)
    row = cov[cov["unit_id"] == ctx.unit_id]
    if not len(row) or not bool(row["partial"].iloc[0]):
        return []
    n, e = int(row["n_reporting"].iloc[0]), int(row["n_expected"].iloc[0])
    return [Text(f"Périmètre partiel ({regional.perimeter(n, e)}) : {row['missing_names'].iloc[0]} n'a pas transmis "
                 "ses données pour cette année ; ses cellules sont marquées « – » (inconnu, jamais zéro) et les "
                 "totaux de la cour portent sur les juridictions ayant transmis.", "alert")]


def cour_juridictions(ctx: Context) -> Section:
    ids = list(HEAT_INDICATORS)
    heat_html, heat = heat_table_html(ctx.res, ctx.unit_id, ctx.annee, ids)
    fig = _Figures(ctx, "juridictions")
    fams = _family_ids(ctx)
    blocks: list[Block] = [
        *_missing_note(ctx),
        Heading("Indicateurs clés"),
        Text("Couleurs : position de chaque juridiction parmi toutes les juridictions de France (bleu : plus "
             "favorable, orange : moins favorable, blanc : neutre ou non renseigné).", "muted"),
        Fragment(heat_html, heat), Heading("Comparaison des juridictions"),
        *(fig(figures.courts_bar.spec(ctx.res, ctx.unit_id, ctx.annee, iid))
          for iid in ("act_total_taux_couverture", "act_total_dtes")),
        Heading("Tous les indicateurs, par juridiction"),
        Text(f"Chaque indicateur numérique du catalogue, par famille (cliquer pour déplier). Dernière colonne : "
             f"la cour ({ctx.annee}).", "muted")]
    for f, fids in fams:
        t = regional.courts_matrix(ctx.res, ctx.unit_id, ctx.annee, fids)
        blocks.append(Fragment(regional.table_details(f"{catalogue.family(f).label} ({len(fids)} indicateurs)", t,
                                                      open_=True), t))
    every = [i for _, fids in fams for i in fids]
    sheet = regional.courts_matrix(ctx.res, ctx.unit_id, ctx.annee, every, with_family=True)
    return _section(ctx, "juridictions", blocks, ids, [("Juridictions", sheet), ("Indicateurs clés", heat)])


def cour_evolution(ctx: Context) -> Section:
    fig = _Figures(ctx, "evolution")
    courts = ctx.courts or []
    units = [ctx.unit_id, *courts]
    years = ctx.years
    blocks: list[Block] = [
        Text(f"Valeurs publiées de chaque année ({years[0]}–{years[-1]}) pour la cour et chacune de ses juridictions. "
             "Une valeur de la cour calculée sur un périmètre incomplet est signalée dans la colonne « périmètre ».",
             "muted"),
        Heading("Indicateurs clés de la cour")]
    blocks += [fig(figures.trend.spec(ctx.res, ctx.unit_id, iid, years=years)) for iid in TREND_INDICATORS]
    blocks.append(Heading("Séries par famille"))
    fams = _family_ids(ctx)
    for f, fids in fams:
        t = regional.series_table(ctx.res, units, fids, years)
        blocks.append(Fragment(regional.table_details(f"{catalogue.family(f).label} — cour et juridictions", t), t))
    every = [i for _, fids in fams for i in fids]
    sheet = regional.series_table(ctx.res, units, every, years, with_family=True)
    return _section(ctx, "evolution", blocks, TREND_INDICATORS, [("Séries", sheet)])


def cour_position(ctx: Context) -> Section:
    peers = regional.similar_cours(ctx.res, ctx.unit_id, ctx.annee)
    n, e = _coverage(ctx)
    keys = [k for f in ("activite", *POLICY_FAMILIES) for k in KEY_INDICATORS[f]]
    blocks: list[Block] = [
        Text(f"Rang 1 = valeur la plus favorable. Classement parmi les "
             f"{len(reference.consolidation_units())} cours d'appel (avec le TSA) et parmi les {len(peers)} cours de "
             "taille comparable (affaires civiles nouvelles moyennes sur les années à périmètre complet) : "
             f"{', '.join(reference.short_name(p) for p in peers)}. Pas de rang pour les volumes ni pour les "
             "réponses oui/non.", "muted")]
    if n < e:
        blocks.append(Text(f"Valeurs de la cour sur un périmètre partiel ({regional.perimeter(n, e)}) : les rangs "
                           "sont signalés comme tels.", "alert"))
    t = regional.position_table(ctx.res, ctx.unit_id, ctx.annee, keys, peers)
    blocks += [Heading("Indicateurs clés"), TableBlock(t), Heading("Tous les indicateurs")]
    every = []
    for f, fids in _family_ids(ctx):
        every += fids
        ft = regional.position_table(ctx.res, ctx.unit_id, ctx.annee, fids, peers)
        blocks.append(Fragment(regional.table_details(catalogue.family(f).label, ft), ft))
    return _section(ctx, "position", blocks, keys,
                    [("Position", regional.position_table(ctx.res, ctx.unit_id, ctx.annee, every, peers))])


def _counted(labels: Sequence[str]) -> list[str]:
    """Distinct labels in order, « (×n) » when repeated."""
    counts = pd.Series(list(labels)).value_counts(sort=False)
    return [f"{lab} (×{n})" if n > 1 else str(lab) for lab, n in counts.items()]


def cour_harmonisation(ctx: Context) -> Section:
    courts = ctx.courts or []
    spreads = regional.spreads(ctx.res, ctx.unit_id, ctx.annee, top=HARMONISATION_TOP)
    blocks: list[Block] = [
        Text(f"Les {HARMONISATION_TOP} indicateurs (au plus ; taux et délais) sur lesquels les juridictions du ressort "
             "divergent le plus, mesurés par le coefficient de variation entre juridictions ayant répondu "
             "(écart-type rapporté à la moyenne). Les volumes, qui reflètent la taille des juridictions, ne sont "
             "pas retenus.", "muted"),
        Heading("Écarts les plus marqués entre juridictions")]
    if spreads:
        blocks.append(Items(tuple((s.label, s.sentence()) for s in spreads)))
    else:
        blocks.append(Text("Le ressort ne compte qu'une juridiction : aucun écart à mesurer." if len(courts) < 2
                           else "Aucun écart calculable : moins de deux juridictions ont répondu.", "muted"))
    rows = pd.DataFrame([{"indicateur": s.label, "_unit": s.unit, "minimum": s.low, "médiane": s.median,
                          "maximum": s.high, "coefficient de variation": 100 * s.cv,
                          "juridictions renseignées": regional.perimeter(s.n, s.total)} for s in spreads],
                        columns=["indicateur", "_unit", "minimum", "médiane", "maximum", "coefficient de variation",
                                 "juridictions renseignées"])
    dispersion = _NoUnit(rows, row_units="_unit", plain=("juridictions renseignées",))
    dispersion.units["coefficient de variation"] = "percent"
    blocks.append(TableBlock(dispersion))
    blocks.append(Heading("Réponses oui/non divergentes"))
    items: list[tuple[str, str]] = []
    for iid in [i.id for i in catalogue.indicators() if i.numeric and i.unit == "boolean"]:
        no, yes, unknown = regional.bool_answers(ctx.res, ctx.unit_id, ctx.annee, iid)
        if iid in HARMONISATION_BOOLEANS or (no and yes):
            label = f"{catalogue.get(iid).label} — réponse « non »"
            text = (", ".join(reference.court_name(c) for c in no) if no
                    else regional.none_among(courts, unknown))
            if no and unknown:
                text += f" ; sans réponse : {', '.join(reference.court_name(c) for c in unknown)}"
            items.append((label, text))
    blocks.append(Items(tuple(items)) if items else Text("Toutes les juridictions ayant répondu donnent les mêmes "
                                                         "réponses oui/non.", "muted"))
    al = compute.alerts(ctx.res, ctx.unit_id, ctx.annee, include_courts=True)
    al = al[al["unit_id"].isin(courts)]
    by_court = al.groupby("unit_id")["rule_label"].apply(list)
    blocks.append(Heading("Juridictions en alerte"))
    if len(by_court):
        blocks.append(Items(tuple((reference.court_name(cast(str, c)), " ; ".join(_counted(r))) for c, r in by_court.items())))
    else:
        n, e = _coverage(ctx)
        blocks.append(Text("Aucune juridiction en alerte." if n == e else
                           f"Aucune alerte parmi les {n} juridictions ayant transmis ({regional.perimeter(n, e)})."))
    return _section(ctx, "harmonisation", blocks, [*(s.indicator_id for s in spreads), *HARMONISATION_BOOLEANS],
                    [("Harmonisation", dispersion)])


def _cour_remontees_table(ctx: Context) -> Table:
    subs = ctx.data.submissions
    sub = subs[(subs["year"] == ctx.annee) & (subs["channel"] == "classeur")].set_index("court_id")
    deadline = ctx.data.deadlines.get(ctx.annee)
    rows = []
    for c in ctx.courts or []:
        if c in sub.index:
            rec = cast(pd.Series, sub.loc[c])
            received = dt.date.fromisoformat(str(rec["received_at"])[:10])
            late = deadline is not None and received > deadline
            status = "transmis en retard" if late else "transmis"
            rows.append({"juridiction": reference.court_name(c), "statut": status,
                         "reçu le": format_date(received), "version": int(rec["version"])})
        else:
            rows.append({"juridiction": reference.court_name(c), "statut": "manquant", "reçu le": "–",
                         "version": "–"})
    return Table(pd.DataFrame(rows))


def cour_remontees(ctx: Context) -> Section:
    deadline = ctx.data.deadlines.get(ctx.annee)
    note = (f"Échéance de transmission : {format_date(deadline)}." if deadline else
            "Aucune échéance n'est fixée pour cette campagne (fichier campagne.yaml du dossier des données) : "
            "seules les juridictions manquantes sont signalées.")
    t = _cour_remontees_table(ctx)
    missing = t.frame[t.frame["statut"] != "transmis"]
    summary = (Text(" juridiction(s) manquante(s) ou en retard.", lead=str(len(missing)), sep="") if len(missing)
               else Text("Toutes les juridictions du ressort ont transmis leur classeur."))
    return _section(ctx, "remontees", [Text(note, "muted"), summary, TableBlock(t)], (), [("Remontées", t)])


def cour_priorites(ctx: Context) -> Section:
    blocks: list[Block] = []
    for c in ctx.courts or []:
        txt = ctx.text(c, "clpc_priorites_locales")
        brief = (txt[:400] + "…") if len(txt) > 400 else txt
        blocks.append(Heading(reference.court_name(c)))
        blocks.append(Text(brief, "text") if brief else Text("Non renseigné.", "muted"))
    return _section(ctx, "priorites", blocks, ["clpc_priorites_locales"])


def cour_totaux(ctx: Context) -> Section:
    ids = [k for f in ("activite", *POLICY_FAMILIES) for k in KEY_INDICATORS[f]]
    every = [i.id for i in catalogue.indicators() if i.numeric]
    n, e = _coverage(ctx)
    blocks: list[Block] = [Text("Évolution sur un an calculée à périmètre constant : seules les juridictions "
                                f"renseignées les deux années comptent ({ctx.annee - 1} et {ctx.annee}) ; le "
                                "périmètre est indiqué à côté du chiffre quand il est incomplet, et l'évolution des "
                                "chiffres publiés est alors donnée à titre indicatif.", "muted")]
    if n < e:
        blocks += _missing_note(ctx)
    blocks.append(TableBlock(regional.changes_table(ctx.res, ctx.unit_id, ctx.annee, ids)))
    return _section(ctx, "totaux", blocks, (),
                    [("Totaux régionaux", regional.changes_table(ctx.res, ctx.unit_id, ctx.annee, every))])


def cour_annexe(ctx: Context, shown: Sequence[Section]) -> Section:
    n, e = _coverage(ctx)
    return annexe(ctx, shown, [Text(f"{n} juridiction(s) sur {e} ont transmis leurs données pour {ctx.annee}.")])


class _NoUnit(Table):
    def __init__(self, frame: pd.DataFrame, row_units: str, plain: Sequence[str]) -> None:
        super().__init__(frame, row_units=row_units)
        self.plain = set(plain)

    def unit_of(self, row: Mapping[str, Any], column: str) -> str | None:
        if column in self.plain or column == "indicateur":
            return None
        return super().unit_of(row, column)


# =============================================================================== national
def national_cover(ctx: Context) -> Section:
    cov = compute.coverage(ctx.res, ctx.annee)
    nat = cov[cov["level"] == "national"]
    n, e = (int(nat["n_reporting"].iloc[0]), int(nat["n_expected"].iloc[0])) if len(nat) else (0, 0)
    rows = [("Périmètre", f"{reference.national_name()} (164 TJ et 4 TPI, 36 cours d'appel et le TSA)"),
            ("Année", str(ctx.annee)), ("Juridictions ayant transmis", f"{n} sur {e}"),
            ("Édité le", format_date(dt.date.today()))]
    return _cover(ctx, "Politique civile — rapport national", reference.national_name(), f"Année {ctx.annee}", rows)


def national_synthese(ctx: Context) -> Section:
    al = compute.alerts(ctx.res, reference.NATIONAL, ctx.annee, include_courts=True)
    counts = al[al["level"] == "juridiction"].groupby("rule_label").size().sort_values(ascending=False)
    rows = pd.DataFrame({"règle d'alerte": counts.index, "juridictions en alerte": counts.to_numpy()})
    keys = KEY_INDICATORS["activite"][:3]
    facts, used = _facts_and_alerts(ctx, reference.NATIONAL)
    blocks = [_kpis(ctx, reference.NATIONAL, keys), *facts, Heading("Juridictions en alerte, par règle"),
              TableBlock(Table(rows, {"juridictions en alerte": "count"}))]
    return _section(ctx, "synthese", blocks, [*keys, *used])


def national_carte(ctx: Context) -> Section:
    fig = _Figures(ctx, "carte")
    units = list(reference.consolidation_units().index)
    ids = [k for f in ("activite", *POLICY_FAMILIES) for k in KEY_INDICATORS[f]]
    wide = values_by_unit(ctx.res, ctx.annee, ids, [*units, reference.NATIONAL])
    df = wide.rename(columns={i: catalogue.get(i).label for i in ids}).reset_index(drop=True)
    df.insert(0, "unité", [reference.court_name(u) for u in [*units, reference.NATIONAL]])
    cours = Table(df, {catalogue.get(i).label: compute.display_unit(i, "cour") for i in ids})
    units_nat = [*units, reference.NATIONAL]
    blocks: list[Block] = []
    for iid in MAP_INDICATORS:
        blocks.append(fig(figures.france_map.spec(ctx.res, ctx.annee, iid)))
        t = regional.units_table(ctx.res, ctx.annee, [iid], units_nat)
        blocks.append(Fragment(regional.table_details(f"Valeurs par cour : {catalogue.get(iid).label}", t), t))
    return _section(ctx, "carte", blocks, MAP_INDICATORS, [("Cours d'appel", cours)])


def national_distributions(ctx: Context) -> Section:
    fig = _Figures(ctx, "distributions")
    ids = ("act_total_dtes", "ami_part_amiable", "vif_part_op_6j")
    units = [*list(reference.consolidation_units().index), reference.NATIONAL]
    blocks: list[Block] = []
    for iid in ids:
        blocks.append(fig(figures.distribution.spec(ctx.res, ctx.annee, iid)))
        t = regional.units_table(ctx.res, ctx.annee, [iid], units)
        blocks.append(Fragment(regional.table_details(f"Valeurs par cour : {catalogue.get(iid).label}", t), t))
    blocks.append(fig(figures.ranking.spec(ctx.res, ctx.annee, "act_total_taux_couverture")))
    t = regional.units_table(ctx.res, ctx.annee, ["act_total_taux_couverture"], units)
    blocks.append(Fragment(regional.table_details("Classement des cours : "
                                                  f"{catalogue.get('act_total_taux_couverture').label}", t), t))
    return _section(ctx, "distributions", blocks, [*ids, "act_total_taux_couverture"])


def national_evolution(ctx: Context) -> Section:
    fig = _Figures(ctx, "evolution")
    years = ctx.years
    nat = reference.NATIONAL
    blocks: list[Block] = [
        Text(f"Valeurs nationales publiées de chaque année ({years[0]}–{years[-1]}) ; une année à périmètre "
             "incomplet est signalée dans la colonne « périmètre ».", "muted"),
        Heading("Indicateurs clés")]
    blocks += [fig(figures.trend.spec(ctx.res, nat, iid, years=years)) for iid in TREND_INDICATORS]
    blocks.append(Heading("Séries par famille"))
    every: list[str] = []
    for f, fids in _family_ids(ctx):
        every += fids
        t = regional.series_table(ctx.res, [nat], fids, years)
        blocks.append(Fragment(regional.table_details(catalogue.family(f).label, t), t))
    cours = list(reference.consolidation_units().index)
    keys = [k for f in ("activite", *POLICY_FAMILIES) for k in KEY_INDICATORS[f][:1]]
    t = regional.series_table(ctx.res, cours, keys, years)
    blocks += [Heading("Séries par cour d'appel (un indicateur clé par famille)"),
               Fragment(regional.table_details("Cours d'appel", t), t)]
    return _section(ctx, "evolution", blocks, TREND_INDICATORS,
                    [("Séries", regional.series_table(ctx.res, [nat], every, years, with_family=True)),
                     ("Séries par cour", t)])


def national_completude(ctx: Context) -> Section:
    cov = compute.coverage(ctx.res, ctx.annee)
    df = pd.DataFrame({"unité": cov["unit_name"], "transmis": cov["n_reporting"], "attendus": cov["n_expected"],
                       "taux": cov["rate"], "manquantes": cov["missing_names"].replace("", "–")})
    t = Table(df, {"transmis": "count", "attendus": "count", "taux": "percent"})
    return _section(ctx, "completude", [TableBlock(t)], (), [("Complétude", t)])


def national_remontees(ctx: Context) -> Section:
    units = [*list(reference.consolidation_units().index), reference.NATIONAL]
    wide = values_by_unit(ctx.res, ctx.annee, REMONTEES_INDICATORS, units)
    df = wide.rename(columns={i: catalogue.get(i).label for i in REMONTEES_INDICATORS}).reset_index(drop=True)
    df.insert(0, "unité", [reference.court_name(u) for u in units])
    t = Table(df, {catalogue.get(i).label: "count" for i in REMONTEES_INDICATORS})
    blocks: list[Block] = [Text("Effectifs seulement, issus des indicateurs consolidés : aucune procédure, aucune entreprise ni "
                   "aucun identifiant ne figure dans ce rapport.", "muted"), TableBlock(t)]
    return _section(ctx, "remontees", blocks, REMONTEES_INDICATORS, [("Remontées", t)])


def national_annexe(ctx: Context, shown: Sequence[Section]) -> Section:
    return annexe(ctx, shown, [Text("Voir la section « Complétude de la campagne ».")])


def _perspectives(ctx: Context) -> Section:
    """« Perspectives » (CLPC and cour): see :mod:`cpc_toolkit.render.report_perspectives`."""
    from cpc_toolkit.render import report_perspectives

    return report_perspectives.section(ctx)


# =============================================================================== the kinds' builders
@dataclass(frozen=True)
class Builders:
    """How one kind's report is built: a title, a cover, one builder per section (ids as declared in
    :data:`cpc_toolkit.render.kinds.KINDS`) and the annexe, derived from the other sections."""

    title: Callable[[Context], str]
    cover: Callable[[Context], Section]
    sections: Mapping[str, Callable[[Context], Section]]
    annexe: Callable[[Context, Sequence[Section]], Section]


BUILDERS: dict[str, Builders] = {
    "clpc": Builders(
        lambda c: f"Rapport du conseil local de politique civile {c.annee} — {c.name}", clpc_cover,
        {"synthese": clpc_synthese, "conseil": clpc_conseil, "politique": clpc_politique,
         **{f: partial(clpc_famille, family_id=f) for f in POLICY_FAMILIES}, "activite": clpc_activite,
         "perspectives": _perspectives},
        clpc_annexe),
    "cour": Builders(
        lambda c: f"Rapport annuel de politique civile {c.annee} — {c.name}", cour_cover,
        {"synthese": cour_synthese, "juridictions": cour_juridictions, "evolution": cour_evolution,
         "position": cour_position, "harmonisation": cour_harmonisation,
         "remontees": cour_remontees, "priorites": cour_priorites, "totaux": cour_totaux,
         "perspectives": _perspectives}, cour_annexe),
    "national": Builders(
        lambda c: f"Rapport national de politique civile {c.annee}", national_cover,
        {"synthese": national_synthese, "evolution": national_evolution, "carte": national_carte, "distributions": national_distributions,
         "completude": national_completude, "remontees": national_remontees}, national_annexe),
}


# =============================================================================== the report value
@dataclass(frozen=True)
class Report:
    """A built report: cover, table of contents and sections (values), in the kind's order."""

    kind: str
    unit_id: str
    annee: int
    title: str
    demo: bool
    footer: str
    cover: Section
    sommaire: Section
    sections: tuple[Section, ...] = field(default=())

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise RenderError(f"Section inconnue : « {section_id} » (sections : "
                          f"{', '.join(s.id for s in self.sections)}).", ReasonCode.USAGE)

    def famille(self, family_id: str) -> Section:
        return self.section(family_id)

    def html(self) -> str:
        """The report's HTML fragments (cover, table of contents, sections), as the notebook shows them."""
        return "\n".join(s.html() for s in (self.cover, self.sommaire, *self.sections))

    def annex(self) -> dict[str, Table]:
        """The Excel annex: the sheets of every section, in section order."""
        return {name: table for s in self.sections for name, table in s.annex}

    def export(self) -> Any:
        """Hidden output (cell tagged ``remove``) carrying what the output writers need: title,
        demo flag, footer and the annex tables — so the report is built once, in the notebook."""
        from cpc_toolkit.render.outputs import Exported

        return Exported.of(self)


def build(kind_id: str, donnees: str = "", order: Sequence[str] | None = None, **params: Any) -> Report:
    """Build a report of ``kind_id`` from its (validated) notebook parameters, e.g.
    ``build("clpc", juridiction="tj-lyon", annee=2025)``. ``order`` builds the sections in another
    order (the result is the same; used by the tests)."""
    spec = kinds.kind(kind_id)
    if kind_id not in BUILDERS:
        raise RenderError(f"Le rapport « {kind_id} » n'est pas construit par cpc_toolkit.render.report.",
                          ReasonCode.USAGE)
    p = spec.validate({**params, "donnees": donnees})
    data = load(p.get("donnees") or None)
    unit = p[spec.unit_param] if spec.unit_param else reference.NATIONAL
    return assemble(kind_id, unit, int(p["annee"]), data, order)


def assemble(kind_id: str, unit_id: str, annee: int, data: ReportData, order: Sequence[str] | None = None) -> Report:
    """Build every section of one report once (in ``order`` if given) and assemble the value."""
    b = BUILDERS[kind_id]
    ctx = Context(kind_id, unit_id, int(annee), data)
    if ctx.annee not in set(data.years()):
        raise RenderError(f"Aucune donnée pour l'année {ctx.annee} (années disponibles : "
                          f"{', '.join(str(y) for y in data.years())}).", ReasonCode.UNKNOWN_YEAR)
    declared = [sid for sid, _ in kinds.kind(kind_id).sections]
    missing = [sid for sid in declared if sid != ANNEXE and sid not in b.sections]
    if missing:
        raise RenderError(f"Section(s) sans constructeur pour « {kind_id} » : {', '.join(missing)}.",
                          ReasonCode.RENDER)
    wanted = [s for s in (order or declared) if s != ANNEXE]
    built = {sid: b.sections[sid](ctx) for sid in wanted}
    built.update({sid: b.sections[sid](ctx) for sid in declared if sid not in built and sid != ANNEXE})
    shown = [built[sid] for sid in declared if sid != ANNEXE]
    built[ANNEXE] = b.annexe(ctx, shown)
    title = b.title(ctx)
    demo = ctx.demo
    footer = f"{title} — cpc_toolkit {__version__} — édité le {format_date(dt.date.today())}" + \
        (f" — {DEMO_LABEL}" if demo else "")
    cover, footer, built[ANNEXE] = traceability.stamp_report(kind_id, unit_id, ctx.annee, data, b.cover(ctx),
                                                              footer, built[ANNEXE])  # issue 16: stamp, rectificatif
    toc = Section("sommaire", "", (Toc(kinds.section_titles(kind_id)),))
    return Report(kind_id, unit_id, ctx.annee, title, demo, footer, cover, toc,
                  tuple(built[sid] for sid in declared))


# =============================================================================== entry points
def clpc(juridiction: str, annee: int, donnees: str = "") -> Report:
    """The CLPC report of a TJ/TPI (used by ``notebooks/rapport_clpc.ipynb``)."""
    return build("clpc", donnees, juridiction=juridiction, annee=annee)


def chef_de_cour(cour: str, annee: int, donnees: str = "") -> Report:
    """The chef de cour report (used by ``notebooks/rapport_chef_de_cour.ipynb``)."""
    return build("cour", donnees, cour=cour, annee=annee)


def national(annee: int, donnees: str = "") -> Report:
    """The national report (used by ``notebooks/rapport_national.ipynb``)."""
    return build("national", donnees, annee=annee)
