"""Suffix rules that guess the dictionary form of an inflected place name.

They back up simplemma's dictionaries (see :mod:`geoleads.wordlists`) for the
villages no dictionary knows: each rule strips a case ending of a Slavic,
Baltic, Finnic, Hungarian or Greek name and offers base forms to look up in
the gazetteer, most specific first. Words are already folded (lower case, no
diacritics), so "Wadowicach" arrives as "wadowicach".

>>> "wadowice" in suffix_candidates("wadowicach")
True
>>> "budapest" in suffix_candidates("budapesten")
True
>>> "helsinki" in suffix_candidates("helsingissa")
True
>>> "lahti" in suffix_candidates("lahdesta")
True
"""

from __future__ import annotations

from functools import lru_cache

# suffix -> endings that may replace it (the empty ending keeps the stem).
_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Polish / Czech / Slovak locative, genitive, instrumental
    ("owicach", ("owice",)),
    ("icach", ("ice",)),
    ("icich", ("ice",)),
    ("ich", ("e", "y")),
    ("ach", ("y", "e", "a", "")),
    ("ami", ("y", "e", "")),
    ("owie", ("owo", "ow", "owa")),
    ("owej", ("owa",)),
    ("skiej", ("ska",)),
    ("skiem", ("sk", "sko")),
    ("sku", ("sk",)),
    ("cku", ("ck",)),
    ("niu", ("n", "en", "nia")),
    ("iu", ("", "ia")),
    ("iem", ("",)),
    ("em", ("", "o")),
    ("ie", ("", "a", "o")),
    ("ze", ("ga", "ha")),  # Polish "Pradze" <- Praga, Czech "Praze" <- Praha
    ("ce", ("ka", "ki", "ca")),
    ("ou", ("a",)),
    ("ove", ("ov", "ova")),
    ("ach", ("y", "e")),
    ("y", ("a", "")),
    ("e", ("a", "o", "", "y")),
    ("u", ("", "o", "a", "y")),
    ("i", ("", "a", "e", "y")),
    ("a", ("", "o")),
    ("o", ("a",)),
    # Russian / Ukrainian / Bulgarian (Cyrillic)
    ("ах", ("ы", "и", "а")),
    ("ом", ("",)),
    ("ем", ("",)),
    ("ою", ("а",)),
    ("ой", ("а",)),
    ("ове", ("ов",)),
    ("еві", ("ів", "ев")),
    ("ові", ("ів", "ов", "")),
    ("е", ("а", "", "я")),
    ("і", ("а", "", "ь")),
    ("и", ("а", "ь", "")),
    ("у", ("", "а")),
    ("ы", ("а",)),
    # Greek (folded: final sigma is sigma)
    ("ησ", ("η",)),
    ("ασ", ("α",)),
    ("ου", ("οσ", "ο")),
    ("α", ("ασ",)),
    ("ο", ("οσ",)),
    ("η", ("ησ",)),
    # Finnish (with a few consonant gradations: nk~ng, t~d, k~-)
    ("ngissa", ("nki",)),
    ("ngista", ("nki",)),
    ("ngiin", ("nki",)),
    ("ssa", ("", "a")),
    ("ssa", ("ku",)),
    ("sta", ("", "a")),
    ("lla", ("",)),
    ("lta", ("",)),
    ("ella", ("e",)),
    ("elta", ("e",)),
    ("seen", ("",)),
    ("hin", ("",)),
    ("iin", ("i",)),
    ("ssä", ("",)),
    # Hungarian
    ("ban", ("",)),
    ("ben", ("",)),
    ("bol", ("",)),
    ("rol", ("",)),
    ("tol", ("",)),
    ("nal", ("",)),
    ("nel", ("",)),
    ("hoz", ("",)),
    ("hez", ("",)),
    ("hoz", ("",)),
    ("ba", ("",)),
    ("be", ("",)),
    ("ra", ("",)),
    ("re", ("",)),
    ("on", ("",)),
    ("en", ("",)),
    ("an", ("",)),
    ("ott", ("",)),
    ("ett", ("",)),
    ("n", ("",)),
    # Baltic
    ("uje", ("us",)),
    ("yje", ("is", "ys")),
    ("oje", ("a", "as")),
    ("e", ("as", "e", "is")),
    ("o", ("as",)),
    ("a", ("as",)),
    ("as", ("a",)),
    ("os", ("a",)),
    # German genitive
    ("s", ("",)),
)

_FINNISH_GRADATION = (
    ("ur", "urk"),
    ("hd", "ht"),
    ("nn", "nt"),
    ("ll", "lt"),
    ("rr", "rt"),
    ("d", "t"),
)


@lru_cache(maxsize=200_000)
def suffix_candidates(word: str) -> tuple[str, ...]:
    """Base forms to try for ``word`` (folded), most likely first, without ``word``."""
    out: list[str] = []
    seen = {word}
    for suffix, endings in _RULES:
        if not word.endswith(suffix) or len(word) - len(suffix) < 3:
            continue
        stem = word[: -len(suffix)]
        for ending in endings:
            cand = stem + ending
            if cand not in seen:
                seen.add(cand)
                out.append(cand)
        if suffix in ("ssa", "sta", "lla", "lta", "seen", "hin"):
            for weak, strong in _FINNISH_GRADATION:
                if len(stem) >= len(weak) + 2 and stem[-1] in "aeiou" and stem[:-1].endswith(weak):
                    # Turussa <- Turku, Lahdessa <- Lahti (e in the stem of an i-word)
                    for vowel in (stem[-1], "i") if stem[-1] == "e" else (stem[-1],):
                        base = stem[: -len(weak) - 1] + strong + vowel
                        if base not in seen:
                            seen.add(base)
                            out.append(base)
    return tuple(out)
