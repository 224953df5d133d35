"""`cpc indicateurs`: the catalogue, and every indicator of a court, a cour or the nation."""

from __future__ import annotations

import argparse

from cpc_toolkit.cli.common import print_frame, unit_type, year_type
from cpc_toolkit.errors import UsageError

VIEWS = ("synthese", "indicateurs", "comparaisons", "series", "alertes", "faits-marquants", "couverture",
         "regles")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "indicateurs", help="catalogue des indicateurs ; indicateurs d'une juridiction, d'une cour ou national",
        description="Affiche le catalogue des indicateurs (--catalogue) ou tous les indicateurs d'une "
                    "juridiction, d'une cour ou au niveau national pour une année.")
    p.add_argument("--catalogue", action="store_true", help="affiche le catalogue des indicateurs")
    p.add_argument("--juridiction", metavar="ID", type=unit_type(),
                   help="identifiant d'un TJ/TPI (ex. tj-lyon), d'une cour (ca-lyon) ou « national »")
    p.add_argument("--cour", metavar="ID", type=unit_type("cour"), help="identifiant d'une cour d'appel (ex. ca-lyon)")
    p.add_argument("--national", action="store_true", help="indicateurs consolidés au niveau national")
    p.add_argument("--annee", type=year_type, metavar="AAAA", help="année de référence")
    p.add_argument("--famille", metavar="ID", help="limite à une famille (amiable, majeurs, vif…)")
    p.add_argument("--format", choices=("table", "csv", "md"), default="table",
                   help="format de sortie (md = Markdown, avec --catalogue seulement)")
    views = p.add_argument_group("vues (une juridiction, une cour ou national)")
    views.add_argument("--vue", choices=VIEWS, default="synthese",
                       help="synthese (défaut : valeurs, évolution, rangs, alertes, faits marquants), "
                            "indicateurs, comparaisons, series, alertes, faits-marquants, couverture, regles")
    for flag, view, text in (("--comparaisons", "comparaisons", "évolution et position (cour, national, taille)"),
                             ("--series", "series", "séries sur toutes les années disponibles"),
                             ("--liste-alertes", "alertes", "alertes (règle, valeur, seuil, base légale)"),
                             ("--faits-marquants", "faits-marquants", "faits marquants (phrases)"),
                             ("--couverture", "couverture", "couverture de la collecte par cour"),
                             ("--regles", "regles", "règles d'alerte en vigueur")):
        views.add_argument(flag, dest="vue", action="store_const", const=view, help=f"= --vue {view} : {text}")
    p.add_argument("--alertes", metavar="FICHIER",
                   help="fichier YAML de seuils d'alerte (s'ajoute aux défauts et à <donnees>/alertes.yaml)")
    p.add_argument("--indicateur", metavar="ID", action="append",
                   help="limite à un indicateur (répétable) ; ex. act_cg_taux_couverture")
    p.add_argument("-n", "--nombre", type=int, default=6, metavar="N", help="nombre de faits marquants (6)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cpc_toolkit import catalogue
    from cpc_toolkit.cli.indicateurs_views import run_unit

    if args.catalogue:
        if args.format == "md":
            if args.famille:
                raise UsageError("--format md produit le catalogue complet : retirez --famille.")
            print(catalogue.catalogue_markdown(), end="")
            return 0
        df = catalogue.catalogue_frame()
        if args.famille:
            df = df[df["famille"] == catalogue.family(args.famille).label]
        if args.format == "table":
            df = df[["id", "libellé", "unité", "nature", "agrégation", "base légale"]]
        print_frame(df, args.format)
        return 0
    if args.format == "md":
        raise UsageError("--format md n'est disponible qu'avec --catalogue.")
    return run_unit(args)
