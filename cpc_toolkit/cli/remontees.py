"""`cpc remontees`: confidential register of remontées d'information to the DACS (circulaire §2.2)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cpc_toolkit import reference
from cpc_toolkit.cli.common import print_frame, unit_type, year_type
from cpc_toolkit.errors import ReasonCode, UsageError
from cpc_toolkit.fr import format_date, format_number
from cpc_toolkit.settings import data_dir

DESCRIPTION = (
    "Registre CONFIDENTIEL des remontées d'information à la DACS (circulaire du 27 juin 2025, § 2.2) : "
    "classeurs des parquets généraux, import validé, procédures à signaler, fiches et registre national. "
    "Tout est conservé dans <donnees>/confidentiel/ (accès réservé au propriétaire)."
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("remontees", help="remontées d'information à la DACS (registre confidentiel)",
                       description=DESCRIPTION)
    s = p.add_subparsers(dest="action", metavar="ACTION", title="actions")

    m = s.add_parser("modele", help="classeur de collecte d'un parquet général",
                     description="Génère le classeur vierge des remontées d'un parquet général pour une année "
                                 "(équivalent de « cpc modeles --remontees »).")
    m.add_argument("--cour", required=True, metavar="ID", type=unit_type("cour"), help="cour d'appel (ex. ca-lyon)")
    m.add_argument("--annee", required=True, type=year_type, metavar="AAAA", help="année des signalements")
    m.add_argument("--sortie", default=".", metavar="DOSSIER", help="dossier de sortie (défaut : dossier courant)")
    m.set_defaults(func=run_modele)

    i = s.add_parser("importer", help="importe des classeurs remplis (tout ou rien par fichier)",
                     description="Valide entièrement chaque classeur, puis l'accepte ou le refuse en bloc. "
                                 "Code de sortie 0 si tout est accepté, 1 si un fichier est refusé.")
    i.add_argument("fichiers", nargs="+", metavar="FICHIER", help="classeur(s) .xlsx")
    i.set_defaults(func=run_importer)

    c = s.add_parser("candidats", help="procédures à signaler qui ne l'ont pas encore été",
                     description="Procédures collectives du registre des procédures de plus de 250 salariés "
                                 "ou signalées stratégiques, absentes du registre des remontées, avec le motif.")
    c.add_argument("--annee", required=True, type=year_type, metavar="AAAA", help="année d'ouverture des procédures")
    c.add_argument("--cour", metavar="ID", type=unit_type("cour"), help="cour d'appel (ex. ca-lyon)")
    c.add_argument("--format", choices=("table", "csv"), default="table", help="format de sortie")
    c.set_defaults(func=run_candidats)

    f = s.add_parser("fiches", help="fiches (HTML et PDF), registre national (xlsx) et synthèse pour la DACS",
                     description="Écrit une fiche de remontée d'information par signalement (HTML et PDF), le "
                                 "registre national (Excel) et la synthèse dans <donnees>/confidentiel/sorties/.")
    f.add_argument("--cour", metavar="ID", type=unit_type("cour"), help="limite à une cour d'appel")
    f.add_argument("--annee", type=year_type, metavar="AAAA", help="limite à une année de signalement")
    f.add_argument("--sans-pdf", action="store_true", help="n'écrit pas les PDF (plus rapide)")
    f.add_argument("--sans-synthese", action="store_true", help="n'exécute pas le carnet de synthèse")
    f.set_defaults(func=run_fiches)

    r = s.add_parser("registre", help="liste les signalements enregistrés",
                     description="Liste les signalements (versions en vigueur) du registre confidentiel.")
    r.add_argument("--cour", metavar="ID", type=unit_type("cour"), help="identifiant de la cour (ex. ca-lyon)")
    r.add_argument("--annee", type=year_type, metavar="AAAA", help="année de signalement")
    r.add_argument("--format", choices=("table", "csv"), default="table", help="format de sortie")
    r.set_defaults(func=run_registre)

    d = s.add_parser("depots", help="versions reçues par cour et par année",
                     description="Historique des classeurs acceptés (versions) du registre des remontées.")
    d.set_defaults(func=run_depots)
    p.set_defaults(func=lambda args: _help(p))


def _help(p: argparse.ArgumentParser) -> int:
    p.print_help()
    return 2


def _store():
    from cpc_toolkit.remontees.store import RemonteesStore

    return RemonteesStore(data_dir())


def _check_cour(cour: str | None) -> None:
    if cour:
        try:
            reference.validate_scope(cour, "cour")
        except Exception as exc:
            raise UsageError(str(getattr(exc, "message", exc)), ReasonCode.UNKNOWN_COURT) from exc


def run_modele(args: argparse.Namespace) -> int:
    from cpc_toolkit.files import owner_only_umask
    from cpc_toolkit.remontees.workbook import write_workbook

    _check_cour(args.cour)
    with owner_only_umask():
        path = write_workbook(args.cour, args.annee, Path(args.sortie))
    print(f"Classeur des remontées écrit : {path}")
    return 0


def modele_from_modeles(args: argparse.Namespace) -> int:
    """``cpc modeles --remontees --cour ID --annee AAAA [--sortie DIR]`` (flag of Collecte's command)."""
    if not args.cour:
        raise UsageError("Avec --remontees, indiquez la cour d'appel du parquet général : --cour ID "
                         "(ex. --cour ca-lyon).", ReasonCode.USAGE)
    return run_modele(args)


def run_importer(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from cpc_toolkit.files import owner_only_umask
    from cpc_toolkit.remontees.importer import import_file

    store = _store()
    rejected = 0
    files = [Path(f) for f in args.fichiers]
    for f in files:
        if not f.is_file():
            raise UsageError(f"Fichier introuvable : « {f} ».", ReasonCode.NOT_FOUND)
    with owner_only_umask():
        for f in tqdm(files, desc="Import", unit="fichier", disable=len(files) < 3, leave=False):
            res = import_file(f, store)
            say = tqdm.write
            if res.outcome == "accepte":
                say(f"✔ {res.file_name} : accepté — {res.cour_id}, {res.year}, version {res.version} "
                      f"({format_number(res.n_cases)} signalement(s), {format_number(res.n_events)} événement(s)).")
            elif res.outcome == "deja_importe":
                say(f"= {res.file_name} : déjà importé (même contenu) — {res.cour_id}, {res.year}, "
                      f"version {res.version} ; rien n'a changé.")
            else:
                rejected += 1
                errors = [p for p in res.problems if p.level == "erreur"]
                say(f"✘ {res.file_name} : refusé — {len(errors)} erreur(s) ; le registre n'a pas été modifié.")
                say(f"  Rapport d'erreurs : {res.error_report}")
            for p in res.problems:
                say(f"  - {p}")
    return 1 if rejected else 0


def run_candidats(args: argparse.Namespace) -> int:
    from cpc_toolkit.remontees.candidates import candidates_for, candidates_table

    _check_cour(args.cour)
    df = candidates_for(data_dir(), year=args.annee, cour=args.cour)
    if args.format == "csv":
        print_frame(df, "csv")
        return 0
    print(f"Procédures à signaler à la DACS non encore signalées — ouvertes en {args.annee}"
          f"{', ' + reference.court_name(args.cour) if args.cour else ''} : {format_number(len(df))}")
    print_frame(candidates_table(df), "table")
    return 0


def run_fiches(args: argparse.Namespace) -> int:
    from cpc_toolkit.files import owner_only_umask
    from cpc_toolkit.remontees.outputs import build_outputs

    _check_cour(args.cour)
    store = _store()
    if not store.exists():
        raise UsageError(f"Aucun signalement dans « {store.base} » : importez d'abord des classeurs "
                         "(cpc remontees importer) ou lancez « cpc demo ».", ReasonCode.NOT_FOUND)
    with owner_only_umask():
        out = build_outputs(store, year=args.annee, cour=args.cour, pdf=not args.sans_pdf,
                            summary=not args.sans_synthese)
    print(f"Sorties DACS (confidentielles) : {out.folder}")
    print(f"  fiches : {format_number(len(out.fiches_html))} HTML, {format_number(len(out.fiches_pdf))} PDF")
    print(f"  registre national : {out.register.name if out.register else '–'}")
    if out.summary_html:
        print(f"  synthèse : {out.summary_html.name}{' + PDF' if out.summary_pdf else ''}")
    print(f"  sommaire : {out.index}")
    return 0


def run_registre(args: argparse.Namespace) -> int:
    from cpc_toolkit.remontees.model import PROCEDURE_TYPES, STATUSES, criteria_labels

    _check_cour(args.cour)
    cases = _store().cases(year=args.annee, cour=args.cour)
    if args.format == "csv":
        print_frame(cases.drop(columns=["submission_id"], errors="ignore"), "csv")
        return 0
    import pandas as pd

    table = pd.DataFrame({
        "n°": cases["case_id"], "juridiction": cases["juridiction_id"], "entreprise": cases["denomination"],
        "SIREN": cases["siren"], "type": cases["procedure_type"].map(lambda t: PROCEDURE_TYPES.get(str(t), t)),
        "salariés": cases["employees"].map(format_number),
        "critères": [criteria_labels(str(c) if pd.notna(c) else "", str(a) if pd.notna(a) else "")
                     for c, a in zip(cases["criteria"], cases["crit_autre"], strict=True)],
        "signalé le": cases["date_signalement"].map(format_date),
        "statut": cases["statut"].map(lambda s: STATUSES.get(str(s), s)),
    })
    print_frame(table, "table")
    return 0


def run_depots(args: argparse.Namespace) -> int:
    subs = _store().submissions()
    if subs.empty:
        print("(aucun classeur de remontées accepté)")
        return 0
    out = subs.assign(statut=subs["status"].map({"accepted": "en vigueur", "superseded": "remplacée"}))
    print_frame(out[["cour_id", "year", "version", "statut", "file_name", "received_at", "n_cases",
                     "n_events", "n_warnings"]].rename(columns={
                         "cour_id": "cour", "year": "année", "file_name": "fichier", "received_at": "reçu le",
                         "n_cases": "signalements", "n_events": "événements",
                         "n_warnings": "avertissements"}), "table")
    return 0
