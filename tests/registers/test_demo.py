"""Demo registers: deterministic, valid against the import rules, fictitious, on the inputs' scale."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from stdnum.fr import siren

from cpc_toolkit.registers import procedures_over_threshold
from cpc_toolkit.registers.demo import (
    generate_procedures,
    generate_registers,
    siren_numbers,
    write_demo_registers,
)
from cpc_toolkit.registers.io import read_table, validate
from cpc_toolkit.store import Store

SCALE = 0.05


@pytest.fixture(scope="module")
def demo_regs(demo_store: Store) -> dict[str, pd.DataFrame]:
    return generate_registers(demo_store.values(), 2025, scale=SCALE)


def test_deterministic(demo_store: Store, demo_regs: dict[str, pd.DataFrame]) -> None:
    again = generate_registers(demo_store.values(), 2025, scale=SCALE)
    for name in ("mesures", "procedures", "ordonnances"):
        assert len(demo_regs[name]) > 0
        pd.testing.assert_frame_equal(demo_regs[name], again[name])
    other = generate_registers(demo_store.values(), 2026, scale=SCALE)
    assert not other["procedures"]["date_ouverture"].equals(demo_regs["procedures"]["date_ouverture"])


@pytest.mark.parametrize("name", ["mesures", "procedures", "ordonnances"])
def test_generated_rows_pass_import_validation(tmp_path: Path, demo_regs: dict[str, pd.DataFrame],
                                               name: str) -> None:
    path = tmp_path / f"{name}.parquet"
    demo_regs[name].drop(columns=["ligne", "register_year"], errors="ignore").to_parquet(path)
    typed, warnings = validate(read_table(path, name), name, dt.date(2026, 1, 20))
    assert len(typed) == len(demo_regs[name]) and warnings == []


def test_companies_are_fictitious_with_valid_sirens() -> None:
    rng = np.random.default_rng(1)
    numbers = siren_numbers(rng, 2000)
    assert all(siren.is_valid(s) for s in numbers)
    assert len(set(numbers)) > 1990
    counts = pd.DataFrame({"court_id": ["tj-lyon"] * 3, "year": [2025] * 3,
                           "type_procedure": ["liquidation_judiciaire", "redressement_judiciaire", "conciliation"],
                           "n": [4000, 2000, 300]})
    rows = generate_procedures(counts, 7)
    assert len(rows) == 6300
    assert rows["denomination"].str.contains("Fictive|fictive").all()
    assert rows["siren"].map(siren.is_valid).all()
    big = rows[rows["salaries"] > 250]
    assert 3 <= len(big) <= 40  # about 0.2 % of collective procedures
    assert set(big["type_procedure"]) <= {"liquidation_judiciaire", "redressement_judiciaire"}


def test_demo_step_writes_results_on_inputs_scale(tmp_path: Path) -> None:
    from cpc_toolkit.cli.demo import write_demo
    from cpc_toolkit.compute import results

    store = Store(tmp_path / "donnees")
    write_demo(store, 2025)
    sizes = write_demo_registers(store, 2025, scale=0.1)
    assert sizes["mesures"] > 50_000 and sizes["procedures"] > 1000 and sizes["ordonnances"] > 1000
    subs = store.submissions(include_superseded=False)
    reg = subs[subs["channel"].str.startswith("registre:")]
    assert reg["demo"].all()
    assert set(reg["channel"]) == {"registre:mesures", "registre:procedures", "registre:ordonnances"}
    vals = store.values(2025)
    wide = vals.pivot_table(index="court_id", columns="indicator_id", values="value", aggfunc="first")
    stock = wide[["pjm_mesures_tutelle", "pjm_mesures_curatelle", "pjm_mesures_sauvegarde",
                  "pjm_mesures_habilitation"]].sum(axis=1)
    ratio = (wide["reg_pjm_mesures_suivies"] / (0.1 * stock)).dropna()
    assert len(ratio) > 150 and ratio.between(0.85, 1.02).all()
    late = wide["reg_op_hors_delai_6j"].sum() / wide["reg_op_decisions"].sum()
    inputs_late = 1 - wide["vif_op_decidees_6j"].sum() / (wide["vif_op_accordees"] + wide["vif_op_rejetees"]).sum()
    assert late == pytest.approx(inputs_late, abs=0.05)
    res = results(store)
    nat = res[(res["level"] == "national") & (res["year"] == 2025)].set_index("indicator_id")
    assert nat.loc["reg_pjm_mesures_suivies", "value"] == pytest.approx(wide["reg_pjm_mesures_suivies"].sum())
    assert 0 < nat.loc["reg_pjm_taux_echues", "value"] < 20
    over = procedures_over_threshold(store.root)
    assert (over["denomination"].str.contains("Fictive|fictive")).all()
