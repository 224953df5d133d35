"""Subprocess helper of test_store.py: writes a deterministic batch into a store.

Usage: python _store_worker.py ROOT LABEL [--go FILE] [--repeat N] [--die-after K] [--count-ops]

- prints ``loaded`` once imported, then ``ready`` just before calling ``Store.write`` (the parent
  times its SIGKILL from there);
- ``--go FILE``: wait until FILE exists before writing (two writers start together);
- ``--die-after K``: SIGKILL itself right after the K-th file-system operation of the write
  (os.replace, os.fsync, Path.unlink, first row group of each Parquet file) — every boundary
  of the write can be hit;
- ``--count-ops``: print the number of such operations of one write.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pathlib
import signal
import sys
import time

import pandas as pd
import pyarrow.parquet as pq

COURTS = [f"tj-c{i:03d}" for i in range(40)]
IDS = [f"ind_{j:02d}" for j in range(40)]


def batch(label: str, years: tuple[int, ...] = (2024, 2025), courts: list[str] | None = None) -> list:
    """Deterministic records for ``label`` (values depend on label, court, year, indicator)."""
    from cpc_toolkit.store import SubmissionRecord

    out = []
    for year in years:
        for cid in courts or COURTS:
            seed = int(hashlib.sha256(f"{label}:{cid}:{year}".encode()).hexdigest()[:8], 16)
            vals = pd.DataFrame({
                "indicator_id": IDS,
                "value": [float((seed + k) % 997) for k in range(len(IDS))],
                "text": [None] * len(IDS),
                "status": ["ok"] * (len(IDS) - 1) + ["NA"],
            })
            out.append(SubmissionRecord(cid, year, "classeur", vals, sha256=f"{seed:x}", file_name=label))
    return out


def _instrument(die_after: int | None, counter: list[int]) -> None:
    def step() -> None:
        counter[0] += 1
        if die_after is not None and counter[0] >= die_after:
            os.kill(os.getpid(), signal.SIGKILL)

    def wrap(owner, name):
        orig = getattr(owner, name)

        def inner(*a, **k):
            res = orig(*a, **k)
            step()
            return res

        setattr(owner, name, inner)

    wrap(os, "replace")
    wrap(os, "fsync")
    wrap(pathlib.Path, "unlink")
    # one kill point per Parquet file being written: after its first row group (half-written file)
    orig_write = pq.ParquetWriter.write_table

    def write_table(self, *a, **k):
        res = orig_write(self, *a, **k)
        if not getattr(self, "_counted", False):
            self._counted = True
            step()
        return res

    pq.ParquetWriter.write_table = write_table


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("label")
    p.add_argument("--go")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--die-after", type=int)
    p.add_argument("--count-ops", action="store_true")
    args = p.parse_args()
    from cpc_toolkit.store import Store

    store = Store(args.root)
    records = batch(args.label)
    counter = [0]
    if args.die_after is not None or args.count_ops:
        _instrument(args.die_after, counter)
    print("loaded", flush=True)
    if args.go:
        while not os.path.exists(args.go):
            time.sleep(0.005)
    print("ready", flush=True)
    for i in range(args.repeat):
        store.write(records if i == 0 else batch(f"{args.label}-{i}"))
    if args.count_ops:
        print(counter[0], flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    sys.exit(main())
