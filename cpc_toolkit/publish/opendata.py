"""Open-data bundle of a campaign (`cpc donnees-ouvertes`): CSV + Parquet + Frictionless Data Package.

Three tables — juridictions (TJ and TPI), cours d'appel, national — with one row per unit and one
typed column per indicator of the catalogue, its status (``ok``, ``NA``, ``NAP``, ``NQ``, as the CEPEJ
uses them) and, for consolidated levels, its coverage (courts that reported / courts expected). The
table schemas (titles, definitions, units, legal bases, formulas) come from the catalogue; a fourth
table is the catalogue itself (data dictionary).

Only engine results enter the bundle. Free-text indicators (the president's remarks to the CLPC)
are left out: they are not statistics and are not checked for personal data. Case registers'
rows and the confidential remontées never reach this module.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

from cpc_toolkit import __version__, catalogue, reference
from cpc_toolkit.compute import display_unit, results
from cpc_toolkit.compute.digest import catalogue_version, data_digest
from cpc_toolkit.errors import ReasonCode, UsageError
from cpc_toolkit.settings import DEMO_LABEL
from cpc_toolkit.store import Store, atomic_write_bytes

LEVELS = {
    "juridiction": ("indicateurs-juridictions", "Indicateurs par juridiction (tribunaux judiciaires et tribunaux "
                    "de première instance)"),
    "cour": ("indicateurs-cours", "Indicateurs consolidés par cour d'appel (et tribunal supérieur d'appel)"),
    "national": ("indicateurs-national", "Indicateurs consolidés au niveau national"),
}
STATUSES = ("ok", "NA", "NAP", "NQ")
LICENSE = {"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence version 2.0 (Etalab)",
           "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}
_TYPES = {"count": "integer", "percent": "number", "days": "number", "months": "number", "fte": "number",
          "boolean": "boolean", "date": "date"}


def _storage_unit(ind: catalogue.Indicator, level: str) -> str:
    """The unit that decides a column's type: a count computed as a ratio (per ETPT, per 100 000
    inhabitants) is a decimal number, not a whole count."""
    unit = display_unit(ind.id, level)
    return "fte" if unit == "count" and ind.aggregation == "ratio" else unit
STATUS_SUFFIX, REPORTING_SUFFIX, EXPECTED_SUFFIX = "__statut", "__transmis", "__attendus"


def published_indicators() -> tuple[catalogue.Indicator, ...]:
    """Indicators of the bundle: every catalogue indicator except free text."""
    return tuple(i for i in catalogue.indicators() if i.unit != "text")


@dataclass
class BundleResult:
    folder: Path
    year: int
    demo: bool
    files: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    digest: str = ""


def _unit_columns(level: str, ids: pd.Index) -> dict[str, list[str]]:
    names = [reference.court_name(u) for u in ids]
    if level == "juridiction":
        cts = reference.first_instance_courts()
        return {"code": list(ids), "nom": names, "type": [str(cts.at[u, "kind"]) for u in ids],
                "cour_appel": [str(cts.at[u, "parent_ca_id"]) for u in ids]}
    return {"code": list(ids), "nom": names}


def level_table(res: pd.DataFrame, year: int, level: str) -> pd.DataFrame:
    """One row per unit of ``level`` for ``year``: typed value, status and (consolidated) coverage (pure)."""
    sub = res[(res["year"] == year) & (res["level"] == level)]
    inds = published_indicators()
    units = pd.Index(sorted(pd.unique(sub["unit_id"])), name="unit_id")
    cols: dict[str, object] = {"annee": [int(year)] * len(units), **_unit_columns(level, units)}
    by = {iid: g.set_index("unit_id").reindex(units) for iid, g in sub.groupby("indicator_id", sort=False)}
    empty = pd.DataFrame(index=units, columns=["value", "text", "status", "n_reporting", "n_expected"])
    none = np.array(None)  # None as numpy's stubs accept it in np.where (an object scalar array)
    for ind in inds:
        g = by.get(ind.id, empty)
        ok = (g["status"] == "ok").to_numpy()
        unit = _storage_unit(ind, level)
        v: pd.Series
        if unit == "date":
            text = pd.Series(np.where(ok, g["text"].astype(object).to_numpy(), none), index=units, dtype="object")
            v = pd.to_datetime(text, errors="coerce").dt.date
        elif unit == "boolean":
            v = pd.Series(np.where(ok, (g["value"].astype(float) > 0).to_numpy(), none), index=units).astype("boolean")
        elif unit == "count":
            v = pd.Series(np.where(ok, g["value"].astype(float).to_numpy(), np.nan), index=units).round().astype("Int64")
        else:
            v = pd.Series(np.where(ok, g["value"].astype(float).to_numpy(), np.nan), index=units).astype("Float64")
        cols[ind.id] = v.to_numpy()
        cols[ind.id + STATUS_SUFFIX] = g["status"].fillna("NA").astype(str).to_numpy()
        if level != "juridiction":
            cols[ind.id + REPORTING_SUFFIX] = g["n_reporting"].fillna(0).astype("int64").to_numpy()
            cols[ind.id + EXPECTED_SUFFIX] = g["n_expected"].fillna(0).astype("int64").to_numpy()
    out = pd.DataFrame(cols)
    dtypes: dict[str, ExtensionDtype | np.dtype[np.object_]] = {
        "count": pd.Int64Dtype(), "boolean": pd.BooleanDtype(), "date": np.dtype(object)}
    for ind in inds:  # keep the nullable dtypes (the dict above went through numpy)
        unit = _storage_unit(ind, level)
        out[ind.id] = out[ind.id].astype(dtypes.get(unit, pd.Float64Dtype()))
    return out


def _field(ind: catalogue.Indicator, level: str) -> dict[str, object]:
    unit = display_unit(ind.id, level)
    desc = ind.definition
    if unit != ind.unit:
        desc += " Valeur consolidée : part des juridictions ayant répondu « oui » (%)."
    if ind.legal_basis:
        desc += f" Base légale : {ind.legal_basis}."
    f: dict[str, object] = {
        "name": ind.id, "title": ind.label, "description": desc, "type": _TYPES[_storage_unit(ind, level)],
        "cpc:unite": "% des juridictions" if unit != ind.unit else catalogue.UNIT_LABELS[unit],
        "cpc:famille": catalogue.family(ind.family).label, "cpc:nature": catalogue.KIND_LABELS[ind.kind],
        "cpc:agregation": catalogue.AGGREGATION_LABELS[ind.aggregation], "cpc:source": ind.source_label,
    }
    if ind.legal_basis:
        f["cpc:base_legale"] = ind.legal_basis
    if unit == "boolean":
        f["trueValues"], f["falseValues"] = ["true"], ["false"]
    if unit == "count" or unit == "percent":
        f["constraints"] = {"minimum": 0}
    return f


def table_schema(level: str, demo: bool) -> dict[str, object]:
    fields: list[dict[str, object]] = [
        {"name": "annee", "title": "Année", "type": "integer", "description": "Année de référence des données.",
         "constraints": {"required": True}},
        {"name": "code", "title": "Code", "type": "string", "constraints": {"required": True},
         "description": "Identifiant stable de l'unité (juridiction, cour d'appel, « national »)."},
        {"name": "nom", "title": "Nom", "type": "string", "description": "Nom officiel de l'unité."},
    ]
    if level == "juridiction":
        fields += [
            {"name": "type", "title": "Type", "type": "string", "constraints": {"enum": ["TJ", "TPI"]},
             "description": "TJ = tribunal judiciaire ; TPI = tribunal de première instance."},
            {"name": "cour_appel", "title": "Cour d'appel", "type": "string",
             "description": "Code de la cour d'appel (ou du tribunal supérieur d'appel) de rattachement."},
        ]
    for ind in published_indicators():
        fields.append(_field(ind, level))
        fields.append({"name": ind.id + STATUS_SUFFIX, "title": f"Statut — {ind.label}", "type": "string",
                       "constraints": {"required": True, "enum": list(STATUSES)},
                       "description": "Statut de la valeur : " + " ; ".join(
                           f"{k} = {v}" for k, v in catalogue.STATUS_LABELS.items()) + "."})
        if level != "juridiction":
            fields.append({"name": ind.id + REPORTING_SUFFIX, "title": f"Juridictions ayant transmis — {ind.label}",
                           "type": "integer", "constraints": {"minimum": 0},
                           "description": "Nombre de juridictions dont la donnée entre dans la valeur consolidée."})
            fields.append({"name": ind.id + EXPECTED_SUFFIX, "title": f"Juridictions attendues — {ind.label}",
                           "type": "integer", "constraints": {"minimum": 0},
                           "description": "Nombre de juridictions concernées (hors « non applicable »)."})
    if demo:
        fields.append({"name": "avertissement", "title": "Avertissement", "type": "string",
                       "description": "Données fictives : jeu de démonstration synthétique, sans valeur statistique."})
    return {"fields": fields, "missingValues": [""], "primaryKey": ["annee", "code"]}


def _dictionary() -> pd.DataFrame:
    df = catalogue.catalogue_frame()
    keep = {i.id for i in published_indicators()}
    return df[df["id"].isin(keep)].reset_index(drop=True)


def _dictionary_schema() -> dict[str, object]:
    desc = {"id": "Identifiant de l'indicateur (nom de colonne des tables).", "famille": "Famille d'indicateurs.",
            "libellé": "Libellé.", "définition": "Définition.", "unité": "Unité.", "base légale": "Base légale.",
            "nature": "Saisi au classeur, issu d'un registre d'affaires ou calculé.", "formule": "Formule (calculés).",
            "source": "Source de la donnée.", "agrégation": "Règle de consolidation (cour, national).",
            "sens": "Sens d'évolution.", "feuille": "Feuille du classeur de collecte.",
            "obligatoire": "Saisie obligatoire (oui/non)."}
    return {"fields": [{"name": c, "type": "string", "description": d} for c, d in desc.items()],
            "missingValues": [""], "primaryKey": ["id"]}


def _is_demo(store: Store, year: int) -> bool:
    subs = store.submissions(include_superseded=False)
    if subs.empty or "demo" not in subs.columns:
        return False
    subs = subs[subs["year"] == year]
    return bool(subs["demo"].fillna(False).astype(bool).any())


def _sources(store: Store) -> list[dict[str, str]]:
    from cpc_toolkit.registers import emjpm, storage

    out = [
        {"title": "Classeurs de collecte des juridictions (circulaire de politique civile CIV/06/2025 du 27 juin "
                  "2025), importés et contrôlés par cpc_toolkit"},
        {"title": "Registres d'affaires des juridictions (mesures de protection, procédures, ordonnances de "
                  "protection) : seuls les indicateurs agrégés par juridiction sont publiés"},
        {"title": reference.ATTRIBUTION},
    ]
    if any(e.get("format") == "emjpm" for e in storage.imports_log(store.root)):
        out.append({"title": emjpm.ATTRIBUTION, "path": "https://github.com/SocialGouv/schema-pjm"})
    return out


def _write_csv(df: pd.DataFrame, path: Path, sep: str) -> None:
    text = df.to_csv(index=False, sep=sep, lineterminator="\n", na_rep="")
    atomic_write_bytes(path, text.encode("utf-8"))


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    import io

    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    atomic_write_bytes(path, buf.getvalue())


def _csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Booleans as true/false for the CSV (the Parquet keeps native types)."""
    out = df.copy()
    for c in out.columns:
        if str(out[c].dtype) == "boolean":
            out[c] = out[c].map({True: "true", False: "false"}).astype(object)
    return out


