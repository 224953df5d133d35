"""The documents the circulaire asks for, as :class:`~.model.DocumentValue` (§ 1.2).

- :func:`convocation` — convocation et ordre du jour of a TJ's conseil local de politique civile,
  with a one-page « chiffres clés » annex;
- :func:`compte_rendu` — the compte rendu the président completes after the conseil and sends to
  the chefs de cour;
- :func:`rapport_annuel` — the chefs de cour's annual report to the DACS and the DSJ.

They read only engine results (indicator values, the CLPC workbook's texts and lists) — never a
case register nor a remontée — so they obey the same no-individual-case rule as the reports. Names
of people appear only in the members list, which the workbook collects for that purpose (public
officials and partners, not parties to a case).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from cpc_toolkit import catalogue, compute, reference
from cpc_toolkit.compute.digest import stamp, stamp_text
from cpc_toolkit.fr import format_change, format_date, format_number, format_value
from cpc_toolkit.render.documents.model import (
    PLACEHOLDER,
    Block,
    BulletList,
    DocumentValue,
    Heading,
    Image,
    PageBreak,
    Para,
    TableBlock,
)

__all__ = ["DOCUMENT_KINDS", "MeetingRecord", "compte_rendu", "convocation", "meeting_record", "rapport_annuel"]

# Priorities of the circulaire (§ 3, from the catalogue's families), then the annex on the prevention of
# companies' difficulties.
PRIORITY_FAMILIES = (*compute.PRIORITY_FAMILIES, "entreprises")
# Free texts of the président's presentation (§ 1.2), in the order of the compte rendu.
PRESENTATION_FIELDS = ("clpc_priorites_locales", "clpc_organisation_audiences", "clpc_circuits", "clpc_projets",
                       "clpc_decisions_marquantes")
# Key figures per priority (value, change, cour, France) — at most four per family.
KEY_FIGURES: dict[str, tuple[str, ...]] = {
    "activite": ("act_total_entrees", "act_total_sorties", "act_total_taux_couverture", "act_total_dtes"),
    "amiable": ("ami_part_amiable", "ami_ara_tenues", "ami_mediations_ordonnees", "ami_referent_designe"),
    "majeurs": ("pjm_mesures_total", "pjm_taux_comptes_verifies", "pjm_taux_echues_sans_decision"),
    "agricole": ("agr_procedures_collectives", "agr_part_amiable", "agr_entretiens_prevention"),
    "vif": ("vif_op_demandees", "vif_part_op_6j", "vif_op_delai_moyen"),
    "demat": ("dem_part_signature_electronique", "dem_ordonnances_minutier"),
    "entreprises": ("ent_procedures_collectives", "ent_part_prevention", "ent_entretiens_prevention"),
}
# Charts of the compte rendu: (family, indicator) trends — between 3 and 6 images.
CHARTS = (("activite", "act_total_taux_couverture"), ("activite", "act_total_dtes"),
          ("amiable", "ami_part_amiable"), ("majeurs", "pjm_taux_comptes_verifies"), ("vif", "vif_part_op_6j"))
DOCUMENT_KINDS = {"convocation": "Convocation et ordre du jour", "compte-rendu": "Compte rendu du CLPC",
                  "rapport-annuel": "Rapport annuel des chefs de cour"}
MEMBER_COLUMNS = ("qualite", "institution", "nom", "invite", "present")


@dataclass(frozen=True)
class MeetingRecord:
    """What the CLPC workbook says of the conseil itself (lists and free texts)."""

    date: str
    lieu: str
    members: tuple[dict[str, str], ...]
    agenda: tuple[str, ...]
    echanges: str
    suites: tuple[dict[str, str], ...]

    def invited(self) -> list[dict[str, str]]:
        return [m for m in self.members if _yes(m.get("invite", "")) or _yes(m.get("present", ""))]

    def present(self) -> list[dict[str, str]]:
        return [m for m in self.members if _yes(m.get("present", ""))]


def _yes(text: str) -> bool:
    return str(text).strip().lower() in ("oui", "o", "1", "x", "true")


def _slice(res: pd.DataFrame, unit_id: str, year: int) -> pd.DataFrame:
    return res[(res["unit_id"] == unit_id) & (res["year"] == year)].set_index("indicator_id")


def _val(res: pd.DataFrame, unit_id: str, year: int, iid: str) -> float:
    sub = _slice(res, unit_id, year)
    if iid not in sub.index:
        return math.nan
    v = cast(float, sub.at[iid, "value"])
    return float(v) if pd.notna(v) else math.nan


def _txt(res: pd.DataFrame, unit_id: str, year: int, iid: str) -> str:
    sub = _slice(res, unit_id, year)
    if iid not in sub.index or "text" not in sub.columns:
        return ""
    t = sub.at[iid, "text"]
    return str(t) if isinstance(t, str) else ""


def _store_lists(data: Any, court_id: str, year: int) -> dict[str, list[dict[str, str]]]:
    """The lists of the court's accepted workbook (members, agenda, suites), from the store."""
    from cpc_toolkit.store import Store

    ids = {s.id for s in catalogue.lists()}
    rows = Store(data.root).court_year(court_id, year)
    rows = rows[rows["indicator_id"].isin(ids) & (rows["status"] == "ok")]
    return {str(i): catalogue.list_rows(t) for i, t in zip(rows["indicator_id"], rows["text"], strict=True)}


