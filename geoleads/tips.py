"""Tip records and the readers of tip files (CSV, JSON Lines, XLSX).

A tip file has the columns ``tip_id``, ``object_id``, ``text``, ``received_at``
(ISO 8601; a time without an offset is taken as UTC) and optionally ``language``;
other columns are ignored. CSV files may use ``,``, ``;`` or tabs. Every bad row
is collected and reported in one :class:`~geoleads.errors.TipFormatError`;
nothing partial is ever returned.

>>> import io
>>> data = b"tip_id,object_id,text,received_at\\nT1,OBJ-1,=SUM(A1),2024-05-01T10:00:00+02:00\\n"
>>> [tip] = read_tips_bytes(data, "tips.csv")
>>> tip.text, tip.received_at.isoformat()
('=SUM(A1)', '2024-05-01T08:00:00+00:00')
>>> read_tips_bytes(b"tip_id,object_id,text,received_at\\nT1,O,,yesterday\\n", "t.csv")
Traceback (most recent call last):
...
geoleads.errors.TipFormatError: t.csv: 1 bad row(s):
row 2: text is empty; received_at 'yesterday' is not an ISO 8601 date/time
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from geoleads.errors import TipFormatError

#: Columns every tip must have.
REQUIRED = ("tip_id", "object_id", "text", "received_at")
#: Longest tip text accepted, in characters.
MAX_TEXT_CHARS = 20_000
#: Longest ``tip_id`` / ``object_id``.
MAX_ID_CHARS = 200
#: Longest ``language`` tag (BCP 47 tags are at most 35 characters).
MAX_LANGUAGE_CHARS = 35
_NEWLINE = re.compile(r"\r\n|\r|\n")
#: File suffixes read as JSON Lines.
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


@dataclass(frozen=True)
class Tip:
    """One anonymous tip about one object; ``received_at`` is timezone-aware UTC."""

    tip_id: str
    object_id: str
    text: str
    received_at: datetime
    language: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The tip as one JSON Lines record (the format :func:`read_tips` reads)."""
        return {
            "tip_id": self.tip_id,
            "object_id": self.object_id,
            "text": self.text,
            "received_at": self.received_at.isoformat(),
            "language": self.language,
        }


def read_tips(path: str | Path) -> list[Tip]:
    """Read and validate a tip file: ``.csv``, ``.jsonl``/``.ndjson``/``.json``, ``.xlsx``.

    ``"-"`` reads JSON Lines from standard input. Raises
    :class:`~geoleads.errors.TipFormatError` listing every bad row (row numbers as
    an editor or a spreadsheet shows them), or when the file cannot be read.
    """
    if str(path) == "-":
        return read_tips_bytes(sys.stdin.buffer.read(), "<stdin>.jsonl")
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as err:
        raise TipFormatError([(0, f"cannot read the file: {err.strerror or err}")], str(p)) from err
    return read_tips_bytes(data, str(p))


def read_tips_bytes(data: bytes, filename: str) -> list[Tip]:
    """Validate the bytes of an uploaded tip file; the format comes from ``filename``'s suffix."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        records = _csv_records(data, filename)
    elif suffix in JSONL_SUFFIXES:
        records = _jsonl_records(data, filename)
    elif suffix == ".xlsx":
        records = _xlsx_records(data, filename)
    else:
        raise TipFormatError(
            [(0, f"unknown file type {suffix or '(none)'!r}: expected .csv, .jsonl or .xlsx")],
            filename,
        )
    return validate_records(records, filename)


def parse_tip(record: Mapping[str, Any], row: int = 1, source: str | None = None) -> Tip:
    """Validate one record (e.g. a web form) into a :class:`Tip` or raise ``TipFormatError``.

    >>> parse_tip({"tip_id": "P1", "object_id": "O", "text": "aus Graz",
    ...            "received_at": "2024-01-02"}).received_at.isoformat()
    '2024-01-02T00:00:00+00:00'
    """
    return validate_records([(row, dict(record))], source)[0]


def validate_records(
    records: Iterable[tuple[int, dict[str, Any] | str]], source: str | None = None
) -> list[Tip]:
    """Turn ``(row, record)`` pairs into tips; a ``str`` record is an already-known problem."""
    tips: list[Tip] = []
    problems: list[tuple[int, str]] = []
    first_row: dict[str, int] = {}
    for row, record in records:
        if isinstance(record, str):
            problems.append((row, record))
            continue
        tip, reasons = _check(record)
        if tip is not None and tip.tip_id in first_row:
            first = first_row[tip.tip_id]
            reasons.append(f"duplicate tip_id {tip.tip_id!r} (first on row {first})")
        if reasons:
            problems.append((row, "; ".join(reasons)))
        elif tip is not None:
            first_row[tip.tip_id] = row
            tips.append(tip)
    if problems:
        raise TipFormatError(problems, source)
    return tips


# -- one record -------------------------------------------------------------------------------


def _text_value(value: Any) -> str | None:
    """A cell as text: numbers written without a spurious ``.0``; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return None


