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


def _shares(
    r: Readings, scores: list[float], evidence: float, shares: list[float], lo: int
) -> None:
    """A name's evidence-weighted shares of its codes (``r.keys``) into ``shares[lo:]``."""
    for k in range(lo, lo + len(r.keys)):
        shares[k] = 0.0
    tot = total(scores) or 1.0
    cidx, aidx, a2idx, named = r.cidx, r.aidx, r.a2idx, r.named
    for j in range(len(scores)):
        v = scores[j]
        k = lo + cidx[j]
        shares[k] = shares[k] + evidence * v / tot
        k = aidx[j]
        if k >= 0:
            k += lo
            shares[k] = shares[k] + named[j] * evidence * v / tot
            k = a2idx[j]
            if k >= 0:
                k += lo
                shares[k] = shares[k] + evidence * v / tot


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


def _sum(values: list[float], lo: int, hi: int) -> float:
    """``values[lo:hi]`` added left to right from 0.0."""
    out = 0.0
    for k in range(lo, hi):
        out += values[k]
    return out


def _factors(
    tot: list[float],
    slots: list[int],
    own: list[float],
    lo: int,
    hi: int,
    mass: float,
    alpha: float,
    out: list[float],
) -> None:
    """Into ``out[lo:hi]``: per code, ``(s + alpha) / (1 + alpha)`` with ``s`` the other
    names' share of it (the text's total at its slot minus ``own``) over ``mass``."""
    for k in range(lo, hi):
        s = slots[k]
        other = (tot[s] if s >= 0 else 0.0) - own[k]
        other = 0.0 if other < 0.0 else other  # max(other, 0.0)
        out[k] = (other / mass + alpha) / (1.0 + alpha)


def _county_factors(
    tot: list[float],
    slots: list[int],
    own: list[float],
    lo: int,
    hi: int,
    mass: float,
    out: list[float],
) -> None:
    """Into ``out[lo:hi]``: per county, ``1 + ADMIN2_WEIGHT x`` the other names' share."""
    for k in range(lo, hi):
        s = slots[k]
        if s < 0:  # a county no name of the text lies in
            out[k] = 1.0
            continue
        other = tot[s] - own[k]
        other = 0.0 if other < 0.0 else other
        out[k] = 1.0 + ADMIN2_WEIGHT * other / mass


