"""Subprocess of the nothing-lost tests: import one remontées workbook into a data directory.

    python _import_worker.py DONNEES FICHIER [KILL_AT [before|after]]

With KILL_AT = n, the process sends itself SIGKILL at its n-th ``os.replace`` (every atomic write of
the archive, the tables, the manifest and the receipt ends with one), just before (``before``) or
just after (``after``) the rename — a ``kill -9`` at every write point of an import, deterministically.
Prints the outcome and exits 0 when the import ran to the end.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
from pathlib import Path


def main() -> int:
    donnees, file = Path(sys.argv[1]), Path(sys.argv[2])
    kill_at = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    when = sys.argv[4] if len(sys.argv) > 4 else "before"
    if kill_at:
        real, calls = os.replace, [0]

        def replace(src, dst):  # type: ignore[no-untyped-def]
            calls[0] += 1
            if calls[0] == kill_at and when == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            real(src, dst)
            if calls[0] == kill_at and when == "after":
                os.kill(os.getpid(), signal.SIGKILL)

        os.replace = replace  # type: ignore[assignment]
    from cpc_toolkit.remontees.importer import import_file
    from cpc_toolkit.remontees.store import RemonteesStore

    res = import_file(file, RemonteesStore(donnees), today=dt.date(2026, 6, 30))
    print(res.outcome, res.cour_id, res.year, res.version)
    return 0 if res.outcome == "accepte" else 1


if __name__ == "__main__":
    sys.exit(main())
