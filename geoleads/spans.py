"""The span record and the word cuts the scan of :mod:`geoleads.extract` works on.

:func:`tokenize` (and :func:`cut_words`) cut folded text into words (runs of
letters) with their offsets; :func:`add_pair` indexes two-word name keys by their first word
(:func:`encode_tails` for the cache);
:class:`Span` is a candidate mention before resolution; :func:`entity_columns`
holds the gazetteer's entity columns as lists and numpy arrays, built once per
gazetteer; :class:`ClueInfo` is a lexicon clue (demonym, language, macro-region) of a span.

>>> tokenize("aus krakau")
(['aus', 'krakau'], [(0, 3), (4, 10)])
>>> Span(4, 10, "Krakau", "place", "krakau", (7,), (), 0.9).text
'Krakau'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from geoleads.gazetteer import Gazetteer

_WORD = re.compile(r"[^\W\d_]+")
#: For ASCII text (most folded tips: diacritics are gone) ``_WORD``'s words are what
#: is left between non-letters: this table makes them spaces for a quick ``split()``.
_ASCII_SPACES = "".join(chr(c) if chr(c).isalpha() else " " for c in range(128))
_JOINERS = {" ", "-", "\u2013", "\u2010", "\u2011", "'", "\u2019", ". ", ".", "\u00a0"}


def tokenize(folded: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The words (runs of letters) of ``folded`` and their ``(start, end)`` offsets.

    >>> tokenize("w krakowie, 2x")
    (['w', 'krakowie', 'x'], [(0, 1), (2, 10), (13, 14)])
    """
    words, starts, ends = cut_words(folded)
    return words, list(zip(starts, ends, strict=True))


def cut_words(folded: str) -> tuple[list[str], list[int], list[int]]:
    """:func:`tokenize` as the scan uses it: the words, their starts, their ends.

    Two lists of offsets, not a list of pairs: no tuple per word to make and
    collect (the scan runs for every tip).

    >>> cut_words("w krakowie, 2x")
    (['w', 'krakowie', 'x'], [0, 2, 13], [1, 10, 14])
    """
    starts: list[int] = []
    ends: list[int] = []
    if folded.isascii():
        # non-letters made spaces: each piece between two spaces is a word or empty
        words: list[str] = []
        pos = 0
        for piece in folded.translate(_ASCII_SPACES).split(" "):
            if piece:
                words.append(piece)
                starts.append(pos)
                ends.append(pos + len(piece))
            pos += len(piece) + 1
        return words, starts, ends
    words = _WORD.findall(folded)
    # offsets without match objects: only non-letters lie between two words,
    # so each word's first occurrence after the previous one is where it matched
    pos = 0
    for w in words:
        start = folded.find(w, pos)
        pos = start + len(w)
        starts.append(start)
        ends.append(pos)
    return words, starts, ends


_PAIR = re.compile(r"([^\W\d_]+)([ '][^\W\d_]+)")


def add_pair(follows: dict[str, dict[str, bool]], key: str, whole: bool) -> None:
    """Enter ``key`` into ``follows`` when it is two runs of letters joined by " " or "'".

    Only such keys can equal a key the matcher builds from two words ("nowy" +
    " targ", "l" + "'aquila"). ``whole``: a name or clue itself, not only the
    beginning of a longer one (a whole name stays whole).

    >>> follows = {}
    >>> add_pair(follows, "nowy targ", True); add_pair(follows, "wagram ob", False)
    >>> add_pair(follows, "nowy targ", False); add_pair(follows, "st gallen 2", True)
    >>> follows
    {'nowy': {' targ': True}, 'wagram': {' ob': False}}
    """
    m = _PAIR.fullmatch(key)
    if m is not None:
        tails = follows.setdefault(m[1], {})
        tails[m[2]] = whole or tails.get(m[2], False)


def encode_tails(tails: dict[str, bool]) -> str:
    """The tails of one first word as one string (cached so: loads 3x faster than dicts).

    >>> encode_tails({" targ": True, " ob": False})
    '+ targ\\n- ob'
    >>> decode_tails(encode_tails({" targ": True, "'aquila": False}))
    {' targ': True, "'aquila": False}
    """
    return "\n".join(("+" if whole else "-") + tail for tail, whole in tails.items())


def decode_tails(encoded: str) -> dict[str, bool]:
    """The tails :func:`encode_tails` wrote."""
    return {part[1:]: part[0] == "+" for part in encoded.split("\n")}


@dataclass(frozen=True)
class EntityColumns:
    """The gazetteer's entity columns (shared, read-only).

    ``pop`` and ``name`` are numpy arrays; the codes read per reading on the
    hot path are plain lists (indexing a list is several times faster).
    """

    pop: Any
    level: list[str]
    country: list[str]
    admin1: list[str]
    name: Any


_COLUMNS: dict[int, EntityColumns] = {}


def entity_columns(gazetteer: Gazetteer) -> EntityColumns:
    """Numpy columns of ``gazetteer.entities``, built once per gazetteer."""
    cols = _COLUMNS.get(id(gazetteer))
    if cols is None:
        e = gazetteer.entities
        cols = EntityColumns(
            pop=e["population"].to_numpy(),
            level=e["level"].astype(str).to_numpy().tolist(),
            country=e["country"].astype(str).to_numpy().tolist(),
            admin1=e["admin1"].astype(str).to_numpy().tolist(),
            name=e["name"].to_numpy(),
        )
        _COLUMNS[id(gazetteer)] = cols
    return cols


class Span:
    """A candidate span before resolution (read-only by convention).

    ``rows`` are gazetteer rows for a place, ``clues`` lexicon clues for a
    demonym, language or macro-region; ``key`` is the name key that matched
    (the lemma's key for an inflected form). A plain class, not a frozen
    dataclass, because it is made for every candidate name on the hot path
    (mypyc compiles it to a C struct); equality, hash and repr are a dataclass's.

    >>> Span(0, 6, "Krakau", "place", "krakau", (7,), (), 0.9)
    Span(start=0, end=6, text='Krakau', kind='place', key='krakau', rows=(7,), clues=(), \
evidence=0.9, inflected=False)
    """

    start: int
    end: int
    text: str
    kind: str
    key: str
    rows: tuple[int, ...]
    clues: tuple[Any, ...]
    evidence: float
    inflected: bool

    def __init__(
        self,
        start: int,
        end: int,
        text: str,
        kind: str,
        key: str,
        rows: tuple[int, ...],
        clues: tuple[Any, ...],
        evidence: float,
        inflected: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.kind = kind
        self.key = key
        self.rows = rows
        self.clues = clues
        self.evidence = evidence
        self.inflected = inflected

    def _fields(self) -> tuple[Any, ...]:
        return (
            self.start,
            self.end,
            self.text,
            self.kind,
            self.key,
            self.rows,
            self.clues,
            self.evidence,
            self.inflected,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Span):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"Span(start={self.start!r}, end={self.end!r}, text={self.text!r}, "
            f"kind={self.kind!r}, key={self.key!r}, rows={self.rows!r}, clues={self.clues!r}, "
            f"evidence={self.evidence!r}, inflected={self.inflected!r})"
        )


class ClueInfo(NamedTuple):
    """A lexicon clue of a span: a demonym, language or macro-region reading."""

    kind: str
    lang: str
    countries: tuple[tuple[str, float], ...]
    ambiguous: bool


#: Per name key: gazetteer rows, clues, a region among them?, a region called so?
KeyInfo = tuple[tuple[int, ...], tuple[ClueInfo, ...], bool, bool]
