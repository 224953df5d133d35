"""Data side of the reproducibility stamp and rectificatifs: digest of the figures a document uses, and the exact
list of figures that changed after a court resubmits."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cpc_toolkit import catalogue
from cpc_toolkit.compute import results
from cpc_toolkit.compute.digest import (
    changed_figures,
    data_digest,
    figures_snapshot,
    load_snapshot,
    resubmissions_between,
    save_snapshot,
    stamp,
    stamp_text,
)
from cpc_toolkit.store import Store, SubmissionRecord

YEAR = 2025


def _dependents(root_id: str) -> set[str]:
    """root_id and every derived indicator whose formula rests on it (transitively)."""
    out = {root_id}
    grew = True
    while grew:
        grew = False
        for ind in catalogue.indicators(kind="derived"):
            if ind.id not in out and ind.inputs & out:
                out.add(ind.id)
                grew = True
    return out


def test_resubmission_changes_exactly_the_dependent_figures(demo_store: Store, tmp_path: Path) -> None:
    root = tmp_path / "donnees"
    shutil.copytree(demo_store.root, root)
    store = Store(root)
    before = results(store)
    published_at = str(store.submissions()["received_at"].max())  # the campaign is published after the last deposit
    published = save_snapshot(before, YEAR, tmp_path / "publication-2025.parquet", "t0", published_at)
    assert published["empreinte"] == data_digest(before, YEAR)
    digest_paris = data_digest(before, YEAR, ["tj-paris"])
    vals = store.values(YEAR, "tj-lyon")
    vals = vals[["indicator_id", "value", "text", "status"]].reset_index(drop=True)
    old = float(vals.loc[vals["indicator_id"] == "act_cg_entrees", "value"].iloc[0])
    vals.loc[vals["indicator_id"] == "act_cg_entrees", "value"] = old + 1234
    store.write([SubmissionRecord(court_id="tj-lyon", year=YEAR, channel="classeur", values=vals,
                                  sha256="f" * 64, file_name="clpc_2025_tj-lyon_v2.xlsx", demo=True)],
                received_at=(dt.datetime.fromisoformat(published_at) + dt.timedelta(days=30)).isoformat())
    after = results(store)
    changed = changed_figures(load_snapshot(tmp_path / "publication-2025.parquet"), figures_snapshot(after, YEAR))
    assert len(changed) > 0
    assert set(changed["unit_id"]) == {"tj-lyon", "ca-lyon", "national"}
    assert set(changed["year"]) == {YEAR}
    allowed = _dependents("act_cg_entrees")
    assert set(changed["indicator_id"]) <= allowed
    for unit in ("tj-lyon", "ca-lyon", "national"):
        row = changed[(changed["unit_id"] == unit) & (changed["indicator_id"] == "act_cg_entrees")]
        assert len(row) == 1
        assert row["value_after"].iloc[0] - row["value_before"].iloc[0] == 1234
    # every dependent figure that really moved is listed, and no other one
    a = figures_snapshot(before, YEAR).set_index(["unit_id", "indicator_id"])
    b = figures_snapshot(after, YEAR).set_index(["unit_id", "indicator_id"])
    moved = {k for k in a.index if not (pd.isna(a.at[k, "value"]) and pd.isna(b.at[k, "value"]))
             and not a.at[k, "value"] == b.at[k, "value"]}
    assert moved == set(zip(changed["unit_id"], changed["indicator_id"], strict=True))
    # the stamp: a document of an unaffected court keeps its digest; the cour's changes
    assert data_digest(after, YEAR, ["tj-paris"]) == digest_paris
    assert data_digest(after, YEAR, ["ca-lyon"]) != data_digest(before, YEAR, ["ca-lyon"])
    why = resubmissions_between(store.submissions(), str(published["publie_le"]), ["tj-lyon"], YEAR)
    assert list(why["file_name"]) == ["clpc_2025_tj-lyon_v2.xlsx"]


def test_digest_is_stable_and_order_free(demo_results: pd.DataFrame) -> None:
    d1 = data_digest(demo_results, YEAR, ["tj-lyon", "ca-lyon"])
    shuffled = demo_results.sample(frac=1.0, random_state=3)
    assert data_digest(shuffled, YEAR, ["ca-lyon", "tj-lyon"]) == d1
    assert len(d1) == 12 and data_digest(demo_results, YEAR - 1, ["tj-lyon", "ca-lyon"]) != d1
    assert changed_figures(demo_results, shuffled).empty


def test_stamp(demo_results: pd.DataFrame) -> None:
    st = stamp(demo_results, YEAR, ["tj-lyon"], built=dt.date(2026, 1, 31))
    assert st["empreinte_donnees"] == data_digest(demo_results, YEAR, ["tj-lyon"])
    assert st["version_catalogue"].startswith("1-") and len(st["version_catalogue"]) == 10
    text = stamp_text(st)
    assert text == (f"Établi avec cpc_toolkit {st['version_outil']}, catalogue {st['version_catalogue']}, "
                    f"données {st['empreinte_donnees']}, le 31 janvier 2026")


def _pandas_csv(snap: pd.DataFrame) -> bytes:
    """The digest's definition: the figures' CSV as pandas writes it."""
    return snap.to_csv(index=False, lineterminator="\n", float_format="%.9g", na_rep="").encode("utf-8")


def test_digest_is_the_sha256_of_the_figures_csv_as_pandas_writes_it(demo_results: pd.DataFrame) -> None:
    """The column-wise CSV is byte for byte pandas' own, on every figure of the demo (five years)
    and on a slice, so the digests printed in earlier publications stay valid."""
    import hashlib

    from cpc_toolkit.compute.digest import snapshot_csv

    snap = figures_snapshot(demo_results, range(YEAR - 4, YEAR + 1))
    assert len(snap) > 10_000 and snapshot_csv(snap) == _pandas_csv(snap)
    part = figures_snapshot(demo_results, YEAR, ["tj-lyon", "ca-lyon"])
    assert data_digest(demo_results, YEAR, ["tj-lyon", "ca-lyon"]) == hashlib.sha256(_pandas_csv(part)).hexdigest()[:12]
    assert snapshot_csv(part.iloc[:0]) == _pandas_csv(part.iloc[:0])
    other = pd.DataFrame({"flag": [True, False], "n": [1, -2], "label": ["a", None], "x": [1.5, float("nan")]})
    assert snapshot_csv(other) == _pandas_csv(other)  # any column kind, as pandas writes it


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(allow_nan=True, allow_infinity=True, width=64),
                          st.text(alphabet=st.sampled_from(list('a,"\n\r é;x\t')), max_size=6),
                          st.sampled_from(["ok", "NA", "na,ou", 'x"y'])), min_size=1, max_size=25))
def test_column_wise_csv_quotes_and_formats_as_pandas(rows: list[tuple[float, str, str]]) -> None:
    from cpc_toolkit.compute.digest import SNAPSHOT_COLUMNS, snapshot_csv

    snap = pd.DataFrame({"unit_id": "tj-lyon", "year": 2025, "indicator_id": [f"i{k}" for k in range(len(rows))],
                         "value": [r[0] for r in rows], "text": pd.array([r[1] for r in rows], dtype="string"),
                         "status": [r[2] for r in rows], "n_reporting": 1, "n_expected": 2})[SNAPSHOT_COLUMNS]
    assert snapshot_csv(snap) == _pandas_csv(snap)
