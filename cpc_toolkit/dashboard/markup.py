"""French messages, the dashboard log file and small accessible HTML builders (tables, details)."""

from __future__ import annotations

import contextlib
import html
import os
import tempfile
import traceback
from pathlib import Path
from typing import Any

import pandas as pd

from cpc_toolkit import catalogue
from cpc_toolkit.errors import CpcError

__all__ = ["ENV_LOG", "GENERIC_ERROR", "details", "error_html", "fmt", "log_exception", "table", "user_message"]

ENV_LOG = "CPC_TABLEAU_JOURNAL"
GENERIC_ERROR = ("Le tableau de bord n'a pas pu être affiché. L'incident a été consigné dans le journal du "
                 "serveur ; si le problème persiste, contactez l'administrateur des données.")


def _log_path() -> Path:
    env = os.environ.get(ENV_LOG)
    return Path(env) if env else Path(tempfile.gettempdir()) / "cpc_tableau_de_bord.log"


def log_exception(context: str) -> None:
    """Append the current traceback to the dashboard log file (never to the page)."""
    with contextlib.suppress(OSError), open(_log_path(), "a", encoding="utf-8") as fh:
        fh.write(f"--- {context}\n{traceback.format_exc()}\n")


def user_message(exc: BaseException) -> str:
    """The French sentence shown to users for an exception (package errors keep their message)."""
    if isinstance(exc, CpcError):
        return exc.message
    return GENERIC_ERROR


def error_html(message: str, retry: bool = True) -> str:
    """A French error block, with a « Réessayer » link reloading the page (a fresh kernel)."""
    link = ('<a class="cpc-reessayer" href="" onclick="window.location.reload(); return false;">Réessayer</a>'
            if retry else "")
    return f'<div class="cpc-erreur" role="alert"><strong>Erreur :</strong> {html.escape(message)} {link}</div>'


def table(df: pd.DataFrame, caption: str, attrs: str = "") -> str:
    """An accessible HTML table (caption, header cells with scope)."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in df.columns)
    rows = []
    for row in df.itertuples(index=False):
        cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
        rows.append(f"<tr>{cells}</tr>")
    return (f'<table class="cpc-table"{attrs}><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr>'
            f"</thead><tbody>{''.join(rows)}</tbody></table>")


def details(summary: str, body: str, open_: bool = False) -> str:
    return (f'<details class="cpc-details"{" open" if open_ else ""}><summary>{html.escape(summary)}</summary>'
            f"{body}</details>")


def fmt(v: Any, unit: str) -> str:
    """A value in fr-FR with its unit, « non renseigné » when unknown (never shown as zero)."""
    from cpc_toolkit.render.tables import cell_text

    return cell_text(v, unit, missing=catalogue.vocabulary.missing_mark(long=True))
