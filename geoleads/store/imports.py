"""Importing validated tips into the store: all or nothing, idempotent on ``tip_id``.

>>> from datetime import UTC, datetime
>>> from geoleads.store import Store
>>> from geoleads.tips import Tip
>>> store = Store.open("sqlite://", upgrade=True)
>>> tips = [Tip("T1", "OBJ-1", "aus Graz", datetime(2024, 1, 1, tzinfo=UTC))]
>>> import_tips(store, tips, user="ana")
ImportReport(added=1, skipped_existing=0, objects_created=1, changed=[], geoparsed=0)
>>> import_tips(store, tips, user="ana").skipped_existing
1

The steps: (1) find which tips are new (read only), (2) geoparse the new ones
when a geoparser is given — slow, so *before* the write transaction, (3) write
objects, tips, mentions, counters and one audit event in ONE transaction. Killed
at any moment, the store holds either the whole file or none of it. Tips
imported without a geoparser stay pending for
:func:`geoleads.store.mentions.geoparse_pending`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, literal, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from geoleads.store.audit import audit
from geoleads.store.engine import Store
from geoleads.store.mentions import GeoparserLike, parse_texts, write_mentions
from geoleads.store.models import Base, ObjectRow, TipRow, UTCDateTime
from geoleads.tips import Tip

#: Rows per INSERT statement batch.
BATCH = 5000
#: After importing this many tips, refresh PostgreSQL's planner statistics.
ANALYZE_AFTER = 1000
#: ``progress(phase, done, total)``; phases: "geoparsing", then "writing" once (at its start).
ImportProgress = Callable[[str, int, int], None]


@dataclass
class ImportReport:
    """What an import did. ``changed``: tip_ids already stored with a different text."""

    added: int = 0
    skipped_existing: int = 0
    objects_created: int = 0
    changed: list[str] = field(default_factory=list)
    geoparsed: int = 0

    def to_json(self) -> dict[str, Any]:
        """The counts as JSON (at most 100 of the changed tip_ids, plus their number)."""
        out = asdict(self)
        out["changed_count"] = len(self.changed)
        out["changed"] = self.changed[:100]
        return out


def content_hash(tip: Tip) -> str:
    """SHA-256 of the object and the whitespace/case-normalised text (finds resubmissions)."""
    norm = " ".join(tip.text.casefold().split())
    return hashlib.sha256(f"{tip.object_id}\x1f{norm}".encode()).hexdigest()


def _chunks(items: Sequence[str], size: int = 900) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _existing(session: Session, tips: Sequence[Tip]) -> dict[str, str]:
    """tip_id -> content_hash of the tips already stored."""
    found: dict[str, str] = {}
    ids = [t.tip_id for t in tips]
    for chunk in _chunks(ids):
        query = select(TipRow.tip_id, TipRow.content_hash).where(TipRow.tip_id.in_(chunk))
        found.update((r.tip_id, r.content_hash) for r in session.execute(query))
    return found


def _insert_new(session: Session, table: str, key: str, rows: list[dict[str, Any]]) -> set[str]:
    """INSERT rows, skipping keys that exist (ON CONFLICT DO NOTHING); return inserted keys."""
    if not rows:
        return set()
    target = Base.metadata.tables[table]
    if session.get_bind().dialect.name == "postgresql":
        statement: Any = postgresql_insert(target).on_conflict_do_nothing(index_elements=[key])
    else:
        statement = sqlite_insert(target).on_conflict_do_nothing(index_elements=[key])
    statement = statement.returning(target.c[key])
    # Core, not ORM: no per-row bookkeeping for big files.
    return set(session.connection().execute(statement, rows).scalars())


def _write(
    session: Session,
    new: Sequence[Tip],
    parsed: dict[str, list[Any]] | None,
    *,
    source: str,
) -> tuple[list[Tip], int]:
    """Insert objects, tips, mentions and counters; return the tips added and objects created.

    Tips stored meanwhile by a concurrent import are skipped by the database itself.
    """
    now = datetime.now(UTC)
    object_ids = sorted({t.object_id for t in new})
    object_rows = [
        {"object_id": o, "title": o, "published": False, "tip_count": 0, "created_at": now}
        for o in object_ids
    ]
    created = _insert_new(session, "objects", "object_id", object_rows)
    inserted: set[str] = set()
    for start in range(0, len(new), BATCH):
        rows = [
            {
                "tip_id": t.tip_id,
                "object_id": t.object_id,
                "text": t.text,
                "received_at": t.received_at,
                "language": t.language,
                "source": source,
                "imported_at": now,
                "content_hash": content_hash(t),
                "geoparsed_at": None,
            }
            for t in new[start : start + BATCH]
        ]
        inserted |= _insert_new(session, "tips", "tip_id", rows)
    added = [t for t in new if t.tip_id in inserted]
    if parsed is not None:
        write_mentions(session, {t.tip_id: parsed[t.tip_id] for t in added}, at=now)
    counts: dict[str, tuple[int, datetime]] = {}
    for t in added:
        n, latest = counts.get(t.object_id, (0, t.received_at))
        counts[t.object_id] = (n + 1, max(latest, t.received_at))
    for object_id, (n, latest) in counts.items():
        newest = literal(latest, UTCDateTime())
        session.execute(
            update(ObjectRow)
            .where(ObjectRow.object_id == object_id)
            .values(
                tip_count=ObjectRow.tip_count + n,
                last_tip_at=case(
                    (ObjectRow.last_tip_at.is_(None), newest),
                    (ObjectRow.last_tip_at < newest, newest),
                    else_=ObjectRow.last_tip_at,
                ),
            )
        )
    return added, len(created)


def import_tips(
    target: Store | Session,
    tips: Sequence[Tip],
    *,
    user: str | None = None,
    source: str = "file",
    geoparser: GeoparserLike | None = None,
    progress: ImportProgress | None = None,
) -> ImportReport:
    """Import ``tips`` (already validated by :func:`geoleads.tips.read_tips`).

    ``target`` is a :class:`Store` (one transaction is opened and committed here)
    or a :class:`Session` (the caller's transaction; the caller commits). Tips whose
    ``tip_id`` is already stored are skipped; unknown objects are created; one
    ``import`` audit event records the counts. With ``geoparser``, the new tips'
    mentions are stored too (parsed before the write transaction).
    """
    tips = list(tips)
    unique = list({t.tip_id: t for t in reversed(tips)}.values())[::-1]  # first of each id
    if isinstance(target, Store):
        with target.session() as s:
            existing = _existing(s, unique)
    else:
        existing = _existing(target, unique)
    new = [t for t in unique if t.tip_id not in existing]
    report = ImportReport(
        skipped_existing=len(tips) - len(new),
        changed=[
            t.tip_id
            for t in unique
            if t.tip_id in existing and existing[t.tip_id] != content_hash(t)
        ],
    )
    parsed = None
    if geoparser is not None and new:
        items = [(t.tip_id, t.text, t.language) for t in new]
        step = None if progress is None else (lambda d, n: progress("geoparsing", d, n))
        parsed = parse_texts(geoparser, items, step)
        report.geoparsed = len(parsed)

    def write(session: Session) -> None:
        added, report.objects_created = _write(session, new, parsed, source=source)
        report.added = len(added)
        report.skipped_existing += len(new) - len(added)  # imported meanwhile by someone else
        report.geoparsed = 0 if parsed is None else len(added)
        audit(session, "import", user=user, target=source, details=report.to_json())
        if len(added) >= ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
            # Fresh statistics, or the planner keeps believing the tables are empty and
            # scans them sequentially (minutes for the next import's lookups).
            session.execute(text("ANALYZE tips, mentions, objects"))

    if progress is not None:
        # Reported before the transaction: a progress write from another connection
        # would wait for this transaction's lock on SQLite.
        progress("writing", 0, len(new))
    if isinstance(target, Store):
        with target.session() as s:
            write(s)
    else:
        write(target)
    return report
