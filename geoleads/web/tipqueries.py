"""Read queries of an object's tips (one place for their SQL): filtered pages, counts
per day, place names and highlight spans, reviews of given tips.

Writes go through the store's own functions (:mod:`geoleads.store.reviews`);
the objects list and the narrowing's inputs are in :mod:`geoleads.web.queries`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, exists, func, select

from geoleads.store.models import MentionRow, ObjectRow, ReviewRow, TipRow
from geoleads.web.filters import TipFilter

if TYPE_CHECKING:
    from geoleads.store.engine import Store

#: Largest IN (...) list sent in one statement.
CHUNK = 500


@dataclass
class TipView:
    """One tip as a page shows it."""

    tip_id: str
    object_id: str
    text: str
    received_at: datetime
    language: str | None
    status: str = "unreviewed"
    reviewer: str | None = None
    version: int = 0
    places: str = ""
    impact: float | None = None


@dataclass
class TipPage:
    """One page of an object's filtered tips and the number of matches."""

    tips: list[TipView]
    total: int


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes: they were stored as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


# --- tips ------------------------------------------------------------------------------
def _filtered(object_id: str | None, flt: TipFilter, reviews: bool = True) -> Any:
    """SELECT (tip, review status, reviewer, version) of the tips matching ``flt``;
    ``reviews=False``: the tips only (no review column or filter needed)."""
    query: Any
    if reviews:
        query = select(*_TIP_COLUMNS, ReviewRow.status, ReviewRow.username, ReviewRow.version)
        query = query.outerjoin(ReviewRow, ReviewRow.tip_id == TipRow.tip_id)
    else:
        query = select(*_TIP_COLUMNS)
    if object_id is not None:
        query = query.where(TipRow.object_id == object_id)
    if flt.language:
        query = query.where(TipRow.language == flt.language)
    if flt.date_from:
        query = query.where(TipRow.received_at >= datetime.combine(flt.date_from, time(), UTC))
    if flt.date_to:
        end = datetime.combine(flt.date_to + timedelta(days=1), time(), UTC)
        query = query.where(TipRow.received_at < end)
    if flt.status == "unreviewed":
        query = query.where(ReviewRow.tip_id.is_(None))
    elif flt.status == "reviewed":
        query = query.where(ReviewRow.tip_id.is_not(None))
    elif flt.status:
        query = query.where(ReviewRow.status == flt.status)
    has_mention = exists().where(MentionRow.tip_id == TipRow.tip_id)
    if flt.country:
        query = query.where(
            exists().where(
                # coalesce(): keep the planner on the (tip_id, position) index; the index on
                # country alone would make this a scan of every mention of that country
                and_(
                    MentionRow.tip_id == TipRow.tip_id,
                    func.coalesce(MentionRow.country, "") == flt.country,
                )
            )
        )
    if flt.has_place is True:
        query = query.where(has_mention)
    elif flt.has_place is False:
        query = query.where(~has_mention)
    if flt.q:
        query = query.where(TipRow.text.contains(flt.q, autoescape=True))
    return query


#: the tip columns a page shows (columns, not ORM objects: read on a Core connection)
_TIP_COLUMNS = (TipRow.tip_id, TipRow.object_id, TipRow.text, TipRow.received_at, TipRow.language)


def _views(rows: Iterable[Any]) -> list[TipView]:
    return [
        TipView(
            tip_id=tip_id,
            object_id=object_id,
            text=text,
            received_at=as_utc(received_at) or datetime.now(UTC),
            language=language,
            status=status or "unreviewed",
            reviewer=username,
            version=version or 0,
        )
        for tip_id, object_id, text, received_at, language, status, username, version in rows
    ]


def count_tips(store: Store, object_id: str, flt: TipFilter) -> int:
    """How many of ``object_id``'s tips match ``flt`` (reviews joined only when needed)."""
    if not flt.active:
        with store.read() as s:
            return int(s.scalar(_TIP_COUNT, {"oid": object_id}) or 0)
    query = _filtered(object_id, flt, reviews=flt.status is not None)
    with store.read() as s:
        return int(s.scalar(query.with_only_columns(func.count(TipRow.tip_id))) or 0)


