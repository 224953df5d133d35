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
load one consistent snapshot through the manifest; if a writer garbage-collects a file between
the moment a reader read the manifest and the moment it opens the file, the reader retries once
with the new manifest. Current values are the rows of the latest accepted submission per
(court, year, channel); superseded versions stay in the history.

Reading one court-year (:meth:`Store.court_year`) opens only the row group of that court, found
from the ``court_id`` statistics of the Parquet footer: no full scan, whatever the store size.
"""

from __future__ import annotations

import datetime as dt
import json
import numbers
import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from cpc_toolkit.catalogue import STATUS_LABELS
from cpc_toolkit.errors import ReasonCode, StoreError
from cpc_toolkit.files import atomic_target, atomic_write_bytes  # re-exported: the one atomic writer
from cpc_toolkit.settings import data_dir

__all__ = [
    "STATUSES",
    "STATUS_LABELS",
    "SUBMISSION_COLUMNS",
    "VALUE_COLUMNS",
    "Store",
    "SubmissionRecord",
    "atomic_write_bytes",
    "open_store",
]

STATUSES = tuple(STATUS_LABELS)  # ok, NA, NAP, NQ
VALUE_COLUMNS = ["court_id", "year", "indicator_id", "value", "text", "status", "submission_id"]
SUBMISSION_COLUMNS = [
    "submission_id", "court_id", "year", "channel", "version", "sha256", "file_name",
    "received_at", "status", "n_values", "n_warnings", "demo",
]
_VALUE_FIELDS: list[pa.Field[Any]] = [
    pa.field("court_id", pa.string()), pa.field("year", pa.int32()), pa.field("indicator_id", pa.string()),
    pa.field("value", pa.float64()), pa.field("text", pa.string()), pa.field("status", pa.string()),
    pa.field("submission_id", pa.string()),
]
_VALUE_SCHEMA = pa.schema(_VALUE_FIELDS)
_SUB_FIELDS: list[pa.Field[Any]] = [
    pa.field("submission_id", pa.string()), pa.field("court_id", pa.string()), pa.field("year", pa.int32()),
    pa.field("channel", pa.string()), pa.field("version", pa.int32()), pa.field("sha256", pa.string()),
    pa.field("file_name", pa.string()), pa.field("received_at", pa.string()), pa.field("status", pa.string()),
    pa.field("n_values", pa.int32()), pa.field("n_warnings", pa.int32()), pa.field("demo", pa.bool_()),
]
_SUB_SCHEMA = pa.schema(_SUB_FIELDS)
LOCK_TIMEOUT_S = 120.0
MANIFEST_FORMAT = 1
_FILE_KEYS = ("val:", "sub:", "rg:")  # cache entries tied to one store file

T = TypeVar("T")


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


def _empty(schema: pa.Schema) -> pd.DataFrame:
    return schema.empty_table().to_pandas()


class Store:
    """Handle on one data directory. Cheap to create; snapshots are cached by manifest tag."""

    def __init__(self, root: Path | str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.dir = self.root / "store"
        self._cache: dict[str, Any] = {}
        self._cache_tag: str | None = None

    # ------------------------------------------------------------------ manifest
    @property
    def manifest_path(self) -> Path:
        return self.dir / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        """The current manifest (an empty one when the store does not exist yet)."""
        try:
            text = self.manifest_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            man: dict[str, Any] = {"tag": "", "values": {}, "submissions": None}
        else:
            try:
                man = json.loads(text)
            except json.JSONDecodeError as exc:
                raise StoreError(f"Le manifeste du magasin de données est illisible : {self.manifest_path}.",
                                 ReasonCode.STORE_CORRUPT) from exc
            if not isinstance(man, dict) or not isinstance(man.get("values", {}), dict):
                raise StoreError(f"Le manifeste du magasin de données est invalide : {self.manifest_path}.",
                                 ReasonCode.STORE_CORRUPT)
        self._sync_cache(man)
        return man

    def _sync_cache(self, man: dict[str, Any]) -> None:
        """Drop cached data of other snapshots (keeps memory bounded in long-lived processes)."""
        tag = man.get("tag", "")
        if tag == self._cache_tag:
            return
        live = set(man.get("values", {}).values()) | {man.get("submissions")}
        self._cache = {k: v for k, v in self._cache.items()
                       if k.startswith(_FILE_KEYS) and k.split(":", 1)[1] in live}
        self._cache_tag = tag

    def exists(self) -> bool:
        return self.manifest_path.exists()

    def lock(self, timeout: float | None = None) -> FileLock:
        """The writers' lock (default timeout :data:`LOCK_TIMEOUT_S`)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.dir / ".lock"), timeout=LOCK_TIMEOUT_S if timeout is None else timeout)

    def _snapshot_read(self, read: Callable[[dict[str, Any]], T]) -> T:
        """Run ``read`` on the current manifest; retry once if a file vanished meanwhile.

        A writer deletes the files of the previous snapshot right after committing a new manifest;
        a reader that loaded the old manifest just before can then miss a file: it retries with the
        new manifest, which names files that exist.
        """
        man = self.manifest()
        try:
            return read(man)
        except FileNotFoundError:
            new = self.manifest()
            if new.get("tag") == man.get("tag"):
                raise StoreError(
                    f"Un fichier du magasin de données a disparu ({self.dir}) : le magasin est "
                    "incomplet. Restaurez-le depuis une sauvegarde ou régénérez-le.",
                    ReasonCode.STORE_CORRUPT) from None
        try:
            return read(new)
        except FileNotFoundError as exc:
            raise StoreError(
                f"Le magasin de données change trop vite pour être lu ({self.dir}) ; réessayez.",
                ReasonCode.STORE_LOCKED) from exc

    # ------------------------------------------------------------------ reads
    def submissions(self, include_superseded: bool = True) -> pd.DataFrame:
        """All submissions (history); ``status`` is ``accepted`` or ``superseded``."""
        df = self._snapshot_read(self._read_submissions)
        if not include_superseded:
            df = df[df["status"] == "accepted"]
        return df.reset_index(drop=True).copy()

    def _read_submissions(self, man: dict[str, Any]) -> pd.DataFrame:
        name = man.get("submissions")
        if not name:
            return _empty(_SUB_SCHEMA)
        key = f"sub:{name}"
        if key not in self._cache:
            self._cache[key] = pq.read_table(self.dir / name).to_pandas()
        return self._cache[key]

    def years(self) -> list[int]:
        """Years present in the store."""
        return sorted(int(y) for y in self.manifest().get("values", {}))

    def values(self, year: int | Iterable[int] | None = None, court_ids: str | Iterable[str] | None = None,
               current: bool = True) -> pd.DataFrame:
        """Value rows (current versions only by default), optionally for some years / courts.

        Returns a new frame with :data:`VALUE_COLUMNS` (never a view on cached data).
        """
        if year is None:
            years = None
        elif isinstance(year, numbers.Integral):
            years = [int(year)]
        else:
            years = [int(y) for y in cast(Iterable[int], year)]
        if court_ids is None:
            courts = None
        elif isinstance(court_ids, str):
            courts = [court_ids]
        else:
            courts = sorted(set(court_ids))
        return self._snapshot_read(lambda man: self._values(man, years, courts, current))

    def _values(self, man: dict[str, Any], years: list[int] | None, courts: list[str] | None,
                current: bool) -> pd.DataFrame:
        files = man.get("values", {})
        if years is None:
            years = sorted(int(y) for y in files)
        subs = self._read_submissions(man)
        frames = [self._read_values_file(files[str(y)], courts) for y in years if files.get(str(y))]
        if not frames:
            return _empty(_VALUE_SCHEMA)
        df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        keep = subs["status"] == "accepted" if current else pd.Series(True, index=subs.index)
        df = df[df["submission_id"].isin(set(subs.loc[keep, "submission_id"]))]
        return df.reset_index(drop=True)

    def _read_values_file(self, name: str, courts: list[str] | None) -> pd.DataFrame:
        full = self._cache.get(f"val:{name}")
        if courts is None:
            if full is None:
                full = pq.read_table(self.dir / name).to_pandas()
                self._cache[f"val:{name}"] = full
            return full.copy()
        if full is not None:
            return full[full["court_id"].isin(courts)].copy()
        # row-group pruning on the sorted court_id column: no full scan for one court
        pf = pq.ParquetFile(self.dir / name)
        groups = self._row_groups_of(name, pf, courts)
        if not groups:
            return _empty(_VALUE_SCHEMA)
        df = pf.read_row_groups(groups).to_pandas()
        return df[df["court_id"].isin(courts)].reset_index(drop=True)

    def _row_groups_of(self, name: str, pf: pq.ParquetFile, courts: list[str]) -> list[int]:
        """Indices of the row groups whose court_id range can hold one of ``courts``."""
        key = f"rg:{name}"
        ranges = self._cache.get(key)
        if ranges is None:
            meta = pf.metadata
            col = meta.schema.names.index("court_id")
            ranges = []
            for i in range(meta.num_row_groups):
                stats = meta.row_group(i).column(col).statistics
                if stats is None or not stats.has_min_max:
                    ranges.append((None, None))
                else:
                    ranges.append((stats.min, stats.max))
            self._cache[key] = ranges
        return [i for i, (lo, hi) in enumerate(ranges)
                if lo is None or any(lo <= c <= hi for c in courts)]

    def court_year(self, court_id: str, year: int) -> pd.DataFrame:
        """Current values of one court-year (fast path: reads one row group)."""
        return self.values(int(year), [court_id])

    # ------------------------------------------------------------------ writes
    def write(self, records: list[SubmissionRecord], received_at: str | None = None) -> list[str]:
        """Commit accepted submissions atomically (one manifest swap); return their ids.

        Records of one call are committed together or not at all. A later record for the same
        (court, year, channel) supersedes the earlier ones (their rows stay in the history).
        The input DataFrames are never modified.
        """
        records = list(records)
        if not records:
            return []
        normalised = [_normalise_values(rec) for rec in records]  # validate before locking
        now = received_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            lock = self.lock()
            lock.acquire()
        except Timeout as exc:
            raise StoreError("Le magasin de données est verrouillé par une autre opération ; réessayez.",
                             ReasonCode.STORE_LOCKED) from exc
        try:
            self._cache.clear()
            self._cache_tag = None
            man = self.manifest()
            try:
                subs = self._read_submissions(man).copy()
            except (OSError, pa.ArrowInvalid) as exc:
                raise self._corrupt(man.get("submissions"), exc) from exc
            tag = uuid.uuid4().hex[:12]
            # (court, year, channel) → latest version and the rows of the history holding it
            latest: dict[tuple[str, int, str], int] = {}
            rows_of: dict[tuple[str, int, str], list[int]] = {}
            versions = subs["version"].to_numpy(dtype=np.int64)
            for i, key in enumerate(zip(subs["court_id"], subs["year"].astype(int), subs["channel"],
                                        strict=True)):
                rows_of.setdefault(key, []).append(i)
                latest[key] = max(latest.get(key, 0), int(versions[i]))
            superseded_rows: list[int] = []
            new_subs: list[dict[str, Any]] = []
            batch_index: dict[tuple[str, int, str], int] = {}
            by_year: dict[int, list[pa.Table]] = {}
            for rec, vals in zip(records, normalised, strict=True):
                year = int(rec.year)
                key = (rec.court_id, year, rec.channel)
                version = latest.get(key, 0) + 1
                latest[key] = version
                superseded_rows.extend(rows_of.pop(key, []))
                if key in batch_index:  # an earlier record of this batch
                    new_subs[batch_index[key]]["status"] = "superseded"
                batch_index[key] = len(new_subs)
                sid = f"{rec.court_id}:{year}:{rec.channel}:v{version}:{tag}"
                by_year.setdefault(year, []).append(
                    vals.append_column("submission_id", pa.array([sid] * len(vals), pa.string())))
                new_subs.append({
                    "submission_id": sid, "court_id": rec.court_id, "year": year,
                    "channel": rec.channel, "version": version, "sha256": rec.sha256,
                    "file_name": rec.file_name, "received_at": now, "status": "accepted",
                    "n_values": len(vals), "n_warnings": int(rec.n_warnings), "demo": bool(rec.demo),
                })
            if superseded_rows:
                subs.loc[subs.index[superseded_rows], "status"] = "superseded"
            new_frame = pd.DataFrame(new_subs, columns=SUBMISSION_COLUMNS)
            subs = pd.concat([subs, new_frame], ignore_index=True) if len(subs) else new_frame
            new_man: dict[str, Any] = {"format": MANIFEST_FORMAT, "tag": tag,
                                       "values": dict(man.get("values", {})),
                                       "submissions": f"submissions-{tag}.parquet", "written_at": now}
            try:
                for year, tables in sorted(by_year.items()):
                    old = man.get("values", {}).get(str(year))
                    try:
                        parts = ([pq.read_table(self.dir / old, schema=_VALUE_SCHEMA)] if old else []) + tables
                    except (OSError, pa.ArrowInvalid) as exc:
                        raise self._corrupt(old, exc) from exc
                    name = f"values-{year}-{tag}.parquet"
                    _write_values(pa.concat_tables(parts), self.dir / name)
                    new_man["values"][str(year)] = name
                sub_table = pa.Table.from_pandas(subs[SUBMISSION_COLUMNS], schema=_SUB_SCHEMA,
                                                 preserve_index=False)
                _write_parquet_atomic(sub_table, self.dir / new_man["submissions"])
                # the commit point: before this rename the old state is in force, after it the new one
                atomic_write_bytes(self.manifest_path,
                                   json.dumps(new_man, indent=1, sort_keys=True).encode("utf-8"))
            except BaseException:
                self._discard_uncommitted(tag)  # a full disk leaves the store byte-identical
                raise
            self._garbage_collect(new_man)
            return [s["submission_id"] for s in new_subs]
        finally:
            lock.release()

    def _corrupt(self, name: str | None, exc: BaseException) -> StoreError:
        return StoreError(
            f"Le magasin de données est endommagé : le fichier « {name} » est absent ou illisible "
            f"({self.dir}). Rien n'a été écrit ; restaurez le magasin depuis une sauvegarde.",
            ReasonCode.STORE_CORRUPT, details={"cause": str(exc)})

    def _discard_uncommitted(self, tag: str) -> None:
        """Remove the files of a write whose manifest swap did not happen (best effort)."""
        try:
            committed = json.loads(self.manifest_path.read_bytes()).get("tag") == tag
        except (OSError, ValueError):
            committed = False
        if committed:
            return
        for p in [*self.dir.glob(f"*-{tag}.parquet"), *self.dir.glob(".*.tmp")]:
            try:
                p.unlink(missing_ok=True)
            except OSError:
                pass

    def _garbage_collect(self, man: dict[str, Any]) -> None:
        """Delete files no manifest names any more (called under the writer lock)."""
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