def meeting_record(data: Any, court_id: str, year: int) -> MeetingRecord:
    res = data.res
    lists = _store_lists(data, court_id, year)
    agenda = [r.get("point", "") for r in lists.get("clpc_ordre_du_jour", [])]
    return MeetingRecord(
        date=_txt(res, court_id, year, "clpc_date"), lieu=_txt(res, court_id, year, "clpc_lieu"),
        members=tuple(lists.get("clpc_membres_liste", [])),
        agenda=tuple(a for a in agenda if a.strip()), echanges=_txt(res, court_id, year, "clpc_echanges"),
        suites=tuple(lists.get("clpc_suites", [])))


# ------------------------------------------------------------------------------------ helpers
def _fmt(res: pd.DataFrame, unit_id: str, year: int, iid: str) -> str:
    level = reference.level_of(unit_id)
    return format_value(_val(res, unit_id, year, iid), compute.display_unit(iid, level))


def _change(res: pd.DataFrame, unit_id: str, year: int, iid: str) -> str:
    """Change on one year, like for like (courts present both years; the perimeter said when partial)."""
    ind = catalogue.get(iid)
    level = reference.level_of(unit_id)
    if not ind.numeric or (ind.unit == "boolean" and level == "juridiction"):
        return "—"
    ch = compute.changes(res, unit_id, year).set_index("indicator_id")
    if iid not in ch.index or not bool(ch.at[iid, "comparable"]):
        return "non calculable"
    text = format_change(float(cast(float, ch.at[iid, "delta"])), str(ch.at[iid, "unit"]))
    if bool(ch.at[iid, "partial"]):
        text += f" ({int(cast(int, ch.at[iid, 'n_common']))}/{int(cast(int, ch.at[iid, 'n_members']))} juridictions)"
    return text


def _key_table(res: pd.DataFrame, unit_id: str, year: int, ids: Sequence[str], caption: str,
               refs: Sequence[str]) -> TableBlock:
    cols = ("Indicateur", str(year), "Évolution sur un an", *(reference.court_name(r) if r != reference.NATIONAL
                                                              else reference.national_name() for r in refs))
    rows = []
    for iid in ids:
        ind = catalogue.get(iid)
        row = [ind.label, _fmt(res, unit_id, year, iid), _change(res, unit_id, year, iid)]
        for r in refs:
            row.append("—" if ind.unit == "count" else _fmt(res, r, year, iid))
        rows.append(tuple(row))
    return TableBlock(cols, tuple(rows), caption, (False,) + (True,) * (len(cols) - 1))


def _text_or_placeholder(text: str) -> Para:
    return Para(text, "body") if text.strip() else Para(PLACEHOLDER, "placeholder")


def _demo(res: pd.DataFrame, submissions: pd.DataFrame, court_ids: Sequence[str]) -> bool:
    sub = submissions[submissions["court_id"].isin(list(court_ids))]
    return bool(len(sub)) and bool(sub["demo"].any())


