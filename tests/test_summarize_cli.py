"""``geoleads summarize`` end to end: real tip files, real geoparser, real gazetteer."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from geoleads.cli import cli
from geoleads.config import DATA_DIR
from geoleads.gazetteer import Gazetteer

DEMO = DATA_DIR / "demo" / "tips.csv"
HEADER = "tip_id,object_id,text,received_at,language\n"
SUMMARY_KEYS = {
    "object_id",
    "tips",
    "tips_with_places",
    "countries",
    "admin1",
    "localities",
    "peak",
    "credible_region_km2",
    "verdict",
}


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["summarize", *args], input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "tips.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def demo_json(gazetteer: Gazetteer) -> list[dict]:
    code, out, _ = run(str(DEMO), "--format", "json", "--quiet")
    assert code == 0
    return json.loads(out)


def test_json_has_exactly_the_design_fields(demo_json: list[dict]) -> None:
    assert len(demo_json) == 8
    for entry in demo_json:
        assert set(entry) == SUMMARY_KEYS
        assert set(entry["credible_region_km2"]) == {"50", "80"}
        assert set(entry["verdict"]) == {"level", "code", "name", "confidence"}
        assert entry["verdict"]["level"] in ("none", "country", "admin1", "locality")
        for c in entry["countries"]:
            assert set(c) == {"code", "name", "share", "tips"}
        for a in entry["admin1"]:
            assert set(a) == {"code", "name", "country", "share", "tips"}
        for loc in entry["localities"]:
            assert set(loc) == {
                "geonameid", "name", "country", "admin1", "lat", "lon", "share", "tips"
            }  # fmt: skip
        for level in ("countries", "admin1", "localities"):
            shares = [x["share"] for x in entry[level]]
            assert shares == sorted(shares, reverse=True)
            assert all(0 <= s <= 1 for s in shares)


def test_demo_objects_narrow_as_designed(demo_json: list[dict]) -> None:
    by_id = {e["object_id"]: e for e in demo_json}
    assert by_id["OBJ-SHAMPOO"]["countries"][0]["code"] == "AT"
    assert by_id["OBJ-SHAMPOO"]["admin1"][0]["code"] == "AT.03"
    assert by_id["OBJ-WALLPAPER"]["admin1"][0]["code"] == "PL.80"
    # towns all over the region, none standing out: the verdict stops at the region
    assert by_id["OBJ-WALLPAPER"]["verdict"]["level"] == "admin1"
    assert by_id["OBJ-WALLPAPER"]["verdict"]["code"] == "PL.80"
    assert by_id["OBJ-SHAMPOO"]["verdict"]["name"] == "Wagram ob der Traisen"
    assert by_id["OBJ-MAGAZINE"]["verdict"]["code"] == "CZ"
    assert by_id["OBJ-BAG"]["verdict"]["level"] == "none"
    assert by_id["OBJ-BOOK"]["verdict"]["level"] == "none"
    tea = by_id["OBJ-TEA"]
    assert tea["countries"][0]["code"] == "BE"
    london = next(c for c in tea["countries"] if c["code"] == "GB")
    # 15 pasted copies (the lowercase ones may not be read as a place): one voice
    assert london["tips"] >= 9 and london["share"] < 0.2
    horn = by_id["OBJ-TOOTHPASTE"]
    assert horn["countries"][0]["code"] == "AT"
    assert any(x["name"] == "Horn" and x["country"] == "AT" for x in horn["localities"][:3])
    assert by_id["OBJ-MUG"]["localities"][0]["name"] == "Kraków"


def test_csv_rows_match_json(gazetteer: Gazetteer, demo_json: list[dict]) -> None:
    code, out, _ = run(str(DEMO), "--format", "csv", "--object", "OBJ-MUG", "-q")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["object_id", "level", "code", "name", "share", "tips"]
    mug = next(e for e in demo_json if e["object_id"] == "OBJ-MUG")
    expected = len(mug["countries"]) + len(mug["admin1"]) + len(mug["localities"])
    assert len(rows) == expected
    assert {r["object_id"] for r in rows} == {"OBJ-MUG"}
    loc = next(r for r in rows if r["level"] == "locality")
    assert loc["code"] == str(mug["localities"][0]["geonameid"])


def test_object_without_tips_and_hostile_ids(gazetteer: Gazetteer, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            'T1,=HYPERLINK("http://x"),"Made in Graz, Austria",2025-01-01T00:00:00Z,en',
            'T2,=HYPERLINK("http://x"),no idea,2025-01-01T00:00:00Z,',
        ],
    )
    code, out, err = run(str(path), "--format", "csv", "--object", "NOPE")
    assert code == 0 and "NOPE" in err
    assert out.strip() == "object_id,level,code,name,share,tips"
    code, out, _ = run(str(path), "--format", "json", "--object", "NOPE", "-q")
    [entry] = json.loads(out)
    assert entry["tips"] == 0 and entry["verdict"]["level"] == "none"
    code, out, _ = run(str(path), "--format", "csv", "-q")
    first = next(csv.DictReader(io.StringIO(out)))
    assert first["object_id"] == '\'=HYPERLINK("http://x")'


def test_tips_without_places_and_identical_tips(gazetteer: Gazetteer, tmp_path: Path) -> None:
    rows = [f"S{i},SPAM,It is from Linz!!,2025-01-01T00:00:00Z,en" for i in range(3000)]
    rows += ["N1,NOPLACE,hello?,2025-01-01T00:00:00Z,", "N2,NOPLACE,lol,2025-01-01T00:00:00Z,"]
    code, out, _ = run(str(write(tmp_path, rows)), "-q")
    assert code == 0
    by_id = {e["object_id"]: e for e in json.loads(out)}
    assert by_id["NOPLACE"]["tips"] == 2 and by_id["NOPLACE"]["tips_with_places"] == 0
    assert by_id["NOPLACE"]["verdict"]["level"] == "none"
    spam = by_id["SPAM"]
    assert spam["tips"] == 3000 and spam["localities"][0]["tips"] == 3000
    # one text pasted 3,000 times is one voice: not enough for a verdict
    assert spam["verdict"]["level"] == "none"


def test_empty_file_and_bad_rows(gazetteer: Gazetteer, tmp_path: Path) -> None:
    code, out, _ = run(str(write(tmp_path, [])), "-q")
    assert code == 0 and json.loads(out) == []
    bad = write(tmp_path, ["T1,O,,not a date,"])
    result = CliRunner().invoke(cli, ["summarize", str(bad)])
    assert result.exit_code != 0


def test_stdin_jsonl(gazetteer: Gazetteer) -> None:
    line = {"tip_id": "1", "object_id": "O", "text": "Das ist aus Krakau",
            "received_at": "2025-01-01T00:00:00Z"}  # fmt: skip
    code, out, _ = run("-", "-q", input=json.dumps(line) + "\n")
    assert code == 0
    [entry] = json.loads(out)
    assert entry["countries"][0]["code"] == "PL"
