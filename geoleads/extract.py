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
The parts: :mod:`geoleads.spans` (the :class:`Span` record, :func:`tokenize`),
:mod:`geoleads.nametables` (the tables and memoised lookups),
:mod:`geoleads.judging` (the evidence rules) and, here, the scan itself.


>>> ex = Extractor()                                        # doctest: +SKIP
>>> [(s.text, s.key) for s in ex.spans("Das ist aus Krakau")]  # doctest: +SKIP
[('Krakau', 'krakau')]
"""

from __future__ import annotations

from geoleads.abbreviations import find_abbreviations
from geoleads.judging import HOME_DISCOUNT, MIN_COMMON_INITIAL, MIN_EVIDENCE, SpanJudge
from geoleads.nametables import MEMO_SIZE, MIN_COMMON_LOWER
from geoleads.spans import (
    _JOINERS,
    _WORD,
    ClueInfo,
    EntityColumns,
    KeyInfo,
    Span,
    cut_words,
    entity_columns,
    tokenize,
)
from geoleads.text import fold
from geoleads.textscan import TextScan, lower_at, upper_at

__all__ = [
    "HOME_DISCOUNT",
    "MEMO_SIZE",
    "MIN_COMMON_INITIAL",
    "MIN_COMMON_LOWER",
    "MIN_EVIDENCE",
    "_WORD",
    "ClueInfo",
    "EntityColumns",
    "Extractor",
    "KeyInfo",
    "Span",
    "entity_columns",
    "tokenize",
]


class Extractor(SpanJudge):
    """Finds :class:`Span` s in text with the gazetteer and the lexicons."""

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
        words, starts, ends = cut_words(folded)
        if not words:
            return [], language
        scan = TextScan(text, folded, starts, ends, words, language, self.words, self.votes)
        return self._scan(scan), scan.language()

    def _scan(self, scan: TextScan) -> list[Span]:
        text, folded, starts, ends = scan.text, scan.folded, scan.starts, scan.ends
        words = scan.words
        out: list[Span] = []
        i, n = 0, len(words)
        names, clues = self.names, self.clues
        context, shouting = self.context, scan.shouting
        winfo = self._word_memo
        while i < n:
            w = words[i]
            best: tuple[int, str, bool] | None = None  # (words, key, inflected)
            info = winfo.get(w)
            if info is None:
                info = self._word_info(w)
            longest, known, skip, tails = info
            # the common case, quickly: no name starts here, and no inflected one can
            if (
                longest == 1
                and not known
                and (
                    len(w) < 4
                    or not (
                        upper_at(text, starts[i]) or shouting or (i > 0 and words[i - 1] in context)
                    )
                )
            ):
                i += 1
                continue
            if longest > 1:
                parts = [w]
                for j in range(i + 1, min(n, i + longest)):
                    sep = folded[ends[j - 1] : starts[j]]
                    if sep not in _JOINERS:
                        break
                    tail = ("'" if "'" in sep or "\u2019" in sep else " ") + words[j]
                    parts.append(tail)
                    if j == i + 1:  # one small lookup: a name, the start of one, or neither
                        whole = tails.get(tail)
                        if whole is None:
                            break  # no name starts with these two words
                        if whole:
                            best = (2, w + tail, False)
                        continue
                    key = "".join(parts)
                    if key in names or key in clues:
                        best = (j - i + 1, key, False)
            if best is None and known:
                if (
                    skip
                    and (len(w) <= 3 or (not shouting and lower_at(text, starts[i])))
                    and not (i > 0 and words[i - 1] in context)
                ):
                    i += 1  # "most", "nice", "Das", "Je": a word, quickly
                    continue
                best = (1, w, False)
            hinted = (
                upper_at(text, starts[i])
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
        hits = find_abbreviations(text)
        if not hits:
            return spans
        extra = []
        ends = {s.end: s for s in spans}
        admin1 = entity_columns(self.gazetteer).admin1
        for m, code in hits:
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
