"""Hostile input, property-based: readers, geoparser and coordinate/URL parsers never crash.

- tip readers: any CSV / JSON Lines / XLSX bytes give a list of valid Tips or a
  TipFormatError, never another exception;
- geoparser: any text (control characters, mixed scripts, lone surrogates cut
  out, very long) gives mentions whose offsets slice the text;
- coordinates and links: points are on the globe and spans slice the text.

Examples are few (CI time) and deadlines are off; ``benchmarks/fuzz_atheris.py``
runs the same entry points for many more inputs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geoleads.coordinates import find_points, url_spans
from geoleads.errors import TipFormatError
from geoleads.gazetteer import Gazetteer
from geoleads.geoparse import Geoparser
from geoleads.leads import Mention
from geoleads.tips import Tip, read_tips, read_tips_bytes

FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
COLUMNS = ["tip_id", "object_id", "text", "received_at", "language"]

# words that make the parsers work: places in several scripts and cases, cue words,
# coordinate and link fragments, markup and spreadsheet formulas
WORDS = [
    "Kraków", "Krakowie", "Krakau", "w", "we", "aus", "in", "near", "à", "de", "в", "Кракове",
    "Москва", "Wien", "Wagram ob der Traisen", "Polish", "polska", "Scandinavia", "Horn",
    "Αθήνα", "北京", "القاهرة", "תל אביב", "🇵🇱", "50.0614", "19.9366", "°", "'", '"', "N", "E",
    "-", "+", "−", ",", ".", "geo:", "https://www.google.com/maps/@", "openstreetmap.org/#map=",
    "mlat=", "&mlon=", "?q=", "@", "www.", "://", "<img src=x onerror=alert(1)>", "=SUM(A1)",
    "\x00", "\u200b", "\u202e", "\ufeff", "\r\n", "\t", "İ", "ß", "ǅ", "ﬁ", "e\u0301",
]  # fmt: skip


def any_text() -> st.SearchStrategy[str]:
    """Arbitrary unicode (no lone surrogates: they cannot come out of a decoded file)."""
    return st.text(st.characters(blacklist_categories=["Cs"]), max_size=400)


def wordy_text() -> st.SearchStrategy[str]:
    """Texts built from the words above with random separators."""
    sep = st.sampled_from(["", " ", "  ", ", ", "\n", "/", "(", ")", ";", "\x0b"])
    return st.lists(st.tuples(st.sampled_from(WORDS), sep), max_size=40).map(
        lambda parts: "".join(w + s for w, s in parts)
    )


texts = st.one_of(any_text(), wordy_text())


# --- tip readers -------------------------------------------------------------------------
def check_tips(result: list[Tip]) -> None:
    for tip in result:
        assert isinstance(tip, Tip)
        assert tip.tip_id.strip() and tip.object_id.strip() and tip.text.strip()
        assert tip.received_at.tzinfo is not None


def read_or_refuse(data: bytes, suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"tips{suffix}"
    path.write_bytes(data)
    for reader in (lambda: read_tips(path), lambda: read_tips_bytes(data, f"x{suffix}")):
        try:
            result = reader()
        except TipFormatError as err:
            assert str(err)
        else:
            check_tips(result)


cell = st.one_of(
    texts,
    st.sampled_from(["2024-05-01T10:00:00+02:00", "2024-05-01", "yesterday", "", "T1", "OBJ"]),
)


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    import csv
    import io

    header = draw(st.one_of(st.just(COLUMNS), st.permutations(COLUMNS), st.lists(cell, max_size=6)))
    rows = draw(st.lists(st.lists(cell, max_size=7), max_size=6))
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])))
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return buf.getvalue().encode(encoding, errors="replace")


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | texts,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def jsonl_bytes(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["record", "value", "garbage"]))
        if kind == "record":
            keys = draw(st.lists(st.sampled_from([*COLUMNS, "extra"]), unique=True))
            record = {k: draw(st.one_of(cell, json_value)) for k in keys}
            lines.append(json.dumps(record, ensure_ascii=draw(st.booleans())).encode())
        elif kind == "value":
            lines.append(json.dumps(draw(json_value)).encode())
        else:
            lines.append(draw(st.binary(max_size=60)))
    return b"\n".join(lines)


@given(data=csv_bytes())
@FAST
def test_csv_reader_returns_tips_or_tip_format_error(data: bytes, tmp_path: Path) -> None:
    read_or_refuse(data, ".csv", tmp_path)


@given(data=jsonl_bytes())
@FAST
def test_jsonl_reader_returns_tips_or_tip_format_error(data: bytes, tmp_path: Path) -> None:
    read_or_refuse(data, ".jsonl", tmp_path)


@given(data=st.binary(max_size=500), suffix=st.sampled_from([".csv", ".jsonl", ".json", ".xlsx"]))
@FAST
@example(data=b"PK\x03\x04" + b"\x00" * 40, suffix=".xlsx")
@example(data=b"\xef\xbb\xbf", suffix=".csv")
@example(data=b"[1, 2", suffix=".json")
def test_any_bytes_give_tips_or_tip_format_error(data: bytes, suffix: str, tmp_path: Path) -> None:
    read_or_refuse(data, suffix, tmp_path)


def test_good_rows_really_come_back(tmp_path: Path) -> None:
    """The property tests above could pass by refusing everything: make sure they do not."""
    data = b"tip_id,object_id,text,received_at\nT1,O1,aus Graz,2024-05-01T10:00:00+02:00\n"
    read_or_refuse(data, ".csv", tmp_path)
    assert [t.text for t in read_tips_bytes(data, "a.csv")] == ["aus Graz"]


# --- geoparser ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def geoparser(gazetteer: Gazetteer) -> Geoparser:
    return Geoparser(gazetteer)


def check_mentions(text: str, mentions: list[Mention]) -> None:
    assert isinstance(mentions, list)
    for m in mentions:
        assert isinstance(m, Mention)
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        json.dumps(m.to_json(), allow_nan=False)  # valid JSON: no NaN/inf coordinates
        for c in m.candidates:
            assert -90 <= c.lat <= 90 and -180 <= c.lon <= 180, c


@given(text=texts, language=st.sampled_from([None, "pl", "de", "xx", "", "en-GB"]))
@FAST
@example(text="Das ist aus Krakau", language=None)
@example(text="\x00" * 50 + "w Krakowie" + "\u202e" * 10, language="pl")
def test_geoparser_offsets_slice_any_text(
    geoparser: Geoparser, text: str, language: str | None
) -> None:
    check_mentions(text, geoparser.parse(text, language=language))


def test_geoparser_finds_places_in_wordy_text(geoparser: Geoparser) -> None:
    """The strategy reaches real places (so the property is about real mentions)."""
    mentions = geoparser.parse("Widziałem to w Krakowie, 50.0614, 19.9366 geo:50.06,19.93")
    assert {m.kind for m in mentions} >= {"place", "coordinates", "url"}


@pytest.mark.slow
def test_geoparser_huge_text(geoparser: Geoparser) -> None:
    """Twice the longest tip a file may hold (tips.MAX_TEXT_CHARS), dense with matches."""
    text = ("w Krakowie \x00 Москва 50°03'41\"N 19°56'12\"E https://x.org/@1,2 " * 1000)[:40_000]
    check_mentions(text, geoparser.parse(text))


# --- coordinates and links ------------------------------------------------------------------
@st.composite
def coordinate_text(draw: st.DrawFn) -> str:
    lat = draw(st.floats(-200, 200, allow_nan=False))
    lon = draw(st.floats(-400, 400, allow_nan=False))
    forms = [
        f"{lat:.4f}, {lon:.4f}",
        f"{abs(lat):.5f}° N {abs(lon):.5f}° E",
        f"{int(abs(lat))}°{int(abs(lon)) % 99}'{draw(st.integers(0, 99))}\"N {int(abs(lon))}°E",
        f"https://www.google.com/maps/@{lat:.6f},{lon:.6f},15z",
        f"https://maps.google.de/?q={lat:.5f},{lon:.5f}&x",
        f"https://www.openstreetmap.org/#map={draw(st.integers(0, 99))}/{lat:.5f}/{lon:.5f}",
        f"openstreetmap.org/?mlat={lat:.4f}&amp;mlon={lon:.4f}",
        f"geo:{lat},{lon};u=35",
    ]
    noise = draw(texts)
    cut = draw(st.integers(0, len(noise)))
    return noise[:cut] + draw(st.sampled_from(forms)) + noise[cut:]


@given(text=st.one_of(coordinate_text(), texts))
@FAST
def test_points_are_on_the_globe_and_slice_the_text(text: str) -> None:
    for p in find_points(text):
        assert 0 <= p.start < p.end <= len(text)
        assert p.kind in ("coordinates", "url")
        assert math.isfinite(p.lat) and math.isfinite(p.lon)
        assert -90 <= p.lat <= 90 and -180 <= p.lon <= 180
    for start, end in url_spans(text):
        assert 0 <= start < end <= len(text)


def test_coordinate_strategy_produces_points() -> None:
    assert find_points("https://www.openstreetmap.org/#map=12/50.06143/19.93658")
    assert find_points("50.06143, 19.93658")
