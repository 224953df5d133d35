"""`cpc indicateurs`: the catalogue, and every indicator of a court, a cour or the nation."""

from __future__ import annotations

import argparse

import pandas as pd

from cpc_toolkit import catalogue, reference
from cpc_toolkit.cli.common import print_frame, store_from_env
from cpc_toolkit.compute import results, unit_table
from cpc_toolkit.errors import UsageError
from cpc_toolkit.fr import format_value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "indicateurs", help="catalogue des indicateurs ; indicateurs d'une juridiction, d'une cour ou national",
        description="Affiche le catalogue des indicateurs (--catalogue) ou tous les indicateurs d'une "
                    "juridiction, d'une cour d'appel ou de la France entière pour une année.")
    p.add_argument("--catalogue", action="store_true", help="affiche le catalogue des indicateurs")
    p.add_argument("--juridiction", metavar="ID",
                   help="identifiant d'un TJ/TPI (ex. tj-lyon), d'une cour (ca-lyon) ou « national »")
    p.add_argument("--cour", metavar="ID", help="identifiant d'une cour d'appel (ex. ca-lyon)")
    p.add_argument("--national", action="store_true", help="indicateurs consolidés de la France entière")
    p.add_argument("--annee", type=int, metavar="AAAA", help="année de référence")
    p.add_argument("--famille", metavar="ID", help="limite à une famille (amiable, majeurs, vif…)")
    p.add_argument("--format", choices=("table", "csv", "md"), default="table",
                   help="format de sortie (md = Markdown, avec --catalogue seulement)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
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
    unit = args.juridiction or args.cour or (reference.NATIONAL if args.national else None)
    if unit is None:
        raise UsageError("Indiquez --catalogue, ou --juridiction ID / --cour ID / --national avec --annee.")
    reference.level_of(unit)
    store = store_from_env()
    if not store.exists():
        raise UsageError(f"Aucune donnée dans « {store.root} ». Lancez « cpc demo » ou importez des classeurs.")
    res = results(store)
    year = args.annee or int(res["year"].max())
    if year not in set(res["year"]):
        raise UsageError(f"Aucune donnée pour l'année {year} (années disponibles : "
                         f"{', '.join(str(y) for y in sorted(set(res['year'])))}).")
    print_frame(indicator_frame(res, unit, year, args.famille, args.format), args.format)
    return 0


def indicator_frame(res: pd.DataFrame, unit: str, year: int, family: str | None, fmt: str) -> pd.DataFrame:
    """French table of one unit-year: value, unit, status, coverage."""
    tab = unit_table(res, unit, year)
    if family:
        tab = tab[tab["family"] == catalogue.family(family).id]
    out = pd.DataFrame({
        "indicateur": tab["indicator_id"],
        "libellé": tab["label"],
        "valeur": [format_value(v if u not in ("text", "date") else t, u) if fmt == "table" else
                   (t if u in ("text", "date") else v)
                   for v, t, u in zip(tab["value"], tab["text"], tab["unit"], strict=True)],
        "unité": tab["unit"].map(catalogue.UNIT_LABELS),
        "statut": tab["status"].fillna("NA"),
        "motif_na": tab["na_reason"].fillna(""),
        "nature": tab["kind"].map(catalogue.KIND_LABELS),
    })
    if reference.level_of(unit) != "juridiction":
        out["couverture"] = [f"{int(a)}/{int(b)}" if pd.notna(a) else "" for a, b in
                             zip(tab["n_reporting"], tab["n_expected"], strict=True)]
        out["partiel"] = tab["partial"].map({True: "oui", False: "non"}).fillna("")
    return out
