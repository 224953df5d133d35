"""Collecte commands: `cpc modeles`, `cpc importer`, `cpc depots`."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from cpc_toolkit import reference
from cpc_toolkit.cli.common import print_frame, store_from_env, unit_type, year_type
from cpc_toolkit.errors import ReasonCode, UsageError
from cpc_toolkit.fr import format_date, format_value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("modeles", help="génère les classeurs de collecte (.xlsx) à envoyer aux juridictions",
                       description="Génère, à partir du catalogue des indicateurs, le classeur de collecte "
                                   "clpc_<annee>_<juridiction>.xlsx de chaque juridiction demandée (ou le modèle "
                                   "vierge).")
    p.add_argument("--annee", type=year_type, required=True, metavar="AAAA", help="année de référence de la collecte")
    scope = p.add_mutually_exclusive_group(required=True)
    scope.add_argument("--juridiction", metavar="ID", type=unit_type("juridiction"), help="une juridiction (ex. tj-lyon)")
    scope.add_argument("--cour", metavar="ID", type=unit_type("cour"), help="toutes les juridictions d'une cour d'appel (ex. ca-lyon)")
    scope.add_argument("--toutes", action="store_true", help="les 168 juridictions (TJ et TPI)")
    scope.add_argument("--vierge", action="store_true",
                       help="le modèle vierge clpc_<annee>_modele.xlsx (identité à saisir par la juridiction)")
    p.add_argument("--sortie", metavar="DOSSIER", default="modeles", help="dossier de sortie (défaut : ./modeles)")
    p.add_argument("--date-limite", metavar="TEXTE", help="date limite de retour affichée dans « Lisez-moi »")
    p.add_argument("--contact", metavar="TEXTE", help="contact affiché dans « Lisez-moi »")
    p.add_argument("--remontees", action="store_true",
                   help="classeur CONFIDENTIEL des remontées d'information à la DACS du parquet général (avec --cour)")
    p.set_defaults(func=run_modeles)

    p = sub.add_parser("importer", help="valide et importe des classeurs de collecte remplis",
                       description="Valide chaque classeur en entier (tous les problèmes d'un coup), puis l'accepte "
                                   "ou le refuse en bloc. Tout fichier reçu est archivé à l'octet près. Code de "
                                   "sortie : 0 si tout est accepté, 1 si un fichier est refusé, 2 en cas d'erreur "
                                   "d'utilisation.")
    p.add_argument("fichiers", nargs="+", metavar="FICHIER", help="classeurs .xlsx (ou dossiers qui en contiennent)")
    p.add_argument("--juridiction", metavar="ID", type=unit_type("juridiction"), help="juridiction attendue (refuse un classeur d'une autre)")
    p.add_argument("--annee", type=year_type, metavar="AAAA", help="année attendue (refuse un classeur d'une autre)")
    p.add_argument("--rapports-erreurs", metavar="DOSSIER",
                   help="dossier des rapports d'erreurs (défaut : <donnees>/archive/rapports-erreurs)")
    p.add_argument("--format", choices=("texte", "csv"), default="texte",
                   help="texte (défaut) ou csv (table des problèmes sur la sortie standard)")
    p.add_argument("--processus", type=int, metavar="N", help="processus de validation en parallèle (défaut : 2)")
    p.add_argument("--sans-progression", action="store_true", help="n'affiche pas la barre de progression")
    p.set_defaults(func=run_importer)

    p = sub.add_parser("depots", help="historique des dépôts et juridictions n'ayant pas encore transmis",
                       description="Liste les versions de classeurs déposées (en vigueur et remplacées) et, pour "
                                   "une année, les juridictions qui n'ont pas encore transmis leur classeur.")
    p.add_argument("--juridiction", metavar="ID", type=unit_type("juridiction"), help="une juridiction")
    p.add_argument("--cour", metavar="ID", type=unit_type("cour"), help="les juridictions d'une cour d'appel")
    p.add_argument("--annee", type=year_type, metavar="AAAA", help="année de référence")
    p.add_argument("--refus", action="store_true", help="liste aussi les fichiers refusés (reçus archivés)")
    p.add_argument("--format", choices=("table", "csv"), default="table", help="format de sortie")
    p.set_defaults(func=run_depots)


def run_modeles(args: argparse.Namespace) -> int:
    from cpc_toolkit.collect.workbook import write_blank_template, write_workbooks

    if args.remontees:  # remontées d'information (DACS): generator owned by cpc_toolkit.remontees
        from cpc_toolkit.cli.remontees import modele_from_modeles

        return modele_from_modeles(args)
    out = Path(args.sortie)
    if args.vierge:
        path = write_blank_template(args.annee, out)
        print(f"Modèle vierge {args.annee} : {path}")
        return 0
    if args.juridiction:
        row = reference.court(args.juridiction)
        if row["kind"] not in reference.FIRST_INSTANCE_KINDS:
            raise UsageError(f"« {args.juridiction} » n'est pas un TJ ni un TPI : pour une cour d'appel, utilisez "
                             "--cour.", ReasonCode.UNKNOWN_COURT)
        ids = [args.juridiction]
    elif args.cour:
        ids = reference.courts_of_cour(args.cour)
    else:
        ids = list(reference.first_instance_courts()["court_id"])
    paths = write_workbooks(ids, args.annee, out, deadline=args.date_limite, contact=args.contact)
    print(f"{len(paths)} classeur(s) de collecte {args.annee} écrit(s) dans {out} :")
    for p in paths[:10]:
        print(f"  {p.name}")
    if len(paths) > 10:
        print(f"  … et {len(paths) - 10} autres.")
    return 0


def run_importer(args: argparse.Namespace) -> int:
    from cpc_toolkit.collect import import_files, problems_frame
    from cpc_toolkit.collect.archive import OUTCOME_LABELS
    from cpc_toolkit.collect.problems import PROBLEM_LABELS

    if args.juridiction:
        reference.court(args.juridiction)
    store = store_from_env()
    outcomes = import_files(args.fichiers, store, expected_court=args.juridiction, expected_year=args.annee,
                            report_dir=Path(args.rapports_erreurs) if args.rapports_erreurs else None,
                            jobs=args.processus, progress=False if args.sans_progression else None)
    if args.format == "csv":
        df = problems_frame([p for o in outcomes for p in o.problems])
        print_frame(df.rename(columns=PROBLEM_LABELS), "csv")
    else:
        for o in outcomes:
            head = "✔" if o.outcome == "accepted" else ("=" if o.outcome == "duplicate" else "✘")
            who = f" — {o.court_id} {o.year}" if o.court_id and o.year else ""
            extra = ""
            if o.outcome == "accepted":
                version = o.submission_id.split(":")[3] if o.submission_id else ""
                extra = f" ({version}, {len(o.warnings)} avertissement(s))"
            elif o.outcome == "rejected":
                extra = f" : {len(o.errors)} erreur(s), {len(o.warnings)} avertissement(s)"
            print(f"{head} {o.name}{who} : {OUTCOME_LABELS[o.outcome]}{extra}")
            if o.outcome != "duplicate":
                shown = o.problems if o.outcome == "rejected" or len(outcomes) <= 20 else ()
                for p in shown:
                    print(f"    {p.describe()}")
            if o.error_report:
                print(f"    Rapport d'erreurs : {o.error_report}")
        n = {k: sum(o.outcome == k for o in outcomes) for k in OUTCOME_LABELS}
        print(f"Bilan : {n['accepted']} accepté(s), {n['rejected']} refusé(s), {n['duplicate']} déjà reçu(s) "
              f"sur {len(outcomes)} fichier(s). Archive : {store.root / 'archive'}")
    return 1 if any(o.outcome == "rejected" for o in outcomes) else 0


def _when(iso: object) -> str:
    if not isinstance(iso, str) or not iso:
        return ""
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{format_date(t.date())} {t:%H:%M} UTC"


def run_depots(args: argparse.Namespace) -> int:
    import pandas as pd

    from cpc_toolkit.collect import completeness, rejections, versions
    from cpc_toolkit.settings import DEMO_LABEL

    if args.juridiction:
        reference.court(args.juridiction)
    store = store_from_env()
    vers = versions(store, court_id=args.juridiction, year=args.annee, cour=args.cour)
    table = pd.DataFrame({
        "juridiction": vers["court_id"], "année": vers["year"], "version": vers["version"],
        "statut": vers["status"].map({"accepted": "en vigueur", "superseded": "remplacée"}),
        "reçu le": vers["received_at"].map(_when), "fichier": vers["file_name"],
        "sha256": vers["sha256"].str[:12], "valeurs": vers["n_values"], "avertissements": vers["n_warnings"],
    })
    year = args.annee
    if year is None:
        year = int(vers["year"].max()) if len(vers) else dt.date.today().year - 1
    comp = None if args.juridiction else completeness(store, year, args.cour)
    if args.format == "csv":
        print_frame(comp if comp is not None else table, "csv")
        return 0
    if len(vers) and vers["demo"].astype(bool).any():
        print(f"⚠ {DEMO_LABEL}.")
    print(f"Versions déposées ({len(table)}) :")
    print_frame(table, "table")
    if args.refus:
        rej = rejections(store, args.juridiction, args.annee)
        print(f"\nFichiers refusés ({len(rej)}) :")
        print_frame(pd.DataFrame({"reçu le": rej["received_at"].map(_when), "fichier": rej["file_name"],
                                  "juridiction": rej["court_id"], "année": rej["year"], "erreurs": rej["n_errors"],
                                  "rapport": rej["error_report"]}), "table")
    if comp is not None:
        n, total = int(comp["submitted"].sum()), len(comp)
        scope = f"de {reference.court_name(args.cour)} " if args.cour else ""
        print(f"\nComplétude {year} : {n}/{total} juridictions {scope}ont transmis leur classeur "
              f"({format_value(100 * n / total if total else 0, 'percent')}).")
        missing = comp[~comp["submitted"]]
        print(f"N'ont pas encore transmis ({len(missing)}) :")
        print_frame(pd.DataFrame({"juridiction": missing["court_id"], "nom": missing["name"],
                                  "cour": missing["cour"]}), "table")
    return 0
