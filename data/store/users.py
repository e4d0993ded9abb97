"""Users, password hashing (argon2) and what each role may do."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.errors import AccountDisabled, InputError, NotFoundError, PermissionDenied
from data.store.audit import record
from data.store.models import LoginAttempt, User

ROLES: tuple[str, ...] = ("admin", "recruiter", "viewer")
LOCAL_ADMIN = "admin"

_hasher = PasswordHasher()

# what each role may do; "write" covers every change to the store
PERMISSIONS: dict[str, set[str]] = {
    "admin": {"read", "write", "contacts", "admin", "models", "decide"},
    "recruiter": {"read", "write", "contacts", "decide"},
    "viewer": {"read"},
}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def add_user(session: Session, name: str, role: str, password: str | None = None) -> User:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; use one of {', '.join(ROLES)}", field="role")
    if not name.strip():
        raise InputError("user name is empty", field="name")
    if len(name) > 64:
        raise InputError(f"user name is {len(name)} characters; use at most 64", field="name")
    existing = session.scalar(select(User).where(User.name == name))
    if existing is not None:
        existing.role = role
        if password:
            existing.password_hash = hash_password(password)
        return existing
    user = User(name=name, role=role, password_hash=hash_password(password) if password else None)
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFoundError(
            f"no user named {name!r}: add one with `talentmap users add {name} --role viewer`"
        )
    return user


def has_users(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


def can(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, set())


def require(role: str, permission: str, *, action: str) -> None:
    """Raise ``PermissionDenied`` unless ``role`` holds ``permission``."""
    if not can(role, permission):
        raise PermissionDenied(
            f"a {role} may not {action}: ask an admin to run it, or to give you the recruiter role"
        )


# --- CLI tokens ----------------------------------------------------------------------------
# A token is 32 random bytes, so a fast hash is enough to store it (no dictionary to guess
# from, unlike a password); sha256 lets every CLI call check it in microseconds.

TOKEN_PREFIX = "tm_"


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, name: str) -> str:
    """A new CLI token for user ``name`` (replacing any earlier one); only its hash is stored,
    so the returned value is shown once and cannot be read back."""
    user = get_user(session, name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user.token_hash = _token_digest(token)
    session.flush()
    return token


def authenticate_token(session: Session, name: str, token: str | None) -> User:
    """The user ``name`` when ``token`` is theirs; ``PermissionDenied`` otherwise (the message
    never says which of the two was wrong), ``AccountDisabled`` for a disabled user's right
    token."""
    user = session.scalar(select(User).where(User.name == name))
    expected = user.token_hash if user is not None else None
    given = _token_digest(token or "")
    if user is None or not expected or not token or not hmac.compare_digest(expected, given):
        raise PermissionDenied(
            f"TALENTMAP_USER={name!r} with this TALENTMAP_TOKEN is not a valid sign-in: ask an "
            f"admin to run `talentmap users token {name}` and set TALENTMAP_TOKEN to what it prints"
        )
    if user.disabled:  # said only to someone holding the right token
        raise AccountDisabled(
            f"user {name!r} is disabled: ask an admin to run `talentmap users enable {name}`"
        )
    return user


# --- dashboard sign-in: delay, lockout, audit ----------------------------------------------


@dataclass(frozen=True)
class LoginPolicy:
    """After ``free`` failures in ``window`` each attempt waits ``delay * 2**(n - free)``
    seconds (at most ``max_delay``); ``lock_after`` failures of one user, or ``client_lock_after``
    from one client, lock sign-in for ``lockout`` (counted from the last failure)."""

    free: int = 2
    delay: float = 0.5
    max_delay: float = 5.0
    lock_after: int = 5
    client_lock_after: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)
    lockout: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    user: User | None = None
    locked_until: dt.datetime | None = None
    waited: float = 0.0
    disabled: bool = False  # the password was right, but an admin has disabled the user


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _failures(
    session: Session, column: Any, value: str, since: dt.datetime
) -> tuple[int, dt.datetime | None]:
    """Failed attempts matching ``column == value`` after ``since`` and after the last success."""
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(column == value, LoginAttempt.ok.is_(True))
    )
    start = max(since, last_ok) if last_ok else since
    n, last = session.execute(
        select(func.count(LoginAttempt.id), func.max(LoginAttempt.at)).where(
            column == value,
            LoginAttempt.ok.is_(False),
            LoginAttempt.at > start,
        )
    ).one()
    return int(n or 0), last


def login_state(
    session: Session,
    name: str,
    client: str,
    *,
    policy: LoginPolicy = LoginPolicy(),
    now: dt.datetime | None = None,
) -> tuple[float, dt.datetime | None]:
    """``(delay in seconds, locked until)`` for the next attempt by ``name`` from ``client``."""
    now = now or _now()
    since = now - policy.window
    n_user, last_user = _failures(session, LoginAttempt.user_name, name[:64], since)
    n_client, last_client = _failures(session, LoginAttempt.client, client[:64], since)
    locks = []
    if n_user >= policy.lock_after and last_user is not None:
        locks.append(last_user + policy.lockout)
    if n_client >= policy.client_lock_after and last_client is not None:
        locks.append(last_client + policy.lockout)
    locked = max((t for t in locks if t > now), default=None)
    n = max(n_user, n_client)
    delay = (
        min(policy.delay * 2 ** (n - policy.free), policy.max_delay) if n >= policy.free else 0.0
    )
    return delay, locked


def sign_in(
    session: Session,
    name: str,
    password: str,
    client: str,
    *,
    policy: LoginPolicy = LoginPolicy(),
    now: dt.datetime | None = None,
    sleep: Callable[[float], None] | None = None,
) -> LoginResult:
    """Check a dashboard sign-in, slowed down and locked per ``policy``; every attempt (also a
    refused or locked one) leaves a ``login_attempts`` row and an audit row. The caller commits.

    A locked account is refused without checking the password, so guessing goes on being
    useless while the lock lasts."""
    import time

    now = now or _now()
    name = name.strip()[:64]
    client = (client or "unknown")[:64]
    delay, locked = login_state(session, name, client, policy=policy, now=now)
    if locked is not None:
        session.add(LoginAttempt(at=now, user_name=name, client=client, ok=False))
        record(
            session,
            name or "(empty)",
            "dashboard.login_locked",
            target_type="user",
            target=name or None,
            detail={"client": client, "locked_until": locked.isoformat(timespec="seconds")},
        )
        return LoginResult(False, locked_until=locked)
    if delay:
        (sleep or time.sleep)(delay)
    user = session.scalar(select(User).where(User.name == name)) if name else None
    right = user is not None and verify_password(user, password)
    # only someone who knows the password learns that the account is disabled
    disabled = right and user is not None and user.disabled
    ok = right and not disabled
    session.add(LoginAttempt(at=now, user_name=name, client=client, ok=ok))
    record(
        session,
        name or "(empty)",
        "dashboard.login"
        if ok
        else "dashboard.login_disabled"
        if disabled
        else "dashboard.login_failed",
        target_type="user",
        target=name or None,
        detail={"client": client},
    )
    session.flush()
    if ok:
        return LoginResult(True, user=user, waited=delay)
    if disabled:
        return LoginResult(False, waited=delay, disabled=True)
    _, locked = login_state(session, name, client, policy=policy, now=now)
    return LoginResult(False, locked_until=locked, waited=delay)


# --- administration (the dashboard's Users page): every change audited ---------------------


def list_users(session: Session) -> list[dict[str, object]]:
    """Every user by name: role, created, whether they are active (not disabled) and whether
    they have a password (for the dashboard) and a CLI token."""
    return [
        {
            "name": u.name,
            "role": u.role,
            "created_at": u.created_at,
            "active": not u.disabled,
            "password": u.password_hash is not None,
            "token": u.token_hash is not None,
        }
        for u in session.scalars(select(User).order_by(User.name))
    ]


def is_active(session: Session, name: str) -> bool:
    """Whether ``name`` is a stored user who is not disabled."""
    disabled = session.scalar(select(User.disabled).where(User.name == name))
    return disabled is False


def user_status(session: Session, name: str) -> tuple[str, bool] | None:
    """``(role, disabled)`` of the stored user ``name``; None when there is none."""
    row = session.execute(select(User.role, User.disabled).where(User.name == name)).first()
    return None if row is None else (str(row[0]), bool(row[1]))


def _active_admins(session: Session) -> list[str]:
    return list(
        session.scalars(select(User.name).where(User.role == "admin", User.disabled.is_(False)))
    )


def _keep_an_admin(session: Session, user: User, *, doing: str) -> None:
    """Refuse a change that would leave the store without an active admin."""
    if user.role == "admin" and not user.disabled and _active_admins(session) == [user.name]:
        raise InputError(
            f"{user.name!r} is the last active admin: make another user an admin before you "
            f"{doing}",
            field="name",
        )


def create_user(session: Session, name: str, role: str, password: str, *, actor: str) -> User:
    """Add a new user with a password; refuses a name already taken (``InputError``)."""
    name = name.strip()
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise InputError(
            f"a user named {name!r} already exists: change their role instead", field="name"
        )
    if len(password or "") < 8:
        raise InputError("the password needs at least 8 characters", field="password")
    user = add_user(session, name, role, password)
    record(session, actor, "users.add", target_type="user", target=name, detail={"role": role})
    return user


def set_role(session: Session, name: str, role: str, *, actor: str) -> User:
    """Change a user's role (``InputError`` for an unknown role, or an admin demoting self)."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; use one of {', '.join(ROLES)}", field="role")
    user = get_user(session, name)
    if name == actor and role != user.role:
        raise InputError("you cannot change your own role: ask another admin", field="role")
    if role != "admin":
        _keep_an_admin(session, user, doing="change their role")
    previous = user.role
    user.role = role
    record(
        session,
        actor,
        "users.role",
        target_type="user",
        target=name,
        detail={"from": previous, "to": role},
    )
    session.flush()
    return user