def _scaled(
    r: Readings,
    base: list[float],
    factors: list[float],
    lo: int,
    by_country: bool,
    by_admin1: bool,
    prior_factor: list[float] | None,
    follows: list[bool] | None,
) -> list[float]:
    """``base`` times its codes' factors (``factors[lo + k]`` for ``r.keys[k]``) when
    weighed by country / admin1, the prior's country factors and x50 where the
    next span names the reading's country or region."""
    cidx, aidx, a2idx = r.cidx, r.aidx, r.a2idx
    out: list[float] = []
    for j in range(len(base)):
        score = base[j]
        if by_country:
            score *= factors[lo + cidx[j]]
        if by_admin1:
            k = aidx[j]
            if k >= 0:
                score *= factors[lo + k]
                k = a2idx[j]
                if k >= 0:
                    score *= factors[lo + k]
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
    code (a :attr:`Readings.keys` entry, or a clue's country) gets a slot in
    the text in order of first sight (:attr:`kinds`: 0 country, 1 admin1, 2
    admin2), so that the text's totals are one list; the names' slots, shares
    and factors lie in flat lists, name ``e``'s from ``offs[e]`` on, its
    countries first, then its admin1 and admin2 codes.
    """

    def __init__(self, spans: list[Span], readings: list[Readings | None]) -> None:
        self.spans = spans
        self.readings = readings
        self.first: list[int] = []  # per distinct key, its first span
        self.entry: list[int] = []  # per span, its key's number
        numbers: dict[str, int] = {}
        for i in range(len(spans)):
            key = spans[i].key
            e = numbers.get(key)
            if e is None:
                e = numbers[key] = len(self.first)
                self.first.append(i)
            self.entry.append(e)
        self.slot_of: dict[str, int] = {}
        self.kinds: list[int] = []
        self.slots: list[int] = []
        self.shares: list[float] = []
        self.offs: list[int] = []
        self.ncs: list[int] = []  # per name: how many countries, admin1 codes it has
        self.nas: list[int] = []
        for f in self.first:
            r = readings[f]
            self.offs.append(len(self.slots))
            if r is None:
                keys, values = _clue_shares(spans[f])
                nc, na = len(keys), 0
                self.shares.extend(values)
            else:
                keys, nc, na = r.keys, len(r.countries), len(r.admin1s)
                self.shares.extend(r.zeros)
            self.ncs.append(nc)
            self.nas.append(na)
            slot_of, kinds, slots = self.slot_of, self.kinds, self.slots
            for k in range(len(keys)):
                s = slot_of.get(keys[k])
                if s is None:
                    s = slot_of[keys[k]] = len(kinds)
                    kinds.append(0 if k < nc else 1 if k < nc + na else 2)
                slots.append(s)
        self.offs.append(len(self.slots))
        self.totals = [0.0] * len(self.kinds)
        self.factors = [1.0] * len(self.slots)
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
        spans, readings, shares, slots, tot = (
            self.spans,
            self.readings,
            self.shares,
            self.slots,
            self.totals,
        )
        for e in range(len(self.first)):
            f = self.first[e]
            r = readings[f]
            # a clue's shares and an unambiguous name's never change
            if r is not None and (self.rounds == 0 or ambiguous[f]):
                _shares(r, scores[f], spans[f].evidence, shares, self.offs[e])
        self.rounds += 1
        for s in range(len(tot)):
            tot[s] = 0.0
        for k in range(len(slots)):  # name by name, in order
            s = slots[k]
            tot[s] = tot[s] + shares[k]
        all_c = all_a = 0.0
        for s in range(len(tot)):  # each kind's slots in order of first sight
            if self.kinds[s] == 0:
                all_c += tot[s]
            elif self.kinds[s] == 1:
                all_a += tot[s]
        done = [0] * len(self.first)  # per name: 0 not yet, else 1 + 2 by_country + by_admin1
        for i in range(len(spans)):
            r = readings[i]
            if r is None or not ambiguous[i]:
                continue
            e = self.entry[i]
            if readings[self.first[e]] is r:
                if done[e] == 0:
                    done[e] = 1 + self._factors(e, all_c, all_a)
                by, factors, lo = done[e] - 1, self.factors, self.offs[e]
            else:  # the key's first span read otherwise
                by, factors = self._other_factors(e, r, all_c, all_a)
                lo = 0
            if by:
                scores[i] = _scaled(
                    r, base[i], factors, lo, by >= 2, by % 2 == 1, prior_factor[i], follows[i]
                )
            else:
                scores[i] = weigh_alone(r, base[i], prior_factor[i], follows[i])

    def _factors(self, e: int, all_c: float, all_a: float) -> int:
        """Name ``e``'s factors into :attr:`factors`; 2 if it is weighed by country
        (some other name has a country share) plus 1 if by admin1 region."""
        shares, tot, slots, out = self.shares, self.totals, self.slots, self.factors
        lo = self.offs[e]
        ca = lo + self.ncs[e]
        a2 = ca + self.nas[e]
        mass_c = all_c - _sum(shares, lo, ca)
        mass_a = all_a - _sum(shares, ca, a2)
        if mass_c > 1e-9:
            _factors(tot, slots, shares, lo, ca, mass_c, ALPHA_COUNTRY, out)
        if mass_a > 1e-9:
            _factors(tot, slots, shares, ca, a2, mass_a, ALPHA_ADMIN1, out)
            mass_2 = 1e-9 if mass_c < 1e-9 else mass_c  # max(mass_c, 1e-9)
            _county_factors(tot, slots, shares, a2, self.offs[e + 1], mass_2, out)
        return (2 if mass_c > 1e-9 else 0) + (1 if mass_a > 1e-9 else 0)

    def _other_factors(
        self, e: int, r: Readings, all_c: float, all_a: float
    ) -> tuple[int, list[float]]:
        """:meth:`_factors` for readings ``r`` of name ``e`` whose first span has other
        readings: ``r``'s own shares are the first span's, looked up by code."""
        first = self.readings[self.first[e]]
        keys = first.keys if first is not None else _clue_shares(self.spans[self.first[e]])[0]
        lo, hi = self.offs[e], self.offs[e + 1]
        by_key = dict(zip(keys, self.shares[lo:hi], strict=True))
        own = [by_key.get(key, 0.0) for key in r.keys]
        slots = [self.slot_of.get(key, -1) for key in r.keys]
        mass_c = all_c - _sum(self.shares, lo, lo + self.ncs[e])
        mass_a = all_a - _sum(self.shares, lo + self.ncs[e], lo + self.ncs[e] + self.nas[e])
        ca = len(r.countries)
        a2 = ca + len(r.admin1s)
        out = [1.0] * len(r.keys)
        if mass_c > 1e-9:
            _factors(self.totals, slots, own, 0, ca, mass_c, ALPHA_COUNTRY, out)
        if mass_a > 1e-9:
            _factors(self.totals, slots, own, ca, a2, mass_a, ALPHA_ADMIN1, out)
            mass_2 = 1e-9 if mass_c < 1e-9 else mass_c
            _county_factors(self.totals, slots, own, a2, len(r.keys), mass_2, out)
        return (2 if mass_c > 1e-9 else 0) + (1 if mass_a > 1e-9 else 0), out


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