def _stamp(res: pd.DataFrame, unit_ids: Sequence[str], year: int) -> str:
    """The one reproducibility stamp (:mod:`cpc_toolkit.compute.digest`) over the figures the document reads
    (its units, the five years shown)."""
    return stamp_text(stamp(res, range(year - 4, year + 1), unit_ids)) + "."


def _charts(specs: list[tuple[dict[str, Any], str, str]]) -> list[Block]:
    """Figure specs → PNG images (Chromium), each with its alternative text and caption."""
    from cpc_toolkit.render.documents.images import figures_to_png

    pngs = figures_to_png([s for s, _, _ in specs])
    return [Image(png, alt=alt, caption=cap) for png, (_, alt, cap) in zip(pngs, specs, strict=True)]


def _trend_alt(res: pd.DataFrame, unit_id: str, iid: str, years: Sequence[int]) -> str:
    ind = catalogue.get(iid)
    parts = [f"{y} : {_fmt(res, unit_id, y, iid)}" for y in years]
    return f"{ind.label}, {reference.court_name(unit_id)}, évolution — " + " ; ".join(parts) + "."


def _members_table(members: Sequence[dict[str, str]], caption: str) -> TableBlock:
    rows = tuple((m.get("qualite", ""), m.get("institution", ""), m.get("nom", "")) for m in members)
    return TableBlock(("Qualité", "Institution", "Nom"), rows, caption)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _composition(res: pd.DataFrame, court_id: str, year: int) -> TableBlock:
    ids = [i.id for i in catalogue.indicators(family="clpc") if i.id.startswith("clpc_membres_") and i.unit == "count"]
    rows = tuple((_upper_first(catalogue.get(i).label.replace("Membres présents — ", "")),
                  _fmt(res, court_id, year, i)) for i in ids)
    return TableBlock(("Catégorie", "Membres présents"), rows, "Composition du conseil (décompte du classeur)",
                      (False, True))


# ------------------------------------------------------------------------------------ documents
def _opening(data: Any, juridiction: str, annee: int) -> tuple[pd.DataFrame, int, str, str, MeetingRecord, bool,
                                                             list[Block]]:
    """What both CLPC documents start from: results, year, names, the conseil's record, the demo mention."""
    reference.validate_scope(juridiction, "juridiction")
    res, year = data.res, int(annee)
    rec = meeting_record(data, juridiction, year)
    demo = _demo(res, data.submissions, [juridiction])
    blocks: list[Block] = []
    if demo:
        blocks.append(Para("Données fictives : document de démonstration construit sur des données synthétiques.",
                           "demo"))
    return res, year, reference.court_name(juridiction), reference.cour_of(juridiction), rec, demo, blocks


def convocation(data: Any, juridiction: str, annee: int) -> DocumentValue:
    """Convocation and proposed agenda of the CLPC of ``juridiction`` for ``annee``."""
    res, year, name, cour, rec, demo, blocks = _opening(data, juridiction, annee)
    when = format_date(rec.date) if rec.date else PLACEHOLDER
    where = rec.lieu or PLACEHOLDER
    blocks += [
        Para(f"Le président du {name} a l'honneur de vous convier à la réunion annuelle du conseil local de "
             f"politique civile, qui se tiendra le {when}, {where}.", "lead"),
        Para("Conformément à la circulaire du 27 juin 2025 relative à la politique civile (§ 1.2), le conseil "
             "n'exerce aucun contrôle sur l'activité juridictionnelle et n'évoque pas les affaires individuelles."),
        Heading(1, "Membres invités"),
    ]
    invited = rec.invited()
    blocks.append(_members_table(invited, f"{format_number(len(invited))} membres invités") if invited
                  else Para(PLACEHOLDER + " (liste des membres invités : feuille « Compte rendu » du classeur)",
                            "placeholder"))
    blocks.append(Heading(1, "Ordre du jour proposé"))
    blocks.append(BulletList(tuple(rec.agenda) if rec.agenda else tuple(_proposed_agenda(res, juridiction, year))))
    blocks += [PageBreak(), Heading(1, "Annexe : chiffres clés")]
    ids = [i for f in ("activite", *PRIORITY_FAMILIES) for i in KEY_FIGURES[f][:2]]
    blocks.append(_key_table(res, juridiction, year, ids, f"Chiffres clés {year}", (cour, reference.NATIONAL)))
    return DocumentValue(kind="convocation", title="Convocation au conseil local de politique civile",
                         subtitle=f"{name} — {year}", header=f"{name} — conseil local de politique civile {year}",
                         blocks=tuple(blocks), demo=demo,
                         stamp=_stamp(res, [juridiction, cour, reference.NATIONAL], year))


