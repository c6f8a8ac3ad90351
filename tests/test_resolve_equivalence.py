"""The fast resolver ranks exactly as the plain one it replaced (issue 3).

``Resolver.resolve`` runs on readings prepared per name key and on flat lists
per text (:mod:`geoleads.readings`, :mod:`geoleads.textcontext`);
:mod:`resolve_reference` is the same ranking written with dictionaries keyed by
row and code, as first written. Both must give equal mentions, probabilities
equal to the last bit, on real tips and on generated span lists that reach the
rare paths (a name said twice with other readings, a clue and a place under one
key, "Horn, Sweden" followers, priors, languages).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from resolve_reference import Reference

from geoleads.gazetteer import Gazetteer
from geoleads.geoparse import Geoparser
from geoleads.leads import Mention
from geoleads.readings import rank, total
from geoleads.resolve import Resolver
from geoleads.spans import ClueInfo, Span

TIPS = Path(__file__).resolve().parent / "data" / "multilingual_tips.jsonl"
KEYS = [
    "paris", "springfield", "georgia", "dublin", "horn", "sweden", "texas", "washington",
    "london", "ontario", "kent", "victoria", "santiago", "cordoba", "alexandria", "berlin",
    "frankfurt", "krakow", "praha", "henry county", "us", "nice", "columbia", "indiana",
    "mexico",
]  # fmt: skip
GAPS = [", ", " and ", " (", " County, ", " ", "; ", "-", " near the "]
CLUES = [
    (("PL", 1.0),),
    (("DE", 0.8), ("AT", 0.1), ("CH", 0.1)),
    (("US", 0.5), ("GB", 0.3), ("IE", 0.2)),
    (("XX", 1.0), ("FR", 0.5)),  # a code the gazetteer lacks
]


@pytest.fixture(scope="module")
def geoparser(gazetteer: Gazetteer) -> Geoparser:
    return Geoparser(gazetteer)


def _same(fast: list[Mention], plain: list[Mention]) -> None:
    assert fast == plain  # dataclass equality: every field, probabilities to the bit
    for m, p in zip(fast, plain, strict=True):
        assert [c.probability.hex() for c in m.candidates] == [
            c.probability.hex() for c in p.candidates
        ]


def test_real_tips_rank_as_before(geoparser: Geoparser) -> None:
    reference = Reference(geoparser.resolver)
    rows = [json.loads(line) for line in TIPS.read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in rows]
    texts += [" ".join(texts[i : i + 3]) for i in range(0, len(texts), 3)]
    checked = 0
    for text in texts:
        spans, lang = geoparser.extractor.scan(text)
        for prior, language in [(None, lang), ({"pl": 2.0, "US": 1.0}, None), (None, "de")]:
            fast = geoparser.resolver.resolve(text, spans, prior, language)
            _same(fast, reference.resolve(text, spans, prior, language))
            checked += len(fast)
    assert checked > 1000


@st.composite
def span_lists(draw: st.DrawFn, gazetteer: Gazetteer) -> tuple[str, list[Span]]:
    text = ""
    spans: list[Span] = []
    for _ in range(draw(st.integers(1, 6))):
        if spans:
            text += draw(st.sampled_from(GAPS))
        key = draw(st.sampled_from(KEYS))
        start = len(text)
        text += key.title()
        evidence = draw(st.sampled_from([0.3, 0.55, 0.9, 1.0]))
        if draw(st.integers(0, 5)) == 0:  # a clue, maybe under a place's key
            countries = draw(st.sampled_from(CLUES))
            clue = ClueInfo("demonym", "en", countries, False)
            spans.append(Span(start, len(text), key.title(), "demonym", key, (), (clue,), evidence))
            continue
        rows = gazetteer.rows_for(key)
        if len(rows) > 1 and draw(st.booleans()):  # the same key with fewer readings
            rows = tuple(sorted(draw(st.sets(st.sampled_from(rows), min_size=1))))
        spans.append(Span(start, len(text), key.title(), "place", key, rows, (), evidence))
    return text, spans


@given(data=st.data())
@settings(max_examples=300, deadline=None)
def test_generated_spans_rank_as_before(gazetteer: Gazetteer, data: st.DataObject) -> None:
    resolver = _resolver(gazetteer)
    text, spans = data.draw(span_lists(gazetteer))
    prior = data.draw(
        st.none()
        | st.dictionaries(st.sampled_from(["US", "pl", "GB", "DE", "FR"]), st.floats(0, 3))
    )
    language = data.draw(st.sampled_from([None, "en", "pl", "de", "es", "xx"]))
    fast = resolver.resolve(text, spans, prior, language)
    _same(fast, Reference(resolver).resolve(text, spans, prior, language))


_RESOLVERS: dict[int, Resolver] = {}


def _resolver(gazetteer: Gazetteer) -> Resolver:
    """One resolver for all examples (its memo per name key is part of what is tested)."""
    if id(gazetteer) not in _RESOLVERS:
        _RESOLVERS[id(gazetteer)] = Resolver(gazetteer)
    return _RESOLVERS[id(gazetteer)]


@given(
    st.lists(
        st.tuples(st.sampled_from([0.0, -0.0, 1.0, 2.5, 1e-300, 3.0, 1e300]), st.integers(0, 50)),
        max_size=12,
        unique_by=lambda t: t[1],
    )
)
def test_rank_is_sorted_by_score_then_row(items: list[tuple[float, int]]) -> None:
    scores = [v for v, _ in items]
    rows = [r for _, r in items]
    ordered = sorted(zip(scores, rows, range(len(rows)), strict=True), reverse=True)
    total_ = total([v for v, _, _ in ordered]) or 1.0
    assert rank(scores, rows) == (scores, [j for _, _, j in ordered], total_)
