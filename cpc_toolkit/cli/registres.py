"""`cpc registre …`: import case registers, list measures to review, document the columns."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TYPE_CHECKING

from cpc_toolkit import reference
from cpc_toolkit.cli.common import print_frame, store_from_env, unit_type, year_type
from cpc_toolkit.errors import ValidationError
from cpc_toolkit.fr import format_date, format_number, format_value
from cpc_toolkit.registers.schema import REGISTER_LABELS, REGISTER_TYPES, column_doc

if TYPE_CHECKING:
    import pandas as pd

CONFIDENTIAL_BANNER = ("⚠ Usage interne de la juridiction — données individuelles, à ne pas diffuser "
                       "(jamais dans les documents du CLPC).")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        try:
            return dt.datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"date invalide « {text} » (AAAA-MM-JJ ou JJ/MM/AAAA)") from exc


def _months(text: str) -> int:
    try:
        n = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"nombre de mois invalide « {text} »") from exc
    if not 0 <= n <= 120:
        raise argparse.ArgumentTypeError("le nombre de mois doit être compris entre 0 et 120")
    return n


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("registre", help="registres d'affaires : mesures, procédures, ordonnances",
                       description="Import des registres d'affaires exportés du logiciel de la juridiction "
                                   "(CSV, XLSX ou Parquet) et échéancier des mesures de protection.")
    rs = p.add_subparsers(dest="action", metavar="ACTION", title="actions")
    imp = rs.add_parser("importer", help="importe un registre (tout le fichier ou rien)",
                        description="Valide le fichier (toutes les erreurs sont listées, avec ligne et "
                                    "colonne), calcule les indicateurs par juridiction et par année et les "
                                    "enregistre. Un fichier déjà importé n'est pas réimporté.")
    imp.add_argument("--type", required=True, choices=REGISTER_TYPES, dest="type_registre",
                     help="nature du registre")
    imp.add_argument("fichier", metavar="FICHIER", help="export du registre (.csv, .xlsx, .parquet ; "
                                                        "e-MJPM : .json ou .csv)")
    imp.add_argument("--format", choices=("natif", "emjpm"), default="natif", dest="format_source",
                     help="natif (colonnes de « cpc registre colonnes », défaut) ou emjpm (export e-MJPM "
                          "des mandataires, --type mesures)")
    imp.add_argument("--annee", type=year_type, metavar="AAAA",
                     help="mesures : année dont le registre décrit la situation au 31 décembre "
                          "(défaut : l'année écoulée) ; procédures et ordonnances : ne retenir que cette année")
    imp.add_argument("--au", type=_date, metavar="DATE",
                     help="date de référence des procédures et OPPI en cours (défaut : aujourd'hui)")
    imp.set_defaults(func=run_import)
    ech = rs.add_parser("echeances", help="mesures de protection à réexaminer (usage interne)",
                        description="Liste les mesures échues non réexaminées et celles dont le terme "
                                    "tombe dans les prochains mois (art. 441 à 443 C. civ.). Usage interne "
                                    "de la juridiction : jamais dans les documents du CLPC.")
    ech.add_argument("--juridiction", required=True, metavar="ID", type=unit_type("juridiction"), help="identifiant, ex. tj-lyon")
    ech.add_argument("--dans", type=_months, default=6, metavar="MOIS", help="horizon en mois (défaut 6)")
    ech.add_argument("--au", type=_date, metavar="DATE", help="date de référence (défaut : aujourd'hui)")
    ech.add_argument("--format", choices=("table", "csv"), default="table", help="format de sortie")
    ech.set_defaults(func=run_echeances)
    ind = rs.add_parser("indicateurs", help="indicateurs par juridiction et par année, recalculés depuis les "
                                            "registres conservés (DuckDB, hors mémoire)",
                        description="Recalcule les indicateurs des registres conservés, par juridiction et par "
                                    "année, directement sur les fichiers Parquet (partitionnés par année et "
                                    "juridiction) avec DuckDB : un registre national de plusieurs années tient en "
                                    "mémoire bornée. Mêmes règles et mêmes résultats que l'import. Chiffres "
                                    "agrégés : aucune donnée individuelle.")
    ind.add_argument("--type", required=True, choices=REGISTER_TYPES, dest="type_registre",
                     help="nature du registre")
    ind.add_argument("--annee", type=year_type, action="append", metavar="AAAA",
                     help="année de registre (répétable ; défaut : toutes)")
    scope = ind.add_mutually_exclusive_group()
    scope.add_argument("--juridiction", metavar="ID", type=unit_type("juridiction"), help="une juridiction")
    scope.add_argument("--cour", metavar="ID", type=unit_type("cour"), help="les juridictions d'une cour d'appel")
    ind.add_argument("--au", type=_date, metavar="DATE",
                     help="procédures et OPPI en cours mesurées à cette date (défaut : aujourd'hui)")
    ind.add_argument("--format", choices=("table", "csv"), default="table", help="format de sortie")
    ind.set_defaults(func=run_indicators)
    col = rs.add_parser("colonnes", help="colonnes attendues d'un registre (et en-têtes acceptés)")
    col.add_argument("--type", required=True, choices=REGISTER_TYPES, dest="type_registre")
    col.add_argument("--format", choices=("table", "csv"), default="table")
    col.set_defaults(func=run_columns)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_import(args: argparse.Namespace) -> int:
    from cpc_toolkit.registers.importer import import_register

    store = store_from_env()
    try:
        res = import_register(store, args.type_registre, args.fichier, year=args.annee, as_of=args.au,
                              source_format=args.format_source)
    except ValidationError as exc:
        print(f"cpc : erreur : {exc.message}", file=sys.stderr)
        for prob in exc.problems:
            print(f"  - {prob}", file=sys.stderr)
        return 1
    label = REGISTER_LABELS[args.type_registre]
    if res.already_imported:
        when = res.already_imported.get("imported_at", "")[:10]
        print(f"Fichier « {res.file_name} » déjà importé ({label}, le "
              f"{format_date(dt.date.fromisoformat(when)) if when else '?'}) : rien à faire.")
        return 0
    print(f"{label.capitalize()} importé : {format_number(res.n_rows)} ligne(s), "
          f"{len(res.court_years)} juridiction(s)-année(s).")
    for w in res.warnings:
        print(f"Avertissement : {w}")

    from cpc_toolkit import catalogue

    values = res.values
    if len(res.court_years) > 3:  # national or cour-wide export: totals per year (medians omitted)
        print("Totaux par année (détail par juridiction : cpc indicateurs --juridiction ID) :")
        sums = values[values["indicator_id"].map(lambda i: catalogue.get(i).aggregation == "sum")]
        values = sums.groupby(["year", "indicator_id"], sort=False)["value"].sum().reset_index()
        values.insert(0, "court_id", f"{len(res.court_years)} juridictions-années")
    print_frame(_results_table(values), "table")
    return 0


def run_indicators(args: argparse.Namespace) -> int:
    from cpc_toolkit.errors import ReasonCode, RegisterError
    from cpc_toolkit.registers.duckdb_engine import stored_indicators

    courts = [args.juridiction] if args.juridiction else (reference.courts_of_cour(args.cour) if args.cour else None)
    values = stored_indicators(store_from_env().root, args.type_registre, years=args.annee, court_ids=courts,
                               as_of=args.au)
    if values.empty:
        raise RegisterError(f"Aucun {REGISTER_LABELS[args.type_registre]} conservé pour cette sélection "
                            "(commande : cpc registre importer).", ReasonCode.NOT_FOUND)
    if args.format == "csv":
        print_frame(values, "csv")
        return 0
    print(f"Indicateurs du {REGISTER_LABELS[args.type_registre]} ({len(values.groupby(['court_id', 'year']))} "
          "juridiction(s)-année(s)) :")
    print_frame(_results_table(values), "table")
    return 0


def _results_table(values: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    from cpc_toolkit import catalogue

    rows = []
    for court_id, year, indicator_id, value in values[["court_id", "year", "indicator_id", "value"]].itertuples(
            index=False, name=None):
        ind = catalogue.get(str(indicator_id))
        rows.append({"juridiction": court_id, "année": int(year), "indicateur": ind.label,
                     "valeur": format_value(value, ind.unit) if pd.notna(value) else "NA"})
    return pd.DataFrame(rows)


def run_echeances(args: argparse.Namespace) -> int:
    import pandas as pd

    from cpc_toolkit import catalogue
    from cpc_toolkit.registers.mesures import echeances

    reference.validate_scope(args.juridiction, "juridiction")
    as_of = args.au or dt.date.today()
    df = echeances(store_from_env().root, args.juridiction, args.dans, as_of)
    if args.format == "csv":
        print_frame(df, "csv")
        return 0
    print(CONFIDENTIAL_BANNER)
    print(f"{reference.court_name(args.juridiction)} — mesures échues ou à réexaminer d'ici "
          f"{format_value(args.dans, 'months', 0)} (au {format_date(as_of)}) : {format_number(len(df))}.")
    overdue = int((df["jours_restants"] < 0).sum())
    print(f"Dont échues non réexaminées : {format_number(overdue)}.")
    out = pd.DataFrame({
        "identifiant": df["identifiant"], "mesure": df["type_mesure"].str.replace("_", " "),
        "mandataire": df["type_mandataire"].fillna("").str.replace("_", " "),
        "ouverture": [format_date(d) for d in pd.to_datetime(df["date_ouverture"])],
        "terme": [format_date(d) for d in pd.to_datetime(df["terme"])],
        catalogue.unit("days").label: [format_number(int(x)) for x in df["jours_restants"]],
        "situation": df["situation"],
    })
    print_frame(out, "table")
    return 0


def run_columns(args: argparse.Namespace) -> int:
    import pandas as pd

    df = pd.DataFrame(column_doc(args.type_registre))
    if args.format == "table":
        print(f"Colonnes du {REGISTER_LABELS[args.type_registre]} (en-têtes comparés sans accents ni "
              "casse ; alias acceptés) :")
    print_frame(df, args.format)
    return 0



