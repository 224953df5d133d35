"""`cpc rapport` (one report) and `cpc campagne` (the 206 reports of a year, incremental)."""

from __future__ import annotations

import argparse
import sys

from cpc_toolkit import reference
from cpc_toolkit.cli.common import store_from_env, unit_type, year_type
from cpc_toolkit.errors import CpcError, UsageError
from cpc_toolkit.fr import format_number
from cpc_toolkit.render import kinds


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rapport", help="construit un rapport (CLPC, chef de cour ou national)",
        description="Construit un rapport à partir de son carnet paramétré (papermill) : HTML autonome "
                    "hors ligne, annexe Excel et, sur demande, PDF A4. Sortie : reports/<annee>/…")
    who = p.add_mutually_exclusive_group(required=True)
    for k in kinds.campaign_kinds():  # one option per report kind (cpc_toolkit.render.kinds)
        if k.unit_param:  # the unit id is checked while the arguments are parsed
            who.add_argument(f"--{k.cli_flag}", metavar="ID", type=unit_type(k.unit_param), help=k.cli_help)
        else:
            who.add_argument(f"--{k.cli_flag}", action="store_true", help=k.cli_help)
    p.add_argument("--document", metavar="DOCUMENT", choices=("convocation", "compte-rendu", "rapport-annuel"),
                   help="document modifiable au lieu du rapport statistique : convocation ou compte-rendu "
                        "(--juridiction), rapport-annuel (--cour) ; formats odt, docx, html, pdf "
                        "(défaut odt,docx)")
    _common(p)
    p.set_defaults(func=run_rapport, formats_default="html,xlsx")

    c = sub.add_parser(
        "campagne", help="construit tous les rapports d'une année (168 CLPC, 37 cours, national)",
        description="Construit les 206 rapports de l'année en parallèle, avec une barre de progression. "
                    "Seuls les rapports dont les données, le carnet ou la version de l'outil ont changé sont "
                    "reconstruits (--force pour tout reconstruire). Un rapport en échec n'arrête pas les "
                    "autres : les échecs sont listés à la fin (code de sortie 1). Les formats odt et docx "
                    "ajoutent les documents modifiables : compte rendu du CLPC de chaque juridiction et rapport "
                    "annuel de chaque cour (reports/<annee>/documents/).")
    _common(c)
    c.add_argument("--jobs", type=int, default=2, metavar="N", help="processus de rendu en parallèle (défaut 2)")
    c.add_argument("--force", action="store_true", help="reconstruit tous les rapports")
    c.add_argument("--plotly", choices=("integre", "partage"), default="integre",
                   help="integre (défaut) : chaque page HTML contient plotly.js (fichier unique, envoi par "
                        "courriel) ; partage : un seul plotly-<version>.min.js dans le dossier de l'année, "
                        "avec empreinte d'intégrité (publication sur un serveur web intranet ; les PDF restent "
                        "complets)")
    c.set_defaults(func=run_campagne, formats_default="html")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--annee", type=year_type, metavar="AAAA", help="année des rapports (défaut : la dernière année)")
    p.add_argument("--formats", metavar="LISTE",
                   help="formats séparés par des virgules parmi html, pdf, xlsx (campagne : aussi odt, docx)")
    p.add_argument("--sortie", metavar="DOSSIER", help="dossier racine des rapports (défaut : $CPC_RAPPORTS ou ./reports)")


# editable documents a campaign can add to the reports (compte rendu of each TJ, rapport annuel of each cour)
CAMPAIGN_DOCUMENT_FORMATS = ("odt", "docx")


def _formats(args: argparse.Namespace, documents: bool = False) -> list[str]:
    raw = args.formats or args.formats_default
    out = [f.strip().lower() for f in raw.split(",") if f.strip()]
    allowed = (*kinds.FORMATS, *CAMPAIGN_DOCUMENT_FORMATS) if documents else tuple(kinds.FORMATS)
    bad = [f for f in out if f not in allowed]
    if bad or not out:
        raise UsageError(f"Format(s) inconnu(s) : {', '.join(bad) or '(aucun)'} "
                         f"(formats : {', '.join(allowed)}).")
    return out


