"""Storage of raw register rows (individual cases — restricted access).

Layout under the data directory::

    registres/                       0700: rows of individual cases
      .lock                          serialises writers
      imports.json                   one entry per accepted file (sha256, type, courts, years)
      archive/<sha256><ext>          received files, byte-for-byte (0600)
      <type>/annee=<year>/juridiction=<court_id>/lignes.parquet
                                     current rows of one court for one register year (0600)

Partitioned by year and court (Hive-style folder names): a new import for a court-year replaces
that court-year's file only (the export is the court's full register for the year), other courts'
and years' files are untouched, and out-of-core engines (``registers.duckdb_engine``) read only the
partitions they need. Every file is written atomically (``atomic_write_bytes``); ``imports.json`` is
written last, so an interrupted import is simply redone.

Data directories of earlier versions kept one file per year (``<type>/<year>.parquet``): they are
read as they are, and split into court partitions the first time that year is written again.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from cpc_toolkit.errors import ReasonCode, StoreError
from cpc_toolkit.files import private_dir, write_private
from cpc_toolkit.registers.schema import REGISTER_TYPES, schema

LOCK_TIMEOUT_S = 120.0


def registers_dir(root: str | os.PathLike[str]) -> Path:
    return Path(root) / "registres"


def _ensure_dir(path: Path) -> None:
    """Create ``path`` and make it and every folder up to ``registres/`` private (0700)."""
    top = next((p for p in [path, *path.parents] if p.name == "registres"), path)
    private_dir(path, top=top)


def _write_private(path: Path, data: bytes) -> None:
    _ensure_dir(path.parent)
    write_private(path, data)


@contextmanager
def locked(root: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the registers' write lock (French error if another import holds it too long)."""
    base = registers_dir(root)
    _ensure_dir(base)
    lock = FileLock(str(base / ".lock"), timeout=LOCK_TIMEOUT_S)
    try:
        lock.acquire()
    except Timeout as exc:
        raise StoreError("Les registres sont verrouillés par un autre import ; réessayez.",
                         ReasonCode.STORE_LOCKED) from exc
    try:
        yield
    finally:
        lock.release()


