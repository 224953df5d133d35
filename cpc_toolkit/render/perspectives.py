"""« Perspectives »: figure specs and tables for the projection (reports and the dashboard simulator).

Pure functions over the engine's results table, independent of the other render modules: they only
import :mod:`cpc_toolkit.compute` (and plotly when a ``go.Figure`` is asked for). A spec is a plain
plotly JSON dict (``{"data": [...], "layout": {...}}``) using only ``scatter`` traces, so that the
small plotly.js bundle of the offline reports draws it. The observed part (stocks at 31 December of
the past years) is a solid line with markers, the projected part a dashed line of the same colour,
and the assumptions are stated in one sentence under the chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cpc_toolkit.compute.projection import (
    TOTAL,
    WhatIf,
    assumption_sentence,
    projection_base,
    projection_path,
    projection_table,
    protection_outlook,
    rates_table,
)

__all__ = ["Perspectives", "figure", "perspectives", "projection_figure_spec", "simulate"]

COLORS = {"cg": "#0072B2", "jaf": "#E69F00", "jcp": "#009E73", "refere": "#CC79A7", TOTAL: "#000000"}
FONT = "Marianne, Arial, Helvetica, sans-serif"
WIDTH = 680


def _observed(res: pd.DataFrame, unit_id: str, year: int, contentieux: str) -> pd.DataFrame:
    """Stocks at 31 December of the years up to ``year`` (status ok only), via the cached results index."""
    from cpc_toolkit.compute import results_index

    idx = results_index(res)
    iid = "act_total_stock_fin" if contentieux == TOTAL else f"act_{contentieux}_stock_fin"
    years, stocks = [], []
    for y in idx.years:
        r = idx.keys.get((unit_id, int(y)))
        if y <= int(year) and r is not None and idx.status[r, idx.col[iid]] == "ok":
            years.append(pd.Timestamp(year=int(y), month=12, day=31))
            stocks.append(float(idx.values[r, idx.col[iid]]))
    return pd.DataFrame({"date": years, "stock": stocks})


def _fr(v: float, decimals: int = 0) -> str:
    from cpc_toolkit.fr import format_number

    return format_number(v, decimals)


def projection_figure_spec(res: pd.DataFrame, unit_id: str, year: int, horizon: int = 24,
                           whatif: WhatIf | Mapping[str, WhatIf] | None = None,
                           contentieux: tuple[str, ...] | None = None, demo: bool = False,
                           base: pd.DataFrame | None = None) -> dict[str, Any]:
    """Stock per contentieux: observed year-end stocks (solid) then the projection (dashed).

    ``contentieux`` limits the lines (default: the four contentieux); ``demo`` adds « Données
    fictives » to the title; ``base`` (from :func:`projection_base`) makes repeated calls cheap.
    """
    b = projection_base(res, unit_id, year) if base is None else base
    path = projection_path(res, unit_id, year, horizon, whatif, base=b)
    table = projection_table(res, unit_id, year, horizon, whatif, base=b)
    wanted = contentieux or tuple(c for c in b["contentieux"] if c != TOTAL)
    data: list[dict[str, Any]] = []
    for cid in wanted:
        label = str(b.loc[b["contentieux"] == cid, "label"].iloc[0])
        color = COLORS.get(cid, "#56B4E9")
        obs = _observed(res, unit_id, year, cid)
        if len(obs):
            data.append({"type": "scatter", "mode": "lines+markers", "name": f"{label} (observé)",
                         "legendgroup": cid, "x": [d.strftime("%Y-%m-%d") for d in obs["date"]],
                         "y": obs["stock"].round(1).tolist(), "line": {"color": color, "width": 2},
                         "hovertemplate": "%{x|%d/%m/%Y} : %{y:,.0f} affaires<extra>" + label + "</extra>"})
        p = path[path["contentieux"] == cid]
        if len(p):
            data.append({"type": "scatter", "mode": "lines", "name": f"{label} (projeté)", "legendgroup": cid,
                         "x": [d.strftime("%Y-%m-%d") for d in p["date"]], "y": p["stock"].round(1).tolist(),
                         "line": {"color": color, "width": 2, "dash": "dash"},
                         "hovertemplate": "%{x|%m/%Y} : %{y:,.0f} affaires (projection)<extra>" + label
                                          + "</extra>"})
    note = assumption_sentence(int(year), whatif if isinstance(whatif, WhatIf) else None)
    missing = table[(table["contentieux"].isin(wanted)) & table["stock_h"].isna()]
    if len(missing):
        note += " Non projeté : " + " ; ".join(f"{r.label} ({r.na_reason})" for r in missing.itertuples()) + "."
    title = "Stock en cours : observé et projeté"
    if demo:
        title += " — Données fictives"
    layout = {
        "title": {"text": title, "font": {"size": 15}}, "width": WIDTH, "height": 380,
        "font": {"family": FONT, "size": 12}, "separators": ", ",
        "xaxis": {"title": {"text": ""}, "tickformat": "%m/%Y"},
        "yaxis": {"title": {"text": "affaires en cours"}, "rangemode": "tozero", "tickformat": ",.0f"},
        "legend": {"orientation": "h", "y": -0.18},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 120},
        "shapes": [{"type": "line", "xref": "x", "yref": "paper", "y0": 0, "y1": 1,
                    "x0": f"{int(year)}-12-31", "x1": f"{int(year)}-12-31",
                    "line": {"color": "#888888", "dash": "dot", "width": 1}}],
        "annotations": [{"text": note, "xref": "paper", "yref": "paper", "x": 0, "y": -0.42, "showarrow": False,
                         "align": "left", "xanchor": "left", "font": {"size": 10}}],
        "meta": {"projection_start": f"{int(year)}-12-31", "horizon": int(horizon)},
    }
    return {"data": data, "layout": layout}


def figure(spec: dict[str, Any]) -> Any:
    """A ``plotly.graph_objects.Figure`` from a spec (plotly imported only here)."""
    import plotly.graph_objects as go

    return go.Figure(spec)


@dataclass(frozen=True)
class Perspectives:
    """Everything a « Perspectives » report section needs for one unit-year."""

    projection: pd.DataFrame  # projection_table
    figure_spec: dict[str, Any]
    rates: pd.DataFrame  # rates_table
    outlook: pd.DataFrame  # protection_outlook
    assumption: str


def perspectives(res: pd.DataFrame, unit_id: str, year: int, horizon: int = 24,
                 demo: bool = False) -> Perspectives:
    """Projection table, chart spec, rates per inhabitant and protection outlook of one unit-year."""
    base = projection_base(res, unit_id, year)
    return Perspectives(projection=projection_table(res, unit_id, year, horizon, base=base),
                        figure_spec=projection_figure_spec(res, unit_id, year, horizon, demo=demo, base=base),
                        rates=rates_table(res, unit_id, year), outlook=protection_outlook(res, unit_id, year),
                        assumption=assumption_sentence(int(year)))


def simulate(res: pd.DataFrame, base: pd.DataFrame, horizon: int, whatif: WhatIf | Mapping[str, WhatIf],
             contentieux: tuple[str, ...] | None = None, demo: bool = False) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One simulator update (sliders → table and chart) from a precomputed ``base``; no lookup in ``res``
    beyond the observed stocks."""
    unit_id, year = str(base["unit_id"].iloc[0]), int(base["year"].iloc[0])
    table = projection_table(res, unit_id, year, horizon, whatif, base=base)
    spec = projection_figure_spec(res, unit_id, year, horizon, whatif, contentieux, demo, base=base)
    return table, spec
