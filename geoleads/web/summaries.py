"""Per-object summaries (rankings, verdict, surface) computed from the store and cached.

A summary is computed by :func:`geoleads.narrow.summarize_tips` from the tips,
their *stored* mentions and their current reviews, never by geoparsing again on
a page view (tips not geoparsed yet are parsed once by narrow). Each cached
entry carries a *stamp* of the object's data (tip count, last tip, number and
time of reviews): when the stamp changes — a review or an import, from this
process or any other — the entry is recomputed. Reviews in any server process
invalidate it at once through a :class:`~geoleads.web.signals.ChangeSignal`;
other writers (a CLI import) show within :attr:`SummaryCache.stamp_ttl`. The
summary dicts are also written to ``cache_dir`` (JSON), shared by the server's
processes (a file lock per object: one computes, the others read its file), so a
restarted server shows verdicts at once.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select

from geoleads.store.models import ObjectRow, ReviewRow, TipRow
from geoleads.web.diskmemo import DiskMemo
from geoleads.web.signals import ChangeSignal, object_lock

if TYPE_CHECKING:
    from geoleads.narrow import ObjectResult
    from geoleads.store.engine import Store

Stamp = tuple[Any, ...]


@dataclass
class CachedSummary:
    """A summary dict (contract 6 ``summary``), its stamp and, when in memory, the full result."""

    object_id: str
    stamp: Stamp
    summary: dict[str, Any]
    result: ObjectResult | None = None
    map_html: str | None = None
    #: when this process computed it (``time.monotonic()``; 0: read from disk)
    computed_at: float = 0.0


def empty_summary(object_id: str, tips: int = 0) -> dict[str, Any]:
    """The summary of an object without usable tips."""
    return {
        "object_id": object_id,
        "tips": tips,
        "tips_with_places": 0,
        "countries": [],
        "admin1": [],
        "localities": [],
        "peak": None,
        "credible_region_km2": {},
        "verdict": {"level": "none", "code": None, "name": None, "confidence": 0.0},
    }


#: an object's tip count and last tip (built once; per request only the id changes)
_STAMP_ROW = select(ObjectRow.tip_count, ObjectRow.last_tip_at).where(
    ObjectRow.object_id == bindparam("oid")
)


class SummaryCache:
    """Summaries per object: memory (LRU of full results) + JSON files of the summary dicts."""

    #: seconds :meth:`peek` trusts that an object has no summary file
    PEEK_MISS_S = 2.0

    def __init__(
        self,
        store: Store,
        *,
        cache_dir: Path | None = None,
        tiles: str | None = None,
        max_results: int = 32,
        stamp_ttl: float = 2.0,
        sync_limit: int = 5000,
        signal: ChangeSignal | None = None,
        warm_pause: float = 3.0,
        min_interval: float = 0.0,
    ) -> None:
        self.store = store
        #: changes made by any server process (reviews) show at once through it
        self.signal = signal or ChangeSignal(None)
        self._signal_seen = self.signal.version()
        #: the background warmer rests this many times as long as each summary took,
        #: so it takes at most 1 / (1 + warm_pause) of a core from the pages
        self.warm_pause = warm_pause
        self.cache_dir = cache_dir
        self.tiles = tiles
        self.max_results = max_results
        self._entries: OrderedDict[str, CachedSummary] = OrderedDict()
        self._peek_missed: dict[str, float] = {}
        self._lock = threading.RLock()
        self._object_locks: dict[str, threading.Lock] = {}
        self._pending: OrderedDict[str, None] = OrderedDict()
        #: a stamp read from the database is reused this many seconds (changes made by
        #: this process invalidate at once; other processes' changes show within it)
        self.stamp_ttl = stamp_ttl
        #: objects with more tips than this are recomputed in the background after a change
        self.sync_limit = sync_limit
        #: a summary computed less than this many seconds ago is served (marked stale)
        #: after a change while the background thread recomputes it: a burst of
        #: reviews of one object costs one summary per interval, not one per view
        self.min_interval = min_interval
        self._stamps: dict[str, tuple[float, Stamp]] = {}
        self._review_stats: tuple[float, dict[str, tuple[int, str | None, int]]] | None = None
        self._memo: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._disk_memo = DiskMemo(cache_dir / "memo") if cache_dir is not None else None
        self._warmer: threading.Thread | None = None

    # --- stamps --------------------------------------------------------------
    def stamp(self, object_id: str) -> Stamp:
        """What the summary of ``object_id`` depends on: (tips, last tip, reviews, last
        review, review versions); changes on import and review."""
        now = time.monotonic()
        self._check_signal()
        with self._lock:
            cached = self._stamps.get(object_id)
        if cached is not None and now - cached[0] < self.stamp_ttl:
            return cached[1]
        with self.store.read() as s:
            obj = s.execute(_STAMP_ROW, {"oid": object_id}).first()
        reviews = self.review_stats().get(object_id, (0, None, 0))
        if obj is None:
            return ("missing",)
        last = obj.last_tip_at.isoformat() if obj.last_tip_at else None
        stamp = (obj.tip_count, last, *reviews)
        with self._lock:
            self._stamps[object_id] = (now, stamp)
        return stamp

    def review_stats(self) -> dict[str, tuple[int, str | None, int]]:
        """``object_id -> (reviews, time of the last, sum of versions)`` for every object.

        One query driven from the reviews table (a few thousand rows, not the
        million tips), reused for :attr:`stamp_ttl` seconds.
        """
        now = time.monotonic()
        self._check_signal()
        with self._lock:
            cached = self._review_stats
        if cached is not None and now - cached[0] < self.stamp_ttl:
            return cached[1]
        owner = select(TipRow.object_id).where(TipRow.tip_id == ReviewRow.tip_id).scalar_subquery()
        with self.store.read() as s:
            rows = s.execute(
                select(
                    owner, func.count(), func.max(ReviewRow.at), func.sum(ReviewRow.version)
                ).group_by(owner)
            ).all()
        stats = {
            str(oid): (int(n), at.isoformat() if hasattr(at, "isoformat") else at, int(v or 0))
            for oid, n, at, v in rows
        }
        with self._lock:
            self._review_stats = (now, stats)
        return stats

    def _check_signal(self) -> None:
        """Forget the stamps read so far when any process signalled a change."""
        version = self.signal.version()
        if version != self._signal_seen:
            with self._lock:
                self._signal_seen = version
                self._stamps.clear()
                self._review_stats = None

    def memo(self, key: tuple[Any, ...], compute: Any, *, shared: bool = False) -> Any:
        """``compute()`` cached under ``key`` (which must include the object's stamp).

        ``shared``: also kept in a file under ``cache_dir`` for the other server
        processes and the next start (the value must be JSON: lists, not tuples)."""
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        value = self._disk_memo.get(key) if shared and self._disk_memo is not None else None
        if value is None:
            value = compute()
            if shared and self._disk_memo is not None:
                self._disk_memo.put(key, value)
        with self._lock:
            self._memo[key] = value
            while len(self._memo) > 2000:
                self._memo.popitem(last=False)
        return value

    # --- access --------------------------------------------------------------
    def peek(self, object_id: str) -> dict[str, Any] | None:
        """The last computed summary (memory or disk) without computing or checking the stamp."""
        with self._lock:
            entry = self._entries.get(object_id)
        if entry is not None:
            return entry.summary
        # the objects list peeks at every object on every request: an object without a
        # summary file is not looked for on disk again for PEEK_MISS_S (another process
        # may write one meanwhile; this process's own summaries are in memory at once)
        now = time.monotonic()
        missed = self._peek_missed.get(object_id)
        if missed is not None and now - missed < self.PEEK_MISS_S:
            return None
        disk = self._read_disk(object_id)
        if disk is None:
            if len(self._peek_missed) > 100_000:
                self._peek_missed.clear()
            self._peek_missed[object_id] = now
            return None
        self._peek_missed.pop(object_id, None)
        self._remember(disk)
        return disk.summary

    def get(self, object_id: str) -> CachedSummary:
        """An up-to-date summary of ``object_id`` (computed when the data changed)."""
        entry = self._get(object_id, wait=True)
        if entry is None:  # waiting always ends with a summary
            raise RuntimeError(f"no summary of {object_id!r}")
        return entry

    def _get(self, object_id: str, *, wait: bool) -> CachedSummary | None:
        """:meth:`get`; with ``wait=False``, None at once when a computation of this
        object is running (in this process or another) instead of waiting for it."""
        stamp = self.stamp(object_id)
        with self._lock:
            entry = self._entries.get(object_id)
            if entry is not None and entry.stamp == stamp:
                self._entries.move_to_end(object_id)
                return entry
            olock = self._object_locks.setdefault(object_id, threading.Lock())
        # one computation per object at a time, in this process and across processes
        if not olock.acquire(blocking=wait):
            return None
        try:
            with object_lock(self._lock_dir(), object_id, wait=wait) as locked:
                if not locked:
                    return None
                with self._lock:
                    entry = self._entries.get(object_id)
                    if entry is not None and entry.stamp == stamp:
                        return entry
                disk = self._read_disk(object_id)
                if disk is not None and disk.stamp == stamp:
                    # good enough for rankings; the full result is computed when the map asks
                    self._remember(disk)
                    return disk
                entry = self._compute(object_id, stamp)
                self._remember(entry)
                self._write_disk(entry)
                return entry
        finally:
            olock.release()

    def result(self, object_id: str) -> ObjectResult | None:
        """The full :class:`~geoleads.narrow.ObjectResult` (surface, leads), computing if needed."""
        entry = self.get(object_id)
        if entry.result is None and entry.summary.get("tips"):
            entry = self._compute(object_id, entry.stamp)
            self._remember(entry)
        return entry.result

    def map_html(self, object_id: str) -> str:
        """The lead map page of ``object_id`` (built by :mod:`geoleads.maps`)."""
        result = self.result(object_id)
        entry = self.get(object_id)
        if entry.map_html is not None:
            return entry.map_html
        from geoleads.web.leadmap import render_lead_map

        html = render_lead_map(object_id, result, tiles=self.tiles)
        entry.map_html = html
        return html

    def invalidate(self, object_id: str) -> None:
        """Re-read ``object_id``'s stamp now (after a review or an import here).

        The old summary is kept as a *stale* copy for :meth:`current_or_stale`.
        """
        with self._lock:
            self._stamps.pop(object_id, None)
            self._review_stats = None
        self.signal.notify()  # every process (this one too) re-reads its stamps

    def current_or_stale(self, object_id: str) -> tuple[CachedSummary, bool]:
        """The summary, and whether it is stale.

        An object with more than :attr:`sync_limit` tips whose data changed gets
        its previous summary at once (``stale=True``) while a background thread
        recomputes it, so a review never makes a page wait seconds; so does an
        object whose summary this process computed less than :attr:`min_interval`
        seconds ago, whose new summary another thread or process is computing
        right now (pages do not queue behind it), or (``min_interval`` > 0) whose
        change is new tips rather than reviews; other objects are recomputed before
        answering.
        """
        stamp = self.stamp(object_id)
        with self._lock:
            entry = self._entries.get(object_id)
        if entry is None:
            entry = self._read_disk(object_id)
        if entry is not None and entry.stamp == stamp:
            return self.get(object_id), False
        if entry is None:
            return self.get(object_id), False
        recent = time.monotonic() - entry.computed_at < self.min_interval
        fresh = None
        # with smoothing on (min_interval > 0: the server's default, not the tests'), new
        # tips (an import, still geoparsing or not) are summarized in the background; a
        # review is summarized here, so the analyst sees its effect on the next page
        deferred = self.min_interval > 0 and tuple(entry.stamp[:2]) != tuple(stamp[:2])
        if int(stamp[0]) <= self.sync_limit and not recent and not deferred:
            fresh = self._get(object_id, wait=False)
        if fresh is None:  # large, recent, new tips, or being computed now: do not wait
            self.warm([object_id])
            return entry, True
        return fresh, False

    def warm(self, object_ids: list[str]) -> None:
        """Compute these objects' summaries in one background thread (pages never wait)."""
        with self._lock:
            for object_id in object_ids:
                self._pending[object_id] = None
            if self._pending and (self._warmer is None or not self._warmer.is_alive()):
                self._warmer = threading.Thread(
                    target=self._warm_loop, name="geoleads-summaries", daemon=True
                )
                self._warmer.start()

    def _warm_loop(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._warmer = None
                    return
                object_id, _ = self._pending.popitem(last=False)
            started = time.monotonic()
            try:
                self.get(object_id)
            except Exception:
                continue
            # leave the CPU (and the GIL) to the pages between two summaries
            time.sleep(min(5.0, (time.monotonic() - started) * self.warm_pause))

    # --- internals -----------------------------------------------------------
    def _compute(self, object_id: str, stamp: Stamp) -> CachedSummary:
        from geoleads.narrow import summarize_tips
        from geoleads.web.queries import load_object_inputs

        tips, mentions, reviews = load_object_inputs(self.store, object_id)
        now = time.monotonic()
        if not tips:
            return CachedSummary(object_id, stamp, empty_summary(object_id), computed_at=now)
        [result] = summarize_tips(tips, reviews=reviews, mentions=mentions, objects=[object_id])
        return CachedSummary(object_id, stamp, result.summary, result, computed_at=now)

    def _remember(self, entry: CachedSummary) -> None:
        with self._lock:
            self._entries[entry.object_id] = entry
            self._entries.move_to_end(entry.object_id)
            # keep every summary dict, but only the newest few full results (surfaces are big)
            with_results = [k for k, e in self._entries.items() if e.result is not None]
            for key in with_results[: max(0, len(with_results) - self.max_results)]:
                self._entries[key].result = None
                self._entries[key].map_html = None

    def _lock_dir(self) -> Path | None:
        return self.cache_dir / "locks" if self.cache_dir is not None else None

    def _path(self, object_id: str) -> Path | None:
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(object_id.encode()).hexdigest()[:32]
        return self.cache_dir / f"{digest}.json"

    def _read_disk(self, object_id: str) -> CachedSummary | None:
        path = self._path(object_id)
        if path is None or not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("object_id") != object_id:
                return None
            return CachedSummary(object_id, tuple(data["stamp"]), data["summary"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a damaged cache file is just recomputed

    def _write_disk(self, entry: CachedSummary) -> None:
        path = self._path(entry.object_id)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            payload = {
                "object_id": entry.object_id,
                "stamp": list(entry.stamp),
                "summary": entry.summary,
            }
            tmp.write_text(json.dumps(payload, default=str), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # the cache is an optimisation; the summary is still served from memory
