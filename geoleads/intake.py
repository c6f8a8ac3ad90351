"""Public tip intake: anonymous submissions stored at once, geoparsed in the background.

A submission is validated, written to the store in one short transaction
(``source`` "public", pending geoparsing) and answered; a worker thread then
geoparses pending public tips in batches and stores their mentions, after which
they appear with their places in the investigators' review queue.

The store is the queue: the in-memory hint queue only wakes the worker early and
may drop hints when full, so ``submit`` never waits for the geoparser; the worker
also sweeps the store for pending public tips every few seconds (and at start,
so tips left pending by a restart are finished).

Nothing about the sender is stored: no address, no user agent, no cookie; the
receiving time is rounded down to the minute.

>>> from geoleads.store import Store, ensure_object
>>> store = Store.open("sqlite://", upgrade=True)
>>> with store.session() as s:
...     _ = ensure_object(s, "OBJ-1", published=True)
>>> intake = Intake(store, geoparser=lambda: None)   # no worker started here
>>> tip_id = intake.submit(Submission("OBJ-1", "Seen in Graz", town="Graz", country="AT"))
>>> from geoleads.store import tips_for_object
>>> with store.session() as s:
...     [(t.tip.text, t.source) for t in tips_for_object(s, "OBJ-1")]
[('Seen in Graz\\n\\nWhere: Graz, Austria', 'public')]
"""

from __future__ import annotations

import contextlib
import logging
import queue
import re
import secrets
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from babel import Locale
from sqlalchemy import Table, case, func, insert, literal, select, update

from geoleads.errors import NotFoundError, SubmissionError
from geoleads.store.engine import translate_errors
from geoleads.store.imports import content_hash
from geoleads.store.mentions import GeoparserLike, parse_texts, write_mentions
from geoleads.store.models import ObjectRow, TipRow, UTCDateTime
from geoleads.tips import Tip

if TYPE_CHECKING:
    from geoleads.store.engine import Store

log = logging.getLogger(__name__)

#: The ``tips.source`` of tips from the public form.
SOURCE = "public"
#: Most characters of a tip's free text (after cleaning).
MAX_TEXT = 4000
#: Most characters of the town field.
MAX_TOWN = 200
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")

GeoparserFactory = Callable[[], GeoparserLike | None]


@dataclass(frozen=True)
class Submission:
    """What the public form sends: free text, optional country code, town and language."""

    object_id: str
    text: str
    country: str | None = None
    town: str | None = None
    language: str | None = None


def clean_text(value: str | None) -> str:
    """NFC, unified newlines, no control or bidi-override characters, trimmed.

    >>> clean_text("  a\\r\\nb\\x00\\u202e ")
    'a\\nb'
    """
    value = unicodedata.normalize("NFC", value or "")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def country_name(code: str) -> str:
    """English name of an ISO 3166 country code (``SubmissionError`` if unknown).

    >>> country_name("pl")
    'Poland'
    """
    name = Locale("en").territories.get(code.upper()) if len(code) == 2 else None
    if not name or not code.isalpha():
        raise SubmissionError("country", "unknown_country", f"unknown country code {code!r}")
    return str(name)


def validate(sub: Submission) -> Submission:
    """The cleaned submission, or ``SubmissionError`` naming the bad field.

    >>> validate(Submission("O", "  ")).text
    Traceback (most recent call last):
    ...
    geoleads.errors.SubmissionError: the tip text is empty
    """
    text = clean_text(sub.text)
    if not text:
        raise SubmissionError("text", "required", "the tip text is empty")
    if len(text) > MAX_TEXT:
        raise SubmissionError("text", "too_long", f"the tip text is longer than {MAX_TEXT}")
    town = clean_text(sub.town).replace("\n", " ") or None
    if town is not None and len(town) > MAX_TOWN:
        raise SubmissionError("town", "too_long", f"the town is longer than {MAX_TOWN}")
    country = (sub.country or "").strip().upper() or None
    if country is not None:
        country_name(country)
    language = (sub.language or "").strip().lower() or None
    if language is not None and not _LANGUAGE.match(language):
        raise SubmissionError("language", "unknown_language", f"bad language code {language!r}")
    return Submission(sub.object_id, text, country, town, language)


