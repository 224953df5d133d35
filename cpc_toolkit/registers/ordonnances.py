"""Register of ordonnances de protection (OP) and OPPI.

* Register year of a row: year of the OP decision, otherwise of the request.
* OP delay (art. 515-11 C. civ.): whole calendar days from the order fixing the hearing date
  (or, when the register does not give it, from the request) to the decision. Deadlines in days
  run by calendar day (art. 641 CPC), so the time of day is ignored: a decision 6 days and 1 hour
  after the fixing order is within the 6 days; one of 7 calendar days is late.
* OPPI delay (art. 515-13-1 C. civ.): hours from seisin to decision; strictly more than 24 h is
  late. An OPPI still undecided more than 24 h after seisin at the reference date is late too.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cpc_toolkit.registers.clocks import to_day

OP_MAX_DAYS = 6
OPPI_MAX = np.timedelta64(24, "h")
INDICATORS = ("reg_op_decisions", "reg_op_hors_delai_6j", "reg_op_delai_median", "reg_oppi_decisions",
              "reg_oppi_hors_delai_24h")


def row_years(rows: pd.DataFrame) -> pd.Series:
    when = rows["date_decision"].fillna(rows["date_demande"])
    return when.dt.year.astype("int64")


def clocks(rows: pd.DataFrame, as_of: dt.datetime | dt.date | None = None) -> pd.DataFrame:
    """Delays and late flags aligned on ``rows`` (pure)."""
    ref = pd.Timestamp(as_of or dt.datetime.now()).to_datetime64().astype("datetime64[s]")
    decision = to_day(rows["date_decision"])
    fixed = to_day(rows["date_fixation_audience"])
    start = np.where(np.isnat(fixed), to_day(rows["date_demande"]), fixed)
    decided = ~np.isnat(decision)
    delay = np.where(decided, (decision - start).astype("timedelta64[D]").astype("float64"), np.nan)
    seisin = np.asarray(rows["oppi_saisine"].to_numpy(dtype="datetime64[s]"))
    oppi_dec = np.asarray(rows["oppi_decision"].to_numpy(dtype="datetime64[s]"))
    oppi = ~np.isnat(seisin)
    until = np.where(np.isnat(oppi_dec), ref, oppi_dec)
    return pd.DataFrame({
        "op_decidee": decided,
        "op_delai_jours": delay,
        "op_hors_delai": decided & (delay > OP_MAX_DAYS),
        "oppi": oppi,
        "oppi_hors_delai": oppi & ((until - seisin) > OPPI_MAX),
    }, index=rows.index)


def indicators(rows: pd.DataFrame, as_of: dt.datetime | dt.date | None = None) -> pd.DataFrame:
    """Per court-year indicators: court_id, year, indicator_id, value (median NaN if no decision)."""
    if rows.empty:
        return pd.DataFrame(columns=["court_id", "year", "indicator_id", "value"])
    c = clocks(rows, as_of)
    data = pd.DataFrame({
        "court_id": rows["juridiction"].astype(str).to_numpy(), "year": row_years(rows).to_numpy(),
        "reg_op_decisions": c["op_decidee"].to_numpy(), "reg_op_hors_delai_6j": c["op_hors_delai"].to_numpy(),
        "reg_op_delai_median": c["op_delai_jours"].to_numpy(),
        "reg_oppi_decisions": c["oppi"].to_numpy(), "reg_oppi_hors_delai_24h": c["oppi_hors_delai"].to_numpy(),
    })
    g = data.groupby(["court_id", "year"], sort=True)
    wide = g[["reg_op_decisions", "reg_op_hors_delai_6j", "reg_oppi_decisions",
              "reg_oppi_hors_delai_24h"]].sum().astype("float64")
    wide["reg_op_delai_median"] = g["reg_op_delai_median"].median()
    melted = wide[list(INDICATORS)].reset_index().melt(id_vars=["court_id", "year"],
                                                       var_name="indicator_id", value_name="value")
    return melted.sort_values(["court_id", "year", "indicator_id"], ignore_index=True)
