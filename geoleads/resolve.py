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

Helpers: :mod:`geoleads.textcontext` (the other names' shares, the name after a
span) and :mod:`geoleads.records` (the records built quickly).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from geoleads.gazetteer.build import name_key
from geoleads.leads import Candidate, Mention
from geoleads.records import new_candidate, new_mention
from geoleads.spans import Span, entity_columns
from geoleads.textcontext import Context, Follower, Totals, follower_span, share_totals, speaking

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
        admin2 = e["admin2"].astype(str).to_numpy() if "admin2" in e else np.full(len(e), "")
        self._admin2: list[str] = admin2.tolist()  # a list: read per reading on the hot path
        self._capital = (
            e["capital"].to_numpy(dtype=bool) if "capital" in e else np.zeros(len(e), bool)
        )
        self._main_key: dict[int, str] = {}
        self._fields: dict[int, dict[str, Any]] = {}
        self._base_memo: dict[str, tuple[tuple[int, ...], dict[int, float]]] = {}
        self._country_candidate: dict[str, dict[str, Any] | None] = {}

    def main_key(self, row: int) -> str:
        key = self._main_key.get(row)
        if key is None:
            key = name_key(str(self._name[row]))
            self._main_key[row] = key
        return key

    def base_scores(self, span: Span) -> dict[int, float]:
        """Prominence and name-match weights for every reading of ``span`` (memoised)."""
        return dict(self._base(span))

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
                self._country_candidate[code] = {
                    "geonameid": p.geonameid,
                    "name": p.name,
                    "level": "country",
                    "country": p.country,
                    "admin1": None,
                    "lat": p.lat,
                    "lon": p.lon,
                }
        found = self._country_candidate[code]
        if found is None:
            return None
        return new_candidate(found, probability)

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
        n = len(spans)
        prior: dict[str, float] = {k.upper(): float(v) for k, v in (country_prior or {}).items()}
        prior_total = sum(prior.values())
        if prior_total > 0:
            prior = {k: v / prior_total for k, v in prior.items()}
        spoken = speaking(language) if language else frozenset()
        country_of = self._country
        language_weight = LANGUAGE_WEIGHT
        base: list[dict[int, float]] = []
        for s in spans:
            if s.kind != "place":
                base.append({})
                continue
            b = self._base(s)
            if spoken:
                b = {
                    r: v * (language_weight if country_of[r] in spoken else 1.0)
                    for r, v in b.items()
                }
            base.append(b)  # shared with the memo: never changed below
        followers = [self._follower_codes(follower_span(text, spans, i)) for i in range(n)]
        # Readings weighed by the other names' readings, then again by the other
        # names' re-weighed readings. A name said twice counts once.
        scores = [self._weigh(spans[i], base[i], prior, followers[i], None) for i in range(n)]
        # a name with one reading keeps it whatever the others say: weigh the rest only
        ambiguous = [len(b) > 1 for b in base]
        if len({s.key for s in spans}) > 1 and any(ambiguous):
            for _round in range(CONTEXT_ROUNDS):
                context = self._context(spans, scores)
                totals = share_totals(context)
                scores = [
                    self._weigh(spans[i], base[i], prior, followers[i], (context, totals))
                    if ambiguous[i]
                    else scores[i]
                    for i in range(n)
                ]
        mentions: list[Mention] = []
        for i in range(n):
            span = spans[i]
            if span.kind != "place":
                mentions.append(self._clue_mention(span, prior))
                continue
            scored = sorted([(v, row) for row, v in scores[i].items()], reverse=True)
            total = sum([v for v, _ in scored]) or 1.0
            evidence = span.evidence
            cands = tuple(
                [self._candidate(row, evidence * v / total) for v, row in scored[:MAX_CANDIDATES]]
            )
            mentions.append(new_mention(span.start, span.end, span.text, "place", cands))
        return mentions

    def _base(self, span: Span) -> dict[int, float]:
        """:meth:`base_scores` without the copy (callers must not change it)."""
        memo = self._base_memo.get(span.key)
        if memo is None or memo[0] != span.rows:
            memo = (span.rows, self._base_scores(span))
            if len(self._base_memo) < 200_000:
                self._base_memo[span.key] = memo
        return memo[1]

    def _follower_codes(
        self, follower: Span | None
    ) -> tuple[frozenset[str], frozenset[str]] | None:
        """The countries and admin1 regions that a following span ("Horn, Sweden") names."""
        if follower is None:
            return None
        level_of, country_of, admin1_of = self._level, self._country, self._admin1
        countries = frozenset([country_of[f] for f in follower.rows if level_of[f] == "country"])
        regions = frozenset([admin1_of[f] for f in follower.rows if level_of[f] == "admin1"])
        return countries, regions

    def _context(self, spans: Sequence[Span], scores: list[dict[int, float]]) -> Context:
        """Per name key: its evidence-weighted country, admin1 and admin2 shares."""
        out: Context = {}
        country_of, admin1_of, admin2_of, level_of = (
            self._country,
            self._admin1,
            self._admin2,
            self._level,
        )
        region_named = REGION_NAMED_WEIGHT
        for i in range(len(spans)):
            span = spans[i]
            sc = scores[i]
            if span.key in out:
                continue
            c: dict[str, float] = {}
            a: dict[str, float] = {}
            a2: dict[str, float] = {}
            evidence = span.evidence
            if span.kind == "place":
                total = sum(sc.values()) or 1.0
                for row, v in sc.items():
                    code = country_of[row]
                    c[code] = c.get(code, 0.0) + evidence * v / total
                    level = level_of[row]
                    if level != "country":
                        named = region_named if level == "admin1" else 1.0
                        code = admin1_of[row]
                        a[code] = a.get(code, 0.0) + named * evidence * v / total
                        code = admin2_of[row]
                        if code:
                            a2[code] = a2.get(code, 0.0) + evidence * v / total
            else:
                for clue in span.clues[:1]:
                    for code, weight in clue.countries:
                        c[code] = c.get(code, 0.0) + evidence * weight
            out[span.key] = (c, a, a2)
        return out

    def _weigh(
        self,
        span: Span,
        base: dict[int, float],
        prior: dict[str, float],
        follower: Follower | None,
        context: tuple[Context, Totals] | None,
    ) -> dict[int, float]:
        """The scores of ``span``'s readings given the other names and the prior."""
        if span.kind != "place":
            return {}
        # the other names' shares: the totals over all names minus this name's own
        own_c: dict[str, float] = {}
        own_a: dict[str, float] = {}
        own_2: dict[str, float] = {}
        tot_c: dict[str, float] = {}
        tot_a: dict[str, float] = {}
        tot_2: dict[str, float] = {}
        mass_c = mass_a = 0.0
        if context is not None:
            tot_c, tot_a, tot_2, all_c, all_a = context[1]
            own_c, own_a, own_2 = context[0][span.key]
            mass_c = all_c - sum(own_c.values())
            mass_a = all_a - sum(own_a.values())
        by_country = mass_c > 1e-9
        by_admin1 = mass_a > 1e-9
        if not (by_country or by_admin1 or prior or follower is not None):
            return base  # nothing to weigh by (read-only, like base)
        alpha_c, alpha_a, admin2_weight = ALPHA_COUNTRY, ALPHA_ADMIN1, ADMIN2_WEIGHT
        country_of, admin1_of, admin2_of, level_of = (
            self._country,
            self._admin1,
            self._admin2,
            self._level,
        )
        # the factors of a country / region / county, computed once for all its readings
        country_factor: dict[str, float] = {}
        admin1_factor: dict[str, float] = {}
        admin2_factor: dict[str, float] = {}
        out: dict[int, float] = {}
        for row, score in base.items():
            country = country_of[row]
            admin1 = admin1_of[row]
            if by_country:
                factor = country_factor.get(country)
                if factor is None:
                    other = tot_c.get(country, 0.0) - own_c.get(country, 0.0)
                    share = max(other, 0.0) / mass_c
                    factor = country_factor[country] = (share + alpha_c) / (1.0 + alpha_c)
                score *= factor
            if by_admin1 and level_of[row] != "country":
                factor = admin1_factor.get(admin1)
                if factor is None:
                    other = tot_a.get(admin1, 0.0) - own_a.get(admin1, 0.0)
                    share = max(other, 0.0) / mass_a
                    factor = admin1_factor[admin1] = (share + alpha_a) / (1.0 + alpha_a)
                score *= factor
                admin2 = admin2_of[row]
                if admin2 and admin2 in tot_2:
                    factor = admin2_factor.get(admin2)
                    if factor is None:
                        other = tot_2[admin2] - own_2.get(admin2, 0.0)
                        factor = 1.0 + admin2_weight * max(other, 0.0) / max(mass_c, 1e-9)
                        admin2_factor[admin2] = factor
                    score *= factor
            if prior:
                score *= 1.0 + 4.0 * prior.get(country, 0.0)
            if follower is not None and (country in follower[0] or admin1 in follower[1]):
                score *= 50.0  # "Horn, Sweden"
            out[row] = score
        return out

    def _candidate(self, row: int, probability: float) -> Candidate:
        fields = self._fields.get(row)
        if fields is None:
            p = self.gazetteer.place(row)
            fields = {
                "geonameid": p.geonameid,
                "name": p.name,
                "level": p.level,
                "country": p.country,
                "admin1": p.admin1,
                "lat": p.lat,
                "lon": p.lon,
            }
            self._fields[row] = fields
        return new_candidate(fields, probability)

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
        return new_mention(span.start, span.end, span.text, span.kind, tuple(cands))
