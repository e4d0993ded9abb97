"""Disabling a user is a state of its own (issue 18): sign-in and CLI token are refused while
it lasts (audited), enabling restores access with the same password and token, and the store
never loses its last active admin."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data.errors import AccountDisabled, InputError, PermissionDenied
from data.store.engine import session_scope
from data.store.models import AuditLog, User
from data.store.users import (
    add_user,
    authenticate_token,
    disable_user,
    enable_user,
    is_active,
    issue_token,
    list_users,
    reset_password,
    set_role,
    sign_in,
)

T0 = dt.datetime(2026, 12, 1, 9, 0, 0)


pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def store(engine):
    with session_scope(engine) as s:
        add_user(s, "ada", "admin", "ada-password")
        add_user(s, "bob", "recruiter", "bob-password")
        token = issue_token(s, "bob")
    return engine, token


def _login(engine, name, password, at=T0):
    with session_scope(engine) as s:
        return sign_in(s, name, password, "10.0.0.9", now=at, sleep=lambda _s: None)


def _actions(engine, prefix=""):
    with session_scope(engine) as s:
        return [
            (a.actor, a.action, a.target)
            for a in s.scalars(select(AuditLog).order_by(AuditLog.id))
            if a.action.startswith(prefix)
        ]


def test_a_disabled_user_is_refused_and_enabling_restores_the_same_password_and_token(store):
    engine, token = store
    assert _login(engine, "bob", "bob-password").ok
    with session_scope(engine) as s:
        disable_user(s, "bob", actor="ada")
        assert not is_active(s, "bob") and is_active(s, "ada") and not is_active(s, "nobody")
    refused = _login(engine, "bob", "bob-password", T0 + dt.timedelta(minutes=1))
    assert not refused.ok and refused.disabled and refused.user is None
    # a wrong password says nothing about the account being disabled
    wrong = _login(engine, "bob", "not-it", T0 + dt.timedelta(minutes=2))
    assert not wrong.ok and not wrong.disabled
    with session_scope(engine) as s, pytest.raises(AccountDisabled, match="users enable bob"):
        authenticate_token(s, "bob", token)
    with session_scope(engine) as s, pytest.raises(PermissionDenied) as err:
        authenticate_token(s, "bob", "tm_wrong")
    assert not isinstance(err.value, AccountDisabled)
    with session_scope(engine) as s:
        enable_user(s, "bob", actor="ada")
    assert _login(engine, "bob", "bob-password", T0 + dt.timedelta(minutes=3)).ok
    with session_scope(engine) as s:
        assert authenticate_token(s, "bob", token).name == "bob"
    assert _actions(engine, "users.") == [
        ("ada", "users.disable", "bob"),
        ("ada", "users.enable", "bob"),
    ]
    assert [a for _, a, _ in _actions(engine, "dashboard.")] == [
        "dashboard.login",
        "dashboard.login_disabled",
        "dashboard.login_failed",
        "dashboard.login",
    ]


def test_disabling_or_enabling_twice_changes_and_audits_once(store):
    engine, _ = store
    with session_scope(engine) as s:
        disable_user(s, "bob", actor="ada")
        disable_user(s, "bob", actor="ada")
        enable_user(s, "bob", actor="ada")
        enable_user(s, "bob", actor="ada")
    assert [a for _, a, _ in _actions(engine, "users.")] == ["users.disable", "users.enable"]


def test_a_password_reset_does_not_enable_a_disabled_user(store):
    engine, _ = store
    with session_scope(engine) as s:
        disable_user(s, "bob", actor="ada")
        reset_password(s, "bob", "new-bob-password", actor="ada")
    assert _login(engine, "bob", "new-bob-password").disabled
    with session_scope(engine) as s:
        assert [u["active"] for u in list_users(s)] == [True, False]  # ada, bob


def test_the_last_active_admin_cannot_be_disabled_or_demoted(store):
    engine, _ = store
    with session_scope(engine) as s:
        # the CLI's local admin (no stored user) is the actor
        with pytest.raises(InputError, match="last active admin"):
            disable_user(s, "ada", actor="admin")
        with pytest.raises(InputError, match="last active admin"):
            set_role(s, "ada", "viewer", actor="admin")
        add_user(s, "cy", "admin", "cy-password")
        disable_user(s, "ada", actor="cy")  # another active admin remains
        with pytest.raises(InputError, match="last active admin"):
            disable_user(s, "cy", actor="admin")
        assert s.scalar(select(User.disabled).where(User.name == "cy")) is False
    with pytest.raises(InputError, match="your own account"), session_scope(engine) as s:
        disable_user(s, "cy", actor="cy")


def test_a_disabled_user_cannot_be_the_only_admin_left_either(store):
    """Two admins, one disabled: the active one is the last and stays."""
    engine, _ = store
    with session_scope(engine) as s:
        add_user(s, "cy", "admin", "cy-password")
        disable_user(s, "cy", actor="ada")
        with pytest.raises(InputError, match="last active admin"):
            disable_user(s, "ada", actor="cy")