def tip_page(
    store: Store,
    object_id: str,
    flt: TipFilter,
    count: int | None = None,
    *,
    places: bool = True,
) -> TipPage:
    """One page of ``object_id``'s tips matching ``flt``, newest first, with place names
    (``places=False``: without).

    ``count``: the number of matches when already known (e.g. memoised)."""
    bounds = {"off": (flt.page - 1) * flt.per_page, "lim": flt.per_page}
    with store.read() as s:
        total = count_tips(store, object_id, flt) if count is None else count
        if flt.active:
            query = _filtered(object_id, flt).order_by(*_NEWEST_FIRST)
            rows = s.execute(query.offset(bounds["off"]).limit(bounds["lim"])).all()
        else:  # the unfiltered page (the usual one): a statement built once
            rows = s.execute(_ALL_TIPS_PAGE, {"oid": object_id, **bounds}).all()
    tips = _views(rows)
    if places:
        _add_places(store, tips)
    return TipPage(tips, total)


def page_ids(store: Store, object_id: str, flt: TipFilter) -> list[str]:
    """The ids of one page of ``object_id``'s tips matching ``flt``, newest first.

    Ids only (no review columns unless the filter needs them), so the result can be
    memoised and the page's rows read by id with their current reviews."""
    query = _filtered(object_id, flt, reviews=flt.status is not None)
    query = query.with_only_columns(TipRow.tip_id)
    with store.read() as s:
        return list(
            s.scalars(
                query.order_by(TipRow.received_at.desc(), TipRow.tip_id)
                .offset((flt.page - 1) * flt.per_page)
                .limit(flt.per_page)
            )
        )


def pending_geoparse(store: Store, object_id: str) -> int:
    """How many of ``object_id``'s tips still wait for the geoparser (index on geoparsed_at)."""
    with store.read() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(TipRow)
                # coalesce(): keep the planner on the geoparsed_at index (a few pending
                # tips), not the object_id one (every tip of the object)
                .where(
                    TipRow.geoparsed_at.is_(None), func.coalesce(TipRow.object_id, "") == object_id
                )
            )
            or 0
        )


def _add_places(store: Store, tips: list[TipView]) -> None:
    names = place_names(store, [t.tip_id for t in tips])
    for t in tips:
        t.places = names.get(t.tip_id, "")


def place_names(store: Store, tip_ids: Sequence[str]) -> dict[str, str]:
    """A short "Kraków (PL), Poland" list of the places found in each tip."""
    out: dict[str, list[str]] = defaultdict(list)
    with store.read() as s:
        for chunk in _chunks(list(tip_ids)):
            for tip_id, name, country in s.execute(_PLACES_OF, {"ids": list(chunk)}):
                label = _place_label(name, country)
                if label and label not in out[tip_id]:
                    out[tip_id].append(label)
    return {k: ", ".join(v) for k, v in out.items()}


#: what a place name and a highlight span are made of
_SPAN_QUERY = select(
    MentionRow.tip_id,
    MentionRow.name,
    MentionRow.admin1,
    MentionRow.country,
    MentionRow.kind,
    MentionRow.confidence,
    MentionRow.start,
    MentionRow.end,
)


def spans_for(store: Store, tip_ids: Sequence[str]) -> dict[str, list[tuple[int, int, str, str]]]:
    """``tip_id -> [(start, end, kind, label)]`` of the stored mentions, for highlighting."""
    out: dict[str, list[tuple[int, int, str, str]]] = defaultdict(list)
    with store.read() as s:
        for chunk in _chunks(list(tip_ids)):
            for tip_id, name, admin1, country, kind, conf, start, end in s.execute(
                _SPANS_OF, {"ids": list(chunk)}
            ):
                label = _span_label(kind, name, admin1, country, conf)
                out[tip_id].append((start, end, kind, label))
    return dict(out)


def tips_per_day(store: Store, object_id: str, flt: TipFilter) -> dict[date, int]:
    """Number of ``object_id``'s tips matching ``flt`` per day received (UTC)."""
    sub = _filtered(object_id, flt, reviews=flt.status is not None).subquery()
    day = func.date(sub.c.received_at)
    with store.read() as s:
        rows = s.execute(select(day, func.count()).group_by(day)).all()
    out: dict[date, int] = {}
    for d, n in rows:
        if d is None:
            continue
        key = d if isinstance(d, date) else date.fromisoformat(str(d)[:10])
        out[key] = out.get(key, 0) + int(n)
    return out


