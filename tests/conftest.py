"""Shared fixtures. The demo store is built once per test worker (direct write, no workbooks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpc_toolkit.store import Store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A store filled with the calibrated demo inputs (seed 2025). Treat as read-only."""
    from cpc_toolkit.cli.demo import write_demo

    root = tmp_path_factory.mktemp("demo_donnees")
    store = Store(root)
    write_demo(store, 2025)
    return store


@pytest.fixture(scope="session")
def demo_results(demo_store: Store):
    """Engine results (all units, all years) over the demo store."""
    from cpc_toolkit.compute import results

    return results(demo_store)


# ------------------------------------------------------------------ no process survives the test run
# Every pytest process (the controller and each pytest-xdist worker) puts its own mark in the environment
# at configure time; every process the suite starts (cpc, voila, ipykernel, chromium…) inherits the mark of
# the pytest process that started it, and keeps it in /proc/<pid>/environ even once orphaned. At the end,
# workers record and kill their survivors; the controller (or the only process without xdist), after the
# workers are torn down, adds its own survivors and fails the run if there are any.
MARK_VAR = "CPC_TEST_PROCESS_MARK"
SURVIVORS_VAR = "CPC_TEST_SURVIVORS_DIR"
GRACE_S = 8.0


def marked_processes(var: str, value: str, exclude: frozenset[int] = frozenset()) -> dict[int, str]:
    """pid -> command line of the live processes whose initial environment has ``var=value``."""
    import os

    needle = f"{var}={value}".encode()
    out: dict[int, str] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) in exclude:
            continue
        try:
            with open(f"/proc/{entry.name}/environ", "rb") as fh:
                env = fh.read().split(b"\0")
            if needle not in env:
                continue
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[-1].split()
            if fields[0] == b"Z":
                continue  # a zombie: already dead, waiting for its parent to reap it
            with open(f"/proc/{entry.name}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
            if int(fields[1]) == os.getpid() and "multiprocessing.resource_tracker" in cmd:
                continue  # this process's own resource tracker: it exits with this process, by design
        except OSError:  # gone meanwhile, or not ours
            continue
        out[int(entry.name)] = cmd[:200]
    return out


def wait_no_marked_processes(var: str, value: str, timeout: float = GRACE_S,
                             exclude: frozenset[int] = frozenset()) -> dict[int, str]:
    """Poll until no process carries the mark (or the timeout); return the survivors."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        alive = marked_processes(var, value, exclude)
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.2)


def _kill(pids: dict[int, str]) -> None:
    import os
    import signal

    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def pytest_configure(config: pytest.Config) -> None:
    import os
    import tempfile
    import uuid

    if not Path("/proc/self/environ").exists():
        return
    mark = f"{os.getpid()}-{uuid.uuid4().hex[:10]}"
    config.stash[_MARK_KEY] = mark
    os.environ[MARK_VAR] = mark
    if not hasattr(config, "workerinput") and SURVIVORS_VAR not in os.environ:
        os.environ[SURVIVORS_VAR] = tempfile.mkdtemp(prefix="cpc-survivants-")


_MARK_KEY = pytest.StashKey[str]()


@pytest.fixture(autouse=True)
def _no_user_reports(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the checkout's ./reports (a previous `make demo` publication would add a
    « Rectificatif » to reports built by tests): $CPC_RAPPORTS points to an empty folder unless a test
    sets it."""
    import os

    if "CPC_RAPPORTS" not in os.environ:
        monkeypatch.setenv("CPC_RAPPORTS", str(tmp_path_factory.mktemp("rapports-vides")))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    import json
    import os
    import shutil

    config = session.config
    mark = config.stash.get(_MARK_KEY, None)
    if mark is None:
        return
    alive = wait_no_marked_processes(MARK_VAR, mark, exclude=frozenset({os.getpid()}))
    _kill(alive)
    folder = os.environ.get(SURVIVORS_VAR)
    if hasattr(config, "workerinput"):
        if alive and folder:
            Path(folder, f"{mark}.json").write_text(json.dumps({str(k): v for k, v in alive.items()}))
        return
    survivors = dict(alive)
    if folder and Path(folder).is_dir():
        for f in Path(folder).glob("*.json"):
            survivors.update({int(k): v for k, v in json.loads(f.read_text()).items()})
        shutil.rmtree(folder, ignore_errors=True)
    if survivors:
        lines = "\n".join(f"  pid {pid} : {cmd}" for pid, cmd in sorted(survivors.items()))
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        text = (f"{len(survivors)} processus lancé(s) par les tests ont survécu à la session (tués maintenant) :"
                f"\n{lines}")
        if reporter is not None:
            reporter.write_line(text, red=True)
        else:
            print(text)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


class OrphanProbe:
    """An environment mark to give subprocesses, and who still carries it."""

    var = "CPC_TEST_ORPHAN_PROBE"

    def __init__(self) -> None:
        import uuid

        self.value = uuid.uuid4().hex

    @property
    def env(self) -> dict[str, str]:
        return {self.var: self.value}

    def alive(self) -> dict[int, str]:
        return marked_processes(self.var, self.value)

    def survivors(self, timeout: float = GRACE_S) -> dict[int, str]:
        """Processes still carrying the mark after ``timeout`` seconds (killed before returning)."""
        alive = wait_no_marked_processes(self.var, self.value, timeout)
        _kill(alive)
        return alive


@pytest.fixture
def orphan_probe() -> OrphanProbe:
    return OrphanProbe()
