"""International pipeline: funnel and conversion, time in stage, by country (world map) and by
channel, and a comparison of two countries or two periods."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import streamlit as st

from dashboard import figures, resources, state, tables
from dashboard.i18n import (
    channel_name,
    country_formatter,
    country_name,
    formatter,
    lang,
    region_name,
    stage_name,
    t,
)
from data.queries.metrics import METRICS

state.require("read")
st.title(t("nav.international"))
url = resources.store_url()
f = state.filters()

fun = resources.funnel(url, f)
if fun.empty:
    st.info(t("intl.no_data"))
    st.stop()

left, right = st.columns(2)
with left:
    labels = [stage_name(s) for s in fun["stage"]]
    st.plotly_chart(
        figures.funnel(labels, fun["reached"].tolist(), t("intl.funnel")), key="intl_funnel"
    )
    st.caption(METRICS["conversion"].definition(lang()))
    tables.show(
        fun.assign(stage=labels),
        {"stage": t("col.stage"), "reached": t("col.reached"), "conversion": t("col.conversion")},
        counts=["reached"],
        percents=["conversion"],
        key="intl_funnel_table",
    )
with right:
    tis = resources.time_in_stage(url, f)
    if not tis.empty:
        st.plotly_chart(
            figures.time_in_stage(
                tis,
                [stage_name(s) for s in tis["stage"]],
                t("intl.time"),
                t("chart.days"),
                (t("chart.iqr"), t("col.median"), t("col.p90")),
            ),
            key="intl_time",
        )
        tables.show(
            tis.assign(stage=[stage_name(s) for s in tis["stage"]]),
            {
                "stage": t("col.stage"),
                "n": t("col.n"),
                "median": t("col.median"),
                "p25": t("col.p25"),
                "p75": t("col.p75"),
                "p90": t("col.p90"),
            },
            counts=["n"],
            days=["median", "p25", "p75", "p90"],
            key="intl_time_table",
        )

parts = resources.breakdowns(url, f)
by_country = parts["country"]
names = [country_name(c) for c in by_country["key"]]
st.plotly_chart(
    figures.world_map(
        by_country["key"].tolist(),
        by_country["applications"].tolist(),
        names,
        t("intl.map"),
        t("col.applications"),
    ),
    key="intl_map",
)

SECTION = {"country": "intl.countries", "region": "intl.regions", "channel": "intl.channels"}
st.caption(
    " · ".join(
        f"{METRICS[k].name(lang())}: {METRICS[k].definition(lang())}"
        for k in ("applications", "hires")
    )
)


def _breakdown(by: str) -> None:
    """One breakdown table: applications, offers, hires and hire rate per key."""
    df = parts[by]
    name = {"country": country_name, "region": region_name, "channel": channel_name}[by]
    st.subheader(t(SECTION[by]))
    tables.show(
        df.assign(key=[name(k) for k in df["key"]]),
        {
            "key": t(f"col.{by}"),
            "applications": t("col.applications"),
            "offers": t("col.offers"),
            "hires": t("col.hires"),
            "hire_rate": t("col.hire_rate"),
        },
        counts=["applications", "offers", "hires"],
        percents=["hire_rate"],
        key=f"intl_{by}_table",
        height=(min(len(df), 10) + 1) * 35 + 3,
    )


c1, c2 = st.columns(2)
with c1:
    _breakdown("country")
with c2:
    _breakdown("region")
c1, c2 = st.columns(2)
with c1:
    _breakdown("channel")
with c2:
    ch = parts["channel"]
    st.plotly_chart(
        figures.grouped(
            ch.assign(name=[channel_name(k) for k in ch["key"]]),
            "name",
            [("applications", t("col.applications")), ("hires", t("col.hires"))],
            t("intl.channels"),
            t("chart.count"),
            horizontal=True,
        ),
        key="intl_channels",
    )

st.subheader(t("intl.compare"))
mode = st.radio(
    t("intl.compare_mode"),
    ["countries", "periods"],
    horizontal=True,
    format_func=formatter("intl.mode_"),
    key=state.widget_key("intl_mode"),
)
if mode == "countries":
    countries = by_country["key"].tolist()
    if len(countries) >= 2:
        a_col, b_col = st.columns(2)
        a = a_col.selectbox(
            t("intl.country_a"),
            countries,
            index=0,
            format_func=country_formatter(),
            key=state.widget_key("intl_country_a"),
        )
        b = b_col.selectbox(
            t("intl.country_b"),
            countries,
            index=1,
            format_func=country_formatter(),
            key=state.widget_key("intl_country_b"),
        )
        fa = replace(f, countries=(a,))
        fb = replace(f, countries=(b,))
        labels2 = (country_name(a), country_name(b))
    else:
        fa = fb = None
else:
    end = f.end or dt.date.today()
    start = f.start or state.window_start(end)  # the sidebar's default period
    half = start + (end - start) / 2
    a_col, b_col = st.columns(2)
    pa = a_col.date_input(t("intl.period_a"), value=(start, half), key="intl_period_a")
    pb = b_col.date_input(
        t("intl.period_b"), value=(half + dt.timedelta(days=1), end), key="intl_period_b"
    )
    if len(pa) == 2 and len(pb) == 2:
        fa = replace(f, start=pa[0], end=pa[1])
        fb = replace(f, start=pb[0], end=pb[1])
        labels2 = (f"{pa[0]}–{pa[1]}", f"{pb[0]}–{pb[1]}")
    else:
        fa = fb = None
if fa is not None and fb is not None:
    cmp = resources.compare(url, fa, fb, ("A", "B"))
    cmp = cmp.assign(stage=[stage_name(s) for s in cmp["stage"]])
    st.plotly_chart(
        figures.grouped(
            cmp,
            "stage",
            [("reached A", labels2[0]), ("reached B", labels2[1])],
            t("intl.compare_chart"),
            t("col.reached"),
        ),
        key="intl_compare",
    )
    tables.show(
        cmp,
        {
            "stage": t("col.stage"),
            "reached A": f"{t('col.reached')} · {labels2[0]}",
            "reached B": f"{t('col.reached')} · {labels2[1]}",
            "conversion A": f"{t('col.conversion')} · {labels2[0]}",
            "conversion B": f"{t('col.conversion')} · {labels2[1]}",
        },
        counts=["reached A", "reached B"],
        percents=["conversion A", "conversion B"],
        key="intl_compare_table",
    )
