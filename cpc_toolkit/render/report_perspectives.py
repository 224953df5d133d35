"""The « Perspectives » section of the CLPC and chef de cour reports.

Kept apart from :mod:`cpc_toolkit.render.report` (which registers :func:`section` in its
``BUILDERS``): the numbers are those of :mod:`cpc_toolkit.compute.projection`, through
:func:`cpc_toolkit.render.perspectives.perspectives`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from cpc_toolkit import catalogue, compute, reference
from cpc_toolkit.fr import format_value
from cpc_toolkit.render.sections import Block, Heading, Section, TableBlock, Text
from cpc_toolkit.render.tables import Table
from cpc_toolkit.settings import DEMO_LABEL

if TYPE_CHECKING:
    from cpc_toolkit.render.report import Context

__all__ = ["HORIZON", "SECTION_ID", "section"]

SECTION_ID = "perspectives"
HORIZON = 12  # months: the projection table of the reports


def _horizon() -> str:
    """« 12 mois », written by the one vocabulary."""
    return format_value(HORIZON, "months", 0)


def _NA() -> str:  # column title: the status label of NA
    return catalogue.status_label("NA")


def _projection_frame(proj: pd.DataFrame) -> Table:
    df = pd.DataFrame({
        "contentieux": proj["label"],
        "stock au 31/12": proj["stock_fin"], "entrées mensuelles": proj["entrees_mensuelles"],
        "sorties mensuelles": proj["sorties_mensuelles"], "DTES au 31/12": proj["dtes_fin"],
        f"stock à {_horizon()}": proj["stock_h"], f"DTES à {_horizon()}": proj["dtes_h"],
        "tendance": proj["tendance"],
        "échéance": [f"{e} ({t})" if isinstance(e, str) and e else (r or "")
                     for e, t, r in zip(proj["echeance"], proj["evenement"], proj["evenement_na_reason"],
                                        strict=True)],
        "non projeté": proj["na_reason"].fillna("")})
    return Table(df, {"stock au 31/12": "count", "entrées mensuelles": "count", "sorties mensuelles": "count",
                      "DTES au 31/12": "months", f"stock à {_horizon()}": "count",
                      f"DTES à {_horizon()}": "months"})


def _rates_frame(ctx: Context, rates: pd.DataFrame) -> Table:
    level = reference.level_of(ctx.unit_id)
    df = pd.DataFrame({"indicateur": rates["label"], "valeur": rates["value"],
                       "juridictions": [f"{int(n)}/{int(m)}" if pd.notna(n) and pd.notna(m) else ""
                                        for n, m in zip(rates["n_reporting"], rates["n_expected"], strict=True)],
                       _NA(): rates["na_reason"].fillna(""),
                       "_unit": [compute.display_unit(i, level) for i in rates["indicator_id"]]})
    return Table(df, {"indicateur": None, "juridictions": None, _NA(): None}, row_units="_unit")


def _outlook_frame(outlook: pd.DataFrame) -> Table:
    df = pd.DataFrame({"année": outlook["annee_cible"].astype(str), "mesures en cours": outlook["mesures"],
                       "75 ans et plus (référence)": outlook["pop75_reference"],
                       "75 ans et plus (année cible)": outlook["pop75_cible"],
                       "mesures attendues": outlook["mesures_attendues"], "variation": outlook["variation_pct"],
                       _NA(): outlook["na_reason"].fillna("")})
    return Table(df, {"mesures en cours": "count", "75 ans et plus (référence)": "count",
                      "75 ans et plus (année cible)": "count", "mesures attendues": "count", "variation": "percent"})


def section(ctx: Context) -> Section:
    """« Perspectives »: stock projected at constant monthly rates (observed solid, projected dashed), the
    projection table at 12 months, rates per inhabitant and the protection outlook, each with its
    assumption sentence written next to it (numbers from :mod:`cpc_toolkit.compute.projection`)."""
    from cpc_toolkit.compute.projection import outlook_sentence
    from cpc_toolkit.reference.population import POPULATION_ATTRIBUTION
    from cpc_toolkit.render.perspectives import perspectives
    from cpc_toolkit.render.report import _Figures, _section

    p = perspectives(ctx.res, ctx.unit_id, ctx.annee, horizon=HORIZON, demo=ctx.demo)
    fig = _Figures(ctx, SECTION_ID)
    proj, rates, outlook = _projection_frame(p.projection), _rates_frame(ctx, p.rates), _outlook_frame(p.outlook)
    blocks: list[Block] = []
    if ctx.demo:
        blocks.append(Text(f"{DEMO_LABEL} : projection calculée sur le jeu de démonstration synthétique.", "muted"))
    blocks += [Heading(f"Stock en cours projeté à {_horizon()}"), fig(p.figure_spec),
               Text(p.assumption, "muted"), TableBlock(proj),
               Heading("Taux pour 100 000 et 10 000 habitants"), TableBlock(rates),
               Text(POPULATION_ATTRIBUTION, "muted"),
               Heading("Demande de protection des majeurs attendue en 2030 et 2035"), TableBlock(outlook)]
    blocks += [Text(outlook_sentence(r), "muted") for r in cast(list[dict[str, Any]], p.outlook.to_dict("records"))]
    ids = ("act_total_stock_fin", "act_total_dtes", "ref_population", *p.rates["indicator_id"])
    return _section(ctx, SECTION_ID, blocks, ids,
                    [("Projection", proj), ("Taux par habitant", rates), ("Protection 2030-2035", outlook)])
