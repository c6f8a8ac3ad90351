"""``geoleads geoparse``: places in JSON Lines tips, one output line per input line."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from geoleads.geoparse import Geoparser


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, raw in enumerate(stream, start=1):
        yield number, raw.rstrip(b"\r\n")


def parse_line(
    geoparser: Geoparser,
    number: int,
    raw: bytes,
    language: str | None = None,
    alternatives: int = 3,
) -> dict[str, Any]:
    """The output record of one input line (a place list, or an ``error``)."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return {"id": None, "error": f"line {number}: invalid UTF-8 ({err.reason})"}
    if not line.strip():
        return {"id": None, "error": f"line {number}: empty line"}
    try:
        record = json.loads(line)
    except ValueError as err:
        return {"id": None, "error": f"line {number}: invalid JSON ({err})"}
    if not isinstance(record, dict):
        return {"id": None, "error": f"line {number}: expected a JSON object"}
    ident = record.get("id", record.get("tip_id", number))
    if isinstance(ident, (dict, list)):
        return {"id": None, "error": f"line {number}: id must be a string or a number"}
    text = record.get("text")
    if text is None:
        return {"id": ident, "error": f"line {number}: missing text"}
    if not isinstance(text, str):
        return {"id": ident, "error": f"line {number}: text must be a string"}
    lang = record.get("language") or language
    if lang is not None and not isinstance(lang, str):
        return {"id": ident, "error": f"line {number}: language must be a string"}
    mentions = geoparser.parse(text, language=lang)
    return {"id": ident, "places": [m.to_json(alternatives) for m in mentions]}


@click.command("geoparse")
@click.argument("file", type=click.Path(allow_dash=True, dir_okay=False, exists=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(allow_dash=True, dir_okay=False, writable=True),
    default="-",
    show_default=True,
    help="Where to write the JSON Lines output.",
)
@click.option("--language", help="ISO 639-1 code of every tip (e.g. pl); default: guessed.")
@click.option(
    "--alternatives",
    type=click.IntRange(0, 10),
    default=3,
    show_default=True,
    help="How many other readings to list per place.",
)
@click.option(
    "--geocoder/--no-geocoder",
    default=False,
    show_default=True,
    help="Ask the geocoder set in GEOLEADS_GEOCODER for names the gazetteer lacks.",
)
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
def command(
    file: str,
    output: str,
    language: str | None,
    alternatives: int,
    geocoder: bool,
    quiet: bool,
) -> None:
    """Find the places in tips: JSON Lines in (FILE, or - for stdin), JSON Lines out.

    Each input line is an object with "id" and "text" (optional "language").
    Each output line is {"id": ..., "places": [...]} with, per place, start/end
    offsets into the text, kind (place, demonym, language, macro, coordinates,
    url), the best reading (geonameid, name, level, country, admin1, lat, lon,
    confidence) and "alternatives". A bad line gives {"id": ..., "error": ...}
    and the run goes on. Everything runs offline.

    \b
    Examples:
      echo '{"id":"1","text":"Das ist aus Krakau"}' | geoleads geoparse -
      geoleads geoparse tips.jsonl -o places.jsonl
      geoleads geoparse tips.jsonl --language pl --alternatives 0
    """
    from geoleads.geoparse import Geoparser

    source: IO[bytes]
    if file == "-":
        source = sys.stdin.buffer
    else:
        try:
            source = open(file, "rb")  # noqa: SIM115 - closed below
        except OSError as err:
            raise click.FileError(file, hint=err.strerror) from err
    sink: IO[str]
    if output == "-":
        sink = sys.stdout
    else:
        try:
            sink = open(output, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        except OSError as err:
            raise click.FileError(output, hint=err.strerror) from err
    show = not quiet and file != "-"
    try:
        geoparser = Geoparser(use_geocoder=geocoder)
        started = last = time.monotonic()
        count = errors = 0
        for number, raw in _lines(source):
            record = parse_line(geoparser, number, raw, language, alternatives)
            errors += "error" in record
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            if file == "-":
                sink.flush()
            count += 1
            now = time.monotonic()
            if show and now - last >= 2.0:
                click.echo(
                    f"geoparse: {count:,} lines ({count / (now - started):,.0f}/s)", err=True
                )
                last = now
        if show:
            took = time.monotonic() - started
            click.echo(f"geoparse: {count:,} lines, {errors:,} with errors, {took:.1f} s", err=True)
    finally:
        if source is not sys.stdin.buffer:
            source.close()
        if sink is not sys.stdout:
            sink.close()
        else:
            sink.flush()
