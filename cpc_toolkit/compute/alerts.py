"""Alerts: readable threshold rules (``alertes.yaml``) evaluated over the results table.

Default rules live in the package (``compute/alertes.yaml``). Users override them with a YAML
file of the same shape in the data folder (``<donnees>/alertes.yaml``) and/or a file given on the
command line (``--alertes FICHIER``): rules are merged by ``id`` (changed keys replace the
defaults, ``actif: false`` disables a rule, a new id adds a rule). Labels, units and legal bases
come from the catalogue.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from cpc_toolkit import catalogue, fr, reference, settings
from cpc_toolkit.compute.compare import (
    courts_of,
    coverage,
    display_unit,
    n_expected_matrix,
    results_index,
    unit_level,
    unit_name,
)
from cpc_toolkit.errors import CatalogueError, Location, ReasonCode, ValidationError
from cpc_toolkit.fr import format_number, format_value
from cpc_toolkit.settings import load_yaml

CONDITIONS = {"inferieur": "inférieur au seuil", "superieur": "supérieur au seuil",
              "non": "réponse « non »", "manquant": "données manquantes"}
SEVERITIES = ("haute", "moyenne", "basse")
LEVELS = ("juridiction", "cour", "national")
_KEYS = {"id", "libelle", "indicateur", "condition", "seuil", "gravite", "niveaux", "base_legale", "actif"}
ALERT_COLUMNS = ["unit_id", "unit_name", "level", "year", "rule_id", "rule_label", "indicator_id",
                 "indicator_label", "condition", "value", "threshold", "unit", "legal_basis", "severity",
                 "message", "partial"]


@dataclass(frozen=True)
class AlertRule:
    """One alert rule (``indicator`` may contain ``{c}``, expanded over the contentieux)."""

    id: str
    label: str
    condition: str
    indicator: str = ""
    threshold: float | None = None
    severity: str = "moyenne"
    levels: tuple[str, ...] = LEVELS
    legal_basis: str = ""
    active: bool = True

    def indicator_ids(self) -> list[str]:
        """Catalogue ids this rule looks at (empty for a generic « manquant » rule)."""
        if not self.indicator:
            return []
        if "{c}" in self.indicator:
            return [self.indicator.format(c=c["id"]) for c in catalogue.contentieux()]
        return [self.indicator]


@dataclass(frozen=True)
class AlertConfig:
    """An ordered set of rules and the files they were read from."""

    rules: tuple[AlertRule, ...]
    sources: tuple[str, ...] = ()

    def rule(self, rule_id: str) -> AlertRule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


# --------------------------------------------------------------------------- loading


def _rule_lines(text: str) -> list[int]:
    """1-based line of each rule of a YAML document (best effort: [] when it cannot tell)."""
    try:
        node = yaml.compose(text)
        if not isinstance(node, yaml.MappingNode):
            return []
        for key, value in node.value:
            if key.value == "regles" and isinstance(value, yaml.SequenceNode):
                return [int(item.start_mark.line) + 1 for item in value.value]
    except (yaml.YAMLError, AttributeError, TypeError):
        return []
    return []


def _parse(text: str, source: str, base: dict[str, AlertRule] | None) -> list[AlertRule | dict[str, Any]]:
    """Parse one rules file; return AlertRule objects (complete rules) or partial overrides."""
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ValidationError(
            f"Fichier d'alertes illisible (YAML invalide) : {getattr(exc, 'problem', exc)}.", [],
            Location(file=source, row=(mark.line + 1) if mark else None), ReasonCode.ALERT_CONFIG) from exc
    if raw is None:
        return []
    if not isinstance(raw, dict) or not isinstance(raw.get("regles", []), list):
        raise ValidationError("Le fichier d'alertes doit contenir une liste « regles: ».", [],
                              Location(file=source), ReasonCode.ALERT_CONFIG)
    unknown_top = set(raw) - {"version", "regles"}
    if unknown_top:
        raise ValidationError(f"Clé inconnue dans le fichier d'alertes : {', '.join(sorted(unknown_top))} "
                              "(clés permises : version, regles).", [], Location(file=source),
                              ReasonCode.ALERT_CONFIG)
    out: list[AlertRule | dict[str, Any]] = []
    problems: list[str] = []
    first_loc: Location | None = None
    lines: list[int] | None = None  # the document is composed again only to locate a faulty rule
    for k, entry in enumerate(raw.get("regles") or []):
        errs = _check_entry(entry, base)
        if errs:
            lines = _rule_lines(text) if lines is None else lines
            loc = Location(file=source, row=lines[k] if k < len(lines) else None)
            problems.extend(f"règle n° {k + 1}{' (ligne ' + str(loc.row) + ')' if loc.row else ''} : {e}"
                            for e in errs)
            first_loc = first_loc or loc
            continue
        out.append(entry)
    if problems:
        raise ValidationError("Fichier d'alertes invalide : " + " ; ".join(problems) + ".", problems,
                              first_loc, ReasonCode.ALERT_CONFIG)
    return out


def _check_entry(entry: Any, base: dict[str, AlertRule] | None) -> list[str]:
    if not isinstance(entry, dict):
        return ["chaque règle doit être un dictionnaire (id, libelle, indicateur, condition, seuil…)"]
    errs: list[str] = []
    unknown = set(entry) - _KEYS
    if unknown:
        errs.append(f"clé(s) inconnue(s) {', '.join(sorted(map(str, unknown)))} "
                    f"(clés permises : {', '.join(sorted(_KEYS))})")
    rid = entry.get("id")
    if not isinstance(rid, str) or not rid:
        return [*errs, "« id » manquant"]
    is_new = base is None or rid not in base
    if is_new:
        for key in ("libelle", "condition"):
            if key not in entry:
                errs.append(f"« {key} » obligatoire pour la nouvelle règle « {rid} »")
    cond = entry.get("condition", base[rid].condition if not is_new and base else None)
    if cond is not None and cond not in CONDITIONS:
        errs.append(f"condition « {cond} » inconnue (permises : {', '.join(CONDITIONS)})")
    ind = entry.get("indicateur", base[rid].indicator if not is_new and base else "")
    if cond in ("inferieur", "superieur", "non") and not ind:
        errs.append("« indicateur » obligatoire pour cette condition")
    if ind:
        if not isinstance(ind, str):
            errs.append("« indicateur » doit être un identifiant du catalogue")
        else:
            ids = ([ind.format(c=c["id"]) for c in catalogue.contentieux()] if "{c}" in ind else [ind])
            for iid in ids:
                try:
                    got = catalogue.get(iid)
                except (CatalogueError, KeyError):
                    errs.append(f"indicateur inconnu « {iid} » (voir « cpc indicateurs --catalogue »)")
                    continue
                if cond == "non" and got.unit != "boolean":
                    errs.append(f"la condition « non » exige un indicateur oui/non ({iid} ne l'est pas)")
                if cond in ("inferieur", "superieur") and not got.numeric:
                    errs.append(f"{iid} n'est pas numérique")
    if "seuil" in entry:
        th = entry["seuil"]
        if isinstance(th, bool) or not isinstance(th, int | float):
            errs.append(f"« seuil » doit être un nombre (lu : {th!r})")
    elif cond in ("inferieur", "superieur") and (
            is_new or (base is not None and base[rid].threshold is None)):
        errs.append("« seuil » obligatoire pour cette condition")
    if "gravite" in entry and entry["gravite"] not in SEVERITIES:
        errs.append(f"gravité « {entry['gravite']} » inconnue (permises : {', '.join(SEVERITIES)})")
    if "niveaux" in entry:
        lv = entry["niveaux"]
        if not isinstance(lv, list) or not lv or any(x not in LEVELS for x in lv):
            errs.append(f"« niveaux » doit être une liste parmi {', '.join(LEVELS)}")
    if "actif" in entry and not isinstance(entry["actif"], bool):
        errs.append("« actif » doit valoir true ou false")
    for key in ("libelle", "base_legale"):
        if key in entry and not isinstance(entry[key], str):
            errs.append(f"« {key} » doit être un texte")
    return errs


def _apply(rule: AlertRule | None, entry: dict[str, Any]) -> AlertRule:
    mapping = {"libelle": "label", "indicateur": "indicator", "condition": "condition",
               "seuil": "threshold", "gravite": "severity", "base_legale": "legal_basis", "actif": "active"}
    kw: dict[str, Any] = {}
    for src, dst in mapping.items():
        if src in entry:
            kw[dst] = float(entry[src]) if dst == "threshold" and entry[src] is not None else entry[src]
    if "niveaux" in entry:
        kw["levels"] = tuple(entry["niveaux"])
    if rule is None:
        return AlertRule(id=entry["id"], **kw)
    return replace(rule, **kw)


def parse_alert_config(text: str, source: str = "alertes.yaml",
                       base: AlertConfig | None = None) -> AlertConfig:
    """Parse rules (YAML text) on top of ``base``; raise a French ValidationError with location."""
    by_id = {r.id: r for r in base.rules} if base else {}
    order = [r.id for r in base.rules] if base else []
    for entry in _parse(text, source, by_id if base else None):
        assert isinstance(entry, dict)
        rid = entry["id"]
        by_id[rid] = _apply(by_id.get(rid), entry)
        if rid not in order:
            order.append(rid)
    return AlertConfig(rules=tuple(by_id[i] for i in order),
                       sources=(*(base.sources if base else ()), source))


@cache
def builtin_alert_config() -> AlertConfig:
    """The package's default rules (``cpc_toolkit/compute/alertes.yaml``)."""
    text = resources.files("cpc_toolkit.compute").joinpath("alertes.yaml").read_text(encoding="utf-8")
    return parse_alert_config(text, "alertes.yaml (défauts)")


