"""Reading e-MJPM exports into the measures register (``cpc registre importer --format emjpm``).

e-MJPM is the platform where mandataires judiciaires à la protection des majeurs report their
measures; its export follows the « Mesure de protection » table schema of SocialGouv/schema-pjm
(fields ``id``, ``numero_rg``, ``annee_naissance``, ``civilite``, ``date_premier_mesure``,
``date_nomination``, ``date_protection_en_cours``, ``date_fin_mesure``, ``resultat_revision``,
``cause_sortie``, ``tribunal_siret``, ``antenne_id`` and, per state, ``nature_mesure``). This module
maps one export (JSON or CSV) to the columns of the native measures register; the result is then
validated and computed by exactly the same code as a native register (``io.validate``,
``mesures.clocks``: art. 441–443 C. civ.).

Mapping (documented in README.md, « Import e-MJPM »):

* ``tribunal_siret`` → court id through ``data/emjpm_tribunaux.csv`` (289 courts; a tribunal de
  proximité belongs to its TJ);
* ``nature_mesure`` → ``type_mesure``; natures outside the register (MAJ, subrogé curateur or
  tuteur, mandat de protection future, mesure ad hoc) are left out, with a warning;
* ``date_premier_mesure`` (else ``date_nomination``) → ``date_ouverture``; ``date_protection_en_cours``
  → ``date_dernier_renouvellement`` when ``resultat_revision`` is a re-examination (reconduction,
  aggravation, allègement);
* ``date_fin_mesure`` → ``date_fin`` when the measure ends (mainlevée, décès, caducité) or passes to
  another MJPM (who reports it); a measure handed over to the family stays in force
  (``type_mandataire`` = familial);
* e-MJPM carries no duration: the legal maxima are used (60 months, art. 441; 12 months for a
  sauvegarde de justice, art. 439; a renewal for the same duration, art. 442 al. 1) unless the
  export has ``duree_mois`` / ``duree_renouvellement_mois`` columns. Indicators that need data
  e-MJPM does not carry (comptes de gestion, renewals of more than 5 years) are « NA », never 0.

Personal fields (``numero_rg``, ``numero_dossier``, ``annee_naissance``, ``civilite``, place of
life) are never read into the register: a measure is identified by its e-MJPM ``id``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from cpc_toolkit.errors import Location, ReasonCode, ValidationError
from cpc_toolkit.fr import format_number
from cpc_toolkit.registers.io import RawTable, RegisterProblem
from cpc_toolkit.registers.schema import MESURES

FORMATS = ("natif", "emjpm")
ATTRIBUTION = ("Schéma « Mesure de protection » et liste des tribunaux (SIRET) d'e-MJPM : dépôt "
               "SocialGouv/schema-pjm (Incubateur des ministères sociaux ; schéma sous Licence Ouverte Etalab 2.0, "
               "dépôt sous licence ISC).")

# e-MJPM code lists (schema-pjm: nature-mesure.csv, resultat-revision-mesure.csv, mesure_protection.json)
NATURES = {
    "curatelle_simple": "curatelle_simple",
    "curatelle_renforcee": "curatelle_renforcee",
    "tutelle": "tutelle",
    "sauvegarde_justice": "sauvegarde_justice",
    # outside the register of judicial protective measures (no art. 441–443 clock, or a second role)
    "mesure_accompagnement_judiciaire": None,
    "subroge_curateur": None,
    "subroge_tuteur": None,
    "mandat_protection_future": None,
    "mesure_ad_hoc": None,
}
NATURE_LABELS = {
    "mesure_accompagnement_judiciaire": "mesure d'accompagnement judiciaire",
    "subroge_curateur": "subrogé curateur", "subroge_tuteur": "subrogé tuteur",
    "mandat_protection_future": "mandat de protection future", "mesure_ad_hoc": "mesure ad hoc",
}
REVISION_RESULTS = ("mainlevee", "reconduction", "aggravation", "allegement", "dessaisissement_famille",
                    "dessaisissement_autre_mjpm")
REVISION_REEXAMINES = ("reconduction", "aggravation", "allegement")
EXIT_CAUSES = ("mainlevee", "deces", "caducite", "dessaisissement_famille", "dessaisissement_autre_mjpm")
EXIT_ENDS = ("mainlevee", "deces", "caducite", "dessaisissement_autre_mjpm")
DEFAULT_MONTHS = {"sauvegarde_justice": 12}  # art. 439 C. civ.
DEFAULT_MONTHS_OTHER = 60  # art. 441 C. civ.
# indicators e-MJPM cannot give (no compte de gestion data; renewal duration unknown)
NA_ACCOUNTS = ("reg_pjm_comptes_manquants_30juin", "reg_pjm_comptes_non_verifies_31dec")
NA_LONG_RENEWAL = ("reg_pjm_renouvelees_plus_5ans",)
PERSONAL_FIELDS = ("numero_rg", "numero_dossier", "annee_naissance", "civilite", "lieu_vie", "code_postal",
                   "ville", "pays", "type_etablissement")
# native column → e-MJPM field, to locate the native validator's problems in the user's terms
SOURCE_FIELD = {
    "identifiant": "id", "juridiction": "tribunal_siret", "type_mesure": "nature_mesure",
    "date_ouverture": "date_premier_mesure", "date_dernier_renouvellement": "date_protection_en_cours",
    "date_fin": "date_fin_mesure", "duree_mois": "duree_mois",
    "duree_renouvellement_mois": "duree_renouvellement_mois",
}
_SIRET = re.compile(r"^\d{14}$")
_FIELDS = ("id", "date_premier_mesure", "date_nomination", "date_protection_en_cours", "date_fin_mesure",
           "resultat_revision", "cause_sortie", "tribunal_siret", "antenne_id", "nature_mesure", "duree_mois",
           "duree_renouvellement_mois")


@cache
def siret_courts() -> pd.DataFrame:
    """The e-MJPM courts: siret, nom, nature (TJ, tribunal de proximité, TPI), court_id (the TJ)."""
    text = resources.files("cpc_toolkit.registers").joinpath("data", "emjpm_tribunaux.csv").read_text("utf-8")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


@dataclass
class EmjpmExport:
    """An e-MJPM export mapped to the native register columns (strings, like ``io.read_table``)."""

    raw: RawTable
    warnings: list[str] = field(default_factory=list)
    na_indicators: tuple[str, ...] = ()
    archive_bytes: bytes = b""  # what is kept in the archive: the mapped rows, no personal field


def _records(data: bytes, name: str) -> tuple[list[dict[str, object]], np.ndarray]:
    """Measures of the file as flat dicts, with the row number the user sees (JSON: item number)."""
    text = _decode(data, name)
    if name.lower().endswith(".json"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"Export e-MJPM illisible : JSON invalide (ligne {exc.lineno}, colonne "
                                  f"{exc.colno}).", [], Location(file=name, row=exc.lineno),
                                  ReasonCode.FILE_FORMAT) from exc
        items = doc.get("mesures", doc.get("data")) if isinstance(doc, dict) else doc
        if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
            raise ValidationError("Export e-MJPM illisible : une liste de mesures est attendue (tableau JSON, "
                                  "ou objet avec une clé « mesures »).", [], Location(file=name),
                                  ReasonCode.FILE_FORMAT)
        return [_flatten(x) for x in items], np.arange(1, len(items) + 1)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delim = dialect.delimiter
    except csv.Error:
        delim = ","
    frame = pd.read_csv(io.StringIO(text), sep=delim, dtype=str, keep_default_na=False)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    # the columns were just made str: the records are keyed by column name
    return cast(list[dict[str, object]], frame.to_dict("records")), np.arange(2, len(frame) + 2)


def _decode(data: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValidationError("Export e-MJPM illisible : encodage non reconnu (UTF-8 attendu).", [],
                          Location(file=name), ReasonCode.FILE_FORMAT)


def _flatten(item: dict[str, object]) -> dict[str, object]:
    """One JSON measure; the nature comes from its latest state (``etats``) when not given directly."""
    out = {k: item.get(k) for k in _FIELDS if k in item}
    etats = item.get("etats")
    if not out.get("nature_mesure") and isinstance(etats, list) and etats:
        dated = [e for e in etats if isinstance(e, dict)]
        dated.sort(key=lambda e: str(e.get("date_changement_etat") or ""))
        if dated:
            out["nature_mesure"] = dated[-1].get("nature_mesure")
    return out


def _text(v: object) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v).strip()
    return s or None


def read_export(path: str | Path, data: bytes) -> EmjpmExport:
    """Map an e-MJPM export to the native measures columns, or raise a located ``ValidationError``."""
    name = Path(path).name
    records, rows = _records(data, name)
    problems: list[RegisterProblem] = []

    def bad(row: int, fld: str, value: object, rule: str, message: str, reason: ReasonCode) -> None:
        problems.append(RegisterProblem(name, row, fld, "" if value is None else str(value), rule, message, reason))

    sirets = dict(zip(siret_courts()["siret"], siret_courts()["court_id"], strict=True))
    out: list[dict[str, str | None]] = []
    kept_rows: list[int] = []
    left_out: dict[str, int] = {}
    fallback_opening = 0
    has_durations = any(_text(r.get("duree_mois")) for r in records)
    for rec, row in zip(records, rows, strict=True):
        row = int(row)
        g = {k: _text(rec.get(k)) for k in _FIELDS}
        for req in ("id", "tribunal_siret", "date_nomination", "nature_mesure"):
            if g[req] is None:
                bad(row, req, None, "obligatoire", f"donnée requise par le schéma e-MJPM manquante ({req})",
                    ReasonCode.REQUIRED)
        siret = g["tribunal_siret"]
        court = None
        if siret is not None:
            siret = siret.replace(" ", "")
            if not _SIRET.match(siret):
                bad(row, "tribunal_siret", siret, "14 chiffres", "SIRET du tribunal invalide (14 chiffres attendus)",
                    ReasonCode.TYPE_TEXT)
            else:
                court = sirets.get(siret)
                if court is None:
                    bad(row, "tribunal_siret", siret, "tribunal connu", "SIRET inconnu : aucun tribunal judiciaire "
                        "ni tribunal de proximité de la liste e-MJPM ne porte ce numéro", ReasonCode.UNKNOWN_COURT)
        nature = g["nature_mesure"]
        if nature is not None and nature not in NATURES:
            bad(row, "nature_mesure", nature, "liste e-MJPM", "code inconnu ; codes e-MJPM admis : "
                + ", ".join(NATURES), ReasonCode.TYPE_TEXT)
        rev, cause = g["resultat_revision"], g["cause_sortie"]
        if rev is not None and rev not in REVISION_RESULTS:
            bad(row, "resultat_revision", rev, "liste e-MJPM", "code inconnu ; codes e-MJPM admis : "
                + ", ".join(REVISION_RESULTS), ReasonCode.TYPE_TEXT)
        if cause is not None and cause not in EXIT_CAUSES:
            bad(row, "cause_sortie", cause, "liste e-MJPM", "code inconnu ; codes e-MJPM admis : "
                + ", ".join(EXIT_CAUSES), ReasonCode.TYPE_TEXT)
        if rev in REVISION_REEXAMINES and g["date_protection_en_cours"] is None:
            bad(row, "date_protection_en_cours", None, "obligatoire si révision",
                f"date de la protection en cours manquante alors que la révision a donné « {rev} »",
                ReasonCode.REQUIRED)
        if (cause is not None or rev == "mainlevee") and g["date_fin_mesure"] is None:
            bad(row, "date_fin_mesure", None, "obligatoire si sortie",
                f"date de fin de mesure manquante alors que la sortie est indiquée (« {cause or rev} »)",
                ReasonCode.REQUIRED)
        if nature in NATURES and NATURES[nature] is None:
            left_out[nature] = left_out.get(nature, 0) + 1
            continue
        rtype = NATURES.get(nature or "")
        months = g["duree_mois"] or str(DEFAULT_MONTHS.get(rtype or "", DEFAULT_MONTHS_OTHER))
        renewed = g["date_protection_en_cours"] if rev in REVISION_REEXAMINES else None
        ends = cause in EXIT_ENDS or rev == "mainlevee" or (cause is None and g["date_fin_mesure"] is not None)
        if cause == "dessaisissement_famille" or rev == "dessaisissement_famille":
            mandataire = "familial"
            ends = cause in EXIT_ENDS and cause != "dessaisissement_famille"
        else:
            mandataire = "mjpm_service" if g["antenne_id"] else "mjpm_individuel"
        if g["date_premier_mesure"] is None:
            fallback_opening += 1
        out.append({
            "identifiant": f"emjpm-{g['id']}" if g["id"] else None,
            "juridiction": court,
            "type_mesure": rtype,
            "date_ouverture": g["date_premier_mesure"] or g["date_nomination"],
            "duree_mois": months,
            "date_dernier_renouvellement": renewed,
            "duree_renouvellement_mois": (g["duree_renouvellement_mois"] or months) if renewed else None,
            "date_fin": g["date_fin_mesure"] if ends else None,
            "type_mandataire": mandataire,
        })
        kept_rows.append(row)
    if problems:
        raise _refusal(name, problems)
    cols = [c.name for c in MESURES]
    frame = pd.DataFrame(out, columns=cols).astype("string")
    warnings = []
    if left_out:
        detail = ", ".join(f"{NATURE_LABELS[k]} : {format_number(v)}" for k, v in sorted(left_out.items()))
        warnings.append(f"{format_number(sum(left_out.values()))} mesure(s) e-MJPM hors du registre des mesures "
                        f"de protection judiciaire, non reprises ({detail}).")
    if fallback_opening:
        warnings.append(f"{format_number(fallback_opening)} mesure(s) sans date de première mesure : date "
                        "d'ouverture prise égale à la date de nomination du mandataire.")
    na = NA_ACCOUNTS + (() if has_durations else NA_LONG_RENEWAL)
    if not has_durations:
        warnings.append("Export e-MJPM sans durée : termes calculés avec les durées légales maximales "
                        "(5 ans, art. 441 ; 1 an pour une sauvegarde de justice, art. 439 ; renouvellement "
                        "pour la même durée, art. 442) ; mesures renouvelées pour plus de 5 ans : NA.")
    warnings.append("Comptes de gestion absents d'e-MJPM : indicateurs des comptes à NA.")
    raw = RawTable(frame=frame, rows=np.asarray(kept_rows, dtype="int64"), unknown_columns=(), file_name=name)
    buf = io.StringIO()
    frame.assign(ligne=raw.rows).to_csv(buf, index=False)
    return EmjpmExport(raw, warnings, na, buf.getvalue().encode("utf-8"))


def _refusal(name: str, problems: list[RegisterProblem]) -> ValidationError:
    n = len(problems)
    err = ValidationError(f"Export e-MJPM refusé : {format_number(n)} problème{'s' if n > 1 else ''} ; rien n'a "
                          "été enregistré.", problems[:500], Location(file=name), problems[0].reason)
    err.details["total"] = n
    return err


def relocate(exc: ValidationError) -> ValidationError:
    """The native validator's problems, named with the e-MJPM fields the user knows."""
    probs = [replace(p, column=SOURCE_FIELD.get(p.column or "", p.column)) if isinstance(p, RegisterProblem)
             else p for p in exc.problems]
    err = ValidationError(exc.message.replace("Fichier refusé", "Export e-MJPM refusé"), probs, exc.location,
                          exc.reason)
    err.details.update(exc.details)
    return err
