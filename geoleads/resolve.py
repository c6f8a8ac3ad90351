"""Rank the gazetteer readings of each span and turn spans into :class:`Mention` s.

A reading's score is the product of

- its prominence: ``sqrt(population + 100)``, so a city of 800,000 outweighs a
  village of 800 by 30 to 1 but not by 1000 to 1 (a region's population, the
  sum of its towns', counts one twentieth; countries and regions weigh x2 and
  x1.5 as levels);
- a country that the span names only in another language weighs x0.02 when
  some other reading is called exactly so ("Indiana" is the US state, not
  India; "Columbia" is a US town, not Colombia);
- the other places in the same text: with ``s`` the share of the other spans'
  readings that lie in a reading's country, the reading is weighed by
  ``(s + 0.02) / 1.02`` (and likewise by ``(s + 0.05) / 1.05`` for its admin1
  region, where a region the text names itself counts x8), so in a text about
  Georgia "Dublin" is Dublin, GA; a reading in the same county or district
  (GeoNames admin2) as a share ``s2`` of the other names' readings is weighed
  by ``1 + 100 s2`` ("Paris and Henry County": Paris, TN); a reading
  directly followed by ", <its country or region>" ("Horn, Sweden") gets x50;
- a national capital weighs x2 ("Washington" is the capital before the state);
- the caller's ``country_prior`` (e.g. from the same object's other tips):
  ``x (1 + 4 w)``.

Probabilities are the normalised scores times the span's ``evidence``, so they
sum to at most 1 and the rest is the chance that the span is no place at all.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from geoleads.extract import Span, entity_columns
from geoleads.gazetteer.build import name_key
from geoleads.leads import Candidate, Mention

if TYPE_CHECKING:
    from geoleads.gazetteer import Gazetteer

MAX_CANDIDATES = 6
#: Prominence is ``(population + 100) ** POP_EXPONENT``.
POP_EXPONENT = 0.5
#: Smoothing of the other mentions' country / region shares (lower = they weigh more).
ALPHA_COUNTRY = 0.02
#: Weight of readings known by the span only by another name when another is called so.
ALIAS_WEIGHT = 0.02
#: Weight of readings in a country where the text's language is spoken.
LANGUAGE_WEIGHT = 2.0
#: How often the other names' readings are re-weighed by each other.
CONTEXT_ROUNDS = 2
ALPHA_ADMIN1 = 0.05
#: How much more a region named in the text ("Texas") weighs than a town in it, as context.
REGION_NAMED_WEIGHT = 8.0
#: A reading in the same county/district as other names' readings ("Paris and Henry
#: County", "Králův Dvůr, okres Beroun") weighs ``1 + ADMIN2_WEIGHT x`` their share.
ADMIN2_WEIGHT = 100.0
#: A town named like its region is the region's city when it has this share of its people.
MAIN_CITY_SHARE = 0.1
#: A national capital weighs this much more than its population says ("Washington", "Bern").
CAPITAL_WEIGHT = 2.0
#: Country shares, admin1 shares, admin2 shares, and the country and admin1 sums.
Totals = tuple[Mapping[str, float], Mapping[str, float], Mapping[str, float], float, float]
#: Per name: its country, admin1 and admin2 shares.
Shares = tuple[dict[str, float], dict[str, float], dict[str, float]]
_LEVEL_WEIGHT = {"country": 2.0, "admin1": 1.5, "locality": 1.0}


class Resolver:
    """Scores readings against the gazetteer; one per gazetteer, reusable."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        cols = entity_columns(gazetteer)
        self._pop = cols.pop
        self._level = cols.level
        self._country = cols.country
        self._admin1 = cols.admin1
        self._name = cols.name
        self._lat = gazetteer.entities["lat"].to_numpy()
        self._lon = gazetteer.entities["lon"].to_numpy()
        e = gazetteer.entities
        # county of a town, own code of a county ("" when unknown; older caches lack it)
        self._admin2 = e["admin2"].astype(str).to_numpy() if "admin2" in e else np.full(len(e), "")
        self._capital = (
            e["capital"].to_numpy(dtype=bool) if "capital" in e else np.zeros(len(e), bool)
        )
        self._main_key: dict[int, str] = {}
        self._fields: dict[int, tuple[Any, ...]] = {}
        self._base_memo: dict[str, tuple[tuple[int, ...], dict[int, float]]] = {}
        self._country_candidate: dict[str, Candidate | None] = {}

    def main_key(self, row: int) -> str:
        key = self._main_key.get(row)
        if key is None:
            key = name_key(str(self._name[row]))
            self._main_key[row] = key
        return key

    def base_scores(self, span: Span) -> dict[int, float]:
        """Prominence and name-match weights for every reading of ``span`` (memoised)."""
        memo = self._base_memo.get(span.key)
        if memo is None or memo[0] != span.rows:
            memo = (span.rows, self._base_scores(span))
            if len(self._base_memo) < 200_000:
                self._base_memo[span.key] = memo
        return dict(memo[1])

    def _base_scores(self, span: Span) -> dict[int, float]:
        scores: dict[int, float] = {}
        for row in span.rows:
            level = str(self._level[row])
            pop = float(self._pop[row]) / (20.0 if level == "admin1" else 1.0)
            score = (pop + 100.0) ** POP_EXPONENT * _LEVEL_WEIGHT[level]
            if self._capital[row]:
                score *= CAPITAL_WEIGHT
            if not (math.isfinite(self._lat[row]) and math.isfinite(self._lon[row])):
                continue  # an entity without a position cannot be a reading
            scores[row] = score
        region_pop = {self._admin1[r]: self._pop[r] for r in scores if self._level[r] == "admin1"}
        regions = set(region_pop)
        # the region's own city ("Praha" in the region Praha), not a village called after it
        city_of_region = {
            r
            for r in scores
            if self._level[r] == "locality"
            and self._admin1[r] in regions
            and self._pop[r] >= MAIN_CITY_SHARE * region_pop[self._admin1[r]]
        }
        named = [r for r in scores if self.main_key(r) == span.key]
        if named:
            # "Indiana" is the state; that some language calls India so matters little.
            # "Zaragoza" is the Spanish city, not Tijuana's other name; but "Krakau"
            # is Kraków, though a hamlet of 300 is called Krakau.
            biggest = max(float(self._pop[r]) for r in named)
            for row in scores:
                if self.main_key(row) == span.key:
                    continue
                if self._level[row] == "country" or (
                    float(self._pop[row]) < 100.0 * biggest and row not in city_of_region
                ):
                    scores[row] *= ALIAS_WEIGHT
        # "Praha": the city inside the region of the same name is the better reading,
        # when it is the region's city (not "Montana City" for "Montana")
        for row in city_of_region:
            scores[row] *= 10.0
        return scores

    def country_candidate(self, code: str, probability: float) -> Candidate | None:
        """A country-level candidate for ISO ``code`` (``None`` if unknown)."""
        if code not in self._country_candidate:
            try:
                p = self.gazetteer.country(code)
            except LookupError:
                self._country_candidate[code] = None
            else:
                self._country_candidate[code] = Candidate(
                    p.geonameid, p.name, "country", p.country, None, p.lat, p.lon, 1.0
                )
        found = self._country_candidate[code]
        if found is None:
            return None
        return Candidate(
            found.geonameid,
            found.name,
            "country",
            found.country,
            None,
            found.lat,
            found.lon,
            probability,
        )

    def resolve(
        self,
        text: str,
        spans: Sequence[Span],
        country_prior: Mapping[str, float] | None = None,
        language: str | None = None,
    ) -> list[Mention]:
        """Mentions for ``spans`` of ``text``, readings best first.

        ``language`` (ISO 639-1) lifts readings in countries that speak it x2.
        """
        if not spans:
            return []
        base = [self.base_scores(s) if s.kind == "place" else {} for s in spans]
        prior = {k.upper(): float(v) for k, v in (country_prior or {}).items()}
        prior_total = sum(prior.values())
        if prior_total > 0:
            prior = {k: v / prior_total for k, v in prior.items()}
        followers = [_follower(text, spans, i) for i in range(len(spans))]
        spoken = _speaking(language) if language else frozenset()
        # Readings weighed by the other names' readings, then again by the other
        # names' re-weighed readings. A name said twice counts once.
        base = [
            {r: v * (LANGUAGE_WEIGHT if self._country[r] in spoken else 1.0) for r, v in b.items()}
            for b in base
        ]
        scores = [self._weigh(i, spans, base, None, prior, followers) for i in range(len(spans))]
        # a name with one reading keeps it whatever the others say: weigh the rest only
        ambiguous = [len(b) > 1 for b in base]
        if len({s.key for s in spans}) > 1 and any(ambiguous):
            for _round in range(CONTEXT_ROUNDS):
                context = self._context(spans, scores)
                totals = _totals(context)
                scores = [
                    self._weigh(i, spans, base, context, prior, followers, totals)
                    if ambiguous[i]
                    else scores[i]
                    for i in range(len(spans))
                ]
        mentions: list[Mention] = []
        for i, span in enumerate(spans):
            if span.kind != "place":
                mentions.append(self._clue_mention(span, prior))
                continue
            scored = sorted(((v, row) for row, v in scores[i].items()), reverse=True)
            total = sum(v for v, _ in scored) or 1.0
            cands = tuple(
                self._candidate(row, span.evidence * v / total)
                for v, row in scored[:MAX_CANDIDATES]
            )
            mentions.append(Mention(span.start, span.end, span.text, "place", cands))
        return mentions

    def _context(self, spans: Sequence[Span], scores: list[dict[int, float]]) -> dict[str, Shares]:
        """Per name key: its evidence-weighted country, admin1 and admin2 shares."""
        out: dict[str, Shares] = {}
        for span, sc in zip(spans, scores, strict=True):
            if span.key in out:
                continue
            c: dict[str, float] = defaultdict(float)
            a: dict[str, float] = defaultdict(float)
            a2: dict[str, float] = defaultdict(float)
            if span.kind == "place":
                total = sum(sc.values()) or 1.0
                for row, v in sc.items():
                    c[self._country[row]] += span.evidence * v / total
                    level = self._level[row]
                    if level != "country":
                        named = REGION_NAMED_WEIGHT if level == "admin1" else 1.0
                        a[self._admin1[row]] += named * span.evidence * v / total
                        if self._admin2[row]:
                            a2[self._admin2[row]] += span.evidence * v / total
            else:
                for clue in span.clues[:1]:
                    for code, weight in clue.countries:
                        c[code] += span.evidence * weight
            out[span.key] = (c, a, a2)
        return out

    def _weigh(
        self,
        i: int,
        spans: Sequence[Span],
        base: list[dict[int, float]],
        context: dict[str, Shares] | None,
        prior: Mapping[str, float],
        followers: list[Span | None],
        totals: Totals = ({}, {}, {}, 0.0, 0.0),
    ) -> dict[int, float]:
        """The scores of span ``i``'s readings given the other names and the prior."""
        span = spans[i]
        if span.kind != "place":
            return {}
        # the other names' shares: the totals over all names minus this name's own
        own_c: Mapping[str, float] = {}
        own_a: Mapping[str, float] = {}
        own_2: Mapping[str, float] = {}
        tot_c: Mapping[str, float] = {}
        tot_a: Mapping[str, float] = {}
        tot_2: Mapping[str, float] = {}
        mass_c = mass_a = 0.0
        if context is not None:
            tot_c, tot_a, tot_2, all_c, all_a = totals
            own_c, own_a, own_2 = context[span.key]
            mass_c = all_c - sum(own_c.values())
            mass_a = all_a - sum(own_a.values())
        follower = followers[i]
        out: dict[int, float] = {}
        for row, score in base[i].items():
            country = self._country[row]
            admin1 = self._admin1[row]
            if mass_c > 1e-9:
                other = tot_c.get(country, 0.0) - own_c.get(country, 0.0)
                share = max(other, 0.0) / mass_c
                score *= (share + ALPHA_COUNTRY) / (1.0 + ALPHA_COUNTRY)
            if mass_a > 1e-9 and self._level[row] != "country":
                other = tot_a.get(admin1, 0.0) - own_a.get(admin1, 0.0)
                share = max(other, 0.0) / mass_a
                score *= (share + ALPHA_ADMIN1) / (1.0 + ALPHA_ADMIN1)
                admin2 = self._admin2[row]
                if admin2 and admin2 in tot_2:
                    other = tot_2[admin2] - own_2.get(admin2, 0.0)
                    score *= 1.0 + ADMIN2_WEIGHT * max(other, 0.0) / max(mass_c, 1e-9)
            if prior:
                score *= 1.0 + 4.0 * prior.get(country, 0.0)
            if follower is not None and any(
                (self._level[f] == "country" and self._country[f] == country)
                or (self._level[f] == "admin1" and self._admin1[f] == admin1)
                for f in follower.rows
            ):
                score *= 50.0  # "Horn, Sweden"
            out[row] = score
        return out

    def _candidate(self, row: int, probability: float) -> Candidate:
        fields = self._fields.get(row)
        if fields is None:
            p = self.gazetteer.place(row)
            fields = (p.geonameid, p.name, p.level, p.country, p.admin1, p.lat, p.lon)
            self._fields[row] = fields
        gid, name, level, country, admin1, lat, lon = fields
        return Candidate(gid, name, level, country, admin1, lat, lon, probability)

    def _clue_mention(self, span: Span, prior: Mapping[str, float]) -> Mention:
        weights: dict[str, float] = defaultdict(float)
        clues = span.clues
        for clue in clues:
            for code, weight in clue.countries:
                weights[code] += weight / len(clues)
        if prior:
            weights = defaultdict(
                float, {k: v * (1.0 + 4.0 * prior.get(k, 0.0)) for k, v in weights.items()}
            )
        total = sum(weights.values()) or 1.0
        ranked = sorted(weights.items(), key=lambda kv: -kv[1])
        cands = []
        for code, weight in ranked[: MAX_CANDIDATES * 3]:
            cand = self.country_candidate(code, span.evidence * weight / total)
            if cand is not None:
                cands.append(cand)
        return Mention(span.start, span.end, span.text, span.kind, tuple(cands))


