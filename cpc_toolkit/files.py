"""The one file-writing helper of the package: atomic writes and owner-only (private) files.

* :func:`atomic_write_bytes` / :func:`atomic_target`: write to a temporary file in the same folder,
  fsync, then rename over the target, so that a reader sees the old file or the new one, never a
  partial one (store, archive, reports, registers, DACS channel).
* Private data (registers of individual cases, the confidential DACS channel) use
  :func:`private_dir` (0700 folders) and :func:`write_private` (0600 files, atomic). Modes are set
  explicitly (``os.open`` mode + ``fchmod`` / ``chmod``), never left to the caller's umask;
  :func:`owner_only_umask` additionally protects files written by third-party code (kernels,
  browsers) and :func:`lock_down` re-asserts the modes of a whole tree afterwards.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "DIR_MODE",
    "FILE_MODE",
    "atomic_target",
    "atomic_write_bytes",
    "fsync_dir",
    "lock_down",
    "owner_only_umask",
    "private_dir",
    "write_private",
]

DIR_MODE = 0o700
FILE_MODE = 0o600


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")


def atomic_write_bytes(path: Path, data: bytes, mode: int | None = None, durable: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same folder, fsync, rename).

    With ``mode`` (e.g. ``0o600``) the file is created with exactly these permissions, whatever
    the umask, before any byte is written. ``durable=False`` skips the fsyncs (the caller flushes
    a whole batch at once with ``os.sync()`` before committing anything that refers to the file).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(path.parent)


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """Yield a temporary path for a writer that needs a file name (e.g. a Parquet writer).

    On success the file is fsynced and renamed over ``path``; on any error it is removed and
    ``path`` is left untouched.
    """
    path = Path(path)
    tmp = _temp_name(path)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename is durable once its folder is synced); best effort."""
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


def private_dir(path: Path, top: Path | None = None) -> Path:
    """Create ``path`` with mode 0700 and force 0700 on it and on its parents up to ``top`` included.

    ``top`` must be ``path`` or one of its parents; otherwise only ``path`` is forced.
    """
    path = Path(path)
    top = Path(top) if top is not None else path
    chain: list[Path] = []
    for p in [path, *path.parents]:
        chain.append(p)
        if p == top:
            break
    else:
        chain = [path]
    for p in reversed(chain):
        p.mkdir(mode=DIR_MODE, exist_ok=True, parents=True)
        os.chmod(p, DIR_MODE)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Atomically write ``data`` to ``path`` as a 0600 file (temp file, fsync, rename, folder fsync)."""
    atomic_write_bytes(Path(path), data, mode=FILE_MODE)


def lock_down(tree: Path) -> None:
    """Force 0700 on every folder and 0600 on every file below ``tree`` (after third-party writes)."""
    tree = Path(tree)
    if not tree.exists():
        return
    os.chmod(tree, DIR_MODE)
    for dirpath, dirnames, filenames in os.walk(tree):
        for d in dirnames:
            os.chmod(Path(dirpath) / d, DIR_MODE)
        for f in filenames:
            p = Path(dirpath) / f
            if not p.is_symlink():
                os.chmod(p, FILE_MODE)


@contextlib.contextmanager
def owner_only_umask() -> Iterator[None]:
    """Temporarily set the process umask to 077 (files 0600, folders 0700 by default)."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)
