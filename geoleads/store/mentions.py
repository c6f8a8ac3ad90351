"""Stored geoparse results: :class:`~geoleads.leads.Mention` <-> ``mentions`` rows,
and the resumable step that geoparses tips still pending.

A tip's mentions and its ``geoparsed_at`` stamp are written in the same
transaction, so a tip is either fully parsed or pending; killing the process
at any moment loses at most the batch in flight, and a re-run finishes the rest
without duplicates (``UNIQUE(tip_id, position)`` also guards it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from geoleads.leads import Candidate, Mention
from geoleads.store.models import Base, MentionRow, TipRow

if TYPE_CHECKING:
    from geoleads.store.engine import Store

#: ``progress(done, total)`` callback.
Progress = Callable[[int, int], None]


class GeoparserLike(Protocol):
    """What the store needs of :class:`geoleads.geoparse.Geoparser` (contract 4)."""

    def parse(self, text: str, language: str | None = None) -> list[Mention]: ...


def default_geoparser() -> GeoparserLike:
    """The real :class:`geoleads.geoparse.Geoparser` on the offline gazetteer."""
    from geoleads.geoparse import Geoparser

    return Geoparser()


def _candidate_json(c: Candidate) -> dict[str, Any]:
    return {
        "geonameid": c.geonameid,
        "name": c.name,
        "level": c.level,
        "country": c.country,
        "admin1": c.admin1,
        "lat": c.lat,
        "lon": c.lon,
        "probability": c.probability,
    }


def mention_rows(tip_id: str, mentions: Sequence[Mention]) -> list[dict[str, Any]]:
    """The ``mentions`` rows of one tip (best reading in columns, the others as JSON)."""
    rows = []
    for position, m in enumerate(mentions):
        best = m.best
        rows.append(
            {
                "tip_id": tip_id,
                "position": position,
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "kind": m.kind,
                "geonameid": best.geonameid if best else None,
                "name": best.name if best else None,
                "level": best.level if best else None,
                "country": best.country if best else None,
                "admin1": best.admin1 if best else None,
                "lat": best.lat if best else None,
                "lon": best.lon if best else None,
                "confidence": best.probability if best else 0.0,
                "alternatives": [_candidate_json(c) for c in m.candidates[1:]],
            }
        )
    return rows


def mention_from_row(row: MentionRow) -> Mention:
    """Rebuild the :class:`Mention` exactly as the geoparser returned it."""
    candidates: list[Candidate] = []
    if row.name is not None and row.lat is not None and row.lon is not None:
        candidates.append(
            Candidate(
                row.geonameid,
                row.name,
                row.level or "point",
                row.country,
                row.admin1,
                row.lat,
                row.lon,
                row.confidence,
            )
        )
    for alt in row.alternatives or []:
        candidates.append(
            Candidate(
                alt.get("geonameid"),
                alt["name"],
                alt["level"],
                alt.get("country"),
                alt.get("admin1"),
                float(alt["lat"]),
                float(alt["lon"]),
                float(alt["probability"]),
            )
        )
    return Mention(row.start, row.end, row.text, row.kind, tuple(candidates))


def mentions_for_tips(session: Session, tip_ids: Iterable[str]) -> dict[str, list[Mention]]:
    """Stored mentions per tip_id (tips without any are absent), in text order."""
    found: dict[str, list[Mention]] = defaultdict(list)
    ids = list(dict.fromkeys(tip_ids))
    for i in range(0, len(ids), 900):
        chunk = ids[i : i + 900]
        query = (
            select(MentionRow)
            .where(MentionRow.tip_id.in_(chunk))
            .order_by(MentionRow.tip_id, MentionRow.position)
        )
        for row in session.scalars(query):
            found[row.tip_id].append(mention_from_row(row))
    return dict(found)


def write_mentions(
    session: Session, parsed: Mapping[str, Sequence[Mention]], at: datetime | None = None
) -> int:
    """Replace the mentions of the tips in ``parsed`` and stamp them geoparsed; return rows."""
    at = at or datetime.now(UTC)
    ids = list(parsed)
    rows = [row for tip_id in ids for row in mention_rows(tip_id, parsed[tip_id])]
    for i in range(0, len(ids), 900):
        chunk = ids[i : i + 900]
        session.execute(delete(MentionRow).where(MentionRow.tip_id.in_(chunk)))
        session.execute(update(TipRow).where(TipRow.tip_id.in_(chunk)).values(geoparsed_at=at))
    for i in range(0, len(rows), 5000):
        session.connection().execute(insert(Base.metadata.tables["mentions"]), rows[i : i + 5000])
    return len(rows)


def parse_texts(
    geoparser: GeoparserLike,
    items: Sequence[tuple[str, str, str | None]],
    progress: Progress | None = None,
) -> dict[str, list[Mention]]:
    """Geoparse ``(tip_id, text, language)`` items (no database access)."""
    out: dict[str, list[Mention]] = {}
    for n, (tip_id, text, language) in enumerate(items, start=1):
        out[tip_id] = list(geoparser.parse(text, language=language))
        if progress is not None and (n % 100 == 0 or n == len(items)):
            progress(n, len(items))
    return out


def pending_count(session: Session) -> int:
    """How many tips wait for geoparsing."""
    from sqlalchemy import func

    query = select(func.count()).select_from(TipRow).where(TipRow.geoparsed_at.is_(None))
    return int(session.scalar(query) or 0)


def geoparse_pending(
    store: Store,
    geoparser: GeoparserLike | None = None,
    *,
    batch_size: int = 200,
    progress: Progress | None = None,
) -> int:
    """Geoparse every pending tip in batches, each committed on its own; return tips parsed.

    Resumable: run it again after a crash and it continues where it stopped.
    """
    geoparser = geoparser or default_geoparser()
    with store.session() as s:
        total = pending_count(s)
    done = 0
    while True:
        with store.session() as s:
            query = (
                select(TipRow.tip_id, TipRow.text, TipRow.language)
                .where(TipRow.geoparsed_at.is_(None))
                .order_by(TipRow.tip_id)
                .limit(batch_size)
            )
            batch = [(r.tip_id, r.text, r.language) for r in s.execute(query)]
        if not batch:
            return done
        parsed = parse_texts(geoparser, batch)
        with store.session() as s:
            still = set(
                s.scalars(
                    select(TipRow.tip_id).where(
                        TipRow.tip_id.in_(list(parsed)), TipRow.geoparsed_at.is_(None)
                    )
                )
            )
            write_mentions(s, {k: v for k, v in parsed.items() if k in still})
        done += len(batch)
        if progress is not None:
            progress(done, max(total, done))


def reset_geoparse(session: Session, object_id: str | None = None) -> int:
    """Mark tips (of one object, or all) pending again, e.g. after a gazetteer update."""
    tips = select(TipRow.tip_id)
    if object_id is not None:
        tips = tips.where(TipRow.object_id == object_id)
    session.execute(delete(MentionRow).where(MentionRow.tip_id.in_(tips)))
    query = update(TipRow).values(geoparsed_at=None)
    if object_id is not None:
        query = query.where(TipRow.object_id == object_id)
    result = session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)