def build_bundle(store: Store, year: int, folder: str | Path, sep: str = ",",
                 today: dt.date | None = None) -> BundleResult:
    """Write the open-data bundle of ``year`` into ``folder`` (created); return what was written."""
    if sep not in (",", ";"):
        raise UsageError(f"Séparateur non pris en charge : « {sep} » (« , » ou « ; »).", ReasonCode.USAGE)
    if not store.exists():
        raise UsageError(f"Aucune donnée dans « {store.root} » : lancez « cpc demo » ou importez des classeurs.",
                         ReasonCode.NOT_FOUND)
    res = results(store)
    years = sorted(int(y) for y in pd.unique(res["year"]))
    if year not in years:
        raise UsageError(f"Aucune donnée pour l'année {year} (années disponibles : "
                         f"{', '.join(str(y) for y in years) or 'aucune'}).", ReasonCode.UNKNOWN_YEAR)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    demo = _is_demo(store, year)
    out = BundleResult(folder, year, demo, digest=data_digest(res, year))
    resources: list[dict[str, object]] = []
    tables = {level: level_table(res, year, level) for level in LEVELS}
    tables_named = [(LEVELS[lv][0], LEVELS[lv][1], df, table_schema(lv, demo)) for lv, df in tables.items()]
    tables_named.append(("dictionnaire-indicateurs", "Dictionnaire des indicateurs (catalogue)", _dictionary(),
                         _dictionary_schema()))
    for name, title, df, schema in tables_named:
        if demo and name != "dictionnaire-indicateurs":
            df = df.assign(avertissement=DEMO_LABEL)
        base = f"{name}-{year}" if name != "dictionnaire-indicateurs" else name
        csv_path, pq_path = folder / f"{base}.csv", folder / f"{base}.parquet"
        _write_csv(_csv_ready(df), csv_path, sep)
        _write_parquet(df, pq_path)
        out.files += [csv_path, pq_path]
        out.rows[name] = len(df)
        schema_path = folder / f"schema-{name}.json"
        atomic_write_bytes(schema_path, json.dumps(schema, ensure_ascii=False).encode("utf-8"))
        out.files.append(schema_path)
        dialect = {"delimiter": sep, "header": True}
        resources.append({"name": name, "title": title, "path": csv_path.name, "format": "csv",
                          "mediatype": "text/csv", "encoding": "utf-8", "dialect": dialect,
                          "schema": schema_path.name})
        # the same table in Parquet (native types): described by the same schema, checked as a file
        resources.append({"name": f"{name}-parquet", "title": f"{title} (Parquet)", "path": pq_path.name,
                          "type": "file", "format": "parquet", "mediatype": "application/vnd.apache.parquet",
                          "description": f"Même table que « {csv_path.name} », types natifs Parquet.",
                          "cpc:schema": schema_path.name})
    today = today or dt.date.today()
    title = f"Indicateurs de la politique civile {year} — juridictions, cours d'appel, national"
    if demo:
        title = f"{DEMO_LABEL} — {title}"
    sources = _sources(store)
    package = {
        "name": f"cpc-indicateurs-politique-civile-{year}",
        "title": title,
        "description": ("Indicateurs de la circulaire de politique civile CIV/06/2025 du 27 juin 2025, par "
                        "tribunal judiciaire, par cour d'appel et au niveau national, avec leur statut "
                        "(NA, NAP, NQ) et la couverture de la collecte. Définitions, unités et bases légales : "
                        "catalogue des indicateurs de cpc_toolkit.")
        + (f" {DEMO_LABEL} : jeu de démonstration synthétique, sans valeur statistique." if demo else ""),
        "version": f"{year}.{out.digest}",
        "created": dt.datetime.combine(today, dt.time(), dt.UTC).isoformat().replace("+00:00", "Z"),
        "licenses": [LICENSE],
        "sources": sources,
        "keywords": ["justice", "politique civile", "tribunal judiciaire", "cour d'appel", "CLPC"],
        "language": "fr",
        "cpc:donnees_fictives": demo,
        "cpc:version_outil": __version__,
        "cpc:version_catalogue": catalogue_version(),
        "cpc:etat_donnees": str(store.manifest().get("tag", "")),
        "cpc:empreinte_donnees": out.digest,
        "resources": resources,
    }
    dp = folder / "datapackage.json"
    atomic_write_bytes(dp, (json.dumps(package, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    readme = folder / "LISEZMOI.md"
    atomic_write_bytes(readme, _lisezmoi(out, tables, sep, today, sources).encode("utf-8"))
    out.files += [dp, readme]
    return out


def _lisezmoi(out: BundleResult, tables: dict[str, pd.DataFrame], sep: str, today: dt.date,
              sources: list[dict[str, str]]) -> str:
    from cpc_toolkit.fr import format_date, format_number

    y = out.year
    n_ind = len(published_indicators())
    lines = [f"# Indicateurs de la politique civile {y} — données ouvertes", ""]
    if out.demo:
        lines += [f"> **{DEMO_LABEL}.** Jeu construit à partir des données de démonstration synthétiques ; chaque "
                  "ligne des tables porte la colonne « avertissement ».", ""]
    lines += [
        f"Produit le {format_date(today)} par cpc_toolkit {__version__} (catalogue {catalogue_version()} ; "
        f"empreinte des données : `{out.digest}`).",
        "",
        "## Contenu",
        "",
        "| Fichier | Contenu | Lignes |",
        "|---|---|---|",
    ]
    for level, (name, title) in LEVELS.items():
        lines.append(f"| `{name}-{y}.csv` / `.parquet` | {title} | {format_number(len(tables[level]))} |")
    lines += [
        f"| `dictionnaire-indicateurs.csv` / `.parquet` | Dictionnaire : définition, unité, base légale, formule, "
        f"règle de consolidation de chacun des {n_ind} indicateurs | {format_number(n_ind)} |",
        "| `datapackage.json`, `schema-*.json` | Description normalisée (Frictionless Data Package) : schéma "
        "de chaque table (types, unités, définitions, bases légales), licence, sources | |",
        "",
        "## Lire les tables",
        "",
        f"- CSV en UTF-8, séparateur « {sep} », point décimal ; les mêmes tables en Parquet.",
        f"- Une ligne par unité (juridiction, cour d'appel, {reference.national_name()}) ; une colonne par indicateur, dont le "
        "nom est l'identifiant du catalogue (voir le dictionnaire).",
        "- `<indicateur>__statut` : `ok` (valeur renseignée), `NA` (non disponible), `NAP` (non applicable), "
        "`NQ` (fournie, qualité en cours de vérification), comme à la CEPEJ. Une valeur absente n'est jamais "
        "un zéro.",
        "- Niveaux consolidés : `<indicateur>__transmis` / `<indicateur>__attendus` = juridictions dont la donnée "
        "entre dans la valeur / juridictions concernées. Les sommes additionnent les juridictions ; les taux sont "
        "recalculés sur les numérateurs et dénominateurs sommés (jamais une moyenne de taux) ; les indicateurs "
        "oui/non deviennent la part des juridictions ayant répondu « oui ».",
        "- Les textes libres des présidents (priorités, projets…) ne sont pas publiés ici. Aucune donnée "
        "individuelle (affaire, personne, entreprise) n'entre dans ce jeu.",
        "",
        "## Licence et sources",
        "",
        "- Licence Ouverte / Open Licence version 2.0 (Etalab) : "
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/ — réutilisation libre, y compris commerciale, "
        "sous réserve de mentionner la source et la date de mise à jour.",
        "- Sources :",
        *[f"  - {s['title']}" + (f" ({s['path']})" if s.get("path") else "") for s in sources],
        "",
        "Vérifier le paquet : `frictionless validate datapackage.json`.",
        "",
    ]
    return "\n".join(lines)
