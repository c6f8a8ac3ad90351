"""How much each tip's place readings weigh, before they become a surface.

The rules, in order (all per object):

1. **Duplicates.** Exact and near-duplicate tips are grouped
   (:mod:`geoleads.dedupe`); a group of ``n`` tips weighs ``1 + ¼·ln n``.
2. **Review status** multiplies the weight (:data:`REVIEW_FACTORS`): credible x2,
   doubtful x0.35, spam and duplicate x0 (a group takes its best member's factor,
   and only members with a non-zero factor are counted).
3. **One unit per tip.** A tip's weight is shared among the places it names, in
   proportion to each mention's confidence (the sum of its candidates'
   probabilities, at most 1); a tip whose only mention is a weak one carries
   less (``1 - prod(1 - confidence)``). Within a mention, the mass is shared
   among its candidates by probability.
4. **Collective disambiguation.** Each candidate's probability is multiplied by
   ``(eps + P_country)`` and ``sqrt(eps + P_admin1)``, where ``P_*`` is the
   distribution of the object's *other* tips (leave one out, so a tip never
   confirms itself): many tips about Austria make "Horn" the Austrian Horn.
5. **Nested mentions of one tip.** When a tip names a country or region and a
   place inside it ("Wagram, Lower Austria"), the broad mention's mass moves to
   the specific one: the tip points at the village, not at three places.

Tips without any place reading still count in the object's totals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from geoleads.dedupe import group_duplicates, group_weight
from geoleads.leads import Candidate, Mention

#: Weight multiplier per investigator review status.
REVIEW_FACTORS: dict[str, float] = {
    "credible": 2.0,
    "unreviewed": 1.0,
    "doubtful": 0.35,
    "spam": 0.0,
    "duplicate": 0.0,
}
#: Floor of the collective prior: a country none of the other tips mention keeps some chance.
PRIOR_EPSILON = 0.05
#: Rounds of collective reweighting (each uses the priors of the previous round).
COLLECTIVE_ROUNDS = 2
#: How specific each level is (higher = narrower).
_RANK = {"country": 0, "admin1": 1, "locality": 2, "point": 3}


@dataclass
class TipGroup:
    """Tips of one object collapsed as duplicates; ``mentions`` are the first member's."""

    members: list[int]
    weight: float
    count: int
    mentions: list[Mention]
    mention_mass: list[float] = field(default_factory=list)
    #: Review factor of the group (its best member's): how many independent voices it is.
    factor: float = 1.0


@dataclass(frozen=True)
class Reading:
    """One candidate reading of one mention of one group, with its final mass."""

    group: int
    mention: int
    candidate: Candidate
    mass: float
    best: bool


def review_factor(status: str | None) -> float:
    """The weight multiplier of a review status (unknown statuses count as unreviewed).

    >>> review_factor("credible"), review_factor(None), review_factor("spam")
    (2.0, 1.0, 0.0)
    """
    return REVIEW_FACTORS.get((status or "unreviewed").strip().lower(), 1.0)


def _block(mentions: Sequence[Mention]) -> tuple:
    keys = set()
    for m in mentions:
        b = m.best
        if b is not None:
            keys.add((b.level, b.geonameid, b.country, b.admin1 if b.level == "admin1" else None))
    return tuple(sorted(keys, key=repr))


def group_tips(
    texts: Sequence[str],
    mentions: Sequence[Sequence[Mention]],
    statuses: Sequence[str | None],
) -> list[TipGroup]:
    """Duplicate groups of one object's tips with their evidence weights (rules 1-2).

    >>> gs = group_tips(["from Graz", "From Graz!", "Linz"], [[], [], []], [None, None, "spam"])
    >>> [(g.members, g.count, round(g.weight, 2)) for g in gs]
    [([0, 1], 2, 1.17), ([2], 0, 0.0)]
    """
    leaders = group_duplicates(texts, [_block(m) for m in mentions])
    members: dict[int, list[int]] = {}
    for i, lead in enumerate(leaders):
        members.setdefault(lead, []).append(i)
    groups = []
    for lead, idx in members.items():
        factors = [review_factor(statuses[i]) for i in idx]
        counted = sum(1 for f in factors if f > 0)
        weight = group_weight(counted) * max(factors) if counted else 0.0
        factor = max(factors) if counted else 0.0
        groups.append(TipGroup(idx, weight, counted, list(mentions[lead]), factor=factor))
    return groups


