"""Views of `cpc indicateurs` for one unit-year: values, comparisons, series, alerts, faits marquants."""

from __future__ import annotations

import argparse
from typing import cast

import numpy as np
import pandas as pd

from cpc_toolkit import catalogue, reference
from cpc_toolkit.cli.common import print_frame, store_from_env
from cpc_toolkit.cli.indicateurs import VIEWS
from cpc_toolkit.compute import (
    alerts,
    changes,
    coverage,
    display_unit,
    faits_marquants,
    load_alert_config,
    positions,
    results,
    rules_frame,
    series,
    unit_table,
)
from cpc_toolkit.errors import UsageError
from cpc_toolkit.fr import format_change, format_value
from cpc_toolkit.render.tables import cell_text
from cpc_toolkit.settings import DEMO_LABEL
from cpc_toolkit.store import Store

__all__ = ["VIEWS", "run_unit"]


def _status_text(code: str) -> str:
    """Status column of the table view: blank when the value is there, else the catalogue's label."""
    return "" if code == "ok" else catalogue.status_label(code)


def run_unit(args: argparse.Namespace) -> int:
    view = args.vue or "synthese"
    if view == "regles":
        print_frame(rules_frame(load_alert_config(args.alertes)), args.format)
        return 0
    unit = args.juridiction or args.cour or (reference.NATIONAL if args.national else None)
    if unit is None and view != "couverture":
        raise UsageError("Indiquez --catalogue, ou --juridiction ID / --cour ID / --national avec --annee.")
    if unit is not None:
        reference.level_of(unit)
    if args.cour and reference.level_of(args.cour) != "cour":
        raise UsageError(f"« {args.cour} » n'est pas une cour d'appel : utilisez --juridiction.")
    ids = args.indicateur or None
    for iid in ids or []:
        catalogue.get(iid)
    family = catalogue.family(args.famille).id if args.famille else None
    store = store_from_env()
    if not store.exists():
        raise UsageError(f"Aucune donnée dans « {store.root} ». Lancez « cpc demo » ou importez des classeurs.")
    config = load_alert_config(args.alertes)
    res = results(store)
    years = sorted(int(y) for y in pd.unique(res["year"]))
    year = args.annee or (years[-1] if years else None)
    if year not in years:
        raise UsageError(f"Aucune donnée pour l'année {year} (années disponibles : "
                         f"{', '.join(str(y) for y in years) or 'aucune'}).")
    demo = _is_demo(store)
    table = args.format == "table"
    if table:
        title = reference.court_name(unit) if unit else "Couverture de la collecte"
        print(f"{title} — {year}")
        if demo:
            print(f"⚠ {DEMO_LABEL}")
        print()
    scope = cast(str, unit)  # None only for « couverture » (checked above)
    if view == "couverture":
        df = coverage_frame(res, year, table)
    elif view == "series":
        df = series_frame(res, scope, ids, family, table)
    elif view == "alertes":
        df = alerts_frame(alerts(res, scope, year, config=config), table)
    elif view == "faits-marquants":
        facts = faits_marquants(res, scope, year, n=args.nombre, config=config)
        if table:
            for k, f in enumerate(facts, 1):
                print(f"{k}. {f.text}")
            if not facts:
                print("(aucun fait marquant)")
            return 0
        df = pd.DataFrame({"rang": range(1, len(facts) + 1), "fait": [f.text for f in facts],
                           "importance": [round(f.importance, 3) for f in facts],
                           "indicateur": [f.indicator_id or "" for f in facts],
                           "nature": [f.kind for f in facts]})
    elif view == "comparaisons":
        df = comparisons_frame(res, scope, year, ids, family, table)
    else:
        df = indicator_frame(res, scope, year, family, "table" if table else "csv", ids,
                             with_comparisons=view == "synthese")
    if not table and demo:
        df = df.assign(avertissement=DEMO_LABEL)
    print_frame(df, args.format)
    if table and view == "synthese":
        al = alerts(res, scope, year, config=config)
        print()
        print(f"Alertes ({len(al)})")
        print_frame(alerts_frame(al, True)[["juridiction", "gravité", "message", "base légale"]]
                    if not al.empty else al, "table")
        facts = faits_marquants(res, scope, year, n=args.nombre, config=config)
        print()
        print("Faits marquants")
        for k, f in enumerate(facts, 1):
            print(f"{k}. {f.text}")
        if not facts:
            print("(aucun fait marquant)")
    return 0