def load_alert_config(*paths: str | os.PathLike[str] | None, data_dir: str | os.PathLike[str] | None = None,
                      use_data_dir: bool = True) -> AlertConfig:
    """Defaults, then ``<donnees>/alertes.yaml`` if present, then each file of ``paths`` in order.

    A missing explicit file, unreadable YAML or an invalid rule raise :class:`ValidationError`
    (reason ``alert_config``) naming the file and line.
    """
    cfg = builtin_alert_config()
    files: list[Path] = []
    if use_data_dir:
        local = settings.data_dir(data_dir) / "alertes.yaml"
        if local.is_file():
            files.append(local)
    for p in paths:
        if p is None:
            continue
        path = Path(p)
        if not path.is_file():
            raise ValidationError(f"Fichier d'alertes introuvable : « {path} ».", [], Location(file=str(path)),
                                  ReasonCode.ALERT_CONFIG)
        files.append(path)
    for path in files:
        cfg = _cached_override(cfg, str(path), path.stat().st_mtime_ns)
    return cfg


@cache
def _cached_override(base: AlertConfig, path: str, _mtime: int) -> AlertConfig:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"Fichier d'alertes illisible : {exc}.", [], Location(file=path),
                              ReasonCode.ALERT_CONFIG) from exc
    return parse_alert_config(text, path, base)