def _year(args: argparse.Namespace) -> int:
    store = store_from_env()
    if not store.exists():
        raise UsageError(f"Aucune donnée dans « {store.root} ». Lancez « cpc demo » ou importez des classeurs.")
    years = store.years()
    if args.annee is None:
        return max(years)
    if args.annee not in years:
        raise UsageError(f"Aucune donnée pour l'année {args.annee} (années disponibles : "
                         f"{', '.join(str(y) for y in years)}).")
    return int(args.annee)


def _confidentiality_reminder(units: list[str], year: int) -> None:
    """Repeat, at build time, the confidentiality warnings given when the workbooks were imported."""
    from cpc_toolkit.store.receipts import confidentiality_warnings

    root = store_from_env().root
    for unit in units:
        warnings = confidentiality_warnings(root, unit, year)
        if warnings.empty:
            continue
        print(f"⚠ {reference.court_name(unit)} : {len(warnings)} avertissement(s) de confidentialité signalé(s) à "
              "l'import, à vérifier avant diffusion (circulaire § 1.2) :", file=sys.stderr)
        for w in warnings.itertuples():
            print(f"  - feuille « {w.sheet} », cellule {w.cell} : {w.message}", file=sys.stderr)


def run_document(args: argparse.Namespace) -> int:
    """`cpc rapport --document …`: convocation, compte rendu (TJ) or rapport annuel (cour)."""
    from cpc_toolkit.render.documents.build import DOCUMENT_FORMATS, LEVEL_OF_DOCUMENT, build_document
    from cpc_toolkit.settings import reports_dir

    level = LEVEL_OF_DOCUMENT[args.document]
    unit = args.juridiction if level == "juridiction" else args.cour
    if not unit:
        option = "--juridiction ID" if level == "juridiction" else "--cour ID"
        raise UsageError(f"Le document « {args.document} » se construit pour une {level} : précisez {option}.")
    reference.validate_scope(unit, level)
    raw = args.formats or "odt,docx"
    formats = [f.strip().lower() for f in raw.split(",") if f.strip()]
    bad = [f for f in formats if f not in DOCUMENT_FORMATS]
    if bad or not formats:
        raise UsageError(f"Format(s) de document inconnu(s) : {', '.join(bad) or '(aucun)'} "
                         f"(formats : {', '.join(DOCUMENT_FORMATS)}).")
    year = _year(args)
    _confidentiality_reminder(list(reference.courts_of_cour(unit)) if level == "cour" else [unit], year)
    paths = build_document(args.document, unit, year, formats, reports_dir(args.sortie).resolve(),
                           store_from_env().root)
    print(f"Document « {args.document} » de {reference.court_name(unit)} ({year}) :")
    for path in paths:
        print(f"  {path.suffix[1:].upper():5} {path}")
    return 0


def run_rapport(args: argparse.Namespace) -> int:
    from cpc_toolkit.render.campaign import build_report

    if args.document:
        return run_document(args)

    formats = _formats(args)
    year = _year(args)
    spec = next(k for k in kinds.campaign_kinds() if getattr(args, k.cli_flag))
    if spec.unit_param:
        unit = str(spec.check(spec.unit_param, getattr(args, spec.cli_flag)))
    else:
        unit = reference.NATIONAL
    kind = spec.id
    level = reference.level_of(unit)
    if level != "national":
        _confidentiality_reminder(list(reference.courts_of_cour(unit)) if level == "cour" else [unit], year)
    o = build_report(kind, unit, year, store_from_env().root, args.sortie, formats)
    if o.status != "ok":
        where = f" (cellule {o.cell} du carnet)" if o.cell is not None else ""
        print(f"cpc : échec du rapport {o.name}{where} : {o.error}", file=sys.stderr)
        return 1
    from cpc_toolkit.settings import reports_dir

    year_dir = reports_dir(args.sortie).resolve() / str(year)
    print(f"Rapport « {o.name} » {year} construit en {format_number(o.seconds, 1)} s :")
    for fmt, path in o.files.items():
        print(f"  {fmt.upper():5} {year_dir / path}")
    return 0


