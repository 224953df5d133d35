"""A killed campaign leaves no process behind and resumes where it stopped; two campaigns never
write the same output folder at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from filelock import FileLock

from cpc_toolkit import reference
from cpc_toolkit.errors import UsageError
from cpc_toolkit.render import campaign

YEAR = 2025
COUR = "ca-agen"  # as in conftest.py


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie is dead (waiting for its reaper)


SCRIPT = textwrap.dedent("""\
    import json, os, signal, sys
    from pathlib import Path

    from cpc_toolkit.render import campaign

    def descendants(pid):
        tree = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                tree.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
        out, todo = [], [pid]
        while todo:
            for child in tree.get(todo.pop(), []):
                out.append(child)
                todo.append(child)
        return out

    if __name__ == "__main__":
        donnees, out, pids_file, courts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
        formats = tuple(sys.argv[5].split(","))
        done = []

        def progress(o):
            done.append(o)
            if len([d for d in done if d.status == "ok"]) == 2:  # kill -9 in the middle of the campaign
                procs = []
                for pid in [os.getpid(), *descendants(os.getpid())]:
                    try:
                        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\\0", b" ").decode()
                    except OSError:
                        cmd = ""
                    procs.append([pid, cmd])
                Path(pids_file).write_text(json.dumps(procs))
                os.kill(os.getpid(), signal.SIGKILL)

        sel = [campaign.Job("clpc", c, 2025) for c in courts]
        campaign.run_campaign(2025, donnees, out, jobs=2, formats=formats, selection=sel, progress=progress)
    """)


def _kill_campaign(render_donnees: Path, tmp: Path, formats: str) -> tuple[Path, list, list[str]]:
    """A campaign of the CLPC reports of the cour d'Agen, killed with SIGKILL after two reports."""
    script, out, pids = tmp / "campagne.py", tmp / "out", tmp / "pids.json"
    script.write_text(SCRIPT, encoding="utf-8")
    courts = reference.courts_of_cour(COUR)
    assert len(courts) >= 3
    log = tmp / "stderr.txt"
    with open(log, "wb") as err:  # files, not pipes: an orphan holding a pipe would block run() itself
        proc = subprocess.run([sys.executable, str(script), str(render_donnees), str(out), str(pids),
                               ",".join(courts), formats], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=err, timeout=900, env={**os.environ})
    assert proc.returncode == -9, log.read_text(encoding="utf-8", errors="replace")[-2000:]
    return out, json.loads(pids.read_text()), courts


def _all_die(procs: list) -> bool:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(_alive(p) for p, _ in procs):
        time.sleep(0.5)
    return not [p for p in procs if _alive(p[0])]


@pytest.fixture(scope="module")
def killed_campaign(render_donnees, tmp_path_factory):
    return _kill_campaign(render_donnees, tmp_path_factory.mktemp("killed"), "html")


def test_workers_die_with_a_killed_campaign(killed_campaign):
    _, (campaign_proc, *procs), _ = killed_campaign
    pids = [p for p, _ in procs]
    # forked workers carry the campaign's command line, spawned ones multiprocessing's
    workers = [p for p, cmd in procs if "multiprocessing.spawn" in cmd or cmd == campaign_proc[1]]
    assert len(workers) == 2 and pids, procs  # the 2 workers were running (the notebooks execute in them)
    assert _all_die(procs), "processus orphelins après kill -9 de la campagne"


def test_chromium_dies_with_a_killed_pdf_campaign(render_donnees, tmp_path):
    """With PDFs, the campaign's Chromium (and Playwright's driver) die with it too."""
    _, (_, *procs), _ = _kill_campaign(render_donnees, tmp_path, "html,pdf")
    assert [p for p, cmd in procs if "chrom" in cmd], procs
    assert _all_die(procs), "processus orphelins après kill -9 de la campagne"


def test_a_killed_campaign_resumes_where_it_stopped(killed_campaign, render_donnees):
    out, _, courts = killed_campaign
    manifest = json.loads((out / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))
    finished = sorted(k for k, r in manifest["reports"].items() if r["status"] == "ok")
    assert len(finished) >= 2  # recorded as they finished, not only at the end
    assert all((out / str(YEAR) / manifest["reports"][k]["files"]["html"]).exists() for k in finished)
    sel = [campaign.Job("clpc", c, YEAR) for c in courts]
    again = campaign.run_campaign(YEAR, render_donnees, out, jobs=1, formats=("html",), selection=sel)
    assert sorted(o.job_id for o in again.skipped) == finished  # the lock died with the killed campaign
    assert len(again.built) == len(courts) - len(finished) and not again.failures


def test_a_second_campaign_on_the_same_output_is_refused_in_french(render_donnees, tmp_path):
    year_dir = tmp_path / "out" / str(YEAR)
    year_dir.mkdir(parents=True)
    sel = [campaign.Job("clpc", reference.courts_of_cour(COUR)[0], YEAR)]
    with FileLock(str(year_dir / campaign.LOCK)):  # another campaign holds the folder
        with pytest.raises(UsageError) as exc:
            campaign.run_campaign(YEAR, render_donnees, tmp_path / "out", jobs=1, formats=("html",), selection=sel)
        assert "Une autre campagne" in exc.value.message and str(year_dir) in exc.value.message
        with pytest.raises(UsageError, match="Une autre campagne"):
            campaign.build_report("clpc", sel[0].unit_id, YEAR, render_donnees, tmp_path / "out", ("html",))
    assert not (year_dir / "manifest.json").exists()  # nothing was written while the lock was held
