"""Store: round trip, versions, row-group pruning, snapshot retry, atomicity under SIGKILL, lock."""

from __future__ import annotations

import concurrent.futures
import importlib.util
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import cpc_toolkit.store as store_mod
from cpc_toolkit.errors import ReasonCode, StoreError
from cpc_toolkit.store import VALUE_COLUMNS, Store, SubmissionRecord, atomic_write_bytes, open_store

WORKER = Path(__file__).with_name("_store_worker.py")
_spec = importlib.util.spec_from_file_location("_store_worker", WORKER)
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)


def rec(court: str, year: int, values: dict[str, float], channel: str = "classeur", **kw) -> SubmissionRecord:
    df = pd.DataFrame({"indicator_id": list(values), "value": list(values.values()),
                       "status": ["ok"] * len(values)})
    return SubmissionRecord(court, year, channel, df, **kw)


def logical(store: Store) -> tuple:
    """Store content without random tags and timestamps (to compare two stores)."""
    subs = store.submissions()
    subs = subs.assign(key=subs["submission_id"].str.rsplit(":", n=1).str[0])
    s = subs[["key", "court_id", "year", "channel", "version", "status", "n_values", "sha256"]]
    s = tuple(map(tuple, s.sort_values("key").itertuples(index=False)))
    vals = store.values(current=False)
    vals = vals.assign(key=vals["submission_id"].str.rsplit(":", n=1).str[0]).drop(columns="submission_id")
    vals = vals.sort_values(["key", "indicator_id"]).astype({"value": "float64"})
    v = tuple((r.key, r.court_id, int(r.year), r.indicator_id,
               None if np.isnan(r.value) else r.value, r.status) for r in vals.itertuples(index=False))
    cur = store.values()
    return s, v, len(cur)


# ---------------------------------------------------------------------------------- basics
def test_round_trip_numbers_texts_and_statuses(tmp_path):
    store = Store(tmp_path)
    assert not store.exists() and store.values().empty and store.submissions().empty
    df = pd.DataFrame({
        "indicator_id": ["a", "b", "c", "d"],
        "value": [1.5, np.nan, np.nan, 0.0],
        "text": [None, "Texte accentué « é »", None, None],
        "status": ["ok", "ok", "NAP", "NQ"],
    })
    ids = store.write([SubmissionRecord("tj-lyon", 2025, "classeur", df, sha256="ab", file_name="f.xlsx",
                                        n_warnings=2, demo=True)])
    assert ids == ["tj-lyon:2025:classeur:v1:" + store.manifest()["tag"]]
    got = Store(tmp_path).court_year("tj-lyon", 2025)
    assert list(got.columns) == VALUE_COLUMNS
    assert got["indicator_id"].tolist() == ["a", "b", "c", "d"]
    assert got["value"].iloc[0] == 1.5 and got["value"].iloc[3] == 0.0
    assert got["text"].iloc[1] == "Texte accentué « é »"
    assert got["status"].tolist() == ["ok", "ok", "NAP", "NQ"]
    assert set(got["submission_id"]) == set(ids)
    sub = Store(tmp_path).submissions().iloc[0]
    assert (sub["sha256"], sub["file_name"], sub["n_values"], sub["n_warnings"], bool(sub["demo"])) == \
        ("ab", "f.xlsx", 4, 2, True)
    assert Store(tmp_path).years() == [2025]


def test_versions_and_supersession(tmp_path):
    store = Store(tmp_path)
    store.write([rec("tj-lyon", 2025, {"a": 1.0, "b": 2.0}), rec("tj-lyon", 2025, {"r": 9.0}, "registre:mesures")])
    store.write([rec("tj-lyon", 2025, {"a": 10.0})])
    subs = store.submissions().sort_values(["channel", "version"])
    assert subs[["channel", "version", "status"]].values.tolist() == [
        ["classeur", 1, "superseded"], ["classeur", 2, "accepted"], ["registre:mesures", 1, "accepted"]]
    cur = store.court_year("tj-lyon", 2025).set_index("indicator_id")["value"].to_dict()
    assert cur == {"a": 10.0, "r": 9.0}  # b disappeared with version 1; the register is untouched
    hist = store.values(2025, current=False)
    assert len(hist) == 4 and sorted(hist["value"]) == [1.0, 2.0, 9.0, 10.0]
    assert len(store.submissions(include_superseded=False)) == 2
    # two records for the same key in one batch: the later one wins, versions keep increasing
    store.write([rec("tj-lyon", 2025, {"a": 20.0}), rec("tj-lyon", 2025, {"a": 30.0})])
    cls = store.submissions().query("channel == 'classeur'").sort_values("version")
    assert cls["version"].tolist() == [1, 2, 3, 4]
    assert cls["status"].tolist() == ["superseded"] * 3 + ["accepted"]
    assert store.court_year("tj-lyon", 2025).query("indicator_id == 'a'")["value"].tolist() == [30.0]


