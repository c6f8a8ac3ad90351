"""Tip file readers: CSV, JSON Lines, XLSX and stdin, and their validation."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from geoleads.errors import TipFormatError
from geoleads.tips import MAX_TEXT_CHARS, Tip, parse_tip, read_tips, read_tips_bytes

DATA = Path(__file__).parent / "data"
HEADER = "tip_id,object_id,text,received_at\n"


def problems(err: pytest.ExceptionInfo[TipFormatError]) -> dict[int, str]:
    return dict(err.value.problems)


def test_good_csv_with_bom_crlf_multiline_and_extra_columns() -> None:
    tips = read_tips(DATA / "tips_good.csv")
    assert [t.tip_id for t in tips] == ["T1", "T2", "T3", "4"]
    t1, t2, t3, t4 = tips
    assert t1 == Tip(
        "T1",
        "OBJ-1",
        "Das ist aus Krakau, ganz sicher",
        datetime(2024, 5, 1, 8, 0, tzinfo=UTC),
        "de",
    )
    assert t2.text == '=HYPERLINK("http://x","click")'  # formula-looking text stays text
    assert t2.language is None
    assert t3.text == "Line one\nline two: sold in Belgique"
    assert t3.received_at == datetime(2024, 5, 2, tzinfo=UTC)
    assert t4.text == "widziałem to w Gdańsku"
    assert t4.received_at.tzinfo is UTC


def test_bad_csv_reports_every_bad_row_with_spreadsheet_numbers() -> None:
    with pytest.raises(TipFormatError) as err:
        read_tips(DATA / "tips_bad.csv")
    found = problems(err)
    assert sorted(found) == [3, 4, 5, 6, 7, 8]
    assert "text is empty" in found[3]
    assert "object_id is empty" in found[4]
    assert "'01/05/2024' is not an ISO 8601" in found[5]
    assert "duplicate tip_id 'B1' (first on row 2)" in found[6]
    assert "NUL" in found[7]
    assert "not valid UTF-8: byte 0xe9" in found[8]
    assert "line 8" in found[8]
    assert str(DATA / "tips_bad.csv") in str(err.value)


def test_non_utf8_csv_names_byte_offset_and_line() -> None:
    data = (HEADER + "A,O,ok,2024-01-01\nB,O,Zürich,2024-01-01\n").encode("cp1252")
    with pytest.raises(TipFormatError) as err:
        read_tips_bytes(data, "latin.csv")
    reason = problems(err)[3]
    offset = data.index(b"\xfc")
    assert f"byte offset {offset}" in reason and "(line 3)" in reason


def test_utf16_file_refused_clearly() -> None:
    data = (HEADER + "A,O,ok,2024-01-01\n").encode("utf-16")
    with pytest.raises(TipFormatError, match="UTF-16"):
        read_tips_bytes(data, "wide.csv")


def test_missing_column_is_one_clear_error() -> None:
    with pytest.raises(TipFormatError) as err:
        read_tips_bytes(b"tip_id,object_id,text\nA,O,x\n", "t.csv")
    assert problems(err) == {1: "missing column(s): received_at"}


def test_header_is_case_and_space_insensitive() -> None:
    data = b" Tip_ID ,OBJECT_ID,Text,Received_At\nA,O,x,2024-01-01T00:00:00-05:00\n"
    [tip] = read_tips_bytes(data, "t.csv")
    assert tip.received_at == datetime(2024, 1, 1, 5, tzinfo=UTC)


def test_long_text_and_megabyte_of_junk_refused_with_reason() -> None:
    ok = "a" * MAX_TEXT_CHARS
    long = "b" * (MAX_TEXT_CHARS + 1)
    junk = "x" * 1_000_000
    data = f'{HEADER}A,O,{ok},2024-01-01\nB,O,{long},2024-01-01\nC,O,"{junk}",2024-01-01\n'
    with pytest.raises(TipFormatError) as err:
        read_tips_bytes(data.encode(), "big.csv")
    found = problems(err)
    assert sorted(found) == [3, 4]
    assert "20,001 characters" in found[3]
    assert "field larger than field limit" in found[4] or "1,000,000" in found[4]


def test_megabyte_json_line_refused() -> None:
    rec = {"tip_id": "A", "object_id": "O", "text": "z" * 1_000_000, "received_at": "2024-01-01"}
    with pytest.raises(TipFormatError, match="1,000,000 characters"):
        read_tips_bytes(json.dumps(rec).encode(), "big.jsonl")


def test_jsonl_reads_numbers_and_ignores_unknown_fields() -> None:
    tips = read_tips(DATA / "tips_good.jsonl")
    assert [t.tip_id for t in tips] == ["J1", "2"]
    assert tips[0].received_at == datetime(2024, 6, 1, 5, tzinfo=UTC)
    assert tips[1].text.startswith("<img src=x onerror=alert(1)>")


def test_jsonl_bad_lines_numbered_like_an_editor() -> None:
    lines = [
        json.dumps({"tip_id": "A", "object_id": "O", "text": "x", "received_at": "2024-01-01"}),
        "",
        "{not json",
        "[1, 2]",
        json.dumps({"tip_id": "B", "object_id": "O", "text": 5.5, "received_at": "2024-01-01"}),
        json.dumps({"tip_id": "C", "object_id": "O", "text": "x", "received_at": "2024-13-01"}),
        json.dumps({"tip_id": "D", "object_id": "O", "text": ["x"], "received_at": "2024-01-01"}),
        json.dumps({"tip_id": "E", "object_id": "O", "text": "x", "received_at": "2024-01-01"}),
    ]
    data = "\n".join(lines).encode() + b"\n" + b'{"tip_id": "F\xff"}\n'
    with pytest.raises(TipFormatError) as err:
        read_tips_bytes(data, "t.jsonl")
    found = problems(err)
    assert sorted(found) == [3, 4, 6, 7, 9]
    assert "not valid JSON" in found[3]
    assert "expected a JSON object" in found[4]
    assert "not an ISO 8601" in found[6]
    assert "text must be a string" in found[7]
    assert "byte 0xff" in found[9] and "line 9" in found[9]


def test_json_array_file() -> None:
    rec = {"tip_id": "A", "object_id": "O", "text": "x", "received_at": "2024-01-01"}
    [tip] = read_tips_bytes(json.dumps([rec]).encode(), "t.json")
    assert tip.tip_id == "A"


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_reads_dates_numbers_and_keeps_formulas_as_text(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "tips.xlsx",
        [
            ["tip_id", "object_id", "text", "received_at", "language", "notes"],
            [101, "OBJ-9", "aus Wien", datetime(2024, 3, 1, 12, 0), "de", "x"],
            ["X2", "OBJ-9", "=1+1", "2024-03-02T10:00:00+01:00", None, None],
            [None, None, None, None, None, None],
        ],
    )
    tips = read_tips(path)
    assert [t.tip_id for t in tips] == ["101", "X2"]
    assert tips[0].received_at == datetime(2024, 3, 1, 12, tzinfo=UTC)
    assert tips[1].text == "=1+1"
    assert tips[1].received_at == datetime(2024, 3, 2, 9, tzinfo=UTC)


def test_xlsx_bad_rows_numbered_like_the_spreadsheet(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "bad.xlsx",
        [
            ["tip_id", "object_id", "text", "received_at"],
            ["A", "O", "fine", "2024-01-01"],
            ["B", "O", "", "2024-01-01"],
            ["C", "O", "x", "soon"],
        ],
    )
    with pytest.raises(TipFormatError) as err:
        read_tips(path)
    assert sorted(problems(err)) == [3, 4]


def test_not_an_xlsx_file() -> None:
    with pytest.raises(TipFormatError, match=r"not a readable \.xlsx"):
        read_tips_bytes(b"tip_id,object_id\n", "fake.xlsx")


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TipFormatError, match="unknown file type"):
        read_tips_bytes(b"", "tips.txt")
    with pytest.raises(TipFormatError, match="cannot read the file"):
        read_tips(tmp_path / "nope.csv")


def test_stdin_jsonl() -> None:
    rec = {"tip_id": "S1", "object_id": "O", "text": "aus Graz", "received_at": "2024-01-01"}
    code = "from geoleads.tips import read_tips; print([t.tip_id for t in read_tips('-')])"
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(rec) + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "['S1']"


def test_parse_tip_for_a_form() -> None:
    tip = parse_tip({"tip_id": "P", "object_id": "O", "text": "x", "received_at": "2024-01-01"})
    assert tip.received_at == datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(TipFormatError, match="language"):
        parse_tip(
            {
                "tip_id": "P",
                "object_id": "O",
                "text": "x",
                "received_at": "2024-01-01",
                "language": "<script>",
            }
        )


def test_round_trip_through_to_json() -> None:
    tips = read_tips(DATA / "tips_good.csv")
    data = "\n".join(json.dumps(t.to_json()) for t in tips).encode()
    assert read_tips_bytes(data, "again.jsonl") == tips


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["t.csv", "t.jsonl", "t.xlsx"]))
def test_arbitrary_bytes_give_tips_or_tip_format_error(data: bytes, name: str) -> None:
    try:
        tips = read_tips_bytes(data, name)
    except TipFormatError:
        return
    assert all(isinstance(t, Tip) and t.received_at.tzinfo is UTC for t in tips)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=4, max_size=4))
def test_arbitrary_csv_fields(fields: list[str]) -> None:
    buf = io.StringIO()
    import csv

    writer = csv.writer(buf)
    writer.writerow(["tip_id", "object_id", "text", "received_at"])
    writer.writerow(fields)
    try:
        tips = read_tips_bytes(buf.getvalue().encode("utf-8", "surrogatepass"), "t.csv")
    except TipFormatError as err:
        assert err.problems
        return
    # csv cannot keep a lone "\r" at a field end and strips surrounding spaces of ids
    assert len(tips) <= 1


def test_huge_multiline_csv_field_is_one_problem_not_thousands() -> None:
    junk = "x\n" * 100_000
    data = f'{HEADER}C,O,"{junk}",2024-01-01\nD,O,ok,2024-01-01\n'.encode()
    with pytest.raises(TipFormatError) as err:
        read_tips_bytes(data, "junk.csv")
    assert list(problems(err)) == [2]
    assert "starting on line 2" in problems(err)[2]


def test_semicolon_and_tab_separated_exports() -> None:
    for sep in (";", "\t"):
        data = sep.join(["tip_id", "object_id", "text", "received_at"]) + "\n"
        data += sep.join(["A", "O", "aus Graz, sicher", "2024-01-01"]) + "\n"
        [tip] = read_tips_bytes(data.encode(), "t.csv")
        assert tip.text == "aus Graz, sicher"
