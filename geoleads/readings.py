"""The readings of one name key, prepared once per key for the resolver.

A :class:`Readings` holds the gazetteer rows a name can mean (those with a
position), their prominence scores ranked best first, and per reading the
index of its country, admin1 and admin2 region among the name's distinct codes,
so that the work per text (:mod:`geoleads.textcontext`) runs on short lists
instead of dictionaries keyed by row or code, and a name's ranking before
context is made once.

>>> r = Readings((7, 9), [7, 9], [1.0, 3.0], ["PL", "PL"], ["PL.77", "PL.72"],
...              ["", "PL.72.1"], ["locality", "locality"], 8.0)
>>> r.keys, r.cidx, r.aidx, r.a2idx
(['PL', '\\x01PL.77', '\\x01PL.72', '\\x02PL.72.1'], [0, 0], [1, 2], [-1, 3])
>>> r.ranked()
([1.0, 3.0], [1, 0], 4.0)
"""

from __future__ import annotations

from typing import Any, Final

from geoleads.leads import Candidate

#: Scores, the reading indices best first (by score, then row), and the scores' sum.
Ranked = tuple[list[float], list[int], float]


def total(values: list[float]) -> float:
    """``values`` added left to right from 0.0 (what ``sum`` does on Python 3.11; from
    3.12 on, ``sum`` compensates rounding errors and may differ in the last bits).

    >>> total([0.5, 0.25, 0.125])
    0.875
    """
    out = 0.0
    for v in values:
        out += v
    return out


def rank(scores: list[float], rows: list[int]) -> Ranked:
    """``scores`` with their order best first (ties: the higher row first) and their
    sum in that order (1.0 when 0).

    >>> rank([2.0, 5.0, 2.0], [10, 11, 12])
    ([2.0, 5.0, 2.0], [1, 2, 0], 9.0)
    """
    n = len(scores)
    if n > _FEW:
        ordered = sorted(zip(scores, rows, range(n), strict=True), reverse=True)
        order = [item[2] for item in ordered]
    else:  # insertion sort by (score, row), descending: what ``sorted`` gives, sooner
        order = [0] * n
        for j in range(1, n):
            v, row = scores[j], rows[j]
            k = j
            while k > 0:
                o = order[k - 1]
                if scores[o] > v or (scores[o] == v and rows[o] > row):
                    break
                order[k] = o
                k -= 1
            order[k] = j
    out = 0.0
    for j in order:
        out += scores[j]
    return scores, order, out or 1.0


#: Up to this many readings are ranked by insertion sort.
_FEW: Final = 8


def _index(codes: list[str], code: str, seen: dict[str, int]) -> int:
    """The index of ``code`` in ``codes``, appended at first sight."""
    k = seen.get(code)
    if k is None:
        k = seen[code] = len(codes)
        codes.append(code)
    return k


class Readings:
    """The readings of one name key with a position, in the order of the span's rows.

    ``rows`` are the span's rows as given (the memo's check), ``kept`` the
    distinct rows with a position and ``base`` their prominence scores;
    ``country`` and ``admin1`` the codes of each reading. ``countries``,
    ``admin1s`` and ``admin2s`` are the distinct codes in order of first
    reading, and ``keys`` all three in one list (admin1 codes prefixed
    ``"\\x01"``, admin2 codes ``"\\x02"``, so that no two kinds share a key):
    per reading, ``cidx``, ``aidx`` and ``a2idx`` are the indices of its codes
    in ``keys`` (-1 for none: a country has no admin1, many towns no admin2).
    ``named`` is a reading's weight as context for its admin1 region (a region
    named itself weighs more than a town in it); :meth:`ranked` is :func:`rank`
    of ``base``. Never changed after building, except the per-language rankings,
    the follower codes, the candidate fields and the candidates before context
    (per language and evidence), each set once.
    """

    def __init__(
        self,
        rows: tuple[int, ...],
        kept: list[int],
        base: list[float],
        country: list[str],
        admin1: list[str],
        admin2: list[str],
        level: list[str],
        region_named: float,
    ) -> None:
        self.rows = rows
        self.kept = kept
        self.base = base
        self.country = country
        self.admin1 = admin1
        self.countries: list[str] = []
        self.admin1s: list[str] = []
        self.admin2s: list[str] = []
        seen_c: dict[str, int] = {}
        seen_a: dict[str, int] = {}
        seen_2: dict[str, int] = {}
        cidx: list[int] = []
        aidx: list[int] = []
        a2idx: list[int] = []
        self.named: list[float] = []
        for j in range(len(kept)):
            cidx.append(_index(self.countries, country[j], seen_c))
            if level[j] == "country":
                aidx.append(-1)
                a2idx.append(-1)
                self.named.append(1.0)
                continue
            aidx.append(_index(self.admin1s, admin1[j], seen_a))
            a2idx.append(_index(self.admin2s, admin2[j], seen_2) if admin2[j] else -1)
            self.named.append(region_named if level[j] == "admin1" else 1.0)
        nc, na = len(self.countries), len(self.admin1s)
        self.keys: list[str] = (
            self.countries
            + ["\x01" + code for code in self.admin1s]
            + ["\x02" + code for code in self.admin2s]
        )
        self.cidx = cidx
        self.aidx = [k + nc if k >= 0 else -1 for k in aidx]
        self.a2idx = [k + nc + na if k >= 0 else -1 for k in a2idx]
        self.zeros = [0.0] * len(self.keys)
        self._ranked: Ranked | None = None
        #: Per language: the base scores with that language's weights, ranked.
        self.by_language: dict[str, Ranked] = {}
        #: The countries and admin1 regions this name names when it follows another
        #: (set at first need).
        self.names: tuple[frozenset[str], frozenset[str]] | None = None
        self.fields: list[dict[str, Any] | None] = [None] * len(kept)
        #: Per language ("" for none) and evidence: the candidates before context
        #: (records are immutable: the same for every span so read).
        self.candidates: dict[str, dict[float, tuple[Candidate, ...]]] = {}

    def ranked(self) -> Ranked:
        """:func:`rank` of ``base`` (made at first need: texts with a language use
        their language's ranking instead)."""
        if self._ranked is None:
            self._ranked = rank(self.base, self.kept)
        return self._ranked
