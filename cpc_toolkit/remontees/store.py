"""Confidential store of the remontées register, separate from the indicator store.

Layout (every directory 0700, every file 0600)::

    <donnees>/confidentiel/remontees/
        manifest.json                 commit point (atomic rename): names the current files
        submissions-<tag>.parquet     one row per accepted workbook version (cour, year, version, sha256…)
        cases-<tag>.parquet           case rows of every version (submission_id column)
        events-<tag>.parquet          follow-up events of every version
        archive/fichiers/<sha[:2]>/<sha256>.<ext>   every received file, byte-for-byte (Collecte's Archive)
        archive/recus/<time>_<batch>.jsonl           one receipt per reception (outcome, counts)
        erreurs/                      error reports of rejected workbooks
        .lock                         serialises writers

An import archives the bytes, writes new table files, then replaces ``manifest.json`` (the commit
point), then writes its receipt; a crash or ``kill -9`` before the rename leaves the previous manifest
— and so the committed register — in force (unnamed table files it may leave are invisible and removed
by the next commit). Importing the bytes of the current version of a (cour, year) again changes
nothing in the register; it only leaves a ``duplicate`` receipt (Collecte's receipt format).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock

from cpc_toolkit.errors import ReasonCode, StoreError
from cpc_toolkit.files import FILE_MODE, private_dir, write_private
from cpc_toolkit.remontees.model import CASE_COLUMNS, EVENT_COLUMNS
from cpc_toolkit.remontees.secure import confidential_root

SUBMISSION_COLUMNS = ["submission_id", "cour_id", "year", "version", "sha256", "file_name", "received_at",
                      "status", "n_cases", "n_events", "n_warnings", "demo"]
LOCK_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Commit:
    """Outcome of :meth:`RemonteesStore.commit`."""

    submission_id: str
    version: int
    noop: bool


class RemonteesStore:
    """Handle on the confidential register of one data directory."""

    def __init__(self, donnees: Path) -> None:
        self.donnees = Path(donnees)
        self.top = confidential_root(self.donnees)
        self.base = self.top / "remontees"
        self.archive_dir = self.base / "archive"
        self.errors_dir = self.base / "erreurs"

    # ------------------------------------------------------------------ paths
    @property
    def manifest_path(self) -> Path:
        return self.base / "manifest.json"

    def ensure(self) -> None:
        """Create the confidential folders with owner-only modes."""
        private_dir(self.base, top=self.top)
        private_dir(self.archive_dir / "recus", top=self.top)
        private_dir(self.errors_dir, top=self.top)

    def lock(self, timeout: float = LOCK_TIMEOUT_S) -> FileLock:
        self.ensure()
        return FileLock(str(self.base / ".lock"), timeout=timeout, mode=FILE_MODE)

    def exists(self) -> bool:
        return self.manifest_path.exists()

    # ------------------------------------------------------------------ reads
    def manifest(self) -> dict[str, Any]:
        try:
            text = self.manifest_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise StoreError(f"Le manifeste du registre des remontées est illisible : {self.manifest_path}.",
                             ReasonCode.STORE_CORRUPT) from exc

    def _read(self, man: dict[str, Any], key: str, columns: list[str]) -> pd.DataFrame:
        name = man.get(key)
        if not name:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in [*columns, "submission_id"]})
        try:
            return pd.read_parquet(self.base / name)
        except (OSError, ValueError) as exc:
            raise StoreError(f"Fichier du registre des remontées illisible : {name}.",
                             ReasonCode.STORE_CORRUPT) from exc

    def submissions(self, include_superseded: bool = True) -> pd.DataFrame:
        """Accepted workbook versions; ``status`` is ``accepted`` (current) or ``superseded``."""
        df = self._read(self.manifest(), "submissions", SUBMISSION_COLUMNS)
        if not include_superseded:
            df = df[df["status"] == "accepted"]
        return df.reset_index(drop=True)

    def cases(self, year: int | None = None, cour: str | None = None, current: bool = True) -> pd.DataFrame:
        """Signalements (current versions by default), optionally of one year (of signalling) and cour."""
        return self._rows("cases", CASE_COLUMNS, year, cour, current)

    def events(self, year: int | None = None, cour: str | None = None, current: bool = True) -> pd.DataFrame:
        """Follow-up events of the signalements."""
        return self._rows("events", EVENT_COLUMNS, year, cour, current)

    def _rows(self, key: str, columns: list[str], year: int | None, cour: str | None,
              current: bool) -> pd.DataFrame:
        man = self.manifest()
        df = self._read(man, key, columns)
        if current and len(df):
            subs = self._read(man, "submissions", SUBMISSION_COLUMNS)
            live = set(subs.loc[subs["status"] == "accepted", "submission_id"])
            df = df[df["submission_id"].isin(live)]
        if year is not None:
            df = df[df["year"] == int(year)]
        if cour is not None:
            df = df[df["cour_id"] == cour]
        return df.reset_index(drop=True)

    def current_sha(self, cour: str, year: int) -> str | None:
        subs = self.submissions(include_superseded=False)
        hit = subs[(subs["cour_id"] == cour) & (subs["year"] == int(year))]
        return str(hit["sha256"].iloc[0]) if len(hit) else None

    def known_current_shas(self) -> dict[str, tuple[str, int, int]]:
        """sha256 → (cour, year, version) of every current version."""
        subs = self.submissions(include_superseded=False)
        return {s: (c, int(y), int(v)) for s, c, y, v in
                zip(subs["sha256"], subs["cour_id"], subs["year"], subs["version"], strict=True)}

    def file_digest(self) -> dict[str, bytes]:
        """Bytes of the committed register: ``manifest.json`` and every file it names (not the archive,
        nor table files of an interrupted commit that no manifest names) — tests compare them."""
        man = self.manifest()
        if not man:
            return {}
        out = {self.manifest_path.name: self.manifest_path.read_bytes()}
        for key, name in sorted(man.items()):
            if key != "tag":
                path = self.base / name
                out[name] = path.read_bytes() if path.exists() else b"<absent>"
        return out

    # ------------------------------------------------------------------ writes
    def keep(self, data: bytes, sha256: str, file_name: str) -> Path:
        """Archive the received bytes, once per sha256, durably (before anything refers to them)."""
        from cpc_toolkit.collect.archive import Archive
        from cpc_toolkit.files import lock_down, owner_only_umask

        self.ensure()
        with owner_only_umask():
            blob = Archive(self.base).keep(data, file_name, sha256)
        lock_down(self.archive_dir)
        return blob

    def write_receipt(self, receipt: dict[str, Any]) -> Path:
        """Record one reception in Collecte's receipt format (``archive/recus/*.jsonl``, 0600)."""
        from cpc_toolkit.collect.archive import Archive
        from cpc_toolkit.files import lock_down, owner_only_umask

        self.ensure()
        with owner_only_umask():
            path = Archive(self.base).write_receipts([receipt])
        lock_down(self.archive_dir)
        return path

    def receipts(self) -> pd.DataFrame:
        """Every reception (accepted, rejected, duplicate), oldest first."""
        from cpc_toolkit.collect.archive import Archive

        return Archive(self.base).receipts()

    def commit(self, cour: str, year: int, cases: pd.DataFrame, events: pd.DataFrame, sha256: str,
               file_name: str, n_warnings: int = 0, demo: bool = False,
               received_at: str | None = None) -> Commit:
        """Make (cases, events) the current version for (cour, year); same bytes as current → no-op."""
        received_at = received_at or dt.datetime.now().astimezone().isoformat(timespec="seconds")
        with self.lock():
            if self.current_sha(cour, year) == sha256:
                subs = self.submissions(include_superseded=False)
                hit = subs[(subs["cour_id"] == cour) & (subs["year"] == int(year))].iloc[0]
                return Commit(str(hit["submission_id"]), int(hit["version"]), noop=True)
            man = self.manifest()
            subs = self._read(man, "submissions", SUBMISSION_COLUMNS)
            all_cases = self._read(man, "cases", CASE_COLUMNS)
            all_events = self._read(man, "events", EVENT_COLUMNS)
            same = (subs["cour_id"] == cour) & (subs["year"] == int(year)) if len(subs) else None
            version = int(subs.loc[same, "version"].max()) + 1 if same is not None and same.any() else 1
            sid = f"{cour}-{int(year)}-v{version}-{sha256[:8]}"
            if same is not None and same.any():
                subs = subs.copy()
                subs.loc[same, "status"] = "superseded"
            new_sub = pd.DataFrame([{
                "submission_id": sid, "cour_id": cour, "year": int(year), "version": version,
                "sha256": sha256, "file_name": file_name, "received_at": received_at, "status": "accepted",
                "n_cases": len(cases), "n_events": len(events), "n_warnings": int(n_warnings),
                "demo": bool(demo)}])
            subs = pd.concat([subs, new_sub], ignore_index=True) if len(subs) else new_sub
            all_cases = _concat(all_cases, cases.assign(submission_id=sid))
            all_events = _concat(all_events, events.assign(submission_id=sid))
            tag = dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
            names = {"submissions": f"submissions-{tag}.parquet", "cases": f"cases-{tag}.parquet",
                     "events": f"events-{tag}.parquet"}
            for key, frame in (("submissions", subs), ("cases", all_cases), ("events", all_events)):
                write_private(self.base / names[key], _parquet_bytes(frame))
            new_man = {"tag": tag, **names}
            write_private(self.manifest_path, json.dumps(new_man, indent=1).encode("utf-8"))
            self._garbage_collect(new_man)
            return Commit(sid, version, noop=False)

    def _garbage_collect(self, man: dict[str, Any]) -> None:
        keep = {v for k, v in man.items() if k != "tag"}
        for p in self.base.glob("*.parquet"):
            if p.name not in keep:
                p.unlink(missing_ok=True)


def _concat(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    if not len(old):
        return new.reset_index(drop=True)
    if not len(new):
        return old.reset_index(drop=True)
    return pd.concat([old, new], ignore_index=True)


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def open_remontees(donnees: Path | None = None) -> RemonteesStore:
    """The confidential register of ``--donnees`` / ``$CPC_DONNEES`` / ``./donnees``."""
    from cpc_toolkit.settings import data_dir

    return RemonteesStore(data_dir(donnees))
