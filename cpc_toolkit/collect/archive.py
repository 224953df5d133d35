"""Archive of every received file (byte for byte) and the receipts table.

Layout under the data directory::

    archive/fichiers/<sha256[:2]>/<sha256><ext>   the received bytes (content-addressed)
    archive/recus/<time>_<batch>.jsonl            receipts of one import batch (append-only)
    archive/rapports-erreurs/                     error reports of rejected files

Every write is atomic (temp file + rename); each import batch writes its receipts to a new file
with a unique name, so two imports running at the same time never overwrite each other. A receipt records the original
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

from cpc_toolkit.files import atomic_write_bytes
from cpc_toolkit.safeopen import WORKBOOK_LIMITS, printable
from cpc_toolkit.store.receipts import RECEIPTS_SUBDIR, iter_receipts

__all__ = ["OUTCOME_LABELS", "RECEIPT_COLUMNS", "Archive", "display_name", "sha256"]

OUTCOME_LABELS = {"accepted": "accepté", "rejected": "refusé", "duplicate": "déjà reçu (sans effet)"}
RECEIPT_COLUMNS = ["receipt_id", "received_at", "file_name", "size", "sha256", "outcome", "court_id", "year",
                   "submission_id", "n_errors", "n_warnings", "archive_path", "error_report"]
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")
# a received file larger than this (always refused: above the readers' size limit) is archived as its
# digest and metadata (``<sha256>.json``), not whole
ARCHIVE_MAX_BYTES = WORKBOOK_LIMITS.max_file_bytes


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def display_name(name: str | os.PathLike[str]) -> str:
    """A printable, valid UTF-8 one-line version of a file name (undecodable bytes become U+FFFD, control
    characters are escaped: ``\\x1b``, ``\\n``)."""
    raw = os.fsencode(os.fspath(name))
    return printable(raw.decode("utf-8", errors="replace"))


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
        return self.root / RECEIPTS_SUBDIR

    @property
    def reports_dir(self) -> Path:
        return self.dir / "rapports-erreurs"

    def path_for(self, digest: str, name: str) -> Path:
        suffix = Path(display_name(name)).suffix.lower()
        suffix = suffix if _SAFE_SUFFIX.match(suffix) else ".bin"
        return self.files_dir / digest[:2] / f"{digest}{suffix}"

    def keep(self, data: bytes, name: str, digest: str | None = None, durable: bool = True) -> Path:
        """Archive the bytes (no-op when the same bytes are already there); return the path.

        ``durable=False`` skips the per-file fsync: the caller then calls :meth:`sync` once for
        the whole batch (before committing anything that refers to the files).
        """
        digest = digest or sha256(data)
        if len(data) > ARCHIVE_MAX_BYTES:
            return self._keep_metadata(data, name, digest)
        path = self.path_for(digest, name)
        if path.exists() and path.stat().st_size == len(data):
            return path
        atomic_write_bytes(path, data, durable=durable)
        return path

    def _keep_metadata(self, data: bytes, name: str, digest: str) -> Path:
        path = self.files_dir / digest[:2] / f"{digest}.json"
        if not path.exists():
            meta = {"sha256": digest, "size": len(data), "file_name": display_name(name),
                    "head_hex": data[:64].hex(), "kept": False,
                    "reason": f"fichier de plus de {ARCHIVE_MAX_BYTES // 1_048_576} Mo : seule son empreinte "
                              "est conservée"}
            atomic_write_bytes(path, json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
        return path

    @staticmethod
    def sync() -> None:
        """Flush every pending write to disk (one call for a batch of non-durable writes)."""
        os.sync()

    def write_receipts(self, receipts: list[dict[str, Any]]) -> Path:
        """Write the receipts of one import batch as ONE new JSON-lines file (atomic, unique name).

        Fills ``receipt_id`` and ``received_at`` when absent. Returns the file's path.
        """
        now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        batch = uuid.uuid4().hex[:12]
        lines = []
        for rec in receipts:
            rec = dict(rec)
            rec.setdefault("received_at", now)
            rec.setdefault("receipt_id", uuid.uuid4().hex[:12])
            rec["batch_id"] = batch
            lines.append(json.dumps(rec, ensure_ascii=False, default=str))
        stamp = now.replace(":", "").replace("-", "").replace("+0000", "")[:22]
        path = self.receipts_dir / f"{stamp}_{batch}.jsonl"
        atomic_write_bytes(path, ("\n".join(lines) + "\n").encode("utf-8"))
        return path

    def _records(self) -> list[dict[str, Any]]:
        return list(iter_receipts(self.root))  # one reader of the receipts (store.receipts)

    def receipts(self) -> pd.DataFrame:
        """Every receipt, oldest first (problems are left out of the table; see :meth:`receipt`)."""
        rows = [{c: rec.get(c) for c in RECEIPT_COLUMNS} for rec in self._records()]
        df = pd.DataFrame(rows, columns=RECEIPT_COLUMNS)
        return df.sort_values("received_at", kind="stable").reset_index(drop=True)

    def receipt(self, receipt_id: str) -> dict[str, Any]:
        """One full receipt, problems included."""
        for rec in self._records():
            if rec.get("receipt_id") == receipt_id:
                return rec
        raise KeyError(receipt_id)
