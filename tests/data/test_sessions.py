"""Kept dashboard sign-ins (issue 18: a reload signed the user out): a random id whose hash is
stored, valid until it expires, is revoked at sign-out, or the user's password is reset or
the user is disabled."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from data.store.engine import session_scope
from data.store.models import UserSession
from data.store.sessions import (
    SESSION_TTL,
    close_session,
    looks_like_token,
    open_session,
    resume_session,
)
from data.store.users import add_user, disable_user, enable_user, reset_password

T0 = dt.datetime(2026, 12, 1, 9, 0)


pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def store(engine):
    with session_scope(engine) as s:
        add_user(s, "ada", "admin", "ada-password")
        add_user(s, "bob", "recruiter", "bob-password")
    return engine


def _open(engine, name, at=T0):
    with session_scope(engine) as s:
        return open_session(s, name, now=at)


def _who(engine, token, at=T0 + dt.timedelta(minutes=5)):
    with session_scope(engine) as s:
        user = resume_session(s, token, now=at)
        return None if user is None else user.name


def test_a_session_signs_its_user_in_again_and_only_its_hash_is_stored(store):
    token = _open(store, "bob")
    assert looks_like_token(token) and len(token) >= 40
    assert _who(store, token) == "bob"
    with session_scope(store) as s:
        (row,) = s.scalars(select(UserSession)).all()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in (row.token_hash, row.user_name)
        assert row.expires_at - row.created_at == SESSION_TTL
    assert _open(store, "bob") != token  # every sign-in its own random id


def test_it_expires_and_a_made_up_or_altered_id_signs_nobody_in(store):
    token = _open(store, "bob")
    assert _who(store, token, T0 + SESSION_TTL - dt.timedelta(seconds=1)) == "bob"
    assert _who(store, token, T0 + SESSION_TTL) is None
    for fake in (None, "", "tms_" + "A" * 43, token[:-1] + ("A" if token[-1] != "A" else "B")):
        assert _who(store, fake) is None
    assert not looks_like_token("tms_<script>alert(1)</script>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")


def test_sign_out_revokes_it_for_good(store):
    token = _open(store, "bob")
    with session_scope(store) as s:
        assert close_session(s, token, now=T0 + dt.timedelta(minutes=1))
        assert not close_session(s, token)  # already ended
    assert _who(store, token) is None


def test_a_password_reset_or_a_disable_ends_every_session_of_that_user(store):
    bob1, bob2, ada = _open(store, "bob"), _open(store, "bob"), _open(store, "ada")
    with session_scope(store) as s:
        reset_password(s, "bob", "new-bob-password", actor="ada")
    assert (_who(store, bob1), _who(store, bob2), _who(store, ada)) == (None, None, "ada")
    bob3 = _open(store, "bob")
    with session_scope(store) as s:
        disable_user(s, "bob", actor="ada")
    assert _who(store, bob3) is None
    with session_scope(store) as s:
        enable_user(s, "bob", actor="ada")
    assert _who(store, bob3) is None  # enabling does not bring an ended session back


def test_sessions_ended_long_ago_are_cleared_out(store):
    _open(store, "bob", T0)
    _open(store, "bob", T0 + SESSION_TTL + dt.timedelta(days=2))
    with session_scope(store) as s:
        assert len(s.scalars(select(UserSession)).all()) == 1
