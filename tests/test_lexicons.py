"""The real lexicon files: known entries, valid codes, weights, key hygiene, errors."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from geoleads.errors import LexiconError
from geoleads.gazetteer import Gazetteer, name_key
from geoleads.lexicons import (
    LEXICON_DIR,
    MIN_KEY_LENGTH,
    Lexicons,
    _cached,
    load_lexicons,
    parse_countries,
    read_lexicons,
)
from geoleads.paradigms import adjective_forms, language_forms

BUILDER = LEXICON_DIR / "build_lexicons.py"
REQUIRED = ("en", "fr", "de", "es", "it", "nl", "pl", "pt", "cs", "sv", "ru")


@pytest.fixture(scope="module")
def lex() -> Lexicons:
    return load_lexicons()


def countries(lex: Lexicons, form: str, kind: str, lang: str | None = None) -> dict[str, float]:
    """The countries of the first clue of ``kind`` (and ``lang``) for ``form``."""
    for clue in lex.lookup(form):
        if clue.kind == kind and (lang is None or clue.lang == lang):
            return dict(clue.countries)
    raise AssertionError(f"no {kind} clue for {form!r}: {lex.lookup(form)}")


@pytest.mark.parametrize(
    "form",
    ["polnische", "polnischen", "polonaise", "polonaises", "polskiego", "polską", "polscy",
     "Polak", "Polacy", "польский", "польского", "поляки", "polaco", "polacas", "polacchi",
     "Poolse", "polonês", "polonesa", "polských", "polští", "polskt", "Polish", "Poles"],
)  # fmt: skip
def test_polish_demonyms_point_to_poland(lex: Lexicons, form: str) -> None:
    assert countries(lex, form, "demonym") == {"PL": 1.0}


@pytest.mark.parametrize(
    ("form", "code"),
    [("tchèque", "CZ"), ("Tschechisch", "CZ"), ("české", "CZ"), ("deutschen", "DE"),
     ("allemande", "DE"), ("niemieckiej", "DE"), ("немецкого", "DE"), ("Schweizer", "CH"),
     ("suisse", "CH"), ("österreichischen", "AT"), ("französisches", "FR"), ("Duitse", "DE"),
     ("alemanes", "DE"), ("belgische", "BE"), ("svenskt", "SE"), ("ruští", "RU"),
     ("portugueses", "PT"), ("espanhóis", "ES"), ("tedeschi", "DE"), ("greci", "GR"),
     ("Chinese", "CN"), ("amerikanischen", "US"), ("puolalaisessa", "PL"), ("πολωνικά", "PL"),
     ("польською", "PL"), ("poljskog", "PL"), ("пољског", "PL"), ("poloneză", "PL"),
     ("lenkiškas", "PL"), ("németek", "DE")],
)  # fmt: skip
def test_demonyms_in_many_languages(lex: Lexicons, form: str, code: str) -> None:
    assert countries(lex, form, "demonym") == {code: 1.0}


def test_german_polen_is_people_and_the_country_is_in_the_gazetteer(
    lex: Lexicons, gazetteer: Gazetteer
) -> None:
    assert countries(lex, "Polen", "demonym", "de") == {"PL": 1.0}
    assert gazetteer.place(gazetteer.rows_for("polen")[0]).country == "PL"


def test_german_language_weights(lex: Lexicons) -> None:
    weights = countries(lex, "German", "language")
    assert set(weights) == {"DE", "AT", "CH"}
    assert weights["DE"] > weights["AT"] > 0 and weights["CH"] > 0
    assert sum(weights.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("form", "code"),
    [("po polsku", "PL"), ("по-польски", "PL"), ("auf Polnisch", "PL"), ("en polonais", "PL"),
     ("in het Pools", "PL"), ("på svenska", "SE"), ("po czesku", "CZ"), ("по-чешски", "CZ"),
     ("česky", "CZ"), ("v češtině", "CZ"), ("Czech", "CZ"), ("em português", "PT"),
     ("lengyelül", "PL"), ("po slovensky", "SK"), ("suomeksi", "FI")],
)  # fmt: skip
def test_language_clues(lex: Lexicons, form: str, code: str) -> None:
    weights = countries(lex, form, "language")
    assert max(weights, key=lambda c: weights[c]) == code


def test_pluricentric_languages_spread(lex: Lexicons) -> None:
    assert set(countries(lex, "Dutch", "language")) == {"NL", "BE"}
    assert {"PT", "BR"} <= set(countries(lex, "Portuguese", "language"))
    assert {"FR", "BE", "CH"} <= set(countries(lex, "français", "language"))


@pytest.mark.parametrize(
    ("form", "members"),
    [("Skandinavien", {"SE", "NO", "DK"}), ("Scandinavie", {"SE", "NO", "DK"}),
     ("Skandynawii", {"SE", "NO", "DK"}), ("Скандинавия", {"SE", "NO", "DK"}),
     ("Bałkanach", {"RS", "HR", "BG", "GR"}), ("pays baltes", {"LT", "LV", "EE"}),
     ("Benelux", {"NL", "BE", "LU"}), ("Osteuropa", {"PL", "UA", "RU"}),
     ("ex-Yugoslavia", {"RS", "HR", "BA", "SI"}), ("ZSRR", {"RU", "UA"}), ("USA", {"US"})],
)  # fmt: skip
def test_macro_regions(lex: Lexicons, form: str, members: set[str]) -> None:
    assert members <= set(countries(lex, form, "macro"))


def test_every_country_code_is_in_the_gazetteer(lex: Lexicons, gazetteer: Gazetteer) -> None:
    known = set(gazetteer.country_codes)
    used = {code for clues in lex.clues.values() for c in clues for code, _ in c.countries}
    assert used - known == set()
    assert len(used) > 80


def test_weights_sum_to_one_and_keys_are_clean(lex: Lexicons) -> None:
    for key, clues in lex.clues.items():
        assert key == name_key(key) and len(key) >= MIN_KEY_LENGTH, key
        assert clues, key
        for clue in clues:
            assert clue.kind in ("demonym", "language", "macro")
            assert name_key(clue.form) == key
            assert sum(w for _, w in clue.countries) == pytest.approx(1.0, abs=1e-5), clue
            assert all(w > 0 for _, w in clue.countries), clue


def test_coverage_per_language(lex: Lexicons) -> None:
    counts = lex.forms_per_language()
    for lang in REQUIRED:
        assert counts[lang]["demonym"] >= 200, (lang, counts[lang])
        assert counts[lang]["language"] >= 100, (lang, counts[lang])
        assert counts[lang]["macro"] >= 80, (lang, counts[lang])
        assert len(lex.context_words[lang]) >= 10 and len(lex.cue_words[lang]) >= 20
    assert len(counts) >= 25
    assert lex.max_words == max(len(k.split()) for k in lex.clues)


def test_every_macro_region_is_named_in_the_main_languages(lex: Lexicons) -> None:
    named: dict[str, set[str]] = {}
    for clues in lex.clues.values():
        for clue in clues:
            if clue.kind == "macro":
                named.setdefault(clue.ref, set()).add(clue.lang)
    abbreviations = {"prc", "ksa", "rsa"}  # written the same in every language
    assert len(named) >= 30
    for macro, langs in named.items():
        if macro not in abbreviations:
            assert set(REQUIRED) <= langs, (macro, set(REQUIRED) - langs)


def test_ambiguous_forms_are_flagged(lex: Lexicons) -> None:
    assert all(c.ambiguous for c in lex.lookup("polish"))
    assert all(c.ambiguous for c in lex.lookup("Polka"))
    assert all(c.ambiguous for c in lex.lookup("roman"))
    assert not any(c.ambiguous for c in lex.lookup("polnische"))


def test_context_and_cue_words(lex: Lexicons) -> None:
    assert {"w", "we", "z", "ze", "kolo"} <= lex.context_words["pl"]
    assert {"в", "во", "из", "под"} <= lex.context_words["ru"]
    assert {"aus", "bei", "nach"} <= lex.context_words["de"]
    assert {"pres de", "a"} <= lex.context_words["fr"]
    assert {"verkauft", "gekauft", "marke"} <= lex.cue_words["de"]
    assert {"sprzedawany", "kupilem", "marka"} <= lex.cue_words["pl"]
    assert {"продается", "купил", "бренд"} <= lex.cue_words["ru"]


def test_generated_language_names_match_cldr() -> None:
    """language_names.tsv is what build_lexicons.py makes from the installed CLDR data."""
    spec = importlib.util.spec_from_file_location("build_lexicons", BUILDER)
    assert spec and spec.loader
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    text, count = builder.render()
    assert count > 1000
    assert text == (LEXICON_DIR / "language_names.tsv").read_text(encoding="utf-8")


def test_paradigms() -> None:
    assert adjective_forms("it", "tedesco") == ["tedesco", "tedesca", "tedeschi", "tedesche"]
    assert adjective_forms("es", "alemán") == ["alemán", "alemana", "alemanes", "alemanas"]
    assert "polští" in adjective_forms("cs", "polský")
    assert "po česku" not in language_forms("cs", "čeština")  # hand-written in language_extra
    assert language_forms("sv", "polska") == ["polska", "på polska", "polsktalande"]
    assert "deutschsprachigen" in language_forms("de", "Deutsch")


def copy_lexicons(tmp_path: Path) -> Path:
    folder = tmp_path / "lexicons"
    shutil.copytree(LEXICON_DIR, folder, ignore=shutil.ignore_patterns("*.py", "*.md"))
    return folder


@pytest.mark.parametrize(
    ("file", "line", "message"),
    [("demonyms.tsv", "en\tXX\tFoo\t\t\n", "not an ISO"),
     ("demonyms.tsv", "en\tPL\tPo\t\t\n", "shorter than 3"),
     ("demonyms.tsv", "en\tDE:0.5,AT:0.2\tFoo\t\t\n", "sum to 0.700"),
     ("demonyms.tsv", "en\tPL\t\t\t\n", "no adjective"),
     ("macro_names.tsv", "en\tatlantis\tAtlantis\t\t\n", "not in macros.tsv"),
     ("language_extra.tsv", "en\txx\tXish\t\n", "not in languages.tsv"),
     ("context_words.tsv", "en\tother\tin\n", "context or cue")],
)  # fmt: skip
def test_bad_rows_raise_with_file_and_line(
    tmp_path: Path, file: str, line: str, message: str
) -> None:
    folder = copy_lexicons(tmp_path)
    path = folder / file
    lines = path.read_text(encoding="utf-8").count("\n")
    path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")
    with pytest.raises(LexiconError, match=message) as err:
        read_lexicons(folder)
    assert f"{file}:{lines + 1}" in str(err.value)


def test_bad_header_and_missing_file(tmp_path: Path) -> None:
    folder = copy_lexicons(tmp_path)
    (folder / "macros.tsv").write_text("macro\tmembers\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="header must be"):
        read_lexicons(folder)
    (folder / "macros.tsv").unlink()
    with pytest.raises(LexiconError, match="missing"):
        read_lexicons(folder)


def test_parse_countries() -> None:
    assert parse_countries("DE:0.75,AT:0.15,CH:0.1") == (("DE", 0.75), ("AT", 0.15), ("CH", 0.1))
    with pytest.raises(LexiconError, match="twice"):
        parse_countries("PL,PL")
    with pytest.raises(LexiconError, match="not a number"):
        parse_countries("PL:x")


def test_disk_cache_round_trip_and_corruption(tmp_path: Path) -> None:
    folder = copy_lexicons(tmp_path)
    cache = tmp_path / "cache"
    first = _cached(folder, cache)
    files = list(cache.glob("lexicons-*.pkl"))
    assert len(files) == 1
    assert _cached(folder, cache) == first
    files[0].write_bytes(b"not a pickle")
    assert _cached(folder, cache) == first  # rebuilt, not an error
    with (folder / "demonyms.tsv").open("a", encoding="utf-8") as handle:
        handle.write("en\tPL\tPolandish\t\t\n")
    changed = _cached(folder, cache)
    assert changed.lookup("Polandish") and not first.lookup("Polandish")
    assert len(list(cache.glob("lexicons-*.pkl"))) == 1


def test_load_is_cached_per_process() -> None:
    assert load_lexicons() is load_lexicons()