def rules_frame(config: AlertConfig | None = None) -> pd.DataFrame:
    """French table of the rules in force (for ``cpc indicateurs --regles``)."""
    cfg = config or load_alert_config()
    rows = []
    for r in cfg.rules:
        ids = r.indicator_ids()
        unit = catalogue.get(ids[0]).unit if ids else "count"
        rows.append({"règle": r.id, "libellé": r.label, "indicateur": r.indicator or "(saisies obligatoires)",
                     "condition": CONDITIONS[r.condition],
                     "seuil": "" if r.threshold is None else _fmt_threshold(r.threshold, unit),
                     "gravité": r.severity, "niveaux": ", ".join(r.levels),
                     "base légale": r.legal_basis or (catalogue.get(ids[0]).legal_basis if ids else ""),
                     "active": "oui" if r.active else "non"})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- evaluation


def _fmt_threshold(th: float, unit: str) -> str:
    decimals = 0 if float(th).is_integer() else 1
    return format_value(th, unit, decimals)


def threshold_decimals(th: float) -> int:
    """Decimals used to display a threshold (0 for whole numbers)."""
    return 0 if float(th).is_integer() else 1


def alerts(res: pd.DataFrame, unit_id: str, year: int, config: AlertConfig | None = None,
           include_courts: bool | None = None) -> pd.DataFrame:
    """Alerts of a court, a cour or the nation for ``year``.

    For a cour (and, with ``include_courts=True``, the nation) the table holds the alerts of the
    consolidated unit itself followed by those of each of its courts (``unit_id``/``unit_name``
    say which). ``config`` defaults to :func:`load_alert_config` (package defaults merged with
    ``<donnees>/alertes.yaml``). Columns: see :data:`ALERT_COLUMNS` — ``value`` and
    ``threshold`` are in ``unit``; ``legal_basis`` comes from the rule or the catalogue;
    ``message`` is a French sentence stating rule, value and threshold. ``partial`` is True when
    the value of a cour or of the nation is consolidated over fewer courts than those where the
    indicator applies; the message then says « (données partielles : 5/6 juridictions) » next to
    the value. Sorted by severity.
    """
    cfg = config if config is not None else load_alert_config()
    idx = results_index(res)
    level = unit_level(unit_id)
    if int(year) not in idx.years:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    if include_courts is None:
        include_courts = level == "cour"
    memo = ("alerts", unit_id, int(year), id(cfg), bool(include_courts))
    hit = idx._memo.get(memo)
    if hit is not None and hit[0] is cfg:
        return hit[1].copy()
    rows = _unit_alerts(res, unit_id, level, int(year), cfg)
    if include_courts and level != "juridiction":
        members = (courts_of(unit_id) if level == "cour"
                   else list(reference.first_instance_courts().index))
        for c in sorted(members, key=lambda c: fr.sort_key(unit_name(c))):
            rows.extend(_unit_alerts(res, c, "juridiction", int(year), cfg))
    out = pd.DataFrame(rows, columns=ALERT_COLUMNS)
    if not out.empty:
        order = {s: k for k, s in enumerate(SEVERITIES)}
        out["_s"] = out["severity"].map(order)
        out["_u"] = (out["unit_id"] != unit_id).astype(int)
        out["_k"] = np.arange(len(out))
        out = out.sort_values(["_s", "_u", "_k"]).drop(columns=["_s", "_u", "_k"]).reset_index(drop=True)
    idx._memo[memo] = (cfg, out)
    return out.copy()


