"""The geoparser's fast paths give exactly what the plain code gives.

Each shortcut taken for speed (issue 3) is checked against the slower
definition it replaces: folding, tokenising, the language guess, the
records built without ``__init__``, the ``Span`` class and the abbreviations.
"""

from __future__ import annotations

import dataclasses
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geoleads.abbreviations import (
    _COUNTRY_RE,
    _STATE_RE,
    _USPS_RE,
    COUNTRIES,
    US_STATES,
    USPS,
    find_abbreviations,
)
from geoleads.extract import _WORD, Span, tokenize
from geoleads.leads import Candidate, Mention
from geoleads.records import FAST_RECORDS, new_candidate, new_mention
from geoleads.text import _TABLE, fold
from geoleads.textscan import LanguageVotes, guess_language

LETTERS = ["a", "b", "c", "d", "e", "f", "g", "h"]
TEXTS = st.text(
    alphabet=st.sampled_from(
        list(string.printable) + list("ąćęłńóśźżÄÖÜßéèçñİIıΣσςАБВгдеёЇїŁØæœ’–\u00a0\u0301")
    ),
    max_size=80,
)


@given(TEXTS)
@settings(max_examples=300, deadline=None)
def test_fold_fast_path_is_the_table(text: str) -> None:
    assert fold(text) == text.translate(_TABLE)
    assert len(fold(text)) == len(text)


def test_fold_of_every_ascii_character() -> None:
    chars = "".join(map(chr, range(128)))
    assert fold(chars) == chars.translate(_TABLE)


@given(text=TEXTS)
@settings(max_examples=300, deadline=None)
def test_token_offsets_are_the_regex_matches(text: str) -> None:
    folded = fold(text)
    words, toks = tokenize(folded)
    assert toks == [m.span() for m in _WORD.finditer(folded)]
    assert words == [folded[a:b] for a, b in toks]


def _guess_reference(function_words: dict[str, tuple[str, ...]], words: list[str]) -> str | None:
    """The language guess as first written (max over the votes)."""
    votes: dict[str, float] = {}
    for w in words:
        langs = function_words.get(w)
        if langs:
            for lang in langs:
                votes[lang] = votes.get(lang, 0.0) + 1.0 / len(langs)
    if not votes:
        return None
    best = max(votes, key=votes.__getitem__)
    return best if votes[best] >= 1.5 else None


@given(
    st.dictionaries(
        st.sampled_from(LETTERS[:7]),
        st.lists(
            st.sampled_from(["pl", "cs", "de", "en"]), min_size=1, max_size=3, unique=True
        ).map(tuple),
    ),
    st.lists(st.sampled_from(LETTERS), max_size=12),
)
def test_language_guess_matches_the_reference(
    table: dict[str, tuple[str, ...]], words: list[str]
) -> None:
    assert guess_language(table, words) == _guess_reference(table, words)
    assert LanguageVotes(table).guess(words) == _guess_reference(table, words)


def test_fast_records_equal_the_dataclasses() -> None:
    assert FAST_RECORDS  # leads.py's records are still plain dataclasses
    fields: dict[str, Any] = {
        "geonameid": 3094802,
        "name": "Kraków",
        "level": "locality",
        "country": "PL",
        "admin1": "PL.77",
        "lat": 50.06143,
        "lon": 19.93658,
    }
    fast = new_candidate(fields, 0.93)
    slow = Candidate(**fields, probability=0.93)
    assert type(fast) is Candidate
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert dataclasses.asdict(fast) == dataclasses.asdict(slow)
    assert fields == {k: v for k, v in fields.items()}  # the cached fields are not changed
    assert "probability" not in fields
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.name = "Krakau"  # type: ignore[misc]
    m_fast = new_mention(12, 18, "Krakau", "place", (fast,))
    m_slow = Mention(12, 18, "Krakau", "place", (slow,))
    assert m_fast == m_slow and m_fast.to_json() == m_slow.to_json()
    assert m_fast.best is fast
    with pytest.raises(dataclasses.FrozenInstanceError):
        m_fast.start = 0  # type: ignore[misc]


def test_span_behaves_like_the_dataclass_it_replaced() -> None:
    @dataclasses.dataclass(frozen=True)
    class Span:  # the former definition
        start: int
        end: int
        text: str
        kind: str
        key: str
        rows: tuple[int, ...]
        clues: tuple[object, ...]
        evidence: float
        inflected: bool = False

    args = (3, 9, "Krakau", "place", "krakau", (1, 2), (), 0.9)
    old, new = Span(*args), _span(*args)
    assert repr(new) == repr(old).replace(type(old).__qualname__, "Span")
    assert hash(new) == hash(old)
    assert new == _span(*args) and new != _span(*args[:-1], 0.8)
    assert new != old  # another class, as dataclasses do
    assert _span(*args, inflected=True).inflected


def _span(*args: object, **kwargs: object) -> Span:
    return Span(*args, **kwargs)  # type: ignore[arg-type]


def _abbreviations_reference(text: str) -> list[tuple[int, int, str]]:
    """:func:`find_abbreviations` as first written: three scans of the whole text."""
    hits = [(m, COUNTRIES[m.group(0)]) for m in _COUNTRY_RE.finditer(text)]
    hits += [(m, "US." + US_STATES[m.group(0)]) for m in _STATE_RE.finditer(text)]
    hits += [(m, "US." + m.group(0)) for m in _USPS_RE.finditer(text) if m.group(0) in USPS]
    hits.sort(key=lambda h: h[0].start())
    return [(m.start(), m.end(), code) for m, code in hits]


PIECES = [", ", ",\n", ",", " ", ".", "a", "x", "Springfield", "U.S.", "USA", "UK", "US", "IL"]
PIECES += ["Ga.", "W. Va.", "D.C.", "N.Y.", "TX", "UT", "ME", "IN", "Tex.", "Texas", "u", "\u00a0"]


@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
@settings(max_examples=500, deadline=None)
def test_abbreviations_match_the_whole_text_scans(text: str) -> None:
    fast = [(m.start(), m.end(), code) for m, code in find_abbreviations(text)]
    assert fast == _abbreviations_reference(text)


def test_abbreviation_examples() -> None:
    text = "From the U.S. to Macon, Ga. and Springfield, IL, W. Va., UK"
    found = [(m.group(0), code) for m, code in find_abbreviations(text)]
    assert found == [
        ("U.S.", "US"),
        ("Ga.", "US.GA"),
        ("IL", "US.IL"),
        ("W. Va.", "US.WV"),
        ("UK", "GB"),
    ]
    assert found == [(text[a:b], c) for a, b, c in _abbreviations_reference(text)]