def test_values_filters_and_argument_forms(tmp_path):
    store = Store(tmp_path)
    store.write([rec("tj-a", 2024, {"x": 1.0}), rec("tj-b", 2024, {"x": 2.0}), rec("tj-a", 2025, {"x": 3.0})])
    assert sorted(store.values()["value"]) == [1.0, 2.0, 3.0]
    assert store.values(np.int64(2024))["value"].sort_values().tolist() == [1.0, 2.0]
    assert store.values([2024, 2025], "tj-a")["value"].sort_values().tolist() == [1.0, 3.0]
    assert store.values(2024, ["tj-b", "tj-zz"])["value"].tolist() == [2.0]
    assert store.values(2023).empty and list(store.values(2023).columns) == VALUE_COLUMNS
    assert store.court_year("tj-zz", 2024).empty


def test_write_never_mutates_inputs_and_reads_return_copies(tmp_path):
    store = Store(tmp_path)
    df = pd.DataFrame({"indicator_id": ["b", "a"], "value": ["3", 4], "status": ["ok", "ok"]})
    before = df.copy(deep=True)
    r = SubmissionRecord("tj-a", 2025, "classeur", df)
    store.write([r])
    pd.testing.assert_frame_equal(df, before)
    assert r.values is df
    got = store.values()
    got.loc[:, "value"] = -1.0
    assert sorted(store.values()["value"]) == [3.0, 4.0]
    one = store.court_year("tj-a", 2025)
    one.loc[:, "value"] = -1.0
    assert sorted(store.court_year("tj-a", 2025)["value"]) == [3.0, 4.0]


@pytest.mark.parametrize(("values", "fragment"), [
    (pd.DataFrame({"indicator_id": ["a"], "value": [1.0], "status": ["bof"]}), "statut inconnu"),
    (pd.DataFrame({"indicator_id": ["a", "a"], "value": [1.0, 2.0]}), "indicateurs en double"),
    (pd.DataFrame({"value": [1.0]}), "indicator_id"),
    (pd.DataFrame({"indicator_id": ["a"], "value": [1.0], "status": [None]}), "statut inconnu"),
])
def test_invalid_records_are_rejected_and_nothing_is_written(tmp_path, values, fragment):
    store = Store(tmp_path)
    store.write([rec("tj-a", 2025, {"x": 1.0})])
    digest = store.file_digest()
    with pytest.raises(StoreError, match=fragment) as info:
        store.write([rec("tj-b", 2025, {"y": 1.0}), SubmissionRecord("tj-c", 2025, "classeur", values)])
    assert info.value.reason == ReasonCode.STORE_CORRUPT
    assert store.file_digest() == digest


def test_empty_write_and_open_store_resolution(tmp_path, monkeypatch):
    assert Store(tmp_path).write([]) == []
    assert not (tmp_path / "store" / "manifest.json").exists()
    monkeypatch.setenv("CPC_DONNEES", str(tmp_path / "env"))
    assert open_store().root == tmp_path / "env"
    assert open_store(tmp_path / "arg").root == tmp_path / "arg"
    monkeypatch.delenv("CPC_DONNEES")
    assert open_store().root == Path("donnees")


def test_corrupt_manifest_gives_french_store_error(tmp_path):
    store = Store(tmp_path)
    store.write([rec("tj-a", 2025, {"x": 1.0})])
    store.manifest_path.write_text("{pas du json", encoding="utf-8")
    with pytest.raises(StoreError, match="illisible") as info:
        Store(tmp_path).values()
    assert info.value.reason == ReasonCode.STORE_CORRUPT


def test_garbage_collection_keeps_only_current_files(tmp_path):
    store = Store(tmp_path)
    for i in range(3):
        store.write([rec("tj-a", 2025, {"x": float(i)}), rec("tj-a", 2024, {"x": float(i)})])
    (store.dir / ".orphan.parquet.123.tmp").write_bytes(b"x")
    store.write([rec("tj-b", 2025, {"x": 1.0})])
    man = store.manifest()
    names = {p.name for p in store.dir.iterdir()}
    assert names == {"manifest.json", ".lock", man["submissions"], *man["values"].values()}
    # the in-memory cache only holds data of the current snapshot
    store.values()
    live = {man["submissions"], *man["values"].values()}
    assert {k.split(":", 1)[1] for k in store._cache if k.startswith(("val:", "sub:", "rg:"))} <= live


