"""What the other names of a text say about a span's readings (helpers of the resolver).

:class:`TextContext` gives every distinct name of a text its evidence-weighted
shares of its countries, admin1 and admin2 regions, sums them over the text and
re-weighs each ambiguous name's readings by the other names' shares
(:meth:`TextContext.round`); :func:`weigh_alone` weighs readings before the
other names count. The names' readings come prepared per name key
(:class:`~geoleads.readings.Readings`), so a text's work runs on short lists.
:func:`follower_span` is the span right after another across a comma or
bracket ("Horn, Sweden"); :func:`speaking` the countries where a language is
official.

>>> sorted(speaking("pl"))
['PL']
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from geoleads.readings import Readings, total
from geoleads.spans import Span

#: Smoothing of the other mentions' country / region shares (lower = they weigh more).
ALPHA_COUNTRY: Final = 0.02
ALPHA_ADMIN1: Final = 0.05
#: A reading in the same county/district as other names' readings ("Paris and Henry
#: County", "Králův Dvůr, okres Beroun") weighs ``1 + ADMIN2_WEIGHT x`` their share.
ADMIN2_WEIGHT: Final = 100.0


class _Cell:
    """One code of one name: the name's share of it and the factor its readings
    there are weighed by. The code's first cell in the text (``head`` is
    ``None``) also holds its ``kind`` (0 country, 1 admin1, 2 admin2) and the
    ``total`` of every name's share of it; the others point to it. Native
    floats: no boxing on the hot path."""

    def __init__(self, head: _Cell | None, kind: int) -> None:
        self.head = head
        self.kind = kind
        self.total = 0.0
        self.share = 0.0
        self.factor = 1.0

    def first(self) -> _Cell:
        """The code's first cell in the text (where its total is)."""
        head = self.head
        return self if head is None else head


#: The first cell of a code that no name of the text has (its total is 0).
_NOWHERE: Final = _Cell(None, -1)


def _shares(r: Readings, scores: list[float], evidence: float, cells: list[_Cell], lo: int) -> None:
    """A name's evidence-weighted shares of its codes (``r.keys``) into ``cells[lo:]``."""
    for k in range(lo, lo + len(r.keys)):
        cells[k].share = 0.0
    tot = total(scores) or 1.0
    cidx, aidx, a2idx, named = r.cidx, r.aidx, r.a2idx, r.named
    for j in range(len(scores)):
        v = scores[j]
        cell = cells[lo + cidx[j]]
        cell.share = cell.share + evidence * v / tot
        k = aidx[j]
        if k >= 0:
            cell = cells[lo + k]
            cell.share = cell.share + named[j] * evidence * v / tot
            k = a2idx[j]
            if k >= 0:
                cell = cells[lo + k]
                cell.share = cell.share + evidence * v / tot


def _clue_shares(span: Span) -> tuple[list[str], list[float]]:
    """A demonym's or language clue's countries and shares (its first clue's)."""
    codes: list[str] = []
    values: list[float] = []
    seen: dict[str, int] = {}
    for clue in span.clues[:1]:
        for code, weight in clue.countries:
            k = seen.get(code)
            if k is None:
                k = seen[code] = len(codes)
                codes.append(code)
                values.append(0.0)
            values[k] = values[k] + span.evidence * weight
    return codes, values


def _sum(cells: list[_Cell], lo: int, hi: int) -> float:
    """The shares of ``cells[lo:hi]`` added left to right from 0.0."""
    out = 0.0
    for k in range(lo, hi):
        out += cells[k].share
    return out


def _factors(cells: list[_Cell], lo: int, hi: int, mass: float, alpha: float) -> None:
    """Per cell of ``cells[lo:hi]``: ``(s + alpha) / (1 + alpha)`` with ``s`` the other
    names' share of its code (its slot's total minus the cell's share) over ``mass``."""
    for k in range(lo, hi):
        cell = cells[k]
        other = cell.first().total - cell.share
        other = 0.0 if other < 0.0 else other  # max(other, 0.0)
        cell.factor = (other / mass + alpha) / (1.0 + alpha)


def _county_factors(cells: list[_Cell], lo: int, hi: int, mass: float) -> None:
    """Per cell of ``cells[lo:hi]``: ``1 + ADMIN2_WEIGHT x`` the other names' share."""
    for k in range(lo, hi):
        cell = cells[k]
        other = cell.first().total - cell.share
        other = 0.0 if other < 0.0 else other
        cell.factor = 1.0 + ADMIN2_WEIGHT * other / mass


