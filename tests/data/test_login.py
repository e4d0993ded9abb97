"""Dashboard sign-in throttling (issue 15: "30 wrong passwords in a row met no delay, no
lockout and no audit row"). The policy is counted from rows in the store, so it holds across
reruns, browser sessions and server processes; time and sleeping are injected."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data.store.engine import session_scope
from data.store.models import AuditLog, LoginAttempt
from data.store.users import LoginPolicy, add_user, sign_in

T0 = dt.datetime(2026, 12, 1, 9, 0, 0)
POLICY = LoginPolicy()


pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def store(engine):
    with session_scope(engine) as s:
        add_user(s, "ada", "admin", "correct horse")
        add_user(s, "bob", "viewer", "battery staple")
    return engine


def attempt(engine, name, password, *, at, client="10.0.0.1", slept=None):
    with session_scope(engine) as s:  # one transaction per attempt, as the dashboard does
        r = sign_in(
            s, name, password, client, now=at, sleep=(slept if slept is not None else []).append
        )
        return r.ok, r.locked_until


def actions(engine) -> list[tuple[str, str]]:
    with session_scope(engine) as s:
        return [(a.actor, a.action) for a in s.scalars(select(AuditLog).order_by(AuditLog.id))]


def test_thirty_wrong_passwords_slow_down_lock_and_are_all_audited(store) -> None:
    slept: list[float] = []
    results = [
        attempt(store, "ada", f"guess {i}", at=T0 + dt.timedelta(seconds=i), slept=slept)
        for i in range(30)
    ]
    assert not any(ok for ok, _ in results)
    # no delay for the first two failures, then doubling from 0.5 s (hand-worked: 0.5, 1, 2)
    assert slept[:3] == [0.5, 1.0, 2.0]
    # the fifth failure locks: from then on, no password is even checked
    assert [lock is not None for _, lock in results] == [False] * 4 + [True] * 26
    assert len(slept) == 3  # locked attempts are refused at once (nothing to wait for)
    ok, locked = attempt(store, "ada", "correct horse", at=T0 + dt.timedelta(seconds=31))
    assert (
        not ok and locked == T0 + dt.timedelta(seconds=29) + POLICY.lockout
    )  # from the last failure
    # every attempt is a row and an audit row, also the locked ones
    acts = actions(store)
    assert acts.count(("ada", "dashboard.login_failed")) == 5
    assert acts.count(("ada", "dashboard.login_locked")) == 26
    with session_scope(store) as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 31
    # the lock lapses: the right password signs in, and is audited as a sign-in
    later = T0 + dt.timedelta(seconds=31) + POLICY.lockout + dt.timedelta(seconds=1)
    assert attempt(store, "ada", "correct horse", at=later) == (True, None)
    assert actions(store)[-1] == ("ada", "dashboard.login")
    # a success resets the count
    slept.clear()
    attempt(store, "ada", "nope", at=later + dt.timedelta(seconds=1), slept=slept)
    assert slept == []


def test_the_lock_is_per_user_and_per_client(store) -> None:
    for i in range(5):
        attempt(store, "ada", "x", at=T0 + dt.timedelta(seconds=i))
    # ada is locked, bob (same client) is not
    assert attempt(store, "bob", "battery staple", at=T0 + dt.timedelta(seconds=6))[0]
    # one client guessing many names is locked as a client after 20 failures...
    for i in range(20):
        attempt(store, f"user{i}", "x", at=T0 + dt.timedelta(seconds=10 + i), client="6.6.6.6")
    ok, locked = attempt(
        store, "bob", "battery staple", at=T0 + dt.timedelta(seconds=40), client="6.6.6.6"
    )
    assert not ok and locked is not None
    # ...while bob from his own machine still signs in
    assert attempt(store, "bob", "battery staple", at=T0 + dt.timedelta(seconds=41))[0]


def test_failures_outside_the_window_do_not_count(store) -> None:
    for i in range(4):
        attempt(store, "ada", "x", at=T0 + dt.timedelta(seconds=i))
    much_later = T0 + POLICY.window + dt.timedelta(minutes=1)
    slept: list[float] = []
    assert attempt(store, "ada", "x", at=much_later, slept=slept) == (False, None)
    assert slept == []
