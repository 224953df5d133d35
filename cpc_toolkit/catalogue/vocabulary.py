"""The presentation vocabulary (``presentation.yaml``): units, value statuses, missing-value marks.

One description of how a value is shown, loaded and validated once (like the indicator
catalogue). The formatting functions of :mod:`cpc_toolkit.fr` read it; nothing else writes a
unit symbol, a number of decimals or a status label.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from cpc_toolkit.errors import CatalogueError, ReasonCode
from cpc_toolkit.settings import load_yaml

__all__ = ["STATUS_CODES", "Unit", "missing_mark", "parse_presentation", "status_label", "status_labels", "unit",
           "units"]

STATUS_CODES = ("ok", "NA", "NAP", "NQ")  # CEPEJ statuses, the only ones the store accepts
_UNIT_FIELDS = {"label", "symbol", "decimals", "change", "change_word", "excel", "words", "consolidated", "axis"}


@dataclass(frozen=True)
class Unit:
    """How values of one catalogue unit are displayed."""

    id: str
    label: str
    symbol: str = ""
    decimals: int = 0
    change: str = ""
    change_word: tuple[str, str] | None = None
    excel: str = ""
    words: tuple[str, str] | None = None  # (false, true) for oui/non units
    consolidated: str = ""  # label once consolidated as a share of courts (oui/non units)
    axis: str = ""  # chart axis title when it is not « label (unit) »

    @property
    def numeric(self) -> bool:
        return self.id not in ("date", "text")


def _pair(uid: str, key: str, value: Any, problems: list[str]) -> tuple[str, str] | None:
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) and v for v in value)):
        problems.append(f"unité {uid} : « {key} » doit être une paire de mots")
        return None
    return (value[0], value[1])


@cache
def _load() -> tuple[dict[str, Unit], dict[str, str], dict[str, str]]:
    text = resources.files("cpc_toolkit.catalogue").joinpath("presentation.yaml").read_text(encoding="utf-8")
    return parse_presentation(text)


def parse_presentation(text: str) -> tuple[dict[str, Unit], dict[str, str], dict[str, str]]:
    """Parse and validate a presentation vocabulary (units, statuses, missing marks); raise a French
    :class:`CatalogueError` listing every problem."""
    raw = load_yaml(text)
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise CatalogueError("Vocabulaire de présentation illisible (presentation.yaml).",
                             ReasonCode.CATALOGUE_INVALID)
    out: dict[str, Unit] = {}
    for uid, spec in (raw.get("units") or {}).items():
        if not isinstance(spec, dict):
            problems.append(f"unité {uid} : description attendue")
            continue
        unknown = set(spec) - _UNIT_FIELDS
        if unknown:
            problems.append(f"unité {uid} : champs inconnus {sorted(unknown)}")
        label = spec.get("label")
        decimals = spec.get("decimals", 0)
        if not isinstance(label, str) or not label:
            problems.append(f"unité {uid} : libellé manquant")
        if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 6:
            problems.append(f"unité {uid} : nombre de décimales invalide {decimals!r}")
            decimals = 0
        strings = {k: spec.get(k, "") for k in ("symbol", "change", "excel", "consolidated", "axis")}
        for k, v in strings.items():
            if not isinstance(v, str):
                problems.append(f"unité {uid} : « {k} » doit être un texte")
                strings[k] = ""
        words = _pair(uid, "words", spec.get("words"), problems)
        change_word = _pair(uid, "change_word", spec.get("change_word"), problems)
        out[str(uid)] = Unit(id=str(uid), label=str(label or ""), decimals=decimals, words=words,
                             change_word=change_word, **strings)
    if "boolean" in out and out["boolean"].words is None:
        problems.append("unité boolean : « words » (non, oui) manquant")
    statuses = {str(k): str(v) for k, v in (raw.get("statuses") or {}).items()}
    if tuple(statuses) != STATUS_CODES or not all(statuses.values()):
        problems.append(f"statuts attendus {', '.join(STATUS_CODES)} avec un libellé, trouvés {', '.join(statuses)}")
    missing = raw.get("missing") or {}
    if not (isinstance(missing, dict) and set(missing) == {"short", "long"}
            and all(isinstance(v, str) and v for v in missing.values())):
        problems.append("« missing » doit donner une forme courte et une forme longue")
        missing = {"short": "", "long": ""}
    if problems:
        raise CatalogueError("Vocabulaire de présentation invalide : " + " ; ".join(problems),
                             ReasonCode.CATALOGUE_INVALID)
    return out, statuses, {str(k): str(v) for k, v in missing.items()}


def units() -> dict[str, Unit]:
    """Every unit, by id (catalogue order of presentation.yaml)."""
    return dict(_load()[0])


def unit(unit_id: str) -> Unit:
    """One unit's display; an unknown unit raises a French :class:`CatalogueError`."""
    got = _load()[0].get(unit_id)
    if got is None:
        raise CatalogueError(f"Unité inconnue : « {unit_id} » (unités : {', '.join(_load()[0])}).",
                             ReasonCode.CATALOGUE_INVALID)
    return got


def status_labels() -> dict[str, str]:
    """French label of every value status (``ok``, ``NA``, ``NAP``, ``NQ``)."""
    return dict(_load()[1])


def status_label(code: str) -> str:
    """French label of a status; an unknown code is returned as is."""
    return _load()[1].get(code, code)


def missing_mark(long: bool = False) -> str:
    """What an unknown value shows: « – » (cells, charts) or « non renseigné » (read-aloud tables)."""
    return _load()[2]["long" if long else "short"]