def _unit_alerts(res: pd.DataFrame, unit_id: str, level: str, year: int,
                 cfg: AlertConfig) -> list[dict[str, Any]]:
    idx = results_index(res)
    r = idx.row(unit_id, year)
    name = unit_name(unit_id)
    rows: list[dict[str, Any]] = []
    for rule in cfg.rules:
        if not rule.active or level not in rule.levels:
            continue
        if rule.condition == "manquant":
            rows.extend(_missing_alerts(res, rule, unit_id, name, level, year))
            continue
        if r is None or (rule.condition == "non" and level != "juridiction"):
            continue
        for iid in rule.indicator_ids():
            k = idx.col.get(iid)
            if k is None or idx.status[r, k] != "ok" or np.isnan(idx.values[r, k]):
                continue
            value = float(idx.values[r, k])
            ind = catalogue.get(iid)
            unit = display_unit(iid, level)
            th = rule.threshold
            if rule.condition == "non":
                hit = value == 0
            elif th is None:  # never: a comparison rule without a threshold is refused when the rules load
                continue
            elif rule.condition == "inferieur":
                hit = value < float(th)
            else:
                hit = value > float(th)
            if not hit:
                continue
            n_rep, n_exp = int(idx.n_reporting[r, k]), int(n_expected_matrix(idx)[r, k])
            partial = level != "juridiction" and n_rep < n_exp
            # a value consolidated over part of the courts says so next to the figure
            where = f" (données partielles : {format_number(n_rep)}/{format_number(n_exp)} juridictions)" \
                if partial else ""
            if rule.condition == "non" or th is None:
                msg = f"{rule.label} (« {ind.label} » : non)."
            else:
                word = "sous le seuil" if rule.condition == "inferieur" else "au-delà du seuil"
                msg = (f"{ind.label} : {format_value(value, unit)}{where}, {word} de "
                       f"{_fmt_threshold(th, unit)}.")
            rows.append(_row(unit_id, name, level, year, rule, iid, ind.label, value, rule.threshold,
                             unit, rule.legal_basis or ind.legal_basis, msg, partial))
    return rows