def _bad_chars(name: str, value: str) -> str | None:
    if "\x00" in value:
        return f"{name} contains a NUL byte"
    bad = next((ch for ch in value if "\udc80" <= ch <= "\udcff"), None)
    if bad is not None:
        return f"{name} is not valid UTF-8 (byte 0x{ord(bad) - 0xDC00:02x})"
    return None


def _parse_time(value: Any) -> datetime | str:
    """An aware UTC datetime, or the reason it is not one. Naive times are taken as UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        text = _text_value(value)
        if text is None or not text.strip():
            return "received_at is empty"
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            shown = text if len(text) <= 40 else text[:40] + "..."
            return f"received_at {shown!r} is not an ISO 8601 date/time"
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _identifier(record: Mapping[str, Any], name: str, reasons: list[str]) -> str:
    value = _text_value(record.get(name))
    if value is None and record.get(name) is not None:
        reasons.append(f"{name} must be text or a number")
        return ""
    value = (value or "").strip()
    if not value:
        reasons.append(f"{name} is empty")
    elif len(value) > MAX_ID_CHARS:
        reasons.append(f"{name} is longer than {MAX_ID_CHARS} characters")
    elif (problem := _bad_chars(name, value)) is not None:
        reasons.append(problem)
    elif any(ch < " " or ch == "\x7f" for ch in value):
        reasons.append(f"{name} contains control characters")
    return value


def _check(record: Mapping[str, Any]) -> tuple[Tip | None, list[str]]:
    reasons: list[str] = []
    tip_id = _identifier(record, "tip_id", reasons)
    object_id = _identifier(record, "object_id", reasons)
    raw_text = record.get("text")
    text = raw_text if isinstance(raw_text, str) else _text_value(raw_text)
    if raw_text is not None and text is None:
        reasons.append("text must be a string")
    elif not (text or "").strip():
        reasons.append("text is empty")
    elif len(text or "") > MAX_TEXT_CHARS:
        reasons.append(f"text has {len(text or ''):,} characters (at most {MAX_TEXT_CHARS:,})")
    elif (problem := _bad_chars("text", text or "")) is not None:
        reasons.append(problem)
    moment = _parse_time(record.get("received_at"))
    if isinstance(moment, str):
        reasons.append(moment)
    language = _text_value(record.get("language"))
    language = (language or "").strip() or None
    if language is not None and (
        len(language) > MAX_LANGUAGE_CHARS
        or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in language)
    ):
        reasons.append(f"language {language[:40]!r} is not a language tag such as 'pl' or 'de-AT'")
    if reasons or isinstance(moment, str):
        return None, reasons
    return Tip(tip_id, object_id, text or "", moment, language), reasons


# -- formats ----------------------------------------------------------------------------------


def _decode(data: bytes, filename: str) -> str:
    """UTF-8 (BOM tolerated); undecodable bytes become lone surrogates found later per row."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TipFormatError([(1, "the file is UTF-16 encoded: save it as UTF-8")], filename)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="surrogateescape")