def compose_text(sub: Submission) -> str:
    """The stored tip text: the free text, then a ``Where:`` line from the optional fields.

    The line is geoparsed with the rest, so the form's town and country become
    mentions like any place written in the text.

    >>> compose_text(Submission("O", "Sold here", country="BE", town="Gent"))
    'Sold here\\n\\nWhere: Gent, Belgium'
    """
    where = [p for p in (sub.town, country_name(sub.country) if sub.country else None) if p]
    return f"{sub.text}\n\nWhere: {', '.join(where)}" if where else sub.text


def store_submission(store: Store, sub: Submission, *, now: datetime | None = None) -> str:
    """Write one validated submission as a pending public tip; return its new ``tip_id``.

    The transaction starts with its write (the object's counters), so on SQLite
    it takes the write lock at once instead of failing on a stale read snapshot.
    ``NotFoundError`` when the object is unknown or not published.
    """
    received = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    tip = Tip(
        f"PUB-{secrets.token_hex(8)}", sub.object_id, compose_text(sub), received, sub.language
    )
    newest = literal(received, UTCDateTime())
    objects, tips = cast(Table, ObjectRow.__table__), cast(Table, TipRow.__table__)
    # Core statements on one connection: the ORM's bookkeeping is not needed for two rows.
    with translate_errors(store.url), store.engine.begin() as conn:
        counted = conn.execute(
            update(objects)
            .where(objects.c.object_id == sub.object_id, objects.c.published.is_(True))
            .values(
                tip_count=objects.c.tip_count + 1,
                last_tip_at=case(
                    (objects.c.last_tip_at.is_(None), newest),
                    (objects.c.last_tip_at < newest, newest),
                    else_=objects.c.last_tip_at,
                ),
            )
        )
        if not counted.rowcount:
            raise NotFoundError(f"no published object {sub.object_id!r}")
        conn.execute(
            insert(tips),
            {
                "tip_id": tip.tip_id,
                "object_id": tip.object_id,
                "text": tip.text,
                "received_at": tip.received_at,
                "language": tip.language,
                "source": SOURCE,
                "imported_at": received,
                "content_hash": content_hash(tip),
                "geoparsed_at": None,
            },
        )
    return tip.tip_id


def pending_public(store: Store, limit: int) -> list[tuple[str, str, str | None]]:
    """Up to ``limit`` public tips waiting for geoparsing, oldest first."""
    with store.session() as s:
        rows = s.execute(
            select(TipRow.tip_id, TipRow.text, TipRow.language)
            .where(TipRow.geoparsed_at.is_(None), TipRow.source == SOURCE)
            .order_by(TipRow.received_at, TipRow.tip_id)
            .limit(limit)
        )
        return [(r.tip_id, r.text, r.language) for r in rows]


def count_public(store: Store, *, pending: bool = False) -> int:
    """How many public tips the store holds (only those pending geoparsing, if asked)."""
    query = select(func.count()).select_from(TipRow).where(TipRow.source == SOURCE)
    if pending:
        query = query.where(TipRow.geoparsed_at.is_(None))
    with store.session() as s:
        return int(s.scalar(query) or 0)


def _default_geoparser() -> GeoparserLike:
    from geoleads.store.mentions import default_geoparser

    return default_geoparser()


@dataclass
class IntakeStats:
    """Counters of this process (never per sender)."""

    accepted: int = 0
    geoparsed: int = 0
    failed: int = 0
    hints_dropped: int = 0
    failed_ids: set[str] = field(default_factory=set)