def _cand_keys(c: Candidate) -> tuple[str | None, str | None]:
    country = c.country
    admin1 = c.admin1 if c.level != "country" else None
    return country, admin1


def _first_pass(groups: list[TipGroup]) -> None:
    """Rule 3: each group's mass per mention."""
    for g in groups:
        conf = [min(1.0, sum(c.probability for c in m.candidates)) for m in g.mentions]
        total_conf = sum(conf)
        if g.weight <= 0 or total_conf <= 0:
            g.mention_mass = [0.0] * len(g.mentions)
            continue
        place_mass = g.weight * (1.0 - float(np.prod([1.0 - c for c in conf])))
        g.mention_mass = [place_mass * c / total_conf for c in conf]


Contribution = tuple[int, tuple, str | None, str | None, float]


def _signature(m: Mention) -> tuple:
    """Identifies an ambiguous name by its candidate set (same name -> same signature)."""
    return tuple((c.geonameid, c.level, c.country, c.admin1) for c in m.candidates)


def _contributions(groups: list[TipGroup], best: list[list[int]]) -> list[Contribution]:
    """(group, signature, country, admin1, mass) of each mention's current best reading."""
    out = []
    for gi, g in enumerate(groups):
        for mi, (m, mass) in enumerate(zip(g.mentions, g.mention_mass, strict=True)):
            if mass <= 0 or best[gi][mi] < 0:
                continue
            country, admin1 = _cand_keys(m.candidates[best[gi][mi]])
            out.append((gi, _signature(m), country, admin1, mass))
    return out


class _Prior:
    """Country and admin1 distributions of the other tips, for one mention at a time.

    Leaves out the mention's own tip *and* every mention of the same name: five
    tips saying "Horn" tell nothing about which Horn it is. Each mention adds
    its best reading only (hard assignment), so the many small homonyms of a name
    (a Paris, a Rome, a Vienna in the US) never add up into a prior.
    """

    def __init__(self, contributions: list[Contribution]) -> None:
        self.total: dict[tuple[int, str], float] = {}
        self.by_sig: dict[tuple, dict[tuple[int, str], float]] = {}
        self.by_group: dict[int, dict[tuple[int, str], float]] = {}
        self.by_both: dict[tuple[int, tuple], dict[tuple[int, str], float]] = {}
        for gi, sig, country, admin1, mass in contributions:
            for key in ((0, country), (1, admin1)):
                if key[1] is None:
                    continue
                k = (key[0], str(key[1]))
                for d in (
                    self.total,
                    self.by_sig.setdefault(sig, {}),
                    self.by_group.setdefault(gi, {}),
                    self.by_both.setdefault((gi, sig), {}),
                ):
                    d[k] = d.get(k, 0.0) + mass

    def view(self, gi: int, sig: tuple) -> _PriorView:
        """The prior seen by a mention of signature ``sig`` in group ``gi``."""
        return _PriorView(
            self.total, self.by_sig.get(sig, {}), self.by_group.get(gi, {}),
            self.by_both.get((gi, sig), {}),
        )  # fmt: skip


def _level_sums(d: dict[tuple[int, str], float]) -> tuple[float, float]:
    out = [0.0, 0.0]
    for (level, _), v in d.items():
        out[level] += v
    return out[0], out[1]


class _PriorView:
    """Leave-one-out country (level 0) and admin1 (level 1) probabilities, computed per key."""

    def __init__(self, total: dict, by_sig: dict, by_group: dict, by_both: dict) -> None:
        self.parts = (total, by_sig, by_group, by_both)
        sums = [_level_sums(d) for d in self.parts]
        self.norm = tuple(sums[0][i] - sums[1][i] - sums[2][i] + sums[3][i] for i in (0, 1))

    @property
    def empty(self) -> bool:
        return self.norm[0] <= 1e-12

    def get(self, level: int, code: str | None) -> float:
        if code is None or self.norm[level] <= 1e-12:
            return 0.0
        k = (level, code)
        t, s, g, b = self.parts
        v = t.get(k, 0.0) - s.get(k, 0.0) - g.get(k, 0.0) + b.get(k, 0.0)
        return v / self.norm[level] if v > 1e-12 else 0.0


