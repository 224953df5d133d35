"""fr-FR formatting and runtime settings."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpc_toolkit import fr, settings


@pytest.mark.parametrize(("args", "expected"), [
    ((1234.5, 1), "1 234,5"),
    ((1_452_693,), "1 452 693"),
    ((-1234.56, 2), "-1 234,56"),
    ((0.0,), "0"),
    ((-0.04, 1), "0,0"),
    ((float("nan"),), "–"),
    ((None,), "–"),
    ((float("inf"),), "∞"),
])
def test_format_number(args, expected):
    assert fr.format_number(*args) == expected


def test_format_value_by_unit():
    assert fr.format_value(98.25, "percent", 2) == "98,25 %"
    assert fr.format_value(12.34, "months") == "12,3 mois"
    assert fr.format_value(4.0, "days") == "4,0 j"
    assert fr.format_value(1523.0, "count") == "1 523"
    assert fr.format_value(1.0, "boolean") == "oui" and fr.format_value(0.0, "boolean") == "non"
    assert fr.format_value(float("nan"), "boolean") == "–"
    assert fr.format_value("2025-06-27", "date") == "27 juin 2025"
    assert fr.format_value(None, "text") == "–" and fr.format_value("Texte", "text") == "Texte"
    assert fr.format_signed(7.06) == "+7,1" and fr.format_signed(-2) == "-2,0"


def test_format_date():
    assert fr.format_date(dt.date(2025, 6, 27)) == "27 juin 2025"
    assert fr.format_date("2025-01-01") == "1er janvier 2025"
    assert fr.format_date(dt.datetime(2025, 8, 15, 10, 30)) == "15 août 2025"
    assert fr.format_date("") == "–" and fr.format_date(None) == "–"
    assert fr.format_date("pas une date") == "pas une date"


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(min_value=0, max_value=3))
def test_parse_french_number_round_trip(x, decimals):
    text = fr.format_number(x, decimals)
    back = fr.parse_french_number(text)
    assert math.isclose(back, round(x, decimals), abs_tol=10 ** -decimals)
    assert "." not in text


def test_settings_precedence(monkeypatch):
    monkeypatch.delenv(settings.ENV_DATA_DIR, raising=False)
    monkeypatch.delenv(settings.ENV_REPORTS_DIR, raising=False)
    assert settings.data_dir() == Path("donnees") and settings.reports_dir() == Path("reports")
    monkeypatch.setenv(settings.ENV_DATA_DIR, "/srv/cpc")
    monkeypatch.setenv(settings.ENV_REPORTS_DIR, "/srv/rapports")
    assert settings.data_dir() == Path("/srv/cpc") and settings.reports_dir() == Path("/srv/rapports")
    assert settings.data_dir("ici") == Path("ici") and settings.reports_dir("la") == Path("la")
