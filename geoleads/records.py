"""Build :class:`~geoleads.leads.Candidate` and :class:`~geoleads.leads.Mention` records quickly.

The resolver makes a candidate for every reading it keeps: filling a new frozen
dataclass instance's own ``__dict__`` is several times faster than its
``__init__`` (which sets each field through ``object.__setattr__``) and gives
equal objects. :data:`FAST_RECORDS` checks that the records are still plain
dataclasses; otherwise their constructors are used.

>>> m = new_mention(12, 18, "Krakau", "place", ())
>>> m == Mention(12, 18, "Krakau", "place", ())
True
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

from geoleads.leads import Candidate, Mention


def _plain(cls: type, names: tuple[str, ...]) -> bool:
    """Whether ``cls`` is a dataclass with exactly these fields, no slots, no ``__post_init__``."""
    return (
        dataclasses.is_dataclass(cls)
        and tuple(f.name for f in dataclasses.fields(cls)) == names
        and "__slots__" not in cls.__dict__
        and not hasattr(cls, "__post_init__")
    )


_CANDIDATE_FIELDS = ("geonameid", "name", "level", "country", "admin1", "lat", "lon")
#: Build the frozen records by filling their ``__dict__`` (faster than ``__init__``,
#: equal objects); only while they stay plain dataclasses.
FAST_RECORDS: Final = _plain(Candidate, (*_CANDIDATE_FIELDS, "probability")) and _plain(
    Mention, ("start", "end", "text", "kind", "candidates")
)
_new: Final = object.__new__


def new_candidate(fields: dict[str, Any], probability: float) -> Candidate:
    """``Candidate(**fields, probability=probability)``, built quickly.

    >>> f = {"geonameid": 1, "name": "A", "level": "locality", "country": "PL",
    ...      "admin1": "PL.77", "lat": 50.0, "lon": 20.0}
    >>> new_candidate(f, 0.5) == Candidate(**f, probability=0.5)
    True
    """
    if not FAST_RECORDS:
        return Candidate(**fields, probability=probability)
    cand: Candidate = _new(Candidate)
    values = cand.__dict__  # the new instance's own (empty) dictionary
    values.update(fields)
    values["probability"] = probability
    return cand


def new_mention(
    start: int, end: int, text: str, kind: str, candidates: tuple[Candidate, ...]
) -> Mention:
    """``Mention(start, end, text, kind, candidates)``, built quickly."""
    if not FAST_RECORDS:
        return Mention(start, end, text, kind, candidates)
    mention: Mention = _new(Mention)
    values = mention.__dict__
    values["start"] = start
    values["end"] = end
    values["text"] = text
    values["kind"] = kind
    values["candidates"] = candidates
    return mention