class Intake:
    """Stores submissions and geoparses them on a background thread.

    Parameters
    ----------
    store:
        The shared store.
    geoparser:
        A geoparser, or a zero-argument factory called once on the worker thread
        (default: the real :class:`geoleads.geoparse.Geoparser`, loaded lazily so
        the first page is not delayed). A factory returning ``None`` disables
        geoparsing (tips stay pending).
    batch_size, sweep_s:
        Tips per geoparse batch; seconds between sweeps of the store.
    """

    def __init__(
        self,
        store: Store,
        geoparser: GeoparserLike | GeoparserFactory | None = None,
        *,
        batch_size: int = 50,
        sweep_s: float = 5.0,
        hint_capacity: int = 10_000,
    ) -> None:
        self.store = store
        self._geoparser_arg = geoparser or _default_geoparser
        self._geoparser: GeoparserLike | None = None
        self._loaded = False
        self.batch_size = batch_size
        self.sweep_s = sweep_s
        self.stats = IntakeStats()
        self._hints: queue.Queue[str] = queue.Queue(maxsize=hint_capacity)
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # --- the form side -------------------------------------------------------
    def submit(self, sub: Submission) -> str:
        """Validate and store ``sub``; wake the worker without waiting. Returns the tip_id."""
        tip_id = store_submission(self.store, validate(sub))
        with self._lock:
            self.stats.accepted += 1
        self._idle.clear()
        try:
            self._hints.put_nowait(tip_id)
        except queue.Full:  # the worker is behind; its sweep finds the tip in the store
            with self._lock:
                self.stats.hints_dropped += 1
        return tip_id

    # --- the worker side -----------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the worker thread (idempotent)."""
        with self._lock:
            if self.running:
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="geoleads-intake", daemon=True)
            self._thread.start()

    def _poke(self) -> None:
        with contextlib.suppress(queue.Full):
            self._hints.put_nowait("")

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the worker to finish its batch and stop."""
        self._stop.set()
        self._poke()
        if self._thread is not None:
            self._thread.join(timeout)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until no public tip is pending (or ``timeout``); True when all are parsed."""
        self.start()
        self._idle.clear()
        self._poke()
        return self._idle.wait(timeout) and self.pending_ids_left() == 0

    def pending_ids_left(self) -> int:
        """Pending public tips, not counting those whose geoparse failed."""
        return count_public(self.store, pending=True) - len(self.stats.failed_ids)

    def _parser(self) -> GeoparserLike | None:
        if not self._loaded:
            arg = self._geoparser_arg
            self._geoparser = arg if hasattr(arg, "parse") else arg()
            self._loaded = True
        return self._geoparser

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                done = self.process_batch()
            except Exception:  # keep the worker alive; the tips stay pending in the store
                log.exception("geoparsing public tips failed; retrying in %.0f s", self.sweep_s)
                done = 0
            if done:
                continue
            self._idle.set()
            with contextlib.suppress(queue.Empty):
                self._hints.get(timeout=self.sweep_s)

    def process_batch(self) -> int:
        """Geoparse one batch of pending public tips and store their mentions; return its size."""
        parser = self._parser()
        if parser is None:
            return 0
        limit = self.batch_size + len(self.stats.failed_ids)
        batch = [b for b in pending_public(self.store, limit) if b[0] not in self.stats.failed_ids]
        batch = batch[: self.batch_size]
        if not batch:
            return 0
        while True:  # drain the hints this batch covers
            try:
                self._hints.get_nowait()
            except queue.Empty:
                break
        parsed = {}
        for item in batch:
            try:
                parsed.update(parse_texts(parser, [item]))
            except Exception:
                log.exception("cannot geoparse public tip %s; it stays pending", item[0])
                with self._lock:
                    self.stats.failed += 1
                    self.stats.failed_ids.add(item[0])
        if parsed:
            with self.store.session() as s:
                write_mentions(s, parsed)
        with self._lock:
            self.stats.geoparsed += len(parsed)
        return len(batch)


__all__ = [
    "MAX_TEXT",
    "MAX_TOWN",
    "SOURCE",
    "Intake",
    "IntakeStats",
    "Submission",
    "clean_text",
    "compose_text",
    "count_public",
    "country_name",
    "pending_public",
    "store_submission",
    "validate",
]