def languages(store: Store, object_id: str) -> list[str]:
    """The languages tagged on ``object_id``'s tips."""
    with store.read() as s:
        return sorted(
            lang
            for lang in s.scalars(
                select(TipRow.language).where(TipRow.object_id == object_id).distinct()
            )
            if lang
        )


def review_map(store: Store, tip_ids: Sequence[str]) -> dict[str, str]:
    """Current review status of each reviewed tip among ``tip_ids``."""
    out: dict[str, str] = {}
    with store.read() as s:
        for chunk in _chunks(list(tip_ids)):
            out.update(
                s.execute(
                    select(ReviewRow.tip_id, ReviewRow.status).where(ReviewRow.tip_id.in_(chunk))
                ).all()
            )
    return out


# statements built once (per request only their parameters change)
_IDS: Any = bindparam("ids", expanding=True)
_NEWEST_FIRST = (TipRow.received_at.desc(), TipRow.tip_id)
_TIP_COUNT = select(ObjectRow.tip_count).where(ObjectRow.object_id == bindparam("oid"))
_ALL_TIPS_PAGE = (
    _filtered(None, TipFilter())
    .where(TipRow.object_id == bindparam("oid"))
    .order_by(*_NEWEST_FIRST)
    .offset(bindparam("off"))
    .limit(bindparam("lim"))
)
_TIPS_OF = _filtered(None, TipFilter()).where(TipRow.tip_id.in_(_IDS))
_SPANS_OF = _SPAN_QUERY.where(MentionRow.tip_id.in_(_IDS))
_SPANS_OF_ORDERED = _SPANS_OF.order_by(MentionRow.tip_id, MentionRow.position)
_PLACES_OF = (
    select(MentionRow.tip_id, MentionRow.name, MentionRow.country)
    .where(MentionRow.tip_id.in_(_IDS))
    .order_by(MentionRow.tip_id, MentionRow.position)
)


def tips_by_id(store: Store, tip_ids: Sequence[str], places: bool = True) -> list[TipView]:
    """The tips ``tip_ids`` (in that order, unknown ids left out), with review and places
    (``places=False``: without, see :func:`tips_with_spans`)."""
    found: dict[str, TipView] = {}
    with store.read() as s:
        for chunk in _chunks(list(tip_ids)):
            rows = s.execute(_TIPS_OF, {"ids": list(chunk)}).all()
            found.update((v.tip_id, v) for v in _views(rows))
    tips = [found[t] for t in tip_ids if t in found]
    if places:
        _add_places(store, tips)
    return tips


def tips_with_spans(
    store: Store, tip_ids: Sequence[str]
) -> tuple[list[TipView], dict[str, list[tuple[int, int, str, str]]]]:
    """:func:`tips_by_id` and :func:`spans_for` of the same tips from one read of their
    mentions (the place names and the highlight spans are both made from it)."""
    tips = tips_by_id(store, tip_ids, places=False)
    names: dict[str, list[str]] = defaultdict(list)
    spans: dict[str, list[tuple[int, int, str, str]]] = defaultdict(list)
    with store.read() as s:
        for chunk in _chunks([t.tip_id for t in tips]):
            rows = s.execute(_SPANS_OF_ORDERED, {"ids": list(chunk)})
            for tip_id, name, admin1, country, kind, conf, start, end in rows:
                label = _place_label(name, country)
                if label and label not in names[tip_id]:
                    names[tip_id].append(label)
                span = (start, end, kind, _span_label(kind, name, admin1, country, conf))
                spans[tip_id].append(span)
    for t in tips:
        t.places = ", ".join(names.get(t.tip_id, []))
    return tips, dict(spans)


def _place_label(name: str | None, country: str | None) -> str:
    return f"{name} ({country})" if name and country else (name or country or "")


def _span_label(
    kind: str, name: str | None, admin1: str | None, country: str | None, confidence: float
) -> str:
    where = ", ".join(x for x in (name, admin1, country) if x)
    return f"{kind}: {where} ({confidence:.0%})" if where else str(kind)
