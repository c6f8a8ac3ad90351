"""Reviews of tips: credible | doubtful | spam | duplicate; the latest review wins.

Each tip has at most one current review with a ``version`` that counts its
reviews. Writing checks the version (optimistic locking): when another analyst
reviewed the tip since it was read, :class:`~geoleads.errors.ConflictError` is
raised instead of silently overwriting their review. Every review is also
written to the audit log (the history: who changed what from what).

>>> from datetime import UTC, datetime
>>> from geoleads.store import Store, import_tips
>>> from geoleads.tips import Tip
>>> store = Store.open("sqlite://", upgrade=True)
>>> _ = import_tips(store, [Tip("T1", "O1", "aus Graz", datetime(2024, 1, 1, tzinfo=UTC))])
>>> with store.session() as s:
...     set_review(s, "T1", "credible", user="ana")
1
>>> with store.session() as s:
...     set_review(s, "T1", "spam", user="bob", expected_version=0)
Traceback (most recent call last):
...
geoleads.errors.ConflictError: tip 'T1' was reviewed by ana (credible, version 1) meanwhile
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from geoleads.errors import ConfigError, ConflictError, NotFoundError
from geoleads.store.audit import audit
from geoleads.store.models import REVIEW_STATUSES, ReviewRow, TipRow


def get_review(session: Session, tip_id: str) -> ReviewRow | None:
    """The current review of a tip, or ``None`` (unreviewed)."""
    return session.get(ReviewRow, tip_id)


def set_review(
    session: Session,
    tip_id: str,
    status: str,
    *,
    user: str,
    expected_version: int | None = None,
) -> int:
    """Review one tip; return the new version (1 for a first review).

    ``expected_version`` is the version the reviewer saw (0 = unreviewed); when
    given and no longer current, :class:`ConflictError`. Without it the write
    still refuses to overwrite a review committed concurrently by another session
    (then the session's transaction is rolled back before ``ConflictError`` is raised).
    The caller's transaction commits it (``store.session()`` does).
    """
    if status not in REVIEW_STATUSES:
        raise ConfigError(f"review status {status!r}: expected one of {', '.join(REVIEW_STATUSES)}")
    tip = session.get(TipRow, tip_id)
    if tip is None:
        raise NotFoundError(f"no tip {tip_id!r}")
    current = session.get(ReviewRow, tip_id, populate_existing=True)
    seen = current.version if current is not None else 0
    if expected_version is not None and expected_version != seen:
        raise _conflict(tip_id, current)
    previous = current.status if current is not None else "unreviewed"
    now = datetime.now(UTC)
    if current is None:
        current = ReviewRow(
            tip_id=tip_id, object_id=tip.object_id, status=status, username=user, at=now
        )
        session.add(current)
    else:
        current.status, current.username, current.at = status, user, now
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as err:
        # Another session committed a review first: this transaction cannot go on.
        session.rollback()
        raise _conflict(tip_id, session.get(ReviewRow, tip_id, populate_existing=True)) from err
    audit(
        session,
        "review",
        user=user,
        target=tip_id,
        details={"status": status, "previous": previous, "version": current.version},
        at=now,
    )
    return current.version


def set_reviews(
    session: Session, tip_ids: Iterable[str], status: str, *, user: str
) -> dict[str, int]:
    """Review many tips at once (a batch action); all or nothing. Returns tip_id -> version."""
    return {tip_id: set_review(session, tip_id, status, user=user) for tip_id in tip_ids}


def _conflict(tip_id: str, current: ReviewRow | None) -> ConflictError:
    if current is None:
        return ConflictError(f"tip {tip_id!r} changed meanwhile: re-read it and review again")
    return ConflictError(
        f"tip {tip_id!r} was reviewed by {current.username} "
        f"({current.status}, version {current.version}) meanwhile"
    )
