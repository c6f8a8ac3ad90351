"""The audit log: who did what, when. Append-only — there is no update or delete here,
and the database refuses both (triggers created by the migrations).

>>> from geoleads.store import Store
>>> store = Store.open("sqlite://", upgrade=True)
>>> with store.session() as s:
...     _ = audit(s, "login", user="ana", details={"ip": "127.0.0.1"})
>>> with store.session() as s:
...     [(e.username, e.action) for e in audit_events(s)]
[('ana', 'login')]
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geoleads.store.models import AuditEventRow

#: Actions the app records (others are allowed; these are the ones the UI knows).
ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "import",
    "import_failed",
    "review",
    "export",
    "package",
    "user_add",
    "user_change",
    "object_change",
    "geoparse",
)


def audit(
    session: Session,
    action: str,
    *,
    user: str | None = None,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEventRow:
    """Append one event to the audit log (written when ``session`` commits)."""
    event = AuditEventRow(
        at=at or datetime.now(UTC),
        username=user,
        action=action,
        target=None if target is None else str(target)[:500],
        details=dict(details or {}),
    )
    session.add(event)
    return event


def audit_events(
    session: Session,
    *,
    user: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: datetime | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> list[AuditEventRow]:
    """Events newest first, optionally filtered by user, action, target and time."""
    query = select(AuditEventRow)
    if user is not None:
        query = query.where(AuditEventRow.username == user)
    if action is not None:
        query = query.where(AuditEventRow.action == action)
    if target is not None:
        query = query.where(AuditEventRow.target == target)
    if since is not None:
        query = query.where(AuditEventRow.at >= since)
    query = query.order_by(AuditEventRow.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def count_audit_events(session: Session, *, action: str | None = None) -> int:
    """How many events the log holds (of ``action``, if given)."""
    query = select(func.count()).select_from(AuditEventRow)
    if action is not None:
        query = query.where(AuditEventRow.action == action)
    return int(session.scalar(query) or 0)
