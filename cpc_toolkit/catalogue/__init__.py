"""The indicator catalogue: one declarative source of truth (``indicators.yaml``).

It drives the collection workbooks, validation, computation, consolidation, labels and docs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from cpc_toolkit.catalogue import vocabulary
from cpc_toolkit.catalogue.vocabulary import Unit, status_label, unit, units
from cpc_toolkit.errors import CatalogueError, ReasonCode
from cpc_toolkit.settings import load_yaml

if TYPE_CHECKING:  # pandas (catalogue_frame) and the formula evaluator load on use (light `cpc` start)
    import pandas as pd

    from cpc_toolkit.catalogue.expressions import Expression

__all__ = [
    "ADDITIVE_UNITS",
    "AGGREGATIONS",
    "DIRECTIONS",
    "KINDS",
    "REFERENCE_SOURCES",
    "STATUS_LABELS",
    "UNITS",
    "Check",
    "Family",
    "Indicator",
    "Plausibility",
    "Unit",
    "catalogue_frame",
    "catalogue_markdown",
    "checks",
    "contentieux",
    "display_unit",
    "families",
    "family",
    "formula_text",
    "get",
    "indicators",
    "input_indicators",
    "list_rows",
    "list_spec",
    "lists",
    "plausibility",
    "plausible_max",
    "status_label",
    "unit",
    "unit_label",
    "units",
]

# units and statuses are described once, in presentation.yaml (see :mod:`.vocabulary`)
UNITS = tuple(vocabulary.units())
UNIT_LABELS = {u.id: u.label for u in vocabulary.units().values()}
# units whose values can be summed over courts (quantities)
ADDITIVE_UNITS = ("count", "fte")
KINDS = ("input", "register", "derived", "reference")
KIND_LABELS = {"input": "saisie (classeur)", "register": "registre d'affaires", "derived": "calculé",
               "reference": "donnée de référence"}
AGGREGATIONS = ("sum", "ratio", "share_true", "median", "none")
AGGREGATION_LABELS = {
    "sum": "somme", "ratio": "ratio recalculé sur les sommes", "share_true": "part des juridictions (oui)",
    "median": "médiane", "none": "non agrégeable",
}
DIRECTIONS = ("higher", "lower", "neutral")
# value statuses, as the CEPEJ uses them (the store accepts exactly these)
STATUS_LABELS = vocabulary.status_labels()
DIRECTION_LABELS = {"higher": "plus élevé = mieux", "lower": "plus bas = mieux", "neutral": "neutre"}
SOURCE_LABELS = {"mesures": "registre des mesures de protection", "procedures": "registre des procédures",
                 "ordonnances": "registre des ordonnances de protection"}
# reference data joined by the engine (not collected): source id → label
REFERENCE_SOURCES = {"population": "population municipale 2019 des ressorts des TJ (INSEE, recensement)"}
_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True)
class Family:
    id: str
    label: str
    sheet: str
    circulaire: str


@dataclass(frozen=True)
class Indicator:
    id: str
    family: str
    label: str
    definition: str
    unit: str
    kind: str
    aggregation: str
    direction: str
    sheet: str
    legal_basis: str = ""
    formula: str = ""
    required: bool = False
    min: float | None = None
    max: float | None = None
    source: str = ""
    contentieux: str = ""
    plausible_max: float | None = None  # above it, an input is refused (impossible for one court-year)

    @property
    def expression(self) -> Expression | None:
        from cpc_toolkit.catalogue.expressions import parse

        return parse(self.formula) if self.formula else None

    @property
    def inputs(self) -> frozenset[str]:
        """Ids the formula refers to (empty for inputs and register indicators)."""
        expression = self.expression
        return expression.names if expression is not None else frozenset()

    @property
    def numeric(self) -> bool:
        return self.unit not in ("text", "date")

    @property
    def source_label(self) -> str:
        if self.kind == "input":
            return f"classeur de collecte, feuille « {self.sheet} »"
        if self.kind == "register":
            return SOURCE_LABELS.get(self.source, self.source)
        if self.kind == "reference":
            return REFERENCE_SOURCES.get(self.source, self.source)
        return "calculé : " + formula_text(self.formula)


@dataclass(frozen=True)
class ListColumn:
    id: str
    label: str
    kind: str = "text"  # text | boolean
    names_allowed: bool = False


@dataclass(frozen=True)
class ListSpec:
    """A list the CLPC workbook collects for the documents (members, agenda, suites): rows × columns."""

    id: str
    family: str
    label: str
    definition: str
    rows: int
    columns: tuple[ListColumn, ...]
    legal_basis: str = ""


LIST_COLUMN_KINDS = ("text", "boolean")


@dataclass(frozen=True)
class Check:
    id: str
    rule: str
    level: str
    message: str

    @property
    def expression(self) -> Expression:
        from cpc_toolkit.catalogue.expressions import parse

        return parse(self.rule)


def _expand(template: dict[str, Any], c: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in template.items():
        if isinstance(value, str):
            value = value.format(c=c["id"], label=c["label"], label_de=c["label_de"])
        out[key] = value
    out["contentieux"] = c["id"]
    return out


@cache
def _load() -> tuple[tuple[Family, ...], tuple[Indicator, ...], tuple[Check, ...], tuple[dict[str, str], ...]]:
    text = resources.files("cpc_toolkit.catalogue").joinpath("indicators.yaml").read_text(encoding="utf-8")
    raw = load_yaml(text)
    fams = tuple(Family(**f) for f in raw["families"])
    fam_by_id = {f.id: f for f in fams}
    conts = tuple(raw["contentieux"])
    entries: list[dict[str, Any]] = []
    for tpl in raw["per_contentieux"]:
        entries.extend(_expand(tpl, c) for c in conts)
    # keep per-contentieux inputs grouped by contentieux in sheet order
    entries.sort(key=lambda e: [c["id"] for c in conts].index(e["contentieux"]))
    # staffing templates come after the whole activity block (cells of older workbooks keep their place)
    entries.extend(_expand(tpl, c) for c in conts for tpl in raw.get("per_contentieux_staffing", []))
    entries.extend(raw["indicators"])
    allowed = {f.name for f in fields(Indicator)}
    inds: list[Indicator] = []
    for e in entries:
        unknown = set(e) - allowed
        if unknown:
            raise CatalogueError(f"Champ inconnu dans le catalogue pour {e.get('id')} : {sorted(unknown)}",
                                 ReasonCode.CATALOGUE_INVALID)
        fam = fam_by_id.get(e.get("family", ""))
        if fam is None:
            raise CatalogueError(f"Famille inconnue pour {e.get('id')} : {e.get('family')}",
                                 ReasonCode.CATALOGUE_INVALID)
        e = {"sheet": fam.sheet, **e}
        e["legal_basis"] = e.get("legal_basis") or ""
        inds.append(Indicator(**e))
    chks: list[Check] = []
    for ch in raw.get("checks", []):
        if ch.get("per_contentieux"):
            for c in conts:
                chks.append(Check(id=ch["id"].format(c=c["id"]),
                                  rule=ch["rule"].format(c=c["id"]), level=ch["level"],
                                  message=ch["message"].format(label=c["label"], label_de=c["label_de"])))
        else:
            chks.append(Check(id=ch["id"], rule=ch["rule"], level=ch["level"], message=ch["message"]))
    result = (fams, tuple(inds), tuple(chks), conts)
    validate_catalogue(*result[:3])
    _validate_plausibility(_plausibility_of(raw), result[1])
    return result


def _lists(raw: list[dict[str, Any]], fam_ids: set[str], indicator_ids: set[str]) -> tuple[ListSpec, ...]:
    out: list[ListSpec] = []
    problems: list[str] = []
    for e in raw:
        try:
            cols = tuple(ListColumn(**c) for c in e.get("columns") or ())
            spec = ListSpec(**{**e, "columns": cols})
        except TypeError as exc:
            raise CatalogueError(f"Liste {e.get('id')} mal décrite dans le catalogue : {exc}",
                                 ReasonCode.CATALOGUE_INVALID) from exc
        if spec.id in indicator_ids or spec.id in {x.id for x in out}:
            problems.append(f"liste {spec.id} : identifiant déjà utilisé")
        if spec.family not in fam_ids:
            problems.append(f"liste {spec.id} : famille inconnue {spec.family}")
        if not spec.columns or not 1 <= spec.rows <= 200:
            problems.append(f"liste {spec.id} : colonnes absentes ou nombre de lignes hors de 1..200")
        for c in spec.columns:
            if c.kind not in LIST_COLUMN_KINDS or not c.id or set(c.id) - _ID_CHARS:
                problems.append(f"liste {spec.id} : colonne {c.id!r} mal décrite")
        out.append(spec)
    if problems:
        raise CatalogueError("Catalogue invalide : " + " ; ".join(problems), ReasonCode.CATALOGUE_INVALID)
    return tuple(out)


@cache
def lists() -> tuple[ListSpec, ...]:
    """The lists collected for the documents, in catalogue order."""
    text = resources.files("cpc_toolkit.catalogue").joinpath("indicators.yaml").read_text(encoding="utf-8")
    raw = load_yaml(text)
    return _lists(raw.get("lists") or [], {f.id for f in families()}, {i.id for i in indicators()})


def list_rows(text: str | None) -> list[dict[str, str]]:
    """The rows of a stored list (JSON text, as the import stores it); ``[]`` when absent or unreadable."""
    import json

    if not text:
        return []
    try:
        rows = json.loads(text)
    except ValueError:
        return []
    if not isinstance(rows, list):
        return []
    return [{str(k): str(v) for k, v in r.items()} for r in rows if isinstance(r, dict)]


def list_spec(list_id: str) -> ListSpec:
    for spec in lists():
        if spec.id == list_id:
            return spec
    raise CatalogueError(f"Liste inconnue : « {list_id} ».", ReasonCode.UNKNOWN_INDICATOR)


@dataclass(frozen=True)
class Plausibility:
    """Import bounds beyond which a value is refused (error, not warning)."""

    count_max: float
    representable_max: float


EXCEL_EXACT_MAX = 1e15  # Excel keeps 15 significant digits: beyond, the number shown is not the one stored


def _plausibility_of(raw: dict[str, Any]) -> Plausibility:
    sec = raw.get("plausibility") or {}
    try:
        return Plausibility(count_max=float(sec.get("count_max", 1_000_000)),
                            representable_max=float(sec.get("representable_max", EXCEL_EXACT_MAX)))
    except (TypeError, ValueError) as exc:
        raise CatalogueError(f"Catalogue invalide : section « plausibility » non numérique ({exc})",
                             ReasonCode.CATALOGUE_INVALID) from exc


def _validate_plausibility(pl: Plausibility, inds: tuple[Indicator, ...]) -> None:
    problems: list[str] = []
    if not 0 < pl.representable_max <= EXCEL_EXACT_MAX:
        problems.append(f"plausibility.representable_max doit être entre 0 et {EXCEL_EXACT_MAX:.0e}")
    if not 0 < pl.count_max <= pl.representable_max:
        problems.append("plausibility.count_max doit être positif et au plus representable_max")
    for ind in inds:
        if ind.plausible_max is None:
            continue
        if not ind.numeric or ind.unit == "boolean":
            problems.append(f"{ind.id} : plausible_max réservé aux indicateurs numériques")
        elif not 0 < float(ind.plausible_max) <= pl.representable_max:
            problems.append(f"{ind.id} : plausible_max hors de ]0 ; representable_max]")
        elif ind.max is not None and float(ind.plausible_max) < float(ind.max):
            problems.append(f"{ind.id} : plausible_max inférieur à max")
    if problems:
        raise CatalogueError("Catalogue invalide : " + " ; ".join(problems), ReasonCode.CATALOGUE_INVALID)


@cache
def plausibility() -> Plausibility:
    """The catalogue's plausibility bounds (section ``plausibility`` of indicators.yaml)."""
    text = resources.files("cpc_toolkit.catalogue").joinpath("indicators.yaml").read_text(encoding="utf-8")
    _load()
    return _plausibility_of(load_yaml(text))


