"""Optional fallback: ask a configured geopy geocoder for names the gazetteer lacks.

Only used when the user set ``GEOLEADS_GEOCODER`` (Nominatim, Photon or Pelias,
usually self-hosted) *and* asked for it (``Geoparser(use_geocoder=True)`` or
``geoleads geoparse --geocoder``). Only capitalised words right after a context
word ("in Xyzville", "aus Kleinkleckersdorf") that matched nothing are sent.
Answers, including "not found", are cached in ``<cache_dir>/geocoder/answers.json``
so each name is asked once.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geoleads.cuewords import CONTEXT_WORDS
from geoleads.errors import ConfigError, GeocoderServiceError
from geoleads.leads import Candidate, Mention
from geoleads.spans import Span
from geoleads.text import fold

if TYPE_CHECKING:
    from geoleads.gazetteer import Gazetteer

_AFTER_CONTEXT = re.compile(r"(?<!\w)(\w+)\s+([^\W\d_][^\W\d_'’-]{2,}(?:[ -][^\W\d_]{3,}){0,2})")


class FallbackGeocoder:
    """A geopy geocoder with an on-disk answer cache."""

    def __init__(self, geocoder: Any, cache_file: Path) -> None:
        self.geocoder = geocoder
        self.cache_file = cache_file
        self._lock = threading.Lock()
        self._answers: dict[str, Any] = {}
        if cache_file.exists():
            try:
                self._answers = json.loads(cache_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._answers = {}

    @classmethod
    def from_settings(cls, gazetteer: Gazetteer) -> FallbackGeocoder:
        """The geocoder of ``GEOLEADS_GEOCODER``; a :class:`ConfigError` when none is set."""
        from geoleads.config import Settings
        from geoleads.gazetteer.geocoder import make_geocoder

        settings = Settings.from_env()
        if settings.geocoder is None:
            raise ConfigError("no geocoder configured: set GEOLEADS_GEOCODER and its DOMAIN")
        folder = Path(gazetteer.cache_dir or settings.cache_dir) / "geocoder"
        return cls(make_geocoder(settings), folder / "answers.json")

    def lookup(self, name: str) -> dict[str, Any] | None:
        """``{"name", "lat", "lon", "country"}`` for ``name`` (cached), or ``None``."""
        key = fold(name)
        with self._lock:
            if key in self._answers:
                return self._answers[key]
        try:
            location = self.geocoder.geocode(name, exactly_one=True)
        except Exception as err:  # geopy raises many service errors; keep one type
            raise GeocoderServiceError(f"geocoder failed for {name!r}: {err}") from err
        answer = None
        if location is not None:
            raw = location.raw if isinstance(location.raw, dict) else {}
            address = raw.get("address") if isinstance(raw.get("address"), dict) else {}
            country = raw.get("country") or (address or {}).get("country_code")
            answer = {
                "name": str(location.address).split(",")[0],
                "lat": float(location.latitude),
                "lon": float(location.longitude),
                "country": str(country).upper()[:2] if country else None,
            }
        with self._lock:
            self._answers[key] = answer
            self._save()
        return answer

    def _save(self) -> None:
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.cache_file.parent, prefix=".answers-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self._answers, fh, ensure_ascii=False)
        os.replace(tmp, self.cache_file)

    def mentions(
        self, text: str, spans: Sequence[Span], blocked: Sequence[tuple[int, int]]
    ) -> list[Mention]:
        """Mentions for capitalised names after a context word that no span covers."""
        taken = [(s.start, s.end) for s in spans] + list(blocked)
        out = []
        for m in _AFTER_CONTEXT.finditer(text):
            if fold(m[1]) not in CONTEXT_WORDS or not m[2][:1].isupper():
                continue
            start, end = m.start(2), m.end(2)
            if any(a < end and start < b for a, b in taken):
                continue
            answer = self.lookup(m[2])
            if answer is None:
                continue
            cand = Candidate(
                None,
                answer["name"],
                "point",
                answer["country"],
                None,
                answer["lat"],
                answer["lon"],
                0.6,
            )
            out.append(Mention(start, end, m[2], "place", (cand,)))
            taken.append((start, end))
        return out