def _scaled(
    r: Readings,
    base: list[float],
    cells: list[_Cell],
    lo: int,
    by_country: bool,
    by_admin1: bool,
    prior_factor: list[float] | None,
    follows: list[bool] | None,
) -> list[float]:
    """``base`` times its codes' factors (``cells[lo + k]`` for ``r.keys[k]``) when
    weighed by country / admin1, the prior's country factors and x50 where the
    next span names the reading's country or region."""
    cidx, aidx, a2idx = r.cidx, r.aidx, r.a2idx
    out: list[float] = []
    for j in range(len(base)):
        score = base[j]
        if by_country:
            score *= cells[lo + cidx[j]].factor
        if by_admin1:
            k = aidx[j]
            if k >= 0:
                score *= cells[lo + k].factor
                k = a2idx[j]
                if k >= 0:
                    score *= cells[lo + k].factor
        if prior_factor is not None:
            score *= prior_factor[cidx[j]]
        if follows is not None and follows[j]:
            score *= 50.0  # "Horn, Sweden"
        out.append(score)
    return out


def weigh_alone(
    r: Readings, base: list[float], prior_factor: list[float] | None, follows: list[bool] | None
) -> list[float]:
    """The scores of ``r``'s readings before the other names count: ``base`` times the
    prior (per country of ``r.countries``) and x50 where ``follows`` (the next span
    names the reading's country or region); ``base`` itself when neither applies."""
    if prior_factor is None and follows is None:
        return base  # read-only, like base
    return _scaled(r, base, [], 0, False, False, prior_factor, follows)


class TextContext:
    """The other names of one text as context: its distinct names and their shares.

    Every distinct name key of the text counts once, by its first span. Each
    name has a cell per code (a :attr:`Readings.keys` entry, or a clue's
    country), all names' cells in one list (:attr:`cells`), name ``e``'s from
    ``offs[e]`` on: its countries, then its admin1 and admin2 codes; a code's
    first cell holds its total (:attr:`heads`: code -> first cell).
    """

    def __init__(self, spans: list[Span], readings: list[Readings | None]) -> None:
        self.spans = spans
        self.readings = readings
        self.first: list[int] = []  # per distinct key, its first span
        self.entry: list[int] = []  # per span, its key's number
        numbers: dict[str, int] = {}
        for i in range(len(spans)):
            key = spans[i].key
            e = -1
            if len(spans) <= 8:  # a few names: look among them
                for n in range(len(self.first)):
                    if spans[self.first[n]].key == key:
                        e = n
                        break
            else:
                e = numbers.get(key, -1)
                numbers[key] = len(self.first) if e < 0 else e
            if e < 0:
                e = len(self.first)
                self.first.append(i)
            self.entry.append(e)
        self.heads: dict[str, _Cell] = {}
        self.cells: list[_Cell] = []
        self.offs: list[int] = []
        self.ncs: list[int] = []  # per name: how many countries, admin1 codes it has
        self.nas: list[int] = []
        heads, cells = self.heads, self.cells
        for f in self.first:
            r = readings[f]
            lo = len(cells)
            self.offs.append(lo)
            values: list[float] = []
            if r is None:
                keys, values = _clue_shares(spans[f])
                nc, na = len(keys), 0
            else:
                keys, nc, na = r.keys, len(r.countries), len(r.admin1s)
            self.ncs.append(nc)
            self.nas.append(na)
            for k in range(len(keys)):
                head = heads.get(keys[k])
                if head is None:
                    heads[keys[k]] = cell = _Cell(None, 0 if k < nc else 1 if k < nc + na else 2)
                else:
                    cell = _Cell(head, head.kind)
                cells.append(cell)
            for k in range(len(values)):  # a clue's shares, fixed
                cells[lo + k].share = values[k]
        self.offs.append(len(cells))
        self.rounds = 0

    def round(
        self,
        scores: list[list[float]],
        base: list[list[float]],
        prior_factor: list[list[float] | None],
        follows: list[list[bool] | None],
        ambiguous: list[bool],
    ) -> None:
        """Re-weigh the ambiguous spans' ``scores`` (in place) once by the other
        names' shares of ``scores``."""
        spans, readings, cells = self.spans, self.readings, self.cells
        for e in range(len(self.first)):
            f = self.first[e]
            r = readings[f]
            # a clue's shares and an unambiguous name's never change
            if r is not None and (self.rounds == 0 or ambiguous[f]):
                _shares(r, scores[f], spans[f].evidence, cells, self.offs[e])
        self.rounds += 1
        for cell in cells:
            cell.total = 0.0
        for cell in cells:  # name by name, in order
            head = cell.first()
            head.total = head.total + cell.share
        all_c = all_a = 0.0
        for cell in cells:  # each kind's codes in order of first sight
            if cell.head is None:
                if cell.kind == 0:
                    all_c += cell.total
                elif cell.kind == 1:
                    all_a += cell.total
        done = [0] * len(self.first)  # per name: 0 not yet, else 1 + 2 by_country + by_admin1
        for i in range(len(spans)):
            r = readings[i]
            if r is None or not ambiguous[i]:
                continue
            e = self.entry[i]
            if readings[self.first[e]] is r:
                if done[e] == 0:
                    done[e] = 1 + self._factors(e, all_c, all_a)
                by, own, lo = done[e] - 1, cells, self.offs[e]
            else:  # the key's first span read otherwise
                by, own = self._other_factors(e, r, all_c, all_a)
                lo = 0
            if by:
                scores[i] = _scaled(
                    r, base[i], own, lo, by >= 2, by % 2 == 1, prior_factor[i], follows[i]
                )
            else:
                scores[i] = weigh_alone(r, base[i], prior_factor[i], follows[i])

    def _factors(self, e: int, all_c: float, all_a: float) -> int:
        """Name ``e``'s factors into its cells; 2 if it is weighed by country (some
        other name has a country share) plus 1 if by admin1 region."""
        cells = self.cells
        lo = self.offs[e]
        ca = lo + self.ncs[e]
        a2 = ca + self.nas[e]
        return _weigh_cells(cells, lo, ca, a2, self.offs[e + 1], cells, all_c, all_a)

    def _other_factors(
        self, e: int, r: Readings, all_c: float, all_a: float
    ) -> tuple[int, list[_Cell]]:
        """:meth:`_factors` for readings ``r`` of name ``e`` whose first span has other
        readings: ``r``'s own shares are the first span's, looked up by code."""
        first = self.readings[self.first[e]]
        keys = first.keys if first is not None else _clue_shares(self.spans[self.first[e]])[0]
        lo = self.offs[e]
        by_key = {keys[k]: self.cells[lo + k].share for k in range(len(keys))}
        own: list[_Cell] = []
        for key in r.keys:
            cell = _Cell(self.heads.get(key, _NOWHERE), -1)
            cell.share = by_key.get(key, 0.0)
            own.append(cell)
        ca = len(r.countries)
        a2 = ca + len(r.admin1s)
        # the other names' masses: the first span's shares stand for this name's
        mid = lo + self.ncs[e]
        mass_c = all_c - _sum(self.cells, lo, mid)
        mass_a = all_a - _sum(self.cells, mid, mid + self.nas[e])
        return _factors_by_mass(own, 0, ca, a2, len(own), mass_c, mass_a), own


