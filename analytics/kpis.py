"""Headline KPIs with their monthly trend and their change against the previous period.

The definitions and the SQL are the metric layer's (``data.queries.metrics``); this module
pairs a period with the one before it and lays the monthly series out as a DataFrame.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from analytics.filters import Filters
from data.queries import metrics as mq
from data.queries.metrics import KPI_KEYS, METRICS

HIGHER_IS_BETTER = {k: METRICS[k].higher_is_better for k in KPI_KEYS}
TREND_COLUMNS = [
    "month",
    "applications",
    "hires",
    "offers",
    "accepted",
    "offer_acceptance",
    "international_share",
    "time_to_hire",
    "partial",
]


@dataclass(frozen=True)
class Kpi:
    """One headline number; ``change`` is ``value - previous`` (None when either is missing)."""

    key: str
    value: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def kpis(session: Session, filters: Filters, *, home_country: str = "CN") -> dict[str, Kpi]:
    """The six headline KPIs for the period and the same-length period before it."""
    now = mq.kpi_values(session, filters, home_country=home_country)
    prev_f = filters.previous_period()
    before: dict[str, float | None] = (
        mq.kpi_values(session, prev_f, home_country=home_country)
        if prev_f != filters
        else dict.fromkeys(KPI_KEYS)
    )
    return {k: Kpi(k, now[k], before[k]) for k in KPI_KEYS}


def kpi_trend(session: Session, filters: Filters, *, home_country: str = "CN") -> pd.DataFrame:
    """Monthly series within the period (``data.queries.metrics.monthly``), one row a month;
    ``partial`` marks a month the period or the data covers only in part."""
    return pd.DataFrame(
        mq.monthly(session, filters, home_country=home_country), columns=TREND_COLUMNS
    )


__all__ = ["HIGHER_IS_BETTER", "KPI_KEYS", "Kpi", "kpi_trend", "kpis"]
