"""``geoleads batch geoparse|summarize``: whole tip files on Dask, resumable after a crash."""

from __future__ import annotations

import time
from typing import Any

import click

_SCHEDULER_HELP = (
    "processes: a local Dask cluster of --workers processes; synchronous: this process only; "
    "or the address of a running Dask scheduler (tcp://host:8786), whose workers must see OUTDIR."
)


def _options(f: Any) -> Any:
    f = click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")(f)
    f = click.option(
        "--partition-tips",
        type=click.IntRange(1),
        default=5000,
        show_default=True,
        help="About this many tips per partition (the unit of work and of resuming).",
    )(f)
    f = click.option(
        "--workers",
        type=click.IntRange(1),
        default=2,
        show_default=True,
        help="Worker processes of the local cluster (--scheduler processes).",
    )(f)
    f = click.option(
        "--scheduler",
        default="processes",
        show_default=True,
        metavar="ADDRESS",
        help=_SCHEDULER_HELP,
    )(f)
    f = click.option(
        "-o",
        "--output",
        "outdir",
        required=True,
        type=click.Path(file_okay=False),
        help="Output folder (created; a broken run in it is resumed).",
    )(f)
    return click.argument("tips_file", type=click.Path(exists=True, dir_okay=False))(f)


def _run(
    kind: str,
    tips_file: str,
    outdir: str,
    scheduler: str,
    workers: int,
    partition_tips: int,
    quiet: bool,
    alternatives: int = 3,
) -> None:
    from geoleads.batch import run_batch

    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if not quiet and (now - last[0] >= 2.0 or done == total):
            click.echo(f"batch {kind}: {done:,}/{total:,} tips", err=True)
            last[0] = now

    report = run_batch(
        kind,
        tips_file,
        outdir,
        scheduler=scheduler,
        workers=workers,
        partition_tips=partition_tips,
        alternatives=alternatives,
        progress=progress,
    )
    if not quiet:
        click.echo(
            f"batch {kind}: {report.objects:,} objects in {report.partitions} partitions "
            f"({report.computed} computed, {report.skipped} already done); "
            f"{report.tips:,} tips in {report.seconds:.1f} s "
            f"({report.tips_per_second:,.0f} tips/s) -> {report.folder}",
            err=True,
        )


@click.group("batch")
def command() -> None:
    """Geoparse or summarise a whole tip file on Dask, partitioned by object.

    Each partition's output is written atomically to OUTDIR; running the same
    command again after a crash or kill skips the finished partitions, so every
    tip is in the output exactly once. _SUCCESS appears when all are done.

    \b
    Examples:
      geoleads batch geoparse tips.csv -o out/places
      geoleads batch summarize tips.csv -o out/summary --workers 4
      geoleads batch geoparse tips.csv -o out/places --scheduler tcp://10.0.0.5:8786
    """


@command.command("geoparse")
@_options
@click.option(
    "--alternatives",
    type=click.IntRange(0, 10),
    default=3,
    show_default=True,
    help="How many other readings to list per place.",
)
def geoparse(
    tips_file: str,
    outdir: str,
    scheduler: str,
    workers: int,
    partition_tips: int,
    quiet: bool,
    alternatives: int,
) -> None:
    """Places of every tip: OUTDIR/part-NNNNN.jsonl, one {"id", "object_id", "places"} per tip.

    TIPS_FILE is CSV, JSON Lines or XLSX (tip_id, object_id, text, received_at,
    optional language), validated as a whole before anything runs. The places
    are those of `geoleads geoparse`.
    """
    _run("geoparse", tips_file, outdir, scheduler, workers, partition_tips, quiet, alternatives)


@command.command("summarize")
@_options
def summarize(
    tips_file: str, outdir: str, scheduler: str, workers: int, partition_tips: int, quiet: bool
) -> None:
    """Per-object summaries: OUTDIR/summaries.json, as `geoleads summarize --format json`."""
    _run("summarize", tips_file, outdir, scheduler, workers, partition_tips, quiet)
