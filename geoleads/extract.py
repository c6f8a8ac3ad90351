"""Find the spans of a tip that name places, demonyms, languages or regions.

Matching runs on :func:`geoleads.text.fold`-ed text (case and diacritics
folded, offsets kept), one word at a time: at each word the longest run of
words whose :func:`~geoleads.gazetteer.name_key` is a gazetteer name or a
lexicon clue wins. Word boundaries come from ``\\w`` runs, so Latin, Cyrillic
and Greek words are cut alike; hyphens, dots and apostrophes may join the
words of one name ("Saint-Étienne", "St. Gallen", "L'Aquila").

Inflected forms ("w Krakowie", "v Praze", "в Москве", "Helsingissä",
"Budapesten") are looked up in the inflection table of
:mod:`geoleads.wordlists` (simplemma's dictionaries), then by suffix rules
(:mod:`geoleads.inflect`) for villages that no dictionary knows.

Every span gets an ``evidence`` in 0..1 from its spelling and surroundings:
capitals, a context word before it ("in", "aus", "w", "в", ...), whether the
name is also a common word ("Nice", "Most", "Bath", "Police"), its size.
Spans below :data:`MIN_EVIDENCE` are dropped.

>>> ex = Extractor()                                        # doctest: +SKIP
>>> [(s.text, s.key) for s in ex.spans("Das ist aus Krakau")]  # doctest: +SKIP
[('Krakau', 'krakau')]
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from geoleads.abbreviations import find_abbreviations
from geoleads.cuewords import (
    CALENDAR,
    CONTEXT_WORDS,
    DETERMINERS,
    PERSON_NEXT,
    SHOPS,
    STREETS,
    TITLES,
    WEAK_CONTEXT,
)
from geoleads.errors import GeoleadsError
from geoleads.gazetteer.build import name_key
from geoleads.inflect import suffix_candidates
from geoleads.text import fold
from geoleads.textscan import (
    TextScan,
    adjective_forms,
    capitalised_neighbour,
    home_languages,
    sentence_initial,
)
from geoleads.wordlists import ClueTable, WordLists, load_clue_table, load_wordlists

if TYPE_CHECKING:
    from geoleads.gazetteer import Gazetteer

_log = logging.getLogger(__name__)
#: A capitalised alias opening a sentence is dropped when it is a word this common (Zipf).
MIN_COMMON_INITIAL = 2.0
#: A lower-case name is dropped when it is a word this common, unless a preposition precedes.
MIN_COMMON_LOWER = 2.5
#: How much less (Zipf) a one-language word counts in its place's own language.
HOME_DISCOUNT = 1.2
MIN_EVIDENCE = 0.5
#: Most entries kept in each per-word / per-key memo table.
MEMO_SIZE = 500_000
_WORD = re.compile(r"[^\W\d_]+")
_JOINERS = {" ", "-", "\u2013", "\u2010", "\u2011", "'", "\u2019", ". ", ".", "\u00a0"}


def tokenize(folded: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The words (runs of letters) of ``folded`` and their ``(start, end)`` offsets.

    >>> tokenize("w krakowie, 2x")
    (['w', 'krakowie', 'x'], [(0, 1), (2, 10), (13, 14)])
    """
    words: list[str] = _WORD.findall(folded)
    # offsets without match objects: only non-letters lie between two words,
    # so each word's first occurrence after the previous one is where it matched
    toks: list[tuple[int, int]] = []
    pos = 0
    for w in words:
        start = folded.find(w, pos)
        pos = start + len(w)
        toks.append((start, pos))
    return words, toks


@dataclass(frozen=True)
class EntityColumns:
    """The gazetteer's entity columns (shared, read-only).

    ``pop`` and ``name`` are numpy arrays; the codes read per reading on the
    hot path are plain lists (indexing a list is several times faster).
    """

    pop: Any
    level: list[str]
    country: list[str]
    admin1: list[str]
    name: Any


_COLUMNS: dict[int, EntityColumns] = {}


def entity_columns(gazetteer: Gazetteer) -> EntityColumns:
    """Numpy columns of ``gazetteer.entities``, built once per gazetteer."""
    cols = _COLUMNS.get(id(gazetteer))
    if cols is None:
        e = gazetteer.entities
        cols = EntityColumns(
            pop=e["population"].to_numpy(),
            level=e["level"].astype(str).to_numpy().tolist(),
            country=e["country"].astype(str).to_numpy().tolist(),
            admin1=e["admin1"].astype(str).to_numpy().tolist(),
            name=e["name"].to_numpy(),
        )
        _COLUMNS[id(gazetteer)] = cols
    return cols


