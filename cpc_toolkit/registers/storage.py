"""Storage of raw register rows (individual cases — restricted access).

Layout under the data directory::

    registres/                       0700: rows of individual cases
      .lock                          serialises writers
      imports.json                   one entry per accepted file (sha256, type, courts, years)
      archive/<sha256><ext>          received files, byte-for-byte (0600)
      <type>/<court_id>/<year>.parquet   current rows of one court-year (0600)

A new import for a court-year replaces its rows (the export is the court's full register for
that year). Every file is written atomically (``atomic_write_bytes``); ``imports.json`` is written
last, so an interrupted import is simply redone.
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
from cpc_toolkit.registers.schema import REGISTER_TYPES
from cpc_toolkit.store import atomic_write_bytes

DIR_MODE = 0o700
FILE_MODE = 0o600
LOCK_TIMEOUT_S = 120.0


def registers_dir(root: str | os.PathLike[str]) -> Path:
    return Path(root) / "registres"


def _ensure_dir(path: Path) -> None:
    """Create ``path`` and make it and every folder up to ``registres/`` private (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    chain = [path]
    for folder in path.parents:
        if chain[-1].name == "registres":
            break
        chain.append(folder)
    if chain[-1].name != "registres":
        chain = [path]
    for folder in chain:
        os.chmod(folder, DIR_MODE)


def _write_private(path: Path, data: bytes) -> None:
    _ensure_dir(path.parent)
    atomic_write_bytes(path, data)
    os.chmod(path, FILE_MODE)


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


def write_rows(root: str | os.PathLike[str], register_type: str,
               parts: dict[tuple[str, int], pd.DataFrame] | dict[tuple[str, int], bytes]) -> None:
    """Replace the rows of each (court, year) — caller holds the lock."""
    base = registers_dir(root) / register_type
    for (court_id, year), df in parts.items():
        data = df if isinstance(df, bytes) else frame_bytes(df)
        _write_private(base / court_id / f"{int(year)}.parquet", data)


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
    if register_type not in REGISTER_TYPES:
        raise ValueError(register_type)
    base = registers_dir(root) / register_type
    pairs = [(p.parent.name, int(p.stem)) for p in base.glob("*/*.parquet")] if base.exists() else []
    return pd.DataFrame(pairs, columns=["court_id", "year"]).sort_values(["court_id", "year"],
                                                                         ignore_index=True)


def read_rows(root: str | os.PathLike[str], register_type: str, court_ids: list[str] | None = None,
              years: list[int] | None = None) -> pd.DataFrame:
    """Stored rows of a register (optionally some courts / years), with ``register_year``."""
    pairs = stored_court_years(root, register_type)
    if court_ids is not None:
        pairs = pairs[pairs["court_id"].isin(court_ids)]
    if years is not None:
        pairs = pairs[pairs["year"].isin(years)]
    base = registers_dir(root) / register_type
    frames = []
    for cid, year in zip(pairs["court_id"], pairs["year"], strict=True):
        df = pq.read_table(base / cid / f"{year}.parquet").to_pandas()
        df["register_year"] = int(year)
        frames.append(df)
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
