"""How much a candidate span is worth: the evidence rules of the scan.

:class:`SpanJudge` (a :class:`~geoleads.nametables.NameTables`, the base of
:class:`geoleads.extract.Extractor`) turns a run of words that names a place or
a clue into a :class:`~geoleads.spans.Span` with an ``evidence`` in 0..1, or
drops it: capitals, a context word before it ("in", "aus", "w", "в", ...),
whether the name is also a common word (:meth:`SpanJudge.commonness`: "Nice",
"Most", "Bath"), persons ("Mr. Clark", "Michael Smith"), shops, streets,
months, and ", <region>" after it ("Horn, Sweden"). Spans below
:data:`MIN_EVIDENCE` are dropped.

>>> judge = SpanJudge()                                     # doctest: +SKIP
>>> judge.commonness("nice", language="en") > 3             # doctest: +SKIP
True
"""

from __future__ import annotations

import math

from geoleads.cuewords import (
    CALENDAR,
    CONTEXT_WORDS,
    DETERMINERS,
    PERSON_NEXT,
    SHOPS,
    STREETS,
    TITLES,
)
from geoleads.nametables import MIN_COMMON_LOWER, NameTables
from geoleads.spans import ClueInfo, Span
from geoleads.textscan import TextScan, capitalised_neighbour, sentence_initial, upper_at

#: A capitalised alias opening a sentence is dropped when it is a word this common (Zipf).
MIN_COMMON_INITIAL = 2.0
#: How much less (Zipf) a one-language word counts in its place's own language.
HOME_DISCOUNT = 1.2
MIN_EVIDENCE = 0.5