def run_campagne(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from cpc_toolkit.render.campaign import plan, run_campaign

    asked = _formats(args, documents=True)
    formats = [f for f in asked if f not in CAMPAIGN_DOCUMENT_FORMATS]
    doc_formats = [f for f in asked if f in CAMPAIGN_DOCUMENT_FORMATS]
    year = _year(args)
    if args.jobs < 1:
        raise UsageError("--jobs doit valoir au moins 1.")
    if not formats:
        return _campaign_documents(args, year, doc_formats)
    jobs = plan(year)
    tqdm.monitor_interval = 0  # no monitor thread: the campaign forks its workers from this process
    bar = tqdm(total=len(jobs), desc=f"Rapports {year}", unit="rapport", file=sys.stderr,
               disable=False, dynamic_ncols=True, mininterval=1.0)

    def tick(o: object) -> None:
        bar.update(1)

    try:
        result = run_campaign(year, store_from_env().root, args.sortie, jobs=args.jobs, formats=formats,
                              force=args.force, selection=jobs, progress=tick, plotly=args.plotly)
    finally:
        bar.close()
    index = result.root / str(year) / "index.html"
    print(f"Campagne {year} : {len(result.built)} rapport(s) construit(s), {len(result.skipped)} inchangé(s), "
          f"{len(result.failures)} en échec, en {format_number(result.seconds, 1)} s.")
    print(f"Index : {index}")
    if result.failures:
        print(f"Échecs (détail : {result.root / str(year) / 'manifest.json'}) :", file=sys.stderr)
        for o in result.failures:
            where = f"cellule {o.cell}" if o.cell is not None else "hors carnet"
            print(f"  - {o.job_id} ({o.name}) — {where} : {o.error}", file=sys.stderr)
        return 1
    return _campaign_documents(args, year, doc_formats) if doc_formats else 0


def _campaign_documents(args: argparse.Namespace, year: int, formats: list[str],
                        cours: list[str] | None = None) -> int:
    """The compte rendu of every TJ/TPI and the rapport annuel of every cour (or of ``cours`` only), in
    ``formats``, with one browser for every chart."""
    from tqdm import tqdm

    from cpc_toolkit.render.documents.build import build_document
    from cpc_toolkit.render.documents.images import chart_session
    from cpc_toolkit.settings import reports_dir

    out_root = reports_dir(args.sortie).resolve()
    cours = cours or [str(c) for c in reference.consolidation_units().index]
    todo = [("compte-rendu", c) for cour in cours for c in reference.courts_of_cour(cour)] + \
        [("rapport-annuel", c) for c in cours]
    failures: list[tuple[str, str, str]] = []
    with chart_session(), tqdm(total=len(todo), desc=f"Documents {year}", unit="document", file=sys.stderr,
                               dynamic_ncols=True, mininterval=1.0) as bar:
        for kind, unit in todo:
            try:
                build_document(kind, str(unit), year, formats, out_root, store_from_env().root)
            except CpcError as exc:
                failures.append((kind, str(unit), str(exc)))
            bar.update(1)
    print(f"Documents {year} : {len(todo) - len(failures)} construit(s) en {', '.join(formats)}, "
          f"{len(failures)} en échec — {out_root / str(year) / 'documents'}")
    for kind, unit, err in failures:
        print(f"  - {kind} {unit} : {err}", file=sys.stderr)
    return 1 if failures else 0
