"""`cpc juridictions`: the court reference (read without pandas)."""

from __future__ import annotations

import argparse

from cpc_toolkit.cli.common import print_rows, unit_type

KINDS = ("TJ", "TPI", "CA", "TSA", "TC", "TAE", "TMC")
COLUMNS = {"court_id": "id", "kind": "type", "name": "nom", "parent_ca_id": "cour",
           "departement_codes": "departements", "tae_depuis_2025": "tae_depuis_2025"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("juridictions", help="liste les juridictions (carte judiciaire)",
                       description="Liste les juridictions de la carte judiciaire : tribunaux judiciaires, "
                                   "TPI, cours d'appel, TSA, tribunaux de commerce et des activités économiques.")
    p.add_argument("--type", choices=KINDS, help="type de juridiction (TJ, TPI, CA, TSA, TC, TAE, TMC)")
    p.add_argument("--cour", metavar="ID", type=unit_type("cour"), help="cour d'appel de rattachement (ex. ca-lyon)")
    p.add_argument("--format", choices=("table", "csv"), default="table", help="format de sortie")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cpc_toolkit import reference

    tae = reference.tae_tj_ids()
    rows = [{COLUMNS[k]: r[k] for k in ("court_id", "kind", "name", "parent_ca_id", "departement_codes")}
            | {"tae_depuis_2025": "oui" if r["court_id"] in tae else ""}
            for r in reference.court_rows(kind=args.type, cour=args.cour)]
    print_rows(rows, list(COLUMNS.values()), args.format)
    return 0
