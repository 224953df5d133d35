"""Court reference: counts, hierarchy, départements, errors."""

from __future__ import annotations

import collections

import pytest

from cpc_toolkit import reference
from cpc_toolkit.errors import ReasonCode, ReferenceDataError


def test_exact_counts_by_kind():
    counts = reference.courts()["kind"].value_counts().to_dict()
    assert counts["TJ"] == 164
    assert counts["TPI"] == 4
    assert counts["CA"] == 36
    assert counts["TSA"] == 1
    assert counts["TAE"] == 12


def test_clpc_scope_and_consolidation_units():
    scope = reference.first_instance_courts()
    assert len(scope) == 168
    assert set(scope["kind"]) == {"TJ", "TPI"}
    assert set(scope.loc[scope["kind"] == "TPI", "court_id"]) == {
        "tpi-noumea", "tpi-papeete", "tpi-mata-utu", "tpi-saint-pierre"}
    units = reference.consolidation_units()
    assert len(units) == 37
    assert set(units["kind"]) == {"CA", "TSA"}
    assert (units["kind"] == "TSA").sum() == 1


def test_tae_ressorts_are_the_thirteen_tj_including_carpentras():
    tae = reference.tae_tj_ids()
    assert len(tae) == 13
    assert "tj-carpentras" in tae and "tj-avignon" in tae
    seats = {cid.removeprefix("tae-") for cid in reference.courts("TAE")["court_id"]}
    assert {f"tj-{s}" for s in seats} <= tae
    assert reference.has_tae("tj-carpentras", 2025)
    assert not reference.has_tae("tj-carpentras", 2024)
    assert not reference.has_tae("tj-bourg-en-bresse", 2025)


def test_every_first_instance_court_has_one_parent_cour():
    cours = set(reference.consolidation_units()["court_id"])
    for row in reference.first_instance_courts().itertuples():
        assert row.parent_ca_id in cours, row.court_id
        assert reference.cour_of(row.court_id) == row.parent_ca_id
    # and the cours partition the 168 courts
    members = [c for cour in sorted(cours) for c in reference.courts_of_cour(cour)]
    assert len(members) == len(set(members)) == 168
    assert reference.courts_of_cour("tsa-saint-pierre") == ["tpi-saint-pierre"]


def test_cour_departements_are_the_union_of_its_courts():
    csv_codes = reference.courts().set_index("court_id")["departements"]
    for cour in reference.consolidation_units()["court_id"]:
        union = set().union(*(set(csv_codes[c]) for c in reference.courts_of_cour(cour)))
        assert set(reference.cour_departements(cour)) == union, cour
        assert set(csv_codes[cour]) == union, cour


def test_every_geojson_departement_maps_to_exactly_one_cour():
    owners: dict[str, set[str]] = collections.defaultdict(set)
    for cour in reference.consolidation_units()["court_id"]:
        for code in reference.cour_departements(cour):
            owners[code].add(cour)
    features = reference.departements_geojson()["features"]
    assert len(features) == 101
    table = reference.departements().set_index("departement_code")["ca_id"]
    for feat in features:
        code = feat["properties"]["code"]
        assert len(owners[code]) == 1, (code, owners[code])
        assert owners[code] == {table[code]}


def test_levels_and_names():
    assert reference.level_of("tj-lyon") == "juridiction"
    assert reference.level_of("ca-lyon") == "cour"
    assert reference.level_of("tsa-saint-pierre") == "cour"
    assert reference.level_of(reference.NATIONAL) == "national"
    assert reference.court_name("tj-lyon") == "Tribunal judiciaire de Lyon"
    assert reference.court_name(reference.NATIONAL) == "France entière"
    assert "IGN – Admin Express, via france-geojson" in reference.ATTRIBUTION
    assert len(reference.courts("CA", cour=None)) == 36
    assert set(reference.courts(cour="ca-lyon")["parent_ca_id"]) == {"ca-lyon"}


@pytest.mark.parametrize("call", [
    lambda: reference.court("tj-atlantide"),
    lambda: reference.cour_of("tj-atlantide"),
    lambda: reference.level_of("tj-atlantide"),
    lambda: reference.courts_of_cour("ca-atlantide"),
    lambda: reference.courts(kind="XX"),
    lambda: reference.cour_departements("tj-lyon"),
    lambda: reference.validate_scope("ca-lyon", "juridiction"),
    lambda: reference.level_of("tc-lyon"),
])
def test_unknown_ids_raise_french_reference_errors(call):
    with pytest.raises(ReferenceDataError) as info:
        call()
    assert info.value.reason == ReasonCode.UNKNOWN_COURT
    text = str(info.value)
    assert any(w in text for w in ("inconnu", "n'est pas", "n'entre pas")), text


def test_unknown_court_suggests_close_ids():
    with pytest.raises(ReferenceDataError, match="Vouliez-vous dire : tj-lyon"):
        reference.court("tj-lyn")
    with pytest.raises(ReferenceDataError) as info:
        reference.court("")
    assert "Vouliez-vous dire" not in str(info.value)


def test_reference_frames_are_copies():
    df = reference.courts()
    df.loc[df.index[0], "name"] = "modifié"
    assert reference.courts()["name"].iloc[0] != "modifié"
