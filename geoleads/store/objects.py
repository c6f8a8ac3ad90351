"""Reading objects and their tips (what the web pages and the CLI show).

>>> from datetime import UTC, datetime
>>> from geoleads.store import Store, import_tips
>>> from geoleads.tips import Tip
>>> store = Store.open("sqlite://", upgrade=True)
>>> _ = import_tips(store, [Tip("T1", "OBJ-1", "aus Graz", datetime(2024, 1, 1, tzinfo=UTC))])
>>> with store.session() as s:
...     [(o.object_id, o.tips, o.unreviewed) for o in list_objects(s)]
[('OBJ-1', 1, 1)]
>>> with store.session() as s:
...     [(t.tip.tip_id, t.status) for t in tips_for_object(s, "OBJ-1")]
[('T1', 'unreviewed')]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from geoleads.errors import NotFoundError
from geoleads.leads import Mention
from geoleads.store.mentions import mentions_for_tips
from geoleads.store.models import MentionRow, ObjectRow, ReviewRow, TipRow
from geoleads.tips import Tip

#: Object fields an admin may edit with :func:`update_object`.
EDITABLE = ("title", "kind", "description", "question", "published", "image_path")


@dataclass
class ObjectSummary:
    """One line of the objects page: the object and its tip counts per review status."""

    object_id: str
    title: str
    kind: str | None
    published: bool
    tips: int
    last_tip_at: datetime | None
    reviews: dict[str, int] = field(default_factory=dict)

    @property
    def unreviewed(self) -> int:
        return self.tips - sum(self.reviews.values())


@dataclass
class StoredTip:
    """A tip with its current review (``status`` "unreviewed" and ``version`` 0 if none)."""

    tip: Tip
    status: str
    version: int
    reviewed_by: str | None
    source: str
    imported_at: datetime
    geoparsed: bool
    mentions: list[Mention] = field(default_factory=list)


def get_object(session: Session, object_id: str) -> ObjectRow:
    """The object (``NotFoundError`` if unknown)."""
    obj = session.get(ObjectRow, object_id)
    if obj is None:
        raise NotFoundError(f"no object {object_id!r}")
    return obj


def ensure_object(session: Session, object_id: str, **fields: Any) -> ObjectRow:
    """The object, created (with ``fields``) when unknown."""
    obj = session.get(ObjectRow, object_id)
    if obj is None:
        values = {"title": object_id, "published": False, **fields}
        obj = ObjectRow(object_id=object_id, tip_count=0, created_at=datetime.now(UTC), **values)
        session.add(obj)
        session.flush()
    return obj


def update_object(session: Session, object_id: str, **fields: Any) -> ObjectRow:
    """Edit an object's title, kind, description, question, published flag or image path."""
    bad = sorted(set(fields) - set(EDITABLE))
    if bad:
        raise ValueError(f"cannot edit {', '.join(bad)} (editable: {', '.join(EDITABLE)})")
    obj = get_object(session, object_id)
    for key, value in fields.items():
        setattr(obj, key, value)
    return obj


def list_objects(session: Session, *, published_only: bool = False) -> list[ObjectSummary]:
    """Every object with its tip count and counts per review status, by object_id."""
    query = select(ObjectRow).order_by(ObjectRow.object_id)
    if published_only:
        query = query.where(ObjectRow.published.is_(True))
    objects = list(session.scalars(query))
    counts: dict[str, dict[str, int]] = {}
    review_query = select(ReviewRow.object_id, ReviewRow.status, func.count()).group_by(
        ReviewRow.object_id, ReviewRow.status
    )
    for object_id, status, n in session.execute(review_query):
        if object_id is not None:
            counts.setdefault(object_id, {})[status] = int(n)
    return [
        ObjectSummary(
            o.object_id,
            o.title,
            o.kind,
            o.published,
            o.tip_count,
            o.last_tip_at,
            counts.get(o.object_id, {}),
        )
        for o in objects
    ]


