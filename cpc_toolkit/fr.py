"""French (fr-FR) formatting of numbers, percentages and dates for every user-facing output."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

NBSP = "\u00a0"  # thousands separator and before units, as in French typography
NNBSP = "\u202f"

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]

UNIT_SUFFIX = {
    "count": "",
    "percent": f"{NBSP}%",
    "days": f"{NBSP}j",
    "months": f"{NBSP}mois",
    "hours": f"{NBSP}h",
}


def is_missing(value: Any) -> bool:
    """True for None, NaN and pandas NA."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA raises in bool()
    except TypeError:
        return True


def format_number(value: Any, decimals: int = 0, sep: str = " ") -> str:
    """``1234.5`` → ``1 234,5`` (space thousands separator, comma decimal)."""
    if is_missing(value):
        return "–"
    v = float(value)
    if math.isinf(v):
        return "∞"
    text = f"{abs(v):,.{decimals}f}".replace(",", "\x00").replace(".", ",").replace("\x00", sep)
    if round(v, decimals) < 0:
        text = "-" + text
    return text


def format_signed(value: Any, decimals: int = 1) -> str:
    """Signed French number: ``+7,1`` / ``-2,0``."""
    if is_missing(value):
        return "–"
    text = format_number(value, decimals)
    return text if text.startswith("-") else f"+{text}"


def format_percent(value: Any, decimals: int = 1) -> str:
    """``94.2`` (already in percent) → ``94,2 %``."""
    if is_missing(value):
        return "–"
    return f"{format_number(value, decimals)} %"


def format_value(value: Any, unit: str, decimals: int | None = None) -> str:
    """Format a catalogue value with its unit (count, percent, days, months, boolean, date, text)."""
    if unit == "boolean":
        if is_missing(value):
            return "–"
        return "oui" if bool(value) else "non"
    if unit == "date":
        return format_date(value)
    if unit == "text":
        return "–" if is_missing(value) else str(value)
    if is_missing(value):
        return "–"
    if decimals is None:
        decimals = 0 if unit == "count" else 1
    if unit == "percent":
        return format_percent(value, decimals)
    return format_number(value, decimals) + {"days": " j", "months": " mois"}.get(unit, "")


def format_date(value: Any) -> str:
    """``2025-06-27`` → ``27 juin 2025`` (``1er`` for the first day of the month)."""
    if is_missing(value) or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = value.date()
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def parse_french_number(text: str) -> float:
    """Parse ``1 234,5`` (any kind of space) back into ``1234.5``; raises ValueError."""
    cleaned = text.replace(NBSP, "").replace(NNBSP, "").replace(" ", "").replace(",", ".")
    cleaned = cleaned.rstrip("%").strip()
    return float(cleaned)
