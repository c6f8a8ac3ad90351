"""Hand-curated lexicons: demonyms, language clues, macro-regions, context words.

The files live in ``data/lexicons/`` (TSV with a header, documented in its
README). :func:`load_lexicons` reads them once per process and expands every
lemma into its inflected forms (:mod:`geoleads.paradigms`), keyed by
:func:`geoleads.gazetteer.name_key` of the surface form:

>>> lex = load_lexicons()
>>> [(c.kind, c.countries) for c in lex.clues["polnische"]][:1]
[('demonym', (('PL', 1.0),))]
>>> sorted(code for code, _ in lex.clues["skandinavien"][0].countries)
['DK', 'NO', 'SE']
>>> "aus" in lex.context_words["de"], "gekauft" in lex.cue_words["de"]
(True, True)
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

from geoleads import paradigms
from geoleads.config import DATA_DIR, Settings
from geoleads.errors import LexiconError
from geoleads.gazetteer import name_key
from geoleads.paradigms import adjective_forms, language_forms

#: Where the lexicon files live.
LEXICON_DIR = DATA_DIR / "lexicons"

ClueKind = Literal["demonym", "language", "macro"]
_KIND_ORDER = {"demonym": 0, "language": 1, "macro": 2}
_CODE = re.compile(r"^[A-Z]{2}$")
_WEIGHT_TOLERANCE = 0.02
MIN_KEY_LENGTH = 3
CACHE_VERSION = 1
_PARADIGMS = Path(paradigms.__file__)


class Clue(NamedTuple):
    """One reading of a lexicon form: which countries it points to, with weights.

    ``ref`` names the entry the form came from: the country code(s) of a demonym,
    the ISO 639 code of a language, the id of a macro-region. ``ambiguous`` marks
    forms that are also common words ("polish", "Pole", "roman", "polka"): an
    extractor should take them only when capitalised or after a context word.
    (A named tuple, not a dataclass: tens of thousands load from the cache fast.)
    """

    kind: str
    form: str
    lang: str
    countries: tuple[tuple[str, float], ...]
    ref: str = ""
    ambiguous: bool = False


@dataclass(frozen=True)
class Lexicons:
    """Every clue keyed by ``name_key(form)``, plus context and cue words per language."""

    clues: dict[str, tuple[Clue, ...]]
    context_words: dict[str, frozenset[str]]
    cue_words: dict[str, frozenset[str]]
    max_words: int
    languages: tuple[str, ...] = field(default=())

    def lookup(self, text: str) -> tuple[Clue, ...]:
        """The clues of a surface form (any case, diacritics, hyphens).

        >>> [c.lang for c in load_lexicons().lookup("Po-Polsku")]
        ['pl']
        """
        return self.clues.get(name_key(text), ())

    def forms_per_language(self) -> dict[str, dict[str, int]]:
        """How many distinct keys each language has, per clue kind."""
        counts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for key, clues in self.clues.items():
            for clue in clues:
                counts[clue.lang][clue.kind].add(key)
        return {
            lang: {kind: len(keys) for kind, keys in sorted(kinds.items())}
            for lang, kinds in sorted(counts.items())
        }


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a TSV lexicon file as dicts; ``#`` lines and blank lines are skipped."""
    if not path.is_file():
        raise LexiconError(f"{path}: lexicon file is missing")
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [(n, line) for n, line in enumerate(handle, 1) if line.strip()]
    lines = [(n, line) for n, line in lines if not line.startswith("#")]
    if not lines:
        raise LexiconError(f"{path}: empty lexicon file")
    header = lines[0][1].rstrip("\r\n").split("\t")
    if tuple(header) != columns:
        raise LexiconError(f"{path}: header must be {'|'.join(columns)}, got {'|'.join(header)}")
    for number, line in lines[1:]:
        cells = line.rstrip("\r\n").split("\t")
        if len(cells) > len(columns):
            raise LexiconError(f"{path}:{number}: {len(cells)} cells, expected {len(columns)}")
        cells += [""] * (len(columns) - len(cells))
        yield number, dict(zip(columns, (c.strip() for c in cells), strict=True))


@lru_cache(maxsize=1)
def _territories() -> frozenset[str]:
    """Two-letter territory codes CLDR knows (ISO 3166-1 plus XK for Kosovo)."""
    from babel import Locale

    return frozenset(str(code) for code in Locale("en").territories if _CODE.match(str(code)))