def _reweighted(m: Mention, prior: _PriorView | None) -> list[float]:
    """Rule 4: candidate probabilities of ``m`` times the leave-one-out prior, normalised."""
    probs: list[float] = [c.probability for c in m.candidates]
    if len(probs) > 1 and prior is not None and not prior.empty:
        new = []
        for c, p in zip(m.candidates, probs, strict=True):
            country, admin1 = _cand_keys(c)
            pc = prior.get(0, country)
            pa = prior.get(1, admin1) if admin1 else pc
            new.append(p * (PRIOR_EPSILON + pc) * math.sqrt(PRIOR_EPSILON + pa))
        probs = new
    total = sum(probs)
    return [p / total for p in probs] if total > 0 else [0.0] * len(probs)


def _contains(broad: Candidate, narrow: Candidate) -> bool:
    if _RANK.get(broad.level, 0) >= _RANK.get(narrow.level, 0):
        return False
    if broad.level == "country":
        return broad.country is not None and broad.country == narrow.country
    return broad.admin1 is not None and broad.admin1 == narrow.admin1


def _nest(g: TipGroup, best: list[Candidate | None], mass: list[float]) -> list[float]:
    """Rule 5: move a broad mention's mass onto the specific mentions it contains."""
    mass = list(mass)

    def rank(i: int) -> int:
        b = best[i]
        return 9 if b is None else _RANK.get(b.level, 0)

    order = sorted(range(len(best)), key=rank)
    for i in order:
        b = best[i]
        if b is None or mass[i] <= 0 or b.level not in ("country", "admin1"):
            continue
        inside = [j for j, n in enumerate(best) if j != i and n is not None and _contains(b, n)]
        weight = sum(mass[j] for j in inside)
        if inside and weight > 0:
            for j in inside:
                mass[j] += mass[i] * mass[j] / weight
            mass[i] = 0.0
    return mass


def _argmax(probs: list[float]) -> int:
    return int(np.argmax(probs)) if probs and max(probs) > 0 else -1


def weigh(groups: list[TipGroup], collective: bool = True) -> list[Reading]:
    """Every candidate reading of every group with its final mass (rules 3-5).

    The collective prior is refined :data:`COLLECTIVE_ROUNDS` times (each round
    reweights the resolver's own probabilities with the best readings of the
    last round). The masses of one group add up to its place mass (at most its
    weight).
    """
    _first_pass(groups)
    probs = [[_reweighted(m, None) for m in g.mentions] for g in groups]
    for _ in range(COLLECTIVE_ROUNDS if collective else 0):
        best_idx = [[_argmax(p) for p in gp] for gp in probs]
        prior = _Prior(_contributions(groups, best_idx))
        probs = [
            [
                _reweighted(m, prior.view(gi, _signature(m)) if len(m.candidates) > 1 else None)
                for m in g.mentions
            ]
            for gi, g in enumerate(groups)
        ]
    readings: list[Reading] = []
    for gi, g in enumerate(groups):
        if not any(x > 0 for x in g.mention_mass):
            continue
        best: list[Candidate | None] = []
        for m, p in zip(g.mentions, probs[gi], strict=True):
            i = _argmax(p)
            best.append(m.candidates[i] if i >= 0 else None)
        mass = _nest(g, best, g.mention_mass)
        for mi, (m, p) in enumerate(zip(g.mentions, probs[gi], strict=True)):
            if mass[mi] <= 0:
                continue
            for c, pc in zip(m.candidates, p, strict=True):
                if pc > 0:
                    readings.append(Reading(gi, mi, c, mass[mi] * pc, c is best[mi]))
    return readings
