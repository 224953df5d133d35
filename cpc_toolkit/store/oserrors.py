"""French errors for failed writes under a data directory (full disk, read-only directory)."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator

from cpc_toolkit.errors import ReasonCode, StoreError

__all__ = ["storage_errors"]


@contextlib.contextmanager
def storage_errors(root: str | os.PathLike[str], what: str, consequence: str) -> Iterator[None]:
    """Turn an OSError while writing under the data directory into a French :class:`StoreError`."""
    try:
        yield
    except OSError as exc:
        code = exc.errno
        if code in (errno.ENOSPC, errno.EDQUOT):
            msg, reason = (f"Espace disque insuffisant pour {what} dans « {root} » : libérez de la place, puis "
                           f"relancez l'import. {consequence}", ReasonCode.DISK_FULL)
        elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
            msg, reason = (f"Le dossier de données « {root} » n'est pas accessible en écriture (droits "
                           f"insuffisants ou disque en lecture seule) : impossible d'écrire {what}. Choisissez un "
                           f"dossier modifiable (option --donnees) ou corrigez ses droits. {consequence}",
                           ReasonCode.READ_ONLY)
        else:
            msg, reason = (f"Écriture impossible ({what}) dans « {root} » : {exc.strerror or exc}. {consequence}",
                           ReasonCode.STORE_CORRUPT)
        raise StoreError(msg, reason) from exc