def _weigh_cells(
    cells: list[_Cell],
    lo: int,
    ca: int,
    a2: int,
    hi: int,
    own: list[_Cell],
    all_c: float,
    all_a: float,
) -> int:
    """The factors of ``cells[lo:hi]`` (countries to ``ca``, admin1 to ``a2``, then
    admin2) given the text's country and admin1 masses ``all_c``, ``all_a``."""
    mass_c = all_c - _sum(own, lo, ca)
    mass_a = all_a - _sum(own, ca, a2)
    return _factors_by_mass(cells, lo, ca, a2, hi, mass_c, mass_a)


def _factors_by_mass(
    cells: list[_Cell], lo: int, ca: int, a2: int, hi: int, mass_c: float, mass_a: float
) -> int:
    """:func:`_weigh_cells` given the other names' masses; 2 if weighed by country
    plus 1 if by admin1 region (a mass above 1e-9)."""
    if mass_c > 1e-9:
        _factors(cells, lo, ca, mass_c, ALPHA_COUNTRY)
    if mass_a > 1e-9:
        _factors(cells, ca, a2, mass_a, ALPHA_ADMIN1)
        _county_factors(cells, a2, hi, 1e-9 if mass_c < 1e-9 else mass_c)  # max(mass_c, 1e-9)
    return (2 if mass_c > 1e-9 else 0) + (1 if mass_a > 1e-9 else 0)


@lru_cache(maxsize=64)
def speaking(language: str) -> frozenset[str]:
    """Countries where ``language`` is official (CLDR via babel)."""
    from babel.core import get_global

    out = set()
    for territory, info in get_global("territory_languages").items():
        data = info.get(language)
        if data and data.get("official_status"):
            out.add(str(territory))
    return frozenset(out)


def follower_span(text: str, spans: list[Span], i: int) -> Span | None:
    """The span right after ``spans[i]`` across a comma or bracket ("Horn, Sweden")."""
    if i + 1 >= len(spans):
        return None
    nxt = spans[i + 1]
    if nxt.kind != "place":
        return None
    start = spans[i].end
    if nxt.start - start > _LONGEST_GAP:
        return None
    gap = text[start : nxt.start]
    if len(gap) <= 3 and gap.strip() in (",", "(", "-", "/", ""):
        return nxt
    return nxt if COUNTY_GAP.fullmatch(gap) else None


#: A county-like word between a name and its region ("Newton County, Ga.").
COUNTY_GAP = re.compile(r" (?:County|Parish|Borough|Township|Co\.),? ?")
#: The longest gap that :data:`COUNTY_GAP` matches (" Township, ").
_LONGEST_GAP: Final = 11
