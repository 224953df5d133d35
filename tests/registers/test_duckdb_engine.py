"""The DuckDB (out-of-core) register engine gives exactly the pandas path's indicators."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cpc_toolkit.registers import duckdb_engine, ordonnances, procedures, storage
from cpc_toolkit.registers.demo import DEMO_AS_OF, generate_registers
from cpc_toolkit.registers.importer import compute_values
from cpc_toolkit.registers.schema import MEASURE_TYPES, PROCEDURE_TYPES
from cpc_toolkit.store import Store

COURTS = ["tj-lyon", "tj-paris", "tj-carpentras", "tj-avignon", "tpi-mamoudzou"]


def _years(rtype: str, rows: pd.DataFrame) -> pd.Series:
    if rtype == "mesures":
        return rows.pop("register_year")
    return procedures.row_years(rows) if rtype == "procedures" else ordonnances.row_years(rows)


def _store_and_compare(root: Path, regs: dict[str, pd.DataFrame], as_of: dt.date) -> dict[str, pd.DataFrame]:
    """Write each register as storage does, then compare the pandas path with DuckDB over the files."""
    out = {}
    for rtype, rows in regs.items():
        rows = rows.copy()
        years = _years(rtype, rows)
        expected = compute_values(rtype, rows, years, as_of)
        with storage.locked(root):
            storage.write_rows(root, rtype, rows, years)
        got = duckdb_engine.stored_indicators(root, rtype, as_of=as_of)
        pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True),
                                      check_dtype=False, check_index_type=False)
        out[rtype] = got
    return out


@pytest.fixture(scope="module")
def full_demo_registers(demo_store: Store) -> dict[str, pd.DataFrame]:
    return generate_registers(demo_store.values(), 2025, scale=1.0)


def test_same_indicators_as_pandas_on_the_full_demo_registers(tmp_path: Path, full_demo_registers) -> None:
    n_rows = sum(len(df) for df in full_demo_registers.values())
    assert n_rows > 900_000 and len(full_demo_registers["mesures"]) > 800_000  # the whole demo (≈ 0,93 M rows)
    got = _store_and_compare(tmp_path, full_demo_registers, DEMO_AS_OF)
    assert got["mesures"]["court_id"].nunique() >= 160 and got["mesures"]["value"].sum() > 1_000_000
    assert got["procedures"]["value"].sum() > 0 and got["ordonnances"]["value"].notna().any()


def _random_dates(rng: np.random.Generator, n: int, lo: str, hi: str, missing: float) -> pd.Series:
    days = rng.integers(np.datetime64(lo, "D").astype(int), np.datetime64(hi, "D").astype(int), n)
    month_ends = pd.to_datetime(days.astype("datetime64[D]")) + pd.offsets.MonthEnd(0)
    values = np.where(rng.random(n) < 0.3, month_ends.to_numpy(), days.astype("datetime64[D]"))  # many 31st
    out = pd.Series(pd.to_datetime(values)).astype("datetime64[s]")
    return out.mask(rng.random(n) < missing)


def _random_registers(seed: int, n: int = 4000) -> dict[str, pd.DataFrame]:
    """Rows full of edge cases: missing dates and durations, month ends, leap years, unknown flags."""
    rng = np.random.default_rng(seed)

    def flags(p_missing: float = 0.3) -> pd.Series:
        return pd.Series(rng.random(n) < 0.5, dtype="boolean").mask(rng.random(n) < p_missing)

    def months(choices: list[float], p_missing: float) -> pd.Series:
        return pd.Series(rng.choice(choices, n)).mask(rng.random(n) < p_missing)

    court = rng.choice(COURTS, n)
    mes = pd.DataFrame({
        "identifiant": [f"M{i}" for i in range(n)], "juridiction": court,
        "type_mesure": rng.choice(list(MEASURE_TYPES), n),
        "date_ouverture": _random_dates(rng, n, "2010-01-01", "2025-12-31", 0.02),
        "date_fin": _random_dates(rng, n, "2023-01-01", "2026-06-30", 0.7),
        "duree_mois": months([6, 12, 60, 120], 0.05),
        "date_dernier_renouvellement": _random_dates(rng, n, "2015-01-01", "2025-12-31", 0.5),
        "duree_renouvellement_mois": months([12, 60, 61, 120, 240], 0.2),
        "dispense_compte": flags(), "date_dernier_compte_recu": _random_dates(rng, n, "2023-06-01", "2026-01-31", 0.3),
        "date_dernier_compte_verifie": _random_dates(rng, n, "2024-01-01", "2026-02-28", 0.4),
        "register_year": rng.choice([2023, 2024, 2025], n), "ligne": np.arange(2, n + 2),
    })
    opened = _random_dates(rng, n, "2021-01-01", "2025-12-31", 0.0)
    pro = pd.DataFrame({
        "identifiant": [f"P{i}" for i in range(n)], "juridiction": court,
        "type_procedure": rng.choice(list(PROCEDURE_TYPES), n), "date_ouverture": opened,
        "date_fin": (opened + pd.to_timedelta(rng.integers(0, 300, n), unit="D")).mask(rng.random(n) < 0.4),
        "prorogation": flags(), "salaries": months([0, 3, 250, 251, 1000], 0.2),
        "salarie_6_derniers_mois": flags(0.5), "actif_declare": months([0, 15_000, 15_000.5, 90_000], 0.3),
        "date_procedure_precedente": _random_dates(rng, n, "2015-01-01", "2025-06-30", 0.7),
        "forme_debiteur": pd.Series(rng.choice(["personne_physique", "personne_morale"], n)).mask(rng.random(n) < 0.2),
        "profession_liberale_reglementee": flags(),
        "date_debut_suspension": (opened + pd.to_timedelta(rng.integers(0, 30, n), unit="D")).mask(rng.random(n) < 0.5),
        "date_fin_suspension": (opened + pd.to_timedelta(rng.integers(30, 200, n), unit="D")).mask(rng.random(n) < 0.5),
        "suspension_renouvelee": flags(0.4), "ligne": np.arange(2, n + 2),
    })
    asked = pd.Series(pd.to_datetime("2022-01-01") + pd.to_timedelta(rng.integers(0, 1460 * 24, n), unit="h"))
    saisine = (asked + pd.to_timedelta(rng.integers(0, 48, n), unit="h")).mask(rng.random(n) < 0.6)
    ordo = pd.DataFrame({
        "identifiant": [f"O{i}" for i in range(n)], "juridiction": court, "date_demande": asked,
        "date_fixation_audience": (asked + pd.to_timedelta(rng.integers(0, 3, n), unit="D")).mask(rng.random(n) < 0.4),
        "date_decision": (asked + pd.to_timedelta(rng.integers(0, 15 * 24, n), unit="h")).mask(rng.random(n) < 0.2),
        "oppi_saisine": saisine,
        "oppi_decision": (saisine + pd.to_timedelta(rng.integers(1, 50 * 60, n), unit="min")).mask(rng.random(n) < 0.3),
        "ligne": np.arange(2, n + 2),
    })
    return {"mesures": storage.canonical(mes, "mesures").assign(register_year=mes["register_year"].to_numpy()),
            "procedures": storage.canonical(pro, "procedures"), "ordonnances": storage.canonical(ordo, "ordonnances")}


@pytest.mark.parametrize("seed", [1, 2])
def test_same_indicators_as_pandas_on_edge_cases(tmp_path: Path, seed: int) -> None:
    got = _store_and_compare(tmp_path, _random_registers(seed), dt.date(2025, 11, 30))
    assert set(got["mesures"]["year"]) == {2023, 2024, 2025}
    assert got["procedures"]["value"].sum() > 0 and got["ordonnances"]["value"].isna().sum() < len(got["ordonnances"])


def test_selection_of_courts_and_years_reads_only_those_partitions(tmp_path: Path) -> None:
    regs = _random_registers(3)
    full = _store_and_compare(tmp_path, {"mesures": regs["mesures"]}, dt.date(2025, 11, 30))["mesures"]
    files = storage.partition_files(tmp_path, "mesures", years=[2024], court_ids=["tj-lyon"])
    assert list(files) == [2024] and [p.parent.name for p in files[2024]] == ["juridiction=tj-lyon"]
    part = duckdb_engine.stored_indicators(tmp_path, "mesures", years=[2024], court_ids=["tj-lyon"])
    expected = full[(full["year"] == 2024) & (full["court_id"] == "tj-lyon")]
    pd.testing.assert_frame_equal(part, expected.reset_index(drop=True), check_dtype=False)


def test_earlier_year_files_are_read_then_split_on_next_write(tmp_path: Path) -> None:
    regs = _random_registers(4)
    rows = regs["procedures"]
    years = procedures.row_years(rows)
    expected = procedures.indicators(rows, dt.date(2025, 11, 30))
    folder = storage.registers_dir(tmp_path) / "procedures"
    folder.mkdir(parents=True)
    for y in sorted(years.unique()):  # the layout of earlier versions: one file per year, every court
        storage.canonical(rows[years == y], "procedures").to_parquet(folder / f"{y}.parquet", index=False)
    got = duckdb_engine.stored_indicators(tmp_path, "procedures", as_of=dt.date(2025, 11, 30))
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert set(storage.stored_court_years(tmp_path, "procedures")["court_id"]) == set(COURTS)
    lyon = rows[(rows["juridiction"] == "tj-lyon") & (years == 2024)].iloc[:3]
    with storage.locked(tmp_path):
        storage.write_rows(tmp_path, "procedures", lyon, procedures.row_years(lyon))
    assert not (folder / "2024.parquet").exists() and (folder / "2023.parquet").exists()
    back = storage.read_rows(tmp_path, "procedures", years=[2024])
    assert (back["juridiction"] == "tj-lyon").sum() == 3
    assert set(back["juridiction"]) == set(rows.loc[years == 2024, "juridiction"])


def test_cli_register_indicators_from_the_stored_partitions(tmp_path: Path, capsys) -> None:
    from cpc_toolkit.cli.main import main

    regs = _random_registers(5)
    rows = regs["mesures"].copy()
    years = rows.pop("register_year")
    with storage.locked(tmp_path):
        storage.write_rows(tmp_path, "mesures", rows, years)
    expected = compute_values("mesures", rows, years, dt.date(2025, 11, 30))
    code = main(["--donnees", str(tmp_path), "registre", "indicateurs", "--type", "mesures", "--annee", "2024",
                 "--cour", "ca-lyon", "--format", "csv"])
    out = capsys.readouterr().out
    assert code == 0
    import io

    got = pd.read_csv(io.StringIO(out))
    want = expected[(expected["year"] == 2024) & (expected["court_id"] == "tj-lyon")].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    code = main(["--donnees", str(tmp_path), "registre", "indicateurs", "--type", "procedures"])
    assert code == 1 and "Aucun registre des procédures" in capsys.readouterr().err