def _first_bad_byte(text: str, start: int, end: int) -> str:
    """Where the first undecodable byte of ``text[start:end]`` is, as byte offset and line."""
    pos = next((i for i in range(start, end) if "\udc80" <= text[i] <= "\udcff"), None)
    if pos is None:  # line counting disagreed (e.g. lone CR line ends): search everywhere
        pos = next(i for i, ch in enumerate(text) if "\udc80" <= ch <= "\udcff")
    offset = len(text[:pos].encode("utf-8", "surrogateescape"))
    line = len(_NEWLINE.findall(text, 0, pos)) + 1
    return (
        f"not valid UTF-8: byte 0x{ord(text[pos]) - 0xDC00:02x} at byte offset {offset} "
        f"(line {line}); save the file as UTF-8"
    )


def _header(names: Iterable[Any]) -> list[str]:
    return [(_text_value(n) or "").strip().lstrip("\ufeff").lower() for n in names]


def _missing(header: list[str]) -> list[str]:
    return [name for name in REQUIRED if name not in header]


def _delimiter(text: str) -> str:
    """``,`` unless the header only makes sense with ``;`` or tab (spreadsheet exports)."""
    first = text[: text.find("\n")] if "\n" in text else text
    for delimiter in (",", ";", "\t"):
        try:
            header = _header(next(csv.reader([first], delimiter=delimiter), []))
        except csv.Error:
            continue
        if not _missing(header):
            return delimiter
    return ","


def _csv_records(data: bytes, filename: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    text = _decode(data, filename)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = _header(next(reader, []))
    except csv.Error as err:
        raise TipFormatError([(1, f"cannot read the header: {err}")], filename) from err
    if missing := _missing(header):
        raise TipFormatError([(1, f"missing column(s): {', '.join(missing)}")], filename)
    row, line_starts = 1, None
    while True:
        row += 1
        first_line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            # The parser cannot resynchronise after this (e.g. a huge quoted field): stop here.
            yield (
                row,
                f"not a valid CSV row (starting on line {first_line}): {err}; "
                "the rows after it were not checked",
            )
            return
        if not any(v.strip() for v in values):
            continue
        if any("\udc80" <= ch <= "\udcff" for v in values for ch in v):
            if line_starts is None:
                line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)] + [len(text)]
            start = line_starts[min(first_line - 1, len(line_starts) - 1)]
            end = line_starts[min(reader.line_num, len(line_starts) - 1)]
            yield row, _first_bad_byte(text, start, end)
            continue
        if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
            yield row, f"{len(values)} values but the header has {len(header)} columns"
            continue
        yield row, dict(zip(header, values, strict=False))


def _jsonl_records(data: bytes, filename: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    text = _decode(data, filename)
    if text.lstrip().startswith("["):
        yield from _json_array_records(text)
        return
    pos = 0
    for row, line in enumerate(text.split("\n"), start=1):
        start, pos = pos, pos + len(line) + 1
        if not line.strip():
            continue
        if any("\udc80" <= ch <= "\udcff" for ch in line):
            yield row, _first_bad_byte(text, start, start + len(line))
            continue
        try:
            value = json.loads(line)
        except ValueError as err:
            yield row, f"not valid JSON: {err}"
            continue
        if not isinstance(value, dict):
            yield row, f"expected a JSON object, got {type(value).__name__}"
            continue
        yield row, {str(k).strip().lower(): v for k, v in value.items()}


def _json_array_records(text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    try:
        values = json.loads(text)
    except ValueError as err:
        yield getattr(err, "lineno", 1), f"not valid JSON: {err}"
        return
    if not isinstance(values, list):
        yield 1, "expected a JSON array of objects or JSON Lines"
        return
    for row, value in enumerate(values, start=1):
        if isinstance(value, dict):
            yield row, {str(k).strip().lower(): v for k, v in value.items()}
        else:
            yield row, f"item {row}: expected a JSON object, got {type(value).__name__}"


def _xlsx_records(data: bytes, filename: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise TipFormatError([(0, f"not a readable .xlsx workbook: {err}")], filename) from err
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = _header(next(rows, ()))
        if missing := _missing(header):
            raise TipFormatError([(1, f"missing column(s): {', '.join(missing)}")], filename)
        for row, values in enumerate(rows, start=2):
            if not any(v is not None and str(v).strip() for v in values):
                continue
            yield row, {h: v for h, v in zip(header, values, strict=False) if h}
    finally:
        book.close()
