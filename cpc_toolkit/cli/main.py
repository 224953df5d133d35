"""Entry point of the ``cpc`` command (French help and messages)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from cpc_toolkit import __version__
from cpc_toolkit.cli import _argparse_fr
from cpc_toolkit.errors import CpcError, UsageError
from cpc_toolkit.lean import skip_iri_grammars

# Each module exposes register(subparsers); order = order in `cpc --aide`. Adding a command is one entry
# here. Rule: a cli module's top level stays light (standard library, argparse, cpc_toolkit.cli.common,
# errors, fr, reference, settings, registers.schema); pandas, the store and the back ends are imported inside
# the handlers (tests/foundation/test_cli_speed.py imports every module listed here and checks it).
COMMAND_MODULES = (
    "cpc_toolkit.cli.reference",
    "cpc_toolkit.cli.indicateurs",
    "cpc_toolkit.cli.projection",
    "cpc_toolkit.cli.demo",
    "cpc_toolkit.cli.collecte",
    "cpc_toolkit.cli.registres",
    "cpc_toolkit.cli.rapports",
    "cpc_toolkit.cli.donnees_ouvertes",
    "cpc_toolkit.cli.tableau",
    "cpc_toolkit.cli.remontees",
)

DESCRIPTION = (
    "cpc_toolkit — suivi de la politique civile (circulaire CIV/06/2025 du 27 juin 2025) : "
    "classeurs de collecte, import validé, indicateurs consolidés juridiction → cour d'appel → "
    "national, rapports CLPC, chef de cour et national, tableaux de bord."
)


def build_parser() -> argparse.ArgumentParser:
    parser = _argparse_fr.FrenchParser(prog="cpc", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"cpc_toolkit {__version__}",
                        help="affiche la version et quitte")
    parser.add_argument("--donnees", metavar="DOSSIER",
                        help="dossier des données (défaut : $CPC_DONNEES ou ./donnees)")
    sub = parser.add_subparsers(dest="commande", metavar="COMMANDE", title="commandes",
                                parser_class=_argparse_fr.FrenchParser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    skip_iri_grammars()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --aide, --version, usage errors (French message already printed)
        return exc.code if isinstance(exc.code, int) else 2
    if args.donnees:
        os.environ["CPC_DONNEES"] = args.donnees
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"cpc : erreur : {exc.message}", file=sys.stderr)
        return 2
    except CpcError as exc:
        print(f"cpc : erreur : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cpc : interrompu.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
