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
    """Build the gazetteer cache (about 30 s, once) unless a valid one exists.

    \b
    Example:
      geoleads gazetteer build --force
    """
    from geoleads.gazetteer.cache import cache_path, load_or_build

    settings = Settings.from_env()
    load_or_build(settings.cache_dir, rebuild=force)
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
