"""Duplicate grouping of tips (exact, near, chaining, blocks) and group weights."""

from __future__ import annotations

import math

import pytest

from geoleads.dedupe import group_duplicates, group_weight, normalize
from geoleads.evidence import group_tips, review_factor


def test_normalize_ignores_case_accents_punctuation_spacing() -> None:
    assert normalize("Kraków!!  ") == normalize("krakow") == "krakow"
    assert normalize("") == ""


def test_exact_and_near_duplicates_are_grouped() -> None:
    texts = [
        "It's from London, I am sure of it",
        "its from london i am sure of it!!!",
        "It's from Londn, I am sure of it",
        "It's from Paris, I am sure of it, really",
        "Completely different text here",
    ]
    assert group_duplicates(texts) == [0, 0, 0, 3, 4]


def test_similar_neighbours_do_not_chain_into_one_group() -> None:
    # text i replaces the first i words: neighbours are near-duplicates, the ends are not
    words = [
        f"{w}x"
        for w in [
            "alpha",
            "bravo",
            "charl",
            "delta",
            "echoo",
            "foxtr",
            "golfo",
            "hotel",
            "india",
            "julie",
        ]
    ]
    texts = [" ".join(["zzzzzz"] * i + words[i:]) for i in range(len(words) + 1)]
    groups = group_duplicates(texts)
    assert groups[1] == 0
    assert len(set(groups)) >= 3


def test_blocks_separate_near_duplicates_naming_other_places() -> None:
    texts = ["I bought it in Horn last year", "I bought it in Horn last yea"]
    assert group_duplicates(texts, ["a", "a"]) == [0, 0]
    assert group_duplicates(texts, ["a", "b"]) == [0, 1]
    # exact copies are one group whatever the block
    assert group_duplicates(["same", "same"], ["a", "b"]) == [0, 0]


def test_short_texts_only_group_when_equal() -> None:
    assert group_duplicates(["Graz", "Gras"]) == [0, 1]


def test_blocks_must_match_texts() -> None:
    with pytest.raises(ValueError):
        group_duplicates(["a", "b"], ["x"])


def test_large_block_is_windowed_and_still_finds_copies() -> None:
    import random

    rnd = random.Random(7)
    vocab = [f"w{i}" for i in range(500)]
    texts = [" ".join(rnd.choices(vocab, k=8)) for _ in range(2000)]
    texts.append(texts[1500].replace("w", "W", 1) + " x")
    groups = group_duplicates(texts)
    assert groups[-1] == 1500
    assert len(set(groups)) == 2000


def test_group_weight_is_sublinear() -> None:
    assert group_weight(0) == 0.0
    assert group_weight(1) == 1.0
    assert group_weight(12) == pytest.approx(1 + 0.25 * math.log(12))
    assert group_weight(100_000) < 4


def test_review_factors_and_group_counts() -> None:
    assert review_factor("CREDIBLE") == 2.0
    assert review_factor("doubtful") < 1 < review_factor("credible")
    assert review_factor("whatever") == 1.0
    groups = group_tips(
        ["from Graz", "from Graz", "from Graz", "Linz"],
        [[], [], [], []],
        ["spam", None, "credible", "duplicate"],
    )
    first, second = groups
    assert first.members == [0, 1, 2] and first.count == 2
    assert first.weight == pytest.approx(2.0 * group_weight(2))
    assert second.count == 0 and second.weight == 0.0
