"""Owner-only file system helpers for the confidential DACS channel (0700 directories, 0600 files).

Modes are set explicitly (``os.open`` mode + ``fchmod`` / ``chmod``), never left to the caller's umask;
:func:`owner_only_umask` additionally protects files written by third-party code (kernels, browsers).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from cpc_toolkit.store import atomic_write_bytes

DIR_MODE = 0o700
FILE_MODE = 0o600
CONFIDENTIAL_DIR = "confidentiel"


def confidential_root(donnees: Path) -> Path:
    """``<donnees>/confidentiel`` — the only place where DACS data and outputs live."""
    return Path(donnees) / CONFIDENTIAL_DIR


def secure_dir(path: Path, top: Path | None = None) -> Path:
    """Create ``path`` (and parents up to ``top``) with mode 0700, and force 0700 on them."""
    path = Path(path)
    top = Path(top) if top is not None else path
    chain = [path, *path.parents]
    to_fix = []
    for p in chain:
        to_fix.append(p)
        if p == top:
            break
    else:
        to_fix = [path]
    for p in reversed(to_fix):
        p.mkdir(mode=DIR_MODE, exist_ok=True, parents=True)
        os.chmod(p, DIR_MODE)
    return path


def write_secret(path: Path, data: bytes) -> None:
    """Atomically write ``data`` to ``path`` as a 0600 file (temp file, fsync, rename, dir fsync)."""
    atomic_write_bytes(Path(path), data, mode=FILE_MODE)


def lock_down(tree: Path) -> None:
    """Force 0700 on every directory and 0600 on every file below ``tree`` (after third-party writes)."""
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
    """Temporarily set the process umask to 077 (files 0600, directories 0700 by default)."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)