_VALUE_ROW_SCHEMA = pa.schema([f for f in _VALUE_SCHEMA if f.name != "submission_id"])


def _is_missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and x != x)


def _normalise_values(rec: SubmissionRecord) -> pa.Table:
    """Store rows of one record, without submission id (``rec.values`` is left untouched)."""
    values = rec.values
    where = f"{rec.court_id} {rec.year} ({rec.channel})"
    if not isinstance(values, pd.DataFrame) or "indicator_id" not in values.columns:
        raise StoreError(f"Soumission {where} : les valeurs doivent être un tableau avec une colonne "
                         "« indicator_id ».", ReasonCode.STORE_CORRUPT)
    if not rec.court_id or not rec.channel:
        raise StoreError(f"Soumission {where} : juridiction et canal sont obligatoires.",
                         ReasonCode.STORE_CORRUPT)
    if not isinstance(rec.year, numbers.Integral) or isinstance(rec.year, bool):
        raise StoreError(f"Soumission {where} : l'année doit être un entier.", ReasonCode.STORE_CORRUPT)
    n = len(values)
    ids = [str(x) for x in values["indicator_id"].tolist()]
    if len(set(ids)) != n:
        dupes = sorted({x for x in ids if ids.count(x) > 1})
        raise StoreError(f"Soumission {where} : indicateurs en double {dupes[:10]}.",
                         ReasonCode.STORE_CORRUPT)
    if "status" in values.columns:
        status = ["(vide)" if _is_missing(x) else str(x) for x in values["status"].tolist()]
    else:
        status = ["ok"] * n
    bad = set(status) - set(STATUSES)
    if bad:
        raise StoreError(f"Soumission {where} : statut inconnu {sorted(bad)} (attendus : "
                         f"{', '.join(STATUSES)}).", ReasonCode.STORE_CORRUPT)
    if "value" in values.columns:
        value = pd.to_numeric(values["value"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    else:
        value = np.full(n, np.nan)
    if "text" in values.columns:
        text = [None if _is_missing(t) else str(t) for t in values["text"].tolist()]
    else:
        text = [None] * n
    return pa.Table.from_arrays([
        pa.array([rec.court_id] * n, pa.string()), pa.array(np.full(n, int(rec.year), dtype="int32")),
        pa.array(ids, pa.string()), pa.array(value, pa.float64(), from_pandas=True),
        pa.array(text, pa.string()), pa.array(status, pa.string()),
    ], schema=_VALUE_ROW_SCHEMA)


def _write_values(table: pa.Table, path: Path) -> None:
    """Write a year file sorted by court, one row group per court (atomic: temp file + rename)."""
    table = table.select(VALUE_COLUMNS).cast(_VALUE_SCHEMA)
    table = table.sort_by([("court_id", "ascending"), ("indicator_id", "ascending"),
                           ("submission_id", "ascending")])
    courts = table.column("court_id").to_numpy(zero_copy_only=False)
    starts = [0, *(np.flatnonzero(courts[1:] != courts[:-1]) + 1).tolist()] if len(courts) else []
    bounds = list(zip(starts, [*starts[1:], len(courts)], strict=True))
    with atomic_target(path) as tmp, pq.ParquetWriter(tmp, _VALUE_SCHEMA, compression="zstd") as writer:
        for start, end in bounds:
            writer.write_table(table.slice(start, end - start))
        if not bounds:
            writer.write_table(table)


def _write_parquet_atomic(table: pa.Table, path: Path) -> None:
    with atomic_target(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def open_store(root: str | os.PathLike[str] | None = None) -> Store:
    """The store of a data directory (``--donnees`` > ``$CPC_DONNEES`` > ``./donnees``)."""
    return Store(data_dir(root))
