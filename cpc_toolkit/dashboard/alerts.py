"""Alerts as a sortable, filterable table (severity, cour, juridiction, indicator, contentieux).

Rows are in French collation order (accents and case ignored at first, « Élevé » next to
« élevé », before « Évreux » after « Douai »), the most severe first by default; every alert is
reachable through the filters (none is cut off), and the export carries them all.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence
from typing import Any

import pandas as pd

from cpc_toolkit import catalogue, reference
from cpc_toolkit.dashboard.markup import table

__all__ = ["ALERT_COLUMNS", "SORTS", "AlertsPanel", "alert_rows", "filter_sort", "french_key"]

SEVERITY_RANK = {"haute": 0, "moyenne": 1, "basse": 2}
ALERT_COLUMNS = ["Gravité", "Cour d'appel", "Juridiction", "Indicateur", "Contentieux", "Alerte", "Constat",
                 "Base légale"]
FILTER_COLUMNS = ["Gravité", "Cour d'appel", "Juridiction", "Indicateur", "Contentieux"]
SORTS = ["Gravité", "Cour d'appel", "Juridiction", "Indicateur", "Contentieux"]
#: rows drawn at once (the filters reach every other row; the count is always given)
PAGE_ROWS = 100
ALL = "(toutes)"


def french_key(text: Any) -> tuple[str, str]:
    """Sort key in French order: letters first without accents nor case, then the exact text."""
    s = "" if text is None or (isinstance(text, float) and text != text) else str(text)
    base = unicodedata.normalize("NFKD", s.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae"))
    base = "".join(ch for ch in base if not unicodedata.combining(ch)).casefold()
    return base, s


def _contentieux_labels() -> dict[str, str]:
    return {c["id"]: c["label"] for c in catalogue.contentieux()}


def alert_rows(al: pd.DataFrame) -> pd.DataFrame:
    """French table of ``compute.alerts`` rows (one per alert), most severe first (pure)."""
    conts = _contentieux_labels()
    inds = {i.id: i for i in catalogue.indicators()}

    def cour_of(uid: str, level: str) -> str:
        if level == "juridiction":
            return reference.court_name(reference.cour_of(uid))
        return reference.court_name(uid) if level == "cour" else ""

    out = pd.DataFrame({
        "Gravité": al["severity"].astype(str),
        "Cour d'appel": [cour_of(u, lv) for u, lv in zip(al["unit_id"], al["level"], strict=True)],
        "Juridiction": [n if lv == "juridiction" else "" for n, lv in zip(al["unit_name"], al["level"], strict=True)],
        "Indicateur": al["indicator_label"].astype(str),
        "Contentieux": [conts.get(inds[i].contentieux, "") if i in inds else "" for i in al["indicator_id"]],
        "Alerte": al["rule_label"].astype(str),
        "Constat": al["message"].astype(str),
        "Base légale": al["legal_basis"].fillna("").astype(str),
    }, columns=ALERT_COLUMNS)
    return filter_sort(out, {}, "Gravité")


def filter_sort(rows: pd.DataFrame, filters: dict[str, str], sort_by: str, descending: bool = False) -> pd.DataFrame:
    """Rows matching every ``filters`` value (column → exact value), sorted by ``sort_by`` (pure).

    Severity sorts by rank (haute, moyenne, basse); text columns in French collation order; ties
    keep the order cour, juridiction, indicateur.
    """
    sub = rows
    for col, value in filters.items():
        if value and value != ALL:
            sub = sub[sub[col] == value]
    keys = [sort_by, *[c for c in ("Gravité", "Cour d'appel", "Juridiction", "Indicateur") if c != sort_by]]

    def key(col: pd.Series) -> pd.Series:
        if col.name == "Gravité":
            return col.map(lambda v: SEVERITY_RANK.get(v, 9))
        return col.map(french_key)

    ascending = [not descending] + [True] * (len(keys) - 1)
    return sub.sort_values(keys, key=key, ascending=ascending, kind="stable").reset_index(drop=True)


def options(rows: pd.DataFrame, col: str) -> list[str]:
    values = [v for v in rows[col].unique() if v]
    if col == "Gravité":
        return [ALL, *sorted(values, key=lambda v: SEVERITY_RANK.get(v, 9))]
    return [ALL, *sorted(values, key=french_key)]


class AlertsPanel:
    """The alerts block: filters, sort, count and the table (filtering stays in this panel)."""

    def __init__(self, key: str, heading: str, deps: Sequence[str]) -> None:
        import ipywidgets as w

        self.key = key
        self.deps = frozenset(deps)
        self.rows = pd.DataFrame(columns=ALERT_COLUMNS)
        self.caption = ""
        style = {"description_width": "initial"}
        lay = w.Layout(width="auto", min_width="10em", max_width="24em")
        # labels distinct from the page's filters (« Indicateur »…): one control per accessible name
        self.filters = {c: w.Dropdown(description=f"Alertes, {c[0].lower()}{c[1:]}", options=[ALL], value=ALL,
                                      style=style, layout=lay) for c in FILTER_COLUMNS}
        self.sort = w.Dropdown(description="Trier les alertes par", options=SORTS, value="Gravité", style=style, layout=lay)
        self.descending = w.Checkbox(description="ordre décroissant", value=False, indent=False)
        for widget in (*self.filters.values(), self.sort, self.descending):
            widget.observe(lambda _c: self.render(), names="value")
        for col, widget in self.filters.items():
            widget.add_class(f"cpc-alertes-filtre-{FILTER_COLUMNS.index(col)}")
        self.sort.add_class("cpc-alertes-tri")
        self.body = w.HTML()
        bar = w.HBox([*self.filters.values(), self.sort, self.descending], layout=w.Layout(flex_flow="row wrap"))
        bar.add_class("cpc-filtres")
        self.controls = bar
        self.box = w.VBox([w.HTML(f'<h2 class="cpc-h2">{html.escape(heading)}</h2>'), bar, self.body],
                          layout=w.Layout(width="100%"))
        self.box.add_class(f"cpc-panel-{key}")

    def set_rows(self, rows: pd.DataFrame, caption: str, empty_message: str) -> None:
        self.rows, self.caption, self.empty = rows, caption, empty_message
        self._rendering = True
        try:
            for col, widget in self.filters.items():
                widget.options = options(rows, col)
                widget.value = ALL
        finally:
            self._rendering = False
        self.controls.layout.display = None if len(rows) else "none"
        self.render()

    def current(self) -> pd.DataFrame:
        return filter_sort(self.rows, {c: w.value for c, w in self.filters.items()}, self.sort.value,
                           self.descending.value)

    def render(self) -> None:
        if getattr(self, "_rendering", False):
            return
        if not len(self.rows):
            self.body.value = f"<p>{html.escape(self.empty)}</p>"
            return
        shown = self.current()
        from cpc_toolkit.fr import format_number

        note = (f"<p>{format_number(len(shown))} alerte(s) sur {format_number(len(self.rows))} "
                + (f"; les {PAGE_ROWS} premières sont affichées, affinez avec les filtres" if len(shown) > PAGE_ROWS
                   else "") + " ; toutes figurent dans l'export.</p>")
        self.body.value = note + table(shown.head(PAGE_ROWS), self.caption, ' data-cpc="alertes"')

    def set_visible(self, visible: bool) -> None:
        self.box.layout.display = None if visible else "none"
