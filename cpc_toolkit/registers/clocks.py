"""Vectorised calendar arithmetic for the legal clocks."""

from __future__ import annotations

import numpy as np
import pandas as pd


def add_months(dates: pd.Series | np.ndarray, months: pd.Series | np.ndarray | int) -> np.ndarray:
    """``date + n months`` with the civil-law convention: same day number, clipped to month end.

    31 October + 4 months = 28 February (29 in a leap year). NaT or NaN months give NaT.
    Returns ``datetime64[D]``. Fully vectorised (no per-row Python).
    """
    d = dates if isinstance(dates, np.ndarray) and dates.dtype == "datetime64[D]" else to_day(dates)
    m = np.asarray(months, dtype="float64")
    m = np.broadcast_to(m, d.shape)
    bad = np.isnat(d) | np.isnan(m)
    mi = np.where(bad, 0, m).astype(np.int64)
    month0 = d.astype("datetime64[M]")
    day = (d - month0.astype("datetime64[D]")).astype(np.int64)
    target = month0 + mi
    last = (target + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    out = np.minimum(target.astype("datetime64[D]") + day, last)
    out = np.where(bad, np.datetime64("NaT", "D"), out)
    return out.astype("datetime64[D]")


def year_end(year: int) -> np.datetime64:
    return np.datetime64(f"{int(year)}-12-31", "D")


def to_day(values: pd.Series | np.ndarray) -> np.ndarray:
    """A date / datetime column as ``datetime64[D]`` (time of day dropped)."""
    if isinstance(values, np.ndarray):
        return values.astype("datetime64[D]")
    return np.asarray(pd.Series(values).to_numpy(dtype="datetime64[D]"))
