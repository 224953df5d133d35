"""`cpc projection`: stock and DTES projected at constant monthly rates, with what-if and targets.

Top-level imports stay light (argparse only): pandas and the engine are imported in the handler.
"""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cpc_toolkit.store import Store

_CHANGE = re.compile(r"^\s*([+-−]?)\s*(\d+(?:[.,]\d+)?)\s*(%?)\s*$")


def parse_change(text: str) -> tuple[float, float]:
    """``+10%`` → (10, 0) ; ``-5%`` → (-5, 0) ; ``+200`` → (0, 200) affaires par mois."""
    from cpc_toolkit.errors import UsageError

    m = _CHANGE.match(text or "")
    if not m:
        raise UsageError(f"Variation illisible : « {text} ». Exemples : +10% (pourcentage), -5%, "
                         "+200 (affaires par mois).")
    sign = -1.0 if m.group(1) in ("-", "−") else 1.0
    value = sign * float(m.group(2).replace(",", "."))
    return (value, 0.0) if m.group(3) else (0.0, value)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "projection", help="projection du stock et du DTES à rythme constant ; simulation (et si…)",
        description="Projette, par contentieux, le stock et le délai théorique d'écoulement du stock (DTES) "
                    "à rythme mensuel constant (entrées et sorties de l'année de référence divisées par 12), "
                    "en mois calendaires à partir du 31 décembre ; date de résorption ou de doublement du "
                    "stock ; simulation de variations des entrées, des sorties ou des effectifs (ETPT) ; "
                    "sorties mensuelles nécessaires pour atteindre un DTES cible.")
    unit = p.add_mutually_exclusive_group()
    unit.add_argument("--juridiction", metavar="ID", help="identifiant d'un TJ/TPI (ex. tj-lyon)")
    unit.add_argument("--cour", metavar="ID", help="identifiant d'une cour d'appel (ex. ca-lyon)")
    unit.add_argument("--national", action="store_true", help="ensemble des juridictions (niveau national)")
    p.add_argument("--annee", type=int, metavar="AAAA", help="année de référence (défaut : la dernière)")
    p.add_argument("--contentieux", metavar="ID", help="limite à un contentieux (cg, jaf, jcp, refere)")
    p.add_argument("--horizon", type=int, default=12, metavar="MOIS", help="horizon en mois (défaut 12)")
    p.add_argument("--entrees", metavar="±X%", default="",
                   help="variation des entrées : pourcentage (+10%%) ou affaires par mois (+200)")
    p.add_argument("--sorties", metavar="±X%", default="",
                   help="variation des sorties : pourcentage (-5%%) ou affaires par mois (+150)")
    p.add_argument("--etpt-magistrats", type=float, default=0.0, metavar="±N",
                   help="ETPT de magistrats ajoutés (ou retirés) par contentieux, sorties par ETPT constantes")
    p.add_argument("--etpt-greffe", type=float, default=0.0, metavar="±N",
                   help="ETPT de greffe ajoutés (ou retirés) par contentieux, sorties par ETPT constantes")
    p.add_argument("--dtes-cible", type=float, metavar="MOIS",
                   help="affiche les sorties mensuelles qui donnent ce DTES à l'horizon")
    p.add_argument("--demande-protection", action="store_true",
                   help="affiche la demande de mesures de protection attendue en 2030 et 2035 (75 ans et plus)")
    p.add_argument("--par-habitant", action="store_true",
                   help="affiche les taux par habitant (affaires nouvelles, mesures en cours, ordonnances de "
                        "protection demandées) et la population retenue")
    p.add_argument("--format", choices=("table", "csv"), default="table", help="format de sortie")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from cpc_toolkit import catalogue, reference
    from cpc_toolkit.cli.common import print_frame, store_from_env
    from cpc_toolkit.compute import results
    from cpc_toolkit.compute.projection import (
        WhatIf,
        assumption_sentence,
        projection_table,
        protection_outlook,
        rates_table,
        target_exits,
    )
    from cpc_toolkit.errors import UsageError
    from cpc_toolkit.fr import format_number, format_value
    from cpc_toolkit.settings import DEMO_LABEL

    unit = args.juridiction or args.cour or (reference.NATIONAL if args.national else None)
    if unit is None:
        raise UsageError("Indiquez --juridiction ID, --cour ID ou --national.")
    level = reference.level_of(unit)
    if args.juridiction and level != "juridiction":
        raise UsageError(f"« {unit} » n'est pas un tribunal judiciaire ni un TPI : utilisez --cour ou --national.")
    if args.cour and level != "cour":
        raise UsageError(f"« {unit} » n'est pas une cour d'appel : utilisez --juridiction.")
    conts = [c["id"] for c in catalogue.contentieux()]
    if args.contentieux and args.contentieux not in conts:
        raise UsageError(f"Contentieux inconnu : « {args.contentieux} ». Contentieux : {', '.join(conts)}.")
    if args.horizon < 0 or args.horizon > 1200:
        raise UsageError("L'horizon doit être compris entre 0 et 1 200 mois.")
    if args.dtes_cible is not None and args.dtes_cible < 0:
        raise UsageError("Le DTES cible doit être positif ou nul (en mois).")
    ep, ea = parse_change(args.entrees) if args.entrees else (0.0, 0.0)
    sp, sa = parse_change(args.sorties) if args.sorties else (0.0, 0.0)
    w = WhatIf(entrees_pct=ep, entrees_abs=ea, sorties_pct=sp, sorties_abs=sa,
               etpt_magistrats=args.etpt_magistrats, etpt_greffe=args.etpt_greffe)
    store = store_from_env()
    if not store.exists():
        raise UsageError(f"Aucune donnée dans « {store.root} ». Lancez « cpc demo » ou importez des classeurs.")
    res = results(store)
    years = sorted(int(y) for y in pd.unique(res["year"]))
    year = args.annee or (years[-1] if years else None)
    if year not in years:
        raise UsageError(f"Aucune donnée pour l'année {year} (années disponibles : "
                         f"{', '.join(map(str, years)) or 'aucune'}).")
    note = assumption_sentence(year, w)
    if args.demande_protection:
        df = protection_outlook(res, unit, year)
        cols = OUTLOOK_HEADERS
        note = str(df["hypothese"].iloc[0])
    elif args.par_habitant:
        from cpc_toolkit.reference.population import POPULATION_ATTRIBUTION

        df = rates_table(res, unit, year)
        cols = RATES_HEADERS
        note = POPULATION_ATTRIBUTION
    elif args.dtes_cible is not None:
        df = target_exits(res, unit, year, args.dtes_cible, args.horizon, whatif=w)
        cols = TARGET_HEADERS
    else:
        df = projection_table(res, unit, year, args.horizon, whatif=w)
        cols = PROJECTION_HEADERS
    if args.contentieux and "contentieux" in df.columns:
        df = df[df["contentieux"] == args.contentieux]
    demo = _is_demo(store)
    if args.format == "csv":
        out = df[list(cols)].rename(columns=cols).assign(hypothèses=note)
        print_frame(out.assign(avertissement=DEMO_LABEL) if demo else out, "csv")
        return 0
    what = ("demande de mesures de protection attendue" if args.demande_protection else
            f"taux par habitant, {year}" if args.par_habitant else
            f"projection à {format_value(args.horizon, 'months', 0)} depuis le 31 décembre {year}")
    print(f"{reference.court_name(unit)} — {what}")
    if demo:
        print(f"⚠ {DEMO_LABEL}")
    print(note)
    print()
    shown = df[list(cols)].rename(columns=cols).copy()
    if args.par_habitant:  # population in units, rates with one decimal
        col = RATES_HEADERS["value"]
        shown[col] = [format_number(v, 0 if iid == "ref_population" else 1)
                      for iid, v in zip(df["indicator_id"], df["value"], strict=True)]
    for c in shown.columns:
        if pd.api.types.is_float_dtype(shown[c]):
            decimals = 3 if "rapport" in c else 1 if any(k in c for k in ("DTES", "ETPT", "%")) else 0
            shown[c] = [format_number(v, decimals) for v in shown[c]]
    print_frame(shown.fillna(""), "table")
    return 0


