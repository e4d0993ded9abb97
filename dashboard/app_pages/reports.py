"""Reports: build the hiring report for the global filters (summary plus a chosen appendix,
chosen match runs, contacts only when asked), and diversity by stage for the same filters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics.exporters import format_p
from analytics.reports import (
    APPENDIX_SECTIONS,
    DEFAULT_APPENDIX,
    DEFAULT_SHORTLIST_COLUMNS,
    SHORTLIST_COLUMNS,
)
from dashboard import resources, state
from dashboard.i18n import fmt_pct, formatter, lang, t
from data.reference.stages import stage_label

user = state.require("read")
st.title(t("nav.reports"))
cfg = resources.settings()
url = resources.store_url()
f = state.filters()
FORMATS = ("xlsx", "csv", "html", "pdf")
MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
    "html": "text/html",
    "pdf": "application/pdf",
}

st.subheader(t("reports.build"))
st.caption(t("reports.scope_note"))
c1, c2 = st.columns([3, 1])
fmt = c1.radio(
    t("reports.format"),
    FORMATS,
    horizontal=True,
    key="reports_format",
    format_func=formatter("reports.fmt_"),
)
report_lang = c2.selectbox(
    t("reports.lang"),
    ("zh", "en"),
    index=0 if lang() == "zh" else 1,
    format_func=lambda x: "中文" if x == "zh" else "English",
    key="reports_lang",
)
appendix = st.multiselect(
    t("reports.appendix"),
    APPENDIX_SECTIONS,
    default=list(DEFAULT_APPENDIX),
    format_func=formatter("reports.app_"),
    key=state.widget_key("reports_appendix"),
)
columns = st.multiselect(
    t("reports.columns"),
    SHORTLIST_COLUMNS,
    default=list(DEFAULT_SHORTLIST_COLUMNS),
    format_func=formatter("reports.col_"),
    key=state.widget_key("reports_columns"),
)
runs = resources.match_runs(url)
labels = {
    int(r["id"]): t(  # type: ignore[call-overload]
        "reports.run_label",
        id=r["id"],
        when=f"{r['created_at']:%Y-%m-%d %H:%M}",
        encoder=r["encoder"],
        roles=r["roles"],
    )
    for r in runs
}
if runs:
    run_ids = st.multiselect(
        t("reports.runs"),
        list(labels),
        default=[next(iter(labels))],
        format_func=labels.get,
        key="reports_runs",
    )
else:
    run_ids = []
    st.caption(t("reports.no_runs"))
include_contacts = False
if state.user_can("contacts"):
    include_contacts = st.checkbox(
        t("reports.contacts"), value=False, help=t("reports.contacts_help"), key="reports_contacts"
    )

if st.button(t("reports.button"), key="reports_build", type="primary"):
    from functools import partial

    from analytics.compensation import report_tables
    from analytics.exporters import export, to_html_string
    from analytics.reports import build_report

    _, hi = resources.bounds(url)
    end = f.end or hi or dt.date.today()
    start = f.start or state.window_start(end)  # the sidebar's default period
    allowed = include_contacts and state.user_can("contacts")
    with st.spinner(t("reports.building")), resources.session() as s:
        report = build_report(
            s,
            start=start,
            end=end,
            role_keys=f.roles,
            filters=f,
            include_contacts=allowed,
            lang=report_lang,
            run_ids=tuple(run_ids),
            appendix=tuple(appendix),
            shortlist_columns=tuple(columns),
            sections=[partial(report_tables, data_dir=cfg.data_dir)],
        )
        cfg.ensure_dirs()
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = export(report, cfg.exports_dir / f"hiring-report-{stamp}.{fmt}", fmt)
        state.audit(
            s,
            "report.build",
            target_type="report",
            target=path.name,
            detail={
                "format": fmt,
                "from": str(start),
                "to": str(end),
                "roles": list(f.roles),
                "countries": list(f.countries),
                "regions": list(f.regions),
                "channels": list(f.channels),
                "runs": list(run_ids),
                "appendix": list(appendix),
                "contacts": allowed,
                "lang": report_lang,
            },
        )
    st.session_state["reports_file"] = (str(path), fmt)
    # what the file says, on the page: the HTML form of the same report (charts drawn only
    # when they are in the file anyway)
    st.session_state["reports_preview"] = (
        path.read_text(encoding="utf-8") if fmt == "html" else to_html_string(report, charts=False)
    )
if "reports_file" in st.session_state:
    path_s, built = st.session_state["reports_file"]
    p = Path(path_s)
    if p.exists() and built == fmt:  # a file of another format is stale once the pick changes
        st.download_button(
            t("reports.download", fmt=built.upper()),
            data=p.read_bytes(),
            file_name=p.name,
            mime=MIME[built],
            key="reports_download",
        )
        preview = st.session_state.get("reports_preview")
        if preview:
            with st.expander(t("reports.preview"), expanded=True):
                # an iframe keeps the report's styles out of the dashboard's; the document is
                # ours, every value escaped, and its own CSP allows no script
                st.iframe(preview, height=760)

# --- diversity by stage, for the global filters ------------------------------------------------
st.subheader(t("reports.diversity"))
st.caption(t("reports.diversity_note"))
fun = resources.funnel(url, f)
stages = [s for s in fun["stage"].tolist()[:-1]] if not fun.empty else []
if stages:
    stage = st.selectbox(
        t("reports.diversity_stage"),
        stages,
        index=stages.index("screening") if "screening" in stages else 0,
        format_func=lambda key, lg=lang(): stage_label(key, lg),
        key=state.widget_key("reports_stage"),
    )
    table = resources.stage_diversity(url, f, stage, lang())
    if table.empty:
        st.info(t("reports.diversity_empty"))
    else:
        table = table.assign(
            rate=table["rate"].map(fmt_pct),
            share=table["share"].map(fmt_pct),
            p_value=table["p_value"].map(lambda v: "" if pd.isna(v) else format_p(v)),
            impact_ratio=table["impact_ratio"].map(lambda v: "" if pd.isna(v) else f"{v:.3f}"),
            flagged=table["flagged"].map(lambda v: t("audit.flag_yes") if v else ""),
            excluded=table["excluded"].fillna(""),
        )
        cols = [
            "dimension",
            "group",
            "n",
            "selected",
            "rate",
            "share",
            "impact_ratio",
            "flagged",
            "p_value",
            "excluded",
        ]
        st.dataframe(
            table[cols].rename(columns={c: t(f"audit.{c}") for c in cols}),
            hide_index=True,
            key="reports_diversity_table",
        )
else:
    st.info(t("reports.diversity_empty"))

st.subheader(t("reports.audit"))
if state.user_can("write"):
    if st.button(t("reports.run_audit"), key="reports_audit"):
        from analytics.fairness import run_audit

        with resources.session() as s:
            run_audit(s, stage="screening", filters=f, actor=user.name)
        resources.clear_caches()
from analytics.fairness import latest_audit  # noqa: E402

with resources.session() as s:
    latest = latest_audit(s)
if latest is None:
    st.info(t("reports.no_audit"))
else:
    row, result = latest
    from analytics.fairness import describe_origin, describe_subject

    # what, when and from which data in the user's language: the stored text is English and
    # names tables ("applications and stage_events at 'screening'")
    when = pd.Timestamp(result.audit_date).strftime("%Y-%m-%d %H:%M UTC")
    st.caption(
        f"{t('reports.latest_audit')}: {describe_subject(result, lang())} · {when} · "
        f"{describe_origin(result, lang())}"
    )
    (st.success if result.passed else st.warning)(
        "; ".join(result.reason_texts(lang()))
        or t("reports.passed" if result.passed else "reports.failed")
    )
    for w in result.warning_texts(lang()):
        st.caption(w)
