"""fr-FR formatting and runtime settings."""

from __future__ import annotations

import datetime as dt
import math
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cpc_toolkit import fr, reference, settings

NN, NB, MINUS = "\u202f", "\u00a0", "\u2212"  # narrow no-break space, no-break space, minus sign


def test_typography_constants_are_french():
    assert (fr.THOUSANDS_SEP, fr.MINUS, fr.UNIT_SEP, fr.DECIMAL_SEP) == (NN, MINUS, NB, ",")


@pytest.mark.parametrize(("args", "expected"), [
    ((1234.5, 1), f"1{NN}234,5"),
    ((1_452_693,), f"1{NN}452{NN}693"),
    ((-1234.56, 2), f"{MINUS}1{NN}234,56"),
    ((0.0,), "0"),
    ((-0.04, 1), "0,0"),
    ((float("nan"),), "–"),
    ((None,), "–"),
    ((float("inf"),), "∞"),
])
def test_format_number(args, expected):
    assert fr.format_number(*args) == expected


def test_format_value_by_unit():
    assert fr.format_value(98.25, "percent", 2) == f"98,25{NB}%"
    assert fr.format_value(12.34, "months") == f"12,3{NB}mois"
    assert fr.format_value(4.0, "days") == f"4,0{NB}j"
    assert fr.format_value(1523.0, "count") == f"1{NN}523"
    assert fr.format_value(1.0, "boolean") == "oui" and fr.format_value(0.0, "boolean") == "non"
    assert fr.format_value(float("nan"), "boolean") == "–"
    assert fr.format_value("2025-06-27", "date") == "27 juin 2025"
    assert fr.format_value(None, "text") == "–" and fr.format_value("Texte", "text") == "Texte"
    assert fr.format_signed(7.06) == "+7,1" and fr.format_signed(-2) == f"{MINUS}2,0"


@pytest.mark.parametrize(("value", "decimals", "expected"), [
    (8.75, 1, "8,8"), (8.85, 1, "8,9"), (-8.75, 1, f"{MINUS}8,8"), (0.125, 2, "0,13"), (2.5, 0, "3"), (-0.04, 1, "0,0"),
])
def test_one_rounding_rule_half_away_from_zero(value, decimals, expected):
    # Python's round(8.75, 1) gives 8.8 but round(8.85, 1) gives 8.8 too (binary value): fr decides once
    assert fr.format_number(value, decimals) == expected
    assert fr.rounded(value, "percent", decimals) == fr.parse_french_number(expected)
    assert fr.format_change(value, "percent", decimals).startswith(("+", MINUS) if expected != "0,0" else "+")


def test_a_change_reads_the_same_on_a_card_and_in_a_sentence():
    # 80.05 → 88.80: the change 8.75 is shown +8,8 whether written short (card) or in words (sentence)
    assert fr.format_change(88.80 - 80.05, "percent") == f"+8,8{NB}pt"
    assert fr.format_change(88.80 - 80.05, "percent", words=True) == "+8,8 points"
    assert fr.format_change(fr.rounded(88.80 - 80.05, "percent"), "percent") == f"+8,8{NB}pt"


def test_french_sort_key_ignores_accents_case_and_particles():
    names = ["Cour d'appel de Paris", "Cour d'appel d'Orléans", "Cour d'appel de Basse-Terre", "Cour d'appel d'Angers",
             "Cour d'appel d'Agen", "Cour d'appel de Colmar"]
    assert sorted(names, key=fr.sort_key) == [
        "Cour d'appel d'Agen", "Cour d'appel d'Angers", "Cour d'appel de Basse-Terre", "Cour d'appel de Colmar",
        "Cour d'appel d'Orléans", "Cour d'appel de Paris"]
    assert sorted(["Évry", "Zoo", "Epinal", "œil", "Oeuf", "étampes"], key=fr.sort_key) == [
        "Epinal", "étampes", "Évry", "œil", "Oeuf", "Zoo"]  # œ = oe: « oei » < « oeu »
    assert fr.sort_key("Évry") != fr.sort_key("Evry")  # accents break ties: the order is total


def test_parse_french_number_accepts_every_space_and_minus():
    assert fr.parse_french_number(f"{MINUS}1{NN}234,5") == -1234.5
    assert fr.parse_french_number("-1 234,5") == fr.parse_french_number(f"-1{NB}234,5") == -1234.5
    assert fr.parse_french_number(f"12,5{NB}%") == 12.5


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



_LATIN = st.one_of(st.characters(max_codepoint=0x036F), st.characters(min_codepoint=0x2000, max_codepoint=0x206F))
_FAST = fr._collator()


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_LATIN, max_size=12))
def test_latin_first_collation_gives_pyuca_keys(text):
    import pyuca

    assert _FAST.sort_key(text) == _full_collator(pyuca).sort_key(text)


def test_collation_loads_the_rest_of_the_table_when_a_name_needs_it():
    import pyuca

    full, fast = _full_collator(pyuca), fr._collator()
    names = [str(n) for n in reference.courts()["name"]] + ["Zoë", "Œuvre", "l’Isle", "Ǆemal"]
    assert [fast.sort_key(n) for n in names] == [full.sort_key(n) for n in names]
    assert fast._rest  # French names only: the rest of the table is not loaded
    others = ["Ελλάδα", "Москва", "東京", "🙂"]
    assert [fast.sort_key(n) for n in others] == [full.sort_key(n) for n in others]
    assert fast._rest is None


@cache
def _full_collator(pyuca):
    return pyuca.Collator()
