"""Validated store: a tidy long table of indicator values persisted as Parquet.

Layout of a data directory (default ``./donnees``)::

    store/manifest.json              the commit point: names the current files (atomic rename)
    store/values-<year>-<tag>.parquet   all value rows of a year (every submission version),
                                     sorted by court, one row group per court
    store/submissions-<tag>.parquet  one row per accepted submission (versions, supersession)
    store/.lock                      serialises writers (readers never block)
    archive/                         received files, byte-for-byte (managed by `collect`)

Every write builds new files, then atomically replaces ``manifest.json`` (temp file + rename);
a crash at any point leaves the previous manifest, hence the previous state, in force. Readers
load one consistent snapshot through the manifest. Current values are the rows of the latest
accepted submission per (court, year, channel); superseded versions stay in the history.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from cpc_toolkit.errors import ReasonCode, StoreError
from cpc_toolkit.settings import data_dir

__all__ = [
    "STATUSES",
    "SUBMISSION_COLUMNS",
    "VALUE_COLUMNS",
    "Store",
    "SubmissionRecord",
    "atomic_write_bytes",
    "open_store",
]

STATUSES = ("ok", "NA", "NAP", "NQ")
STATUS_LABELS = {"ok": "renseigné", "NA": "non disponible", "NAP": "non applicable",
                 "NQ": "fourni, qualité en cours de vérification"}
VALUE_COLUMNS = ["court_id", "year", "indicator_id", "value", "text", "status", "submission_id"]
SUBMISSION_COLUMNS = [
    "submission_id", "court_id", "year", "channel", "version", "sha256", "file_name",
    "received_at", "status", "n_values", "n_warnings", "demo",
]
_VALUE_SCHEMA = pa.schema([
    ("court_id", pa.string()), ("year", pa.int32()), ("indicator_id", pa.string()),
    ("value", pa.float64()), ("text", pa.string()), ("status", pa.string()),
    ("submission_id", pa.string()),
])
_SUB_SCHEMA = pa.schema([
    ("submission_id", pa.string()), ("court_id", pa.string()), ("year", pa.int32()),
    ("channel", pa.string()), ("version", pa.int32()), ("sha256", pa.string()),
    ("file_name", pa.string()), ("received_at", pa.string()), ("status", pa.string()),
    ("n_values", pa.int32()), ("n_warnings", pa.int32()), ("demo", pa.bool_()),
])
LOCK_TIMEOUT_S = 120.0


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same folder, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@dataclass(frozen=True)
class SubmissionRecord:
    """What a writer hands to the store for one accepted submission."""

    court_id: str
    year: int
    channel: str  # "classeur", "registre:mesures", ...
    values: pd.DataFrame  # columns indicator_id, value, text, status
    sha256: str = ""
    file_name: str = ""
    n_warnings: int = 0
    demo: bool = False


class Store:
    """Handle on one data directory. Cheap to create; snapshots are cached by manifest tag."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.dir = self.root / "store"
        self._cache: dict[str, Any] = {}

    # ------------------------------------------------------------------ manifest
    @property
    def manifest_path(self) -> Path:
        return self.dir / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        try:
            text = self.manifest_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"tag": "", "values": {}, "submissions": None}
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise StoreError(f"Le manifeste du magasin de données est illisible : {self.manifest_path}.",
                             ReasonCode.STORE_CORRUPT) from exc

    def exists(self) -> bool:
        return self.manifest_path.exists()

    def lock(self, timeout: float = LOCK_TIMEOUT_S) -> FileLock:
        self.dir.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.dir / ".lock"), timeout=timeout)

    # ------------------------------------------------------------------ reads
    def submissions(self, include_superseded: bool = True) -> pd.DataFrame:
        """All submissions (history); ``status`` is ``accepted`` or ``superseded``."""
        man = self.manifest()
        df = self._read_submissions(man)
        if not include_superseded:
            df = df[df["status"] == "accepted"]
        return df.copy()

    def _read_submissions(self, man: dict[str, Any]) -> pd.DataFrame:
        name = man.get("submissions")
        if not name:
            return pd.DataFrame({c: pd.Series(dtype=t.to_pandas_dtype()) for c, t in
                                 zip(_SUB_SCHEMA.names, _SUB_SCHEMA.types, strict=True)})
        key = f"sub:{name}"
        if key not in self._cache:
            self._cache[key] = pq.read_table(self.dir / name).to_pandas()
        return self._cache[key]

    def years(self) -> list[int]:
        return sorted(int(y) for y in self.manifest().get("values", {}))

    def values(self, year: int | Iterable[int] | None = None, court_ids: Iterable[str] | None = None,
               current: bool = True) -> pd.DataFrame:
        """Value rows (current versions only by default), optionally for some years / courts."""
        man = self.manifest()
        years = self.years() if year is None else ([year] if isinstance(year, int) else list(year))
        subs = self._read_submissions(man)
        frames = []
        courts = None if court_ids is None else sorted(set(court_ids))
        for y in years:
            name = man.get("values", {}).get(str(y))
            if not name:
                continue
            frames.append(self._read_values_file(name, courts))
        if not frames:
            return pd.DataFrame({c: pd.Series(dtype=t.to_pandas_dtype()) for c, t in
                                 zip(_VALUE_SCHEMA.names, _VALUE_SCHEMA.types, strict=True)})
        df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        if current:
            live = set(subs.loc[subs["status"] == "accepted", "submission_id"])
            df = df[df["submission_id"].isin(live)]
        else:
            df = df[df["submission_id"].isin(set(subs["submission_id"]))]
        return df.reset_index(drop=True)

    def _read_values_file(self, name: str, courts: list[str] | None) -> pd.DataFrame:
        if courts is None:
            key = f"val:{name}"
            if key not in self._cache:
                self._cache[key] = pq.read_table(self.dir / name).to_pandas()
            return self._cache[key].copy()
        full = self._cache.get(f"val:{name}")
        if full is not None:
            return full[full["court_id"].isin(courts)].copy()
        # row-group pruning on the sorted court_id column: no full scan for one court
        table = pq.read_table(self.dir / name, filters=[("court_id", "in", courts)])
        return table.to_pandas()

    def court_year(self, court_id: str, year: int) -> pd.DataFrame:
        """Current values of one court-year (fast path)."""
        return self.values(year, [court_id])

    # ------------------------------------------------------------------ writes
    def write(self, records: list[SubmissionRecord], received_at: str | None = None) -> list[str]:
        """Commit accepted submissions atomically (one manifest swap); return their ids."""
        if not records:
            return []
        now = received_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            lock = self.lock()
            lock.acquire()
        except Timeout as exc:
            raise StoreError("Le magasin de données est verrouillé par une autre opération ; réessayez.",
                             ReasonCode.STORE_LOCKED) from exc
        try:
            self._cache.clear()
            man = self.manifest()
            subs = self._read_submissions(man).copy()
            tag = uuid.uuid4().hex[:12]
            new_subs = []
            by_year: dict[int, list[pd.DataFrame]] = {}
            for rec in records:
                mask = ((subs["court_id"] == rec.court_id) & (subs["year"] == rec.year)
                        & (subs["channel"] == rec.channel))
                version = int(subs.loc[mask, "version"].max()) + 1 if mask.any() else 1
                # supersede earlier versions of the same channel (and earlier records of this batch)
                subs.loc[mask, "status"] = "superseded"
                for prev in new_subs:
                    if (prev["court_id"], prev["year"], prev["channel"]) == (rec.court_id, rec.year,
                                                                            rec.channel):
                        prev["status"] = "superseded"
                        version = max(version, prev["version"] + 1)
                sid = f"{rec.court_id}:{rec.year}:{rec.channel}:v{version}:{tag}"
                vals = _normalise_values(rec.values, rec.court_id, rec.year, sid)
                by_year.setdefault(rec.year, []).append(vals)
                new_subs.append({
                    "submission_id": sid, "court_id": rec.court_id, "year": rec.year,
                    "channel": rec.channel, "version": version, "sha256": rec.sha256,
                    "file_name": rec.file_name, "received_at": now, "status": "accepted",
                    "n_values": len(vals), "n_warnings": rec.n_warnings, "demo": rec.demo,
                })
            subs = pd.concat([subs, pd.DataFrame(new_subs)], ignore_index=True) if len(subs) else \
                pd.DataFrame(new_subs)
            new_man: dict[str, Any] = {"tag": tag, "values": dict(man.get("values", {})),
                                       "submissions": f"submissions-{tag}.parquet",
                                       "written_at": now}
            for year, frames in by_year.items():
                old = man.get("values", {}).get(str(year))
                parts = ([pq.read_table(self.dir / old).to_pandas()] if old else []) + frames
                allv = pd.concat(parts, ignore_index=True)
                name = f"values-{year}-{tag}.parquet"
                _write_values(allv, self.dir / name)
                new_man["values"][str(year)] = name
            sub_table = pa.Table.from_pandas(subs[SUBMISSION_COLUMNS], schema=_SUB_SCHEMA,
                                             preserve_index=False)
            _write_parquet_atomic(sub_table, self.dir / new_man["submissions"])
            atomic_write_bytes(self.manifest_path,
                               json.dumps(new_man, indent=1, sort_keys=True).encode("utf-8"))
            self._garbage_collect(new_man)
            return [s["submission_id"] for s in new_subs]
        finally:
            lock.release()

    def _garbage_collect(self, man: dict[str, Any]) -> None:
        keep = set(man["values"].values()) | {man["submissions"], "manifest.json"}
        for p in self.dir.glob("*.parquet"):
            if p.name not in keep:
                p.unlink(missing_ok=True)
        for p in self.dir.glob(".*.tmp"):
            p.unlink(missing_ok=True)

    def file_digest(self) -> dict[str, bytes]:
        """Bytes of every store file (tests compare stores before / after an operation)."""
        return {str(p.relative_to(self.root)): p.read_bytes()
                for p in sorted(self.dir.glob("*")) if p.is_file() and p.name != ".lock"}


