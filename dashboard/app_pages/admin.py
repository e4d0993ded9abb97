"""Administration (admins only): users — add, change role, reset password, disable/enable — and the
audit-log viewer (filter by actor, action, date; CSV export). Every change is audited."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import resources, state
from dashboard.i18n import lang, t
from data.errors import TalentMapError
from data.queries.audit_log import (
    MAX_ROWS,
    action_label,
    audit_actions,
    audit_actors,
    audit_rows,
)
from data.store.users import (
    ROLES,
    create_user,
    disable_user,
    enable_user,
    list_users,
    reset_password,
    set_role,
)

user = state.require("admin")
st.title(t("nav.admin"))
ROLE_NAMES = {r: t(f"admin.role.{r}") for r in ROLES}
users_tab, audit_tab = st.tabs([t("admin.users"), t("admin.audit")])


def _do(fn, done: str) -> None:
    try:
        with resources.session() as s:
            fn(s)
    except TalentMapError as err:
        state.show_error(err)
        return
    st.session_state["admin_done"] = done
    st.rerun()  # the user table and pickers show the change


if "admin_done" in st.session_state:
    st.success(st.session_state.pop("admin_done"))


with users_tab:
    with resources.session() as s:
        people = list_users(s)
    st.dataframe(
        pd.DataFrame(
            {
                t("admin.col.name"): [u["name"] for u in people],
                t("admin.col.role"): [ROLE_NAMES.get(str(u["role"]), u["role"]) for u in people],
                t("admin.col.active"): [
                    t("admin.yes") if u["active"] else t("admin.disabled") for u in people
                ],
                t("admin.col.created"): [u["created_at"] for u in people],
            }
        ),
        hide_index=True,
    )
    st.markdown(f"**{t('admin.add')}**")
    a1, a2, a3 = st.columns(3)
    new_name = a1.text_input(t("admin.col.name"), key="admin_new_name")
    new_role = a2.selectbox(
        t("admin.col.role"), list(ROLES), format_func=ROLE_NAMES.get, key="admin_new_role"
    )
    new_pw = a3.text_input(t("admin.password"), type="password", key="admin_new_pw")
    if st.button(t("admin.add_button"), key="admin_add", disabled=not new_name):
        _do(
            lambda s: create_user(s, new_name, new_role, new_pw, actor=user.name),
            t("admin.added", name=new_name),
        )
    names = [str(u["name"]) for u in people]
    if names:
        st.markdown(f"**{t('admin.change')}**")
        who = st.selectbox(t("admin.col.name"), names, key="admin_who")
        c1, c2 = st.columns(2)
        role = c1.selectbox(
            t("admin.col.role"), list(ROLES), format_func=ROLE_NAMES.get, key="admin_role"
        )
        if c1.button(t("admin.role_button"), key="admin_set_role"):
            _do(
                lambda s: set_role(s, who, role, actor=user.name),
                t("admin.role_set", name=who, role=ROLE_NAMES[role]),
            )
        pw = c2.text_input(t("admin.password"), type="password", key="admin_pw")
        if c2.button(t("admin.reset_button"), key="admin_reset", disabled=not pw):
            _do(
                lambda s: reset_password(s, who, pw, actor=user.name),
                t("admin.reset_done", name=who),
            )
        active = {str(u["name"]): bool(u["active"]) for u in people}
        if active.get(who, True):
            if st.button(t("admin.disable_button"), key="admin_disable"):
                _do(
                    lambda s: disable_user(s, who, actor=user.name),
                    t("admin.disabled_done", name=who),
                )
        elif st.button(t("admin.enable_button"), key="admin_enable"):
            _do(lambda s: enable_user(s, who, actor=user.name), t("admin.enabled_done", name=who))

with audit_tab:
    with resources.session() as s:
        actions, actors = audit_actions(s), audit_actors(s)
    f1, f2, f3 = st.columns(3)
    pick_actors = f1.multiselect(
        t("admin.col.actor"), actors, placeholder=t("pick.placeholder"), key="admin_f_actor"
    )
    language = lang()
    pick_actions = f2.multiselect(
        t("admin.col.action"),
        actions,
        format_func=lambda a: action_label(a, language),
        placeholder=t("pick.placeholder"),
        key="admin_f_action",
    )
    span = f3.date_input(t("admin.dates"), value=(), key="admin_f_dates")
    since = span[0] if isinstance(span, tuple) and len(span) >= 1 else None
    until = span[1] if isinstance(span, tuple) and len(span) == 2 else since
    with resources.session() as s:
        log = audit_rows(
            s, actors=pick_actors, actions=pick_actions, since=since, until=until, lang=language
        )
    st.caption(t("admin.audit_count", n=len(log), max=MAX_ROWS))
    shown = log.rename(
        columns={
            "at": t("admin.col.at"),
            "actor": t("admin.col.actor"),
            "action": t("admin.col.action"),
            "target_type": t("admin.col.target_type"),
            "target": t("admin.col.target"),
            "detail": t("admin.col.detail"),
            "action_id": t("admin.col.action_id"),
        }
    )
    # the table shows the names; the export keeps the stored action id beside them
    st.dataframe(shown.drop(columns=[t("admin.col.action_id")]), hide_index=True)
    st.download_button(
        t("admin.export"),
        data=shown.to_csv(index=False).encode("utf-8-sig"),
        file_name="audit_log.csv",
        mime="text/csv",
        key="admin_export",
    )