class Span:
    """A candidate span before resolution (read-only by convention).

    ``rows`` are gazetteer rows for a place, ``clues`` lexicon clues for a
    demonym, language or macro-region; ``key`` is the name key that matched
    (the lemma's key for an inflected form). A plain class, not a frozen
    dataclass, because it is made for every candidate name on the hot path
    (mypyc compiles it to a C struct); equality, hash and repr are a dataclass's.

    >>> Span(0, 6, "Krakau", "place", "krakau", (7,), (), 0.9)
    Span(start=0, end=6, text='Krakau', kind='place', key='krakau', rows=(7,), clues=(), \
evidence=0.9, inflected=False)
    """

    start: int
    end: int
    text: str
    kind: str
    key: str
    rows: tuple[int, ...]
    clues: tuple[Any, ...]
    evidence: float
    inflected: bool

    def __init__(
        self,
        start: int,
        end: int,
        text: str,
        kind: str,
        key: str,
        rows: tuple[int, ...],
        clues: tuple[Any, ...],
        evidence: float,
        inflected: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.kind = kind
        self.key = key
        self.rows = rows
        self.clues = clues
        self.evidence = evidence
        self.inflected = inflected

    def _fields(self) -> tuple[Any, ...]:
        return (
            self.start,
            self.end,
            self.text,
            self.kind,
            self.key,
            self.rows,
            self.clues,
            self.evidence,
            self.inflected,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Span):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"Span(start={self.start!r}, end={self.end!r}, text={self.text!r}, "
            f"kind={self.kind!r}, key={self.key!r}, rows={self.rows!r}, clues={self.clues!r}, "
            f"evidence={self.evidence!r}, inflected={self.inflected!r})"
        )


class ClueInfo(NamedTuple):
    """A lexicon clue of a span: a demonym, language or macro-region reading."""

    kind: str
    lang: str
    countries: tuple[tuple[str, float], ...]
    ambiguous: bool


#: Per name key: gazetteer rows, clues, a region among them?, a region called so?
KeyInfo = tuple[tuple[int, ...], tuple[ClueInfo, ...], bool, bool]


def _load_clues(cache_dir: Any) -> ClueTable | None:
    """The lexicons' clues (compact, cached), or ``None`` (logged) when they are broken."""
    try:
        return load_clue_table(cache_dir)
    except (ImportError, GeoleadsError) as err:
        _log.warning("lexicons unavailable, demonyms and language clues are off: %s", err)
        return None


