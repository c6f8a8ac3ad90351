"""Collapse exact and near-duplicate tips of one object, keeping how many there were.

A tip stream repeats itself: one person pastes "It's from London" twelve times,
or sends it again with a typo. Counting every copy would let the loudest sender
win, so duplicates are grouped and a group of ``n`` tips carries the weight of
:func:`group_weight` (``1 + ¼·ln n``): a repeat adds a little (different people
do sometimes write the same words) but never as much as an independent tip.

Two tips are in the same group when

* their :func:`normalize`\\ d texts are equal (case, accents, punctuation and
  spacing ignored), or
* they name the same places (same ``block`` key, e.g. the place readings the
  geoparser found) and their normalised texts are at least
  :data:`NEAR_DUPLICATE_SCORE` similar (rapidfuzz ``ratio``, 0..100), e.g. a
  re-sent tip with a typo. Short texts (< :data:`MIN_NEAR_LENGTH` characters)
  are only grouped when equal.

>>> groups = group_duplicates(["It's from London!", "its from london", "It's from Londn", "Paris"])
>>> groups
[0, 0, 0, 3]
>>> round(group_weight(12), 2)
1.62
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from geoleads.text import fold

#: rapidfuzz ``ratio`` (0..100) at or above which two texts of the same block are one tip.
NEAR_DUPLICATE_SCORE = 90.0
#: Texts shorter than this (normalised) are only grouped when identical.
MIN_NEAR_LENGTH = 12
#: Largest block compared all-against-all; larger blocks are compared in length-sorted windows.
_FULL_BLOCK = 1500

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    """Fold case and accents, drop punctuation, squeeze spaces.

    >>> normalize("  It's   from KRAKÓW!! ")
    'it s from krakow'
    """
    return _NON_WORD.sub(" ", fold(text)).strip()


def group_weight(count: int) -> float:
    """Evidence weight of a group of ``count`` duplicate tips: ``1 + ¼·ln(count)``.

    >>> group_weight(1), round(group_weight(100_000), 2)
    (1.0, 3.88)
    """
    if count <= 0:
        return 0.0
    return 1.0 + 0.25 * math.log(count)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # keep the smaller index as the root so the first tip names the group
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def _near_leaders(texts: list[str]) -> list[int]:
    """For each text, the index of its group leader (greedy, no chaining).

    A text joins the first earlier *leader* it is :data:`NEAR_DUPLICATE_SCORE`
    similar to; otherwise it leads a group itself. Comparing with leaders only
    (not with any member) keeps templated but different tips from chaining into
    one big group.
    """
    n = len(texts)
    leader = list(range(n))
    if n < 2:
        return leader
    if n <= _FULL_BLOCK:
        windows = [np.arange(n)]
    else:
        # compare only texts of similar length: sort by length, overlapping windows
        order = np.argsort([len(t) for t in texts], kind="stable")
        step = _FULL_BLOCK // 2
        windows = [order[i : i + _FULL_BLOCK] for i in range(0, n - step, step)]
    for idx in windows:
        idx = np.sort(idx)
        sub = [texts[int(i)] for i in idx]
        scores = process.cdist(
            sub, sub, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE_SCORE, dtype=np.uint8
        )
        for r in range(len(idx)):
            i = int(idx[r])
            if leader[i] != i:
                continue
            for c in np.flatnonzero(scores[r, r + 1 :]) + r + 1:
                j = int(idx[c])
                if leader[j] == j and leader[i] == i:
                    leader[j] = i
    return leader


def group_duplicates(texts: Sequence[str], blocks: Sequence[Hashable] | None = None) -> list[int]:
    """For each text, the index of the first text of its duplicate group.

    ``blocks`` (one hashable per text, e.g. the set of places it names) limits
    near-duplicate matching to texts of the same block; exact matches (after
    :func:`normalize`) are grouped whatever their block.

    >>> group_duplicates(["Made in Poland, bought in Kraków", "made in poland bought in krakow"])
    [0, 0]
    >>> group_duplicates(["bought in Graz last year", "bought in Graz last yeah"], ["g", "h"])
    [0, 1]
    """
    n = len(texts)
    if blocks is not None and len(blocks) != n:
        raise ValueError("blocks must have one entry per text")
    keys = [normalize(t) for t in texts]
    first_of_key: dict[str, int] = {}
    uf = _UnionFind(n)
    for i, key in enumerate(keys):
        j = first_of_key.setdefault(key, i)
        if j != i:
            uf.union(j, i)
    # near duplicates among the distinct keys, block by block
    by_block: dict[Hashable, list[int]] = {}
    for key, i in first_of_key.items():
        if len(key) >= MIN_NEAR_LENGTH:
            block = blocks[i] if blocks is not None else None
            by_block.setdefault(block, []).append(i)
    for members in by_block.values():
        for a, b in enumerate(_near_leaders([keys[i] for i in members])):
            if a != b:
                uf.union(members[b], members[a])
    return [uf.find(i) for i in range(n)]
