"""Word lists the extractor needs, derived once from packaged data and cached.

Two tables, built on first use from the gazetteer's name keys and kept under
``<cache_dir>/extract/`` with a manifest holding a CRC-32 of each file:

``common``
    ``word -> {language: zipf}``: the words that are both part of a gazetteer name and a
    common lower-case word in some European language ("nice", "most", "bath",
    "police", "den"), with their word frequency per language (wordfreq's Zipf scale:
    6 = once per thousand words, 3 = once per million). A word counts as a
    common word in a language when simplemma's dictionary of that language holds
    it in lower case (proper nouns are capitalised there).
``german_nouns``
    ``word -> zipf`` of capitalised German nouns that are also name words
    ("Marke", "Gift", "Horn"): in German text capitals prove nothing for them.
``first_names``
    common first names ("michael", "george", "florence"; gender-guesser's list
    of 48,000 names, those frequent in some country), that are also name words:
    "Michael Smith" is a person, not the Isle of Man's village of Michael.
``follows``
    ``first word -> {joiner + second word: is it a whole name?}`` for every name key
    of two words or more ("nowy" -> {" targ": True}, "wagram" -> {" ob": False}),
    so the matcher stops extending a span after one small lookup (:func:`add_pair`;
    each first word's tails in one string, :func:`~geoleads.spans.encode_tails`).
``starts``
    ``first word -> most words`` of the multi-word name keys, so the matcher only
    tries longer spans where some name can start.
``function_words``
    ``word -> languages`` of the 40 most frequent words of each language, for a
    cheap guess of a tip's language.
``inflected``
    ``inflected form key -> "lang:name key|lang:name key..."``: forms such as
    "krakowie", "praze",
    "москве", "helsingissa", "budapesten" mapped to the gazetteer key of their
    lemma ("krakow", "praha", "москва", ...), from simplemma's dictionaries of
    the languages that inflect place names.

>>> lists = load_wordlists()                 # doctest: +SKIP
>>> lists.lemmas("krakowie"), lists.common["most"]["en"] > 5
('krakow', True)
"""

from __future__ import annotations

import json
import math
import os
import pickle
import re
import sys
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geoleads.errors import GazetteerCacheError
from geoleads.gazetteer.build import name_key
from geoleads.spans import add_pair, encode_tails
from geoleads.text import fold

if TYPE_CHECKING:
    from geoleads.gazetteer import Gazetteer

FORMAT_VERSION = 10

#: Languages whose place names take case endings (simplemma dictionaries).
INFLECTING = (
    "pl", "cs", "sk", "ru", "uk", "bg", "mk", "el", "fi", "et", "hu",
    "lt", "lv", "sl", "hbs", "ro", "de", "is", "ga",
)  # fmt: skip
#: Languages whose common words are checked (simplemma + wordfreq both have them).
COMMON = (
    "en", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "sk", "ru", "uk",
    "bg", "el", "fi", "hu", "sv", "da", "nb", "ro", "lt", "lv", "ca", "sl",
)  # fmt: skip
#: Below this Zipf frequency a word is too rare to matter.
MIN_ZIPF = 2.0


@dataclass(frozen=True)
class WordLists:
    """The cached tables (see the module docstring)."""

    common: dict[str, dict[str, float]]
    inflected: dict[str, str]
    starts: dict[str, int]
    function_words: dict[str, tuple[str, ...]]
    german_nouns: dict[str, float]
    first_names: frozenset[str]
    follows: dict[str, str]

    def lemmas(self, form: str) -> tuple[tuple[str, str], ...]:
        """``(language, name key)`` readings of an inflected form key, e.g. ``("pl", "krakow")``."""
        found = self.inflected.get(form)
        if not found:
            return ()
        return tuple(
            (part[:sep], part[sep + 1 :])
            for part in found.split("|")
            if (sep := part.find(":")) > 0
        )

    def guess_language(self, words: list[str]) -> str | None:
        """The language whose most frequent words ``words`` (folded) use most, if clear.

        >>> lists = load_wordlists()                               # doctest: +SKIP
        >>> lists.guess_language("to jest polska marka i nie tylko".split())  # doctest: +SKIP
        'pl'
        """
        from geoleads.textscan import guess_language  # compiled with the scan (mypyc)

        return guess_language(self.function_words, words)


def _simplemma_dictionary(lang: str) -> dict[bytes, bytes]:
    from simplemma.strategies.dictionaries.dictionary_factory import (
        _load_dictionary_from_disk,
    )

    return _load_dictionary_from_disk(lang)


def _name_words(gazetteer: Gazetteer) -> set[str]:
    words: set[str] = set()
    for key in gazetteer.names:
        words.update(key.split(" "))
    return words


