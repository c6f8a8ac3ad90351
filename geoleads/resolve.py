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

Helpers: :mod:`geoleads.readings` (a name's readings prepared once per name
key), :mod:`geoleads.textcontext` (the other names' shares, the name after a
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
from geoleads.readings import Ranked, Readings, rank
from geoleads.records import new_candidate, new_mention
from geoleads.spans import Span, entity_columns
from geoleads.textcontext import (
    ADMIN2_WEIGHT,
    ALPHA_ADMIN1,
    ALPHA_COUNTRY,
    TextContext,
    follower_span,
    speaking,
    weigh_alone,
)

if TYPE_CHECKING:
    from geoleads.gazetteer import Gazetteer

__all__ = ["ADMIN2_WEIGHT", "ALPHA_ADMIN1", "ALPHA_COUNTRY", "MAX_CANDIDATES", "Resolver"]

MAX_CANDIDATES = 6
#: Name keys whose prepared readings are kept (~6 kB each); the memo restarts when full.
MEMO_KEYS = 100_000
#: Prominence is ``(population + 100) ** POP_EXPONENT``.
POP_EXPONENT = 0.5
#: Weight of readings known by the span only by another name when another is called so.
ALIAS_WEIGHT = 0.02
#: Weight of readings in a country where the text's language is spoken.
LANGUAGE_WEIGHT = 2.0
#: How often the other names' readings are re-weighed by each other.
CONTEXT_ROUNDS = 2
#: How much more a region named in the text ("Texas") weighs than a town in it, as context.
REGION_NAMED_WEIGHT = 8.0
#: A town named like its region is the region's city when it has this share of its people.
MAIN_CITY_SHARE = 0.1
#: A national capital weighs this much more than its population says ("Washington", "Bern").
CAPITAL_WEIGHT = 2.0
_LEVEL_WEIGHT = {"country": 2.0, "admin1": 1.5, "locality": 1.0}
ClueMemo = tuple[
    tuple[Any, ...],
    list[tuple[dict[str, Any], float, float]],
    dict[float, tuple[Candidate, ...]],
]


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
        self._admin2: list[str] = admin2.tolist()
        self._capital = (
            e["capital"].to_numpy(dtype=bool) if "capital" in e else np.zeros(len(e), bool)
        )
        self._main_key: dict[int, str] = {}
        self._memo: dict[str, Readings] = {}
        self._row_fields: dict[int, dict[str, Any]] = {}
        #: per clue key: its clues, their country candidates' fields and weights, and
        #: the candidates made of them per evidence
        self._clue_memo: dict[str, ClueMemo] = {}
        self._country_candidate: dict[str, dict[str, Any] | None] = {}

    def main_key(self, row: int) -> str:
        key = self._main_key.get(row)
        if key is None:
            key = name_key(str(self._name[row]))
            self._main_key[row] = key
        return key

    def base_scores(self, span: Span) -> dict[int, float]:
        """Prominence and name-match weights for every reading of ``span`` (memoised)."""
        r = self._readings(span)
        return dict(zip(r.kept, r.base, strict=True))

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
        found = self._country_fields(code)
        if found is None:
            return None
        return new_candidate(found, probability)

    def _country_fields(self, code: str) -> dict[str, Any] | None:
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
        return self._country_candidate[code]

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
        names = list(spans)
        n = len(names)
        prior: dict[str, float] = {}
        if country_prior:
            prior = {k.upper(): float(v) for k, v in country_prior.items()}
            prior_total = sum(prior.values())
            if prior_total > 0:
                prior = {k: v / prior_total for k, v in prior.items()}
        readings: list[Readings | None] = []
        ranked: list[Ranked | None] = []  # the base scores ranked
        base: list[list[float]] = []
        prior_factor: list[list[float] | None] = []
        for s in names:
            if s.kind != "place":
                readings.append(None)
                ranked.append(None)
                base.append([])
                prior_factor.append(None)
                continue
            r = self._readings(s)
            readings.append(r)
            rk = self._language_ranked(r, language) if language else r.ranked()
            ranked.append(rk)
            base.append(rk[0])
            prior_factor.append(
                [1.0 + 4.0 * prior.get(code, 0.0) for code in r.countries] if prior else None
            )
        follows = [self._follows(text, names, readings, i) for i in range(n)]
        # Readings weighed by the other names' readings, then again by the other
        # names' re-weighed readings. A name said twice counts once.
        scores: list[list[float]] = []
        for i in range(n):
            ri = readings[i]
            scores.append(
                base[i] if ri is None else weigh_alone(ri, base[i], prior_factor[i], follows[i])
            )
        # a name with one reading keeps it whatever the others say: weigh the rest only
        ambiguous = [len(b) > 1 for b in base]
        if any(ambiguous) and len({s.key for s in names}) > 1:
            context = TextContext(names, readings)
            for _round in range(CONTEXT_ROUNDS):
                context.round(scores, base, prior_factor, follows, ambiguous)
        variant = language or ""  # which ranking of the readings before context
        mentions: list[Mention] = []
        for i in range(n):
            span = names[i]
            rs = readings[i]
            if rs is None:
                mentions.append(self._clue_mention(span, prior))
                continue
            sc = scores[i]
            ri_ranked = ranked[i]
            evidence = span.evidence
            if ri_ranked is not None and sc is ri_ranked[0] and evidence > 0.0:
                # not weighed by the text: the same candidates for every such span
                by_evidence = rs.candidates.get(variant)
                if by_evidence is None:
                    by_evidence = rs.candidates[variant] = {}
                cands = by_evidence.get(evidence)
                if cands is None:
                    cands = self._candidates(rs, sc, ri_ranked[1], ri_ranked[2], evidence)
                    if len(by_evidence) < 4:
                        by_evidence[evidence] = cands
            else:  # weighed: rank again
                _, order, tot = rank(sc, rs.kept)
                cands = self._candidates(rs, sc, order, tot, evidence)
            mentions.append(new_mention(span.start, span.end, span.text, "place", cands))
        return mentions

    def _candidates(
        self, r: Readings, scores: list[float], order: list[int], tot: float, evidence: float
    ) -> tuple[Candidate, ...]:
        """The best readings of ``r`` as candidates, probabilities ``evidence x`` their share."""
        cands: list[Candidate] = []
        for k in range(min(len(order), MAX_CANDIDATES)):
            j = order[k]
            fields = r.fields[j]
            if fields is None:
                fields = self._fields(r, j)
            cands.append(new_candidate(fields, evidence * scores[j] / tot))
        return tuple(cands)

    def _readings(self, span: Span) -> Readings:
        """The prepared readings of ``span``'s name key (memoised per key)."""
        r = self._memo.get(span.key)
        if r is None or r.rows != span.rows:
            scores = self._base_scores(span)
            kept = list(scores)
            level_of, country_of, admin1_of = self._level, self._country, self._admin1
            r = Readings(
                span.rows,
                kept,
                list(scores.values()),
                [country_of[x] for x in kept],
                [admin1_of[x] for x in kept],
                [self._admin2[x] for x in kept],
                [level_of[x] for x in kept],
                REGION_NAMED_WEIGHT,
            )
            if len(self._memo) >= MEMO_KEYS:  # bounded memory: start afresh
                self._memo.clear()
                self._row_fields.clear()
            self._memo[span.key] = r
        return r

    def _language_ranked(self, r: Readings, language: str) -> Ranked:
        """``r.ranked()`` with readings in countries that speak ``language`` x2 (memoised)."""
        rk = r.by_language.get(language)
        if rk is None:
            spoken = speaking(language)
            if not spoken:
                rk = r.ranked()
            else:
                b = r.base
                weighed = [
                    b[j] * (LANGUAGE_WEIGHT if r.country[j] in spoken else 1.0)
                    for j in range(len(b))
                ]
                rk = rank(weighed, r.kept)
            r.by_language[language] = rk
        return rk

    def _follows(
        self, text: str, spans: list[Span], readings: list[Readings | None], i: int
    ) -> list[bool] | None:
        """Per reading of ``spans[i]``: whether the next span names its country or
        region ("Horn, Sweden"); ``None`` when it names none of them."""
        r = readings[i]
        if r is None or follower_span(text, spans, i) is None:
            return None
        nxt = readings[i + 1]
        if nxt is None:
            return None
        names = nxt.names
        if names is None:  # what it says when it follows another: all its rows, once
            level_of, rows = self._level, nxt.rows
            names = nxt.names = (
                frozenset([self._country[f] for f in rows if level_of[f] == "country"]),
                frozenset([self._admin1[f] for f in rows if level_of[f] == "admin1"]),
            )
        countries, regions = names
        follows = [r.country[j] in countries or r.admin1[j] in regions for j in range(len(r.kept))]
        return follows if any(follows) else None

    def _fields(self, r: Readings, j: int) -> dict[str, Any]:
        """The candidate fields of reading ``j`` of ``r`` (kept in ``r``; per row once
        while the memo lasts: names share rows)."""
        row = r.kept[j]
        fields = self._row_fields.get(row)
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
            self._row_fields[row] = fields
        r.fields[j] = fields
        return fields

    def _clue_mention(self, span: Span, prior: Mapping[str, float]) -> Mention:
        evidence = span.evidence
        if prior or not evidence > 0.0:
            cands = self._clue_candidates(self._clue_ranking(span.clues, prior), evidence)
        else:  # the same for every span with these clues and evidence
            memo = self._clue_memo.get(span.key)
            if memo is None or memo[0] != span.clues:
                memo = (span.clues, self._clue_ranking(span.clues, prior), {})
                if len(self._clue_memo) >= MEMO_KEYS:
                    self._clue_memo.clear()
                self._clue_memo[span.key] = memo
            found = memo[2].get(evidence)
            if found is None:
                found = self._clue_candidates(memo[1], evidence)
                if len(memo[2]) < 4:
                    memo[2][evidence] = found
            cands = found
        return new_mention(span.start, span.end, span.text, span.kind, cands)

    def _clue_candidates(
        self, ranked: list[tuple[dict[str, Any], float, float]], evidence: float
    ) -> tuple[Candidate, ...]:
        cands: list[Candidate] = []
        for fields, weight, total in ranked:
            cands.append(new_candidate(fields, evidence * weight / total))
        return tuple(cands)

    def _clue_ranking(
        self, clues: tuple[Any, ...], prior: Mapping[str, float]
    ) -> list[tuple[dict[str, Any], float, float]]:
        """The country candidates of lexicon clues: fields, weight and the weights' sum."""
        weights: dict[str, float] = defaultdict(float)
        for clue in clues:
            for code, weight in clue.countries:
                weights[code] += weight / len(clues)
        if prior:
            weights = defaultdict(
                float, {k: v * (1.0 + 4.0 * prior.get(k, 0.0)) for k, v in weights.items()}
            )
        total = sum(weights.values()) or 1.0
        ranked = sorted(weights.items(), key=lambda kv: -kv[1])
        out = []
        for code, weight in ranked[: MAX_CANDIDATES * 3]:
            fields = self._country_fields(code)
            if fields is not None:
                out.append((fields, weight, total))
        return out
