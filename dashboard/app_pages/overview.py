"""Overview: the six headline KPIs with trend and change against the previous period."""

from __future__ import annotations

import streamlit as st

from analytics.kpis import HIGHER_IS_BETTER, KPI_KEYS
from dashboard import figures, resources, state
from dashboard.i18n import fmt_days, fmt_int, fmt_pct, t

state.require("read")
st.title(t("nav.overview"))
url = resources.store_url()
f = state.filters()
values = resources.kpi_values(url, f)
trend = resources.kpi_trend(url, f)


def _fmt(key: str, v: float | None, signed: bool = False) -> str:
    if key == "time_to_hire":
        return fmt_days(v, signed=signed)
    if key in ("offer_acceptance", "international_share"):
        return fmt_pct(v, signed=signed)
    if signed:
        return "—" if v is None else f"{v:+,.0f}"
    return fmt_int(v)


TREND_COL = {
    "open_roles": None,
    "in_pipeline": "applications",
    "hires": "hires",
    "time_to_hire": "time_to_hire",
    "offer_acceptance": "offer_acceptance",
    "international_share": "international_share",
}
cols: list = []
for i, key in enumerate(KPI_KEYS):
    if i % 3 == 0:  # one row of three at a time, so the cards of a row line up
        cols = st.columns(3)
    k = values[key]
    col = TREND_COL[key]
    chart = None
    if col and not trend.empty:
        chart = trend[col].fillna(0).tolist()
    with cols[i % 3]:
        st.metric(
            t(f"kpi.{key}"),
            _fmt(key, k.value),
            delta=None if k.change is None else _fmt(key, k.change, signed=True),
            delta_color="normal" if HIGHER_IS_BETTER[key] else "inverse",
            chart_data=chart,
            chart_type="line",
            border=True,
            help=t("kpi.vs_previous"),
        )
if f.start is None:
    st.caption(t("overview.no_period"))

left, right = st.columns([2, 1])
with left:
    options = ["applications", "hires", "time_to_hire", "offer_acceptance", "international_share"]
    labels = {
        "applications": t("overview.applications"),
        "hires": t("kpi.hires"),
        "time_to_hire": t("kpi.time_to_hire"),
        "offer_acceptance": t("kpi.offer_acceptance"),
        "international_share": t("kpi.international_share"),
    }
    metric = st.selectbox(
        t("overview.trend_metric"),
        options,
        format_func=labels.get,
        key=state.widget_key("overview_metric"),
    )
    if not trend.empty:
        st.plotly_chart(
            figures.trend(
                trend,
                metric,
                f"{t('overview.trend')}: {labels[metric]}",
                labels[metric],
                percent=metric in ("offer_acceptance", "international_share"),
                month_format=t("chart.month_format"),
            ),
            key="overview_trend",
        )
with right:
    counts = resources.status_counts(url, f)
    names = [
        t(f"status.{k}") if k in ("active", "hired", "rejected", "withdrawn") else k for k in counts
    ]
    st.plotly_chart(
        figures.bars(names, list(counts.values()), t("overview.status"), t("chart.count")),
        key="overview_status",
    )
