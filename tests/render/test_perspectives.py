"""« Perspectives » figure spec: observed part solid, projected part dashed, assumptions stated."""

from __future__ import annotations

import json

import pytest

from cpc_toolkit.compute.projection import WhatIf, projection_base, projection_table
from cpc_toolkit.render.perspectives import figure, perspectives, projection_figure_spec, simulate


def test_spec_draws_observed_then_projected_distinctly(demo_results):
    res, year = demo_results, 2025
    spec = projection_figure_spec(res, "tj-lyon", year, horizon=12, demo=True)
    json.dumps(spec)  # plain JSON: embeddable in a report or sent to a browser
    assert {t["type"] for t in spec["data"]} == {"scatter"}
    table = projection_table(res, "tj-lyon", year, 12).set_index("contentieux")
    for cid in ("cg", "jaf", "jcp", "refere"):
        obs = [t for t in spec["data"] if t["legendgroup"] == cid and "observé" in t["name"]]
        proj = [t for t in spec["data"] if t["legendgroup"] == cid and "projeté" in t["name"]]
        assert len(obs) == 1 and len(proj) == 1, cid
        assert "dash" not in obs[0]["line"] and proj[0]["line"]["dash"] == "dash"
        assert obs[0]["line"]["color"] == proj[0]["line"]["color"]
        assert obs[0]["x"][-1] == proj[0]["x"][0] == f"{year}-12-31"
        assert proj[0]["y"][0] == pytest.approx(obs[0]["y"][-1])
        assert proj[0]["y"][-1] == pytest.approx(table.loc[cid, "stock_h"], abs=0.1)
        assert proj[0]["x"][-1] == f"{year + 1}-12-31"
    assert "Données fictives" in spec["layout"]["title"]["text"]
    assert "rythme mensuel constant" in spec["layout"]["annotations"][0]["text"]
    assert len(figure(spec).data) == len(spec["data"])


def test_simulator_update_changes_the_projection(demo_results):
    base = projection_base(demo_results, "ca-lyon", 2025)
    t0, _ = simulate(demo_results, base, 24, WhatIf())
    t1, spec = simulate(demo_results, base, 24, WhatIf(sorties_pct=10))
    cg0, cg1 = (t[t["contentieux"] == "cg"].iloc[0] for t in (t0, t1))
    assert cg1["stock_h"] < cg0["stock_h"]
    assert "+10,0\u00a0%" in spec["layout"]["annotations"][0]["text"]


def test_perspectives_bundle(demo_results):
    p = perspectives(demo_results, "tj-lyon", 2025)
    assert set(p.outlook["annee_cible"]) == {2030, 2035}
    assert p.rates["value"].notna().all()
    assert (p.projection["contentieux"] == "total").any() and p.assumption