def _proposed_agenda(res: pd.DataFrame, court_id: str, year: int) -> list[str]:
    items = ["Ouverture par le président : priorités juridictionnelles locales en matière civile, sociale et "
             "commerciale",
             "Organisation juridictionnelle : audiences, recours à la collégialité, circuits selon le type de litige "
             "et l'urgence"]
    for fam_id in PRIORITY_FAMILIES:
        fam = catalogue.family(fam_id)
        lead = KEY_FIGURES[fam_id][0]
        items.append(f"{fam.label} (circulaire {fam.circulaire}) — {catalogue.get(lead).label} : "
                     f"{_fmt(res, court_id, year, lead)}")
    al = compute.alerts(res, court_id, year)
    seen: set[str] = set()
    for row in al.itertuples():
        if row.rule_id in seen or len(seen) >= 3:
            continue
        seen.add(cast(str, row.rule_id))
        items.append(f"Point d'attention : {row.indicator_label} ({_fmt(res, court_id, year, cast(str, row.indicator_id))})")
    items += ["Projets de la juridiction et jurisprudences récentes", "Questions diverses"]
    return items


def compte_rendu(data: Any, juridiction: str, annee: int, charts: bool = True) -> DocumentValue:
    """Compte rendu of the CLPC of ``juridiction`` for ``annee`` (to complete, sign and send)."""
    res, year, name, cour, rec, demo, blocks = _opening(data, juridiction, annee)
    tenu = _val(res, juridiction, year, "clpc_tenu")
    identity = (("Juridiction", name), ("Cour d'appel", reference.court_name(cour)), ("Année", str(year)),
                ("Date du conseil", format_date(rec.date) if rec.date else PLACEHOLDER),
                ("Lieu", rec.lieu or PLACEHOLDER),
                ("Conseil tenu", "non renseigné" if math.isnan(tenu) else format_value(tenu, "boolean")),
                ("Présidence", PLACEHOLDER))
    blocks += [Heading(1, "Identification du conseil"),
               TableBlock(("Rubrique", "Information"), identity, "Identification")]
    blocks.append(Heading(1, "Membres présents"))
    present = rec.present()
    if present:
        blocks.append(_members_table(present, f"{format_number(len(present))} membres présents"))
    else:
        blocks.append(Para(PLACEHOLDER + " (liste nominative des membres présents)", "placeholder"))
    blocks.append(_composition(res, juridiction, year))
    blocks.append(Heading(1, "Présentation du président"))
    for iid in PRESENTATION_FIELDS:
        blocks += [Heading(2, catalogue.get(iid).label), _text_or_placeholder(_txt(res, juridiction, year, iid))]
    blocks.append(Heading(1, "Indicateurs de la juridiction"))
    blocks.append(Para(f"Valeurs {year} de la juridiction, évolution sur un an et références de la cour d'appel et "
                       f"de la {reference.national_name()} (indicateurs du catalogue de cpc_toolkit ; définitions en annexe du "
                       "rapport statistique).", "note"))
    blocks += [Heading(2, catalogue.family("activite").label),
               _key_table(res, juridiction, year, KEY_FIGURES["activite"], "Activité civile",
                          (cour, reference.NATIONAL))]
    images = _compte_rendu_charts(res, juridiction, year) if charts else {}
    blocks += images.get("activite", [])
    for fam_id in PRIORITY_FAMILIES:
        fam = catalogue.family(fam_id)
        blocks += [Heading(2, f"{fam.label} (circulaire {fam.circulaire})"),
                   _key_table(res, juridiction, year, KEY_FIGURES[fam_id], fam.label, (cour, reference.NATIONAL))]
        blocks += images.get(fam_id, [])
    blocks += [Heading(1, "Échanges"), _text_or_placeholder(rec.echanges), Heading(1, "Décisions et suites")]
    if rec.suites:
        rows = tuple((s.get("decision", ""), s.get("pilote", ""), s.get("echeance", "")) for s in rec.suites)
        blocks.append(TableBlock(("Décision ou suite", "Pilote", "Échéance"), rows, "Décisions et suites"))
    else:
        blocks.append(Para(PLACEHOLDER, "placeholder"))
    blocks += [Heading(1, "Transmission"),
               Para(f"Compte rendu adressé aux chefs de la {reference.court_name(cour)} (circulaire du 27 juin 2025, "
                    "§ 1.2)."),
               Para("Fait à " + PLACEHOLDER + ", le " + PLACEHOLDER + ". Le président du tribunal : " + PLACEHOLDER,
                    "placeholder")]
    return DocumentValue(kind="compte-rendu", title="Compte rendu du conseil local de politique civile",
                         subtitle=f"{name} — {year}", header=f"{name} — conseil local de politique civile {year}",
                         blocks=tuple(blocks), demo=demo,
                         stamp=_stamp(res, [juridiction, cour, reference.NATIONAL], year))