def build_wordlists(
    gazetteer: Gazetteer, say: Callable[[str], None] = lambda _m: None
) -> WordLists:
    """Derive the tables from simplemma, wordfreq, gender-guesser and ``gazetteer``."""
    import wordfreq

    words = _name_words(gazetteer)
    names = gazetteer.names
    common: dict[str, dict[str, float]] = {}
    inflected: dict[str, str] = {}
    german_nouns: dict[str, float] = {}
    for lang in sorted(set(INFLECTING) | set(COMMON)):
        say(f"reading the {lang} dictionary")
        try:
            table = _simplemma_dictionary(lang)
        except ValueError:  # not shipped by this simplemma version
            continue
        check_common = lang in COMMON
        freqs = _frequencies(wordfreq, lang) if check_common or lang == "de" else {}
        check_inflected = lang in INFLECTING
        for raw_form, raw_lemma in table.items():
            form = raw_form.decode("utf-8", "replace")
            if check_common and form[:1].islower():
                key = _key(form)
                if key in words:
                    zipf = _zipf(freqs, form)
                    if zipf >= MIN_ZIPF:
                        langs = common.setdefault(key, {})
                        langs[lang] = max(zipf, langs.get(lang, 0.0))
            if lang == "de" and form[:1].isupper():
                key = _key(form)
                if key in words and key not in german_nouns:
                    zipf = _zipf(freqs, form)
                    if zipf >= 3.0:
                        german_nouns[key] = zipf
            if check_inflected and form[:1].isupper():
                lemma = raw_lemma.decode("utf-8", "replace")
                if not lemma[:1].isupper():
                    continue
                fkey, lkey = _key(form), name_key(lemma)
                if fkey != lkey and lkey in names and fkey not in names and len(lkey) >= 3:
                    entry = f"{lang}:{lkey}"
                    old = inflected.get(fkey)
                    if old is None:
                        inflected[fkey] = entry
                    elif f":{lkey}" not in old and old.count("|") < 4:
                        inflected[fkey] = old + "|" + entry
    starts: dict[str, int] = {}
    follows: dict[str, dict[str, bool]] = {}
    for key in names:
        parts = key.split(" ")
        if len(parts) > 1 and len(parts) > starts.get(parts[0], 1):
            starts[parts[0]] = len(parts)
        if len(parts) > 2:
            add_pair(follows, f"{parts[0]} {parts[1]}", False)
        elif " " in key or "'" in key:
            add_pair(follows, key, True)
    function_words: dict[str, set[str]] = {}
    for lang in COMMON:
        for word in wordfreq.top_n_list(lang, 40):
            function_words.setdefault(name_key(word), set()).add(lang)
    return WordLists(
        common=common,
        inflected=inflected,
        starts=starts,
        function_words={w: tuple(sorted(v)) for w, v in function_words.items()},
        german_nouns=german_nouns,
        first_names=_first_names(words),
        follows={first: encode_tails(tails) for first, tails in follows.items()},
    )


_PLAIN = re.compile(r"^[^\W_]+$")


def _key(word: str) -> str:
    """:func:`name_key` of ``word``, quicker for plain words (most of them)."""
    folded = fold(word)
    return folded if _PLAIN.match(folded) else name_key(word)


def _frequencies(wordfreq: Any, lang: str) -> dict[str, float]:
    try:
        return dict(wordfreq.get_frequency_dict(lang))
    except LookupError:  # wordfreq has no list for this language
        return {}


def _zipf(freqs: dict[str, float], word: str) -> float:
    """wordfreq's Zipf value of ``word`` (log10 of frequency per billion words)."""
    freq = freqs.get(word.lower(), 0.0)
    return round(math.log10(freq) + 9.0, 2) if freq > 0 else 0.0


def _first_names(words: set[str]) -> frozenset[str]:
    """Frequent first names (gender-guesser's nam_dict.txt) that are name words."""
    from importlib.resources import files

    path = files("gender_guesser") / "data" / "nam_dict.txt"
    found = set()
    with path.open("rb") as fh:
        for raw in fh:
            line = raw.decode("latin-1")
            if line.startswith("#") or len(line) < 31 or line[0] not in "MF?1":
                continue
            name = line[3:29].strip()
            freqs = [int(ch, 16) for ch in line[30:85] if ch in "0123456789ABCDEF"]
            if " " in name or "+" in name or not freqs or max(freqs) < 4:
                continue
            key = name_key(name)
            if key in words:
                found.add(key)
    return frozenset(found)


# --- the on-disk cache ----------------------------------------------------------
def _gazetteer_stamp(gazetteer: Gazetteer) -> str:
    if gazetteer.cache_dir is not None:
        manifest = Path(gazetteer.cache_dir) / "gazetteer" / "manifest.json"
        if manifest.exists():
            return str(zlib.crc32(manifest.read_bytes()))
    return f"n{len(gazetteer.names)}"


def _source_stamp(gazetteer: Gazetteer) -> str:
    from importlib.metadata import version

    return (
        f"v{FORMAT_VERSION};gaz:{_gazetteer_stamp(gazetteer)};"
        f"simplemma:{version('simplemma')};wordfreq:{version('wordfreq')}"
    )


