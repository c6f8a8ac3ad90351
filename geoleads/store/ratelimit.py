"""The login rate limit, counted in the database so every server process shares it.

``geoleads serve --workers N`` runs N processes; an in-memory counter would let
an attacker try N times the limit. Each attempt is a row of ``login_attempts``
(key = ``addr:...`` or ``user:...``); rows older than the window are deleted
as the key is next used.

>>> from geoleads.store.engine import Store
>>> limiter = StoreRateLimiter(Store.open("sqlite://", upgrade=True), attempts=2, window_s=60)
>>> [limiter.hit("user:eve") for _ in range(3)]
[True, True, False]
>>> limiter.reset("user:eve"); limiter.hit("user:eve")
True
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from geoleads.store.models import LoginAttemptRow

if TYPE_CHECKING:
    from geoleads.store.engine import Store


class StoreRateLimiter:
    """Sliding-window counter per key in the store (same interface as the in-memory one)."""

    def __init__(self, store: Store, attempts: int = 10, window_s: float = 300.0) -> None:
        self.store = store
        self.attempts = attempts
        self.window_s = window_s

    def hit(self, key: str, now: datetime | None = None) -> bool:
        """Count one attempt for ``key``; False when the limit is already reached."""
        now = now or datetime.now(UTC)
        key = key[:300]
        with self.store.session() as s:
            s.execute(
                delete(LoginAttemptRow).where(
                    LoginAttemptRow.key == key,
                    LoginAttemptRow.at <= now - timedelta(seconds=self.window_s),
                )
            )
            n = s.scalar(
                select(func.count()).select_from(LoginAttemptRow).where(LoginAttemptRow.key == key)
            )
            if int(n or 0) >= self.attempts:
                return False
            s.add(LoginAttemptRow(key=key, at=now))
        return True

    def reset(self, key: str) -> None:
        """Forget ``key`` (after a successful login)."""
        with self.store.session() as s:
            s.execute(delete(LoginAttemptRow).where(LoginAttemptRow.key == key[:300]))
