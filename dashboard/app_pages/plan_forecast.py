"""Plan & forecast: the headcount plan (editable), the hiring forecast of open requisitions
with scenarios and a fan chart against plan, mobility cost, and retention curves."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from analytics.forecast import STAYS, Scenario, as_frame, fan, mobility_summary, run_forecast
from analytics.retention import BY, curve_table, retention_report
from dashboard import figures, state, tables
from dashboard.i18n import (
    channel_name,
    country_name,
    fmt_pct,
    formatter,
    lang,
    stage_name,
    t,
)
from dashboard.resources import session
from data.errors import ImportErrors, TalentMapError
from data.ingest.planning import STATUSES
from data.queries.planning import latest_activity, requisitions

SIMS, SEED = 1000, 0
user = state.require("read")
st.title(t("nav.plan"))
lg = lang()

with session() as s:
    reqs = requisitions(s)
    as_of = latest_activity(s)

if reqs.empty:
    st.info(t("plan.empty"))
    st.stop()

# --- the plan ------------------------------------------------------------------------------
st.subheader(t("plan.table"))
PLAN_COLS = ["key", "role", "location", "country", "quarter", "headcount", "target_start", "status"]
role_title = reqs[
    "title_zh" if lg == "zh" else "title_en"
]  # the role's name in the page's language
shown = reqs[PLAN_COLS + ["hires"]].copy()
shown.insert(2, "role_title", role_title)
if state.user_can("write"):
    st.caption(t("plan.edit_help"))
    # the role's title in the page's language beside its key (shown, not saved: the file's
    # columns are the keys the importer reads)
    editable = reqs[PLAN_COLS].copy()
    editable.insert(2, "role_title", role_title)
    edited = st.data_editor(
        editable,
        num_rows="dynamic",
        hide_index=True,
        key="plan_editor",
        column_config={
            "key": t("col.requisition"),
            "role": t("col.role_key"),
            "role_title": st.column_config.TextColumn(t("col.role"), disabled=True),
            "location": t("col.location"),
            "country": t("col.country_code"),
            "quarter": t("col.quarter"),
            "headcount": st.column_config.NumberColumn(t("col.headcount"), min_value=1, step=1),
            "target_start": st.column_config.DateColumn(t("col.target_start")),
            "status": st.column_config.SelectboxColumn(
                t("col.status"), options=list(STATUSES), format_func=formatter("req_status.")
            ),
        },
    )
    if st.button(t("plan.save"), key="plan_save"):
        from data.ingest.planning import import_table

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "plan (dashboard).csv"
            edited.drop(columns=["role_title"]).to_csv(path, index=False)
            try:
                with session() as s:
                    r = import_table(s, path, "plan", actor=user.name, source="dashboard")
                    s.commit()
                st.success(t("plan.saved", created=r.created, updated=r.updated, linked=r.linked))
            except ImportErrors as err:
                for e in err.errors[:20]:
                    st.error(str(e))
            except TalentMapError as err:
                st.error(str(err))
else:
    shown["status"] = shown["status"].map(formatter("req_status."))
    tables.show(
        shown,
        {
            "key": t("col.requisition"),
            "role": t("col.role_key"),
            "role_title": t("col.role"),
            "location": t("col.location"),
            "country": t("col.country_code"),
            "quarter": t("col.quarter"),
            "headcount": t("col.headcount"),
            "target_start": t("col.target_start"),
            "status": t("col.status"),
            "hires": t("col.hired_so_far"),
        },
        counts=["headcount", "hires"],
        key="plan_table",
    )

# --- forecast ------------------------------------------------------------------------------
st.subheader(t("plan.forecast"))
with st.expander(t("plan.scenario")):
    c1, c2, c3 = st.columns(3)
    none = t("plan.none")
    stage = c1.selectbox(
        t("plan.sc_stage"),
        [none, *STAYS],
        key="sc_stage",
        format_func=lambda k: (
            k if k == none else stage_name(k) if k != "offer" else t("kpi.offer_acceptance")
        ),
    )
    conv = c1.slider(t("plan.sc_conv"), -50, 50, 0, 5, key="sc_conv")
    from data.reference import SOURCE_CHANNELS

    channel = c2.selectbox(
        t("plan.sc_channel"),
        [none, *SOURCE_CHANNELS],
        key="sc_channel",
        format_func=lambda k: k if k == none else channel_name(k, lg),
    )
    share = c2.slider(t("plan.sc_share"), 0, 200, 0, 10, key="sc_share")
    countries = sorted(set(reqs["country"]) | {"IN", "US", "GB", "DE", "JP", "KR", "SG"})
    country = c3.selectbox(
        t("plan.sc_country"),
        [none, *countries],
        key="sc_country",
        format_func=lambda k: k if k == none else country_name(k, lg),
    )
    days = c3.slider(t("plan.sc_days"), 0, 120, 0, 5, key="sc_days")
scenario = Scenario(
    conversion=((stage, conv / 100),) if stage != none and conv else (),
    channel_share=((channel, share / 100),) if channel != none and share else (),
    visa_days=((country, days),) if country != none and days else (),
)


@st.cache_data(ttl=300, max_entries=16, show_spinner=False)
def _forecast(url: str, scenario: Scenario):
    with session() as s:
        results, model = run_forecast(s, sims=SIMS, seed=SEED, scenario=scenario)
    return as_frame(results), fan(results), model.as_of.date()


from dashboard.resources import store_url  # noqa: E402

with st.spinner(t("plan.forecast")):
    bar = st.progress(0.0)
    table, fan_df, day = _forecast(store_url(), scenario)
    bar.empty()  # a full bar left on the page reads as work still going on
st.caption(t("plan.as_of", day=day, sims=SIMS, seed=SEED))
if not table.empty:
    m1, m2, m3 = st.columns(3)
    m1.metric(t("plan.total_expected"), f"{table['expected'].sum():,.1f}")
    m2.metric(t("plan.total_plan"), f"{table['headcount'].sum():,}")
    m3.metric(t("plan.p_fill_all"), f"{(table['p_fill'] >= 0.8).sum()} / {len(table)}")
    st.plotly_chart(
        figures.fan_chart(
            fan_df,
            {
                "band": t("plan.fan_band"),
                "expected": t("plan.fan_expected"),
                "plan": t("plan.fan_plan"),
                "y": t("plan.fan_y"),
            },
            t("plan.fan"),
            date_format=t("chart.day_format"),
        ),
        key="plan_fan",
    )
    tables.show(
        table,
        {
            "requisition": t("col.requisition"),
            "headcount": t("col.headcount"),
            "target_start": t("col.target_start"),
            "hired": t("col.hired_so_far"),
            "in_pipeline": t("col.in_pipeline"),
            "expected": t("col.expected"),
            "low_80": t("col.low_80"),
            "high_80": t("col.high_80"),
            "p_fill": t("col.p_fill"),
            "arrivals_per_week": t("col.arrivals"),
            "needed_per_week": t("col.needed"),
            "expected_cost_usd": t("col.cost"),
            "estimate_family": t("col.est_family"),
            "estimate_country": t("col.est_country"),
            "estimate_channel": t("col.est_channel"),
        },
        counts=["headcount", "hired", "in_pipeline", "low_80", "high_80", "expected_cost_usd"],
        percents=["p_fill"],
        days=["expected", "arrivals_per_week", "needed_per_week"],
        key="plan_forecast_table",
    )

# --- mobility ------------------------------------------------------------------------------
st.subheader(t("plan.mobility"))
with session() as s:
    per_c, per_ch = mobility_summary(s)
# one above the other: side by side, each half too narrow for its six headed columns
left, right = st.container(), st.container()
with left:
    st.caption(t("plan.mob_country"))
    per_c = per_c.assign(name=[country_name(c, lg) for c in per_c["country"]])
    labels = {
        "name": t("col.country_code"),
        "hires": t("col.hires"),
        "days_to_start": t("col.days_to_start"),
    }
    for col, key in (
        ("mobility_cost_usd", "col.mobility_cost"),
        ("lead_time_days", "col.lead_time"),
        ("cost_per_hire_usd", "col.cost_per_hire"),
    ):
        if col in per_c:
            labels[col] = t(key)
    tables.show(
        per_c,
        labels,
        counts=["hires", "mobility_cost_usd", "lead_time_days", "cost_per_hire_usd"],
        days=["days_to_start"],
        key="plan_mob_country",
    )
with right:
    st.caption(t("plan.mob_channel"))
    per_ch = per_ch.assign(name=[channel_name(c, lg) for c in per_ch["channel"]])
    labels = {
        "name": t("filters.channels"),
        "hires": t("col.hires"),
        "days_to_start": t("col.days_to_start"),
    }
    for col, key in (
        ("channel_cost_usd", "col.channel_cost"),
        ("cost_per_hire_usd", "col.cost_per_hire"),
    ):
        if col in per_ch:
            labels[col] = t(key)
    tables.show(
        per_ch,
        labels,
        counts=["hires", "channel_cost_usd", "cost_per_hire_usd"],
        days=["days_to_start"],
        key="plan_mob_channel",
    )

# --- retention -----------------------------------------------------------------------------
st.subheader(t("plan.retention"))
by = (
    st.segmented_control(
        t("plan.ret_by"),
        list(BY),
        default="cohort",
        key="ret_by",
        format_func=lambda k: t(f"by.{k}"),
    )
    or "cohort"
)
with session() as s:
    rep = retention_report(s, by=by)
cs = rep["curves"]
if by == "country":
    for c in cs:
        c.group = country_name(c.group, lg)
st.plotly_chart(
    figures.survival(cs, t("plan.retention"), t("plan.ret_x"), t("plan.ret_y")), key="plan_survival"
)
ct = curve_table(cs)
if not ct.empty:
    tables.show(
        ct,
        {
            "group": t("col.group"),
            "hires": t("col.hires"),
            "left": t("col.left"),
            "retention_365": t("col.retention_365"),
            "median_tenure_days": t("col.median_tenure"),
        },
        counts=["hires", "left"],
        percents=["retention_365"],
        days=["median_tenure_days"],
        key="plan_retention_table",
    )
eff = rep["effect"]
if eff is not None:
    st.info(
        t(
            "plan.effect",
            p1=fmt_pct(eff.retention_participants),
            p0=fmt_pct(eff.retention_others),
            d=fmt_pct(eff.difference, signed=True),
            lo=fmt_pct(eff.low, signed=True),
            hi=fmt_pct(eff.high, signed=True),
            n1=eff.participants,
            n0=eff.others,
        )
    )
    st.caption(t("plan.observational"))
