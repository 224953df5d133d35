"""Warnings: values far from the court's history or its peers, and warning-level catalogue checks,
are listed but the file is accepted."""

from __future__ import annotations

from cpc_toolkit.collect import import_bytes
from cpc_toolkit.collect.checks import batch_problems
from cpc_toolkit.collect.reader import ParsedFile
from cpc_toolkit.store import Store

from .conftest import COURT, YEAR, demo_values, filled_bytes, set_named
from .conftest import copy_store as _copy


def test_history_outlier_is_a_warning(base_store: Store, tmp_path) -> None:
    store = _copy(base_store, tmp_path / "d")
    v = demo_values().set_index("indicator_id")["value"]
    big = int(v["pjm_mandats_protection_future"]) * 10 + 500 if v.notna()["pjm_mandats_protection_future"] else 5000
    data = set_named(filled_bytes(), pjm_mandats_protection_future=big, pjm_mandats_protection_future__statut=None)
    out = import_bytes([(f"clpc_{YEAR}_{COURT}.xlsx", data)], store, progress=False)
    assert out[0].outcome == "accepted"
    warn = [p for p in out[0].warnings if p.indicator == "pjm_mandats_protection_future"]
    assert warn and warn[0].reason.value == "outlier" and "historique" in warn[0].message
    assert warn[0].sheet == "Majeurs protégés" and warn[0].cell
    subs = store.submissions()
    assert int(subs.loc[subs["year"] == YEAR, "n_warnings"].iloc[0]) == len(out[0].warnings) >= 1


def test_warning_level_check_does_not_reject(fresh_store: Store) -> None:
    v = demo_values().set_index("indicator_id")["value"]
    tenues = int(v["ami_ara_tenues"])
    data = set_named(filled_bytes(), ami_ara_ordonnees=max(tenues - 1, 0))
    out = import_bytes([(f"clpc_{YEAR}_{COURT}.xlsx", data)], fresh_store, progress=False)
    assert out[0].outcome == "accepted"
    w = [p for p in out[0].warnings if p.reason.value == "consistency"]
    assert w and w[0].cells and "ARA" in w[0].message


def test_peer_outlier_without_history() -> None:
    rows = []
    for i in range(30):
        rows.append(ParsedFile(name=f"f{i}.xlsx", court_id=f"c{i}", year=YEAR,
                               values=(("ent_conciliations", 100.0 + i, None, "ok"),),
                               cells={"ent_conciliations": ("Entreprises", "B6")}))
    rows.append(ParsedFile(name="fou.xlsx", court_id="cx", year=YEAR,
                           values=(("ent_conciliations", 900000.0, None, "ok"),),
                           cells={"ent_conciliations": ("Entreprises", "B6")}))
    out = batch_problems(rows)
    flagged = [p.name for p in out if p.warnings]
    assert flagged == ["fou.xlsx"]
    assert out[-1].warnings[0].cell == "B6" and "autres juridictions" in out[-1].warnings[0].message
