"""The gazetteer's and the lexicons' tables, with the memoised lookups of the scan.

:class:`NameTables` is the base of :class:`geoleads.extract.Extractor`: it holds
the name and clue tables, the word lists (common words, first names, German
nouns) and answers per name key: its gazetteer rows and clues, the key an
inflected word stands for (:meth:`NameTables.lemma_key`), the population, fame
and home languages of the places so called, and two-word names with inflected
words ("Nowym Targu" -> "nowy targ"). Each answer is memoised (at most
:data:`MEMO_SIZE` entries a table).

>>> tables = NameTables()                                   # doctest: +SKIP
>>> tables.lemma_key("krakowie")                            # doctest: +SKIP
'krakow'
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from geoleads.cuewords import CONTEXT_WORDS, DETERMINERS, WEAK_CONTEXT
from geoleads.errors import GeoleadsError
from geoleads.gazetteer.build import name_key
from geoleads.inflect import suffix_candidates
from geoleads.spans import _JOINERS, ClueInfo, KeyInfo, add_pair, decode_tails, entity_columns
from geoleads.textscan import LanguageVotes, TextScan, adjective_forms, home_languages
from geoleads.wordlists import ClueTable, WordLists, load_clue_table, load_wordlists

if TYPE_CHECKING:
    from geoleads.gazetteer import Gazetteer

#: Warnings keep the logger of the module this code came from.
_log = logging.getLogger("geoleads.extract")
#: A lower-case name is dropped when it is a word this common, unless a preposition precedes.
MIN_COMMON_LOWER = 2.5
#: Most entries kept in each per-word / per-key memo table.
MEMO_SIZE = 500_000


def _load_clues(cache_dir: Any) -> ClueTable | None:
    """The lexicons' clues (compact, cached), or ``None`` (logged) when they are broken."""
    try:
        return load_clue_table(cache_dir)
    except (ImportError, GeoleadsError) as err:
        _log.warning("lexicons unavailable, demonyms and language clues are off: %s", err)
        return None


#: Per word: (longest name from it in words, a name?, a common word?, its two-word tails).
WordInfo = tuple[int, bool, bool, dict[str, bool]]
_NO_TAILS: dict[str, bool] = {}


def _clue_tails(follows: dict[str, str], clues: dict[str, Any]) -> dict[str, dict[str, bool]]:
    """The tails of the first words of the lexicon clues, with their names' tails."""
    extra: dict[str, dict[str, bool]] = {}
    for key in clues:
        if key.count(" ") >= 2:
            add_pair(extra, " ".join(key.split(" ")[:2]), False)  # "wagram ob"
        else:
            add_pair(extra, key, True)
    for first, tails in extra.items():
        names = follows.get(first)
        mine = decode_tails(names) if names else {}
        for tail, whole in tails.items():
            mine[tail] = whole or mine.get(tail, False)
        extra[first] = mine
    return extra