def plausible_max(ind: Indicator) -> float | None:
    """Largest plausible value of a numeric input for one court-year (None: only representability)."""
    if ind.plausible_max is not None:
        return float(ind.plausible_max)
    if ind.unit == "count":
        return plausibility().count_max
    return None


def validate_catalogue(fams: tuple[Family, ...], inds: tuple[Indicator, ...],
                       chks: tuple[Check, ...]) -> None:
    """Structural checks; raise CatalogueError listing every problem."""
    problems: list[str] = []
    ids = [i.id for i in inds]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        problems.append(f"identifiants en double : {dupes}")
    known = set(ids)
    for ind in inds:
        if not ind.id or set(ind.id) - _ID_CHARS or not ind.id[0].isalpha():
            problems.append(f"identifiant non conforme : {ind.id!r}")
        if ind.unit not in UNITS:
            problems.append(f"{ind.id} : unité inconnue {ind.unit}")
        if ind.kind not in KINDS:
            problems.append(f"{ind.id} : nature inconnue {ind.kind}")
        if ind.aggregation not in AGGREGATIONS:
            problems.append(f"{ind.id} : règle d'agrégation inconnue {ind.aggregation}")
        if ind.direction not in DIRECTIONS:
            problems.append(f"{ind.id} : sens inconnu {ind.direction}")
        if ind.kind == "derived":
            if not ind.formula:
                problems.append(f"{ind.id} : indicateur calculé sans formule")
            else:
                missing = ind.inputs - known
                if missing:
                    problems.append(f"{ind.id} : la formule cite des indicateurs inconnus {sorted(missing)}")
        elif ind.formula:
            problems.append(f"{ind.id} : formule sur un indicateur non calculé")
        if ind.aggregation == "ratio" and ind.kind != "derived":
            problems.append(f"{ind.id} : la règle « ratio » exige une formule")
        if ind.aggregation == "share_true" and ind.unit != "boolean":
            problems.append(f"{ind.id} : « part des juridictions » réservée aux indicateurs oui/non")
        if ind.aggregation == "sum" and ind.unit not in ADDITIVE_UNITS:
            problems.append(f"{ind.id} : seule une quantité peut être sommée")
        if ind.kind == "register" and ind.source not in SOURCE_LABELS:
            problems.append(f"{ind.id} : registre source inconnu {ind.source!r}")
        if ind.kind == "reference" and ind.source not in REFERENCE_SOURCES:
            problems.append(f"{ind.id} : donnée de référence inconnue {ind.source!r}")
        if not ind.label or not ind.definition:
            problems.append(f"{ind.id} : libellé ou définition manquant")
    cycle = _find_cycle({i.id: i.inputs for i in inds if i.kind == "derived"})
    if cycle:
        problems.append(f"formules circulaires : {' → '.join(cycle)}")
    for ch in chks:
        missing = ch.expression.names - known
        if missing:
            problems.append(f"contrôle {ch.id} : indicateurs inconnus {sorted(missing)}")
        if ch.level not in ("error", "warning"):
            problems.append(f"contrôle {ch.id} : niveau inconnu {ch.level}")
    if problems:
        raise CatalogueError("Catalogue invalide : " + " ; ".join(problems), ReasonCode.CATALOGUE_INVALID)


