"""Nothing lost: archive byte for byte with receipts, duplicates are no-ops, resubmissions supersede
(history kept), `cpc depots`, kill -9 mid-import, concurrent imports, crash during the commit."""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cpc_toolkit import catalogue, reference
from cpc_toolkit.collect import Archive, completeness, import_bytes, versions
from cpc_toolkit.errors import ReasonCode, StoreError
from cpc_toolkit.store import Store

from .conftest import COURT, YEAR, filled_bytes, set_named

ROOT = Path(__file__).resolve().parents[2]


def _state(store: Store) -> tuple[bytes, frozenset[str]]:
    """The logical state: the manifest bytes and the submission ids it names."""
    man = store.manifest_path.read_bytes() if store.manifest_path.exists() else b""
    subs = frozenset(Store(store.root).submissions()["submission_id"]) if man else frozenset()
    return man, subs


def test_archive_receipts_and_duplicates(fresh_store: Store, cli) -> None:
    good = filled_bytes()
    bad = set_named(good, act_cg_entrees=-1)
    out = import_bytes([("clpc_2025_tj-lyon.xlsx", good), ("mauvais.xlsx", bad)], fresh_store, progress=False)
    assert [o.outcome for o in out] == ["accepted", "rejected"]
    for o, data in zip(out, (good, bad), strict=True):
        assert o.archive_path is not None and o.archive_path.read_bytes() == data
        assert o.sha256 == hashlib.sha256(data).hexdigest() and o.sha256 in o.archive_path.name
    rec = Archive(fresh_store.root).receipts()
    assert list(rec["outcome"]) == ["accepted", "rejected"]
    assert list(rec["sha256"]) == [o.sha256 for o in out]
    assert rec["received_at"].notna().all() and (rec["size"] == [len(good), len(bad)]).all()
    full = Archive(fresh_store.root).receipt(rec["receipt_id"].iloc[1])
    assert full["problems"][0]["reason"] == "range" and full["problems"][0]["cell"] == "B5"
    assert Path(rec["error_report"].iloc[1]).exists()
    # the same bytes again: a no-op for the store (exit 0), recorded as a duplicate reception
    before = fresh_store.file_digest()
    path = fresh_store.root.parent / "clpc_2025_tj-lyon.xlsx"
    path.write_bytes(good)
    rc, stdout, _ = cli("--donnees", str(fresh_store.root), "importer", str(path), "--sans-progression")
    assert rc == 0 and "déjà reçu" in stdout
    assert fresh_store.file_digest() == before
    assert list(Archive(fresh_store.root).receipts()["outcome"]) == ["accepted", "rejected", "duplicate"]


def test_resubmission_supersedes_and_depots(fresh_store: Store, cli) -> None:
    v1 = filled_bytes()
    v2 = set_named(v1, ami_conciliateurs_actifs=77)
    other = filled_bytes("tj-paris", YEAR)
    import_bytes([("clpc_2025_tj-lyon.xlsx", v1), ("clpc_2025_tj-paris.xlsx", other)], fresh_store, progress=False)
    out = import_bytes([("clpc_2025_tj-lyon.xlsx", v2)], fresh_store, progress=False)
    assert out[0].outcome == "accepted"
    hist = versions(fresh_store, court_id=COURT, year=YEAR)
    assert list(hist["version"]) == [1, 2] and list(hist["status"]) == ["superseded", "accepted"]
    cur = fresh_store.court_year(COURT, YEAR).set_index("indicator_id")
    assert cur.loc["ami_conciliateurs_actifs", "value"] == 77
    allv = fresh_store.values(YEAR, [COURT], current=False)
    assert allv["submission_id"].nunique() == 2
    comp = completeness(fresh_store, YEAR)
    assert len(comp) == len(reference.first_instance_courts()) == 168
    assert set(comp.loc[comp["submitted"], "court_id"]) == {COURT, "tj-paris"}
    rc, stdout, _ = cli("--donnees", str(fresh_store.root), "depots", "--annee", str(YEAR))
    assert rc == 0
    assert "2/168 juridictions" in stdout and "N'ont pas encore transmis (166)" in stdout
    assert "tj-marseille" in stdout and "remplacée" in stdout and "en vigueur" in stdout
    rc, stdout, _ = cli("--donnees", str(fresh_store.root), "depots", "--juridiction", COURT)
    assert rc == 0 and stdout.count(COURT) >= 2 and "Complétude" not in stdout
    rc, stdout, _ = cli("--donnees", str(fresh_store.root), "depots", "--annee", str(YEAR), "--cour",
                        reference.cour_of(COURT))
    n = len(reference.courts_of_cour(reference.cour_of(COURT)))
    assert rc == 0 and f"1/{n} juridictions" in stdout


