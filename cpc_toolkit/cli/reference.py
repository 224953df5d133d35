"""`cpc juridictions`: the court reference."""

from __future__ import annotations

import argparse

from cpc_toolkit import reference
from cpc_toolkit.cli.common import print_frame

KINDS = ("TJ", "TPI", "CA", "TSA", "TC", "TAE", "TMC")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("juridictions", help="liste les juridictions (carte judiciaire)",
                       description="Liste les juridictions de la carte judiciaire : tribunaux judiciaires, "
                                   "TPI, cours d'appel, TSA, tribunaux de commerce et des activités économiques.")
    p.add_argument("--type", choices=KINDS, help="type de juridiction (TJ, TPI, CA, TSA, TC, TAE, TMC)")
    p.add_argument("--cour", metavar="ID", help="cour d'appel de rattachement (ex. ca-lyon)")
    p.add_argument("--format", choices=("table", "csv"), default="table", help="format de sortie")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    df = reference.courts(kind=args.type, cour=args.cour)
    tae = reference.tae_tj_ids()
    out = df.assign(
        tae_depuis_2025=df["court_id"].map(lambda c: "oui" if c in tae else ""),
    )[["court_id", "kind", "name", "parent_ca_id", "departement_codes", "tae_depuis_2025"]]
    out = out.rename(columns={"court_id": "id", "kind": "type", "name": "nom", "parent_ca_id": "cour",
                              "departement_codes": "departements"})
    print_frame(out, args.format)
    return 0
