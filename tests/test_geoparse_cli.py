"""``geoleads geoparse``: JSON Lines in and out, one line per line, bad lines survive."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from geoleads.cli import cli
from geoleads.gazetteer import Gazetteer
from geoleads.geoparse import Geoparser

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def runner(gazetteer: Gazetteer) -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, data: bytes, *args: str) -> list[dict]:
    result = runner.invoke(cli, ["geoparse", "-", *args], input=data, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_acceptance_example_in_a_new_process(gazetteer: Gazetteer) -> None:
    Geoparser(gazetteer)  # the extractor's caches exist before the new process starts
    out = subprocess.run(
        [sys.executable, "-m", "geoleads", "geoparse", "-"],
        input=b'{"id":"1","text":"Das ist aus Krakau"}\n',
        capture_output=True,
        check=True,
        cwd=ROOT,
        timeout=600,
    )
    (line,) = out.stdout.decode().splitlines()
    record = json.loads(line)
    assert record["id"] == "1"
    (place,) = record["places"]
    assert (place["name"], place["country"], place["admin1"]) == ("Kraków", "PL", "PL.77")
    assert (place["start"], place["end"], place["text"], place["kind"]) == (
        12,
        18,
        "Krakau",
        "place",
    )
    assert set(place) >= {
        "geonameid", "level", "lat", "lon", "confidence", "alternatives",
    }  # fmt: skip


def test_bad_lines_give_errors_and_the_run_goes_on(runner: CliRunner) -> None:
    lines = [
        b'{"id": "a", "text": "v Praze"}',
        b"{not json",
        b'{"id": "b"}',
        b'{"id": "c", "text": "aus Krakau \xff\xfe"}',
        b"[1, 2]",
        b"",
        b'{"id": "d", "text": 42}',
        b'{"id": "e", "text": ""}',
        b'{"id": {"x": 1}, "text": "Wien"}',
        b'{"id": 7, "text": "<script>alert(1)</script> w Krakowie"}',
    ]
    out = run(runner, b"\n".join(lines) + b"\n")
    assert len(out) == len(lines)
    assert out[0]["id"] == "a" and out[0]["places"][0]["name"] == "Prague"
    assert "invalid JSON" in out[1]["error"] and out[1]["id"] is None
    assert out[2] == {"id": "b", "error": "line 3: missing text"}
    assert "invalid UTF-8" in out[3]["error"]
    assert "JSON object" in out[4]["error"]
    assert "empty line" in out[5]["error"]
    assert out[6]["id"] == "d" and "must be a string" in out[6]["error"]
    assert out[7] == {"id": "e", "places": []}
    assert "id must be" in out[8]["error"]
    assert out[9]["id"] == 7 and out[9]["places"][0]["name"] == "Kraków"


def test_a_megabyte_of_text(runner: CliRunner) -> None:
    text = "Ich habe es in Wien gesehen. " + "x" * 1_000_000
    out = run(runner, json.dumps({"id": "big", "text": text}).encode() + b"\n")
    assert out[0]["places"][0]["name"] == "Vienna"


def test_file_in_file_out_with_progress(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "tips.jsonl"
    src.write_text(
        "\n".join(json.dumps({"id": str(i), "text": "Bought in Brno"}) for i in range(5)) + "\n",
        encoding="utf-8",
    )
    dst = tmp_path / "out.jsonl"
    result = runner.invoke(cli, ["geoparse", str(src), "-o", str(dst), "--alternatives", "0"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["0", "1", "2", "3", "4"]
    assert records[0]["places"][0]["alternatives"] == []
    assert "5 lines, 0 with errors" in result.stderr


def test_missing_file_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["geoparse", str(tmp_path / "nope.jsonl")])
    assert result.exit_code != 0
    assert "nope.jsonl" in result.output


def test_help_has_examples(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["geoparse", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "geoleads geoparse -" in result.output
