"""Helpers shared by the CLI commands: argument types, output formats, store opening, French tables.

Light by rule: a cli module's top level imports only the standard library, argparse and light
helpers (this module, ``_argparse_fr``, ``cpc_toolkit.errors``, ``cpc_toolkit.fr``,
``cpc_toolkit.reference``, ``cpc_toolkit.settings``). pandas, the store, collect, compute,
registers and render are imported inside the handlers, so that ``cpc --aide``, ``--version`` and
argument errors answer at once (tests/foundation/test_cli_speed.py checks it).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from cpc_toolkit.store import Store

LEVEL_LABELS = {"juridiction": "un tribunal judiciaire ou un TPI", "cour": "une cour d'appel",
                "national": "« national »"}
MIN_YEAR, MAX_YEAR = 1900, 2100


def store_from_env() -> Store:
    """The store of ``--donnees`` / ``$CPC_DONNEES`` / ``./donnees``."""
    from cpc_toolkit.store import open_store

    return open_store()


def unit_type(*levels: str) -> Callable[[str], str]:
    """argparse ``type=`` checking a court / cour id (and its level) against the court reference.

    Unknown or wrong-level ids are usage errors (French message, exit code 2), found before any data
    is loaded; the reference is read with the csv module (no pandas).
    """

    def check(text: str) -> str:
        from cpc_toolkit import reference
        from cpc_toolkit.errors import CpcError

        try:
            try:
                level = reference.level_of(text)
            except CpcError:
                if levels == ("cour",):
                    reference.court_rows(cour=text)  # « Cour d'appel inconnue … » with an example id
                raise
        except CpcError as exc:
            raise argparse.ArgumentTypeError(exc.message) from exc
        if levels and level not in levels:
            wanted = " ou ".join(LEVEL_LABELS[x] for x in levels)
            raise argparse.ArgumentTypeError(f"« {text} » n'est pas {wanted}.")
        return text

    check.__name__ = "identifiant"
    return check


def year_type(text: str) -> int:
    """argparse ``type=`` for a four-digit year (AAAA) in a plausible range."""
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"valeur invalide « {text} » : une année AAAA est attendue (ex. 2025)") from exc
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise argparse.ArgumentTypeError(f"année hors limites « {text} » ({MIN_YEAR}–{MAX_YEAR})")
    return value


def print_frame(df: pd.DataFrame, fmt: str) -> None:
    """Print a table as aligned text (``table``) or CSV (``csv``, UTF-8, comma separated)."""
    import pandas as pd

    if fmt == "csv":
        df.to_csv(sys.stdout, index=False)
        return
    if df.empty:
        print("(aucune ligne)")
        return
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 60):
        print(df.to_string(index=False))


def print_rows(rows: Sequence[dict[str, str]], columns: Sequence[str], fmt: str) -> None:
    """:func:`print_frame` for plain text rows (no pandas): CSV, or columns aligned left."""
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([r.get(c, "") for c in columns] for r in rows)
        return
    if not rows:
        print("(aucune ligne)")
        return
    cells = [[str(r.get(c, ""))[:60] for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
