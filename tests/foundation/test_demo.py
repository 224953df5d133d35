"""Calibrated demo data: determinism, internal consistency, calibration, imperfections, labels."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from cpc_toolkit import catalogue, reference
from cpc_toolkit.catalogue.expressions import evaluate
from cpc_toolkit.cli.demo import print_summary, reset_demo_store
from cpc_toolkit.demo import DEMO_YEARS, MISSING_COURT_YEARS, court_sizes, generate_inputs
from cpc_toolkit.errors import UsageError
from cpc_toolkit.settings import DEMO_LABEL
from cpc_toolkit.store import Store, SubmissionRecord

CONTENTIEUX = [c["id"] for c in catalogue.contentieux()]


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return generate_inputs(2025)


@pytest.fixture(scope="module")
def wide(demo) -> pd.DataFrame:
    ok = demo[demo["status"] == "ok"]
    num = ok.pivot_table(index=["court_id", "year"], columns="indicator_id", values="value", aggfunc="first")
    return num.reindex(pd.MultiIndex.from_frame(demo[["court_id", "year"]].drop_duplicates()))


def digest(df: pd.DataFrame) -> str:
    return hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()


def test_deterministic_for_a_seed_and_different_for_another(demo):
    assert digest(generate_inputs(2025)) == digest(demo)
    assert digest(generate_inputs(np.int64(2025), years=(2021,))) == digest(demo[demo["year"] == 2021]
                                                                            .reset_index(drop=True))
    other = generate_inputs(7, years=(2021,))
    assert digest(other) != digest(demo[demo["year"] == 2021].reset_index(drop=True))
    assert not court_sizes(7).equals(court_sizes(2025))
    assert court_sizes(2025).sum() == pytest.approx(1.0)


def test_shape_scope_and_missing_court_years(demo):
    assert set(demo["year"]) == set(DEMO_YEARS)
    assert set(demo["court_id"]) == set(reference.first_instance_courts().index)
    court_years = set(map(tuple, demo[["court_id", "year"]].drop_duplicates().itertuples(index=False)))
    assert len(court_years) == 168 * 5 - len(MISSING_COURT_YEARS)
    for cid, year in MISSING_COURT_YEARS:
        reference.court(cid)
        assert (cid, year) not in court_years
        assert (cid, year + 1 if year < 2025 else year - 1) in court_years
    inputs = {i.id for i in catalogue.input_indicators()}
    lists = {spec.id for spec in catalogue.lists()}  # the « Compte rendu » lists of a conseil held
    per = demo.groupby(["court_id", "year"])["indicator_id"].agg(lambda s: frozenset(s))
    assert per.map(lambda ids: ids - lists == inputs).all()  # every input, once, in every court-year
    with_lists = per[per.map(lambda ids: bool(ids & lists))]
    assert len(with_lists) > 100 and {y for _, y in with_lists.index} == {2025}
    assert set(demo["status"]) == {"ok", "NA", "NAP"}


def test_stock_identity_and_continuity(wide):
    for c in CONTENTIEUX:
        cols = [f"act_{c}_{m}" for m in ("stock_debut", "entrees", "sorties", "stock_fin")]
        w = wide[cols].dropna()
        assert len(w) == len(wide)
        assert (w.iloc[:, 0] + w.iloc[:, 1] - w.iloc[:, 2] == w.iloc[:, 3]).all(), c
        assert (w >= 0).all().all()
        fin = w[f"act_{c}_stock_fin"].rename("fin").reset_index()
        fin["year"] += 1
        debut = w[f"act_{c}_stock_debut"].rename("debut").reset_index()
        pairs = debut.merge(fin, on=["court_id", "year"])
        assert len(pairs) > 600
        assert (pairs["debut"] == pairs["fin"]).all(), c


def test_every_catalogue_check_holds_on_the_demo(wide, demo):
    data = wide.copy()
    dates = demo[demo["indicator_id"] == "clpc_date"].set_index(["court_id", "year"])["text"]
    data["clpc_date"] = dates.reindex(data.index)
    for check in catalogue.checks():
        res = evaluate(check.expression, data)
        evaluated = res.values.dropna()
        assert len(evaluated) > 0, check.id
        assert (evaluated == 1.0).all(), (check.id, res.values[res.values == 0].index[:3].tolist())


def test_named_consistency_rules(wide):
    w = wide
    ara = w[["ami_ara_tenues", "ami_ara_accord_total", "ami_ara_accord_partiel", "ami_ara_echec"]].dropna()
    assert len(ara) > 400
    assert (ara["ami_ara_accord_total"] + ara["ami_ara_accord_partiel"] <= ara["ami_ara_tenues"]).all()
    assert (w["ami_ara_tenues"].dropna() <= w["ami_ara_ordonnees"].dropna()).all()
    assert (w["vif_op_accordees"] + w["vif_op_rejetees"] <= w["vif_op_demandees"]).all()
    assert (w["pjm_comptes_recus_30juin"] <= w["pjm_comptes_attendus"]).all()
    assert (w["pjm_comptes_verifies_31dec"] <= w["pjm_comptes_recus_30juin"]).all()


def test_calibrated_on_national_figures(wide):
    by_year = wide.groupby(level="year").sum(min_count=1)
    inflow = sum(by_year[f"act_{c}_entrees"] for c in CONTENTIEUX)
    outflow = sum(by_year[f"act_{c}_sorties"] for c in CONTENTIEUX)
    assert ((inflow - 1_450_000).abs() <= 0.15 * 1_450_000).all(), inflow.tolist()
    coverage = outflow / inflow
    assert ((coverage > 0.96) & (coverage < 1.0)).all(), coverage.tolist()
    assert ((by_year["pjm_ouvertures"] >= 100_000) & (by_year["pjm_ouvertures"] <= 110_000)).all()
    granted = by_year["vif_op_accordees"] / (by_year["vif_op_accordees"] + by_year["vif_op_rejetees"])
    assert ((granted > 0.6) & (granted < 0.72)).all(), granted.tolist()
    assert ((by_year["vif_op_demandees"] > 4_500) & (by_year["vif_op_demandees"] < 8_000)).all()
    liq = by_year["ent_liquidations"] / (by_year["ent_liquidations"] + by_year["ent_redressements"]
                                         + by_year["ent_sauvegardes"])
    assert ((liq > 0.6) & (liq < 0.8)).all()
    # size distribution: Paris is the largest court, Mata-Utu among the smallest
    sizes = court_sizes(2025)
    assert sizes.idxmax() == "tj-paris"
    assert sizes["tpi-mata-utu"] < sizes.quantile(0.05)


def test_realistic_imperfections_and_applicability(demo):
    st = demo.set_index(["court_id", "year", "indicator_id"])["status"]
    assert (demo["status"] == "NA").sum() >= 10
    assert (st.xs(("vif_oppi_demandees", 2024), level=("indicator_id", "year")) == "NAP").all()
    assert (st.xs(("vif_oppi_demandees", 2025), level=("indicator_id", "year")) == "ok").all()
    tae_2025 = st.xs(("ent_liquidations", 2025), level=("indicator_id", "year"))
    for cid in reference.tae_tj_ids():
        if cid in tae_2025.index:
            assert tae_2025[cid] == "NAP", cid
    assert st[("tj-carpentras", 2024, "ent_liquidations")] == "ok"


def test_every_output_is_labelled_fictitious(demo, demo_store, capsys):
    assert "Données fictives" in DEMO_LABEL
    lists = {spec.id for spec in catalogue.lists()}
    texts = demo.loc[demo["text"].notna() & (demo["indicator_id"] != "clpc_date") & ~demo["indicator_id"].isin(lists),
                     "text"]
    assert len(texts) > 100 and texts.str.startswith("Données fictives").all()
    members = demo.loc[demo["indicator_id"] == "clpc_membres_liste", "text"].map(catalogue.list_rows)
    names = [m["nom"] for rows in members for m in rows]
    assert len(names) > 100 and all(n.endswith("(fictif)") for n in names)  # visibly fictitious people
    subs = demo_store.submissions()
    assert subs["demo"].all() and len(subs) == 168 * 5 - len(MISSING_COURT_YEARS)
    print_summary(demo_store)
    out = capsys.readouterr().out
    assert "Données fictives" in out
    assert "Juridictions : 168" in out and "37 cours d'appel" in out
    assert "2025 : 167/168 juridictions ont transmis (99,4\u00a0%)" in out
    assert f"Indicateurs au catalogue : {len(catalogue.indicators())}" in out


def test_demo_reset_refuses_to_overwrite_real_data(tmp_path):
    store = Store(tmp_path)
    vals = pd.DataFrame({"indicator_id": ["act_cg_entrees"], "value": [1.0], "status": ["ok"]})
    store.write([SubmissionRecord("tj-lyon", 2025, "classeur", vals, demo=False)])
    with pytest.raises(UsageError, match="données réelles"):
        reset_demo_store(store)
    assert store.exists() and len(store.values()) == 1
    demo_dir = tmp_path / "demo"
    Store(demo_dir).write([SubmissionRecord("tj-lyon", 2025, "classeur", vals, demo=True)])
    reset_demo_store(Store(demo_dir))
    assert not Store(demo_dir).exists()
