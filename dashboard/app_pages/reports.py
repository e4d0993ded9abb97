"""Reports: build and download the hiring report in each format; the bias audit section."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import resources, state
from dashboard.i18n import fmt_pct, formatter, lang, t
from data.text.markup import md_plain

user = state.require("read")
st.title(t("nav.reports"))
cfg = resources.settings()
f = state.filters()
FORMATS = ("xlsx", "csv", "html", "pdf")
MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
    "html": "text/html",
    "pdf": "application/pdf",
}

st.subheader(t("reports.build"))
fmt = st.radio(
    t("reports.format"),
    FORMATS,
    horizontal=True,
    key="reports_format",
    format_func=formatter("reports.fmt_"),
)
if f.countries or f.regions or f.channels:
    st.caption(t("reports.scope_note"))
if st.button(t("reports.button"), key="reports_build", type="primary"):
    from functools import partial

    from analytics.compensation import report_tables
    from analytics.exporters import export
    from analytics.reports import build_report

    _, hi = resources.bounds(resources.store_url())
    end = f.end or hi or dt.date.today()
    start = f.start or end - dt.timedelta(days=364)
    with st.spinner(t("reports.building")), resources.session() as s:
        report = build_report(
            s,
            start=start,
            end=end,
            role_keys=f.roles,
            mask_contacts=not state.user_can("contacts"),
            lang=lang(),
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
                "masked": not state.user_can("contacts"),
            },
        )
    st.session_state["reports_file"] = (str(path), fmt)
if "reports_file" in st.session_state:
    from pathlib import Path

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

st.subheader(t("reports.audit"))
if state.user_can("write"):
    if st.button(t("reports.run_audit"), key="reports_audit"):
        from analytics.fairness import run_audit

        with resources.session() as s:
            run_audit(s, stage="screening", filters=f, actor=user.name)
        resources.clear_caches()
from analytics.fairness import (  # noqa: E402
    describe_origin,
    describe_subject,
    latest_audit,
    named_groups,
)

with resources.session() as s:
    latest = latest_audit(s)
if latest is None:
    st.info(t("reports.no_audit"))
else:
    row, result = latest
    lg = lang()
    st.caption(
        f"{t('reports.latest_audit')}: {md_plain(describe_subject(result, lg))} · "
        f"{result.audit_date} · {md_plain(describe_origin(result, lg))}"
    )
    reasons = result.reason_texts(lg)
    (st.success if result.passed else st.warning)(
        "\n".join(f"- {md_plain(r)}" for r in reasons)
        or t("reports.passed" if result.passed else "reports.failed")
    )
    table = named_groups(result, lg)
    if not table.empty:
        table = table.assign(
            rate=table["rate"].map(fmt_pct),
            share=table["share"].map(fmt_pct),
            impact_ratio=table["impact_ratio"].map(lambda v: "" if pd.isna(v) else f"{v:.3f}"),
            p_value=table["p_value"].map(lambda v: "" if pd.isna(v) else f"{v:.3g}"),
            flagged=table["flagged"].map(lambda v: t("audit.flag_yes") if v else ""),
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
            key="reports_audit_table",
        )
    for w in result.warning_texts(lg):
        st.caption(md_plain(w))
