"""Users, password hashing (argon2) and what each role may do."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.errors import InputError, NotFoundError, PermissionDenied
from data.store.models import User

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
