"""Logged-in users of the web app, API tokens, audit helper and per-user object visits.

A session or an API token is bound to the user's id *and* a fingerprint of their
password hash, so changing a password or disabling an account ends every
session and token at once. API tokens are signed (itsdangerous) with the app's
secret key; nothing about them is stored.

>>> u = WebUser(1, "ana", "analyst", "f" * 12)
>>> u.can("viewer"), u.can("admin"), u.get_id()
(True, False, '1:ffffffffffff')
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_login import UserMixin
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, func, select

from geoleads.store import users as store_users
from geoleads.store.audit import audit as store_audit
from geoleads.store.models import AuditEventRow, UserRow
from geoleads.web.security import role_allows
from geoleads.web.signals import ChangeSignal

if TYPE_CHECKING:
    from geoleads.store.engine import Store

#: Audit action recorded when a user opens an object page (also gives "new since last visit").
VIEW_ACTION = "object_view"


@dataclass
class WebUser(UserMixin):
    """The logged-in user as Flask-Login sees it."""

    id: int
    username: str
    role: str
    fingerprint: str

    def get_id(self) -> str:
        return f"{self.id}:{self.fingerprint}"

    def can(self, role: str) -> bool:
        """Whether this user's role is at least ``role``."""
        return role_allows(self.role, role)


def _fingerprint(row: UserRow) -> str:
    return _hash_fingerprint(row.password_hash)


def _hash_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:12]


#: the session's user, one Core statement (SQLAlchemy caches its compiled form)
_SESSION_USER = select(
    UserRow.id, UserRow.username, UserRow.role, UserRow.active, UserRow.password_hash
).where(UserRow.id == bindparam("uid"))


def _web_user(row: UserRow | None) -> WebUser | None:
    if row is None or not row.active:
        return None
    return WebUser(row.id, row.username, row.role, _fingerprint(row))


def load_session_user(store: Store, session_id: str) -> WebUser | None:
    """The user of a session id ``"<id>:<fingerprint>"`` if still valid."""
    uid, _, fp = session_id.partition(":")
    if not uid.isdigit():
        return None
    # every request runs this: one Core statement on a pooled connection (no ORM
    # session, no identity map), still read fresh so a disabled account or a changed
    # password ends the session at once, in every server process
    with store.read() as conn:
        row = conn.execute(_SESSION_USER, {"uid": int(uid)}).first()
    if row is None or not row.active:
        return None
    user = WebUser(row.id, row.username, row.role, _hash_fingerprint(row.password_hash))
    if not secrets.compare_digest(user.fingerprint, fp):
        return None
    return user


def authenticate(store: Store, username: str, password: str) -> WebUser | None:
    """Check a password (argon2, via the store); None when wrong or disabled."""
    with store.session() as s:
        return _web_user(store_users.authenticate(s, username, password))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="geoleads-api-token")


def new_api_token(user: WebUser) -> str:
    """A new bearer token for ``user`` (valid until their password changes)."""
    return str(_serializer().dumps([user.id, user.fingerprint, secrets.token_hex(8)]))


def user_by_token(store: Store, token: str) -> WebUser | None:
    """The user a bearer token belongs to, if it is valid."""
    try:
        uid, fp, _nonce = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return load_session_user(store, f"{uid}:{fp}")


def list_users(store: Store) -> list[dict[str, Any]]:
    """Every account (no password hashes)."""
    with store.session() as s:
        return [
            {
                "username": u.username,
                "role": u.role,
                "active": u.active,
                "created_at": u.created_at,
                "last_login_at": u.last_login_at,
            }
            for u in store_users.list_users(s)
        ]


def audit(
    store: Store,
    user: str | None,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one event to the audit log, in its own transaction."""
    with store.session() as s:
        store_audit(s, action, user=user, target=target, details=details)


@dataclass(frozen=True)
class Visit:
    """When a user last opened an object page and how many tips the object had then."""

    at: datetime
    tips: int | None


class Visits:
    """When each user last opened each object page (kept in the audit log, cached here).

    Each ``object_view`` event records the object's tip count, so "new since the
    last visit" is a subtraction (tips are only ever added), not a count over the
    object's tips. With several server processes, each records its visits in the
    audit log and pokes ``signal``; the others then read the events they have not
    seen (by audit id, a few rows) into their cache.
    """

    #: Seconds within which repeated views of one object count as one visit.
    AUDIT_EVERY = 60.0

    def __init__(self, store: Store, signal: ChangeSignal | None = None) -> None:
        self.store = store
        self.signal = signal or ChangeSignal(None)
        self._signal_seen = self.signal.version()
        self._seen: dict[str, dict[str, Visit]] = {}
        self._last_id: int | None = None
        self._lock = threading.Lock()

    @staticmethod
    def _visit(at: datetime, details: Any) -> Visit:
        tips = (details or {}).get("tips")
        when = at if at.tzinfo else at.replace(tzinfo=UTC)
        return Visit(when, int(tips) if isinstance(tips, int) else None)

    def _sync(self) -> None:
        """Read the visits other processes recorded since the last look (when signalled)."""
        version = self.signal.version()
        with self._lock:
            if self._last_id is not None and version == self._signal_seen:
                return
            self._signal_seen = version
            last = self._last_id
        with self.store.session() as s:
            if last is None:
                top = s.scalar(select(func.max(AuditEventRow.id)))
                with self._lock:
                    self._last_id = int(top or 0)
                return
            rows = s.execute(
                select(
                    AuditEventRow.id,
                    AuditEventRow.username,
                    AuditEventRow.target,
                    AuditEventRow.at,
                    AuditEventRow.details,
                )
                .where(AuditEventRow.id > last, AuditEventRow.action == VIEW_ACTION)
                .order_by(AuditEventRow.id)
            ).all()
        with self._lock:
            for event_id, username, target, at, details in rows:
                self._last_id = max(self._last_id or 0, int(event_id))
                known = self._seen.get(str(username))
                if known is not None and target:
                    known[str(target)] = self._visit(at, details)

    def of(self, username: str) -> dict[str, Visit]:
        """``object_id -> last visit`` of ``username`` (a copy)."""
        self._sync()
        with self._lock:
            cached = self._seen.get(username)
            upto = self._last_id or 0
        if cached is None:
            cached = {}
            with self.store.session() as s:
                rows = s.execute(
                    select(AuditEventRow.target, AuditEventRow.at, AuditEventRow.details)
                    .where(
                        AuditEventRow.username == username,
                        AuditEventRow.action == VIEW_ACTION,
                        AuditEventRow.id <= upto,  # later ones come through _sync
                    )
                    .order_by(AuditEventRow.id.desc())
                )
                for target, at, details in rows:
                    if target and str(target) not in cached:
                        cached[str(target)] = self._visit(at, details)
            with self._lock:
                cached = self._seen.setdefault(username, cached)
        with self._lock:
            return dict(cached)

    def record(self, username: str, object_id: str, tips: int) -> Visit | None:
        """Record a visit now (the object has ``tips`` tips); return the previous visit.

        The audit log gets one ``object_view`` event per user and object per
        :attr:`AUDIT_EVERY` (paging through an object's tips is one visit).
        """
        previous = self.of(username).get(object_id)
        now = datetime.now(UTC)
        if previous is None or (now - previous.at).total_seconds() >= self.AUDIT_EVERY:
            audit(self.store, username, VIEW_ACTION, object_id, {"tips": tips})
            with self._lock:
                self._seen.setdefault(username, {})[object_id] = Visit(now, tips)
            self.signal.notify()
        return previous
