"""``cpc tableau-de-bord``: serve the three Voilà dashboards (national, cour, juridiction)."""

from __future__ import annotations

import argparse
import os

from cpc_toolkit.settings import data_dir, reports_dir


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``tableau-de-bord``."""
    p = sub.add_parser(
        "tableau-de-bord",
        help="sert les tableaux de bord (national, cour d'appel, juridiction) avec Voilà",
        description=(
            "Sert les trois tableaux de bord interactifs avec Voilà autonome (jamais comme extension "
            "d'un serveur Jupyter) : sources masquées, erreurs affichées en français sans trace Python, "
            "paramètres d'adresse limités à annee, cour, juridiction, famille, indicateur "
            "(ex. ?cour=ca-lyon&annee=2025). Écoute sur 127.0.0.1 par défaut ; toute autre adresse "
            "exige un jeton d'accès."
        ),
    )
    p.add_argument("--port", type=int, default=8866, metavar="P", help="port d'écoute (défaut : 8866)")
    p.add_argument("--ip", default="127.0.0.1", metavar="ADRESSE",
                   help="adresse d'écoute (défaut : 127.0.0.1 ; une autre adresse exige --token)")
    p.add_argument("--base-url", default="/", metavar="URL",
                   help="préfixe des adresses derrière un mandataire inverse (ex. /tableaux/)")
    p.add_argument("--token", default=None, metavar="JETON",
                   help="jeton d'accès (défaut : variable $CPC_TABLEAU_JETON) ; obligatoire hors 127.0.0.1")
    p.add_argument("--rapports", default=None, metavar="DOSSIER",
                   help="dossier des rapports statiques liés (défaut : $CPC_RAPPORTS ou ./reports)")
    p.add_argument("--noyaux-prechauffes", type=int, default=1, metavar="N",
                   help="noyaux préchauffés par tableau de bord (défaut : 1 ; 0 pour désactiver)")
    p.add_argument("--noyaux-max", type=int, default=None, metavar="N",
                   help="noyaux vivants au plus, préchauffés compris (défaut : 40, environ 16 Go ; 0 : sans "
                        "limite) ; au-delà, les visiteurs reçoivent « serveur occupé » (HTTP 503)")
    p.add_argument("--noyaux-par-client", type=int, default=None, metavar="N",
                   help="noyaux vivants au plus par adresse cliente (défaut : 8 ; 0 : sans limite)")
    p.add_argument("--fermeture-noyaux", type=int, default=120, metavar="S",
                   help="arrêt d'un noyau sans page connectée après S secondes d'inactivité (défaut : 120)")
    p.add_argument("--fermeture-pages", type=int, default=None, metavar="S",
                   help="arrêt du noyau d'une page fermée (plus aucune connexion) après S secondes "
                        "(défaut : 30 ; 0 : attendre --fermeture-noyaux)")
    p.add_argument("--delai-cellule", type=int, default=120, metavar="S",
                   help="durée maximale de calcul d'un tableau de bord, en secondes (défaut : 120) ; "
                        "l'attente d'un noyau préchauffé n'est pas limitée")
    p.add_argument("--donnees", metavar="DOSSIER", default=argparse.SUPPRESS,
                   help="dossier des données (défaut : $CPC_DONNEES ou ./donnees)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cpc_toolkit.dashboard.server import (
        DEFAULT_MAX_KERNELS,
        DEFAULT_MAX_PER_CLIENT,
        ENV_TOKEN,
        ORPHAN_GRACE_S,
        ServerOptions,
        check_options,
        serve,
    )

    if getattr(args, "donnees", None):
        os.environ["CPC_DONNEES"] = args.donnees
    opts = check_options(ServerOptions(
        data_dir=data_dir(), reports_dir=reports_dir(args.rapports), port=args.port, ip=args.ip,
        base_url=args.base_url, token=args.token or os.environ.get(ENV_TOKEN) or None,
        preheat=args.noyaux_prechauffes > 0, pool_size=args.noyaux_prechauffes,
        cull_idle_seconds=args.fermeture_noyaux, cell_timeout_seconds=args.delai_cellule,
        orphan_grace_seconds=ORPHAN_GRACE_S if args.fermeture_pages is None else args.fermeture_pages,
        max_kernels=DEFAULT_MAX_KERNELS if args.noyaux_max is None else args.noyaux_max,
        max_kernels_per_client=DEFAULT_MAX_PER_CLIENT if args.noyaux_par_client is None else args.noyaux_par_client,
    ))
    if not (opts.data_dir / "store").exists():
        print(f"cpc : attention : aucune donnée dans « {opts.data_dir} » ; les tableaux de bord afficheront "
              "un message (cpc demo construit des données fictives).")
    host = f"[{opts.ip}]" if ":" in opts.ip else opts.ip
    print(f"Tableaux de bord : http://{host}:{opts.port}{opts.base_url} — données : {opts.data_dir} "
          "(Ctrl-C pour arrêter).", flush=True)
    return serve(opts)