def _totals(context: dict[str, Shares]) -> Totals:
    """Country, admin1 and admin2 shares summed over every name, and the first two masses."""
    tot_c: dict[str, float] = defaultdict(float)
    tot_a: dict[str, float] = defaultdict(float)
    tot_2: dict[str, float] = defaultdict(float)
    for c, a, a2 in context.values():
        for k, v in c.items():
            tot_c[k] += v
        for k, v in a.items():
            tot_a[k] += v
        for k, v in a2.items():
            tot_2[k] += v
    return tot_c, tot_a, tot_2, sum(tot_c.values()), sum(tot_a.values())


@lru_cache(maxsize=64)
def _speaking(language: str) -> frozenset[str]:
    """Countries where ``language`` is official (CLDR via babel)."""
    from babel.core import get_global

    out = set()
    for territory, info in get_global("territory_languages").items():
        data = info.get(language)
        if data and data.get("official_status"):
            out.add(str(territory))
    return frozenset(out)


def _follower(text: str, spans: Sequence[Span], i: int) -> Span | None:
    """The span right after ``spans[i]`` across a comma or bracket ("Horn, Sweden")."""
    if i + 1 >= len(spans):
        return None
    nxt = spans[i + 1]
    gap = text[spans[i].end : nxt.start]
    if nxt.kind != "place":
        return None
    if len(gap) <= 3 and gap.strip() in (",", "(", "-", "/", ""):
        return nxt
    return nxt if _COUNTY_GAP.fullmatch(gap) else None


#: A county-like word between a name and its region ("Newton County, Ga.").
_COUNTY_GAP = re.compile(r" (?:County|Parish|Borough|Township|Co\.),? ?")
