"""`cpc donnees-ouvertes`: the open-data bundle of a campaign (CSV, Parquet, Data Package, LISEZMOI)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "donnees-ouvertes", help="jeu de données ouvertes d'une année (CSV, Parquet, datapackage.json)",
        description="Écrit les indicateurs d'une année par juridiction, par cour d'appel et au niveau national "
                    "en CSV (UTF-8) et Parquet, avec leur description normalisée (Frictionless Data Package : "
                    "types, unités, définitions, bases légales, licence Ouverte Etalab 2.0, sources) et un "
                    "LISEZMOI. Seuls les résultats agrégés y entrent ; aucune donnée individuelle.")
    p.add_argument("--annee", type=int, required=True, metavar="AAAA", help="année publiée")
    p.add_argument("--sortie", required=True, metavar="DOSSIER", help="dossier où écrire le jeu (créé au besoin)")
    p.add_argument("--separateur", choices=(",", ";"), default=",", metavar="CAR",
                   help="séparateur des CSV : « , » (défaut) ou « ; »")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cpc_toolkit.cli.common import store_from_env
    from cpc_toolkit.fr import format_number
    from cpc_toolkit.publish import build_bundle
    from cpc_toolkit.settings import DEMO_LABEL

    res = build_bundle(store_from_env(), args.annee, args.sortie, sep=args.separateur)
    if res.demo:
        print(f"⚠ {DEMO_LABEL}")
    counts = ", ".join(f"{name} : {format_number(n)} ligne(s)" for name, n in res.rows.items())
    print(f"Données ouvertes {res.year} écrites dans « {res.folder} » ({len(res.files)} fichiers ; {counts}).")
    print(f"Empreinte des données : {res.digest}. Vérification : frictionless validate "
          f"{res.folder / 'datapackage.json'}")
    return 0
