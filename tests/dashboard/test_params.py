"""URL parameters: only allowlisted names are read, values are validated (no network, no browser)."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from cpc_toolkit.dashboard.params import (
    ALLOWED_PARAMS,
    MAX_QUERY_LENGTH,
    Selection,
    parse_query,
    query_string,
)


def test_preselection_of_cour_and_year() -> None:
    sel = parse_query("cour=ca-lyon&annee=2025", years=[2024, 2025])
    assert (sel.cour, sel.annee, sel.notices) == ("ca-lyon", 2025, ())


def test_unknown_names_and_template_are_ignored_silently() -> None:
    sel = parse_query("template=reveal&theme=dark&__import__=os&cour=ca-rennes", years=[2025])
    assert sel == Selection(cour="ca-rennes")


def test_injection_like_names_never_become_values() -> None:
    evil = quote("x = 1; import os; y") + "=A&" + quote("cour;import os") + "=ca-lyon"
    assert parse_query(evil) == Selection()


def test_invalid_values_are_dropped_with_french_notices() -> None:
    sel = parse_query("annee=1900&cour=ca-atlantide&indicateur=clpc_date&famille=zz", years=[2024, 2025])
    assert sel.annee is None and sel.cour is None and sel.indicateur is None and sel.famille is None
    assert len(sel.notices) == 4
    assert any("Année « 1900 »" in n for n in sel.notices)
    assert any("non chiffré" in n for n in sel.notices)  # a date indicator cannot be charted


def test_court_implies_its_cour_and_indicator_its_family() -> None:
    sel = parse_query("juridiction=tj-lyon&indicateur=act_cg_dtes")
    assert (sel.cour, sel.juridiction, sel.famille) == ("ca-lyon", "tj-lyon", "activite")


def test_court_outside_the_chosen_cour_is_refused() -> None:
    sel = parse_query("cour=ca-paris&juridiction=tj-lyon")
    assert sel.cour == "ca-paris" and sel.juridiction is None
    assert "ne relève pas" in sel.notices[0]


def test_first_value_of_a_repeated_name_wins() -> None:
    assert parse_query("cour=ca-lyon&cour=ca-paris").cour == "ca-lyon"


def test_overlong_query_is_ignored_as_a_whole() -> None:
    sel = parse_query("cour=ca-lyon&" + "x" * MAX_QUERY_LENGTH)
    assert sel.cour is None and "trop longue" in sel.notices[0]


def test_query_string_round_trip() -> None:
    sel = Selection(annee=2024, cour="ca-lyon", juridiction="tj-lyon", famille="activite", indicateur="act_cg_dtes")
    assert parse_query(query_string(sel), years=[2024]) == sel


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=12), st.text(max_size=20), max_size=6))
def test_arbitrary_queries_only_yield_allowlisted_fields(params: dict[str, str]) -> None:
    from urllib.parse import urlencode

    sel = parse_query(urlencode(params), years=[2021, 2025])
    assert set(Selection.__dataclass_fields__) == {*ALLOWED_PARAMS, "notices"}
    for name in ALLOWED_PARAMS:
        value = getattr(sel, name)
        if value is not None:
            assert name in params  # nothing appears that was not asked for
