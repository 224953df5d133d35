"""Helpers of the remontées tests: hand-filled workbooks (openpyxl), a fixed 'today'."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cpc_toolkit.remontees import workbook as wbk
from cpc_toolkit.remontees.store import RemonteesStore

TODAY = dt.date(2026, 6, 30)
PLANTED_NAME = "Zorglub Hyperfréquences Souveraines"
PLANTED_SIREN = "732829320"  # valid Luhn key

BASE_CASE: dict[str, Any] = {
    "Juridiction saisie": "tae-lyon",
    "Référence de la procédure": "RG 25/00042",
    "Dénomination de l'entreprise": "Société Exemple (fictive)",
    "SIREN": "552100554",
    "Type de procédure": "redressement judiciaire",
    "Date d'ouverture": dt.datetime(2025, 3, 3),
    "Effectif salarié": 420,
    "Code NAF": "29.10Z",
    "Critère : plus de 250 salariés": "oui",
    "Critère : attention médiatique": "non",
    "Emplois menacés": 120,
    "Territoire concerné": "Rhône",
    "Date du signalement": dt.datetime(2025, 3, 10),
    "Statut": "en cours",
}


def headers(ws) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Column of each header label, as a user reads them (row 4, ' *' stripped)."""
    return {str(c.value).removesuffix(" *"): c.column for c in ws[wbk.HEADER_ROW] if c.value}


def fill(cour: str, year: int, cases: list[dict[str, Any]], events: list[dict[str, Any]] = (),
         tweak=None) -> bytes:  # type: ignore[no-untyped-def]
    """A generated workbook filled like a greffier would (by visible column labels)."""
    wb = openpyxl.load_workbook(io.BytesIO(wbk.build_workbook(cour, year)))
    ws = wb[wbk.CASES_SHEET]
    col = headers(ws)
    for i, case in enumerate(cases, start=1):
        for label, value in case.items():
            ws.cell(wbk.HEADER_ROW + i, col[label], value)
    ev = wb[wbk.EVENTS_SHEET]
    ecol = headers(ev)
    for i, e in enumerate(events, start=1):
        for label, value in e.items():
            ev.cell(wbk.HEADER_ROW + i, ecol[label], value)
    if tweak:
        tweak(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


@pytest.fixture
def rstore(tmp_path: Path) -> RemonteesStore:
    return RemonteesStore(tmp_path / "donnees")


@pytest.fixture(scope="session")
def h():  # type: ignore[no-untyped-def]
    """Helpers and constants (conftest is not importable under --import-mode=importlib)."""
    from types import SimpleNamespace

    return SimpleNamespace(TODAY=TODAY, PLANTED_NAME=PLANTED_NAME, PLANTED_SIREN=PLANTED_SIREN,
                           BASE_CASE=BASE_CASE, fill=fill, write=write, headers=headers)
