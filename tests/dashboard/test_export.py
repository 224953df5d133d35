"""Export of the current selection: expected rows, CSV and Excel that read back identically."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from cpc_toolkit import catalogue, reference
from cpc_toolkit.dashboard.export import (
    EXPORT_COLUMNS,
    export_name,
    selection_frame,
    to_csv_bytes,
    to_excel_bytes,
)
from cpc_toolkit.settings import DEMO_LABEL


@pytest.fixture(scope="module")
def lyon_frame(demo_results: pd.DataFrame) -> pd.DataFrame:
    units = ["ca-lyon", *reference.courts_of_cour("ca-lyon"), reference.NATIONAL]
    return selection_frame(demo_results, units, 2025, "activite")


def test_one_row_per_unit_and_numeric_indicator(lyon_frame: pd.DataFrame) -> None:
    n_ind = sum(1 for i in catalogue.indicators(family="activite") if i.numeric)
    n_units = 2 + len(reference.courts_of_cour("ca-lyon"))
    assert list(lyon_frame.columns) == EXPORT_COLUMNS
    assert len(lyon_frame) == n_units * n_ind
    assert set(lyon_frame["Année"]) == {2025}


def test_values_match_the_engine(lyon_frame: pd.DataFrame, demo_results: pd.DataFrame) -> None:
    r = demo_results
    expected = r[(r["unit_id"] == "tj-lyon") & (r["year"] == 2025) & (r["indicator_id"] == "act_cg_entrees")]
    got = lyon_frame[(lyon_frame["Identifiant"] == "tj-lyon")
                     & (lyon_frame["Identifiant indicateur"] == "act_cg_entrees")]
    assert float(got["Valeur"].iloc[0]) == float(expected["value"].iloc[0])
    assert got["Unité"].iloc[0] == "Tribunal judiciaire de Lyon"


def test_missing_court_year_is_exported_as_not_available(demo_results: pd.DataFrame) -> None:
    # tj-privas has no 2025 workbook in the demo data
    df = selection_frame(demo_results, ["tj-privas"], 2025, "activite")
    # the population of the ressort is reference data, known without any workbook
    df = df[~df["Identifiant indicateur"].isin([i.id for i in catalogue.indicators(kind="reference")])]
    assert len(df) > 0 and df["Valeur"].isna().all()
    assert set(df["Statut"]) == {"non disponible"}


def test_csv_reads_back_with_french_conventions(lyon_frame: pd.DataFrame) -> None:
    raw = to_csv_bytes(lyon_frame, demo=True)
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for spreadsheet software
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].split(";") == [*EXPORT_COLUMNS, "Avertissement"]  # the header comes first
    back = pd.read_csv(io.StringIO(text), sep=";", decimal=",")
    assert len(back) == len(lyon_frame) and set(back["Avertissement"]) == {DEMO_LABEL}
    pd.testing.assert_series_equal(back["Valeur"], lyon_frame["Valeur"].reset_index(drop=True), check_names=False)
    assert "#" not in text.splitlines()[0]


def test_values_are_rounded_as_their_unit_is_displayed(lyon_frame: pd.DataFrame) -> None:
    values = lyon_frame.dropna(subset=["Valeur"])
    counts = values[values["Unité de mesure"] == catalogue.UNIT_LABELS["count"]]["Valeur"]
    others = values[values["Unité de mesure"] != catalogue.UNIT_LABELS["count"]]["Valeur"]
    assert len(counts) and len(others)
    assert (counts == counts.round(0)).all()
    assert (others == others.round(1)).all() and not (others == others.round(0)).all()


def test_excel_has_the_same_rows(lyon_frame: pd.DataFrame) -> None:
    wb = load_workbook(io.BytesIO(to_excel_bytes(lyon_frame, demo=True)))
    ws = wb["Sélection"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == DEMO_LABEL
    assert list(rows[1]) == EXPORT_COLUMNS
    assert len(rows) - 2 == len(lyon_frame)


def test_export_name() -> None:
    assert export_name("ca-lyon", 2025, "activite", "csv") == "cpc_ca-lyon_2025_activite.csv"


def test_selection_frame_does_not_mutate_results(demo_results: pd.DataFrame) -> None:
    before = demo_results.shape, demo_results["value"].sum()
    selection_frame(demo_results, ["ca-paris"], 2024, "vif")
    assert (demo_results.shape, demo_results["value"].sum()) == before
