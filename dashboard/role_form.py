"""The Roles & skills page's role form: a job posting (pasted or uploaded, Chinese or English)
read into a draft the user edits before it is saved. UI only; the work is in
``data.ingest.roles`` (the same code as ``talentmap roles from-posting``)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import resources, state
from dashboard.i18n import t
from dashboard.uploads import file_uploader
from data.errors import ImportErrors, TalentMapError
from data.ingest.roles import draft_from_posting, posting_text, save_role_record

DRAFT_KEY = "role_draft"


def _draft_table(rec: dict[str, Any]) -> pd.DataFrame:
    rows = [
        {"skill": s["skill"], "list": "required", "weight": float(s["weight"])}
        for s in rec.get("required_skills", [])
    ] + [
        {"skill": s["skill"], "list": "nice", "weight": float(s["weight"])}
        for s in rec.get("nice_skills", [])
    ]
    return pd.DataFrame(rows, columns=["skill", "list", "weight"])


def _record(
    title: str, level: str, pay: str, description: str, table: pd.DataFrame
) -> dict[str, Any]:
    rec: dict[str, Any] = {"title_zh" if _has_cjk(title) else "title_en": title.strip()}
    if level.strip():
        rec["level"] = level.strip()
    if pay.strip():
        rec["pay"] = pay.strip()
    if description.strip():
        rec["description"] = description.strip()
    for name, col in (("required", "required_skills"), ("nice", "nice_skills")):
        part = table[(table["list"] == name) & table["skill"].astype(str).str.strip().ne("")]
        rec[col] = [
            {"skill": str(r.skill).strip(), "weight": float(r.weight)} for r in part.itertuples()
        ]
    return rec


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def show() -> None:
    """The form, for users who may write; nothing is stored until the user saves the draft."""
    if not state.user_can("write"):
        return
    with st.expander(t("rolesform.title"), expanded=DRAFT_KEY in st.session_state):
        st.caption(t("rolesform.hint"))
        text = st.text_area(t("rolesform.paste"), height=180, key="rolesform_text")
        upload = file_uploader(
            t("rolesform.upload"), types=["txt", "md", "pdf", "docx"], key="rolesform_upload"
        )
        if st.button(t("rolesform.read"), key="rolesform_read"):
            try:
                if upload is not None:
                    raw, name = posting_text(upload.getvalue(), upload.name), upload.name
                else:
                    raw, name = text, t("rolesform.pasted")
                st.session_state[DRAFT_KEY] = draft_from_posting(raw, name=name).record()
            except TalentMapError as err:
                st.session_state.pop(DRAFT_KEY, None)
                st.error(str(err))
        rec = st.session_state.get(DRAFT_KEY)
        if not rec:
            return
        with st.form("rolesform_draft"):
            title = st.text_input(
                t("col.title"), rec.get("title_zh") or rec.get("title_en", ""), key="rf_title"
            )
            c1, c2 = st.columns(2)
            level = c1.text_input(t("rolesform.level"), rec.get("level", ""), key="rf_level")
            pay = c2.text_input(t("rolesform.pay"), rec.get("pay", ""), key="rf_pay")
            description = st.text_area(
                t("rolesform.description"), rec.get("description", ""), key="rf_desc"
            )
            table = st.data_editor(
                _draft_table(rec),
                num_rows="dynamic",
                hide_index=True,
                key="rf_skills",
                column_config={
                    "skill": st.column_config.TextColumn(t("rolesform.skill"), required=True),
                    "list": st.column_config.SelectboxColumn(
                        t("rolesform.list"), options=["required", "nice"], required=True
                    ),
                    "weight": st.column_config.NumberColumn(
                        t("rolesform.weight"), min_value=0.05, max_value=1.0, step=0.05
                    ),
                },
            )
            saved = st.form_submit_button(t("rolesform.save"), type="primary", key="rf_save")
        if saved:
            user = state.current_user()
            try:
                with resources.session() as s:
                    done = save_role_record(
                        s,
                        _record(title, level, pay, description, table),
                        actor=user.name if user else "dashboard",
                        name=t("rolesform.draft"),
                    )
            except ImportErrors as err:
                st.error(str(err))
                return
            except TalentMapError as err:
                st.error(str(err))
                return
            for notice in done.notices:
                st.info(str(notice))
            st.success(t("rolesform.saved", title=title))
            st.session_state.pop(DRAFT_KEY, None)
            resources.clear_caches()