def _is_demo(store: Store) -> bool:
    subs = store.submissions(include_superseded=False)
    return bool(not subs.empty and "demo" in subs.columns and subs["demo"].fillna(False).astype(bool).any())


def _fmt(value: object, unit: str, table: bool) -> object:
    if not table:
        return value
    return cell_text(value, unit, missing="")


def indicator_frame(res: pd.DataFrame, unit: str, year: int, family: str | None, fmt: str,
                    ids: list[str] | None = None, with_comparisons: bool = False) -> pd.DataFrame:
    """French table of one unit-year: value, status, coverage, and (optionally) N-1 and ranks."""
    level = reference.level_of(unit)
    table = fmt == "table"
    tab = unit_table(res, unit, year)
    if family:
        tab = tab[tab["family"] == family]
    if ids:
        tab = tab[tab["indicator_id"].isin(ids)]
    units = [display_unit(i, level) for i in tab["indicator_id"]]
    out = pd.DataFrame({
        "indicateur": tab["indicator_id"].to_numpy(),
        "libellé": tab["label"].to_numpy(),
        "valeur": [(format_value(t if u in ("text", "date") else v, u) if table else
                    (t if u in ("text", "date") else v))
                   for v, t, u in zip(tab["value"], tab["text"], units, strict=True)],
        "unité": [catalogue.unit_label(i, level) for i in tab["indicator_id"]],
        "statut": tab["status"].fillna("NA").map(_status_text if table else (lambda s: s)).to_numpy(),
        "motif": tab["na_reason"].fillna("").to_numpy(),
    })
    if table and not with_comparisons:
        out["nature"] = tab["kind"].map(catalogue.KIND_LABELS).to_numpy()
    if level != "juridiction":
        out["couverture"] = [f"{int(a)}/{int(b)}" if pd.notna(a) and int(b) > 0 else "" for a, b in
                             zip(tab["n_reporting"], tab["n_expected"], strict=True)]
        out["partiel"] = tab["partial"].map({True: "oui", False: "non"}).fillna("").to_numpy()
    if with_comparisons:
        ch = changes(res, unit, year).set_index("indicator_id")
        prev = ch["previous"].reindex(out["indicateur"]).to_numpy()
        delta = ch["delta"].reindex(out["indicateur"]).to_numpy()
        out.insert(3, "N-1", [_fmt(p, u, table) for p, u in zip(prev, units, strict=True)])
        out.insert(4, "évolution", [(_delta_text(d, u) if table else d) for d, u in zip(delta, units, strict=True)])
        if level in ("juridiction", "cour"):
            pos = positions(res, unit, year)
            for group, col in (("cour", "rang cour"), ("national", "rang national")):
                sub = pos[pos["group"] == group].set_index("indicator_id")
                if sub.empty:
                    continue
                r = sub["rank"].reindex(out["indicateur"])
                n = sub["n"].reindex(out["indicateur"])
                out[col] = [f"{int(a)}/{int(b)}" if pd.notna(a) else "" for a, b in
                            zip(r, n, strict=True)]
        if table:
            out = out.drop(columns=["motif"])
    return out


def _delta_text(d: float, unit: str) -> str:
    if d is None or (isinstance(d, float) and np.isnan(d)):
        return ""
    return format_change(d, unit)


