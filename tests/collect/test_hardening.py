"""Issue 11 on the collection import: bounded refusals (time is in benchmarks/refus_bornes.py, memory here),
confidentiality warnings kept for the report build, full disk and read-only data directory, oversize
refused files archived as a digest, catalogue plausibility validation, formula recomputation."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cpc_toolkit.collect import import_bytes
from cpc_toolkit.collect.archive import ARCHIVE_MAX_BYTES, Archive
from cpc_toolkit.errors import CatalogueError, ReasonCode
from cpc_toolkit.store import Store
from cpc_toolkit.store.receipts import confidentiality_warnings

from .conftest import COURT, YEAR, copy_store, filled_bytes, patch_cell, set_named

ROOT = Path(__file__).resolve().parents[2]
GOOD = f"clpc_{YEAR}_{COURT}.xlsx"
MAX_RSS_MB = 400

_WORKER = r"""
import json, resource, sys, time
from pathlib import Path
from cpc_toolkit.collect import import_bytes
from cpc_toolkit.store import Store
path, root = Path(sys.argv[1]), Path(sys.argv[2])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
out = import_bytes([(path.name, path.read_bytes())], Store(root), progress=False)[0]
# ru_maxrss survives execve (it may report the forking parent's peak): VmHWM is the peak of this process image
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"outcome": out.outcome, "reasons": [p.reason.value for p in out.problems],
                  "report": str(out.error_report), "peak_kb": hwm,
                  "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "ru_maxrss_before_kb": before, "seconds": time.perf_counter() - t0}))
