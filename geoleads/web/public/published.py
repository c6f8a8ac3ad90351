"""The published objects, read from the store at most every few seconds.

The public pages are the busy ones (thousands of tips in days after a release),
so they share one small in-memory list of published objects instead of a query
per request. A publishing change in the same process clears it at once
(:meth:`PublishedObjects.invalidate`); another process (the public host) sees
it within ``ttl_s`` seconds.

>>> from geoleads.store import Store, ensure_object
>>> store = Store.open("sqlite://", upgrade=True)
>>> with store.session() as s:
...     _ = ensure_object(s, "OBJ-1", published=True, kind="mug")
...     _ = ensure_object(s, "OBJ-2", published=False)
>>> objects = PublishedObjects(store)
>>> [o.object_id for o in objects.all()], objects.get("OBJ-2")
(['OBJ-1'], None)
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from geoleads.store.models import ObjectRow

if TYPE_CHECKING:
    from geoleads.store.engine import Store


@dataclass(frozen=True)
class PublicObject:
    """What the public may see of an object."""

    object_id: str
    title: str
    kind: str | None
    description: str | None
    question: str | None
    image_path: str | None


class PublishedObjects:
    """Published objects, newest first, reloaded when older than ``ttl_s`` seconds."""

    def __init__(self, store: Store, ttl_s: float = 5.0) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self._objects: dict[str, PublicObject] = {}
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def _load(self) -> dict[str, PublicObject]:
        with self.store.session() as s:
            rows = s.execute(
                select(
                    ObjectRow.object_id,
                    ObjectRow.title,
                    ObjectRow.kind,
                    ObjectRow.description,
                    ObjectRow.question,
                    ObjectRow.image_path,
                )
                .where(ObjectRow.published.is_(True))
                .order_by(ObjectRow.created_at.desc(), ObjectRow.object_id)
            ).all()
        return {r.object_id: PublicObject(*r) for r in rows}

    def _fresh(self) -> dict[str, PublicObject]:
        now = time.monotonic()
        with self._lock:
            if now - self._loaded_at > self.ttl_s:
                self._objects = self._load()
                self._loaded_at = now
            return self._objects

    def all(self) -> list[PublicObject]:
        """Every published object, newest first."""
        return list(self._fresh().values())

    def get(self, object_id: str) -> PublicObject | None:
        """The object if it is published, else ``None``."""
        return self._fresh().get(object_id)

    def invalidate(self) -> None:
        """Read the store again on next use (after a publishing change)."""
        with self._lock:
            self._loaded_at = float("-inf")


__all__ = ["PublicObject", "PublishedObjects"]
