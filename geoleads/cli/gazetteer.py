"""``geoleads gazetteer build|info``: prepare and inspect the offline gazetteer."""

from __future__ import annotations

import json
import time

import click

from geoleads.config import Settings


@click.group("gazetteer")
def command() -> None:
    """Prepare or inspect the offline gazetteer cache."""


@command.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if a valid cache exists.")
def build(force: bool) -> None:
    """Build the gazetteer cache and what is derived from it, unless valid ones exist.

    Prepares, once: the gazetteer tables (about 30 s), the extractor's word lists
    and clue table (about a minute) and the approximate admin1 shapes (about 10 s),
    so that later commands start in about a second.

    \b
    Example:
      geoleads gazetteer build --force
    """
    from geoleads.gazetteer import Gazetteer
    from geoleads.gazetteer.cache import cache_path
    from geoleads.regions import admin1_shapes
    from geoleads.wordlists import load_clue_table, load_wordlists

    settings = Settings.from_env()
    gaz = Gazetteer.load(settings.cache_dir, rebuild=force)
    load_wordlists(gaz)
    load_clue_table(settings.cache_dir)
    admin1_shapes(gaz)
    click.echo(f"gazetteer ready at {cache_path(settings.cache_dir)}", err=True)


@command.command("info")
def info() -> None:
    """Print what the gazetteer holds and how long it took to load, as JSON."""
    from geoleads.gazetteer import Gazetteer

    start = time.perf_counter()
    gaz = Gazetteer.load()
    seconds = time.perf_counter() - start
    click.echo(
        json.dumps(
            {
                "cache_dir": str(gaz.cache_dir),
                "localities": gaz.locality_count,
                "admin1": gaz.admin1_count,
                "countries": len(gaz.country_codes),
                "names": len(gaz.names),
                "load_seconds": round(seconds, 3),
            },
            indent=1,
        )
    )