def _tip_query(
    object_id: str,
    *,
    status: str | Sequence[str] | None = None,
    language: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    country: str | None = None,
    has_place: bool | None = None,
) -> Select[TipRow, ReviewRow]:
    query: Select[TipRow, ReviewRow] = (
        select(TipRow, ReviewRow)
        .outerjoin(ReviewRow, ReviewRow.tip_id == TipRow.tip_id)
        .where(TipRow.object_id == object_id)
    )
    if status is not None:
        wanted = [status] if isinstance(status, str) else list(status)
        named = [s for s in wanted if s != "unreviewed"]
        conditions = [ReviewRow.status.in_(named)] if named else []
        if "unreviewed" in wanted:
            conditions.append(ReviewRow.tip_id.is_(None))
        query = query.where(or_(*conditions))
    if language is not None:
        query = query.where(TipRow.language == language)
    if since is not None:
        query = query.where(TipRow.received_at >= since)
    if until is not None:
        query = query.where(TipRow.received_at < until)
    placed = exists().where(MentionRow.tip_id == TipRow.tip_id, MentionRow.name.is_not(None))
    if country is not None:
        query = query.where(
            exists().where(MentionRow.tip_id == TipRow.tip_id, MentionRow.country == country)
        )
    if has_place is True:
        query = query.where(placed)
    elif has_place is False:
        query = query.where(~placed)
    return query


def tips_for_object(
    session: Session,
    object_id: str,
    *,
    status: str | Sequence[str] | None = None,
    language: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    country: str | None = None,
    has_place: bool | None = None,
    with_mentions: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[StoredTip]:
    """An object's tips, newest first, with their reviews; filters combine with AND.

    ``status`` may include "unreviewed"; ``country`` keeps tips with a mention whose
    best reading is in that country; ``until`` is exclusive.
    """
    query = (
        _tip_query(
            object_id,
            status=status,
            language=language,
            since=since,
            until=until,
            country=country,
            has_place=has_place,
        )
        .order_by(TipRow.received_at.desc(), TipRow.tip_id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    out = []
    for tip, review in session.execute(query):
        out.append(
            StoredTip(
                Tip(tip.tip_id, tip.object_id, tip.text, tip.received_at, tip.language),
                review.status if review else "unreviewed",
                review.version if review else 0,
                review.username if review else None,
                tip.source,
                tip.imported_at,
                tip.geoparsed_at is not None,
            )
        )
    if with_mentions and out:
        found = mentions_for_tips(session, [t.tip.tip_id for t in out])
        for t in out:
            t.mentions = found.get(t.tip.tip_id, [])
    return out


def count_tips(session: Session, object_id: str, **filters: Any) -> int:
    """How many of an object's tips pass the filters of :func:`tips_for_object`."""
    sub = _tip_query(object_id, **filters).subquery()
    return int(session.scalar(select(func.count()).select_from(sub)) or 0)


def object_tips(session: Session, object_id: str | None = None) -> list[Tip]:
    """Plain :class:`Tip` records (of one object, or all) for ``narrow.summarize_tips``."""
    # columns, not ORM objects: building 10,000 TipRow instances costs more than the read
    query = select(
        TipRow.tip_id, TipRow.object_id, TipRow.text, TipRow.received_at, TipRow.language
    ).order_by(TipRow.object_id, TipRow.received_at, TipRow.tip_id)
    if object_id is not None:
        query = query.where(TipRow.object_id == object_id)
    return [Tip(*row) for row in session.execute(query)]


def reviews_for_object(session: Session, object_id: str | None = None) -> dict[str, str]:
    """tip_id -> review status of reviewed tips (contract 6 ``reviews``)."""
    query = select(ReviewRow.tip_id, ReviewRow.status)
    if object_id is not None:
        query = query.where(ReviewRow.object_id == object_id)
    return {tip_id: status for tip_id, status in session.execute(query)}


def object_mentions(session: Session, object_id: str) -> dict[str, list[Mention]]:
    """Stored mentions of an object's geoparsed tips (contract 6 ``mentions``)."""
    ids = list(
        session.scalars(
            select(TipRow.tip_id).where(
                TipRow.object_id == object_id, TipRow.geoparsed_at.is_not(None)
            )
        )
    )
    found = mentions_for_tips(session, ids)
    return {tip_id: found.get(tip_id, []) for tip_id in ids}