def reset_password(session: Session, name: str, password: str, *, actor: str) -> User:
    """Set a new password (a disabled user stays disabled until enabled)."""
    if len(password or "") < 8:
        raise InputError("the password needs at least 8 characters", field="password")
    user = get_user(session, name)
    user.password_hash = hash_password(password)
    record(session, actor, "users.password_reset", target_type="user", target=name)
    session.flush()
    return user


def disable_user(session: Session, name: str, *, actor: str) -> User:
    """Disable a user: sign-in and CLI token are refused from now on, and an open dashboard
    session ends at its next click. Password and token are kept, so ``enable_user`` restores
    access. An admin cannot disable themself, and nobody the last active admin."""
    if name == actor:
        raise InputError("you cannot disable your own account: ask another admin", field="name")
    user = get_user(session, name)
    if user.disabled:
        return user  # already disabled: nothing to change, nothing to audit
    _keep_an_admin(session, user, doing="disable them")
    user.disabled = True
    record(session, actor, "users.disable", target_type="user", target=name)
    session.flush()
    return user


def enable_user(session: Session, name: str, *, actor: str) -> User:
    """Enable a disabled user again, with the password and CLI token they had."""
    user = get_user(session, name)
    if not user.disabled:
        return user
    user.disabled = False
    record(session, actor, "users.enable", target_type="user", target=name)
    session.flush()
    return user
