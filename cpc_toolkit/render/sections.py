"""Report sections as immutable values, and their HTML (Jinja macros).

A :class:`Section` is built once, from the engine's results, as a frozen value: a title and a
sequence of blocks (headings, texts, key figures, figures, tables), the indicators it shows and
the sheets it adds to the Excel annex. Everything is derived from these values: the notebook
displays a section (``_repr_html_``), the HTML comes from the macros of
``templates/sections/blocks.html.j2``, the Excel annex from :meth:`Section.sheets`. Building the
sections in any order gives the same values, hence the same HTML and the same annex.

Figures are kept as plotly JSON specs and drawn with ``include_plotlyjs=False`` (the report
template inlines plotly.js once) and a ``div`` id derived from the section, so that a report is
byte-for-byte reproducible whichever way — and in whichever order — it is built.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.io as pio
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from cpc_toolkit.render.tables import Table, html_table

__all__ = ["PLOTLY_CONFIG", "Cover", "Figure", "Fragment", "Heading", "Items", "Kpi", "Kpis", "Section", "TableBlock",
           "Text", "Toc", "render_section"]

PLOTLY_CONFIG = {"displaylogo": False, "responsive": False,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"]}


# ------------------------------------------------------------------------------------ blocks
@dataclass(frozen=True)
class Heading:
    """A sub-heading (``h3``)."""

    text: str


@dataclass(frozen=True)
class Text:
    """A paragraph. ``style``: ``p`` (plain), ``muted`` (note), ``fact`` (fait marquant),
    ``alert``, ``text`` (a court's free text). ``lead`` is shown in bold before ``text``."""

    text: str
    style: str = "p"
    lead: str = ""
    sep: str = " — "


@dataclass(frozen=True)
class Items:
    """A bulleted list of ``(lead, text)`` (lead in bold, may be empty)."""

    items: tuple[tuple[str, str], ...]
    sep: str = " : "


@dataclass(frozen=True)
class Kpi:
    value: str
    label: str
    comment: str


@dataclass(frozen=True)
class Kpis:
    """Key-figure cards."""

    cards: tuple[Kpi, ...]


@dataclass(frozen=True)
class Figure:
    """A plotly figure (JSON spec) and its deterministic ``div`` id."""

    spec_json: str
    div_id: str

    @staticmethod
    def of(spec: Mapping[str, Any] | Any, div_id: str) -> Figure:
        return Figure(pio.to_json(spec, validate=False, remove_uids=False), div_id)

    def spec(self) -> dict[str, Any]:
        return dict(json.loads(self.spec_json))


def _plain(value: Any) -> Any:
    """JSON-safe scalar (NaN / NA → None, numpy scalars → Python)."""
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def table_payload(table: Table) -> dict[str, Any]:
    """A table as plain data: visible columns, raw values, each cell's unit."""
    df = table.frame
    cols = [str(c) for c in df.columns if not str(c).startswith("_")]
    records = table.records()
    return {"columns": cols,
            "rows": [[_plain(r[c]) for c in cols] for r in records],
            "units": [[table.unit_of(r, c) for c in cols] for r in records]}


def _content(table: Table | None) -> str:
    return "" if table is None else json.dumps(table_payload(table), ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class TableBlock:
    """A table (raw values + units; formatted to fr-FR when drawn). Compared by content."""

    table: Table = field(compare=False)
    content: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "content", _content(self.table))


@dataclass(frozen=True)
class Fragment:
    """HTML produced by a table helper of :mod:`cpc_toolkit.render.tables` (e.g. the heat table) and
    the raw table behind it."""

    html: str
    table: Table | None = field(default=None, compare=False)
    content: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "content", _content(self.table))


@dataclass(frozen=True)
class Cover:
    kicker: str
    title: str
    subtitle: str
    demo_label: str
    rows: tuple[tuple[str, str], ...]
    note: str = ""


@dataclass(frozen=True)
class Toc:
    items: tuple[tuple[str, str], ...]


Block = Heading | Text | Items | Kpis | Figure | TableBlock | Fragment | Cover | Toc


@dataclass(frozen=True)
class Section:
    """One section of a report: an immutable value.

    ``indicators`` are the catalogue ids it shows (the definitions annex lists them);
    ``annex`` are ``(sheet name, table)`` pairs it adds to the Excel annex.
    """

    id: str
    title: str
    blocks: tuple[Block, ...]
    indicators: tuple[str, ...] = ()
    annex: tuple[tuple[str, Table], ...] = field(default=(), compare=False)
    annex_content: tuple[tuple[str, str], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "annex_content", tuple((n, _content(t)) for n, t in self.annex))

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Figure))

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(b.table for b in self.blocks if isinstance(b, TableBlock | Fragment) and b.table is not None)

    @property
    def text(self) -> tuple[str, ...]:
        return tuple(b.text for b in self.blocks if isinstance(b, Text | Heading))

    def html(self) -> str:
        return render_section(self)

    def _repr_html_(self) -> str:
        return self.html()


# ------------------------------------------------------------------------------------ rendering
def _templates_dir() -> Path:
    return Path(str(resources.files("cpc_toolkit.render").joinpath("templates", "sections")))


def _figure_html(fig: Figure) -> Markup:
    """The chart's div inside an accessible ``<figure>`` (text alternative and data table, render.figures)."""
    from cpc_toolkit.render.figures import figure_html

    spec = fig.spec()
    body = pio.to_html(spec, include_plotlyjs=False, full_html=False, div_id=fig.div_id,
                       config=PLOTLY_CONFIG, validate=False)
    return Markup(figure_html(spec, body))


def _table_html(table: Table) -> Markup:
    return Markup(html_table(table))


@cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(_templates_dir())), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    env.globals.update(figure_html=_figure_html, table_html=_table_html, markup=Markup,
                       kind_of=lambda b: type(b).__name__)
    return env


def render_section(section: Section) -> str:
    """The HTML of one section (``templates/sections/section.html.j2``)."""
    return str(_env().get_template("section.html.j2").render(section=section)).strip()
