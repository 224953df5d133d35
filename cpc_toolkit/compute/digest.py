"""Reproducibility stamp and rectificatifs, data side (issue 16, point 2).

Lives in compute so that both render (report footers, documents, campaign rectificatifs) and
publish (open-data bundle) use the one implementation.

* :func:`figures_snapshot` — the figures a document uses (unit, indicator, value, status, coverage),
  in a canonical order, from the engine results;
* :func:`data_digest` — a short digest of those figures (same figures → same digest, whatever the
  store's history), printed in every document and in the open-data bundle;
* :func:`stamp` / :func:`stamp_text` — the reproducibility stamp of a document: tool version, catalogue
  version, data digest, build date (French sentence for the footer);
* :func:`save_snapshot` / :func:`load_snapshot` — the published figures of a campaign (its manifest);
* :func:`changed_figures` — the figures that differ between two snapshots (a previous publication
  and now), with the resubmissions that explain them (:func:`resubmissions_between`).

Pure functions over DataFrames (inputs never mutated), except the two file helpers.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cpc_toolkit import __version__, catalogue
from cpc_toolkit.fr import format_date
from cpc_toolkit.store import atomic_write_bytes

SNAPSHOT_COLUMNS = ["unit_id", "year", "indicator_id", "value", "text", "status", "n_reporting", "n_expected"]
DIGEST_CHARS = 12


def figures_snapshot(res: pd.DataFrame, year: int | Iterable[int] | None = None,
                     unit_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """The figures of ``res`` (optionally one or more years and units) in canonical form and order."""
    keep = np.ones(len(res), dtype=bool)  # one selection of the snapshot's columns, not one per filter
    if year is not None:
        years = [int(year)] if isinstance(year, int | np.integer) else [int(y) for y in year]
        keep &= res["year"].isin(years).to_numpy(dtype=bool)
    if unit_ids is not None:
        keep &= res["unit_id"].isin(list(unit_ids)).to_numpy(dtype=bool)
    out = res.loc[keep, SNAPSHOT_COLUMNS] if not keep.all() else res[SNAPSHOT_COLUMNS].copy()
    out["value"] = out["value"].astype("float64").round(9)
    out["text"] = out["text"].astype("string").fillna("")
    out["year"] = out["year"].astype("int64")
    for c in ("n_reporting", "n_expected"):
        out[c] = out[c].astype("int64")
    return out.sort_values(["unit_id", "year", "indicator_id"], kind="stable", ignore_index=True)


def snapshot_csv(snap: pd.DataFrame) -> bytes:
    """The UTF-8 CSV the digest is taken of: exactly ``snap.to_csv(index=False, lineterminator="\\n",
    float_format="%.9g", na_rep="")`` (Python's minimal quoting, as pandas writes), built column-wise
    with Arrow: each distinct float formatted once by ``"%.9g"``, the rows joined in one pass."""
    header = (",".join(_csv_field(str(c)) for c in snap.columns) + "\n").encode("utf-8")
    if snap.empty:
        return header
    text = pa.large_string()
    parts: list[Any] = []
    for name in snap.columns:
        col = snap[name]
        if pd.api.types.is_float_dtype(col.dtype):
            bits, where = np.unique(col.to_numpy("float64").view(np.int64), return_inverse=True)  # -0 ≠ 0
            shown = pa.array(["" if np.isnan(x) else "%.9g" % x  # noqa: UP031 (pandas' float_format, as is)
                              for x in bits.view(np.float64).tolist()], text)
            parts.append(shown.take(where.ravel()))
        elif pd.api.types.is_bool_dtype(col.dtype):
            parts.append(pa.array(np.where(col.to_numpy(bool), "True", "False"), text))
        elif pd.api.types.is_integer_dtype(col.dtype):
            parts.append(pc.cast(pa.array(col.to_numpy()), text))
        else:
            parts.append(_csv_quoted(pc.fill_null(pa.array(col, from_pandas=True).cast(text), "")))
    rows = pc.binary_join_element_wise(*parts, pa.scalar(",", text))  # a fresh array: its own buffers
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset:rows.offset + len(rows) + 1]
    body = np.frombuffer(rows.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
    return header + np.insert(body, offsets[1:] - offsets[0], ord("\n")).tobytes()


def _csv_field(value: str) -> str:
    """One field as Python's csv writer (minimal quoting) writes it within a row, as pandas does."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([value, ""])  # two fields: a lone one follows other rules
    return buf.getvalue()[:-2]


def _csv_quoted(arr: Any) -> Any:
    """:func:`_csv_field` over a string array: only the few fields holding a comma, a quote or a
    line-break character go through the writer, the others are left as they are."""
    data = arr.buffers()[2]
    raw = data.to_pybytes() if data is not None else b""
    if not any(ch in raw for ch in (b",", b'"', b"\n", b"\r")):
        return arr
    mask = pc.match_substring_regex(arr, '[",\r\n]')
    return pc.replace_with_mask(arr, mask, pa.array([_csv_field(v) for v in pc.filter(arr, mask).to_pylist()],
                                                    arr.type))


def data_digest(res: pd.DataFrame, year: int | Iterable[int] | None = None,
                unit_ids: Iterable[str] | None = None) -> str:
    """Short digest (12 hex characters) of the figures a document uses: SHA-256 of their CSV
    (:func:`snapshot_csv`)."""
    return hashlib.sha256(snapshot_csv(figures_snapshot(res, year, unit_ids))).hexdigest()[:DIGEST_CHARS]


def catalogue_version() -> str:
    """Version of the indicator catalogue (see :func:`cpc_toolkit.catalogue.version`)."""
    return catalogue.version()


def stamp(res: pd.DataFrame, year: int | Iterable[int] | None = None, unit_ids: Iterable[str] | None = None,
          built: dt.date | None = None) -> dict[str, str]:
    """Reproducibility stamp of a document built from these figures."""
    return {"version_outil": __version__, "version_catalogue": catalogue_version(),
            "empreinte_donnees": data_digest(res, year, unit_ids),
            "date_construction": (built or dt.date.today()).isoformat()}


def stamp_text(st: dict[str, str]) -> str:
    """The stamp as one French sentence (report footer, index)."""
    return (f"Établi avec cpc_toolkit {st['version_outil']}, catalogue {st['version_catalogue']}, données "
            f"{st['empreinte_donnees']}, le {format_date(st['date_construction'])}")


def save_snapshot(res: pd.DataFrame, year: int, path: str | Path, store_tag: str = "",
                  published_at: str = "") -> dict[str, object]:
    """Write the published figures of ``year`` (Parquet) and their stamp (JSON beside it)."""
    path = Path(path)
    snap = figures_snapshot(res, year)
    buf = io.BytesIO()
    snap.to_parquet(buf, index=False)
    atomic_write_bytes(path, buf.getvalue())
    stamp: dict[str, object] = {"annee": int(year), "empreinte": data_digest(res, year), "version_outil": __version__,
                                "etat_donnees": store_tag, "publie_le": published_at, "figures": path.name}
    atomic_write_bytes(path.with_suffix(".json"), json.dumps(stamp, ensure_ascii=False, indent=1).encode("utf-8"))
    return stamp


def load_snapshot(path: str | Path) -> pd.DataFrame:
    return figures_snapshot(pd.read_parquet(Path(path)))


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    av, bv = a.to_numpy(dtype="float64"), b.to_numpy(dtype="float64")
    return (np.isnan(av) & np.isnan(bv)) | np.isclose(av, bv, rtol=0, atol=1e-9, equal_nan=True)


def changed_figures(before: pd.DataFrame, after: pd.DataFrame,
                    unit_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Figures whose value, text or status differ between two snapshots (or results frames).

    Returns unit_id, year, indicator_id, value_before, status_before, value_after, status_after —
    one row per changed figure (a figure present on one side only counts as changed). Pure.
    """
    a, b = figures_snapshot(before), figures_snapshot(after)
    if unit_ids is not None:
        keep = list(unit_ids)
        a, b = a[a["unit_id"].isin(keep)], b[b["unit_id"].isin(keep)]
    key = ["unit_id", "year", "indicator_id"]
    m = a.merge(b, on=key, how="outer", suffixes=("_before", "_after"), indicator=True)
    both = m["_merge"] == "both"
    same = (both & pd.Series(_same(m["value_before"], m["value_after"]), index=m.index)
            & (m["text_before"].fillna("") == m["text_after"].fillna(""))
            & (m["status_before"] == m["status_after"]))
    out = m[~same][[*key, "value_before", "status_before", "value_after", "status_after"]]
    return out.sort_values(key, kind="stable", ignore_index=True)


def resubmissions_between(submissions: pd.DataFrame, since: str, court_ids: Iterable[str],
                          year: int | None = None) -> pd.DataFrame:
    """Submissions received after ``since`` (ISO time of the previous publication) for these courts.

    ``submissions`` is ``Store.submissions()`` (all versions); the result explains a rectificatif:
    which resubmission changed the figures. Pure.
    """
    subs = submissions[submissions["court_id"].isin(list(court_ids))]
    if year is not None:
        subs = subs[subs["year"] == year]
    subs = subs[subs["received_at"].astype(str) > since]
    return subs.sort_values(["court_id", "received_at"], kind="stable", ignore_index=True)
