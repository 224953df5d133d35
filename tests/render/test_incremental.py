"""Incremental campaign: a report is rebuilt when its own figures or its comparison points move."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from cpc_toolkit import reference
from cpc_toolkit.render import campaign
from cpc_toolkit.store import Store, SubmissionRecord

YEAR = 2025
STAMP = re.compile(r"édité le|stamp", re.I)  # build date / stamp lines differ between two builds


def _resubmit(root: Path, court: str, bump: float) -> None:
    store = Store(root)
    vals = store.values(YEAR, [court])[["indicator_id", "value", "text", "status"]]
    vals.loc[vals["indicator_id"] == "act_cg_entrees", "value"] += bump
    store.write([SubmissionRecord(court, YEAR, "classeur", vals, demo=True, file_name=f"v{bump}")])


def _copy(render_donnees: Path, dest: Path) -> Path:
    shutil.copytree(render_donnees / "store", dest / "store")
    return dest


def test_comparison_points_are_in_the_fingerprint(render_donnees, tmp_path):
    """A resubmission that moves the national values changes every report that shows them; one that
    leaves every consolidated value as it was only changes the reports reading the court's slice."""
    root = _copy(render_donnees, tmp_path / "donnees")
    jobs = campaign.plan(YEAR)
    court = reference.courts_of_cour("ca-lyon")[0]
    other = next(j.id for j in jobs if j.kind == "clpc" and reference.cour_of(j.unit_id) != "ca-lyon")
    before = campaign.fingerprints(Store(root), jobs)
    _resubmit(root, court, 0)  # same values, new submission
    same = campaign.fingerprints(Store(root), jobs)
    assert sorted(k for k in before if before[k] != same[k]) == sorted(
        [f"clpc/{court}", "cours/ca-lyon", "national/national"])
    _resubmit(root, court, 7)  # the national count moves: every CLPC and cour report shows it
    moved = campaign.fingerprints(Store(root), jobs)
    assert moved[other] != same[other]
    assert all(moved[k] != same[k] for k in moved)


def test_incremental_run_equals_a_full_rebuild_after_one_resubmission(render_donnees, tmp_path):
    root = _copy(render_donnees, tmp_path / "donnees")
    cour = "ca-agen"
    changed = reference.courts_of_cour(cour)[0]
    units = [reference.NATIONAL, cour, changed, reference.courts_of_cour(cour)[1],
             reference.courts_of_cour("ca-lyon")[0]]
    sel = campaign.plan(YEAR, units=units)
    inc, full = tmp_path / "incremental", tmp_path / "complet"
    first = campaign.run_campaign(YEAR, root, inc, jobs=2, selection=sel)
    assert len(first.built) == len(sel)
    # the full rebuild compares with the same previous publication (same rectificatifs)
    (full / str(YEAR)).mkdir(parents=True)
    for name in ("publication.parquet", "publication.json"):
        if (inc / str(YEAR) / name).exists():
            shutil.copy(inc / str(YEAR) / name, full / str(YEAR) / name)
    _resubmit(root, changed, 5)
    again = campaign.run_campaign(YEAR, root, inc, jobs=2, selection=sel)
    assert not again.failures
    lyon = f"clpc/{reference.courts_of_cour('ca-lyon')[0]}"
    assert lyon in {o.job_id for o in again.built}  # another cour's report: its national points moved
    rebuilt = campaign.run_campaign(YEAR, root, full, jobs=2, selection=sel, force=True)
    assert len(rebuilt.built) == len(sel)
    for job in sel:
        a = job.path(inc, "html").read_text(encoding="utf-8").splitlines()
        b = job.path(full, "html").read_text(encoding="utf-8").splitlines()
        assert [x for x in a if not STAMP.search(x)] == [x for x in b if not STAMP.search(x)], job.id
