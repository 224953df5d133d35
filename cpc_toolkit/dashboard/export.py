"""Export of the dashboard's current selection (CSV and Excel), as French tables.

The selection is one year, one family of indicators and a set of units (the cours of the
nation, or a cour and its courts, or one court with its cour and the nation). Only aggregate
indicator values are exported: no case or company is ever named (circulaire §1.2).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import pandas as pd

from cpc_toolkit import catalogue, compute, reference
from cpc_toolkit.fr import decimals_of
from cpc_toolkit.settings import DEMO_LABEL

__all__ = ["EXPORT_COLUMNS", "data_url", "export_name", "selection_frame", "to_csv_bytes", "to_excel_bytes"]

EXPORT_COLUMNS = [
    "Unité", "Identifiant", "Niveau", "Année", "Famille", "Indicateur", "Identifiant indicateur",
    "Valeur", "Unité de mesure", "Statut", "Motif d'absence", "Juridictions ayant répondu",
    "Juridictions attendues",
]
_EXCEL_SHEET = "Sélection"
_ALERTS_SHEET = "Alertes"


def selection_frame(res: pd.DataFrame, unit_ids: Sequence[str], year: int, family: str) -> pd.DataFrame:
    """Rows of ``res`` for ``unit_ids`` × numeric indicators of ``family`` × ``year``, French columns.

    One row per unit and indicator (units in the given order, indicators in catalogue order);
    values stay numeric (the CSV writer and Excel keep full precision). Pure function.
    """
    inds = [i for i in catalogue.indicators(family=family) if i.numeric]
    ids = [i.id for i in inds]
    sub = res[(res["year"] == int(year)) & res["unit_id"].isin(list(unit_ids)) & res["indicator_id"].isin(ids)]
    grid = pd.MultiIndex.from_product([list(dict.fromkeys(unit_ids)), ids], names=["unit_id", "indicator_id"])
    sub = sub.set_index(["unit_id", "indicator_id"]).reindex(grid).reset_index()
    labels = {i.id: i.label for i in inds}
    fam = catalogue.family(family).label
    names = {u: reference.court_name(u) for u in dict.fromkeys(unit_ids)}
    levels = {u: reference.level_of(u) for u in names}
    out = pd.DataFrame({
        "Unité": sub["unit_id"].map(names),
        "Identifiant": sub["unit_id"],
        "Niveau": sub["unit_id"].map(levels).map(reference.level_label),
        "Année": int(year),
        "Famille": fam,
        "Indicateur": sub["indicator_id"].map(labels),
        "Identifiant indicateur": sub["indicator_id"],
        "Valeur": _rounded(sub, levels),
        "Unité de mesure": [catalogue.unit_label(i, levels[u])
                            for u, i in zip(sub["unit_id"], sub["indicator_id"], strict=True)],
        "Statut": sub["status"].fillna("NA").map(catalogue.status_label),
        "Motif d'absence": sub["na_reason"].fillna(""),
        "Juridictions ayant répondu": sub["n_reporting"].astype("Int64"),
        "Juridictions attendues": sub["n_expected"].astype("Int64"),
    })
    return out[EXPORT_COLUMNS]


def _rounded(sub: pd.DataFrame, levels: dict[str, str]) -> pd.Series:
    """Values rounded as displayed: whole numbers for counts, one decimal otherwise."""
    values = pd.to_numeric(sub["value"], errors="coerce")
    units = [compute.display_unit(i, levels[u]) for u, i in zip(sub["unit_id"], sub["indicator_id"], strict=True)]
    decimals = pd.Series([decimals_of(unit) for unit in units], index=values.index)
    return pd.Series([round(v, int(d)) if v == v else v for v, d in zip(values, decimals, strict=True)],
                     index=values.index, dtype="float64")


def to_csv_bytes(df: pd.DataFrame, demo: bool = False) -> bytes:
    """CSV for French spreadsheets: UTF-8 with BOM, ``;`` separator, decimal comma, header first.

    Fictitious data are flagged in a last column « Avertissement » on every row (no comment line
    before the header, which spreadsheet and pandas readers would take for the header).
    """
    buf = io.StringIO()
    if demo:
        df = df.assign(Avertissement=DEMO_LABEL)
    df.to_csv(buf, sep=";", decimal=",", index=False)
    return buf.getvalue().encode("utf-8-sig")


def to_excel_bytes(df: pd.DataFrame, demo: bool = False, alerts: pd.DataFrame | None = None) -> bytes:
    """An .xlsx workbook: sheet « Sélection », and « Alertes » when given (a title row first when
    data are fictitious)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    sheets = [(wb.worksheets[0], _EXCEL_SHEET, df)]
    if alerts is not None:
        sheets.append((wb.create_sheet(), _ALERTS_SHEET, alerts))
    for ws, title, frame in sheets:
        ws.title = title
        if demo:
            ws.append([DEMO_LABEL])
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([None if (isinstance(v, float) and v != v) or v is pd.NA else v for v in row])
        for k, col in enumerate(frame.columns, start=1):
            ws.column_dimensions[get_column_letter(k)].width = max(12, min(45, len(col) + 4))
        ws.freeze_panes = ws.cell(row=3 if demo else 2, column=1).coordinate
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def data_url(payload: bytes, mime: str) -> str:
    """A ``data:`` URL for an in-page download link."""
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


def export_name(unit_id: str, year: int, family: str, ext: str) -> str:
    """File name of an export: ``cpc_<unit>_<year>_<family>.<ext>``."""
    return f"cpc_{unit_id}_{int(year)}_{family}.{ext}"
