"""Kept dashboard sign-ins, so a reload does not sign the user out.

After a password sign-in the dashboard opens a session: a random id (32 bytes from
``secrets``) that the browser keeps in a cookie and sends when the page is loaded again. Only
its sha256 is stored (like a CLI token, a random id needs no slow hash), so the table cannot be
used to sign in. A session ends at its expiry (absolute, ``SESSION_TTL`` after sign-in), at
sign-out, when the user's password is reset and while the user is disabled."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from data.store.models import User, UserSession

SESSION_TTL = dt.timedelta(hours=12)
COOKIE = "tm_session"
_PREFIX = "tms_"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(value: str | None) -> bool:
    """Whether ``value`` has a session id's form (prefix, url-safe characters): anything else
    from a cookie is ignored before it reaches the store or a page."""
    body = (value or "")[len(_PREFIX) :]
    return (
        bool(value)
        and str(value).startswith(_PREFIX)
        and 40 <= len(body) <= 64
        and all(c.isalnum() or c in "-_" for c in body)
    )


def open_session(
    session: Session,
    user_name: str,
    *,
    now: dt.datetime | None = None,
    ttl: dt.timedelta = SESSION_TTL,
) -> str:
    """A new session for ``user_name``; returns its id (shown to the browser once, not stored).
    Sessions that ended more than a day ago are cleared out on the way."""
    now = now or _now()
    session.execute(delete(UserSession).where(UserSession.expires_at < now - dt.timedelta(days=1)))
    token = _PREFIX + secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=_digest(token), user_name=user_name, created_at=now, expires_at=now + ttl
        )
    )
    session.flush()
    return token


def resume_session(
    session: Session, token: str | None, *, now: dt.datetime | None = None
) -> User | None:
    """The user of a live session ``token`` (not expired, not revoked, user still there and not
    disabled); None otherwise, without saying why."""
    if not looks_like_token(token):
        return None
    now = now or _now()
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _digest(str(token))))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.scalar(select(User).where(User.name == row.user_name))
    if user is None or user.disabled:
        return None
    return user


def close_session(session: Session, token: str | None, *, now: dt.datetime | None = None) -> bool:
    """End the session ``token`` (sign-out); whether there was a live one."""
    if not looks_like_token(token):
        return False
    result = session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _digest(str(token)), UserSession.revoked_at.is_(None))
        .values(revoked_at=now or _now())
    )
    return bool(getattr(result, "rowcount", 0))


def close_user_sessions(session: Session, user_name: str, *, now: dt.datetime | None = None) -> int:
    """End every live session of ``user_name`` (a password reset, a disable); how many."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_name == user_name, UserSession.revoked_at.is_(None))
        .values(revoked_at=now or _now())
    )
    return int(getattr(result, "rowcount", 0) or 0)