@cache
def _input_ids() -> tuple[str, ...]:
    return tuple(i.id for i in catalogue.indicators(kind="input"))


@cache
def _required_ids() -> tuple[str, ...]:
    return tuple(i.id for i in catalogue.indicators(kind="input") if i.required)


def _missing_alerts(res: pd.DataFrame, rule: AlertRule, unit_id: str, name: str, level: str,
                    year: int) -> list[dict[str, Any]]:
    if level != "juridiction":
        cov = coverage(res, year)
        row = cov[cov["unit_id"] == unit_id]
        if row.empty or not bool(row["partial"].iloc[0]):
            return []
        r = row.iloc[0]
        n_miss = int(r["n_expected"] - r["n_reporting"])
        msg = (f"{format_number(n_miss)} juridiction{'s' if n_miss > 1 else ''} sur "
               f"{format_number(r['n_expected'])} sans données pour {year} : {r['missing_names']}.")
        return [_row(unit_id, name, level, year, rule, "", "", float(n_miss), 0.0, "count",
                     rule.legal_basis or "Circulaire CIV/06/2025 § 1.2", msg)]
    idx = results_index(res)
    rix = idx.row(unit_id, year)
    ids = rule.indicator_ids() or list(_required_ids())
    if rix is None:
        missing = ids
        any_input = False
    else:
        st = idx.status[rix]
        missing = [i for i in ids if i in idx.col and st[idx.col[i]] not in ("ok", "NAP")]
        any_input = any(st[idx.col[i]] == "ok" for i in _input_ids() if i in idx.col)
    if not missing:
        return []
    if not any_input:
        msg = f"Aucune donnée transmise pour {year}."
    else:
        labels = [catalogue.get(i).label for i in missing]
        shown = ", ".join(labels[:5]) + (" …" if len(labels) > 5 else "")
        many = len(missing) > 1
        msg = (f"{format_number(len(missing))} donnée{'s' if many else ''} "
               f"obligatoire{'s' if many else ''} manquante{'s' if many else ''} : {shown}.")
    iid = missing[0] if len(missing) == 1 else ""
    return [_row(unit_id, name, level, year, rule, iid, catalogue.get(iid).label if iid else "",
                 float(len(missing)), 0.0, "count", rule.legal_basis or "Circulaire CIV/06/2025 § 1.2", msg)]


def _row(unit_id: str, name: str, level: str, year: int, rule: AlertRule, iid: str, ilabel: str,
         value: float, threshold: float | None, unit: str, legal: str, msg: str,
         partial: bool = False) -> dict[str, Any]:
    return {"unit_id": unit_id, "unit_name": name, "level": level, "year": year, "rule_id": rule.id,
            "rule_label": rule.label, "indicator_id": iid, "indicator_label": ilabel,
            "condition": rule.condition, "value": value,
            "threshold": np.nan if threshold is None else float(threshold), "unit": unit,
            "legal_basis": legal, "severity": rule.severity, "message": msg, "partial": bool(partial)}
