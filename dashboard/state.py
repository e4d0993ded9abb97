"""Per-session state: the signed-in user, the language, and the global filters.

Filter values are mirrored into plain ``session_state`` keys so they survive page changes
(widget-bound keys are dropped when a widget is not drawn).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.orm import Session

from analytics.filters import Filters
from dashboard.i18n import t
from data.store.audit import record
from data.store.users import can


@dataclass(frozen=True)
class User:
    name: str
    role: str


def current_user() -> User | None:
    value = st.session_state.get("user")
    return User(**value) if value else None


def set_user(name: str, role: str) -> None:
    st.session_state["user"] = {"name": name, "role": role}


def user_can(permission: str) -> bool:
    u = current_user()
    return u is not None and can(u.role, permission)


def require(permission: str) -> User:
    """Stop the page with a clear message unless the user holds ``permission``."""
    u = current_user()
    if u is None or not can(u.role, permission):
        st.error(t("err.denied", role=u.role if u else "?"))
        st.stop()
    return u  # type: ignore[return-value]


def audit(session: Session, action: str, **kwargs: object) -> None:
    """Add the audit row of a dashboard write, in the write's own transaction."""
    u = current_user()
    if u is None:
        raise RuntimeError("a write from the dashboard needs a signed-in user")
    record(session, u.name, action, **kwargs)  # type: ignore[arg-type]


def audit_as(session: Session, name: str, action: str, **kwargs: object) -> None:
    """An audit row for someone who is not (or no longer) signed in: a refused sign-in."""
    record(session, name, action, **kwargs)  # type: ignore[arg-type]


def widget_key(name: str) -> str:
    """A widget key carrying the language: option labels are formatted per language, and a
    new key makes Streamlit redraw them when the language changes."""
    return f"w_{name}_{st.session_state.get('lang') or 'zh'}"


def remember(key: str) -> None:
    """Copy a filter widget's value to its mirror key (``on_change`` callback)."""
    st.session_state[f"_{key}"] = st.session_state[widget_key(key)]


def stored(key: str, default: object) -> object:
    return st.session_state.get(f"_{key}", default)


def filters() -> Filters:
    """The global filters as a hashable ``Filters`` (used as a cache key)."""
    dates = st.session_state.get("_dates") or ()
    start = end = None
    if isinstance(dates, (tuple, list)) and len(dates) == 2:
        start, end = dates
    elif isinstance(dates, dt.date):
        start = end = dates
    return Filters(
        start=start,
        end=end,
        roles=tuple(st.session_state.get("_roles") or ()),
        countries=tuple(st.session_state.get("_countries") or ()),
        channels=tuple(st.session_state.get("_channels") or ()),
        regions=tuple(st.session_state.get("_regions") or ()),
    )


def show_error(err: BaseException | str) -> None:
    """An error in the page: its text as plain text (a mermaid label or role title in it never
    becomes an image or a link) and without the server's file paths."""
    from data.text.markup import hide_paths, md_plain

    st.error(t("err.generic", msg=md_plain(hide_paths(str(err)))))