def parse_countries(cell: str, where: str = "") -> tuple[tuple[str, float], ...]:
    """``"DE:0.75,AT:0.15,CH:0.1"`` or ``"PL"`` -> weighted codes, normalised to sum 1.

    >>> parse_countries("DE:0.75, AT:0.15, CH:0.1")
    (('DE', 0.75), ('AT', 0.15), ('CH', 0.1))
    >>> parse_countries("PL")
    (('PL', 1.0),)
    """
    pairs: list[tuple[str, float]] = []
    for item in (part.strip() for part in cell.split(",")):
        if not item:
            continue
        code, _, weight = item.partition(":")
        code = code.strip()
        if not _CODE.match(code) or code not in _territories():
            raise LexiconError(f"{where}: {code!r} is not an ISO 3166-1 alpha-2 code")
        try:
            value = float(weight) if weight else 1.0
        except ValueError:
            raise LexiconError(f"{where}: weight {weight!r} of {code} is not a number") from None
        if not 0 < value <= 1:
            raise LexiconError(f"{where}: weight {value} of {code} is not in (0, 1]")
        pairs.append((code, value))
    if not pairs:
        raise LexiconError(f"{where}: no country given")
    if len({code for code, _ in pairs}) != len(pairs):
        raise LexiconError(f"{where}: a country is listed twice in {cell!r}")
    total = sum(value for _, value in pairs)
    if abs(total - 1) > _WEIGHT_TOLERANCE:
        raise LexiconError(f"{where}: weights sum to {total:.3f}, not 1")
    return tuple((code, round(value / total, 6)) for code, value in pairs)


def _items(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(",") if item.strip()]


def _expand(lang: str, cell: str, inflect: bool) -> list[str]:
    """Expand a cell: ``lemma`` (inflected when ``inflect``), ``=form`` literal, ``a|b`` list."""
    forms: list[str] = []
    for item in _items(cell):
        if "|" in item:
            forms += [part.strip() for part in item.split("|") if part.strip()]
        elif item.startswith("="):
            forms.append(item[1:].strip())
        elif inflect:
            forms += adjective_forms(lang, item)
        else:
            forms.append(item)
    return forms


class _Builder:
    """Collects clues, checking every key as it goes."""

    def __init__(self) -> None:
        self.clues: dict[str, dict[tuple[str, str, str], Clue]] = defaultdict(dict)
        self.ambiguous: set[str] = set()

    def add(
        self,
        kind: str,
        lang: str,
        forms: list[str],
        countries: tuple[tuple[str, float], ...],
        ref: str,
        ambiguous: str,
        where: str,
    ) -> None:
        self.ambiguous.update(name_key(item) for item in _items(ambiguous))
        for form in forms:
            key = name_key(form)
            if len(key) < MIN_KEY_LENGTH:
                raise LexiconError(f"{where}: form {form!r} is shorter than {MIN_KEY_LENGTH}")
            self.clues[key].setdefault((kind, lang, ref), Clue(kind, form, lang, countries, ref))

    def result(self) -> dict[str, tuple[Clue, ...]]:
        """Clues per key, demonyms first; a key flagged ambiguous anywhere is flagged everywhere."""
        out = {}
        for key, found in self.clues.items():
            clues = sorted(found.values(), key=lambda c: _KIND_ORDER[c.kind])
            if key in self.ambiguous:
                clues = [clue._replace(ambiguous=True) for clue in clues]
            out[key] = tuple(clues)
        return out


def _read_demonyms(folder: Path, out: _Builder) -> None:
    path = folder / "demonyms.tsv"
    columns = ("lang", "countries", "adjectives", "people", "ambiguous")
    for number, row in _rows(path, columns):
        where = f"{path.name}:{number}"
        countries = parse_countries(row["countries"], where)
        ref = "+".join(code for code, _ in countries)
        forms = _expand(row["lang"], row["adjectives"], True)
        forms += _expand(row["lang"], row["people"], False)
        if not forms:
            raise LexiconError(f"{where}: no adjective and no people form")
        out.add("demonym", row["lang"], forms, countries, ref, row["ambiguous"], where)