def _years(res: pd.DataFrame, year: int) -> list[int]:
    have = sorted(int(y) for y in res["year"].unique())
    return [y for y in have if year - 4 <= y <= year]


def _compte_rendu_charts(res: pd.DataFrame, court_id: str, year: int) -> dict[str, list[Block]]:
    from cpc_toolkit.render import figures

    years = _years(res, year)
    specs, fams = [], []
    for fam_id, iid in CHARTS:
        spec = figures.trend.spec(res, court_id, iid, years=years)
        label = catalogue.get(iid).label
        specs.append((spec, _trend_alt(res, court_id, iid, years), f"{label} — évolution {years[0]}–{years[-1]}"))
        fams.append(fam_id)
    out: dict[str, list[Block]] = {}
    for fam_id, block in zip(fams, _charts(specs), strict=True):
        out.setdefault(fam_id, []).append(block)
    return out


def rapport_annuel(data: Any, cour: str, annee: int, charts: bool = True) -> DocumentValue:
    """Annual report of the chefs de cour of ``cour`` for ``annee`` (to the DACS and the DSJ)."""
    reference.validate_scope(cour, "cour")
    res, year = data.res, int(annee)
    name = reference.court_name(cour)
    courts = list(reference.courts_of_cour(cour))
    subs = data.submissions
    sub = subs[(subs["year"] == year) & (subs["channel"] == "classeur")].set_index("court_id")
    reported = [c for c in courts if c in sub.index]
    missing = [c for c in courts if c not in sub.index]
    demo = _demo(res, subs, courts)
    blocks: list[Block] = []
    if demo:
        blocks.append(Para("Données fictives : document de démonstration construit sur des données synthétiques.",
                           "demo"))
    blocks += [Para(f"Rapport annuel de politique civile des chefs de la {name} pour {year}, établi à partir des "
                    "comptes rendus des conseils locaux de politique civile des juridictions du ressort et transmis "
                    "à la direction des affaires civiles et du sceau et à la direction des services judiciaires "
                    "(circulaire du 27 juin 2025, § 1.2).", "lead"),
               Heading(1, "État des transmissions"),
               Para(f"{format_number(len(reported))} juridictions sur {format_number(len(courts))} ont transmis leur "
                    f"classeur pour {year}."
                    + (" N'ont pas transmis : " + ", ".join(reference.court_name(c) for c in missing) + "."
                       if missing else " Toutes les juridictions du ressort ont transmis."))]
    rows = []
    for c in courts:
        tenu = _val(res, c, year, "clpc_tenu")
        date = _txt(res, c, year, "clpc_date")
        received = format_date(str(sub.at[c, "received_at"])[:10]) if c in sub.index else "non transmis"
        rows.append((reference.court_name(c), received,
                     "non renseigné" if math.isnan(tenu) else format_value(tenu, "boolean"),
                     format_date(date) if date else "non renseignée"))
    blocks.append(TableBlock(("Juridiction", "Classeur reçu le", "Conseil tenu", "Date du conseil"), tuple(rows),
                             "Transmissions et conseils locaux"))
    blocks.append(Heading(1, "Priorités et décisions des juridictions"))
    for c in courts:
        blocks.append(Heading(2, reference.court_name(c)))
        if c not in sub.index:
            blocks.append(Para(f"Compte rendu non transmis pour {year}.", "note"))
            continue
        for iid in ("clpc_priorites_locales", "clpc_decisions_marquantes"):
            text = _txt(res, c, year, iid)
            blocks += [Heading(3, catalogue.get(iid).label),
                       Para(text) if text else Para("Non renseigné dans le classeur.", "note")]
        suites = _store_lists(data, c, year).get("clpc_suites", [])
        if suites:
            blocks.append(BulletList(tuple(s.get("decision", "") for s in suites if s.get("decision"))))
    blocks += [Heading(1, "Points d'harmonisation"), *_harmonisation(res, cour, courts, year),
               Heading(2, "Observations des chefs de cour"), Para(PLACEHOLDER, "placeholder"),
               Heading(1, "Indicateurs régionaux")]
    perimeter = f"{format_number(len(reported))}/{format_number(len(courts))} juridictions"
    blocks.append(Para(f"Totaux et taux de la cour calculés sur les juridictions ayant transmis ({perimeter}).",
                       "note"))
    for fam_id in ("activite", *PRIORITY_FAMILIES):
        fam = catalogue.family(fam_id)
        blocks += [Heading(2, fam.label),
                   _key_table(res, cour, year, KEY_FIGURES[fam_id], f"{fam.label} — {perimeter}",
                              (reference.NATIONAL,))]
    if charts:
        from cpc_toolkit.render import figures

        specs = []
        for iid in ("act_total_taux_couverture", "act_total_dtes"):
            spec = figures.courts_bar.spec(res, cour, year, iid)
            vals = "; ".join(f"{reference.court_name(c)} : {_fmt(res, c, year, iid)}" for c in courts)
            specs.append((spec, f"{catalogue.get(iid).label} par juridiction, {year} — {vals}.",
                          f"{catalogue.get(iid).label} par juridiction"))
        blocks += _charts(specs)
    return DocumentValue(kind="rapport-annuel", title="Rapport annuel des chefs de cour — politique civile",
                         subtitle=f"{name} — {year}", header=f"{name} — rapport annuel de politique civile {year}",
                         blocks=tuple(blocks), demo=demo, stamp=_stamp(res, [cour, *courts, reference.NATIONAL], year))