def comparisons_frame(res: pd.DataFrame, unit: str, year: int, ids: list[str] | None, family: str | None,
                      table: bool) -> pd.DataFrame:
    """Change vs N-1 and position of a court in its cour, nationally and in its size class."""
    level = reference.level_of(unit)
    ch = changes(res, unit, year)
    keep = ch["value"].notna()
    if ids:
        keep &= ch["indicator_id"].isin(ids)
    if family:
        keep &= ch["indicator_id"].map(lambda i: catalogue.get(i).family) == family
    ch = ch[keep]
    out = pd.DataFrame({
        "indicateur": ch["indicator_id"], "libellé": ch["label"],
        "valeur": [_fmt(v, u, table) for v, u in zip(ch["value"], ch["unit"], strict=True)],
        "N-1": [_fmt(v, u, table) for v, u in zip(ch["previous"], ch["unit"], strict=True)],
        "évolution": [(_delta_text(d, u) if table else d) for d, u in zip(ch["delta"], ch["unit"], strict=True)],
        "tendance": [("" if pd.isna(b) else ("amélioration" if b else "dégradation")) for b in ch["improved"]],
    })
    if level == "national":
        return out.reset_index(drop=True)
    pos = positions(res, unit, year, list(ch["indicator_id"]))
    for group, name in (("cour", "cour"), ("national", "national"), ("taille", "taille")):
        sub = pos[pos["group"] == group].set_index("indicator_id")
        if sub.empty:
            continue
        r = sub.reindex(out["indicateur"])
        units = ch.set_index("indicator_id")["unit"].reindex(out["indicateur"]).to_numpy()
        if table:
            out[f"rang {name}"] = [f"{int(a)}/{int(b)}" if pd.notna(a) else "" for a, b in
                                   zip(r["rank"], r["n"], strict=True)]
            out[f"médiane {name}"] = pd.Series([_fmt(m, u, True) for m, u in zip(r["median"], units, strict=True)],
                                               index=out.index)
        else:
            out[f"rang_{name}"] = r["rank"].to_numpy()
            out[f"n_{name}"] = r["n"].to_numpy()
            out[f"percentile_{name}"] = r["percentile"].to_numpy()
            out[f"mediane_{name}"] = r["median"].to_numpy()
    if level == "juridiction" and table:
        g = pos[pos["group"] == "taille"]["group_id"]
        if not g.empty:
            print(f"Classe de taille (affaires nouvelles civiles) : {g.iloc[0]}")
    return out.reset_index(drop=True)


def series_frame(res: pd.DataFrame, unit: str, ids: list[str] | None, family: str | None,
                 table: bool) -> pd.DataFrame:
    """One row per indicator, one column per year."""
    level = reference.level_of(unit)
    sel = ids or [i.id for i in catalogue.indicators() if i.numeric and (family is None or i.family == family)]
    s = series(res, unit, sel)
    if s.empty:
        return s
    piv = s.pivot_table(index="indicator_id", columns="year", values="value", aggfunc="first", dropna=False)
    piv = piv.reindex([i for i in sel if i in piv.index])
    out = pd.DataFrame({"indicateur": piv.index, "libellé": [catalogue.get(i).label for i in piv.index]})
    for y in piv.columns:
        vals = piv[y].to_numpy()
        out[str(y)] = pd.Series([(_fmt(v, display_unit(i, level), True) if table else v)
                                 for v, i in zip(vals, piv.index, strict=True)], index=out.index)
    return out


def alerts_frame(al: pd.DataFrame, table: bool) -> pd.DataFrame:
    """French alert table."""
    if al.empty:
        return pd.DataFrame(columns=["juridiction", "règle", "libellé", "indicateur", "valeur", "seuil",
                                     "gravité", "base légale", "message"])
    return pd.DataFrame({
        "juridiction": al["unit_name"], "règle": al["rule_id"], "libellé": al["rule_label"],
        "indicateur": al["indicator_id"],
        "valeur": [(format_value(v, u) if table else v) for v, u in zip(al["value"], al["unit"], strict=True)],
        "seuil": [("" if np.isnan(t) else format_value(t, u, 0 if float(t).is_integer() else 1)) if table else t
                  for t, u in zip(al["threshold"], al["unit"], strict=True)],
        "gravité": al["severity"], "base légale": al["legal_basis"], "message": al["message"],
    })


def coverage_frame(res: pd.DataFrame, year: int, table: bool) -> pd.DataFrame:
    cov = coverage(res, year)
    return pd.DataFrame({
        "unité": cov["unit_id"], "nom": cov["unit_name"],
        "transmises": cov["n_reporting"], "attendues": cov["n_expected"],
        "taux": [format_value(r, "percent") if table else r for r in cov["rate"]],
        "partiel": cov["partial"].map({True: "oui", False: "non"}),
        "manquantes": [", ".join(m) for m in cov["missing_ids"]],
    })