def test_atomic_write_bytes_replaces_whole_file(tmp_path):
    target = tmp_path / "sub" / "f.json"
    atomic_write_bytes(target, b"one")
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["f.json"]


# ---------------------------------------------------------------------------------- fast court-year
def test_year_files_have_one_row_group_per_court(tmp_path):
    store = Store(tmp_path)
    store.write(worker.batch("a", years=(2025,)))
    store.write(worker.batch("b", years=(2025,), courts=worker.COURTS[:10]))
    meta = pq.ParquetFile(store.dir / store.manifest()["values"]["2025"]).metadata
    assert meta.num_row_groups == len(worker.COURTS)
    col = meta.schema.names.index("court_id")
    seen = []
    for i in range(meta.num_row_groups):
        st = meta.row_group(i).column(col).statistics
        assert st.has_min_max and st.min == st.max
        seen.append(st.min)
    assert seen == sorted(worker.COURTS)
    # a court with two versions keeps both in its single row group
    first = worker.COURTS[0]
    assert meta.row_group(seen.index(first)).num_rows == 2 * len(worker.IDS)


def test_court_year_reads_exactly_one_row_group(tmp_path, monkeypatch):
    Store(tmp_path).write(worker.batch("a"))
    reads: list[list[int]] = []
    orig = pq.ParquetFile.read_row_groups

    def spy(self, row_groups, *a, **k):
        reads.append(list(row_groups))
        return orig(self, row_groups, *a, **k)

    real_read_table = pq.read_table

    def no_full_read(path, *a, **k):
        assert Path(path).name.startswith("submissions-"), f"full read of {path}"
        return real_read_table(path, *a, **k)

    monkeypatch.setattr(pq.ParquetFile, "read_row_groups", spy)
    monkeypatch.setattr(store_mod.pq, "read_table", no_full_read)
    fresh = Store(tmp_path)  # empty cache: the file is opened for real
    got = fresh.court_year(worker.COURTS[7], 2025)
    assert reads == [[7]]
    assert len(got) == len(worker.IDS) and set(got["court_id"]) == {worker.COURTS[7]}
    expected = worker.batch("a", years=(2025,), courts=[worker.COURTS[7]])[0].values
    assert got["value"].tolist() == expected["value"].tolist()


# ---------------------------------------------------------------------------------- snapshot retry
def test_reader_retries_once_when_gc_removed_its_files(tmp_path):
    writer, reader = Store(tmp_path), Store(tmp_path)
    writer.write([rec("tj-a", 2025, {"x": 1.0})])
    stale = reader.manifest()
    writer.write([rec("tj-a", 2025, {"x": 2.0})])  # garbage-collects the files `stale` names
    assert not (reader.dir / stale["values"]["2025"]).exists()
    served = iter([stale])
    real = Store.manifest

    def manifest_then_real(self):
        return next(served, None) or real(self)

    reader.manifest = manifest_then_real.__get__(reader)
    reader._cache.clear()
    got = reader.values(2025)
    assert got["value"].tolist() == [2.0]
    served = iter([stale])
    assert reader.submissions()["version"].tolist() == [1, 2]


def test_missing_file_without_new_manifest_is_a_french_corruption_error(tmp_path):
    store = Store(tmp_path)
    store.write([rec("tj-a", 2025, {"x": 1.0})])
    (store.dir / store.manifest()["values"]["2025"]).unlink()
    with pytest.raises(StoreError, match="a disparu") as info:
        Store(tmp_path).values()
    assert info.value.reason == ReasonCode.STORE_CORRUPT


def test_write_on_a_damaged_store_is_refused_without_change(tmp_path):
    store = Store(tmp_path)
    store.write([rec("tj-a", 2025, {"x": 1.0})])
    year_file = store.dir / store.manifest()["values"]["2025"]
    year_file.write_bytes(b"pas du parquet")
    manifest = store.manifest_path.read_bytes()
    with pytest.raises(StoreError, match="endommagé") as info:
        Store(tmp_path).write([rec("tj-b", 2025, {"x": 2.0})])
    assert info.value.reason == ReasonCode.STORE_CORRUPT
    assert store.manifest_path.read_bytes() == manifest