def _harmonisation(res: pd.DataFrame, cour: str, courts: Sequence[str], year: int) -> list[Block]:
    """Key indicators whose spread between the cour's TJs is the widest (relative to the median)."""
    rows = []
    for fam_id in (*PRIORITY_FAMILIES, "activite"):
        for iid in KEY_FIGURES[fam_id]:
            ind = catalogue.get(iid)
            if ind.unit in ("boolean", "text", "date", "count"):
                continue
            vals = [(c, _val(res, c, year, iid)) for c in courts]
            known = [(c, v) for c, v in vals if not math.isnan(v)]
            if len(known) < 2:
                continue
            lo, hi = min(known, key=lambda t: t[1]), max(known, key=lambda t: t[1])
            med = float(pd.Series([v for _, v in known]).median())
            spread = (hi[1] - lo[1]) / abs(med) if med else math.inf
            rows.append((spread, iid, lo, hi, len(known)))
    rows.sort(key=lambda r: (-r[0], r[1]))
    blocks: list[Block] = []
    if not rows:
        return [Para("Pas assez de juridictions renseignées pour comparer les pratiques.", "note")]
    table = []
    for _, iid, lo, hi, n in rows[:6]:
        unit = compute.display_unit(iid, "juridiction")
        table.append((catalogue.get(iid).label, f"{reference.court_name(lo[0])} : {format_value(lo[1], unit)}",
                      f"{reference.court_name(hi[0])} : {format_value(hi[1], unit)}",
                      f"{format_number(n)}/{format_number(len(courts))}"))
    blocks.append(Para("Indicateurs des priorités de la circulaire dont l'écart entre juridictions du ressort est le "
                       "plus grand (écart rapporté à la médiane) : pistes d'harmonisation des pratiques."))
    blocks.append(TableBlock(("Indicateur", "Valeur la plus basse", "Valeur la plus haute", "Juridictions renseignées"),
                             tuple(table), "Écarts entre juridictions"))
    return blocks
