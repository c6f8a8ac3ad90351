"""The records that flow between steps: mentions found in a tip and their readings.

A :class:`Mention` is a span of a tip's text that points somewhere (a place name,
a demonym such as "polnische", a language clue, coordinates, a map link, a postal
code). Each mention carries its :class:`Candidate` readings, best first, with
probabilities. :meth:`Mention.to_json` gives the ``geoleads geoparse`` contract:

>>> c = Candidate(3094802, "Kraków", "locality", "PL", "PL.77", 50.06143, 19.93658, 0.93)
>>> m = Mention(12, 18, "Krakau", "place", (c,))
>>> m.to_json()["name"], m.to_json()["confidence"]
('Kraków', 0.93)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["place", "demonym", "language", "coordinates", "url", "postal", "macro"]
Level = Literal["country", "admin1", "locality", "point"]

KINDS: tuple[str, ...] = ("place", "demonym", "language", "coordinates", "url", "postal", "macro")
LEVELS: tuple[str, ...] = ("country", "admin1", "locality", "point")


@dataclass(frozen=True)
class Candidate:
    """One reading of a mention: a gazetteer entity (or a bare point) and its probability."""

    geonameid: int | None
    name: str
    level: str
    country: str | None
    admin1: str | None
    lat: float
    lon: float
    probability: float

    def to_json(self) -> dict[str, Any]:
        return {
            "geonameid": self.geonameid,
            "name": self.name,
            "level": self.level,
            "country": self.country,
            "admin1": self.admin1,
            "lat": round(self.lat, 5),
            "lon": round(self.lon, 5),
            "confidence": round(self.probability, 3),
        }


@dataclass(frozen=True)
class Mention:
    """A span ``text[start:end]`` of one tip, of ``kind``, with readings best first.

    A demonym or language clue that points to several countries has one
    candidate per country (e.g. "German" -> DE 0.8, AT 0.1, CH 0.1).
    """

    start: int
    end: int
    text: str
    kind: str
    candidates: tuple[Candidate, ...] = field(default=())

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def to_json(self, alternatives: int = 3) -> dict[str, Any]:
        """The ``geoleads geoparse`` JSON of this mention (DESIGN.md contract)."""
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind,
        }
        best = self.best
        if best is not None:
            out.update(best.to_json())
        else:
            out.update(
                {
                    "geonameid": None,
                    "name": None,
                    "level": None,
                    "country": None,
                    "admin1": None,
                    "lat": None,
                    "lon": None,
                    "confidence": 0.0,
                }
            )
        out["alternatives"] = [c.to_json() for c in self.candidates[1 : 1 + alternatives]]
        return out
