"""Archive of every received file (byte for byte) and the receipts table.

Layout under the data directory::

    archive/fichiers/<sha256[:2]>/<sha256><ext>   the received bytes (content-addressed)
    archive/recus/<time>_<sha256[:12]>_<id>.json  one receipt per reception (append-only)
    archive/rapports-erreurs/                     error reports of rejected files

Every write is atomic (temp file + rename); receipts are separate files with unique names, so
two imports running at the same time never overwrite each other. A receipt records the original
file name, size, sha256, time, outcome (``accepted`` / ``rejected`` / ``duplicate``), court and
year when known, the submission id, the number of errors and warnings, the problem list and
the error report path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

from cpc_toolkit.store import atomic_write_bytes

__all__ = ["OUTCOME_LABELS", "RECEIPT_COLUMNS", "Archive", "display_name", "sha256"]

OUTCOME_LABELS = {"accepted": "accepté", "rejected": "refusé", "duplicate": "déjà reçu (sans effet)"}
RECEIPT_COLUMNS = ["receipt_id", "received_at", "file_name", "size", "sha256", "outcome", "court_id", "year",
                   "submission_id", "n_errors", "n_warnings", "archive_path", "error_report"]
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def display_name(name: str | os.PathLike[str]) -> str:
    """A printable, valid UTF-8 version of a file name (undecodable bytes become U+FFFD)."""
    raw = os.fsencode(os.fspath(name))
    return raw.decode("utf-8", errors="replace")


class Archive:
    """The archive of one data directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.dir = self.root / "archive"

    @property
    def files_dir(self) -> Path:
        return self.dir / "fichiers"

    @property
    def receipts_dir(self) -> Path:
        return self.dir / "recus"

    @property
    def reports_dir(self) -> Path:
        return self.dir / "rapports-erreurs"

    def path_for(self, digest: str, name: str) -> Path:
        suffix = Path(display_name(name)).suffix.lower()
        suffix = suffix if _SAFE_SUFFIX.match(suffix) else ".bin"
        return self.files_dir / digest[:2] / f"{digest}{suffix}"

    def keep(self, data: bytes, name: str, digest: str | None = None) -> Path:
        """Archive the bytes (no-op when the same bytes are already there); return the path."""
        digest = digest or sha256(data)
        path = self.path_for(digest, name)
        if not (path.exists() and path.stat().st_size == len(data)):
            atomic_write_bytes(path, data)
        return path

    def write_receipt(self, receipt: dict[str, Any]) -> Path:
        """Write one receipt (a new file, atomically); fills receipt_id and received_at if absent."""
        rec = dict(receipt)
        rec.setdefault("received_at", dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"))
        rec.setdefault("receipt_id", uuid.uuid4().hex[:12])
        stamp = rec["received_at"].replace(":", "").replace("-", "").replace("+0000", "")[:22]
        name = f"{stamp}_{str(rec.get('sha256', ''))[:12]}_{rec['receipt_id']}.json"
        path = self.receipts_dir / name
        atomic_write_bytes(path, json.dumps(rec, ensure_ascii=False, indent=1, default=str).encode("utf-8"))
        return path

    def receipts(self) -> pd.DataFrame:
        """Every receipt, oldest first (problems are left out of the table; see ``receipt``)."""
        rows = []
        if self.receipts_dir.exists():
            for p in sorted(self.receipts_dir.glob("*.json")):
                try:
                    rec = json.loads(p.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                rows.append({c: rec.get(c) for c in RECEIPT_COLUMNS})
        df = pd.DataFrame(rows, columns=RECEIPT_COLUMNS)
        return df.sort_values("received_at", kind="stable").reset_index(drop=True)

    def receipt(self, receipt_id: str) -> dict[str, Any]:
        for p in self.receipts_dir.glob(f"*_{receipt_id}.json"):
            return json.loads(p.read_text(encoding="utf-8"))
        raise KeyError(receipt_id)
