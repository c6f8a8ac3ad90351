"""``geoleads map``: one object's lead map, or the overview of every object, offline."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import click

from geoleads.errors import ConfigError, NotFoundError


def _say(quiet: bool, start: float, message: str) -> None:
    if not quiet:
        click.echo(f"geoleads: [{time.perf_counter() - start:5.1f}s] {message}", err=True)


def copy_vendor(folder: Path) -> str:
    """Copy the vendored assets a map needs to ``folder/vendor``; returns the relative URL."""
    from geoleads.maps.assets import VENDOR_DIR, VENDOR_FILES

    for rel in VENDOR_FILES:
        source = VENDOR_DIR / rel
        target = folder / "vendor" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        licence = source.parent / "LICENSE"
        if licence.exists():
            shutil.copyfile(licence, target.parent / "LICENSE")
        if rel.endswith(".css") and (source.parent / "images").is_dir():
            shutil.copytree(source.parent / "images", target.parent / "images", dirs_exist_ok=True)
    return "vendor"


@click.command("map")
@click.argument("object_id", required=False)
@click.option(
    "--tips",
    "tips_path",
    required=True,
    metavar="FILE",
    help="Tip file (.csv, .jsonl, .xlsx); '-' reads JSON Lines from stdin.",
)
@click.option("--all", "all_objects", is_flag=True, help="Overview map of every object.")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="HTML file to write."
)
@click.option(
    "--standalone",
    is_flag=True,
    help="One self-contained file (assets inlined) that opens from disk, e.g. to e-mail.",
)
@click.option(
    "--static-url",
    metavar="URL",
    help="Link assets under this URL (a web server) instead of copying them to ./vendor/.",
)
@click.option(
    "--tiles", metavar="URL", help="Tile URL template of an internal server (or GEOLEADS_TILES)."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
def command(
    object_id: str | None,
    tips_path: str,
    all_objects: bool,
    output: str,
    standalone: bool,
    static_url: str | None,
    tiles: str | None,
    quiet: bool,
) -> None:
    """Draw the lead map of OBJECT_ID (or, with --all, the overview of every object).

    The map needs no internet: Leaflet comes from geoleads' own copy and the
    basemap is its own country borders. Without --standalone the page links the
    assets in a vendor/ folder written next to it (or under --static-url).

    \b
    Examples:
      geoleads map OBJ-1 --tips data/demo/tips.csv -o maps/OBJ-1.html --standalone
      geoleads map --all --tips data/demo/tips.csv -o maps/overview.html
      geoleads map OBJ-1 --tips tips.csv -o site/OBJ-1.html --static-url /static/vendor

    Exit codes: 0 written, 1 bad input (unknown object, bad tip file), 2 wrong usage.
    """
    from geoleads.maps import DEFAULT_STATIC_URL, lead_map, overview_map, save_map
    from geoleads.narrow import summarize_tips
    from geoleads.tips import read_tips

    if bool(object_id) == all_objects:
        raise click.UsageError("give either OBJECT_ID or --all")
    if standalone and static_url:
        raise click.UsageError("--standalone and --static-url exclude each other")
    start = time.perf_counter()
    _say(quiet, start, f"reading tips from {'stdin' if tips_path == '-' else tips_path}")
    tips = read_tips(tips_path)
    if object_id:
        tips = [t for t in tips if t.object_id == object_id]
        if not tips:
            raise NotFoundError(f"no tips for object {object_id!r} in {tips_path}")
    if not tips:
        raise ConfigError(f"{tips_path} holds no tips")
    _say(quiet, start, f"{len(tips)} tips; finding places and summarising")
    results = summarize_tips(tips, progress=not quiet)
    out = Path(output)
    url = static_url
    if not standalone and not url:
        url = copy_vendor(out.parent)
    url = url or DEFAULT_STATIC_URL  # unused when standalone
    if object_id:
        m = lead_map(results[0], standalone=standalone, tiles=tiles, static_url=url)
    else:
        m = overview_map(results, standalone=standalone, tiles=tiles, static_url=url)
    path = save_map(m, out, standalone=standalone)
    _say(quiet, start, f"wrote {path} ({path.stat().st_size:,} bytes)")
