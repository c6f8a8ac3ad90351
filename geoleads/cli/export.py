"""``geoleads export``: a regional summary in CSV, XLSX, GeoJSON, GPKG, KML, PDF or HTML."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from geoleads.export.formats import FORMATS
from geoleads.export.regional import LEVELS

if TYPE_CHECKING:
    from geoleads.tips import Tip


class Progress:
    """Stage messages on stderr (``geoleads: ...``), silent with ``--quiet``."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            elapsed = time.perf_counter() - self.start
            click.echo(f"geoleads: [{elapsed:5.1f}s] {message}", err=True)


def _from_store(
    database_url: str | None, objects: tuple[str, ...], step: Progress
) -> tuple[list[Tip], dict[str, str], dict[str, list[Any]]]:
    """Tips, review statuses and stored geoparse results from the configured store."""
    from geoleads.store import Store, mentions_for_tips, object_tips, reviews_for_object

    store = Store.open(database_url)
    step(f"reading tips from {store!r}")
    try:
        with store.session() as session:
            tips = object_tips(session)
            if objects:
                tips = [t for t in tips if t.object_id in set(objects)]
            reviews = reviews_for_object(session)
            mentions = mentions_for_tips(session, [t.tip_id for t in tips])
    finally:
        store.dispose()
    return tips, reviews, mentions


def load_results(
    tips_path: str | None,
    reviews_path: str | None,
    step: Progress,
    objects: tuple[str, ...] = (),
    database_url: str | None = None,
) -> tuple[list[Tip], dict[str, str] | None, list[Any]]:
    """Read tips and reviews (a file, or the store when ``tips_path`` is None) and
    summarise the objects (all, or only ``objects``)."""
    from geoleads import api

    mentions = None
    reviews: dict[str, str] | None = None
    if tips_path is None:
        tips, reviews, mentions = _from_store(database_url, objects, step)
    else:
        step(f"reading tips from {'stdin' if tips_path == '-' else tips_path}")
        tips = api.load_tips(tips_path)
        if objects:
            wanted = set(objects)
            tips = [t for t in tips if t.object_id in wanted]
    if reviews_path:  # a reviews file wins over the store's statuses
        reviews = {**(reviews or {}), **api.load_reviews(reviews_path)}
    n_objects = len({t.object_id for t in tips})
    step(f"{len(tips)} tips of {n_objects} object(s): finding places, summarising")
    results = api.summarize(tips, reviews=reviews, mentions=mentions, progress=not step.quiet)
    return tips, reviews, results


TIPS_HELP = (
    "Tip file (.csv, .jsonl, .xlsx); '-' reads JSON Lines from stdin. "
    "Default: the tips (and reviews) in the store."
)
DATABASE_HELP = "SQLAlchemy URL of the store read when --tips is left out (default: settings)."


@click.command("export")
@click.option("--tips", "tips_path", metavar="FILE", help=TIPS_HELP)
@click.option("--database", "database_url", metavar="URL", help=DATABASE_HELP)
@click.option(
    "--level",
    type=click.Choice(LEVELS),
    default="country",
    show_default=True,
    help="Regions to summarise (xlsx and gpkg hold every level).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format (default: from the file name).",
)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write."
)
@click.option(
    "--object",
    "objects",
    multiple=True,
    metavar="ID",
    help="Only this object (repeatable; default: every object).",
)
@click.option(
    "--reviews",
    "reviews_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Review statuses: CSV tip_id,status or JSON {tip_id: status}.",
)
@click.option(
    "--campaign",
    is_flag=True,
    help="One row per region over all the objects (instead of per object).",
)
@click.option(
    "--min-share",
    type=click.FloatRange(0, 1),
    default=None,
    help="Leave out rows with a smaller share (default: 0, or 0.01 in geojson/gpkg/kml).",
)
@click.option("--title", help="Title of a pdf/html report.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
def command(
    tips_path: str | None,
    database_url: str | None,
    level: str,
    fmt: str | None,
    output: str,
    objects: tuple[str, ...],
    reviews_path: str | None,
    campaign: bool,
    min_share: float | None,
    title: str | None,
    quiet: bool,
) -> None:
    """Write a regional summary of objects: share, tip counts, reviewed counts,
    supporting tip excerpts and verdict per country, admin1 region or locality.

    \b
    Examples:
      geoleads export --tips data/demo/tips.csv --level admin1 -o out/regions.xlsx
      geoleads export --tips tips.jsonl --level country --format gpkg -o out/regions.gpkg
      geoleads export --tips tips.csv --object OBJ-1 --object OBJ-2 -o out/report.pdf
      geoleads export --tips tips.csv --level admin1 --campaign -o out/campaign.gpkg
      geoleads export --level admin1 -o out/store.xlsx      # tips and reviews from the store
      cat tips.jsonl | geoleads export --tips - --format kml -o out/regions.kml

    Exit codes: 0 written, 1 bad input or failure (nothing is left half-written
    by the zip/report writers), 2 wrong usage.
    """
    from geoleads.export import export_summary, format_for

    step = Progress(quiet)
    fmt = fmt or format_for(output)
    tips, reviews, results = load_results(tips_path, reviews_path, step, objects, database_url)
    path = export_summary(
        results, output, fmt, level, tips=tips, reviews=reviews, objects=objects or None,
        campaign=campaign, min_share=min_share, title=title, step=step,
    )  # fmt: skip
    step(f"wrote {path} ({Path(path).stat().st_size:,} bytes)")
