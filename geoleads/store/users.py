"""Investigator accounts: argon2id password hashes (argon2-cffi) and roles.

>>> from geoleads.store import Store
>>> store = Store.open("sqlite://", upgrade=True)
>>> with store.session() as s:
...     _ = add_user(s, "ana", "correct horse battery", role="analyst")
>>> with store.session() as s:
...     authenticate(s, "ana", "correct horse battery").role, authenticate(s, "ana", "nope")
('analyst', None)
>>> role_at_least("admin", "analyst"), role_at_least("viewer", "analyst")
(True, False)
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geoleads.errors import ConfigError, ConflictError, NotFoundError
from geoleads.store.models import ROLES, UserRow

#: Shortest password accepted.
MIN_PASSWORD_CHARS = 10
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,149}$")
_HASHER = PasswordHasher()
# Verified when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("geoleads-no-such-user")


def role_at_least(role: str, required: str) -> bool:
    """Whether ``role`` may do what ``required`` may (viewer < analyst < admin)."""
    if required not in ROLES:
        raise ValueError(f"unknown role {required!r}")
    return role in ROLES and ROLES.index(role) >= ROLES.index(required)


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _HASHER.hash(password)


def _check_new(username: str, password: str, role: str) -> None:
    if not _USERNAME.match(username):
        raise ConfigError(
            f"user name {username[:40]!r}: use letters, digits and . _ @ - (at most 150)"
        )
    if role not in ROLES:
        raise ConfigError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_CHARS:
        raise ConfigError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")


def add_user(session: Session, username: str, password: str, *, role: str = "viewer") -> UserRow:
    """Create an active account; :class:`ConflictError` if the name is taken."""
    _check_new(username, password, role)
    if get_user(session, username, missing_ok=True) is not None:
        raise ConflictError(f"user {username!r} already exists")
    user = UserRow(
        username=username,
        password_hash=hash_password(password),
        role=role,
        active=True,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as err:
        raise ConflictError(f"user {username!r} already exists") from err
    return user


def get_user(session: Session, username: str, *, missing_ok: bool = False) -> UserRow | None:
    """The account named ``username`` (``NotFoundError`` unless ``missing_ok``)."""
    user = session.scalar(select(UserRow).where(UserRow.username == username))
    if user is None and not missing_ok:
        raise NotFoundError(f"no user {username!r}")
    return user


def list_users(session: Session) -> list[UserRow]:
    """Every account, by name."""
    return list(session.scalars(select(UserRow).order_by(UserRow.username)))


def authenticate(session: Session, username: str, password: str) -> UserRow | None:
    """The active account if ``password`` is right, else ``None`` (same cost either way).

    A successful login records ``last_login_at`` and upgrades an outdated hash.
    """
    user = get_user(session, username, missing_ok=True)
    stored = user.password_hash if user is not None and user.active else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = datetime.now(UTC)
    return user


def set_password(session: Session, username: str, password: str) -> None:
    """Replace a user's password."""
    user = get_user(session, username)
    assert user is not None
    _check_new(username, password, user.role)
    user.password_hash = hash_password(password)


def set_role(session: Session, username: str, role: str) -> None:
    """Change a user's role."""
    if role not in ROLES:
        raise ConfigError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    user = get_user(session, username)
    assert user is not None
    user.role = role


def set_active(session: Session, username: str, active: bool) -> None:
    """Enable or disable an account (accounts are never deleted: the audit log names them)."""
    user = get_user(session, username)
    assert user is not None
    user.active = active
