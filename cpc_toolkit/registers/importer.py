"""Import of a register file: read → validate (whole file or nothing) → compute the per
court-year indicators → keep the rows (restricted) → write the results to the main store.

The results enter the store as submissions of channel ``registre:<type>``, so that the engine,
reports and dashboards see them like any indicator, with their source.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from cpc_toolkit.errors import Location, ReasonCode, UsageError, ValidationError
from cpc_toolkit.registers import mesures, ordonnances, procedures, storage
from cpc_toolkit.registers.io import read_table, validate
from cpc_toolkit.registers.schema import schema
from cpc_toolkit.safeopen import printable
from cpc_toolkit.store import Store, SubmissionRecord
from cpc_toolkit.store.oserrors import storage_errors

MIN_YEAR = 2000


@dataclass
class ImportResult:
    register_type: str
    file_name: str
    sha256: str
    n_rows: int = 0
    court_years: list[tuple[str, int]] = field(default_factory=list)
    values: pd.DataFrame = field(default_factory=pd.DataFrame)  # court_id, year, indicator_id, value
    warnings: list[str] = field(default_factory=list)
    already_imported: dict | None = None


def channel(register_type: str) -> str:
    return f"registre:{register_type}"


def default_measure_year(today: dt.date) -> int:
    """Register year of a measures export when ``--annee`` is not given: the last full year."""
    return today.year - 1


def register_years(register_type: str, rows: pd.DataFrame, year: int | None, today: dt.date) -> pd.Series:
    if register_type == "mesures":
        y = year if year is not None else default_measure_year(today)
        return pd.Series(int(y), index=rows.index, dtype="int64")
    if register_type == "procedures":
        return procedures.row_years(rows)
    return ordonnances.row_years(rows)


def compute_values(register_type: str, rows: pd.DataFrame, years: pd.Series,
                   as_of: dt.date) -> pd.DataFrame:
    """Indicators of every (court, register year) present in ``rows`` (pure)."""
    if register_type == "mesures":
        frames = [mesures.indicators(rows[years == y], int(y)) for y in sorted(years.unique())]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if register_type == "procedures":
        return procedures.indicators(rows, as_of)
    return ordonnances.indicators(rows, as_of)


def records(values: pd.DataFrame, register_type: str, sha256: str, file_name: str, n_warnings: int = 0,
            demo: bool = False) -> list[SubmissionRecord]:
    """One store submission per court-year (NaN values are stored as NA)."""
    if values.empty:
        return []
    v = values.sort_values(["court_id", "year", "indicator_id"], kind="stable", ignore_index=True)
    value = v["value"].to_numpy(dtype="float64")
    status = np.where(np.isnan(value), "NA", "ok")
    ind = v["indicator_id"].astype(str).to_numpy()
    keys = v[["court_id", "year"]]
    bounds = np.flatnonzero(keys.ne(keys.shift()).any(axis=1).to_numpy())
    ends = np.append(bounds[1:], len(v))
    out = []
    for a, b in zip(bounds, ends, strict=True):
        vals = pd.DataFrame({"indicator_id": ind[a:b], "value": value[a:b], "status": status[a:b]})
        out.append(SubmissionRecord(court_id=str(v.at[a, "court_id"]), year=int(cast(int, v.at[a, "year"])),
                                    channel=channel(register_type), values=vals, sha256=sha256,
                                    file_name=file_name, n_warnings=n_warnings, demo=demo))
    return out



def import_register(store: Store, register_type: str, path: str | Path, year: int | None = None,
                    as_of: dt.date | None = None, today: dt.date | None = None,
                    source_format: str = "natif") -> ImportResult:
    """Import one register file; the whole file or nothing. Same bytes twice is a no-op.

    ``source_format="emjpm"``: an e-MJPM export of measures (see ``registers.emjpm``), mapped to the
    native columns then validated and computed the same way.
    """
    schema(register_type)
    if source_format == "emjpm" and register_type != "mesures":
        raise UsageError("Le format e-MJPM ne concerne que le registre des mesures (--type mesures).",
                         ReasonCode.USAGE)
    today = today or dt.date.today()
    as_of = as_of or today
    path = Path(path)
    if year is not None and not (MIN_YEAR <= year <= today.year):
        raise UsageError(f"Année invalide : {year} (entre {MIN_YEAR} et {today.year}).", ReasonCode.UNKNOWN_YEAR)
    if register_type == "mesures" and year is not None and year >= today.year:
        raise UsageError(f"Le registre des mesures décrit la situation au 31 décembre : l'année {year} "
                         "n'est pas terminée.", ReasonCode.UNKNOWN_YEAR)
    shown = printable(os.fsdecode(path.name).encode("utf-8", "replace").decode("utf-8"))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"Fichier introuvable ou illisible : « {printable(str(path))} ».", [],
                              Location(file=shown), ReasonCode.FILE_UNREADABLE) from exc
    sha = hashlib.sha256(data).hexdigest()
    key_year = year if year is not None else (default_measure_year(today) if register_type == "mesures"
                                              else None)
    result = ImportResult(register_type, shown, sha)
    for entry in storage.imports_log(store.root):
        if entry["sha256"] == sha and entry["type"] == register_type and entry.get("annee") == key_year:
            result.already_imported = entry
            return result
    ext = None
    if source_format == "emjpm":
        from cpc_toolkit.registers import emjpm

        ext = emjpm.read_export(path, data)
        try:
            rows, warnings = validate(ext.raw, register_type, today)
        except ValidationError as exc:
            raise emjpm.relocate(exc) from exc
        warnings = [*ext.warnings, *warnings]
    else:
        raw = read_table(path, register_type, data)
        rows, warnings = validate(raw, register_type, today)
    years = register_years(register_type, rows, year, today)
    if year is not None and register_type != "mesures":
        keep = years == year
        if not keep.any():
            raise UsageError(f"Aucune ligne du fichier ne relève de l'année {year}.", ReasonCode.UNKNOWN_YEAR)
        if (~keep).any():
            warnings.append(f"{int((~keep).sum())} ligne(s) d'autres années ignorée(s) (--annee {year}).")
        rows, years = rows[keep], years[keep]
    values = compute_values(register_type, rows, years, as_of)
    if ext is not None and not values.empty:  # what the export cannot tell is NA, never 0
        values = values.assign(value=values["value"].where(~values["indicator_id"].isin(ext.na_indicators)))
    result.n_rows, result.values, result.warnings = len(rows), values, warnings
    with storage_errors(store.root, "le registre importé", "Relancez l'import une fois le problème corrigé (un "
                        "même fichier importé deux fois ne change rien)."), storage.locked(store.root):
        if ext is not None:  # the mapped rows only: no personal field of the export is kept
            storage.archive(store.root, sha, ".emjpm.csv", ext.archive_bytes)
        else:
            storage.archive(store.root, sha, path.suffix, data)
        result.court_years = sorted(storage.write_rows(store.root, register_type, rows, years))
        store.write(records(values, register_type, sha, shown, len(warnings)))
        storage.append_import(store.root, {
            "sha256": sha, "type": register_type, "file_name": shown, "annee": key_year,
            "format": source_format,
            "imported_at": storage.now_iso(), "rows": len(rows),
            "court_years": [[c, y] for c, y in result.court_years],
        })
    return result