"""


def _import_in_subprocess(tmp_path: Path, data: bytes) -> dict[str, object]:
    path = tmp_path / GOOD
    path.write_bytes(data)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-c", _WORKER, str(path), str(tmp_path / "donnees")], env=env,
                         capture_output=True, text=True, timeout=600, check=False)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("kind", ["bombe_400_Mo", "feuille_1_2_million_cellules"])
def test_refusal_memory_is_bounded(kind: str, tmp_path: Path) -> None:
    """The refusal (error report included) never inflates nor parses the file: peak RSS stays small."""
    from .conftest import sheet_member
    from .hostile_files import big_sheet, lying_bomb

    base = filled_bytes()
    data = lying_bomb(base) if kind.startswith("bombe") else big_sheet(base, sheet_member(base, "Amiable"))
    got = _import_in_subprocess(tmp_path, data)
    assert got["outcome"] == "rejected"
    assert set(got["reasons"]) & {"file_too_large", "file_unreadable"}, got
    assert Path(str(got["report"])).exists()
    assert int(got["peak_kb"]) / 1024 < MAX_RSS_MB, got


def test_name_like_text_warned_and_kept_for_the_report(fresh_store: Store) -> None:
    data = set_named(filled_bytes(), clpc_projets="Rencontre avec M. Dupont et la SARL Boulangerie Martin",
                     clpc_projets__statut=None)
    out = import_bytes([(GOOD, data)], fresh_store, progress=False)[0]
    assert out.outcome == "accepted", [str(p) for p in out.problems]
    conf = [p for p in out.warnings if p.reason == ReasonCode.CONFIDENTIAL]
    assert len(conf) == 2 and all(p.cell == "B16" and p.sheet == "CLPC" for p in conf)
    shown = confidentiality_warnings(fresh_store.root, COURT, YEAR)
    assert len(shown) == 2 and set(shown["submission_id"]) == {out.submission_id}
    assert shown["message"].str.contains("civilité suivie d'un nom").any()
    # a corrected version replaces the previous one: its warnings are no longer shown
    fixed = set_named(filled_bytes(), clpc_projets="Rencontre avec le barreau", clpc_projets__statut=None)
    assert import_bytes([(GOOD, fixed)], fresh_store, progress=False)[0].outcome == "accepted"
    assert confidentiality_warnings(fresh_store.root, COURT, YEAR).empty
    assert len(confidentiality_warnings(fresh_store.root, current_only=False)) == 2


def test_formula_recomputed_when_cached_value_is_right(fresh_store: Store) -> None:
    data = patch_cell(filled_bytes(), "Amiable", "B16", '<c r="B16"><f>SUM(20,22)-(2*3)/3</f><v>40</v></c>')
    out = import_bytes([(GOOD, data)], fresh_store, progress=False)[0]
    assert out.outcome == "accepted", [str(p) for p in out.problems]
    assert not [p for p in out.problems if p.cell == "B16"]
    bad = patch_cell(filled_bytes(), "Amiable", "B16", '<c r="B16"><f>SUM(20,22)-(2*3)/3</f><v>41</v></c>')
    out = import_bytes([(GOOD, bad)], fresh_store, progress=False)[0]
    assert out.outcome == "rejected"
    assert [p.reason for p in out.errors] == [ReasonCode.FORMULA_MISMATCH]


def test_oversize_refused_file_archived_as_digest(fresh_store: Store) -> None:
    data = b"PK\x03\x04" + os.urandom(ARCHIVE_MAX_BYTES + 1024)
    out = import_bytes([(GOOD, data)], fresh_store, progress=False)[0]
    assert out.outcome == "rejected" and out.errors[0].reason == ReasonCode.FILE_TOO_LARGE
    assert out.archive_path is not None and out.archive_path.suffix == ".json"
    meta = json.loads(out.archive_path.read_text(encoding="utf-8"))
    assert meta["sha256"] == out.sha256 and meta["size"] == len(data) and meta["kept"] is False
    size = sum(p.stat().st_size for p in Archive(fresh_store.root).files_dir.rglob("*") if p.is_file())
    assert size < 10_000


def _cli_refused(cli, store: Store, tmp_path: Path) -> tuple[int, str, str]:
    path = tmp_path / GOOD
    path.write_bytes(filled_bytes())
    return cli("--donnees", str(store.root), "importer", str(path), "--sans-progression")


def test_full_disk_is_a_french_error(base_store: Store, tmp_path: Path, cli,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    store = copy_store(base_store, tmp_path / "copie")
    before = store.file_digest()
    real = os.replace

    def full(src: object, dst: object) -> None:
        if str(dst).endswith("manifest.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", full)
    rc, out, err = _cli_refused(cli, store, tmp_path)
    monkeypatch.undo()
    assert rc == 1 and "Traceback" not in out + err
    assert "Espace disque insuffisant" in err and "[disk_full]" in err and "inchangé" in err
    assert store.file_digest() == before


def test_read_only_data_directory_is_a_french_error(base_store: Store, tmp_path: Path, cli,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    store = copy_store(base_store, tmp_path / "copie")
    before = store.file_digest()
    root = str(store.root)
    real_open = os.open

    def read_only(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(path).startswith(root) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only)
    rc, out, err = _cli_refused(cli, store, tmp_path)
    monkeypatch.undo()
    assert rc == 1 and "Traceback" not in out + err, out + err
    assert "n'est pas accessible en écriture" in err and "[read_only]" in err
    assert store.file_digest() == before


def test_catalogue_plausibility_is_validated() -> None:
    from cpc_toolkit import catalogue
    from cpc_toolkit.catalogue import Plausibility, _validate_plausibility

    inds = catalogue.indicators()
    _validate_plausibility(catalogue.plausibility(), inds)  # the shipped catalogue is valid
    with pytest.raises(CatalogueError, match="representable_max"):
        _validate_plausibility(Plausibility(count_max=1e6, representable_max=1e308), inds)
    with pytest.raises(CatalogueError, match="count_max"):
        _validate_plausibility(Plausibility(count_max=0, representable_max=1e15), inds)
    bad = [i for i in inds if i.unit == "text"][:1]
    from dataclasses import replace
    with pytest.raises(CatalogueError, match="plausible_max"):
        _validate_plausibility(catalogue.plausibility(), (replace(bad[0], plausible_max=10.0),))