def imports_log(root: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Accepted register files, oldest first."""
    path = registers_dir(root) / "imports.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except json.JSONDecodeError as exc:
        raise StoreError(f"Journal des registres illisible : {path}.", ReasonCode.STORE_CORRUPT) from exc


def find_import(root: str | os.PathLike[str], register_type: str, sha256: str) -> dict[str, Any] | None:
    for entry in imports_log(root):
        if entry["sha256"] == sha256 and entry["type"] == register_type:
            return entry
    return None


def frame_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), buf, compression="zstd")
    return buf.getvalue()


def canonical(df: pd.DataFrame, register_type: str) -> pd.DataFrame:
    """Rows with the register's columns in canonical dtypes (string, datetime64[s], float64, boolean)."""
    out: dict[str, pd.Series] = {}
    for col in schema(register_type):
        s = df[col.name] if col.name in df else pd.Series(pd.NA, index=df.index)
        if col.kind in ("date", "datetime"):
            s = s if pd.api.types.is_datetime64_any_dtype(s) else pd.to_datetime(s, format="ISO8601")
            out[col.name] = s.astype("datetime64[s]")
        elif col.kind in ("int", "float"):
            out[col.name] = pd.to_numeric(s).astype("float64")
        elif col.kind == "bool":
            out[col.name] = s.astype("boolean")
        else:
            out[col.name] = s.astype("string")
    out["ligne"] = (df["ligne"] if "ligne" in df else pd.Series(0, index=df.index)).astype("int64")
    return pd.DataFrame(out, index=df.index)


PART_FILE = "lignes.parquet"


def _legacy_path(root: str | os.PathLike[str], register_type: str, year: int) -> Path:
    return registers_dir(root) / register_type / f"{int(year)}.parquet"


def _part_path(root: str | os.PathLike[str], register_type: str, year: int, court_id: str) -> Path:
    return registers_dir(root) / register_type / f"annee={int(year)}" / f"juridiction={court_id}" / PART_FILE


def _write_court_years(root: str | os.PathLike[str], register_type: str, rows: pd.DataFrame,
                       year: int) -> list[str]:
    """Write one partition per court of ``rows`` (canonical rows of one year); return the courts."""
    courts = sorted(rows["juridiction"].dropna().unique().tolist())
    codes = rows["juridiction"].to_numpy()
    for court in courts:
        part = rows[codes == court].sort_values("ligne", kind="stable", ignore_index=True)
        _write_private(_part_path(root, register_type, year, court), frame_bytes(part))
    return courts


def _migrate_legacy(root: str | os.PathLike[str], register_type: str, year: int) -> None:
    """Split an earlier version's ``<year>.parquet`` into court partitions (caller holds the lock)."""
    legacy = _legacy_path(root, register_type, year)
    if legacy.exists():
        old = canonical(pq.read_table(legacy).to_pandas(), register_type)
        _write_court_years(root, register_type, old, year)
        legacy.unlink()


def write_rows(root: str | os.PathLike[str], register_type: str, rows: pd.DataFrame,
               years: pd.Series) -> list[tuple[str, int]]:
    """Replace, for every (court, year) present in ``rows``, that court-year's stored rows.

    Caller holds the lock. Returns the (court, year) pairs written.
    """
    rows = canonical(rows, register_type)
    written: list[tuple[str, int]] = []
    for year in sorted(int(y) for y in pd.unique(years)):
        _migrate_legacy(root, register_type, year)
        new = rows[(years == year).to_numpy()]
        written.extend((c, year) for c in _write_court_years(root, register_type, new, year))
    return written


def partition_files(root: str | os.PathLike[str], register_type: str, years: list[int] | None = None,
                    court_ids: list[str] | None = None) -> dict[int, list[Path]]:
    """Stored Parquet files by register year (court partitions, or an earlier version's year file).

    Only the partitions of ``years`` / ``court_ids`` are listed (folder names, no file is opened);
    an earlier version's year file holds every court and must be filtered by the reader.
    """
    if register_type not in REGISTER_TYPES:
        raise ValueError(register_type)
    base = registers_dir(root) / register_type
    wanted = set(court_ids) if court_ids is not None else None
    out: dict[int, list[Path]] = {}
    if not base.exists():
        return out
    for entry in base.iterdir():
        if entry.is_dir() and entry.name.startswith("annee="):
            year = int(entry.name.removeprefix("annee="))
            if years is not None and year not in years:
                continue
            files = sorted(p / PART_FILE for p in entry.iterdir()
                           if p.name.startswith("juridiction=") and (p / PART_FILE).exists()
                           and (wanted is None or p.name.removeprefix("juridiction=") in wanted))
            out.setdefault(year, []).extend(files)
        elif entry.suffix == ".parquet" and entry.stem.isdigit():
            year = int(entry.stem)
            if years is None or year in years:
                out.setdefault(year, []).append(entry)
    return {y: sorted(f, key=_court_order) for y, f in sorted(out.items()) if f}


def _court_order(path: Path) -> tuple[int, str]:
    return (0, "") if path.name != PART_FILE else (1, path.parent.name)


def archive(root: str | os.PathLike[str], sha256: str, suffix: str, data: bytes) -> Path:
    path = registers_dir(root) / "archive" / f"{sha256}{suffix.lower()}"
    if not path.exists():
        _write_private(path, data)
    return path


def append_import(root: str | os.PathLike[str], entry: dict[str, Any]) -> None:
    log = imports_log(root)
    log.append(entry)
    _write_private(registers_dir(root) / "imports.json",
                   json.dumps(log, ensure_ascii=False, indent=1).encode("utf-8"))


def stored_court_years(root: str | os.PathLike[str], register_type: str) -> pd.DataFrame:
    """(court_id, year) pairs with stored rows of a register type."""
    pairs: set[tuple[str, int]] = set()
    for year, files in partition_files(root, register_type).items():
        for path in files:
            if path.name == PART_FILE:
                pairs.add((path.parent.name.removeprefix("juridiction="), year))
            else:  # earlier version's year file
                courts = pq.read_table(path, columns=["juridiction"]).column("juridiction").unique().to_pylist()
                pairs.update((str(c), year) for c in courts if c is not None)
    return pd.DataFrame(sorted(pairs), columns=["court_id", "year"]).sort_values(["court_id", "year"],
                                                                         ignore_index=True)


def read_rows(root: str | os.PathLike[str], register_type: str, court_ids: list[str] | None = None,
              years: list[int] | None = None) -> pd.DataFrame:
    """Stored rows of a register (optionally some courts / years), with ``register_year``."""
    frames = []
    for year, files in partition_files(root, register_type, years, court_ids).items():
        parts = [p for p in files if p.name == PART_FILE]
        tables = [pq.read_table(p, filters=[("juridiction", "in", list(court_ids))] if court_ids is not None
                                else None) for p in files if p.name != PART_FILE]  # earlier version's file
        if parts:
            tables.append(pq.ParquetDataset([str(p) for p in parts], partitioning=None).read(use_pandas_metadata=True))
        for table in tables:
            df = table.to_pandas()
            df["register_year"] = year
            frames.append(df)
    if not frames:
        empty = canonical(pd.DataFrame(), register_type)
        empty["register_year"] = pd.Series(dtype="int64")
        return empty
    return pd.concat(frames, ignore_index=True)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
