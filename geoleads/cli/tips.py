"""``geoleads import FILE...`` and ``geoleads db upgrade|current|geoparse``: the store.

Every file is read and validated first; if any row of any file is bad, the
validation report is printed (file, row, reason) and nothing is written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from geoleads.errors import TipFormatError
from geoleads.store import Store, create_import_job, run_import_job
from geoleads.store.mentions import GeoparserLike
from geoleads.tips import Tip, read_tips

database_option = click.option(
    "--database",
    "database_url",
    metavar="URL",
    help="SQLAlchemy URL of the store (default: GEOLEADS_DATABASE_URL or var/geoleads.sqlite).",
)


def _geoparser(enabled: bool) -> GeoparserLike | None:
    if not enabled:
        return None
    try:
        from geoleads.store.mentions import default_geoparser

        return default_geoparser()
    except ImportError as err:
        click.echo(
            f"geoleads: warning: no geoparser ({err}); tips stay pending for "
            "`geoleads db geoparse`",
            err=True,
        )
        return None


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@database_option
@click.option("--user", "user", metavar="NAME", help="Who imports (recorded in the audit log).")
@click.option(
    "--geoparse/--no-geoparse",
    default=True,
    show_default=True,
    help="Geoparse the new tips now (otherwise later with `geoleads db geoparse`).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
def import_command(
    files: tuple[str, ...],
    database_url: str | None,
    user: str | None,
    geoparse: bool,
    as_json: bool,
) -> None:
    """Validate tip files (CSV, JSON Lines, XLSX; - = stdin) and import them into the store.

    All-or-nothing per file; re-importing a file adds nothing twice (tip_id).

    \b
    Examples:
      geoleads import data/demo/tips.csv --user ana
      geoleads import new.xlsx --database postgresql://geo@db/geoleads --json
    """
    read: list[tuple[str, list[Tip]]] = []
    problems: list[TipFormatError] = []
    for name in files:
        try:
            read.append((name, read_tips(name)))
        except TipFormatError as err:
            problems.append(err)
    if len(problems) == 1 and len(files) == 1:
        raise problems[0]
    if problems:
        raise TipFormatError(
            [(row, f"{e.source}: {reason}") for e in problems for row, reason in e.problems],
            f"{len(problems)} of {len(files)} files have bad rows; nothing was imported",
        )
    store = Store.open(database_url, upgrade=True)
    parser = _geoparser(geoparse)
    reports: list[dict[str, Any]] = []
    try:
        for name, tips in read:
            source = "stdin" if name == "-" else Path(name).name
            job = create_import_job(store, source, user=user)
            report = run_import_job(
                store, job, name, user=user, geoparser=parser, source=source, tips=tips
            )
            reports.append({"file": name, "tips": len(tips), "job": job, **report.to_json()})
            if not as_json:
                line = (
                    f"{name}: {len(tips)} tips, {report.added} added, "
                    f"{report.skipped_existing} already stored, "
                    f"{report.objects_created} new object(s), {report.geoparsed} geoparsed"
                )
                if not parser:
                    line += ", geoparsing pending"
                if report.changed:
                    line += f", {len(report.changed)} already stored with a different text"
                click.echo(line, err=True)
    finally:
        store.dispose()
    if as_json:
        click.echo(json.dumps(reports, indent=1))


@click.group("db")
def db_command() -> None:
    """Create, upgrade and maintain the store (SQLite or PostgreSQL)."""


@db_command.command("upgrade")
@database_option
def upgrade_command(database_url: str | None) -> None:
    """Create the store or migrate it to the newest schema (safe to repeat).

    \b
    Example:
      GEOLEADS_DATABASE_URL=postgresql://geo@db/geoleads geoleads db upgrade
    """
    from geoleads.store.schema import current_revision, upgrade

    store = Store.open(database_url)
    try:
        upgrade(store.engine)
        click.echo(f"{store!r} at revision {current_revision(store.engine)} (newest)", err=True)
    finally:
        store.dispose()


@db_command.command("current")
@database_option
def current_command(database_url: str | None) -> None:
    """Print the store's schema revision and the newest one."""
    from geoleads.store.schema import current_revision, head_revision

    store = Store.open(database_url)
    try:
        click.echo(json.dumps({"current": current_revision(store.engine), "head": head_revision()}))
    finally:
        store.dispose()


@db_command.command("geoparse")
@database_option
@click.option("--batch-size", default=200, show_default=True, help="Tips per transaction.")
@click.option("--reset", "reset_object", metavar="OBJECT_ID|all", help="Re-parse these first.")
def geoparse_command(database_url: str | None, batch_size: int, reset_object: str | None) -> None:
    """Geoparse the stored tips still pending (resumable: safe to kill and re-run).

    \b
    Examples:
      geoleads db geoparse
      geoleads db geoparse --reset all      # after a gazetteer update
    """
    from geoleads.store import geoparse_pending, reset_geoparse
    from geoleads.store.mentions import default_geoparser

    store = Store.open(database_url, upgrade=True)
    try:
        if reset_object:
            with store.session() as s:
                n = reset_geoparse(s, None if reset_object == "all" else reset_object)
            click.echo(f"{n} tips marked for geoparsing again", err=True)
        parser = default_geoparser()

        def progress(done: int, total: int) -> None:
            if sys.stderr.isatty():
                click.echo(f"\r{done}/{total} tips geoparsed", nl=False, err=True)

        done = geoparse_pending(store, parser, batch_size=batch_size, progress=progress)
        if sys.stderr.isatty():
            click.echo("", err=True)
        click.echo(f"{done} tips geoparsed", err=True)
    finally:
        store.dispose()


commands = [import_command, db_command]
