"""`cpc demo`: build the calibrated demo data set (« données fictives »)."""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from cpc_toolkit.cli.common import store_from_env
from cpc_toolkit.errors import UsageError
from cpc_toolkit.fr import format_number

if TYPE_CHECKING:
    from cpc_toolkit.store import Store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="génère les données de démonstration (fictives)",
                       description="Génère des données fictives calibrées pour les 168 juridictions "
                                   "de première instance sur 2021–2025 et les enregistre dans le dossier "
                                   "des données.")
    p.add_argument("--graine", type=int, default=2025, metavar="N", help="graine aléatoire (défaut 2025)")
    p.set_defaults(func=run)


def reset_demo_store(store: Store) -> None:
    """Remove a previous demo data set; refuse to touch real (non-demo) data."""
    if store.exists():
        subs = store.submissions()
        if len(subs) and not subs["demo"].all():
            raise UsageError(
                f"Le dossier « {store.root} » contient des données réelles : la démonstration ne les "
                "écrase pas. Choisissez un autre dossier avec --donnees.")
    for sub in ("store", "archive", "cache", "registres", "remontees"):
        shutil.rmtree(store.root / sub, ignore_errors=True)


def write_demo(store: Store, seed: int) -> None:
    """Write the demo submissions straight to the store."""
    from cpc_toolkit.demo import generate_inputs
    from cpc_toolkit.store import SubmissionRecord

    df = generate_inputs(seed)
    records = [SubmissionRecord(court_id=str(cid), year=int(cast(int, year)), channel="classeur",
                                values=grp[["indicator_id", "value", "text", "status"]], demo=True,
                                file_name="demo")
               for (cid, year), grp in df.groupby(["court_id", "year"], sort=True)]
    store.write(records)


def run(args: argparse.Namespace) -> int:
    store = store_from_env()
    reset_demo_store(store)
    build_demo(store, args.graine)
    print_summary(store)
    return 0


def _step(label: str) -> Callable[[], None]:
    """Print a step's start now and its duration when the returned function is called."""
    print(f"  • {label}…", flush=True)
    t0 = time.perf_counter()
    return lambda: print(f"    fait en {format_number(time.perf_counter() - t0, 1)} s.", flush=True)


def build_demo(store: Store, seed: int) -> None:
    """Every demo step, in data-flow order. Each stage adds its own step here."""
    # collecte: the demo submissions are written as workbooks and imported through the real path
    from cpc_toolkit.collect.demo import import_demo_workbooks

    done = _step("classeurs de collecte fictifs (168 juridictions × 5 ans) : écriture et import validé")
    import_demo_workbooks(store, seed)
    done()
    # registres d'affaires (mesures, procédures, ordonnances) — before the remontées step
    from cpc_toolkit.registers.demo import write_demo_registers

    done = _step("registres d'affaires fictifs (mesures, procédures, ordonnances) et leurs indicateurs")
    write_demo_registers(store, seed)
    done()
    # remontées (confidential DACS register): keep LAST — it reads the demo procédures register
    from cpc_toolkit.remontees.demo import write_demo_register

    done = _step("registre confidentiel des remontées d'information (DACS)")
    write_demo_register(store.root, seed)
    done()


def print_summary(store: Store) -> None:
    from cpc_toolkit import catalogue, reference
    from cpc_toolkit.demo import DEMO_YEARS
    from cpc_toolkit.fr import format_value
    from cpc_toolkit.settings import DEMO_LABEL

    subs = store.submissions(include_superseded=False)
    subs = subs[subs["channel"] == "classeur"]
    n_courts = len(reference.first_instance_courts())
    print(f"⚠ {DEMO_LABEL}.")
    print(f"Juridictions : {n_courts} (164 TJ + 4 TPI), consolidées en "
          f"{len(reference.consolidation_units())} cours d'appel (dont le TSA de Saint-Pierre).")
    print(f"Années : {', '.join(str(y) for y in DEMO_YEARS)}.")
    print(f"Indicateurs au catalogue : {len(catalogue.indicators())} "
          f"({len(catalogue.input_indicators())} saisis, "
          f"{len(catalogue.indicators(kind='derived'))} calculés, "
          f"{len(catalogue.indicators(kind='register'))} issus des registres).")
    for year in DEMO_YEARS:
        n = int((subs["year"] == year).sum())
        print(f"  {year} : {n}/{n_courts} juridictions ont transmis ({format_value(100 * n / n_courts, 'percent')}).")
    print(f"Valeurs enregistrées : {format_number(int(subs['n_values'].sum()))}.")
    print(f"Données : {store.root.resolve()}")
