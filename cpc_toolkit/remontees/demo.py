"""A small, obviously fictitious remontées register for ``cpc demo`` (through the real workbook path).

About half of the demo procedures above the threshold (or flagged strategic) are signalled by their
parquet général — the others stay « candidates » — plus a few cases that are not in the procédures
register (civil litigation of international scope, media attention). Company names are fictitious
(« … (fictive) ») and SIRENs are generated with a valid Luhn key.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from stdnum import luhn

from cpc_toolkit.remontees import workbook as wbk
from cpc_toolkit.remontees.config import load_config
from cpc_toolkit.remontees.importer import ImportResult, import_file
from cpc_toolkit.remontees.model import (
    CASE_FIELDS,
    EVENT_FIELDS,
    EVENT_TYPES,
    PROCEDURE_TYPES,
    STATUSES,
)
from cpc_toolkit.remontees.store import RemonteesStore

MAX_SIGNALLED = 10
EXTRA_CASES: tuple[dict[str, Any], ...] = (
    {"cour_id": "ca-paris", "juridiction_id": "tj-paris", "denomination": "Consortium Démo International (fictif)",
     "procedure_type": "contentieux_civil", "opening": dt.date(2025, 2, 10), "employees": None, "naf": "64.20Z",
     "crit_international": True, "territoire": "Paris", "statut": "en_cours",
     "observations": "Contentieux civil fictif impliquant une structure d'envergure internationale."},
    {"cour_id": "ca-lyon", "juridiction_id": "tae-lyon", "denomination": "Ateliers Démo du Rhône (fictive)",
     "procedure_type": "sauvegarde", "opening": dt.date(2025, 4, 3), "employees": 180, "naf": "30.30Z",
     "crit_souverainete": True, "crit_mediatisation": True, "territoire": "Vallée du Rhône", "statut": "plan",
     "emplois_menaces": 40, "observations": "Sous-traitant fictif de l'aéronautique de défense."},
    {"cour_id": "ca-douai", "juridiction_id": "tc-lille-metropole", "denomination": "Filature Démo du Nord (fictive)",
     "procedure_type": "redressement_judiciaire", "opening": dt.date(2024, 9, 16), "employees": 95,
     "naf": "13.10Z", "crit_mediatisation": True, "crit_autre": "dernier employeur du bassin (fictif)",
     "territoire": "Roubaix", "statut": "cession", "emplois_menaces": 60},
)


def fake_siren(rng: np.random.Generator) -> str:
    """A 9-digit number with a valid Luhn key (not a real company: demo data)."""
    body = "9" + "".join(str(d) for d in rng.integers(0, 10, 7))
    return body + luhn.calc_check_digit(body)


def demo_cases(over: pd.DataFrame, seed: int, today: dt.date, threshold: int) -> list[dict[str, Any]]:
    """Case rows (model field ids + ``cour_id``) of the demo register (pure)."""
    rng = np.random.default_rng([seed, 7_207])
    rows: list[dict[str, Any]] = []
    ordered = over.sort_values(["cour_id", "court_id", "date_ouverture", "identifiant"]).reset_index(drop=True)
    picked = ordered.iloc[::2].head(MAX_SIGNALLED)
    for _, p in picked.iterrows():
        opened = pd.Timestamp(p["date_ouverture"]).date()
        emp = None if pd.isna(p["salaries"]) else int(p["salaries"])
        strategic = "strat" in str(p["motif"])
        ptype = str(p["type_procedure"])
        rows.append({
            "cour_id": p["cour_id"], "juridiction_id": p["court_id"], "procedure_ref": p["identifiant"],
            "denomination": (str(p["denomination"]) if pd.notna(p["denomination"]) else
                             f"Entreprise Démo {len(rows) + 1:02d} (fictive)"),
            "siren": str(p["siren"]) if pd.notna(p["siren"]) else fake_siren(rng),
            "procedure_type": ptype if ptype in PROCEDURE_TYPES else "redressement_judiciaire",
            "opening": opened, "employees": emp,
            "naf": str(p["secteur_naf"]) if pd.notna(p["secteur_naf"]) else "25.62A",
            "crit_plus_250_salaries": bool(emp is not None and emp > threshold),
            "crit_souverainete": strategic, "territoire": None,
            "emplois_menaces": None if emp is None else int(emp * rng.uniform(0.1, 0.6)),
            "statut": "en_cours", "observations": "Signalement fictif (démonstration).",
        })
    for extra in EXTRA_CASES:
        rows.append({**extra, "siren": fake_siren(rng)})
    for r in rows:
        r["signalled"] = min(r["opening"] + dt.timedelta(days=int(rng.integers(3, 25))), today)
    return rows


def _fill(data: bytes, rows: list[dict[str, Any]], today: dt.date) -> bytes:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws, ev = wb[wbk.CASES_SHEET], wb[wbk.EVENTS_SHEET]
    col = {f.id: j for j, f in enumerate(CASE_FIELDS, start=1)}
    ecol = {f.id: j for j, f in enumerate(EVENT_FIELDS, start=1)}
    yes_no = {True: "oui", False: "non"}
    erow = wbk.HEADER_ROW + 1
    for i, r in enumerate(rows, start=1):
        row = wbk.HEADER_ROW + i
        values = {
            "juridiction_id": r["juridiction_id"], "procedure_ref": r.get("procedure_ref"),
            "denomination": r["denomination"], "siren": r["siren"],
            "procedure_type": PROCEDURE_TYPES[r["procedure_type"]], "opening_date": r["opening"],
            "employees": r.get("employees"), "naf": r["naf"],
            "crit_plus_250_salaries": yes_no[bool(r.get("crit_plus_250_salaries"))],
            "crit_mediatisation": yes_no[bool(r.get("crit_mediatisation"))],
            "crit_souverainete": yes_no[bool(r.get("crit_souverainete"))],
            "crit_international": yes_no[bool(r.get("crit_international"))],
            "crit_autre": r.get("crit_autre"), "emplois_menaces": r.get("emplois_menaces"),
            "territoire": r.get("territoire"), "date_signalement": r["signalled"],
            "statut": STATUSES[r["statut"]], "observations": r.get("observations"),
        }
        for fid, v in values.items():
            if v is not None:
                ws.cell(row, col[fid], v)
        events = [(r["opening"] + dt.timedelta(days=30), "audience", "audience fictive de suivi")]
        if r["statut"] in ("plan", "cession"):
            events.append((r["opening"] + dt.timedelta(days=150), r["statut"], f"{r['statut']} (fictif)"))
        for when, kind, text in events:
            if when <= today:
                ev.cell(erow, ecol["numero"], i)
                ev.cell(erow, ecol["event_date"], when)
                ev.cell(erow, ecol["event_type"], EVENT_TYPES[kind])
                ev.cell(erow, ecol["description"], text)
                erow += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def reset_demo_register(store: RemonteesStore) -> None:
    """Remove a previous demo register and its outputs; refuse to touch a real (non-demo) register."""
    import shutil

    from cpc_toolkit.errors import ReasonCode, UsageError
    from cpc_toolkit.remontees.outputs import outputs_root

    if store.exists():
        subs = store.submissions()
        if len(subs) and not subs["demo"].fillna(False).astype(bool).all():
            raise UsageError(f"Le dossier « {store.donnees} » contient un registre réel des remontées : la "
                             "démonstration ne l'écrase pas. Choisissez un autre dossier avec --donnees.",
                             ReasonCode.USAGE)
    shutil.rmtree(store.base, ignore_errors=True)
    shutil.rmtree(outputs_root(store.donnees), ignore_errors=True)


def write_demo_register(donnees: Path, seed: int = 2025, today: dt.date | None = None) -> list[ImportResult]:
    """Build the demo register through the real path: one filled workbook per (cour, year), imported."""
    from cpc_toolkit.registers import procedures_over_threshold

    today = today or dt.date.today()
    store = RemonteesStore(Path(donnees))
    reset_demo_register(store)
    config = load_config(store.donnees)
    over = procedures_over_threshold(donnees)
    rows = demo_cases(over, seed, today, config.seuil_salaries)
    groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["cour_id"], r["signalled"].year), []).append(r)
    results = []
    for (cour, year), grp in sorted(groups.items()):
        data = _fill(wbk.build_workbook(cour, year, config), grp, today)
        results.append(import_file(Path(wbk.file_name(cour, year)), store, today=today, demo=True, data=data))
    return results
