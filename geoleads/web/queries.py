"""Read queries of the objects list and of the narrowing's inputs (one place for their SQL).

Writes go through the store's own functions (:mod:`geoleads.store.reviews`,
:mod:`geoleads.store.audit`, :mod:`geoleads.store.users`); the tip pages' queries
(filters, highlight spans, counts per day) are in :mod:`geoleads.web.tipqueries`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select

from geoleads.leads import Mention
from geoleads.store import objects as store_objects
from geoleads.store.models import ObjectRow, ReviewRow, TipRow
from geoleads.tips import Tip
from geoleads.web.filters import ObjectListState
from geoleads.web.tipqueries import as_utc

if TYPE_CHECKING:
    from geoleads.store.engine import Store
    from geoleads.web.accounts import Visit
    from geoleads.web.summaries import SummaryCache

#: New tips since a visit, per (object, visit time, tip count): imports change the count.
_NEW_MEMO: dict[tuple[Any, ...], int] = {}


@dataclass(slots=True)
class ObjectView:
    """One row of the objects page."""

    object_id: str
    title: str
    tips: int
    unreviewed: int
    new: int
    last_tip: datetime | None
    summary: dict[str, Any] | None

    @property
    def confidence(self) -> float:
        if not self.summary:
            return -1.0
        return float((self.summary.get("verdict") or {}).get("confidence") or 0.0)


# --- objects -------------------------------------------------------------------------
# statements built once (per request only their parameters change)
_OBJECT_ID = select(ObjectRow.object_id).where(ObjectRow.object_id == bindparam("oid"))
_OBJECT_META = select(
    ObjectRow.title, ObjectRow.description, ObjectRow.tip_count, ObjectRow.last_tip_at
).where(ObjectRow.object_id == bindparam("oid"))


_OBJECTS = select(ObjectRow.object_id, ObjectRow.title, ObjectRow.tip_count, ObjectRow.last_tip_at)


def object_exists(store: Store, object_id: str) -> bool:
    """Whether the store has ``object_id``."""
    with store.read() as s:
        return s.scalar(_OBJECT_ID, {"oid": object_id}) is not None


def object_ids(store: Store) -> list[str]:
    """Every object id, sorted."""
    with store.session() as s:
        return sorted(s.scalars(select(ObjectRow.object_id)))


def object_meta(store: Store, object_id: str, reviewed: int) -> dict[str, Any]:
    """Title, description and tip counts of one object (``reviewed``: its reviewed tips)."""
    with store.read() as s:
        obj = s.execute(_OBJECT_META, {"oid": object_id}).first()
    if obj is None:
        return {}
    return {
        "title": obj.title,
        "description": obj.description,
        "tips": obj.tip_count,
        "unreviewed": max(0, obj.tip_count - reviewed),
        "last_tip": as_utc(obj.last_tip_at),
    }


def object_rows(store: Store, cache: SummaryCache, visits: Mapping[str, Visit]) -> list[ObjectView]:
    """Every object with counts, new tips since the user's visit and its cached summary."""
    with store.read() as s:
        objects = s.execute(_OBJECTS).all()
        reviewed = {oid: stats[0] for oid, stats in cache.review_stats().items()}
        counts = {oid: n for oid, _, n, _ in objects}
        new: dict[str, int] = {}
        for object_id, visit in visits.items():
            if object_id not in counts:
                continue
            if visit.tips is not None:  # tips are only ever added: a subtraction
                new[object_id] = max(0, counts[object_id] - visit.tips)
                continue
            key = ("new", object_id, visit.at, counts[object_id])
            n = _NEW_MEMO.get(key)
            if n is None:
                n = int(
                    s.scalar(
                        select(func.count())
                        .select_from(TipRow)
                        .where(TipRow.object_id == object_id, TipRow.imported_at > visit.at)
                    )
                    or 0
                )
                if len(_NEW_MEMO) > 50_000:
                    _NEW_MEMO.clear()
                _NEW_MEMO[key] = n
            new[object_id] = n
    return [
        ObjectView(
            oid,
            title or "",
            n,
            max(0, n - int(reviewed.get(oid, 0))),
            new.get(oid, n),
            as_utc(last),
            cache.peek(oid),
        )
        for oid, title, n, last in objects
    ]


def filter_sort_objects(rows: list[ObjectView], state: ObjectListState) -> list[ObjectView]:
    """Apply the objects page's filters and sort order (in memory: objects are few)."""
    out = rows
    if state.q:
        q = state.q.casefold()
        out = [r for r in out if q in r.object_id.casefold() or q in r.title.casefold()]
    if state.verdict:

        def level(r: ObjectView) -> str:
            if not r.summary:
                return "pending"
            return str((r.summary.get("verdict") or {}).get("level") or "none")

        if state.verdict == "any":
            out = [r for r in out if level(r) not in ("none", "pending")]
        else:
            out = [r for r in out if level(r) == state.verdict]
    if state.country:
        out = [
            r
            for r in out
            if r.summary
            and r.summary.get("countries")
            and r.summary["countries"][0].get("code") == state.country
        ]
    floor = datetime.min.replace(tzinfo=UTC)
    keys: dict[str, Any] = {
        "object_id": lambda r: r.object_id,
        "tips": lambda r: r.tips,
        "new": lambda r: r.new,
        "unreviewed": lambda r: r.unreviewed,
        "last_tip": lambda r: r.last_tip or floor,
        "confidence": lambda r: r.confidence,
    }
    return sorted(out, key=keys[state.sort], reverse=state.order == "desc")


# --- inputs of the narrowing --------------------------------------------------------------
def load_object_inputs(
    store: Store, object_id: str
) -> tuple[list[Tip], dict[str, list[Mention]], dict[str, str]]:
    """Tips, stored mentions (of geoparsed tips) and reviews of one object, for narrowing."""
    with store.session() as s:
        tips = store_objects.object_tips(s, object_id)
        mentions = store_objects.object_mentions(s, object_id)
        reviews = {
            tip_id: status
            for tip_id, status in s.execute(
                select(ReviewRow.tip_id, ReviewRow.status)
                .join(TipRow, TipRow.tip_id == ReviewRow.tip_id)
                .where(TipRow.object_id == object_id)
            )
        }
    return tips, mentions, reviews
