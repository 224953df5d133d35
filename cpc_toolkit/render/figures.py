"""Plotly figure builders over the engine's results table (reports and dashboards share them).

Every function takes the long *results* table of :func:`cpc_toolkit.compute.results` (columns
``unit_id, level, year, indicator_id, value, …``) and returns a new ``go.Figure``; inputs are
never mutated. Labels and units come from the catalogue, numbers are French (``separators`` from :mod:`cpc_toolkit.fr`:
``1 234,5`` with a narrow no-break space), palettes are colour-blind safe (Okabe–Ito for categories, Cividis for scales).

Only ``scatter`` and ``bar`` traces are used, so that the small ``plotly.js-basic`` bundle
vendored for offline reports draws every chart (the map of France is drawn from the
départements' outlines as filled polygons, with the overseas départements as insets).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any, cast

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from cpc_toolkit import catalogue, compute, reference
from cpc_toolkit.errors import ReasonCode, RenderError
from cpc_toolkit.fr import (
    DECIMAL_SEP,
    THOUSANDS_SEP,
    decimals_of,
    format_number,
    format_value,
    sort_key,
    unit_suffix,
)

__all__ = [
    "PALETTE",
    "SEQUENTIAL",
    "WIDTH",
    "activity_bars",
    "alt_text",
    "composition_bar",
    "contrast_ratio",
    "courts_bar",
    "data_table",
    "distribution",
    "figure_html",
    "france_map",
    "heat_colour",
    "heat_mark",
    "heat_table",
    "position_strip",
    "ranking",
    "readable",
    "trend",
]

# Okabe & Ito (2008) colour-blind-safe qualitative palette
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
SEQUENTIAL = "Cividis"
GREY = "#BBBBBB"
MISSING = "#E8E8E8"
WIDTH = 680  # px: fits the A4 printable width (180 mm) so that no chart is clipped in the PDF
FONT = "Marianne, Arial, Helvetica, sans-serif"
OVERSEAS = {"971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion", "976": "Mayotte"}


# --------------------------------------------------------------------------- helpers
def _ind(indicator_id: str) -> catalogue.Indicator:
    ind = catalogue.get(indicator_id)
    if not ind.numeric:
        raise RenderError(f"L'indicateur « {ind.label} » n'est pas numérique : pas de graphique.",
                          ReasonCode.RENDER)
    return ind


def _decimals(unit: str) -> int:
    return decimals_of(unit)


def _axis_title(ind: catalogue.Indicator) -> str:
    u = catalogue.unit(ind.unit)
    if u.axis:
        return u.axis
    return ind.label if not u.symbol else f"{ind.label} ({u.label})"


def _suffix(unit: str) -> str:
    return unit_suffix(unit)


def _hover_fmt(ind: catalogue.Indicator, var: str = "x") -> str:
    return f"%{{{var}:,.{_decimals(ind.unit)}f}}{_suffix(ind.unit)}"


def heat_colour(z: float) -> str:
    """Cell colour of a heat table for a standardised, direction-oriented score ``z``:
    blue (better) … white … orange (less good), colour-blind safe. The one heat palette."""
    t = max(-1.0, min(1.0, z / 2.0))
    if t >= 0:
        r, g, b = (255 - int(t * (255 - 86)), 255 - int(t * (255 - 180)), 255 - int(t * (255 - 233)))
    else:
        t = -t
        r, g, b = (255 - int(t * (255 - 230)), 255 - int(t * (255 - 159)), 255 - int(t * 255))
    return f"#{r:02x}{g:02x}{b:02x}"


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.x) of ``#rrggbb``."""
    c = colour.lstrip("#")
    c = "".join(ch * 2 for ch in c) if len(c) == 3 else c
    rgb = [int(c[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(fg: str, bg: str = "#ffffff") -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21; text needs at least 4.5)."""
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


@cache
def readable(colour: str, bg: str = "#ffffff", target: float = 4.5) -> str:
    """``colour`` darkened just enough for text on ``bg`` (contrast ≥ ``target``, RGAA 3.2).

    Reference lines keep their palette colour; their labels use this darker shade of it.
    """
    c = colour.lstrip("#")
    c = "".join(ch * 2 for ch in c) if len(c) == 3 else c
    rgb = [int(c[i:i + 2], 16) for i in (0, 2, 4)]
    k = 1.0
    out = colour
    while contrast_ratio(out, bg) < target and k > 0:
        k -= 0.02
        out = "#" + "".join(f"{max(0, int(v * k)):02x}" for v in rgb)
    return out


def _layout(title: str, height: int = 340, width: int | None = WIDTH, **kw: Any) -> dict[str, Any]:
    """Layout dict shared by every figure (figures are built as plain dicts, then wrapped once in
    ``go.Figure``: incremental ``update_*`` calls cost ~20 ms per figure, a dict ~2 ms)."""
    lay: dict[str, Any] = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "separators": DECIMAL_SEP + THOUSANDS_SEP, "font": {"family": FONT, "size": 12, "color": "#222"},
        "template": _template_json(), "height": height, "width": width, "autosize": width is None,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 40}, "colorway": list(PALETTE),
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0},
        "hoverlabel": {"font": {"family": FONT}},
    }
    for k, v in kw.items():
        if isinstance(v, dict) and isinstance(lay.get(k), dict):
            lay[k] = {**lay[k], **v}
        else:
            lay[k] = v
    return lay


def _vline(x: float, color: str, dash: str, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A vertical reference line across the plot and its label (shape + annotation dicts)."""
    shape = {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "paper",
             "line": {"color": color, "dash": dash, "width": 2}}
    note = {"text": text, "x": x, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom", "showarrow": False,
            "font": {"size": 10, "color": readable(color)}}
    return shape, note


Spec = dict[str, Any]


def _figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> Spec:
    return {"data": data, "layout": layout}


class FigureBuilder:
    """Public builder returning a ``go.Figure``; ``builder.spec(...)`` returns the plain dict (reports
    render it with ``plotly.io.to_html(spec, validate=False)``, skipping plotly's validation)."""

    def __init__(self, spec_fn: Callable[..., Spec]) -> None:
        self.spec = spec_fn
        functools.update_wrapper(self, spec_fn)

    def __call__(self, *args: Any, **kwargs: Any) -> go.Figure:
        return go.Figure(self.spec(*args, **kwargs))


def _builder(spec_fn: Callable[..., Spec]) -> FigureBuilder:
    return FigureBuilder(spec_fn)


def _describe(layout: dict[str, Any], alt: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Attach the chart's text alternative and its data table (French-formatted strings) to the
    layout's ``meta`` (kept in the figure, ignored by plotly.js): :func:`alt_text`, :func:`data_table`."""
    layout["meta"] = {"alt": alt, "columns": list(columns), "rows": [[str(x) for x in r] for r in rows]}


def _meta(spec: Spec | go.Figure) -> dict[str, Any]:
    layout = spec.get("layout", {}) if isinstance(spec, dict) else spec.to_plotly_json().get("layout", {})
    meta = layout.get("meta") if isinstance(layout, dict) else None
    return meta if isinstance(meta, dict) else {}


def alt_text(spec: Spec | go.Figure) -> str:
    """The text alternative of a chart: one French sentence with its key values (builders store it;
    for a spec built elsewhere, a sentence is derived from its title and the last point of each series)."""
    alt = str(_meta(spec).get("alt", ""))
    return alt or _generic_alt(spec)


def data_table(spec: Spec | go.Figure) -> pd.DataFrame:
    """The table behind a chart (formatted French strings, one column per series)."""
    meta = _meta(spec)
    if not meta.get("rows"):
        return _generic_table(spec)
    return pd.DataFrame(meta.get("rows", []), columns=meta.get("columns", []), dtype="string")


def _plain_spec(spec: Spec | go.Figure) -> dict[str, Any]:
    return cast(dict[str, Any], spec.to_plotly_json() if isinstance(spec, go.Figure) else spec)


def _series(spec: Spec | go.Figure) -> list[tuple[str, list[Any], list[Any]]]:
    out = []
    for k, tr in enumerate(_plain_spec(spec).get("data") or []):
        xs, ys = list(tr.get("x") or []), list(tr.get("y") or [])
        if xs and ys and len(xs) == len(ys):
            out.append((str(tr.get("name") or f"série {k + 1}"), xs, ys))
    return out


def _num(v: Any) -> str:
    try:
        return format_number(float(v), 1)
    except (TypeError, ValueError):
        return str(v)


def _generic_alt(spec: Spec | go.Figure) -> str:
    layout = _plain_spec(spec).get("layout") or {}
    title = layout.get("title")
    title = (title.get("text") if isinstance(title, dict) else title) or "Graphique"
    parts = [f"{name} : {_num(ys[-1])} en {xs[-1]}" for name, xs, ys in _series(spec)]
    return f"{title}. " + " ; ".join(parts) + "." if parts else ""


def _generic_table(spec: Spec | go.Figure) -> pd.DataFrame:
    rows = [{"série": name, "abscisse": str(x), "valeur": _num(y)}
            for name, xs, ys in _series(spec) for x, y in zip(xs, ys, strict=True)]
    return pd.DataFrame(rows, columns=["série", "abscisse", "valeur"], dtype="string")


def figure_html(spec: Spec | go.Figure, body: str) -> str:
    """A chart's HTML ``body`` (plotly div) as an accessible ``<figure>``: the text alternative as
    ``aria-label`` and ``<figcaption>``, and the data table in a ``<details>`` below (RGAA 1.x)."""
    import html

    alt = alt_text(spec)
    table = data_table(spec)
    parts = [f'<figure class="cpc-figure" role="group" aria-label="{html.escape(alt)}">', body,
             f"<figcaption>{html.escape(alt)}</figcaption>"]
    if not table.empty:
        head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in table.columns)
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>"
                       for r in table.itertuples(index=False))
        parts.append(f'<details><summary>Données du graphique</summary><table class="cpc-table">'
                     f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></details>")
    parts.append("</figure>")
    return "".join(parts)


def _empty(layout: dict[str, Any], message: str) -> Spec:
    _describe(layout, f"{_title_of(layout)} : {message.lower()}.", [], [])
    layout = {**layout, "annotations": [{"text": message, "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper",
                                         "yref": "paper", "font": {"size": 13, "color": "#555"}}],
              "xaxis": {"visible": False}, "yaxis": {"visible": False}}
    return _figure([], layout)


def _title_of(layout: dict[str, Any]) -> str:
    return str(layout.get("title", {}).get("text", "Graphique"))


def _range_text(series: pd.Series, unit: str) -> str:
    """« de 41,2 % (TJ Agen) à 97,0 % (TJ Paris) » over a named series (NaN dropped)."""
    s = series.dropna()
    if s.empty:
        return "aucune valeur"
    lo, hi = s.idxmin(), s.idxmax()
    return (f"de {format_value(s.loc[cast(str, lo)], unit)} ({_short(str(lo))}) à {format_value(s.loc[cast(str, hi)], unit)} "
            f"({_short(str(hi))})")


@cache
def _template_json() -> dict[str, Any]:
    """A light template, as plotly's JSON (keys sorted as ``go.layout.Template.to_plotly_json``
    gives them): named templates cost ~40 ms per figure, and building a ``go.layout.Template``
    loads plotly's validators (≈ 0,1 s once per process) for a value known in advance."""
    axis = {"automargin": True, "gridcolor": "#E5E5E5", "linecolor": "#888", "zerolinecolor": "#CCC"}
    # y values get French thousands separators (« 8 000 », not « 8000 » or « 8k »); the x axis
    # often carries years, which must stay « 2025 »
    return {"layout": {"paper_bgcolor": "white", "plot_bgcolor": "white", "xaxis": axis,
                       "yaxis": dict(sorted({**axis, "tickformat": ",~f"}.items()))}}


@cache
def _names() -> dict[str, str]:
    names = cast(dict[str, str], reference.courts()["name"].to_dict())
    names[reference.NATIONAL] = reference.national_name()
    return names


def _years(res: pd.DataFrame) -> list[int]:
    return list(compute.results_index(res).years)


def _value(res: pd.DataFrame, unit_id: str, year: int, indicator_id: str) -> float:
    """Numeric value of one unit-year-indicator (NaN when absent): :func:`cpc_toolkit.compute.value`."""
    return compute.value(res, unit_id, year, indicator_id)


def _text(res: pd.DataFrame, unit_id: str, year: int, indicator_id: str) -> str:
    """Text of a text/date indicator ("" when absent): :func:`cpc_toolkit.compute.text`."""
    return compute.text(res, unit_id, year, indicator_id)


def _level_values(res: pd.DataFrame, year: int, indicator_id: str, level: str) -> pd.Series:
    return compute.level_values(res, year, indicator_id, level)


def _court_values(res: pd.DataFrame, year: int, indicator_id: str) -> pd.Series:
    return _level_values(res, year, indicator_id, "juridiction")


def _name(unit_id: str) -> str:
    name = _names().get(unit_id)
    return name if name is not None else reference.court_name(unit_id)


@cache
def _members(cour_id: str) -> tuple[str, ...]:
    """First-instance courts of a cour (cached: the reference returns a fresh copy each call)."""
    return tuple(reference.courts_of_cour(cour_id))


@cache
def _cour(court_id: str) -> str:
    return reference.cour_of(court_id)


@cache
def _level(unit_id: str) -> str:
    return reference.level_of(unit_id)


def _short(unit_id: str) -> str:
    """Short court name for axes: « TJ Saint-Étienne », « CA Lyon », « France »."""
    return reference.short_name(unit_id)


# --------------------------------------------------------------------------- figures
@_builder
def trend(res: pd.DataFrame, unit_id: str, indicator_id: str, years: Sequence[int] | None = None,
          compare: bool | None = None) -> Spec:
    """Five-year trend of one indicator for a unit (court, cour or ``national``).

    ``compare`` (default: on for rates, durations and shares, off for counts) adds the unit's
    cour and the nation as dashed reference lines.
    """
    ind = _ind(indicator_id)
    if years is None:
        years = _years(res)
    years = sorted(years)
    if compare is None:
        compare = ind.unit != "count"
    units = [unit_id]
    level = _level(unit_id)
    if compare:
        if level == "juridiction":
            units.append(_cour(unit_id))
        if level != "national":
            units.append(reference.NATIONAL)
    styles = ({"width": 3}, {"width": 2, "dash": "dash"}, {"width": 2, "dash": "dot"})
    data: list[dict[str, Any]] = []
    any_value = False
    for i, u in enumerate(units):
        ys = [_value(res, u, y, indicator_id) for y in years]
        any_value |= any(not math.isnan(v) for v in ys)
        data.append({"type": "scatter", "x": [str(y) for y in years], "y": [None if math.isnan(v) else v for v in ys],
                     "name": _name(u), "mode": "lines+markers", "line": {"color": PALETTE[i], **styles[i]},
                     "marker": {"size": 8 if i == 0 else 6}, "connectgaps": False,
                     "hovertemplate": f"{_name(u)}<br>%{{x}} : {_hover_fmt(ind, 'y')}<extra></extra>"})
    # every axis starts at 0 (a rate axis cut at 50 % exaggerates the swings); legend under the plot
    layout = _layout(ind.label, height=300, showlegend=len(units) > 1,
                     xaxis={"type": "category", "title": {"text": ""}},
                     yaxis={"title": {"text": catalogue.UNIT_LABELS[ind.unit]}, "rangemode": "tozero"})
    if not any_value:
        return _empty(layout, "Aucune donnée sur la période")
    series = [(t["name"], [math.nan if v is None else v for v in t["y"]]) for t in data]
    own = [(y, v) for y, v in zip(years, series[0][1], strict=True) if not math.isnan(v)]
    alt = f"{ind.label}, {_name(unit_id)}"
    if own:
        alt += (f" : {format_value(own[0][1], ind.unit)} en {own[0][0]}, {format_value(own[-1][1], ind.unit)} "
                f"en {own[-1][0]}")
    refs = [f"{name} {format_value(ys[-1], ind.unit)}" for name, ys in series[1:] if not math.isnan(ys[-1])]
    if refs:
        alt += f" ({years[-1]} : {', '.join(refs)})"
    _describe(layout, alt + ".", ["Année", *[n for n, _ in series]],
              [[str(y), *[format_value(ys[k], ind.unit) for _, ys in series]] for k, y in enumerate(years)])
    return _figure(data, layout)


@_builder
def position_strip(res: pd.DataFrame, court_id: str, year: int, indicator_id: str) -> Spec:
    """The court among all courts of the nation (grey dots), its cour's courts, and its size class
    (:func:`cpc_toolkit.compute.size_classes`).

    Vertical lines mark the court's cour, the nation and the median of its size class.
    """
    ind = _ind(indicator_id)
    vals = _court_values(res, year, indicator_id).dropna()
    cour = _cour(court_id)
    # the legend sits at the very bottom of the figure (container coordinates), below the x-axis
    # title, so that they never overlap; rates are read from 0
    layout = _layout(f"{ind.label} — position en {year}", height=330,
                     margin={"b": 120}, legend={"yref": "container", "y": 0.01, "yanchor": "bottom",
                                                "font": {"size": 10}},
                     yaxis={"visible": False, "range": [-0.6, 0.6]},
                     xaxis={"title": {"text": _axis_title(ind), "standoff": 4}, "zeroline": False,
                            "rangemode": "tozero" if ind.unit == "percent" else "normal"})
    if vals.empty:
        return _empty(layout, "Aucune donnée pour cette année")
    classes = _size_classes(res, year)
    ids_all, xs_all, ys_all, names_all = _strip_base(res, year, indicator_id)
    same_cour = set(_members(cour))
    pos = {c: k for k, c in enumerate(ids_all)}
    mates = [c for c in ids_all if c in same_cour and c != court_id]
    data: list[dict[str, Any]] = [
        {"type": "scatter", "x": xs_all, "y": ys_all, "mode": "markers", "name": "toutes les juridictions",
         "marker": {"color": GREY, "size": 6, "opacity": 0.8}, "text": names_all,
         "hovertemplate": f"%{{text}} : {_hover_fmt(ind)}<extra></extra>"},
        {"type": "scatter", "x": [xs_all[pos[c]] for c in mates], "y": [ys_all[pos[c]] for c in mates],
         "mode": "markers", "name": f"juridictions de la {_name(cour).replace('Cour', 'cour')}",
         "marker": {"color": PALETTE[4], "size": 8, "opacity": 0.9}, "text": [_name(c) for c in mates],
         "hovertemplate": f"%{{text}} : {_hover_fmt(ind)}<extra></extra>"}]
    own = float(vals.get(court_id, math.nan))
    refs = [(f"{_name(cour)}", _value(res, cour, year, indicator_id), PALETTE[1], "dash"),
            (_name(reference.NATIONAL), _value(res, reference.NATIONAL, year, indicator_id), PALETTE[5], "dot")]
    if court_id in classes.index:
        klass = classes[court_id]
        peers = [c for c in classes.index[classes == klass] if c in vals.index]
        refs.append((f"médiane taille {klass}", float(vals[peers].median()), PALETTE[2], "dashdot"))
    for label, v, color, dash in refs:
        if not math.isnan(v):
            data.append({"type": "scatter", "x": [v, v], "y": [-0.5, 0.5], "mode": "lines", "name": label,
                         "line": {"color": color, "dash": dash, "width": 2},
                         "hovertemplate": f"{label} : {_hover_fmt(ind)}<extra></extra>"})
    if not math.isnan(own):
        data.append({"type": "scatter", "x": [own], "y": [0], "mode": "markers", "name": _name(court_id),
                     "marker": {"color": PALETTE[0], "size": 16, "symbol": "diamond",
                                "line": {"color": "white", "width": 1.5}},
                     "hovertemplate": f"{_name(court_id)} : {_hover_fmt(ind)}<extra></extra>"})
    else:
        layout["annotations"] = [{"text": f"{_name(court_id)} : non renseigné", "showarrow": False, "x": 0,
                                  "y": 1.02, "xref": "paper", "yref": "paper", "xanchor": "left"}]
    shown = [(_name(court_id), own)] + [(label, v) for label, v, _, _ in refs if not math.isnan(v)]
    alt = (f"{ind.label} en {year} : " + ", ".join(f"{n} {format_value(v, ind.unit)}" for n, v in shown)
           + f" ; {format_number(len(vals))} juridictions, {_range_text(vals, ind.unit)}.")
    _describe(layout, alt, ["Repère", "Valeur"], [[n, format_value(v, ind.unit)] for n, v in shown])
    return _figure(data, layout)


def _strip_base(res: pd.DataFrame, year: int, indicator_id: str) -> tuple[list[str], list[float], list[float],
                                                                         list[str]]:
    """All courts with a value: ids, values, deterministic jitter, names (cached per table)."""
    idx = compute.results_index(res)._memo
    key = ("figures.strip", int(year), indicator_id)
    if key not in idx:
        vals = _court_values(res, year, indicator_id).dropna()
        rng = np.random.default_rng(7)  # deterministic jitter
        jitter = rng.uniform(-0.3, 0.3, len(vals)).round(3)
        ids = [str(c) for c in vals.index]
        idx[key] = (ids, vals.tolist(), jitter.tolist(), [_name(c) for c in ids])
    return idx[key]


def _size_classes(res: pd.DataFrame, year: int) -> pd.Series:
    idx = compute.results_index(res)._memo
    key = ("figures.sizes", int(year))
    if key not in idx:
        idx[key] = compute.size_classes(res, year)
    return idx[key]


@_builder
def courts_bar(res: pd.DataFrame, cour_id: str, year: int, indicator_id: str) -> Spec:
    """One horizontal bar per court of a cour (sorted), with the cour and national values as lines."""
    ind = _ind(indicator_id)
    ids = list(_members(cour_id))
    vals = _court_values(res, year, indicator_id).reindex(ids).sort_values(na_position="first")
    shapes, notes = [], []
    for k, (uid, color, dash) in enumerate(((cour_id, PALETTE[1], "dash"), (reference.NATIONAL, PALETTE[5], "dot"))):
        v = _value(res, uid, year, indicator_id)
        if not math.isnan(v) and ind.unit != "count":
            sh, nt = _vline(v, color, dash, f"{_short(uid)} : {format_value(v, ind.unit)}")
            nt["y"] = 1 + 0.06 * k  # one label per row above the plot: they never collide
            shapes.append(sh)
            notes.append(nt)
    # each label on its own row; it grows towards the inside of the plot so that it is never clipped
    hi = max([float(x) for x in vals.dropna()] + [float(n["x"]) for n in notes] + [0.0])
    for nt in notes:
        nt["xanchor"] = "right" if hi > 0 and nt["x"] >= 0.5 * hi else "left"
    data = [{"type": "bar", "x": vals.tolist(), "y": [_short(c) for c in vals.index], "orientation": "h",
             "marker": {"color": PALETTE[0]}, "name": ind.label,
             "text": [format_value(v, ind.unit) for v in vals], "textposition": "auto",
             "hovertext": [_name(c) for c in vals.index],
             "hovertemplate": f"%{{hovertext}} : {_hover_fmt(ind)}<extra></extra>"}]
    layout = _layout(f"{ind.label} — {year}", height=max(240, 90 + 26 * len(ids)), showlegend=False, bargap=0.25,
                     shapes=shapes, annotations=notes, margin={"t": 70},
                     xaxis={"title": {"text": _axis_title(ind)}, "rangemode": "tozero"}, yaxis={"title": {"text": ""}})
    refs = [f"{_name(u)} {format_value(_value(res, u, year, indicator_id), ind.unit)}"
            for u in (cour_id, reference.NATIONAL) if not math.isnan(_value(res, u, year, indicator_id))]
    alt = (f"{ind.label} en {year}, {format_number(int(vals.notna().sum()))} juridictions sur "
           f"{format_number(len(ids))} renseignées : {_range_text(vals, ind.unit)}"
           + (f" ; {', '.join(refs)}" if refs else "") + ".")
    ordered = sorted(ids, key=lambda c: sort_key(_name(c)))
    _describe(layout, alt, ["Juridiction", ind.label],
              [[_name(c), format_value(vals.get(c, math.nan), ind.unit)] for c in ordered])
    return _figure(data, layout)


@_builder
def heat_table(res: pd.DataFrame, cour_id: str, year: int, indicator_ids: Sequence[str]) -> Spec:
    """Courts of a cour (rows) × key indicators (columns), coloured by performance.

    Colour = the court's value standardised against all courts of the nation, oriented by the
    indicator's direction (:func:`heat_colour`: blue = better, orange = less good; grey = neutral or
    missing); each cell
    shows the French-formatted value. Drawn with square markers (no heatmap trace needed).
    """
    inds = [_ind(i) for i in indicator_ids]
    ids = list(_members(cour_id))
    xs, ys, colors, texts, hovers = [], [], [], [], []
    cells: dict[tuple[str, str], str] = {}
    for ind in inds:
        allv = _court_values(res, year, ind.id).dropna()
        mu, sd = (float(allv.mean()), float(allv.std())) if len(allv) > 1 else (0.0, 0.0)
        for c in ids:
            v = float(allv.get(c, math.nan))
            xs.append(_wrap(ind.label))
            ys.append(_short(c))
            z = math.nan
            if not (math.isnan(v) or sd == 0 or ind.direction == "neutral"):
                z = (v - mu) / sd * (1 if ind.direction == "higher" else -1)
            mark = heat_mark(z)
            text = format_value(v, ind.unit) + (f" {mark[0]}" if mark[0] else "")
            texts.append(text)
            cells[(c, ind.id)] = format_value(v, ind.unit) + (f" ({mark[1]})" if mark[1] else "")
            hovers.append(f"{_name(c)}<br>{ind.label} : {format_value(v, ind.unit)}"
                          + (f" — {mark[1]}" if mark[1] else ""))
            colors.append(MISSING if math.isnan(z) else heat_colour(z))
    data = [{"type": "scatter", "x": xs, "y": ys, "mode": "markers+text", "text": texts, "hovertext": hovers,
             "hoverinfo": "text", "textfont": {"size": 10},
             "marker": {"symbol": "square", "size": 44, "color": colors, "line": {"color": "white", "width": 1}}}]
    layout = _layout(f"Juridictions du ressort — {year}", height=max(280, 140 + 40 * len(ids)), showlegend=False,
                     margin={"b": 50},
                     xaxis={"side": "top", "showgrid": False, "tickangle": 0, "tickfont": {"size": 9},
                            "range": [-0.5, len(inds) - 0.5]},  # whole columns: no label or cell clipped
                     yaxis={"autorange": "reversed", "showgrid": False},
                     annotations=[{"text": f"{HEAT_MARKS[0][0]} {HEAT_MARKS[0][1]}, {HEAT_MARKS[1][0]} "
                                           f"{HEAT_MARKS[1][1]} que la moyenne des juridictions (écart d'au moins "
                                           f"{format_number(HEAT_THRESHOLD, 1)} écart-type)",
                                   "showarrow": False, "x": 0, "y": 0, "xref": "paper", "yref": "paper",
                                   "xanchor": "left", "yanchor": "top", "yshift": -8, "font": {"size": 10, "color": "#3a3a3a"}}])
    n_good = sum(1 for t in texts if t.endswith(HEAT_MARKS[0][0]))
    n_bad = sum(1 for t in texts if t.endswith(HEAT_MARKS[1][0]))
    alt = (f"Tableau de {format_number(len(ids))} juridictions du ressort sur {format_number(len(inds))} "
           f"indicateurs en {year} : {format_number(n_good)} valeurs nettement plus favorables et "
           f"{format_number(n_bad)} nettement moins favorables que la moyenne des juridictions.")
    ordered = sorted(ids, key=lambda c: sort_key(_name(c)))
    _describe(layout, alt, ["Juridiction", *[i.label for i in inds]],
              [[_name(c), *[cells[(c, i.id)] for i in inds]] for c in ordered])
    return _figure(data, layout)


# better/worse is shown by a symbol and a text, not by the colour alone (RGAA 3.1)
HEAT_MARKS = (("▲", "plus favorable"), ("▼", "moins favorable"))
HEAT_THRESHOLD = 0.5


def heat_mark(z: float) -> tuple[str, str]:
    """Symbol and words of a heat-table cell's direction-oriented score (("", "") when unremarkable)."""
    if math.isnan(z) or abs(z) < HEAT_THRESHOLD:
        return "", ""
    return HEAT_MARKS[0] if z > 0 else HEAT_MARKS[1]


def _wrap(text: str, width: int = 18) -> str:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + len(w) + 1 > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    lines.append(cur)
    return "<br>".join(lines)


@_builder
def distribution(res: pd.DataFrame, year: int, indicator_id: str, bins: int = 20,
                 highlight: str | None = None) -> Spec:
    """Histogram of an indicator over all first-instance courts, with the national value.

    ``highlight``: a court id whose bin is drawn in a contrasting colour.
    """
    ind = _ind(indicator_id)
    vals = _court_values(res, year, indicator_id).dropna()
    layout = _layout(f"{ind.label} — répartition des juridictions en {year}", height=300, showlegend=False,
                     xaxis={"title": {"text": _axis_title(ind)},
                            "rangemode": "tozero" if ind.unit == "percent" else "normal"},
                     yaxis={"title": {"text": "juridictions"}})
    if vals.empty:
        return _empty(layout, "Aucune donnée pour cette année")
    counts, edges = np.histogram(vals.to_numpy(), bins=min(bins, max(1, vals.nunique())))
    centers = (edges[:-1] + edges[1:]) / 2
    colors = [PALETTE[0]] * len(counts)
    if highlight is not None and highlight in vals.index:
        k = int(np.clip(np.searchsorted(edges, vals[highlight], side="right") - 1, 0, len(counts) - 1))
        colors[k] = PALETTE[1]
    d = _decimals(ind.unit)
    data = [{"type": "bar", "x": centers.tolist(), "y": counts.tolist(), "width": float(edges[1] - edges[0]) * 0.95,
             "marker": {"color": colors}, "customdata": np.column_stack([edges[:-1], edges[1:]]).tolist(),
             "hovertemplate": f"%{{customdata[0]:,.{d}f}} – %{{customdata[1]:,.{d}f}}{_suffix(ind.unit)} : "
                              "%{y} juridictions<extra></extra>"}]
    nat = _value(res, reference.NATIONAL, year, indicator_id)
    if not math.isnan(nat) and ind.unit != "count":
        sh, nt = _vline(nat, PALETTE[5], "dot", f"{_short(reference.NATIONAL)} : {format_value(nat, ind.unit)}")
        layout["shapes"], layout["annotations"] = [sh], [nt]
    alt = (f"Répartition de {format_number(len(vals))} juridictions en {year} selon {ind.label[:1].lower()}"
           f"{ind.label[1:]} : {_range_text(vals, ind.unit)}, médiane {format_value(float(vals.median()), ind.unit)}"
           + (f", {_name(reference.NATIONAL)} {format_value(nat, ind.unit)}" if not math.isnan(nat) else "") + ".")
    _describe(layout, alt, ["Intervalle", "Juridictions"],
              [[f"{format_value(a, ind.unit)} – {format_value(b, ind.unit)}", format_number(int(n))]
               for a, b, n in zip(edges[:-1], edges[1:], counts, strict=True)])
    return _figure(data, layout)


@_builder
def ranking(res: pd.DataFrame, year: int, indicator_id: str, level: str = "cour") -> Spec:
    """Ranking of the cours (``level="cour"``) or of all courts (``"juridiction"``) on one indicator."""
    ind = _ind(indicator_id)
    sub = _level_values(res, year, indicator_id, level)
    sub = sub.sort_values(ascending=ind.direction != "lower", na_position="first")
    data = [{"type": "bar", "x": sub.tolist(), "y": [_short(u) for u in sub.index], "orientation": "h",
             "marker": {"color": PALETTE[0]}, "hovertext": [_name(u) for u in sub.index],
             "hovertemplate": f"%{{hovertext}} : {_hover_fmt(ind)}<extra></extra>"}]
    who = "des cours" if level == "cour" else "des juridictions"
    layout = _layout(f"{ind.label} — classement {who}, {year}", height=max(300, 60 + 16 * len(sub)),
                     showlegend=False, bargap=0.2, yaxis={"tickfont": {"size": 9}},
                     xaxis={"title": {"text": _axis_title(ind)}})
    nat = _value(res, reference.NATIONAL, year, indicator_id)
    if not math.isnan(nat) and ind.unit != "count":
        sh, nt = _vline(nat, PALETTE[5], "dot", f"{_short(reference.NATIONAL)} : {format_value(nat, ind.unit)}")
        layout["shapes"], layout["annotations"] = [sh], [nt]
    ranked = sub.dropna()[::-1]  # best first
    alt = f"{ind.label}, classement {who} en {year}"
    if len(ranked):
        alt += (f" : en tête {_name(str(ranked.index[0]))} ({format_value(ranked.iloc[0], ind.unit)}), en dernier "
                f"{_name(str(ranked.index[-1]))} ({format_value(ranked.iloc[-1], ind.unit)})")
    if not math.isnan(nat):
        alt += f" ; {_name(reference.NATIONAL)} {format_value(nat, ind.unit)}"
    _describe(layout, alt + ".", ["Rang", "Unité", ind.label],
              [[format_number(k + 1), _name(str(u)), format_value(v, ind.unit)] for k, (u, v) in enumerate(ranked.items())]
              + [["–", _name(str(u)), format_value(v, ind.unit)] for u, v in sub[sub.isna()].items()])
    return _figure(data, layout)


@_builder
def activity_bars(res: pd.DataFrame, unit_id: str, year: int) -> Spec:
    """Entrées, sorties and end-of-year stock per contentieux for one unit-year (grouped bars)."""
    conts = catalogue.contentieux()
    data: list[dict[str, Any]] = []
    for i, (suffix, label) in enumerate((("entrees", "affaires nouvelles"), ("sorties", "affaires terminées"),
                                         ("stock_fin", "stock au 31 décembre"))):
        ys = [_value(res, unit_id, year, f"act_{c['id']}_{suffix}") for c in conts]
        data.append({"type": "bar", "x": [c["label"] for c in conts], "y": [None if math.isnan(v) else v for v in ys],
                     "name": label, "marker": {"color": PALETTE[i]},
                     "hovertemplate": f"%{{x}} — {label} : %{{y:,.0f}}<extra></extra>"})
    layout = _layout(f"Activité civile par contentieux — {year}", height=340, barmode="group",
                     margin={"b": 90}, legend={"yref": "container", "y": 0.01, "yanchor": "bottom"},
                     yaxis={"title": {"text": "affaires"}})
    labels = [c["label"] for c in conts]
    cols = [[format_value(v, "count") for v in (math.nan if y is None else y for y in t["y"])] for t in data]
    parts = [f"{lab} {cols[0][k]} nouvelles, {cols[1][k]} terminées" for k, lab in enumerate(labels)]
    _describe(layout, f"Activité civile en {year}, {_name(unit_id)} : " + " ; ".join(parts) + ".",
              ["Contentieux", *[t["name"] for t in data]],
              [[lab, *[c[k] for c in cols]] for k, lab in enumerate(labels)])
    return _figure(data, layout)


@_builder
def composition_bar(res: pd.DataFrame, court_id: str, year: int) -> Spec:
    """Members present at the conseil local de politique civile, by category."""
    ids = [i for i in catalogue.indicators(family="clpc", kind="input") if i.id.startswith("clpc_membres_")]
    vals = [_value(res, court_id, year, i.id) for i in ids]
    labels = [i.label.split("—")[-1].strip() for i in ids]
    data = [{"type": "bar", "x": [None if math.isnan(v) else v for v in vals], "y": labels, "orientation": "h",
             "marker": {"color": PALETTE[2]}, "text": [format_value(v, "count") for v in vals],
             "textposition": "auto", "hovertemplate": "%{y} : %{x:,.0f}<extra></extra>"}]
    layout = _layout(f"Composition du conseil — {year}", height=260, showlegend=False,
                     yaxis={"autorange": "reversed"}, xaxis={"title": {"text": "membres présents"}})
    shown = [(lab, format_value(v, "count")) for lab, v in zip(labels, vals, strict=True)]
    _describe(layout, f"Membres présents au conseil en {year}, {_name(court_id)} : "
              + ", ".join(f"{lab} {v}" for lab, v in shown) + ".", ["Catégorie", "Membres présents"], shown)
    return _figure(data, layout)


# --------------------------------------------------------------------------- map
@cache
def _outlines() -> tuple[dict[str, list[tuple[np.ndarray, np.ndarray]]], dict[str, str]]:
    """Simplified outer rings per département code, and code → cour id."""
    deps = cast(dict[str, str], reference.departements().set_index("departement_code")["ca_id"].to_dict())
    rings: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for feat in reference.departements_geojson()["features"]:
        code = feat["properties"]["code"]
        geom = feat["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        out = []
        for poly in polys:
            ring = np.asarray(poly[0], dtype=float)
            if len(ring) < 4:
                continue
            step = max(1, len(ring) // 120)  # decimate: ≤ ~120 points per ring
            ring = np.vstack([ring[::step], ring[:1]])
            out.append((ring[:, 0], ring[:, 1]))
        rings[code] = out
    return rings, deps


def _project(lon: np.ndarray, lat: np.ndarray, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    return lon * math.cos(math.radians(lat0)), lat


@_builder
def france_map(res: pd.DataFrame, year: int, indicator_id: str) -> Spec:
    """Map of France by cour d'appel (choropleth from the départements' outlines).

    Metropolitan France on the left, the five overseas départements as insets on the right; the
    cours without outlines (Nouméa, Papeete, TSA of Saint-Pierre) are listed under the map.
    """
    ind = _ind(indicator_id)
    vals = _level_values(res, year, indicator_id, "cour")
    finite = vals.dropna()
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    span = hi - lo or 1.0
    # same meaning as the heat table: dark blue = favourable (the indicator's direction), yellow =
    # less favourable; a neutral indicator runs dark (low) to light (high)
    reverse = ind.direction == "higher"

    ts = [(v - lo) / span for v in finite.tolist()]
    fills = dict(zip(finite.index, sample_colorscale(SEQUENTIAL, [1 - t if reverse else t for t in ts]), strict=True))

    def colour(cour: str) -> str:  # one sampling of the colour scale for every cour
        return fills.get(cour, MISSING)

    data: list[dict[str, Any]] = []
    layout = _layout(f"{ind.label} par cour d'appel — {year}", height=560, showlegend=False, plot_bgcolor="white")
    notes: list[dict[str, Any]] = []
    panels = [("metro", None)] + [(code, name) for code, name in OVERSEAS.items()]
    h = 1.0 / len(OVERSEAS)
    for k, (panel, pname) in enumerate(panels):
        axis = "" if k == 0 else str(k + 1)
        for cour, xs, ys in _panel_paths(panel):
            v = float(vals.get(cour, math.nan))
            label = _name(cour) if cour else "?"
            data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "fill": "toself",
                         "fillcolor": colour(cour), "hoveron": "fills", "line": {"color": "white", "width": 0.6},
                         "name": label, "text": f"{label} : {format_value(v, ind.unit)}", "hoverinfo": "text",
                         "xaxis": f"x{axis}", "yaxis": f"y{axis}"})
        dom_x = [0.0, 0.78] if k == 0 else [0.82, 1.0]
        dom_y = [0.0, 1.0] if k == 0 else [1 - k * h + 0.02, 1 - (k - 1) * h - 0.03]
        layout[f"xaxis{axis}"] = {"domain": dom_x, "visible": False, "fixedrange": True}
        layout[f"yaxis{axis}"] = {"domain": dom_y, "visible": False, "fixedrange": True,
                                  "scaleanchor": f"x{axis}", "scaleratio": 1}
        if pname:
            notes.append({"text": pname, "x": dom_x[0], "y": dom_y[1] + 0.005, "xref": "paper", "yref": "paper",
                          "xanchor": "left", "yanchor": "bottom", "showarrow": False, "font": {"size": 9}})
    # colour bar through an invisible marker trace
    data.append({"type": "scatter", "x": [None], "y": [None], "mode": "markers", "showlegend": False,
                 "hoverinfo": "skip",
                 "marker": {"color": [lo, hi], "colorscale": SEQUENTIAL, "reversescale": reverse, "cmin": lo,
                            "cmax": hi, "showscale": True,
                            "colorbar": {"title": {"text": catalogue.UNIT_LABELS[ind.unit], "side": "right"},
                                         "x": 0.76, "len": 0.6, "thickness": 12,
                                         "tickformat": f",.{_decimals(ind.unit)}f"}}})
    others = ("ca-noumea", "ca-papeete", "tsa-saint-pierre")
    note = " · ".join(f"{_short(u)} : {format_value(float(vals.get(u, math.nan)), ind.unit)}" for u in others)
    notes.append({"text": note, "x": 0, "y": -0.04, "xref": "paper", "yref": "paper", "xanchor": "left",
                  "showarrow": False, "font": {"size": 10}})
    layout["annotations"] = notes
    named = pd.Series({u: float(v) for u, v in vals.items()}, dtype=float)
    _describe(layout, f"Carte de {ind.label[:1].lower()}{ind.label[1:]} par cour d'appel en {year} : "
              f"{_range_text(named, ind.unit)}.", ["Cour d'appel", ind.label],
              [[_name(str(u)), format_value(v, ind.unit)] for u, v in sorted(named.items(), key=lambda kv: sort_key(_name(str(kv[0]))))])
    return _figure(data, layout)


@cache
def _panel_paths(panel: str) -> tuple[tuple[str, list[float | None], list[float | None]], ...]:
    """Projected, None-separated outline paths of one map panel, one per cour (cached)."""
    rings, dep_cour = _outlines()
    codes = [c for c in rings if (c not in OVERSEAS if panel == "metro" else c == panel)]
    by_cour: dict[str, list[str]] = {}
    for code in codes:
        by_cour.setdefault(dep_cour.get(code, ""), []).append(code)
    lat0 = 46.5 if panel == "metro" else float(np.mean(np.concatenate([r[1] for r in rings[panel]])))
    out = []
    for cour, cc in sorted(by_cour.items()):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for code in cc:
            for lon, lat in rings[code]:
                px, py = _project(lon, lat, lat0)
                xs += [*px.round(3).tolist(), None]
                ys += [*py.round(3).tolist(), None]
        out.append((cour, xs, ys))
    return tuple(out)


def indicator_ids(family: str, kinds: Iterable[str] = ("input", "derived", "register")) -> list[str]:
    """Numeric indicators of a family, in catalogue order (helper for key-figure selections)."""
    return [i.id for i in catalogue.indicators(family=family) if i.kind in kinds and i.numeric]
