"""TalentMap dashboard: the one entry script. Routes pages with ``st.navigation``, draws the
sidebar (language, sign-in, global filters) and enforces roles on every page."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import resources, state  # noqa: E402
from dashboard.i18n import (  # noqa: E402
    LANGS,
    channel_formatter,
    country_formatter,
    region_formatter,
    t,
)
from data.errors import TalentMapError  # noqa: E402

st.set_page_config(page_title="TalentMap", page_icon="🧭", layout="wide")
log = logging.getLogger("talentmap.dashboard")

PAGES = [
    # (file, title key, icon, permission needed to see it)
    ("app_pages/overview.py", "nav.overview", ":material/dashboard:", "read"),
    ("app_pages/roles_skills.py", "nav.roles", ":material/grid_on:", "read"),
    ("app_pages/international.py", "nav.international", ":material/public:", "read"),
    ("app_pages/cultivation.py", "nav.cultivation", ":material/school:", "read"),
    ("app_pages/plan_forecast.py", "nav.plan", ":material/event_upcoming:", "read"),
    ("app_pages/compensation.py", "nav.compensation", ":material/payments:", "read"),
    ("app_pages/candidates.py", "nav.candidates", ":material/badge:", "read"),
    ("app_pages/matching.py", "nav.matching", ":material/person_search:", "decide"),
    ("app_pages/model_lab.py", "nav.model_lab", ":material/science:", "read"),
    ("app_pages/documents.py", "nav.documents", ":material/description:", "read"),
    ("app_pages/reports.py", "nav.reports", ":material/summarize:", "read"),
    ("app_pages/admin.py", "nav.admin", ":material/admin_panel_settings:", "admin"),
]


def _keep_language() -> None:
    """Clicking the selected language clears a segmented control: keep the last language
    (set in the widget's own callback, before it is drawn again)."""
    if st.session_state.get("lang") is None:
        st.session_state["lang"] = st.session_state.get("_lang", "zh")
    st.session_state["_lang"] = st.session_state["lang"]
    st.query_params["lang"] = st.session_state["lang"]


def _language() -> None:
    """The language picker; the choice is kept in the address (``?lang=en``), so a reload or
    a bookmark keeps it."""
    from_url = st.query_params.get("lang")
    initial = from_url if from_url in LANGS else st.session_state.get("_lang", "zh")
    st.session_state.setdefault("lang", initial)
    if st.session_state["lang"] is not None:
        st.session_state["_lang"] = st.session_state["lang"]
        if st.query_params.get("lang") != st.session_state["lang"]:
            st.query_params["lang"] = st.session_state["lang"]
    st.sidebar.segmented_control(
        t("lang.label"),
        options=list(LANGS),
        key="lang",
        format_func=LANGS.get,
        selection_mode="single",
        on_change=_keep_language,
    )


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:
        return False


def _still_allowed() -> bool:
    """Whether the signed-in user may go on: a user an admin has disabled (or removed) since
    they signed in is signed out at their next click, and a role change applies at once; the
    local admin ends when the store gets its first user."""
    from data.store.users import has_users, user_status

    u = state.current_user()
    assert u is not None
    with resources.session() as s:
        if st.session_state.get("local_admin"):
            if not has_users(s):
                return True
            st.session_state.pop("local_admin", None)
            st.session_state.pop("user", None)
            return False
        status = user_status(s, u.name)
    if status is None:
        return _oidc_configured()  # company sign-in users need no stored row (viewers)
    role, disabled = status
    if disabled:
        st.session_state.pop("user", None)
        st.session_state["login_notice"] = "login.disabled"
        return False
    if role != u.role:
        state.set_user(u.name, role)
    return True


def _login() -> bool:
    """Sign the user in; returns True when the page may be drawn."""
    if state.current_user() is not None and _still_allowed():
        return True
    from data.store.users import get_user, has_users

    with resources.session() as s:
        users_exist = has_users(s)
    if not users_exist:
        state.set_user("admin", "admin")
        st.session_state["local_admin"] = True
        return True
    if _oidc_configured():
        if not getattr(st.user, "is_logged_in", False):
            st.title(t("login.title"))
            if st.button(t("login.oidc"), key="login_oidc"):
                st.login()
            return False
        name = str(getattr(st.user, "email", None) or getattr(st.user, "name", ""))
        with resources.session() as s:
            try:
                stored = get_user(s, name)
            except TalentMapError:
                stored = None
            if stored is not None and stored.disabled:
                state.audit_as(
                    s, name, "dashboard.login_disabled", target_type="user", target=name[:64]
                )
                st.title(t("login.title"))
                st.error(t("login.disabled"))
                return False
            role = stored.role if stored is not None else "viewer"
            state.set_user(name, role)
            state.audit(
                s, "dashboard.login", target_type="user", target=name[:64], detail={"via": "oidc"}
            )
        return True
    st.title(t("login.title"))
    notice = st.session_state.pop("login_notice", None)
    if notice:
        st.warning(t(notice))
    with st.form("login"):
        name = st.text_input(t("login.name"), key="login_name")
        password = st.text_input(t("login.password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login.submit"))
    if submitted:
        result = resources.sign_in(name, password, _client())
        if result.ok and result.user is not None:
            # committed above, outside any transaction: st.rerun() raises, and inside
            # ``with resources.session()`` it rolled the audit row back
            state.set_user(result.user.name, result.user.role)
            st.rerun()
        if result.locked_until is not None:
            st.error(t("login.locked", until=result.locked_until.strftime("%H:%M UTC")))
        elif result.disabled:
            st.error(t("login.disabled"))
        else:
            st.error(t("login.failed"))
    return False


def _client() -> str:
    """Who is signing in, as far as the server can tell: the peer address (behind a reverse
    proxy that is the proxy, so the per-user lock still applies; see docs/deploy.md)."""
    try:
        return str(st.context.ip_address or "unknown")
    except Exception:
        return "unknown"


def _filters() -> None:
    url = resources.store_url()
    opts = resources.filter_options(url)
    lo, hi = resources.bounds(url)
    sb = st.sidebar
    sb.subheader(t("filters.header"))
    if lo and hi:
        import datetime as dt

        default = (max(lo, hi - dt.timedelta(days=364)), hi)
        value = state.stored("dates", default)
        sb.date_input(
            t("filters.dates"),
            value=value,
            min_value=lo,
            max_value=hi,
            key=state.widget_key("dates"),
            on_change=state.remember,
            args=("dates",),
        )
        st.session_state.setdefault("_dates", default)
    titles = resources.role_titles(url, st.session_state["lang"])
    for key, options, fmt in (
        ("roles", opts["roles"], lambda k: titles.get(k, k)),
        ("regions", opts["regions"], region_formatter()),
        ("countries", opts["countries"], country_formatter()),
        ("channels", opts["channels"], channel_formatter()),
    ):
        sb.multiselect(
            t(f"filters.{key}"),
            options=options,
            default=[v for v in state.stored(key, []) if v in options],
            format_func=fmt,
            key=state.widget_key(key),
            on_change=state.remember,
            args=(key,),
            placeholder=t("filters.all"),
        )


def main() -> None:
    _language()
    url = resources.store_url()
    status = resources.store_state(url)
    if status == "no_schema":
        st.error(t("err.schema"))
        st.stop()
    if not _login():
        st.stop()
    user = state.current_user()
    assert user is not None
    if st.session_state.get("local_admin"):
        st.sidebar.caption(t("login.local"))
    else:
        st.sidebar.caption(t("login.signed_in", name=user.name, role=user.role))
        if st.sidebar.button(t("login.logout"), key="logout"):
            st.session_state.pop("user", None)
            if _oidc_configured():
                st.logout()
            st.rerun()
    pages = [
        st.Page(path, title=t(title), icon=icon, default=i == 0)
        for i, (path, title, icon, perm) in enumerate(PAGES)
        if state.user_can(perm)
    ]
    nav = st.navigation(pages)
    if status == "empty" and nav.title not in (
        t("nav.documents"),
        t("nav.matching"),
        t("nav.model_lab"),
    ):
        from data.queries.setup import is_first_run

        # on a store with nothing in it the Overview is the first-run guide: no warning above
        if not (nav.title == t("nav.overview") and is_first_run(resources.setup_counts(url))):
            st.warning(t("err.empty"))
    else:
        _filters()
    try:
        nav.run()
    except TalentMapError as err:
        state.show_error(err)
    except Exception:
        if resources.settings().dashboard_raise:  # tests want the real exception
            raise
        log.exception("page %s failed", nav.title)
        st.error(t("err.unexpected"))


main()