class SpanJudge(NameTables):
    """Judges candidate spans on :class:`NameTables` (the evidence rules)."""

    def _clue_is_region(
        self, rows: tuple[int, ...], clue: tuple[ClueInfo, ...], named: bool, scan: TextScan
    ) -> bool:
        """Whether a capitalised clue word names a country or region instead.

        A country's name ("Polska") is a place; so is a region called exactly
        so ("Indiana", also Italian for "Indian") unless the text is in the
        clue's language.
        """
        if any(self._level[r] == "country" for r in rows):
            return True
        if not named:
            return False
        lang = scan.language()
        return lang is None or all(c.lang != lang for c in clue)

    def commonness(
        self, key: str, home: tuple[str, ...] = (), language: str | None = None
    ) -> float:
        """Zipf frequency of ``key`` as a common word (0 when it is not one).

        With a ``language``, only that language and English (whose words turn up
        in every language) count; otherwise every language does. A city's name
        is frequent at home ("tampere" in Finnish): when a word is known in one
        language only and that is a ``home`` language, it counts
        :data:`HOME_DISCOUNT` less. A multi-word key is as common as its rarest word.
        """
        common = self._common
        best = 0.0
        for part in key.split(" "):
            langs = common.get(part)
            if not langs:
                return 0.0
            # a word of one language only, frequent at home, is the city's name there
            discount = HOME_DISCOUNT if len(langs) == 1 else 0.0
            value = max(
                (
                    z - discount if lang in home else z
                    for lang, z in langs.items()
                    if language is None or lang == language or lang == "en"
                ),
                default=0.0,
            )
            if value == 0.0:
                return 0.0
            best = value if best == 0.0 else min(best, value)
        return best

    def _name_follows(self, scan: TextScan, i: int) -> bool:
        """Whether the word after token ``i`` names a country or region ("Mobile Alabama")."""
        if i + 1 >= len(scan.words):
            return False
        return any(self._level[r] != "locality" for r in self._rows(scan.words[i + 1]))

    def _followed_by_region(self, scan: TextScan, end_tok: int) -> bool:
        """Whether ", <country or admin1>" follows token ``end_tok`` ("Horn, Sweden")."""
        words = scan.words
        if end_tok + 1 >= len(words):
            return False
        gap = scan.folded[scan.ends[end_tok] : scan.starts[end_tok + 1]]
        if gap.strip() not in (",", "(") or len(gap) > 3:
            return False
        key = words[end_tok + 1]
        for j in range(end_tok + 1, min(len(words), end_tok + 4)):
            if j > end_tok + 1:
                key += " " + words[j]
            for r in self._rows(key):
                if self._level[r] in ("country", "admin1"):
                    return True
        return False

    def _judge(self, scan: TextScan, i: int, nwords: int, key: str, inflected: bool) -> Span | None:
        text, words = scan.text, scan.words
        start, end = scan.starts[i], scan.ends[i + nwords - 1]
        kinfo = self._key_memo.get(key)
        if kinfo is None:
            kinfo = self._key_info(key)
        rows, clue, regional, region_named = kinfo
        if not rows and not clue:
            return None
        before = words[i - 1] if i > 0 else ""
        initial = sentence_initial(text, start)
        cap = upper_at(text, start) and not scan.shouting
        # a case ending says "in/from X" as a preposition would ("Lahdesta")
        context = before in self.context or (inflected and cap and not initial)
        if nwords == 1 and key in SHOPS and cap:
            return None  # "bei Netto", "at a Boots", "v Albertu": a shop, not a place
        if clue and not (cap and self._clue_is_region(rows, clue, region_named, scan)):
            # demonym / language / macro clue: "polnische", "in Czech", "Benelux";
            # "polska marka" too, though "Polska" is also the country's name
            if any(c.ambiguous for c in clue) and not (cap or context):
                return None  # "polish", "roman": only capitalised or after "in"
            if not cap and scan.language() == "en" and all(c.lang != "en" for c in clue):
                return None  # Dutch "pools" in an English tip is swimming pools
            if initial and not context:
                lang = scan.language()
                if len(key) <= 4 or (lang is not None and all(c.lang != lang for c in clue)):
                    return None  # "Tai" (Lithuanian "this"), "Finns" (Swedish "there is")
            kind = str(clue[0].kind)
            return Span(start, end, text[start:end], kind, key, (), clue, 0.8)
        if len(key.replace(" ", "")) < 3:
            return None
        pop, famous, main, home = self._facts(key, rows)
        lang = scan.language()
        memo_key = (key, lang)
        common = self._common_memo.get(memo_key)
        if common is None:
            common = self.commonness(key, home, lang)
            if len(self._common_memo) < 200_000:
                self._common_memo[memo_key] = common
        if len(key) <= 3 and not (main and cap and (context or famous)):
            return None  # "Man", "She", "God", "Dan"
        surface = text[start:end]
        if len(surface) <= 4 and surface.isupper() and not scan.shouting and not famous:
            return None  # "ICA", "BP": an acronym, not Ica in Peru
        if inflected and initial and not context and not famous and pop < 50_000:
            return None  # "Acheté ..." opening a sentence
        expected = math.log10(pop + 1.0) - 1.5
        floor = 3.0 if nwords == 1 else 4.5  # "White House" yes, "South Carolina" no
        is_common = common >= floor and common > expected + 0.3 and not famous
        german_noun = False
        if cap and (not famous or not main) and nwords == 1:
            noun = self._german_nouns.get(key, 0.0)
            if noun > expected + 0.5 and scan.language() in ("de", None):
                german_noun = True  # "Marke", "Horn": capitals prove nothing in German
        region_after = False
        if is_common or german_noun or (initial and not context):
            region_after = self._followed_by_region(scan, i + nwords - 1)
        if german_noun and not (context or region_after):
            return None
        if is_common:
            # "Nice", "Most", "Bath", "Police": only "in Nice", "Horn, Sweden"
            if not cap or not (context or region_after):
                return None
            if before in DETERMINERS and before not in CONTEXT_WORDS:
                return None
            evidence = 0.75
        elif cap:
            if initial and not context and not region_after:
                langs = self._common.get(key, {})
                if (
                    common >= MIN_COMMON_INITIAL
                    and not famous
                    and not main
                    and not any(lang in home for lang in langs)
                ):
                    return None  # "Ostin tämän..." (Finnish "I bought"; Austin's alias)
                lang = scan.language()
                if famous and lang is not None and langs.get(lang, 0.0) >= 3.5:
                    return None  # "Mali sme..." (Slovak "we had"), not the country
                evidence = 0.75
            else:
                evidence = 0.95 if context or region_after else 0.9
        else:  # lower case (or a shouted tip)
            if is_common or (common >= MIN_COMMON_LOWER and not context):
                return None
            if inflected and not famous and pop < 20_000:
                return None  # "obok dworca": a common noun's case form
            if context:
                evidence = 0.7
            elif len(key) >= 5 and (famous or pop >= 20_000):
                evidence = 0.6
            elif scan.shouting and len(key) >= 4:
                evidence = 0.55
            else:
                return None
        if key in CALENDAR and not region_after:
            return None  # "March", "May", "August", "Thursday"
        if (
            nwords == 1
            and regional
            and not region_named
            and not (context or region_after)
            and key in self._first_names
        ):
            # "Alan" is a first name before it is another name of the Åland Islands
            if capitalised_neighbour(scan, i, after=True):
                return None
            evidence *= 0.5
        if nwords == 1 and not famous and not regional and not region_after:
            if before in TITLES or (i + 1 < len(words) and words[i + 1] in PERSON_NEXT):
                return None  # "Mr. Clark", "Sullivan said"
            if not context and pop < 100_000 and key in scan.person_words():
                return None  # "Chiquita Raquel Henry", later "Henry"
            if not context and pop < 200_000 and key in self._first_names:
                if capitalised_neighbour(scan, i, after=True):
                    return None  # "Michael Smith"
                evidence *= 0.5  # "George", "Mary" alone
            after = i + 1 < len(words)
            if after and words[i + 1] in STREETS and upper_at(text, scan.starts[i + 1]):
                return None  # "Dublin Road", "Orchard St."
            if cap and not initial and capitalised_neighbour(scan, i, after=False):
                evidence *= 0.5  # a person or a firm
        if not main and not famous and pop < 50_000 and not context and not region_after:
            evidence *= 0.5  # only an alternate name of a small place ("Kristina")
        if inflected:
            evidence *= 0.9
            if pop < 1000 and not context:
                evidence *= 0.8
        if evidence < MIN_EVIDENCE:
            return None
        return Span(start, end, text[start:end], "place", key, rows, (), evidence, inflected)