def _read(folder: Path, stamp: str) -> WordLists:
    manifest_file = folder / "manifest.json"
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        blob = (folder / "wordlists.pkl").read_bytes()
    except (OSError, ValueError) as err:
        raise GazetteerCacheError(f"no usable word-list cache at {folder}: {err}") from err
    if manifest.get("sources") != stamp:
        raise GazetteerCacheError(f"word-list cache at {folder} is stale")
    if len(blob) != manifest.get("size") or zlib.crc32(blob) != manifest.get("crc32"):
        raise GazetteerCacheError(f"word-list cache at {folder} is corrupt")
    try:
        common, inflected, starts, function_words, german_nouns, first, follows = pickle.loads(blob)
    except Exception as err:  # a CRC match with an unpicklable blob: still corrupt
        raise GazetteerCacheError(f"word-list cache at {folder} is corrupt: {err}") from err
    return WordLists(
        common=common,
        inflected=inflected,
        starts=starts,
        function_words=function_words,
        german_nouns=german_nouns,
        first_names=first,
        follows=follows,
    )


def _write(folder: Path, stamp: str, lists: WordLists) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    blob = pickle.dumps(
        (
            lists.common,
            lists.inflected,
            lists.starts,
            lists.function_words,
            lists.german_nouns,
            lists.first_names,
            lists.follows,
        ),
        protocol=5,
    )
    manifest = {"sources": stamp, "size": len(blob), "crc32": zlib.crc32(blob)}
    for name, data in (
        ("wordlists.pkl", blob),
        ("manifest.json", json.dumps(manifest).encode()),
    ):
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, folder / name)


def _say(msg: str) -> None:
    print(f"geoleads: {msg}", file=sys.stderr, flush=True)


_LOADED: dict[str, WordLists] = {}


def load_wordlists(gazetteer: Gazetteer | None = None) -> WordLists:
    """The cached word lists for ``gazetteer`` (built on first use, then ~0.1 s)."""
    if gazetteer is None:
        from geoleads.gazetteer import get_gazetteer

        gazetteer = get_gazetteer()
    if gazetteer.cache_dir is None:
        key = f"mem:{id(gazetteer)}"
        if key not in _LOADED:
            _LOADED[key] = build_wordlists(gazetteer)
        return _LOADED[key]
    folder = Path(gazetteer.cache_dir) / "extract"
    key = str(folder.resolve())
    if key in _LOADED:
        return _LOADED[key]
    stamp = _source_stamp(gazetteer)
    try:
        lists = _read(folder, stamp)
    except GazetteerCacheError as err:
        _say(f"{err}; building the extractor's word lists (about a minute, once)")
        lists = build_wordlists(gazetteer)
        _write(folder, stamp, lists)
        _say(f"word lists written to {folder}")
    _LOADED[key] = lists
    return lists


# --- the lexicon clues in a compact form ----------------------------------------------
@dataclass(frozen=True)
class ClueTable:
    """The lexicons' clues as plain tuples ``(kind, lang, countries, ambiguous)``.

    Unpickling the lexicons' 28,000 ``Clue`` records takes a quarter of a
    second; plain tuples load in a few hundredths, which matters for the
    start-up of a new ``geoleads geoparse`` process.
    """

    clues: dict[str, tuple[tuple[str, str, tuple[tuple[str, float], ...], bool], ...]]
    context_words: frozenset[str]


def load_clue_table(cache_dir: Path | None) -> ClueTable:
    """The compact clue table, cached under ``<cache_dir>/extract/`` per lexicon fingerprint."""
    from geoleads import lexicons

    stamp = f"v{FORMAT_VERSION}:{lexicons.fingerprint()}"
    folder = Path(cache_dir) / "extract" if cache_dir is not None else None
    if folder is not None:
        try:
            manifest = json.loads((folder / "clues.json").read_text(encoding="utf-8"))
            blob = (folder / "clues.pkl").read_bytes()
            if (
                manifest.get("sources") == stamp
                and manifest.get("size") == len(blob)
                and manifest.get("crc32") == zlib.crc32(blob)
            ):
                table = pickle.loads(blob)
                if isinstance(table, ClueTable):
                    return table
        except (OSError, ValueError, TypeError, EOFError, AttributeError, pickle.UnpicklingError):
            pass  # missing, stale or corrupt: rebuilt below
    lex = lexicons.load_lexicons()
    table = ClueTable(
        clues={
            key: tuple((c.kind, c.lang, tuple(c.countries), bool(c.ambiguous)) for c in clues)
            for key, clues in lex.clues.items()
        },
        context_words=frozenset(fold(w) for words in lex.context_words.values() for w in words),
    )
    if folder is not None:
        blob = pickle.dumps(table, protocol=5)
        manifest = {"sources": stamp, "size": len(blob), "crc32": zlib.crc32(blob)}
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name, data in (
                ("clues.pkl", blob),
                ("clues.json", json.dumps(manifest).encode()),
            ):
                fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}-")
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, folder / name)
        except OSError as err:  # a read-only cache: only slower next time
            _say(f"cannot cache the clue table in {folder}: {err}")
    return table
