"""Calibrated synthetic demo data (« données fictives »).

Deterministic for a given seed. Calibrated on the national figures of
``shared/notes/indicators.md`` §2.2 (TJ civil inflow ≈ 1.45 M a year with coverage ≈ 98 %,
≈ 107 000 openings of protection measures a year, ≈ 4 500–7 000 OP requests with ≈ 2/3 granted,
≈ 1 000 agricultural procedures, collective procedures split ≈ 70/29/2 LJ/RJ/sauvegarde),
distributed by court size, internally consistent, continuous from year to year, with a few
imperfections (missing court-years, NA cells).

The label printed on demo outputs is a setting (``cpc_toolkit.settings.DEMO_LABEL``), so that
rendering never imports the generator.
"""

from cpc_toolkit.demo.generate import (
    DEMO_YEARS,
    MISSING_COURT_YEARS,
    court_sizes,
    generate_inputs,
)

__all__ = ["DEMO_YEARS", "MISSING_COURT_YEARS", "court_sizes", "generate_inputs"]
