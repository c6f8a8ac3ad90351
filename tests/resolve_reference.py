"""The resolver's ranking as first written (dictionaries keyed by row and code).

:func:`reference_resolve` is ``Resolver.resolve`` before it was made fast (issue
3): the same formulas, written plainly. ``tests/test_resolve_equivalence.py``
checks that the fast resolver gives exactly the same mentions. Only the base
scores (a name's prominence, computed once per name key either way) and the
gazetteer columns are taken from the resolver. Floats are added left to right
(:func:`geoleads.readings.total`), as ``sum`` did when this was written (Python
3.11; ``sum`` compensates rounding errors from 3.12 on).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from geoleads.leads import Candidate, Mention
from geoleads.readings import total
from geoleads.resolve import (
    CONTEXT_ROUNDS,
    LANGUAGE_WEIGHT,
    MAX_CANDIDATES,
    REGION_NAMED_WEIGHT,
    Resolver,
)
from geoleads.spans import Span
from geoleads.textcontext import speaking

Shares = tuple[dict[str, float], dict[str, float], dict[str, float]]
Context = dict[str, Shares]
Totals = tuple[dict[str, float], dict[str, float], dict[str, float], float, float]
Follower = tuple[frozenset[str], frozenset[str]]
COUNTY_GAP = re.compile(r" (?:County|Parish|Borough|Township|Co\.),? ?")


def follower_span(text: str, spans: Sequence[Span], i: int) -> Span | None:
    if i + 1 >= len(spans):
        return None
    nxt = spans[i + 1]
    gap = text[spans[i].end : nxt.start]
    if nxt.kind != "place":
        return None
    if len(gap) <= 3 and gap.strip() in (",", "(", "-", "/", ""):
        return nxt
    return nxt if COUNTY_GAP.fullmatch(gap) else None


def share_totals(context: Context) -> Totals:
    tot_c: dict[str, float] = {}
    tot_a: dict[str, float] = {}
    tot_2: dict[str, float] = {}
    for c, a, a2 in context.values():
        for k, v in c.items():
            tot_c[k] = tot_c.get(k, 0.0) + v
        for k, v in a.items():
            tot_a[k] = tot_a.get(k, 0.0) + v
        for k, v in a2.items():
            tot_2[k] = tot_2.get(k, 0.0) + v
    return tot_c, tot_a, tot_2, total(list(tot_c.values())), total(list(tot_a.values()))


class Reference:
    """The plain resolver over ``resolver``'s gazetteer columns and base scores."""

    def __init__(self, resolver: Resolver) -> None:
        self.r = resolver
        self.level = resolver._level
        self.country = resolver._country
        self.admin1 = resolver._admin1
        self.admin2 = resolver._admin2

    def resolve(
        self,
        text: str,
        spans: Sequence[Span],
        country_prior: Mapping[str, float] | None = None,
        language: str | None = None,
    ) -> list[Mention]:
        if not spans:
            return []
        n = len(spans)
        prior = {k.upper(): float(v) for k, v in (country_prior or {}).items()}
        prior_total = sum(prior.values())
        if prior_total > 0:
            prior = {k: v / prior_total for k, v in prior.items()}
        spoken = speaking(language) if language else frozenset()
        base: list[dict[int, float]] = []
        for s in spans:
            if s.kind != "place":
                base.append({})
                continue
            b = self.r.base_scores(s)
            if spoken:
                b = {
                    r: v * (LANGUAGE_WEIGHT if self.country[r] in spoken else 1.0)
                    for r, v in b.items()
                }
            base.append(b)
        followers = [self._follower_codes(follower_span(text, spans, i)) for i in range(n)]
        scores = [self._weigh(spans[i], base[i], prior, followers[i], None) for i in range(n)]
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
            tot = total([v for v, _ in scored]) or 1.0
            cands = tuple(
                self._candidate(row, span.evidence * v / tot) for v, row in scored[:MAX_CANDIDATES]
            )
            mentions.append(Mention(span.start, span.end, span.text, "place", cands))
        return mentions

    def _candidate(self, row: int, probability: float) -> Candidate:
        p = self.r.gazetteer.place(row)
        return Candidate(
            p.geonameid, p.name, p.level, p.country, p.admin1, p.lat, p.lon, probability
        )

    def _follower_codes(self, follower: Span | None) -> Follower | None:
        if follower is None:
            return None
        rows = follower.rows
        countries = frozenset(self.country[f] for f in rows if self.level[f] == "country")
        regions = frozenset(self.admin1[f] for f in rows if self.level[f] == "admin1")
        return countries, regions

    def _context(self, spans: Sequence[Span], scores: list[dict[int, float]]) -> Context:
        out: Context = {}
        for span, sc in zip(spans, scores, strict=True):
            if span.key in out:
                continue
            c: dict[str, float] = {}
            a: dict[str, float] = {}
            a2: dict[str, float] = {}
            evidence = span.evidence
            if span.kind == "place":
                tot = total(list(sc.values())) or 1.0
                for row, v in sc.items():
                    code = self.country[row]
                    c[code] = c.get(code, 0.0) + evidence * v / tot
                    level = self.level[row]
                    if level != "country":
                        named = REGION_NAMED_WEIGHT if level == "admin1" else 1.0
                        code = self.admin1[row]
                        a[code] = a.get(code, 0.0) + named * evidence * v / tot
                        code = self.admin2[row]
                        if code:
                            a2[code] = a2.get(code, 0.0) + evidence * v / tot
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
        if span.kind != "place":
            return {}
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
            mass_c = all_c - total(list(own_c.values()))
            mass_a = all_a - total(list(own_a.values()))
        by_country = mass_c > 1e-9
        by_admin1 = mass_a > 1e-9
        if not (by_country or by_admin1 or prior or follower is not None):
            return base
        out: dict[int, float] = {}
        for row, score in base.items():
            country = self.country[row]
            admin1 = self.admin1[row]
            if by_country:
                other = tot_c.get(country, 0.0) - own_c.get(country, 0.0)
                score *= (max(other, 0.0) / mass_c + 0.02) / (1.0 + 0.02)
            if by_admin1 and self.level[row] != "country":
                other = tot_a.get(admin1, 0.0) - own_a.get(admin1, 0.0)
                score *= (max(other, 0.0) / mass_a + 0.05) / (1.0 + 0.05)
                admin2 = self.admin2[row]
                if admin2 and admin2 in tot_2:
                    other = tot_2[admin2] - own_2.get(admin2, 0.0)
                    score *= 1.0 + 100.0 * max(other, 0.0) / max(mass_c, 1e-9)
            if prior:
                score *= 1.0 + 4.0 * prior.get(country, 0.0)
            if follower is not None and (country in follower[0] or admin1 in follower[1]):
                score *= 50.0
            out[row] = score
        return out

    def _clue_mention(self, span: Span, prior: Mapping[str, float]) -> Mention:
        weights: dict[str, float] = defaultdict(float)
        for clue in span.clues:
            for code, weight in clue.countries:
                weights[code] += weight / len(span.clues)
        if prior:
            weights = defaultdict(
                float, {k: v * (1.0 + 4.0 * prior.get(k, 0.0)) for k, v in weights.items()}
            )
        tot = sum(weights.values()) or 1.0
        ranked = sorted(weights.items(), key=lambda kv: -kv[1])
        cands = []
        for code, weight in ranked[: MAX_CANDIDATES * 3]:
            cand = self.r.country_candidate(code, span.evidence * weight / tot)
            if cand is not None:
                cands.append(cand)
        return Mention(span.start, span.end, span.text, span.kind, tuple(cands))
