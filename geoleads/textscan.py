"""A text being scanned for place names: its words, its language, its people.

:class:`TextScan` holds what every decision about one candidate name needs:
the folded words and their offsets, whether the text shouts (all capitals),
its language (given, or guessed once from its commonest words with
:class:`LanguageVotes`) and the words that belong to people's names
("Chiquita Raquel Henry").
"""

from __future__ import annotations

from geoleads.cuewords import INFLECTING_LANGUAGES, TITLES
from geoleads.wordlists import WordLists

_SENTENCE_END = set('.!?:;\n"«»„“”()[]')


class TextScan:
    """One text being scanned: tokens, and its language when first needed."""

    def __init__(
        self,
        text: str,
        folded: str,
        starts: list[int],
        ends: list[int],
        words: list[str],
        language: str | None,
        lists: WordLists,
        votes: LanguageVotes,
    ) -> None:
        self.text = text
        self.folded = folded
        self.starts = starts  # of the words in text (and folded)
        self.ends = ends
        self.words = words
        self.shouting = not any(c.islower() for c in text[:2000])
        self._language = language
        self._guessed = language is not None
        self._lists = lists
        self._votes = votes
        self._persons: frozenset[str] | None = None

    def language(self) -> str | None:
        if not self._guessed:
            self._language = self._votes.guess(self.words[:80])
            self._guessed = True
        return self._language

    def person_words(self) -> frozenset[str]:
        """Words written right after another capitalised word mid-sentence.

        "Chiquita Raquel Henry": "raquel", "henry" — such words are parts of
        names of people or firms, here and when they come back alone ("Henry said").
        """
        if self._persons is None:
            found = set()
            text, starts, ends, words = self.text, self.starts, self.ends, self.words
            common = self._lists.common
            if not self.shouting:
                for j in range(1, len(words)):
                    if not upper_at(text, starts[j]):
                        continue
                    prev = words[j - 1]
                    if prev in TITLES or (
                        upper_at(text, starts[j - 1])
                        and text[ends[j - 1] : starts[j]] == " "
                        and max(common.get(prev, {}).values(), default=0.0) < 3.5
                    ):
                        found.add(words[j])  # "The Gainesville ...": "the" is no first name
            self._persons = frozenset(found)
        return self._persons

    def inflecting(self) -> bool:
        lang = self.language()
        return lang is None or lang in INFLECTING_LANGUAGES


def guess_language(function_words: dict[str, tuple[str, ...]], words: list[str]) -> str | None:
    """The language whose most frequent words ``words`` (folded) use most, if clear.

    ``function_words`` maps a word to the languages it is frequent in (see
    :meth:`geoleads.wordlists.WordLists.guess_language`). Each word gives one
    vote, shared by its languages; a language needs 1.5 votes.

    >>> guess_language({"jest": ("pl",), "i": ("pl", "hr")}, ["to", "jest", "i", "jest"])
    'pl'
    >>> guess_language({"jest": ("pl",)}, ["to", "jest"]) is None
    True
    """
    votes: dict[str, float] = {}
    for w in words:
        langs = function_words.get(w)
        if langs:
            share = 1.0 / len(langs)
            for lang in langs:
                votes[lang] = votes.get(lang, 0.0) + share
    best: str | None = None
    most = 0.0
    for lang, value in votes.items():
        if best is None or value > most:  # the first of equals, as max() would
            best, most = lang, value
    return best if best is not None and most >= 1.5 else None