def _find_cycle(deps: dict[str, frozenset[str]]) -> list[str]:
    """A dependency cycle among derived formulas (``[a, b, a]``), or ``[]`` when there is none."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> list[str]:
        state[node] = 1
        for dep in sorted(deps.get(node, ())):
            if dep not in deps:
                continue
            if state.get(dep) == 1:
                return [*path[path.index(dep):], dep] if dep in path else [node, dep]
            if dep not in state:
                found = visit(dep, [*path, dep])
                if found:
                    return found
        state[node] = 2
        return []

    for start in sorted(deps):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return []


def families() -> tuple[Family, ...]:
    return _load()[0]


def family(family_id: str) -> Family:
    for f in families():
        if f.id == family_id:
            return f
    raise CatalogueError(f"Famille inconnue : « {family_id} ». Familles : "
                         f"{', '.join(f.id for f in families())}.", ReasonCode.UNKNOWN_INDICATOR)


def indicators(family: str | None = None, kind: str | None = None) -> tuple[Indicator, ...]:
    """All indicators in catalogue order, optionally filtered."""
    out = _load()[1]
    if family is not None:
        out = tuple(i for i in out if i.family == family)
    if kind is not None:
        out = tuple(i for i in out if i.kind == kind)
    return out


def input_indicators() -> tuple[Indicator, ...]:
    return indicators(kind="input")


@cache
def _by_id() -> dict[str, Indicator]:
    return {i.id: i for i in _load()[1]}


def get(indicator_id: str) -> Indicator:
    """One indicator; an unknown id raises with the closest known ids."""
    by_id = _by_id()
    if indicator_id not in by_id:
        import difflib

        close = difflib.get_close_matches(indicator_id, list(by_id), n=5)
        hint = f" Indicateurs proches : {', '.join(close)}." if close else ""
        raise CatalogueError(f"Indicateur inconnu : « {indicator_id} ».{hint}", ReasonCode.UNKNOWN_INDICATOR)
    return by_id[indicator_id]


def display_unit(indicator_id: str, level: str) -> str:
    """Unit of a value at ``level``: « oui/non » indicators become a % of courts once consolidated."""
    ind = get(indicator_id)
    if ind.aggregation == "share_true" and level != "juridiction":
        return "percent"
    return ind.unit


def unit_label(indicator_id: str, level: str) -> str:
    """French label of the unit of a value at ``level`` (« % des juridictions » for a consolidated oui/non)."""
    ind = get(indicator_id)
    if ind.aggregation == "share_true" and level != "juridiction":
        return unit(ind.unit).consolidated or unit("percent").label
    return unit(ind.unit).label


def checks() -> tuple[Check, ...]:
    return _load()[2]


def contentieux() -> tuple[dict[str, str], ...]:
    return _load()[3]


_IDENT = re.compile(r"\b[a-z][a-z0-9_]*\b")
_SUM = re.compile(r"\bsum\(([^()]*)\)")


def formula_text(formula: str) -> str:
    """A catalogue formula in plain French, for readers (annexes, error reports): identifiers become
    their labels in « », ``sum(a, b)`` « la somme de … », operators ×, ÷, −, comparisons ≤, ≥, ≠.

    ``100 * act_total_sorties / act_total_entrees`` → ``100 × « Affaires civiles terminées (total) » ÷
    « Affaires civiles nouvelles (total) »``. The formula itself stays in the docs and the
    « formule » column of the catalogue (technical)."""
    if not formula:
        return ""
    labels = {i.id: i.label for i in indicators()}

    def name(m: re.Match[str]) -> str:
        w = m.group(0)
        return f"« {labels[w]} »" if w in labels else w

    text = _SUM.sub(lambda m: "la somme de " + _join_fr([x.strip() for x in m.group(1).split(",")]), formula)
    for a, b in (("<=", "≤"), (">=", "≥"), ("!=", "≠"), ("==", "="), ("*", "×"), ("/", "÷"), (" - ", " − ")):
        text = text.replace(a, b)
    return _IDENT.sub(name, text)


def _join_fr(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


def catalogue_frame() -> pd.DataFrame:
    """The catalogue as a French-labelled table (for `cpc indicateurs --catalogue` and docs)."""
    import pandas as pd

    fam = {f.id: f.label for f in families()}
    rows = [
        {
            "id": i.id,
            "famille": fam[i.family],
            "libellé": i.label,
            "définition": i.definition,
            "unité": UNIT_LABELS[i.unit],
            "base légale": i.legal_basis,
            "nature": KIND_LABELS[i.kind],
            "formule": i.formula,
            "source": i.source_label,
            "agrégation": AGGREGATION_LABELS[i.aggregation],
            "sens": DIRECTION_LABELS[i.direction],
            "feuille": i.sheet,
            "obligatoire": "oui" if i.required else "non",
        }
        for i in indicators()
    ]
    return pd.DataFrame(rows)


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def catalogue_markdown() -> str:
    """The catalogue as a French Markdown document (``cpc indicateurs --catalogue --format md``).

    ``docs/indicateurs.md`` is this text, committed: the catalogue is described once, here.
    """
    inds = indicators()
    n_kind = {k: len(indicators(kind=k)) for k in KINDS}
    lines = [
        "# Catalogue des indicateurs de la politique civile",
        "",
        "> Document généré par `cpc indicateurs --catalogue --format md` à partir de",
        "> `cpc_toolkit/catalogue/indicators.yaml`, source unique de vérité. Ne pas modifier à la main :",
        "> modifier le catalogue puis régénérer ce fichier.",
        "",
        f"{len(inds)} indicateurs : {n_kind['input']} saisis dans le classeur de collecte, "
        f"{n_kind['derived']} calculés par formule, {n_kind['register']} issus des registres d'affaires, "
        f"{n_kind['reference']} donnée(s) de référence jointe(s) au calcul ; "
        f"{len(families())} familles ; {len(checks())} contrôles de cohérence.",
        "",
        "Règles communes :",
        "",
        "- **Agrégation** à la cour d'appel et au niveau national : somme des quantités ; les taux sont "
        "recalculés sur les numérateurs et dénominateurs sommés (jamais une moyenne de taux) ; "
        "part des juridictions pour les indicateurs oui/non ; médiane pour les délais saisis.",
        "- **Statuts** d'une valeur (comme à la CEPEJ) : "
        + " ; ".join(f"`{k}` = {v}" for k, v in STATUS_LABELS.items()) + ".",
        "- **Valeurs manquantes** : une formule dont une donnée manque, ou dont le dénominateur est nul, "
        "donne « NA » avec son motif — jamais 0 ni l'infini.",
        "",
    ]
    by_family: dict[str, list[Indicator]] = {}
    for ind in inds:
        by_family.setdefault(ind.family, []).append(ind)
    for fam in families():
        members = by_family.get(fam.id, [])
        lines += [
            f"## {fam.label}",
            "",
            f"Identifiant `{fam.id}` — circulaire {fam.circulaire} — feuille « {fam.sheet} » du classeur — "
            f"{len(members)} indicateurs.",
            "",
            "| Identifiant | Libellé | Définition | Unité | Nature | Agrégation | Sens | Base légale |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for i in members:
            nature = KIND_LABELS[i.kind]
            if i.kind == "derived":
                nature += f" : `{i.formula}`"
            elif i.kind == "register":
                nature += f" ({SOURCE_LABELS.get(i.source, i.source)})"
            elif i.kind == "reference":
                nature += f" ({REFERENCE_SOURCES.get(i.source, i.source)})"
            elif i.required:
                nature += ", obligatoire"
            cells = [f"`{i.id}`", i.label, i.definition, UNIT_LABELS[i.unit], nature,
                     AGGREGATION_LABELS[i.aggregation], DIRECTION_LABELS[i.direction], i.legal_basis or "–"]
            lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        lines.append("")
    lines += [
        "## Contrôles de cohérence",
        "",
        "Évalués à l'import des classeurs ; « erreur » rejette le classeur, « avertissement » le signale.",
        "",
        "| Identifiant | Règle | Niveau | Message |",
        "|---|---|---|---|",
    ]
    for ch in checks():
        level = "erreur" if ch.level == "error" else "avertissement"
        lines.append("| " + " | ".join(_md_cell(c) for c in
                                       (f"`{ch.id}`", f"`{ch.rule}`", level, ch.message)) + " |")
    lines += [
        "",
        "## Listes du compte rendu",
        "",
        "Saisies dans la feuille « Compte rendu » du classeur ; reprises dans la convocation et le compte rendu "
        "du conseil. Les noms de personnes n'y sont admis que dans les colonnes qui le disent (membres du conseil).",
        "",
        "| Identifiant | Libellé | Définition | Lignes | Colonnes | Base légale |",
        "|---|---|---|---|---|---|",
    ]
    for spec in lists():
        cols = ", ".join(c.label + (" (oui/non)" if c.kind == "boolean" else "") +
                         (" — noms admis" if c.names_allowed else "") for c in spec.columns)
        lines.append("| " + " | ".join(_md_cell(c) for c in (f"`{spec.id}`", spec.label, spec.definition,
                                                                 str(spec.rows), cols, spec.legal_basis or "–"))
                     + " |")
    lines.append("")
    return "\n".join(lines)


@cache
def version() -> str:
    """Catalogue version: the file's ``version`` field and a short digest of its text (e.g. ``1-3fa2c1d0``)."""
    import hashlib

    text = resources.files("cpc_toolkit.catalogue").joinpath("indicators.yaml").read_text(encoding="utf-8")
    declared = (load_yaml(text) or {}).get("version", 0)
    return f"{declared}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"
