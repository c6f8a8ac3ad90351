"""``geoleads package``: the dissemination zip for one country."""

from __future__ import annotations

import click

from geoleads.cli.export import DATABASE_HELP, TIPS_HELP, Progress, load_results


@click.command("package")
@click.option("--tips", "tips_path", metavar="FILE", help=TIPS_HELP)
@click.option("--database", "database_url", metavar="URL", help=DATABASE_HELP)
@click.option("--country", required=True, metavar="CC", help="ISO country code, e.g. PL.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Zip file to write, e.g. PL.zip.",
)
@click.option(
    "--reviews",
    "reviews_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Review statuses: CSV tip_id,status or JSON {tip_id: status}.",
)
@click.option(
    "--min-share",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    help="Include an object when the country holds at least this share of it.",
)
@click.option("--no-maps", is_flag=True, help="Leave out the interactive HTML maps.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
def command(
    tips_path: str | None,
    database_url: str | None,
    country: str,
    output: str,
    reviews_path: str | None,
    min_share: float,
    no_maps: bool,
    quiet: bool,
) -> None:
    """Write the dissemination package for one country: the objects whose tips
    point there, their summaries, those tips with review status, standalone
    maps, a PDF report and manifest.json with SHA-256 checksums.

    \b
    Examples:
      geoleads package --tips data/demo/tips.csv --country PL -o PL.zip
      geoleads package --tips tips.jsonl --reviews reviews.csv --country AT -o AT.zip -q
      geoleads package --country PL -o PL.zip        # tips and reviews from the store

    Exit codes: 0 written, 1 bad input, unknown country or no object pointing
    there (no zip is written), 2 wrong usage.
    """
    from geoleads.export.package import build_package

    step = Progress(quiet)
    tips, reviews, results = load_results(tips_path, reviews_path, step, (), database_url)
    manifest = build_package(
        results, country, output, tips=tips, reviews=reviews, min_share=min_share,
        maps=not no_maps, step=step,
    )  # fmt: skip
    step(
        f"wrote {output}: {len(manifest['objects'])} object(s), {manifest['tips']} tip(s), "
        f"{len(manifest['files'])} files"
    )