# ---------------------------------------------------------------------------------- lock
def test_lock_timeout_gives_french_error(tmp_path, monkeypatch):
    store = Store(tmp_path)
    monkeypatch.setattr(store_mod, "LOCK_TIMEOUT_S", 0.2)
    holder = store.lock(timeout=1)
    holder.acquire()
    try:
        with pytest.raises(StoreError, match="verrouillé") as info:
            Store(tmp_path).write([rec("tj-a", 2025, {"x": 1.0})])
        assert info.value.reason == ReasonCode.STORE_LOCKED
    finally:
        holder.release()
    Store(tmp_path).write([rec("tj-a", 2025, {"x": 1.0})])


def _run(args: list[str], **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def test_two_concurrent_writer_processes_both_land(tmp_path):
    root = tmp_path / "d"
    go = tmp_path / "go"
    procs = [_run([str(root), label, "--go", str(go), "--repeat", "3"]) for label in ("A", "B")]
    for p in procs:
        assert p.stdout.readline().strip() == "loaded"  # both imported: start them together
    go.touch()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.split()[-1] == "done"
    store = Store(root)
    subs = store.submissions()
    n_keys = 2 * len(worker.COURTS)
    # 2 processes × 3 writes: 6 versions of every (court, year), none lost, one accepted
    assert len(subs) == 6 * n_keys
    per_key = subs.groupby(["court_id", "year"])
    assert all(sorted(v) == [1, 2, 3, 4, 5, 6] for _, v in per_key["version"])
    assert per_key["status"].apply(lambda s: (s == "accepted").sum()).eq(1).all()
    assert len(store.values()) == n_keys * len(worker.IDS)
    assert len(store.values(current=False)) == 6 * n_keys * len(worker.IDS)


# ---------------------------------------------------------------------------------- atomicity
@pytest.fixture(scope="module")
def kill_setup(tmp_path_factory):
    """A base store (state before), the state after the batch, and the number of file operations."""
    base = tmp_path_factory.mktemp("base")
    Store(base).write(worker.batch("init"))
    before = logical(Store(base))
    after_root = tmp_path_factory.mktemp("after")
    shutil.copytree(base, after_root, dirs_exist_ok=True)
    p = _run([str(after_root), "next", "--count-ops"])
    assert p.stdout.readline().strip() == "loaded"
    assert p.stdout.readline().strip() == "ready"
    t0 = time.perf_counter()
    out, err = p.communicate(timeout=120)
    duration = time.perf_counter() - t0
    assert p.returncode == 0, err
    n_ops = int(out.split()[0])
    after = logical(Store(after_root))
    assert before != after
    return base, before, after, n_ops, duration


def _check_state(root: Path, before: tuple, after: tuple) -> str:
    state = logical(Store(root))
    assert state in (before, after), "store left between two states"
    return "before" if state == before else "after"


def test_sigkill_at_every_file_operation_leaves_before_or_after(kill_setup, tmp_path):
    base, before, after, n_ops, _ = kill_setup
    assert n_ops >= 8  # year files, submissions, manifest, garbage collection

    def one(k: int) -> tuple[int, str]:
        root = tmp_path / f"k{k}"
        shutil.copytree(base, root)
        p = _run([str(root), "next", "--die-after", str(k)])
        p.communicate(timeout=120)
        assert p.returncode == -signal.SIGKILL, k
        return k, _check_state(root, before, after)

    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = dict(pool.map(one, range(1, n_ops + 1)))
    assert set(outcomes.values()) == {"before", "after"}
    # before the manifest rename nothing is visible; after it, everything is
    flips = [outcomes[k] for k in sorted(outcomes)]
    assert flips == sorted(flips, key=lambda s: s == "after")
    # a killed writer leaves the store writable: the next write succeeds and cleans up
    root = tmp_path / "k1"
    Store(root).write([rec("tj-z", 2025, {"x": 1.0})])
    assert not list((root / "store").glob(".*.tmp"))


def test_sigkill_at_random_times_leaves_before_or_after(kill_setup, tmp_path):
    base, before, after, _, duration = kill_setup
    rng = random.Random(20250627)
    results = []
    for i in range(4):
        root = tmp_path / f"r{i}"
        shutil.copytree(base, root)
        p = _run([str(root), "next"])
        assert p.stdout.readline().strip() == "loaded"
        assert p.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 1.2 * duration))
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
        p.communicate(timeout=120)
        results.append(_check_state(root, before, after))
    assert len(results) == 4
    # every store is still writable afterwards
    Store(tmp_path / "r0").write([rec("tj-z", 2025, {"x": 1.0})])
    assert json.loads((tmp_path / "r0" / "store" / "manifest.json").read_text())["format"] == 1
