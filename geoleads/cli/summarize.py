"""``geoleads summarize TIPS_FILE``: where each object's tips converge, as JSON or CSV."""

from __future__ import annotations

import csv
import json
from typing import Any

import click

#: Columns of ``--format csv``.
CSV_COLUMNS = ("object_id", "level", "code", "name", "share", "tips")
_LEVELS = (("countries", "country"), ("admin1", "admin1"), ("localities", "locality"))


def csv_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The rankings of one summary entry as CSV rows (localities: code = geonameid).

    >>> rows = csv_rows({"object_id": "O", "countries": [{"code": "PL", "name": "Poland",
    ...     "share": 0.6, "tips": 3}], "admin1": [], "localities": []})
    >>> [(r["level"], r["code"], r["share"], r["tips"]) for r in rows]
    [('country', 'PL', 0.6, 3)]
    """
    rows = []
    for key, level in _LEVELS:
        for entry in summary.get(key, []):
            code = entry.get("code", entry.get("geonameid"))
            rows.append(
                {
                    "object_id": summary["object_id"],
                    "level": level,
                    "code": code,
                    "name": entry["name"],
                    "share": entry["share"],
                    "tips": entry["tips"],
                }
            )
    return rows


@click.command("summarize")
@click.argument("tips_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv"]),
    default="json",
    show_default=True,
    help="json: one entry per object (rankings, peak, credible regions, verdict); "
    "csv: the rankings as rows.",
)
@click.option(
    "--object",
    "object_ids",
    multiple=True,
    metavar="ID",
    help="Only this object (repeatable). An object without tips is reported with 0 tips.",
)
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Write here instead of stdout.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or notes on stderr.")
def command(
    tips_file: str, fmt: str, object_ids: tuple[str, ...], output: Any, quiet: bool
) -> None:
    """Rank the countries, regions and towns each object's tips point to.

    TIPS_FILE is CSV, JSON Lines or XLSX with tip_id, object_id, text,
    received_at (ISO 8601) and optional language; "-" reads JSON Lines from
    stdin. Duplicated tips are collapsed (their count is kept), ambiguous names
    are resolved in the light of the object's other tips, and the verdict is the
    most specific level (locality, admin1, country) whose top entry is credible
    enough, or "none".

    \b
    Examples:
      geoleads summarize data/demo/tips.csv --format json
      geoleads summarize data/demo/tips.csv --format csv --object OBJ-TOOTHPASTE -o horn.csv
    """
    from geoleads.narrow import iter_results
    from geoleads.tips import read_tips

    tips = read_tips(tips_file)
    if object_ids:
        wanted = set(object_ids)
        known = {t.object_id for t in tips}
        tips = [t for t in tips if t.object_id in wanted]
        missing = [o for o in object_ids if o not in known]
        if missing and not quiet:
            click.echo(f"geoleads: note: no tips for {', '.join(missing)}", err=True)
    progress = not quiet
    results = iter_results(
        tips, progress=progress, objects=list(object_ids) or None, keep_leads=False
    )
    if fmt == "json":
        output.write("[")
        for i, res in enumerate(results):
            output.write(",\n" if i else "\n")
            output.write(json.dumps(res.summary, ensure_ascii=False))
        output.write("\n]\n")
    else:
        from geoleads.export.tables import neutralise

        writer = csv.DictWriter(output, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for res in results:
            # object ids come from the public file: never let a spreadsheet run them
            writer.writerows(
                {k: neutralise(v) for k, v in row.items()} for row in csv_rows(res.summary)
            )
    output.flush()
