"""Nothing lost, as in Collecte: ``kill -9`` at every write point of an import leaves the committed
register byte-identical to before or equal to after; concurrent imports (processes) all land."""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from cpc_toolkit.remontees.importer import import_file
from cpc_toolkit.remontees.store import RemonteesStore

WORKER = Path(__file__).with_name("_import_worker.py")
MAX_POINTS = 9  # more than the os.replace calls of one import (archive, 3 tables, manifest, receipt)


def _run(donnees: Path, file: Path, *kill: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(WORKER), str(donnees), str(file), *kill], capture_output=True,
                          text=True, timeout=300)


def _logical(store: RemonteesStore) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The register's content, without reception times (they differ between two runs)."""
    subs = store.submissions().drop(columns=["received_at"]).sort_values("submission_id", ignore_index=True)
    return (subs, store.cases(current=False).sort_values(["submission_id", "case_id"], ignore_index=True),
            store.events(current=False).sort_values(["submission_id", "case_id"], ignore_index=True))


def _same(a: tuple[pd.DataFrame, ...], b: tuple[pd.DataFrame, ...]) -> bool:
    try:
        for x, y in zip(a, b, strict=True):
            pd.testing.assert_frame_equal(x, y, check_dtype=False)
    except AssertionError:
        return False
    return True


def test_kill_9_at_every_write_point_leaves_before_or_after(tmp_path, h):
    base = tmp_path / "base"
    store = RemonteesStore(base)
    for cour, cases in (("ca-lyon", [h.BASE_CASE]), ("ca-paris", [{**h.BASE_CASE, "Juridiction saisie": "tae-paris"}])):
        res = import_file(h.write(tmp_path, f"{cour}.xlsx", h.fill(cour, 2025, cases)), store, today=h.TODAY)
        assert res.outcome == "accepte"
    # the parquet général sends a corrected workbook: version 2 of ca-lyon 2025 (supersedes v1)
    v2 = h.write(tmp_path, "remontees_2025_ca-lyon_v2.xlsx", h.fill("ca-lyon", 2025, [
        {**h.BASE_CASE, "Dénomination de l'entreprise": "Entreprise Corrigée (fictive)", "Effectif salarié": 640},
        {**h.BASE_CASE, "Juridiction saisie": "tj-saint-etienne", "Date du signalement": dt.datetime(2025, 6, 2)}]))
    before = store.file_digest()
    assert before
    # reference "after": the same import, not interrupted
    ref_dir = tmp_path / "reference"
    shutil.copytree(base, ref_dir)
    done = _run(ref_dir, v2)
    assert done.returncode == 0 and done.stdout.startswith("accepte ca-lyon 2025 2"), done.stderr
    after = _logical(RemonteesStore(ref_dir))
    assert not _same(after, _logical(store))

    points = [(k, when) for k in range(1, MAX_POINTS + 1) for when in ("before", "after")]
    dirs = {p: tmp_path / f"kill-{p[0]}-{p[1]}" for p in points}
    for d in dirs.values():
        shutil.copytree(base, d)
    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = dict(zip(points, pool.map(lambda p: _run(dirs[p], v2, str(p[0]), p[1]), points), strict=True))
    killed = sorted({k for (k, _w), r in runs.items() if r.returncode == -signal.SIGKILL})
    assert killed == list(range(1, len(killed) + 1)) and 5 <= len(killed) < MAX_POINTS, \
        {p: (r.returncode, r.stderr[-300:]) for p, r in runs.items()}
    states = set()
    for p, r in runs.items():
        if r.returncode != -signal.SIGKILL:
            assert r.returncode == 0, r.stderr  # a point past the last write: the import completed
            continue
        st = RemonteesStore(dirs[p])
        if st.file_digest() == before:
            states.add("before")
            # no receipt may claim an acceptance that did not happen
            assert "accepted" not in set(st.receipts().query("file_name == @v2.name")["outcome"])
            # and a new import then completes, removing what the interrupted commit left behind
            again = _run(dirs[p], v2)
            assert again.returncode == 0, again.stderr
            named = {v for k, v in st.manifest().items() if k != "tag"}
            assert {f.name for f in dirs[p].glob("confidentiel/remontees/*.parquet")} == named
        else:
            states.add("after")
            assert _same(_logical(st), after), p
    assert states == {"before", "after"}


def test_concurrent_imports_of_different_workbooks_all_land(tmp_path, h):
    donnees = tmp_path / "donnees"
    files = {cour: h.write(tmp_path, f"remontees_2025_{cour}.xlsx", h.fill(cour, 2025, [
        {**h.BASE_CASE, "Juridiction saisie": jur, "Dénomination de l'entreprise": f"Entreprise {cour} (fictive)"}]))
        for cour, jur in (("ca-lyon", "tae-lyon"), ("ca-paris", "tae-paris"), ("ca-douai", "tj-lille"))}
    procs = [subprocess.Popen([sys.executable, str(WORKER), str(donnees), str(f)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for f in files.values()]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    store = RemonteesStore(donnees)
    subs = store.submissions()
    assert sorted(subs["cour_id"]) == sorted(files) and set(subs["status"]) == {"accepted"}
    assert set(subs["version"]) == {1}
    cases = store.cases()
    assert sorted(cases["denomination"]) == sorted(f"Entreprise {c} (fictive)" for c in files)
    rec = store.receipts()
    assert sorted(rec["court_id"]) == sorted(files) and set(rec["outcome"]) == {"accepted"}
    assert set(rec["submission_id"]) == set(subs["submission_id"])