def _read_languages(folder: Path, out: _Builder) -> None:
    spoken: dict[str, tuple[tuple[str, float], ...]] = {}
    path = folder / "languages.tsv"
    for number, row in _rows(path, ("language", "countries", "note")):
        spoken[row["language"]] = parse_countries(row["countries"], f"{path.name}:{number}")
    for name in ("language_names.tsv", "language_extra.tsv"):
        path = folder / name
        generated = name == "language_names.tsv"
        for number, row in _rows(path, ("lang", "language", "forms", "ambiguous")):
            where = f"{path.name}:{number}"
            if row["language"] not in spoken:
                raise LexiconError(f"{where}: language {row['language']!r} not in languages.tsv")
            forms: list[str] = []
            for item in _items(row["forms"]):
                if generated:
                    forms += language_forms(row["lang"], item)
                else:
                    forms += _expand(row["lang"], item, False)
            ambiguous = row["ambiguous"]
            countries = spoken[row["language"]]
            out.add("language", row["lang"], forms, countries, row["language"], ambiguous, where)


def _read_macros(folder: Path, out: _Builder) -> None:
    members: dict[str, tuple[tuple[str, float], ...]] = {}
    path = folder / "macros.tsv"
    for number, row in _rows(path, ("macro", "countries", "note")):
        members[row["macro"]] = parse_countries(row["countries"], f"{path.name}:{number}")
    path = folder / "macro_names.tsv"
    for number, row in _rows(path, ("lang", "macro", "names", "adjectives", "ambiguous")):
        where = f"{path.name}:{number}"
        if row["macro"] not in members:
            raise LexiconError(f"{where}: macro-region {row['macro']!r} not in macros.tsv")
        forms = _expand(row["lang"], row["names"], False)
        forms += _expand(row["lang"], row["adjectives"], True)
        countries = members[row["macro"]]
        ambiguous = row["ambiguous"]
        out.add("macro", row["lang"], forms, countries, row["macro"], ambiguous, where)


def _read_context(folder: Path) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    sets: dict[str, dict[str, set[str]]] = {"context": defaultdict(set), "cue": defaultdict(set)}
    path = folder / "context_words.tsv"
    for number, row in _rows(path, ("lang", "set", "words")):
        if row["set"] not in sets:
            raise LexiconError(f"{path.name}:{number}: set must be context or cue")
        sets[row["set"]][row["lang"]].update(name_key(w) for w in _items(row["words"]))
    context, cue = ({lang: frozenset(words) for lang, words in sets[s].items()} for s in sets)
    return context, cue


def read_lexicons(folder: Path | str = LEXICON_DIR) -> Lexicons:
    """Read and expand the lexicon files in ``folder`` (uncached; raises LexiconError)."""
    folder = Path(folder)
    builder = _Builder()
    _read_demonyms(folder, builder)
    _read_languages(folder, builder)
    _read_macros(folder, builder)
    clues = builder.result()
    context, cue = _read_context(folder)
    langs = sorted({clue.lang for found in clues.values() for clue in found})
    max_words = max(len(key.split()) for key in clues)
    return Lexicons(clues, context, cue, max_words, tuple(langs))


def fingerprint(folder: Path | str = LEXICON_DIR) -> str:
    """A hash of the lexicon files and of the code that expands them."""
    digest = hashlib.sha1(f"v{CACHE_VERSION}".encode())
    for path in [*sorted(Path(folder).glob("*.tsv")), Path(__file__), _PARADIGMS]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


# What unpickling a truncated, corrupt or outdated cache file can raise.
_BAD_CACHE = (
    OSError,
    pickle.UnpicklingError,
    EOFError,
    AttributeError,
    TypeError,
    ValueError,
    ImportError,
)


def _cached(folder: Path, cache_dir: Path) -> Lexicons:
    """Read the expanded lexicons from ``cache_dir`` or build and write them there."""
    path = cache_dir / f"lexicons-{fingerprint(folder)}.pkl"
    if path.is_file():
        try:
            with path.open("rb") as handle:
                cached = pickle.load(handle)
            if isinstance(cached, Lexicons):
                return cached
        except _BAD_CACHE:
            pass  # a corrupt or foreign cache file is rebuilt below
    lexicons = read_lexicons(folder)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in cache_dir.glob("lexicons-*.pkl"):
            old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".lexicons-", dir=cache_dir)
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(lexicons, handle, protocol=5)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache folder only costs the 0.3 s of parsing next time
    return lexicons


@lru_cache(maxsize=1)
def load_lexicons() -> Lexicons:
    """The lexicons of ``data/lexicons/``, read once per process.

    The expanded result is kept in ``$GEOLEADS_CACHE_DIR/lexicons-<hash>.pkl``
    (rebuilt whenever a lexicon file or the paradigm code changes), so a new
    process loads it in a few milliseconds instead of re-inflecting every lemma.
    """
    return _cached(LEXICON_DIR, Settings.from_env().cache_dir)