def _write_batch(folder: Path, courts: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for c in courts:
        p = folder / f"clpc_{YEAR}_{c}.xlsx"
        p.write_bytes(filled_bytes(c, YEAR))
        paths.append(p)
    return paths


def _cpc(data: Path, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "CPC_DONNEES"} | (extra_env or {})
    return subprocess.Popen([sys.executable, "-m", "cpc_toolkit", "--donnees", str(data), *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_kill_9_mid_import_leaves_store_before_or_after(tmp_path: Path) -> None:
    courts = list(reference.first_instance_courts()["court_id"])[:16]
    paths = _write_batch(tmp_path / "lot", courts)
    data = tmp_path / "donnees"
    store = Store(data)
    import_bytes([("clpc_2024_tj-lyon.xlsx", filled_bytes(COURT, 2024))], store, progress=False)
    before = _state(store)
    n_after = 1 + len(courts)
    outcomes = set()
    for delay in (0.5, 2.0, 4.0, 7.0):
        proc = _cpc(data, "importer", *map(str, paths), "--sans-progression")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        man, subs = _state(store)
        fresh = Store(data)
        if (man, subs) == before:
            outcomes.add("before")
        else:
            # after: every file of the batch landed, in one commit, and the store reads back whole
            assert len(subs) == n_after, "partial commit"
            assert len(_inputs(fresh.values(YEAR))) == 16 * len(catalogue.input_indicators())
            outcomes.add("after")
            break
    assert outcomes <= {"before", "after"} and outcomes
    # whatever happened, a new import completes and the store is consistent
    proc = _cpc(data, "importer", *map(str, paths), "--sans-progression")
    assert proc.wait(timeout=600) == 0
    final = Store(data)
    assert len(final.submissions(include_superseded=False)) == 17
    assert len(_inputs(final.values(YEAR))) == 16 * len(catalogue.input_indicators())


def test_two_imports_at_the_same_time_both_land(tmp_path: Path) -> None:
    courts = list(reference.first_instance_courts()["court_id"])[20:26]
    a = _write_batch(tmp_path / "a", courts[:3])
    b = _write_batch(tmp_path / "b", courts[3:])
    data = tmp_path / "donnees"
    p1 = _cpc(data, "importer", *map(str, a), "--sans-progression")
    p2 = _cpc(data, "importer", *map(str, b), "--sans-progression")
    assert p1.wait(timeout=600) == 0 and p2.wait(timeout=600) == 0, (p1.stderr.read(), p2.stderr.read())  # type: ignore[union-attr]
    store = Store(data)
    subs = store.submissions(include_superseded=False)
    assert set(subs["court_id"]) == set(courts)
    assert len(Archive(data).receipts()) == 6


def test_kill_9_of_importer_leaves_no_orphan_worker(tmp_path: Path, orphan_probe) -> None:
    """The validation workers (a process pool for 12 files or more) die with ``cpc importer``."""
    courts = list(reference.first_instance_courts()["court_id"])[:14]
    paths = _write_batch(tmp_path / "lot", courts)
    proc = _cpc(tmp_path / "donnees", "importer", *map(str, paths), "--sans-progression", "--processus", "2",
                extra_env=orphan_probe.env)
    deadline = time.monotonic() + 120
    while len(orphan_probe.alive()) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # wait for the pool: the importer and its two workers
    assert proc.poll() is None and len(orphan_probe.alive()) >= 3, "the worker pool never started"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert orphan_probe.survivors() == {}


def test_crash_during_commit_leaves_store_unchanged(fresh_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import_bytes([("clpc_2024_tj-lyon.xlsx", filled_bytes(COURT, 2024))], fresh_store, progress=False)
    before = fresh_store.file_digest()
    state = _state(fresh_store)
    real = os.replace

    def boom(src: object, dst: object) -> None:
        if str(dst).endswith("manifest.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(StoreError) as caught:
        import_bytes([("clpc_2025_tj-lyon.xlsx", filled_bytes())], fresh_store, progress=False)
    monkeypatch.undo()
    assert caught.value.reason == ReasonCode.DISK_FULL and "Espace disque insuffisant" in caught.value.message
    assert _state(fresh_store) == state
    after = {k: v for k, v in fresh_store.file_digest().items() if "manifest" in k or k in before}
    assert after == {k: v for k, v in before.items()}


def _inputs(values):
    """Rows of input indicators (the « Compte rendu » lists of a conseil held come on top)."""
    return values[values["indicator_id"].isin([i.id for i in catalogue.input_indicators()])]