class Extractor:
    """Finds :class:`Span` s in text with the gazetteer and the lexicons."""

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
        # two-word beginnings of the longer names and clues ("wagram ob")
        self.prefixes = self.words.prefixes | {
            " ".join(key.split(" ")[:2]) for key in self.clues if key.count(" ") >= 2
        }
        self._inflect_memo: dict[str, str | None] = {}
        self._word_memo: dict[str, tuple[int, bool, bool]] = {}
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

    def _word_info(self, w: str) -> tuple[int, bool, bool]:
        """(longest name starting with ``w`` in words, is ``w`` a name or clue, common word?).

        One small memo instead of four probes of the big tables per word.
        """
        longest = max(self.starts.get(w, 1), self.clue_starts.get(w, 1))
        info = (longest, w in self.names or w in self.clues, w in self.lower_skip)
        if len(self._word_memo) < MEMO_SIZE:
            self._word_memo[w] = info
        return info

    def _rows(self, key: str) -> tuple[int, ...]:
        hit = self.names.get(key)
        if hit is None:
            return ()
        return (hit,) if isinstance(hit, int) else hit

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

    # --- the scan ----------------------------------------------------------------
    def spans(self, text: str, language: str | None = None) -> list[Span]:
        """Every accepted span of ``text``, left to right, not overlapping.

        ``language`` (ISO 639-1) is the text's language if known; otherwise it is
        guessed from the text's commonest words when a decision needs it (suffix
        rules for inflected names; German nouns such as "Marke" or "Horn").
        """
        return self.scan(text, language)[0]

    def scan(self, text: str, language: str | None = None) -> tuple[list[Span], str | None]:
        """:meth:`spans` and the text's language (``language``, or the guess, or ``None``)."""
        folded = fold(text)
        words, toks = tokenize(folded)
        if not words:
            return [], language
        scan = TextScan(text, folded, toks, words, language, self.words)
        return self._scan(scan), scan.language()

    def _scan(self, scan: TextScan) -> list[Span]:
        text, folded, toks = scan.text, scan.folded, scan.toks
        words = scan.words
        out: list[Span] = []
        i, n = 0, len(toks)
        names, clues = self.names, self.clues
        context, shouting, prefixes = self.context, scan.shouting, self.prefixes
        winfo = self._word_memo
        while i < n:
            w = words[i]
            best: tuple[int, str, bool] | None = None  # (words, key, inflected)
            info = winfo.get(w)
            if info is None:
                info = self._word_info(w)
            longest, known, skip = info
            # the common case, quickly: no name starts here, and no inflected one can
            if (
                longest == 1
                and not known
                and (
                    len(w) < 4
                    or not (
                        text[toks[i][0]].isupper()
                        or shouting
                        or (i > 0 and words[i - 1] in context)
                    )
                )
            ):
                i += 1
                continue
            if longest > 1:
                parts = [w]
                for j in range(i + 1, min(n, i + longest)):
                    sep = folded[toks[j - 1][1] : toks[j][0]]
                    if sep not in _JOINERS:
                        break
                    parts.append(("'" if "'" in sep or "\u2019" in sep else " ") + words[j])
                    key = "".join(parts)
                    if key in names or key in clues:
                        best = (j - i + 1, key, False)
                    elif j == i + 1 and key not in prefixes:
                        break  # no longer name starts with these two words
            if best is None and known:
                if (
                    skip
                    and (len(w) <= 3 or (not shouting and text[toks[i][0]].islower()))
                    and not (i > 0 and words[i - 1] in context)
                ):
                    i += 1  # "most", "nice", "Das", "Je": a word, quickly
                    continue
                best = (1, w, False)
            hinted = (
                text[toks[i][0]].isupper()
                or scan.shouting
                or (i > 0 and words[i - 1] in self.context)
            )
            if hinted and len(w) >= 4 and i + 1 < n and (best is None or best[0] == 1):
                pair = self._inflected_pair(scan, i)
                if pair is not None:
                    best = pair
            if best is None and hinted and len(w) >= 4:
                # suffix rules: in an inflecting language, or after a preposition
                lang = scan.language()
                suffixes = lang is not None or (i > 0 and words[i - 1] in context)
                lemma = self.lemma_key(w, scan.inflecting(), lang, suffixes)
                if lemma is not None:
                    best = (1, lemma, True)
            if best is None:
                i += 1
                continue
            nwords, key, inflected = best
            span = self._judge(scan, i, nwords, key, inflected)
            if span is not None:
                out.append(span)
                i += nwords
            else:
                i += 1
        if not scan.shouting and any(c.isupper() for c in text):
            out = self._with_abbreviations(text, out)
        return out

    def _with_abbreviations(self, text: str, spans: list[Span]) -> list[Span]:
        """Add "U.S.", "UK", ", Ga." spans (they win over overlapping name spans)."""
        extra = []
        ends = {s.end: s for s in spans}
        admin1 = entity_columns(self.gazetteer).admin1
        for m, code in find_abbreviations(text):
            if code.startswith("US.") and "." not in m.group(0):
                # "Springfield, IL": only after a name with a reading in that state
                before = ends.get(m.start() - 2)
                if before is None or not any(admin1[r] == code for r in before.rows):
                    continue
            try:
                gaz = self.gazetteer
                row = gaz.admin1(code).row if "." in code else gaz.country(code).row
            except LookupError:  # not in this gazetteer
                continue
            extra.append(
                Span(m.start(), m.end(), m.group(0), "place", fold(m.group(0)), (row,), (), 0.9)
            )
        if not extra:
            return spans
        kept = [s for s in spans if not any(e.start < s.end and s.start < e.end for e in extra)]
        return sorted(kept + extra, key=lambda s: s.start)

    def _inflected_pair(self, scan: TextScan, i: int) -> tuple[int, str, bool] | None:
        """Two-word names with inflected words ("Nowym Targu" -> "nowy targ")."""
        words, toks = scan.words, scan.toks
        sep = scan.folded[toks[i][1] : toks[i + 1][0]]
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

    def _name_follows(self, scan: TextScan, i: int) -> bool:
        """Whether the word after token ``i`` names a country or region ("Mobile Alabama")."""
        if i + 1 >= len(scan.words):
            return False
        return any(self._level[r] != "locality" for r in self._rows(scan.words[i + 1]))

    def _followed_by_region(self, scan: TextScan, end_tok: int) -> bool:
        """Whether ", <country or admin1>" follows token ``end_tok`` ("Horn, Sweden")."""
        toks, words = scan.toks, scan.words
        if end_tok + 1 >= len(toks):
            return False
        gap = scan.folded[toks[end_tok][1] : toks[end_tok + 1][0]]
        if gap.strip() not in (",", "(") or len(gap) > 3:
            return False
        key = words[end_tok + 1]
        for j in range(end_tok + 1, min(len(toks), end_tok + 4)):
            if j > end_tok + 1:
                key += " " + words[j]
            for r in self._rows(key):
                if self._level[r] in ("country", "admin1"):
                    return True
        return False

    def _judge(self, scan: TextScan, i: int, nwords: int, key: str, inflected: bool) -> Span | None:
        text, toks, words = scan.text, scan.toks, scan.words
        start, end = toks[i][0], toks[i + nwords - 1][1]
        kinfo = self._key_memo.get(key)
        if kinfo is None:
            kinfo = self._key_info(key)
        rows, clue, regional, region_named = kinfo
        if not rows and not clue:
            return None
        before = words[i - 1] if i > 0 else ""
        initial = sentence_initial(text, start)
        cap = text[start].isupper() and not scan.shouting
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
            if i + 1 < len(words) and words[i + 1] in STREETS and text[toks[i + 1][0]].isupper():
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
