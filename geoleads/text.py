"""Text normalisation shared by the gazetteer and the extractor.

:func:`fold` lower-cases and strips diacritics *one character for one
character*, so offsets into the folded text are offsets into the original:

>>> fold("Kraków, ŁÓDŹ")
'krakow, lodz'
>>> len(fold("Straße")) == len("Straße")
True
>>> fold("Θεσσαλονίκη"), fold("Київ")
('θεσσαλονικη', 'киів')
"""

from __future__ import annotations

import re
import unicodedata

# Letters that NFD does not split into base + combining mark.
_SPECIAL = {
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ħ": "h",
    "ı": "i",
    "ß": "s",
    "æ": "a",
    "œ": "o",
    "þ": "t",
    "ð": "d",
    "ŀ": "l",
    "ŧ": "t",
    "ƒ": "f",
    "ĸ": "k",
    "ſ": "s",
    "ς": "σ",  # Greek final sigma folds to sigma
}


def _fold_char(ch: str) -> str:
    low = ch.lower()
    if len(low) != 1:
        low = ch.casefold()
        if len(low) != 1:
            low = low[0]
    if low in _SPECIAL:
        return _SPECIAL[low]
    if low.isascii():
        return low
    base = unicodedata.normalize("NFD", low)[0]
    if base in _SPECIAL:
        return _SPECIAL[base]
    return base


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that fills itself one code point at a time."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_TABLE = _FoldTable()
#: The first code points (Latin, Greek, Cyrillic, ..., punctuation, symbols) folded in
#: advance: a tuple is the fastest ``str.translate`` table (no hashing, no ``__missing__``).
_COMMON = tuple(_fold_char(chr(code)) for code in range(0x2500))
_BEYOND = re.compile("[^\x00-\u24ff]")


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its diacritics, keeping its length."""
    if text.isascii():
        return text.lower()  # the same, much faster
    if _BEYOND.search(text) is None:
        return text.translate(_COMMON)  # the same table, in advance
    return text.translate(_TABLE)