class LanguageVotes:
    """:func:`guess_language` with its table prepared once: the same answers, quicker.

    Per word: the numbers of its languages and its share of a vote; the votes
    are added in a list, in the same order, so the sums are the same floats.

    >>> LanguageVotes({"jest": ("pl",), "i": ("pl", "hr")}).guess(["to", "jest", "i", "jest"])
    'pl'
    """

    def __init__(self, function_words: dict[str, tuple[str, ...]]) -> None:
        self.languages: list[str] = []
        number: dict[str, int] = {}
        self.table: dict[str, tuple[tuple[int, ...], float]] = {}
        for word, langs in function_words.items():
            if langs:
                ids = []
                for lang in langs:
                    if lang not in number:
                        number[lang] = len(self.languages)
                        self.languages.append(lang)
                    ids.append(number[lang])
                self.table[word] = (tuple(ids), 1.0 / len(langs))

    def guess(self, words: list[str]) -> str | None:
        """:func:`guess_language` of ``words``."""
        votes = [0.0] * len(self.languages)
        order: list[int] = []  # languages by their first vote, as the dict keeps them
        table = self.table
        for w in words:
            entry = table.get(w)
            if entry is not None:
                ids, share = entry
                for k in ids:
                    value = votes[k]
                    if value == 0.0:  # shares are positive: 0 is no vote yet
                        order.append(k)
                    votes[k] = value + share
        best = -1
        most = 0.0
        for k in order:
            if best < 0 or votes[k] > most:  # the first of equals, as max() would
                best, most = k, votes[k]
        return self.languages[best] if best >= 0 and most >= 1.5 else None


_HOME: dict[str, tuple[str, ...]] = {}


def home_languages(country: str) -> tuple[str, ...]:
    """Official and de-facto languages of ``country`` (CLDR via babel), cached."""
    if country not in _HOME:
        from babel.languages import get_official_languages

        try:
            langs = tuple(get_official_languages(country, de_facto=True))
        except Exception:  # babel knows no such territory
            langs = ()
        _HOME[country] = tuple(lang.split("_")[0] for lang in langs)
    return _HOME[country]


def capitalised_neighbour(scan: TextScan, i: int, after: bool) -> bool:
    """Whether the word right after (or before) token ``i`` is capitalised mid-sentence."""
    j = i + 1 if after else i - 1
    if j < 0 or j >= len(scan.words):
        return False
    a, b = (scan.ends[i], scan.starts[j]) if after else (scan.ends[j], scan.starts[i])
    if scan.folded[a:b] != " " or scan.shouting:
        return False
    start = scan.starts[j]
    return upper_at(scan.text, start) and not sentence_initial(scan.text, start)


_ADJECTIVE_ENDS = frozenset("hmojйм")


def adjective_forms(word: str) -> tuple[str, ...]:
    """Nominative guesses for an inflected Slavic adjective ("nowym" -> "nowy")."""
    if word[-1:] not in _ADJECTIVE_ENDS:
        return ()  # the last letter of no suffix below: most words, quickly
    for suffix, bases in (
        ("ych", ("y", "e", "a")),
        ("ich", ("i", "e")),
        ("ym", ("y",)),
        ("im", ("i",)),
        ("ego", ("y", "e")),
        ("ej", ("a",)),
        ("em", ("y", "e")),
        ("om", ("y",)),
        ("ой", ("ый", "ой", "ая")),
        ("ом", ("ый", "ое")),
        ("ем", ("ий",)),
    ):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return tuple(word[: -len(suffix)] + b for b in bases)
    return ()


def upper_at(text: str, i: int) -> bool:
    """``text[i].isupper()``; an ASCII letter without a method call (compiled: no new string).

    >>> upper_at("aB", 1), upper_at("Łódź", 0), upper_at("x1", 1)
    (True, True, False)
    """
    code = ord(text[i])
    if code < 128:
        return 65 <= code <= 90
    return text[i].isupper()


def lower_at(text: str, i: int) -> bool:
    """``text[i].islower()``, as :func:`upper_at`."""
    code = ord(text[i])
    if code < 128:
        return 97 <= code <= 122
    return text[i].islower()


def sentence_initial(text: str, start: int) -> bool:
    """Whether ``text[start]`` opens a sentence (only spaces/quotes after an end mark)."""
    j = start - 1
    while j >= 0 and text[j] in " \t\"'«„“(":
        j -= 1
    return j < 0 or text[j] in _SENTENCE_END
