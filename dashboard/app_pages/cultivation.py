"""Cultivation and retention: programmes, enrolment, completion, and retention of cohorts
after hire by programme (hires in no programme are the baseline)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import streamlit as st

from analytics.cultivation import HORIZONS, NO_PROGRAMME, retention_by_programme
from dashboard import figures, resources, state, tables
from dashboard.i18n import fmt_days, fmt_int, fmt_pct, lang, t
from data.queries.metrics import METRICS

state.require("read")
st.title(t("nav.cultivation"))
url = resources.store_url()
f = state.filters()
lg = lang()

_, hi = resources.bounds(url)
as_of = resources.data_through(url) or hi or dt.date.today()
# the same hires and time to hire as Overview (the metric layer), and their retention
head = resources.cultivation_headline(url, f, as_of)
cols = st.columns(2 + len(HORIZONS))
cols[0].metric(
    t("cult.headline_hires"), fmt_int(head["hires"]), help=METRICS["hires"].definition(lg)
)
cols[1].metric(
    t("cult.headline_tth"),
    fmt_days(head["time_to_hire"]),
    help=METRICS["time_to_hire"].definition(lg),
)
for c, h in zip(cols[2:], HORIZONS, strict=True):
    # no value because no hire of the period is h days old yet: say so, not a bare dash
    young = head[f"retention_{h}"] is None and bool(head["hires"])
    c.metric(
        t("cult.headline_retention", d=h),
        fmt_pct(head[f"retention_{h}"]),
        delta=t("cult.not_old_enough", d=h) if young else None,
        delta_color="off",
        delta_arrow="off",
        help=METRICS["retention"].definition(lg).replace("N", str(h)),
    )

progs = resources.programmes(url, f, lg)
if progs.empty:
    st.info(t("cult.empty"))
else:
    st.subheader(t("cult.programmes"))
    st.plotly_chart(
        figures.grouped(
            progs,
            "name",
            [
                ("completed", t("col.completed")),
                ("in_progress", t("col.in_progress")),
                ("dropped", t("col.dropped")),
            ],
            "",
            t("chart.count"),
        ),
        key="cult_programmes",
    )
    tables.show(
        progs,
        {
            "name": t("col.programme"),
            "enrolled": t("col.enrolled"),
            "completed": t("col.completed"),
            "in_progress": t("col.in_progress"),
            "dropped": t("col.dropped"),
            "completion_rate": t("col.completion_rate"),
        },
        counts=["enrolled", "completed", "in_progress", "dropped"],
        percents=["completion_rate"],
        key="cult_programmes_table",
    )

# retention needs cohorts old enough to be measured: every hire up to the period's end
history = replace(f, start=None)
coh = resources.cohorts(url, history, lg, as_of)
if not coh.empty:
    coh = coh.assign(name=coh["name"].where(coh["programme"] != NO_PROGRAMME, t("cult.none")))
    per = retention_by_programme(coh)
    st.subheader(t("cult.retention"))
    st.caption(t("cult.retention_note", as_of=as_of))
    st.plotly_chart(
        figures.grouped(
            per,
            "name",
            [(f"retention_{h}", t("col.retention", d=h)) for h in HORIZONS],
            "",
            t("chart.share"),
            percent=True,
        ),
        key="cult_retention",
    )
    st.subheader(t("cult.cohorts"))
    tables.show(
        coh,
        {
            "name": t("col.programme"),
            "cohort": t("col.cohort"),
            "hires": t("col.hires"),
            **{f"retention_{h}": t("col.retention", d=h) for h in HORIZONS},
        },
        counts=["hires"],
        percents=[f"retention_{h}" for h in HORIZONS],
        key="cult_cohorts_table",
    )
