"""Report content: the sections the notebooks display, as HTML fragments with embedded figures.

``clpc(juridiction, annee, donnees)``, ``chef_de_cour(cour, annee, donnees)`` and
``national(annee, donnees)`` return report objects whose methods each return one section
(:class:`Html`, displayed as ``text/html`` by the notebook). ``tables()`` gives the report's
tables for the Excel annex. Figures are inlined with ``include_plotlyjs=False`` (the offline
template inlines plotly.js once) and deterministic ``div`` ids, so that a report is
byte-for-byte reproducible whichever way the notebook is executed.

Only engine results (store indicators) are read: never a case register or a remontée.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from cpc_toolkit import __version__, catalogue, compute, reference
from cpc_toolkit.demo import DEMO_LABEL
from cpc_toolkit.errors import ReasonCode, RenderError
from cpc_toolkit.fr import format_change, format_date, format_number, format_value
from cpc_toolkit.render import figures
from cpc_toolkit.render.data import ReportData, load
from cpc_toolkit.render.tables import Table, heat_table_html, html_table, indicator_table, values_by_unit
from cpc_toolkit.settings import load_yaml

__all__ = ["KEY_INDICATORS", "ChefDeCourReport", "ClpcReport", "Html", "NationalReport", "chef_de_cour",
           "clpc", "national"]

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
POLICY_FAMILIES = ("amiable", "majeurs", "agricole", "entreprises", "vif", "demat")
TEXT_FIELDS = ("clpc_priorites_locales", "clpc_organisation_audiences", "clpc_circuits", "clpc_projets",
               "clpc_decisions_marquantes")
HEAT_INDICATORS = ("act_total_taux_couverture", "act_total_dtes", "ami_part_amiable", "ami_referent_designe",
                   "pjm_taux_comptes_verifies", "vif_part_op_6j", "dem_part_signature_electronique",
                   "clpc_tenu")
MAP_INDICATORS = ("act_total_taux_couverture", "act_total_dtes", "ami_part_amiable")
REMONTEES_INDICATORS = ("ent_procedures_signalees", "reg_proc_plus_250_salaries", "reg_proc_competence_tae")
PLOTLY_CONFIG = {"displaylogo": False, "responsive": False,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"]}


class Html(str):
    """An HTML fragment that notebooks display as ``text/html``."""

    def _repr_html_(self) -> str:
        return str(self)


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text))


@cache
def prevention_actors() -> tuple[str, pd.DataFrame]:
    """The circulaire's annex: actors of the local prevention of companies' difficulties."""
    raw = load_yaml(resources.files("cpc_toolkit.render").joinpath("static", "acteurs_prevention.yaml")
                         .read_text(encoding="utf-8"))
    df = pd.DataFrame(raw["acteurs"]).rename(columns={"acteur": "acteur", "role": "rôle", "base": "base légale"})
    return str(raw["source"]), df


class _Report:
    """Shared machinery: figure ids, section list, footer, definitions annex."""

    kind = ""
    sections: tuple[tuple[str, str], ...] = ()

    def __init__(self, unit_id: str, annee: int, data: ReportData) -> None:
        self.unit_id = unit_id
        self.annee = int(annee)
        self.data = data
        self.res = data.res
        self._n_fig = 0
        self._used: list[str] = []
        if self.annee not in set(data.years()):
            raise RenderError(f"Aucune donnée pour l'année {self.annee} (années disponibles : "
                              f"{', '.join(str(y) for y in data.years())}).", ReasonCode.UNKNOWN_YEAR)

    # ---------------------------------------------------------------- helpers
    @property
    def name(self) -> str:
        return reference.court_name(self.unit_id)

    @property
    def demo(self) -> bool:
        return self.data.demo(self.court_ids())

    def court_ids(self) -> list[str] | None:
        return None

    @property
    def years(self) -> list[int]:
        return [y for y in self.data.years() if self.annee - 4 <= y <= self.annee]

    def fig(self, fig: go.Figure | dict[str, Any]) -> str:
        """A figure (or a figure spec from ``figures.<builder>.spec``) as an inline ``div`` — no
        plotly.js: the template inlines it once."""
        self._n_fig += 1
        div_id = f"fig-{self.kind}-{self._n_fig}"
        body = pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=div_id, config=PLOTLY_CONFIG,
                           validate=False)
        return figures.figure_html(fig, body)

    def use(self, ids: Sequence[str]) -> None:
        for i in ids:
            if i not in self._used:
                self._used.append(i)

    def value(self, unit_id: str, indicator_id: str, year: int | None = None) -> float:
        return compute.value(self.res, unit_id, year or self.annee, indicator_id)

    def text(self, unit_id: str, indicator_id: str, year: int | None = None) -> str:
        return compute.text(self.res, unit_id, year or self.annee, indicator_id)

    def banner(self) -> str:
        return f'<div class="cpc-banner" role="note">{esc(DEMO_LABEL)}</div>' if self.demo else ""

    def footer(self) -> str:
        demo = f" — {DEMO_LABEL}" if self.demo else ""
        return (f"{self.title()} — cpc_toolkit {__version__} — édité le {format_date(dt.date.today())}{demo}")

    def title(self) -> str:
        raise NotImplementedError

    def sommaire(self) -> Html:
        items = "".join(f'<li><a href="#{sid}">{esc(label)}</a></li>' for sid, label in self.sections)
        return Html(f'<nav class="cpc-toc"><h2 class="cpc-nobreak" id="sommaire">Sommaire</h2><ol>{items}</ol></nav>')

    def _h2(self, sid: str) -> str:
        label = dict(self.sections)[sid]
        return f'<h2 id="{sid}">{esc(label)}</h2>'

    def kpis(self, unit_id: str, ids: Sequence[str], compare_to: Sequence[str] = ()) -> str:
        """Key-figure cards: value, change on one year, references."""
        level = reference.level_of(unit_id)
        cards = []
        change = compute.changes(self.res, unit_id, self.annee).set_index("indicator_id")["delta"]  # like for like
        for iid in ids:
            ind = catalogue.get(iid)
            unit = compute.display_unit(iid, level)
            v = self.value(unit_id, iid)
            prev = self.value(unit_id, iid, self.annee - 1)
            delta = ""
            if not math.isnan(v) and not math.isnan(prev) and unit not in ("boolean",):
                d = float(change.get(iid, math.nan))  # the change the sentences quote, rounded by fr
                delta = f"{format_change(d, unit)} sur un an" if not math.isnan(d) else ""
            refs = []
            for ref in compare_to:
                rv = self.value(ref, iid)
                if not math.isnan(rv) and ind.unit != "count":
                    refs.append(f"{reference.short_name(ref)} : {format_value(rv, compute.display_unit(iid, reference.level_of(ref)))}")
            cards.append(
                f'<div class="cpc-kpi"><div class="v">{esc(format_value(v, unit))}</div>'
                f'<div class="l">{esc(ind.label)}</div>'
                f'<div class="c">{esc(" · ".join([x for x in [delta, *refs] if x]))}</div></div>')
        self.use(ids)
        return f'<div class="cpc-kpis">{"".join(cards)}</div>'

    def facts_and_alerts(self, unit_id: str, include_courts: bool = False) -> str:
        facts = compute.faits_marquants(self.res, unit_id, self.annee)
        parts = ["<h3>Faits marquants</h3>"]
        parts += [f'<div class="cpc-fact">{esc(f.text)}</div>' for f in facts] or \
            ['<p class="cpc-muted">Aucun fait marquant calculable pour cette année.</p>']
        al = compute.alerts(self.res, unit_id, self.annee, include_courts=include_courts)
        parts.append("<h3>Alertes</h3>")
        if len(al):
            parts += [f'<div class="cpc-alert"><strong>{esc(r.unit_name)}</strong> — {esc(r.message)}</div>'
                      if include_courts or r.unit_id != unit_id else f'<div class="cpc-alert">{esc(r.message)}</div>'
                      for r in al.itertuples()]
        else:
            parts.append('<p class="cpc-muted">Aucune alerte pour cette année.</p>')
        self.use([f.indicator_id for f in facts if f.indicator_id])
        return "".join(parts)

    def annexe(self) -> Html:
        """Definitions and legal bases (catalogue) of every indicator shown, completeness, sources."""
        ids = self._used or [i.id for i in catalogue.indicators()]
        cat = catalogue.catalogue_frame().set_index("id")
        rows = cat.loc[[i for i in ids if i in cat.index], ["libellé", "définition", "unité", "base légale", "source"]]
        table = Table(rows.reset_index(drop=True))
        parts = [self._h2("annexe"), "<h3>Définitions et bases légales</h3>",
                 '<p class="cpc-muted">Définitions issues du catalogue des indicateurs de cpc_toolkit.</p>',
                 html_table(table), "<h3>Complétude des données</h3>", self.completeness(), "<h3>Sources</h3>",
                 self.sources()]
        return Html("".join(parts))

    def completeness(self) -> str:
        raise NotImplementedError

    def sources(self) -> str:
        demo = f"<li><strong>{esc(DEMO_LABEL)}</strong> : jeu de démonstration synthétique, sans valeur statistique.</li>" \
            if self.demo else ""
        return ("<ul>"
                f"{demo}"
                "<li>Classeurs de collecte des juridictions (politique civile, circulaire CIV/06/2025 du 27 juin 2025), "
                "validés à l'import.</li>"
                "<li>Indicateurs issus des registres d'affaires : décomptes agrégés uniquement, aucune affaire "
                "individuelle.</li>"
                f"<li>{esc(reference.ATTRIBUTION)}</li>"
                "<li>Consolidation : sommes pour les volumes ; taux recalculés sur les sommes des numérateurs et "
                "dénominateurs (jamais de moyenne de taux) ; parts de juridictions pour les indicateurs oui/non.</li>"
                "</ul>")

    def tables(self) -> dict[str, Table]:
        raise NotImplementedError


# =============================================================================== CLPC
class ClpcReport(_Report):
    """Report of the conseil local de politique civile of one TJ / TPI."""

    kind = "clpc"
    sections = (("synthese", "Synthèse"), ("conseil", "Le conseil local de politique civile"),
                ("politique", "Politique juridictionnelle locale"),
                *((f, catalogue.family(f).label) for f in POLICY_FAMILIES),
                ("activite", "Activité civile"), ("annexe", "Annexe : définitions, complétude et sources"))

    def __init__(self, juridiction: str, annee: int, data: ReportData) -> None:
        reference.validate_scope(juridiction, "juridiction")
        super().__init__(juridiction, annee, data)
        self.cour = reference.cour_of(juridiction)

    def court_ids(self) -> list[str]:
        return [self.unit_id]

    def title(self) -> str:
        return f"Rapport du conseil local de politique civile {self.annee} — {self.name}"

    def cover(self) -> Html:
        tenu = self.value(self.unit_id, "clpc_tenu")
        date = self.text(self.unit_id, "clpc_date")
        subs = self.data.submissions
        sub = subs[(subs["court_id"] == self.unit_id) & (subs["year"] == self.annee) & (subs["channel"] == "classeur")]
        recu = format_date(str(sub["received_at"].iloc[0])[:10]) if len(sub) else "non transmis"
        rows = [("Juridiction", self.name), ("Cour d'appel", reference.court_name(self.cour)),
                ("Année", str(self.annee)),
                ("Date du conseil", format_date(date) if date else "non renseignée"),
                ("Conseil tenu", format_value(tenu, "boolean", missing=catalogue.vocabulary.missing_mark(long=True))),
                ("Classeur reçu le", recu), ("Édité le", format_date(dt.date.today()))]
        dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
        return Html(f'<section class="cpc-cover"><div class="cpc-kicker">Conseil local de politique civile — '
                    f'rapport annuel</div><h1 class="cpc-title">{esc(self.name)}</h1>'
                    f'<div class="cpc-subtitle">{esc(reference.court_name(self.cour))} — année {self.annee}</div>'
                    f'{self.banner()}<dl>{dl}</dl>'
                    f'<p class="cpc-muted">Circulaire CIV/06/2025 du 27 juin 2025 relative à la politique civile '
                    f'des juridictions.</p></section>')

    def synthese(self) -> Html:
        return Html(self._h2("synthese") + self.kpis(self.unit_id, KEY_INDICATORS["activite"][:3],
                                                      (self.cour, reference.NATIONAL))
                    + self.facts_and_alerts(self.unit_id))

    def conseil(self) -> Html:
        ids = [i.id for i in catalogue.indicators(family="clpc") if i.numeric]
        table = indicator_table(self.res, self.unit_id, self.annee, ids, compare=False)
        self.use(ids)
        return Html(self._h2("conseil") + self.fig(figures.composition_bar.spec(self.res, self.unit_id, self.annee))
                    + html_table(table))

    def politique(self) -> Html:
        parts = [self._h2("politique")]
        for iid in TEXT_FIELDS:
            txt = self.text(self.unit_id, iid)
            parts.append(f"<h3>{esc(catalogue.get(iid).label)}</h3>")
            parts.append(f'<div class="cpc-text">{esc(txt)}</div>' if txt else
                         '<p class="cpc-muted">Non renseigné dans le classeur.</p>')
        self.use(TEXT_FIELDS)
        return Html("".join(parts))

    def famille(self, family_id: str) -> Html:
        fam = catalogue.family(family_id)
        keys = KEY_INDICATORS[family_id]
        parts = [self._h2(family_id), f'<p class="cpc-muted">Circulaire, {esc(fam.circulaire)}.</p>']
        if family_id in ("agricole", "entreprises") and reference.has_tae(self.unit_id, self.annee):
            parts.append('<div class="cpc-fact">Depuis le 1er janvier 2025, les procédures agricoles et '
                         'collectives de ce ressort relèvent du tribunal des activités économiques.</div>')
        parts.append(self.kpis(self.unit_id, keys[:3], (self.cour, reference.NATIONAL)))
        rates = [k for k in keys if catalogue.get(k).unit != "count"]
        counts = [k for k in keys if catalogue.get(k).unit == "count"]
        trend_ids = (rates[:1] + counts[:1]) or list(keys[:2])
        parts.append("<h3>Évolution sur cinq ans</h3>")
        for iid in trend_ids:
            parts.append(self.fig(figures.trend.spec(self.res, self.unit_id, iid, years=self.years)))
        if rates:
            parts.append("<h3>Position par rapport à la cour, à la France et aux juridictions de même taille</h3>")
            parts.append(self.fig(figures.position_strip.spec(self.res, self.unit_id, self.annee, rates[0])))
        ids = [i.id for i in catalogue.indicators(family=family_id) if i.numeric]
        parts.append("<h3>Tous les indicateurs</h3>")
        parts.append(html_table(indicator_table(self.res, self.unit_id, self.annee, ids)))
        self.use(ids)
        if family_id == "entreprises":
            parts.append(self.acteurs())
        return Html("".join(parts))

    def acteurs(self) -> str:
        source, df = prevention_actors()
        return ("<h3>Les acteurs de la politique locale de prévention des difficultés des entreprises</h3>"
                f'<p class="cpc-muted">{esc(source)}.</p>' + html_table(Table(df)))

    def activite(self) -> Html:
        parts = [self._h2("activite"), self.kpis(self.unit_id, KEY_INDICATORS["activite"][:3],
                                                  (self.cour, reference.NATIONAL))]
        parts.append(self.fig(figures.activity_bars.spec(self.res, self.unit_id, self.annee)))
        parts.append(html_table(self.activity_table()))
        parts.append("<h3>Évolution sur cinq ans</h3>")
        parts.append(self.fig(figures.trend.spec(self.res, self.unit_id, "act_total_taux_couverture", years=self.years)))
        parts.append(self.fig(figures.trend.spec(self.res, self.unit_id, "act_total_dtes", years=self.years)))
        parts.append("<h3>Position</h3>")
        parts.append(self.fig(figures.position_strip.spec(self.res, self.unit_id, self.annee, "act_total_dtes")))
        self.use([i.id for i in catalogue.indicators(family="activite")])
        return Html("".join(parts))

    def activity_table(self) -> Table:
        rows = []
        for c in catalogue.contentieux():
            row: dict[str, object] = {"contentieux": c["label"]}
            for suffix, col in (("entrees", "entrées"), ("sorties", "sorties"), ("stock_fin", "stock au 31/12"),
                                ("taux_couverture", "couverture"), ("dtes", "DTES"), ("delai_moyen", "délai moyen")):
                row[col] = self.value(self.unit_id, f"act_{c['id']}_{suffix}")
            rows.append(row)
        return Table(pd.DataFrame(rows), {"entrées": "count", "sorties": "count", "stock au 31/12": "count",
                                          "couverture": "percent", "DTES": "months", "délai moyen": "months"})

    def completeness(self) -> str:
        sub = self.res[(self.res["unit_id"] == self.unit_id) & (self.res["year"] == self.annee)]
        inputs = {i.id for i in catalogue.indicators() if i.kind == "input"}
        sub_in = sub[sub["indicator_id"].isin(inputs)]
        ok = int((sub_in["status"] == "ok").sum())
        na = sub[sub["status"] != "ok"]
        reasons = na.groupby("na_reason").size().sort_values(ascending=False)
        unknown = catalogue.vocabulary.missing_mark(long=True)
        items = "".join(f"<li>{esc(r or unknown)} : {format_number(n)}</li>" for r, n in reasons.items())
        return (f"<p>{format_number(ok)} indicateurs saisis renseignés sur {format_number(len(inputs))} au catalogue "
                f"pour {self.annee}.</p>" + (f"<p>Valeurs non disponibles, par motif :</p><ul>{items}</ul>" if items else ""))

    def tables(self) -> dict[str, Table]:
        out: dict[str, Table] = {}
        ids = [i.id for i in catalogue.indicators() if i.numeric]
        out["Indicateurs"] = indicator_table(self.res, self.unit_id, self.annee, ids)
        out["Activité civile"] = self.activity_table()
        ser = compute.series(self.res, self.unit_id, ids, self.years)
        wide = ser.pivot_table(index="indicator_id", columns="year", values="value", aggfunc="first").reindex(ids)
        wide.columns = [str(c) for c in wide.columns]
        wide.insert(0, "indicateur", [catalogue.get(i).label for i in wide.index])
        wide.insert(1, "_unit", [catalogue.get(i).unit for i in wide.index])
        out["Évolution"] = Table(wide.reset_index(drop=True), row_units="_unit")
        txt = pd.DataFrame({"rubrique": [catalogue.get(i).label for i in TEXT_FIELDS],
                            "texte": [self.text(self.unit_id, i) for i in TEXT_FIELDS]})
        out["Politique locale"] = Table(txt)
        out["Définitions"] = _definitions_table()
        return out


# =============================================================================== chef de cour
class ChefDeCourReport(_Report):
    """Regional report of a chef de cour (36 cours d'appel + the TSA of Saint-Pierre)."""

    kind = "cour"
    sections = (("synthese", "Synthèse régionale"), ("juridictions", "Les juridictions du ressort"),
                ("harmonisation", "Points d'harmonisation"), ("remontees", "État des remontées"),
                ("priorites", "Priorités locales des juridictions"),
                ("totaux", "Totaux régionaux et comparaison nationale"),
                ("annexe", "Annexe : définitions, complétude et sources"))

    def __init__(self, cour: str, annee: int, data: ReportData) -> None:
        reference.validate_scope(cour, "cour")
        super().__init__(cour, annee, data)
        self.courts = reference.courts_of_cour(cour)

    def court_ids(self) -> list[str]:
        return self.courts

    def title(self) -> str:
        return f"Rapport annuel de politique civile {self.annee} — {self.name}"

    def cover(self) -> Html:
        cov = self._coverage()
        rows = [("Ressort", self.name), ("Année", str(self.annee)),
                ("Juridictions du ressort", format_number(len(self.courts))),
                ("Juridictions ayant transmis", f"{cov[0]} sur {cov[1]}"),
                ("Destinataires", "Direction des affaires civiles et du sceau ; direction des services judiciaires"),
                ("Édité le", format_date(dt.date.today()))]
        dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
        return Html(f'<section class="cpc-cover"><div class="cpc-kicker">Rapport des chefs de cour — politique '
                    f'civile</div><h1 class="cpc-title">{esc(self.name)}</h1>'
                    f'<div class="cpc-subtitle">Année {self.annee}</div>{self.banner()}<dl>{dl}</dl></section>')

    def _coverage(self) -> tuple[int, int]:
        cov = compute.coverage(self.res, self.annee)
        row = cov[cov["unit_id"] == self.unit_id]
        if not len(row):
            return 0, len(self.courts)
        return int(row["n_reporting"].iloc[0]), int(row["n_expected"].iloc[0])

    def synthese(self) -> Html:
        return Html(self._h2("synthese")
                    + self.kpis(self.unit_id, KEY_INDICATORS["activite"][:3], (reference.NATIONAL,))
                    + self.facts_and_alerts(self.unit_id, include_courts=False))

    def juridictions(self) -> Html:
        ids = list(HEAT_INDICATORS)
        heat, _ = heat_table_html(self.res, self.unit_id, self.annee, ids)
        self.use(ids)
        parts = [self._h2("juridictions"),
                 '<p class="cpc-muted">Couleurs : position de chaque juridiction parmi toutes les juridictions de '
                 'France (bleu : plus favorable, orange : moins favorable, blanc : neutre ou non renseigné).</p>',
                 heat, "<h3>Comparaison des juridictions</h3>"]
        for iid in ("act_total_taux_couverture", "act_total_dtes"):
            parts.append(self.fig(figures.courts_bar.spec(self.res, self.unit_id, self.annee, iid)))
        parts.append("<h3>Dispersion</h3>")
        parts.append(html_table(self.dispersion_table()))
        return Html("".join(parts))

    def dispersion_table(self) -> Table:
        ids = [i for i in HEAT_INDICATORS if catalogue.get(i).unit not in ("boolean",)]
        wide = values_by_unit(self.res, self.annee, ids, self.courts)
        rows = []
        for iid in ids:
            col = wide[iid].dropna()
            rows.append({"indicateur": catalogue.get(iid).label, "_unit": catalogue.get(iid).unit,
                         "minimum": col.min() if len(col) else math.nan,
                         "médiane": col.median() if len(col) else math.nan,
                         "maximum": col.max() if len(col) else math.nan,
                         "écart max/min": (col.max() - col.min()) if len(col) else math.nan,
                         "juridictions renseignées": f"{len(col)}/{len(self.courts)}"})
        t = Table(pd.DataFrame(rows), row_units="_unit")
        return _NoUnit(t.frame, row_units="_unit", plain=("juridictions renseignées",))

    def harmonisation(self) -> Html:
        wide = values_by_unit(self.res, self.annee, ["ami_referent_designe", "clpc_tenu"], self.courts)
        sans_ref = [c for c in self.courts if wide.at[c, "ami_referent_designe"] == 0]
        sans_conseil = [c for c in self.courts if wide.at[c, "clpc_tenu"] == 0]
        al = compute.alerts(self.res, self.unit_id, self.annee, include_courts=True)
        al = al[al["unit_id"].isin(self.courts)]
        by_court = al.groupby("unit_id")["rule_label"].apply(list)

        def names(ids: list[str]) -> str:
            return ", ".join(reference.court_name(c) for c in ids) if ids else "aucune"

        parts = [self._h2("harmonisation"),
                 f"<h3>Juridictions sans magistrat référent amiable</h3><p>{esc(names(sans_ref))}</p>",
                 f"<h3>Juridictions n'ayant pas tenu de conseil local</h3><p>{esc(names(sans_conseil))}</p>",
                 "<h3>Juridictions en alerte</h3>"]
        if len(by_court):
            items = "".join(f"<li><strong>{esc(reference.court_name(c))}</strong> : {esc(' ; '.join(r))}</li>"
                            for c, r in by_court.items())
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append("<p>Aucune juridiction en alerte.</p>")
        self.use(["ami_referent_designe", "clpc_tenu"])
        return Html("".join(parts))

    def remontees_table(self) -> Table:
        subs = self.data.submissions
        sub = subs[(subs["year"] == self.annee) & (subs["channel"] == "classeur")].set_index("court_id")
        deadline = self.data.deadlines.get(self.annee)
        rows = []
        for c in self.courts:
            if c in sub.index:
                rec = sub.loc[c]
                received = dt.date.fromisoformat(str(rec["received_at"])[:10])
                late = deadline is not None and received > deadline
                status = "transmis en retard" if late else "transmis"
                rows.append({"juridiction": reference.court_name(c), "statut": status,
                             "reçu le": format_date(received), "version": int(rec["version"])})
            else:
                rows.append({"juridiction": reference.court_name(c), "statut": "manquant", "reçu le": "–",
                             "version": "–"})
        return Table(pd.DataFrame(rows))

    def remontees(self) -> Html:
        deadline = self.data.deadlines.get(self.annee)
        note = (f"Échéance de transmission : {format_date(deadline)}." if deadline else
                "Aucune échéance n'est fixée pour cette campagne (fichier campagne.yaml du dossier des données) : "
                "seules les juridictions manquantes sont signalées.")
        t = self.remontees_table()
        missing = t.frame[t.frame["statut"] != "transmis"]
        summary = (f"<p><strong>{len(missing)}</strong> juridiction(s) manquante(s) ou en retard.</p>" if len(missing)
                   else "<p>Toutes les juridictions du ressort ont transmis leur classeur.</p>")
        return Html(self._h2("remontees") + f'<p class="cpc-muted">{esc(note)}</p>' + summary + html_table(t))

    def priorites(self) -> Html:
        parts = [self._h2("priorites")]
        for c in self.courts:
            txt = self.text(c, "clpc_priorites_locales")
            brief = (txt[:400] + "…") if len(txt) > 400 else txt
            parts.append(f"<h3>{esc(reference.court_name(c))}</h3>")
            parts.append(f'<div class="cpc-text">{esc(brief)}</div>' if brief else
                         '<p class="cpc-muted">Non renseigné.</p>')
        self.use(["clpc_priorites_locales"])
        return Html("".join(parts))

    def totaux(self) -> Html:
        ids = [k for f in ("activite", *POLICY_FAMILIES) for k in KEY_INDICATORS[f]]
        return Html(self._h2("totaux") + html_table(indicator_table(self.res, self.unit_id, self.annee, ids)))

    def completeness(self) -> str:
        n, e = self._coverage()
        return f"<p>{n} juridiction(s) sur {e} ont transmis leurs données pour {self.annee}.</p>"

    def tables(self) -> dict[str, Table]:
        _, heat = heat_table_html(self.res, self.unit_id, self.annee, list(HEAT_INDICATORS))
        ids = [i.id for i in catalogue.indicators() if i.numeric]
        return {"Juridictions": heat, "Dispersion": self.dispersion_table(), "Remontées": self.remontees_table(),
                "Totaux régionaux": indicator_table(self.res, self.unit_id, self.annee, ids),
                "Définitions": _definitions_table()}


class _NoUnit(Table):
    def __init__(self, frame: pd.DataFrame, row_units: str, plain: Sequence[str]) -> None:
        super().__init__(frame, row_units=row_units)
        self.plain = set(plain)

    def unit_of(self, row: Mapping[str, Any], column: str) -> str | None:
        if column in self.plain or column == "indicateur":
            return None
        return super().unit_of(row, column)


# =============================================================================== national
class NationalReport(_Report):
    """National report: map by cour, distributions and rankings, completeness, remontées counts."""

    kind = "national"
    sections = (("synthese", "Synthèse nationale"), ("carte", "Carte par cour d'appel"),
                ("distributions", "Répartitions et classements"), ("completude", "Complétude de la campagne"),
                ("remontees", "Remontées des procédures par critère"),
                ("annexe", "Annexe : définitions, complétude et sources"))

    def __init__(self, annee: int, data: ReportData) -> None:
        super().__init__(reference.NATIONAL, annee, data)

    def title(self) -> str:
        return f"Rapport national de politique civile {self.annee}"

    def cover(self) -> Html:
        cov = compute.coverage(self.res, self.annee)
        nat = cov[cov["level"] == "national"]
        n, e = (int(nat["n_reporting"].iloc[0]), int(nat["n_expected"].iloc[0])) if len(nat) else (0, 0)
        rows = [("Périmètre", f"{reference.national_name()} (164 TJ et 4 TPI, 36 cours d'appel et le TSA)"),
                ("Année", str(self.annee)), ("Juridictions ayant transmis", f"{n} sur {e}"),
                ("Édité le", format_date(dt.date.today()))]
        dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
        return Html(f'<section class="cpc-cover"><div class="cpc-kicker">Politique civile — rapport national'
                    f'</div><h1 class="cpc-title">{esc(reference.national_name())}</h1><div class="cpc-subtitle">Année {self.annee}'
                    f'</div>{self.banner()}<dl>{dl}</dl></section>')

    def synthese(self) -> Html:
        al = compute.alerts(self.res, reference.NATIONAL, self.annee, include_courts=True)
        counts = al[al["level"] == "juridiction"].groupby("rule_label").size().sort_values(ascending=False)
        rows = pd.DataFrame({"règle d'alerte": counts.index, "juridictions en alerte": counts.to_numpy()})
        return Html(self._h2("synthese") + self.kpis(reference.NATIONAL, KEY_INDICATORS["activite"][:3])
                    + self.facts_and_alerts(reference.NATIONAL) + "<h3>Juridictions en alerte, par règle</h3>"
                    + html_table(Table(rows, {"juridictions en alerte": "count"})))

    def carte(self) -> Html:
        parts = [self._h2("carte")]
        for iid in MAP_INDICATORS:
            parts.append(self.fig(figures.france_map.spec(self.res, self.annee, iid)))
        self.use(MAP_INDICATORS)
        return Html("".join(parts))

    def distributions(self) -> Html:
        parts = [self._h2("distributions")]
        for iid in ("act_total_dtes", "ami_part_amiable", "vif_part_op_6j"):
            parts.append(self.fig(figures.distribution.spec(self.res, self.annee, iid)))
        parts.append(self.fig(figures.ranking.spec(self.res, self.annee, "act_total_taux_couverture")))
        self.use(["act_total_dtes", "ami_part_amiable", "vif_part_op_6j", "act_total_taux_couverture"])
        return Html("".join(parts))

    def coverage_table(self) -> Table:
        cov = compute.coverage(self.res, self.annee)
        df = pd.DataFrame({"unité": cov["unit_name"], "transmis": cov["n_reporting"], "attendus": cov["n_expected"],
                           "taux": cov["rate"], "manquantes": cov["missing_names"].replace("", "–")})
        return Table(df, {"transmis": "count", "attendus": "count", "taux": "percent"})

    def completude(self) -> Html:
        return Html(self._h2("completude") + html_table(self.coverage_table()))

    def remontees_table(self) -> Table:
        units = [*list(reference.consolidation_units().index), reference.NATIONAL]
        wide = values_by_unit(self.res, self.annee, REMONTEES_INDICATORS, units)
        df = wide.rename(columns={i: catalogue.get(i).label for i in REMONTEES_INDICATORS}).reset_index(drop=True)
        df.insert(0, "unité", [reference.court_name(u) for u in units])
        return Table(df, {catalogue.get(i).label: "count" for i in REMONTEES_INDICATORS})

    def remontees(self) -> Html:
        self.use(REMONTEES_INDICATORS)
        return Html(self._h2("remontees")
                    + '<p class="cpc-muted">Effectifs seulement, issus des indicateurs consolidés : aucune procédure, '
                      'aucune entreprise ni aucun identifiant ne figure dans ce rapport.</p>'
                    + html_table(self.remontees_table()))

    def completeness(self) -> str:
        return "<p>Voir la section « Complétude de la campagne ».</p>"

    def tables(self) -> dict[str, Table]:
        units = list(reference.consolidation_units().index)
        ids = [k for f in ("activite", *POLICY_FAMILIES) for k in KEY_INDICATORS[f]]
        wide = values_by_unit(self.res, self.annee, ids, [*units, reference.NATIONAL])
        df = wide.rename(columns={i: catalogue.get(i).label for i in ids}).reset_index(drop=True)
        df.insert(0, "unité", [reference.court_name(u) for u in [*units, reference.NATIONAL]])
        cours = Table(df, {catalogue.get(i).label: compute.display_unit(i, "cour") for i in ids})
        return {"Cours d'appel": cours, "Complétude": self.coverage_table(), "Remontées": self.remontees_table(),
                "Définitions": _definitions_table()}


def _definitions_table() -> Table:
    cat = catalogue.catalogue_frame()
    return Table(cat[["id", "famille", "libellé", "définition", "unité", "base légale", "source", "agrégation"]])


# =============================================================================== entry points
def clpc(juridiction: str, annee: int, donnees: str = "") -> ClpcReport:
    """The CLPC report of a TJ/TPI (used by ``notebooks/rapport_clpc.ipynb``)."""
    return ClpcReport(juridiction, annee, load(donnees or None))


def chef_de_cour(cour: str, annee: int, donnees: str = "") -> ChefDeCourReport:
    """The chef de cour report (used by ``notebooks/rapport_chef_de_cour.ipynb``)."""
    return ChefDeCourReport(cour, annee, load(donnees or None))


def national(annee: int, donnees: str = "") -> NationalReport:
    """The national report (used by ``notebooks/rapport_national.ipynb``)."""
    return NationalReport(annee, load(donnees or None))