class NameTables:
    """The tables :class:`geoleads.extract.Extractor` looks names up in, memoised."""

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        wordlists: WordLists | None = None,
        clues: ClueTable | None = None,
    ) -> None:
        if gazetteer is None:
            from geoleads.gazetteer import get_gazetteer

            gazetteer = get_gazetteer()
        self.gazetteer = gazetteer
        self.words = wordlists if wordlists is not None else load_wordlists(gazetteer)
        table = clues if clues is not None else _load_clues(gazetteer.cache_dir)
        self.names = gazetteer.names
        cols = entity_columns(gazetteer)
        self._pop, self._level, self._country, self._name = (
            cols.pop,
            cols.level,
            cols.country,
            cols.name,
        )
        self.clues: dict[str, tuple[tuple[Any, ...], ...]] = {}
        self.starts = self.words.starts
        # the word lists' tables, held here too (one attribute read on the hot path)
        self._common: dict[str, dict[str, float]] = self.words.common
        self._german_nouns: dict[str, float] = self.words.german_nouns
        self._first_names: frozenset[str] = self.words.first_names
        self.votes = LanguageVotes(self.words.function_words)
        self.clue_starts: dict[str, int] = {}
        context = set(CONTEXT_WORDS)
        if table is not None:
            self.clues = table.clues
            context.update(table.context_words - DETERMINERS - WEAK_CONTEXT)
            for key in self.clues:
                if " " in key:
                    first, n = key.split(" ", 1)[0], key.count(" ") + 1
                    if n > self.clue_starts.get(first, 1):
                        self.clue_starts[first] = n
        self.context = frozenset(context)
        # lower-case common words that are also names: dropped unless a preposition precedes
        self.lower_skip = frozenset(
            w
            for w, langs in self.words.common.items()
            if max(langs.values()) >= MIN_COMMON_LOWER and w not in self.clues
        )
        # first word -> {joiner + second word: a whole name or clue (else a longer one's start)}
        self._follows = self.words.follows  # the names' (encoded), see _word_info
        self._clue_tails = _clue_tails(self._follows, self.clues)
        self._inflect_memo: dict[str, str | None] = {}
        self._word_memo: dict[str, WordInfo] = {}
        self._pair_memo: dict[tuple[str, bool, str | None], tuple[str, ...]] = {}
        self._key_memo: dict[str, KeyInfo] = {}
        self._lemma_memo: dict[tuple[str, str | None, bool], str | None] = {}
        self._facts_memo: dict[str, tuple[float, bool, bool, tuple[str, ...]]] = {}
        self._common_memo: dict[tuple[str, str | None], float] = {}

    # --- lookups ---------------------------------------------------------------
    def _key_info(self, key: str) -> KeyInfo:
        """(gazetteer rows, lexicon clues, is one of the first 20 rows a region, and is
        one called exactly ``key``?) of ``key``."""
        rows = self._rows(key)
        raw = self.clues.get(key)
        clue = tuple(ClueInfo(*c) for c in raw) if raw else ()
        regional = any(self._level[r] != "locality" for r in rows[:20])
        region_named = any(
            self._level[r] != "locality" and name_key(str(self._name[r])) == key for r in rows[:20]
        )
        info = (rows, clue, regional, region_named)
        if len(self._key_memo) < MEMO_SIZE:
            self._key_memo[key] = info
        return info

    def _word_info(self, w: str) -> WordInfo:
        """(longest name starting with ``w`` in words, is ``w`` a name or clue, common word?,
        the second words of the names and clues starting with ``w``: see ``WordLists.follows``).

        One small memo instead of five probes of the big tables per word.
        """
        longest = max(self.starts.get(w, 1), self.clue_starts.get(w, 1))
        tails = _NO_TAILS
        if longest > 1:
            found = self._clue_tails.get(w)
            if found is None:
                encoded = self._follows.get(w)
                found = decode_tails(encoded) if encoded else _NO_TAILS
            tails = found
        info = (longest, w in self.names or w in self.clues, w in self.lower_skip, tails)
        if len(self._word_memo) < MEMO_SIZE:
            self._word_memo[w] = info
        return info

    def _rows(self, key: str) -> tuple[int, ...]:
        return self.gazetteer.rows_for(key)

    def lemma_key(
        self, word: str, rules: bool = True, language: str | None = None, suffixes: bool = True
    ) -> str | None:
        """The gazetteer key an inflected (folded) word stands for, or ``None``.

        Only when ``rules`` (the text's language inflects place names, or is
        unknown). The dictionary readings of ``language`` win ("turussa" is
        Turku in Finnish), the most populous place first. Suffix rules are the
        fallback for words no dictionary knows, when ``suffixes``.
        """
        if not rules:
            return None
        memo_key = (word, language, suffixes)
        if memo_key in self._lemma_memo:
            return self._lemma_memo[memo_key]
        found = self._lemma_key(word, language, suffixes)
        if len(self._lemma_memo) < 500_000:
            self._lemma_memo[memo_key] = found
        return found

    def _lemma_key(self, word: str, language: str | None, suffixes: bool) -> str | None:
        readings = self.words.lemmas(word)
        if readings:
            mine = [key for lang, key in readings if lang == language]
            return max(mine or [key for _, key in readings], key=self._largest)
        if len(word) < 5 and (len(word) < 4 or word.isascii()):  # "Looks", "Niks"
            return None
        if not suffixes:
            return None
        memo = self._inflect_memo
        if word in memo:
            return memo[word]
        found = None
        for cand in suffix_candidates(word):
            if cand in self.names:
                found = cand
                break
        memo[word] = found
        return found

    def _largest(self, key: str) -> float:
        return max((float(self._pop[r]) for r in self._rows(key)), default=0.0)

    def _facts(self, key: str, rows: tuple[int, ...]) -> tuple[float, bool, bool, tuple[str, ...]]:
        """(population, famous?, main name?, home languages) of the entities called ``key``.

        Population: the largest, a region's divided by 20 (it is the sum of its
        towns). Famous: a country or a place of a million. Main name: ``key`` is
        the GeoNames name of one of them, not only an alternate name. Home
        languages: those of the most populous one's country.
        """
        memo = self._facts_memo.get(key)
        if memo is not None:
            return memo
        pop = 0.0
        famous = False
        top = rows[0] if rows else -1
        for r in rows:
            level = self._level[r]
            p = float(self._pop[r]) / (20.0 if level == "admin1" else 1.0)
            if p > pop:
                pop, top = p, r
            if level == "country" or p >= 1_000_000:
                famous = True
        home = home_languages(str(self._country[top])) if top >= 0 else ()
        main = any(name_key(str(self._name[r])) == key for r in rows[:50])
        out = (pop, famous, main, home)
        self._facts_memo[key] = out
        return out

    def _inflected_pair(self, scan: TextScan, i: int) -> tuple[int, str, bool] | None:
        """Two-word names with inflected words ("Nowym Targu" -> "nowy targ")."""
        words = scan.words
        sep = scan.folded[scan.ends[i] : scan.starts[i + 1]]
        if sep not in _JOINERS:
            return None
        w1, w2 = words[i], words[i + 1]
        if len(w2) < 3:
            return None
        rules = scan.inflecting()
        first = self._pair_starts(w1, rules, scan.language())
        if not first:
            return None
        second = [w2]
        lemma2 = self.lemma_key(w2, rules, scan.language()) if len(w2) >= 4 else None
        if lemma2:
            second.append(lemma2)
        if rules and len(w2) >= 4:
            second.extend(suffix_candidates(w2))
        for a in first:
            for b in second:
                key = f"{a} {b}"
                if (a, b) != (w1, w2) and key in self.names:
                    return (2, key, True)
        return None

    def _pair_starts(self, w1: str, rules: bool, language: str | None) -> tuple[str, ...]:
        """Words that ``w1`` may stand for as the first of a two-word name (memoised)."""
        memo_key = (w1, rules, language)
        found = self._pair_memo.get(memo_key)
        if found is None:
            first = [a for a in (w1, *adjective_forms(w1)) if a in self.starts]
            lemma = self.lemma_key(w1, rules, language)
            if lemma and lemma in self.starts:
                first.append(lemma)
            found = tuple(first)
            if len(self._pair_memo) < MEMO_SIZE:
                self._pair_memo[memo_key] = found
        return found
