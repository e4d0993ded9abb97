"""Overview: the six headline KPIs with trend, target and change against the previous period.

Names, definitions (the tooltips) and numbers come from the metric layer
(``data.queries.metrics``); targets are stored per KPI and set here by admins and recruiters.
"""

from __future__ import annotations

import streamlit as st

from analytics.kpis import HIGHER_IS_BETTER, KPI_KEYS
from dashboard import figures, first_run, resources, state
from dashboard.i18n import fmt_days, fmt_int, fmt_pct, lang, t
from data.queries.metrics import METRICS
from data.queries.setup import is_first_run

state.require("read")
st.title(t("nav.overview"))
url = resources.store_url()
setup = resources.setup_counts(url)
if is_first_run(setup):
    first_run.show(setup)
    st.stop()
f = state.filters()
lg = lang()
values = resources.kpi_values(url, f)
trend = resources.kpi_trend(url, f)
goals = resources.kpi_targets(url)


def _fmt(key: str, v: float | None, signed: bool = False) -> str:
    unit = METRICS[key].unit
    if unit == "days":
        return fmt_days(v, signed=signed)
    if unit == "share":
        return fmt_pct(v, signed=signed)
    if signed:
        return "—" if v is None else f"{v:+,.0f}"
    return fmt_int(v)


def _help(key: str) -> str:
    """The tooltip: the metric layer's definition, then what the delta and target mean."""
    text = METRICS[key].definition(lg) + "\n\n" + t("kpi.delta_note")
    if key in goals:
        text += "\n\n" + t("kpi.target_value", value=_fmt(key, goals[key]))
    return text


TREND_COL = {
    "open_roles": None,
    "in_pipeline": "applications",
    "hires": "hires",
    "time_to_hire": "time_to_hire",
    "offer_acceptance": "offer_acceptance",
    "international_share": "international_share",
}
# sparklines leave the partial month out: a 5-day month drawn beside full ones reads as a crash
complete = trend[~trend["partial"].astype(bool)] if not trend.empty else trend
cols: list = []
for i, key in enumerate(KPI_KEYS):
    if i % 3 == 0:  # one row of three at a time, so the cards of a row line up
        cols = st.columns(3)
    k = values[key]
    col = TREND_COL[key]
    chart = None
    if col and not complete.empty:
        chart = [0.0 if v is None or v != v else float(v) for v in complete[col].tolist()]
    value = _fmt(key, k.value)
    if key in goals:
        value = f"{value} / {_fmt(key, goals[key])}"
    with cols[i % 3]:
        st.metric(
            METRICS[key].name(lg),
            value,
            delta=None if k.change is None else _fmt(key, k.change, signed=True),
            delta_color="normal" if HIGHER_IS_BETTER[key] else "inverse",
            chart_data=chart,
            chart_type="line",
            border=True,
            help=_help(key),
        )
        if key in goals and k.value is not None:
            hit = k.value >= goals[key] if HIGHER_IS_BETTER[key] else k.value <= goals[key]
            st.caption(
                f"{t('kpi.target')}: {_fmt(key, goals[key])} · "
                + (t("kpi.on_target") if hit else t("kpi.off_target"))
            )
if f.start is None:
    st.caption(t("overview.no_period"))

left, right = st.columns([2, 1])
with left:
    options = ["applications", "hires", "time_to_hire", "offer_acceptance", "international_share"]
    labels = {k: METRICS[k].name(lg) for k in options}
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
                percent=METRICS[metric].unit == "share",
                month_format=t("chart.month_format"),
                partial_label=t("overview.partial"),
                target=goals.get(metric),
                target_label=t("kpi.target"),
            ),
            key="overview_trend",
        )
        partial = trend[trend["partial"].astype(bool)]
        if not partial.empty:
            through = resources.data_through(url)
            st.caption(
                t(
                    "overview.partial_note",
                    month=", ".join(partial["month"]),
                    through=f.end if f.end and (through is None or f.end < through) else through,
                )
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

with st.expander(t("overview.definitions")):
    for key in ("applications", *KPI_KEYS, "conversion", "time_in_stage", "retention"):
        st.markdown(f"**{METRICS[key].name(lg)}**: {METRICS[key].definition(lg)}")

if state.user_can("write"):
    with st.expander(t("overview.targets")), st.form("overview_targets"):
        st.caption(t("overview.targets_help"))
        entered: dict[str, float] = {}
        for key in KPI_KEYS:
            unit = METRICS[key].unit
            current = goals.get(key, 0.0)
            entered[key] = st.number_input(
                METRICS[key].name(lg) + (" (%)" if unit == "share" else ""),
                min_value=0.0,
                max_value=100.0 if unit == "share" else None,
                value=float(current * 100 if unit == "share" else current),
                step=1.0,
                key=f"target_{key}",
            )
        if st.form_submit_button(t("overview.targets_save")):
            from data.store.targets import set_target

            user = state.current_user()
            with resources.session() as s:
                for key, v in entered.items():
                    share = METRICS[key].unit == "share"
                    new = (v / 100 if share else v) or None
                    if new != goals.get(key):
                        set_target(s, key, new, actor=user.name, known=KPI_KEYS, share=share)  # type: ignore[union-attr]
            resources.clear_caches()
            st.success(t("overview.targets_saved"))
            st.rerun()