def _is_demo(store: Store) -> bool:
    from cpc_toolkit.cli.indicateurs_views import _is_demo as is_demo

    return is_demo(store)


PROJECTION_HEADERS = {
    "contentieux": "contentieux", "label": "libellé", "stock_fin": "stock au 31 décembre",
    "entrees_mensuelles": "entrées mensuelles", "sorties_mensuelles": "sorties mensuelles",
    "dtes_fin": "DTES au 31 décembre (mois)", "horizon": "horizon (mois)", "stock_h": "stock à l'horizon",
    "dtes_h": "DTES à l'horizon (mois)", "tendance": "tendance", "evenement": "événement",
    "echeance": "échéance", "evenement_na_reason": "motif (échéance)",
    "effet_etpt_magistrat": "sorties par mois d'un ETPT de magistrat en plus",
    "effet_etpt_greffe": "sorties par mois d'un ETPT de greffe en plus", "na_reason": "motif (NA)",
    "n_reporting": "juridictions", "n_expected": "juridictions attendues",
}
TARGET_HEADERS = {
    "contentieux": "contentieux", "label": "libellé", "horizon": "horizon (mois)", "dtes_cible": "DTES cible (mois)",
    "sorties_mensuelles": "sorties mensuelles", "sorties_cibles": "sorties mensuelles nécessaires",
    "ecart_mensuel": "écart par mois", "ecart_pct": "écart (%)",
    "etpt_magistrats_supplementaires": "ETPT magistrats supplémentaires",
    "etpt_greffe_supplementaires": "ETPT greffe supplémentaires", "na_reason": "motif (NA)",
}
OUTLOOK_HEADERS = {
    "annee_cible": "année cible", "mesures": "mesures en cours", "pop75_reference": "75 ans et plus (référence)",
    "pop75_cible": "75 ans et plus (année cible)", "ratio_75": "rapport 75 ans et plus",
    "mesures_attendues": "mesures attendues", "variation": "variation", "variation_pct": "variation (%)",
    "n_reporting": "juridictions", "n_expected": "juridictions attendues", "na_reason": "motif (NA)",
}
RATES_HEADERS = {
    "indicator_id": "indicateur", "label": "libellé", "value": "valeur (pour 100 000 ou 10 000 habitants)",
    "status": "statut", "na_reason": "motif (NA)", "n_reporting": "juridictions", "n_expected": "juridictions attendues",
}