def _normalise_values(values: pd.DataFrame, court_id: str, year: int, sid: str) -> pd.DataFrame:
    df = pd.DataFrame({
        "court_id": court_id,
        "year": year,
        "indicator_id": values["indicator_id"].astype(str).to_numpy(),
        "value": pd.to_numeric(values["value"], errors="coerce").astype("float64").to_numpy()
        if "value" in values else float("nan"),
        "text": values["text"].astype("string").to_numpy() if "text" in values else None,
        "status": values["status"].astype(str).to_numpy() if "status" in values else "ok",
        "submission_id": sid,
    })
    bad = set(df["status"]) - set(STATUSES)
    if bad:
        raise StoreError(f"Statut inconnu : {sorted(bad)} (attendus : {', '.join(STATUSES)}).",
                         ReasonCode.STORE_CORRUPT)
    return df


def _write_values(df: pd.DataFrame, path: Path) -> None:
    df = df.sort_values(["court_id", "indicator_id", "submission_id"], kind="stable")
    table = pa.Table.from_pandas(df[VALUE_COLUMNS], schema=_VALUE_SCHEMA, preserve_index=False)
    tmp = path.with_name(f".{path.name}.tmp")
    # one row group per court so that reading one court-year prunes the others
    courts = table.column("court_id").to_pylist()
    with pq.ParquetWriter(tmp, _VALUE_SCHEMA, compression="zstd") as writer:
        start = 0
        n = len(courts)
        while start < n:
            end = start
            cid = courts[start]
            while end < n and courts[end] == cid:
                end += 1
            writer.write_table(table.slice(start, end - start))
            start = end
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _write_parquet_atomic(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def open_store(root: str | os.PathLike[str] | None = None) -> Store:
    """The store of a data directory (``--donnees`` > ``$CPC_DONNEES`` > ``./donnees``)."""
    return Store(data_dir(root))
