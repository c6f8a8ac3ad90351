"""Coverage-guided fuzzing (atheris / libFuzzer) of the tip readers, geoparser and point parsers.

Each input's first byte picks the entry point, the rest is its data:

0. ``read_tips_bytes(data, "f.csv")``   1. ``read_tips_bytes(data, "f.jsonl")``
2. ``read_tips_bytes(data, "f.xlsx")``  3. ``Geoparser.parse(text)`` (text = data decoded)
4. ``find_points`` + ``url_spans``      5. ``parse_tip`` on a JSON object (web-form path)

A reader may only return Tips or raise ``TipFormatError``; the geoparser must
return mentions whose offsets slice the text; points must be on the globe. Any
other exception or a broken property is a crash: libFuzzer stops and writes the
input to ``crash-*``. Only geoleads' own modules are instrumented.

    .venv/bin/python benchmarks/fuzz_atheris.py --seeds /tmp/fuzz_corpus   # starting corpus
    .venv/bin/python benchmarks/fuzz_atheris.py -runs=100000 -max_len=4096 /tmp/fuzz_corpus

libFuzzer prints ``Done N runs in S second(s)`` at the end (exit code 0 when
nothing crashed). atheris comes from PyPI (``pip install atheris``; ``.[bench]``).
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["geoleads"]):
    from geoleads.coordinates import find_points, url_spans
    from geoleads.errors import TipFormatError
    from geoleads.geoparse import Geoparser
    from geoleads.tips import Tip, parse_tip, read_tips_bytes

GEOPARSER = Geoparser()
SUFFIXES = {0: "f.csv", 1: "f.jsonl", 2: "f.xlsx"}


def check_tips(data: bytes, name: str) -> None:
    try:
        tips = read_tips_bytes(data, name)
    except TipFormatError:
        return
    for tip in tips:
        assert isinstance(tip, Tip) and tip.text.strip() and tip.received_at.tzinfo


def check_geoparse(text: str) -> None:
    for m in GEOPARSER.parse(text):
        assert 0 <= m.start < m.end <= len(text) and text[m.start : m.end] == m.text, m
        json.dumps(m.to_json(), allow_nan=False)


def check_points(text: str) -> None:
    for p in find_points(text):
        assert 0 <= p.start < p.end <= len(text)
        assert math.isfinite(p.lat) and -90 <= p.lat <= 90, p
        assert math.isfinite(p.lon) and -180 <= p.lon <= 180, p
    for a, b in url_spans(text):
        assert 0 <= a < b <= len(text)


def check_form(data: bytes) -> None:
    try:
        record = json.loads(data.decode("utf-8", "replace"))
    except ValueError:
        return
    if not isinstance(record, dict):
        return
    with contextlib.suppress(TipFormatError):
        parse_tip(record)


def test_one_input(raw: bytes) -> None:
    if not raw:
        return
    target, data = raw[0] % 6, raw[1:]
    if target in SUFFIXES:
        check_tips(data, SUFFIXES[target])
    elif target == 3:
        check_geoparse(data.decode("utf-8", "replace"))
    elif target == 4:
        check_points(data.decode("utf-8", "replace"))
    else:
        check_form(data)


def write_seeds(folder: Path) -> None:
    """A starting corpus from the test data: each file once per reader, tip texts, points."""
    folder.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parent.parent / "tests" / "data"
    for i, path in enumerate(sorted(root.glob("tips_*"))):
        (folder / f"file{i}").write_bytes(
            bytes([0 if path.suffix == ".csv" else 1]) + path.read_bytes()
        )
    texts = [
        json.loads(x)["text"] for x in (root / "multilingual_tips.jsonl").open(encoding="utf-8")
    ]
    for i, text in enumerate(texts[:60]):
        (folder / f"text{i}").write_bytes(b"\x03" + text.encode())
    points = [
        "50.0614, 19.9366",
        "50°03'41\"N 19°56'12\"E",
        "geo:50.06,19.93",
        "https://www.openstreetmap.org/#map=12/50.06143/19.93658",
    ]
    for i, text in enumerate(points):
        (folder / f"point{i}").write_bytes(b"\x04" + text.encode())
    (folder / "form").write_bytes(
        b'\x05{"tip_id": "T", "object_id": "O", "text": "aus Graz", "received_at": "2024-01-02"}'
    )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--seeds":
        write_seeds(Path(sys.argv[2]))
        return
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
