"""``geoleads serve`` (the investigators' web app) and ``geoleads demo`` (the same, with demo data).

Both serve on 127.0.0.1:5000 by default (loopback only; put a TLS reverse proxy in
front to serve other machines): with one worker process, waitress; with several
(``--workers``, default one per core, at most 4), gunicorn's threaded workers
(see :mod:`geoleads.web.workers` for what the processes share).
"""

from __future__ import annotations

import csv
import secrets
from pathlib import Path

import click

from geoleads.config import DATA_DIR

DEMO_USER = "demo"


def _serve(host: str, port: int, threads: int, warm: bool, workers: int = 1) -> None:
    if workers > 1:
        from geoleads.web.workers import serve_workers

        click.echo(
            f"geoleads: serving the investigators' app on http://{host}:{port}/ "
            f"with {workers} worker processes (Ctrl+C stops)"
        )
        serve_workers(host, port, workers, threads, warm)
        return
    from waitress import serve

    from geoleads.web import create_app

    app = create_app()
    if warm:
        with app.app_context():
            from geoleads.web.queries import object_ids
            from geoleads.web.state import store, summaries

            summaries().warm(object_ids(store()))
    click.echo(f"geoleads: serving the investigators' app on http://{host}:{port}/ (Ctrl+C stops)")
    serve(app, host=host, port=port, threads=threads, ident="geoleads")


host_option = click.option("--host", default="127.0.0.1", show_default=True, help="Address.")
port_option = click.option("--port", default=5000, show_default=True, type=int, help="Port.")
threads_option = click.option(
    "--threads", default=8, show_default=True, type=int, help="Threads per worker process."
)


def _default_workers() -> int:
    from geoleads.web.workers import default_workers

    return default_workers()


workers_option = click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=_default_workers,
    show_default="one per core, at most 4",
    help="Server processes (1: waitress; more: gunicorn threaded workers).",
)


@click.command("serve")
@host_option
@port_option
@threads_option
@workers_option
@click.option(
    "--warm/--no-warm",
    default=True,
    show_default=True,
    help="Compute object summaries in the background at start.",
)
def serve_command(host: str, port: int, threads: int, workers: int, warm: bool) -> None:
    """Serve the investigators' web app on the configured store.

    \b
    Examples:
      geoleads user add ana --role analyst
      geoleads serve                      # http://127.0.0.1:5000
      geoleads serve --workers 1          # one process (waitress)
      GEOLEADS_DATABASE_URL=postgresql://geo@db/geo geoleads serve --port 8080
    """
    _serve(host, port, threads, warm, workers)


def load_demo(tips_file: Path, objects_file: Path) -> tuple[int, str]:
    """Import the demo tips (idempotent) and give the demo admin a fresh random password."""
    from geoleads.store import Store
    from geoleads.store.imports import import_tips
    from geoleads.store.mentions import default_geoparser
    from geoleads.store.objects import ensure_object, update_object
    from geoleads.store.users import add_user, get_user, set_password
    from geoleads.tips import read_tips

    store = Store.open(upgrade=True)
    report = import_tips(
        store,
        read_tips(tips_file),
        user=DEMO_USER,
        source=tips_file.name,
        geoparser=default_geoparser(),
    )
    if objects_file.exists():
        with objects_file.open(encoding="utf-8") as fh, store.session() as s:
            for row in csv.DictReader(fh):
                fields = {
                    k: row[k] for k in ("title", "kind", "description", "question") if row.get(k)
                }
                ensure_object(s, row["object_id"])
                # demo objects are shown in the public gallery under /public
                update_object(s, row["object_id"], published=True, **fields)
    password = secrets.token_urlsafe(12)
    with store.session() as s:
        if get_user(s, DEMO_USER, missing_ok=True) is None:
            add_user(s, DEMO_USER, password, role="admin")
        else:
            set_password(s, DEMO_USER, password)
    store.dispose()
    return report.added, password


@click.command("demo")
@host_option
@port_option
@threads_option
@workers_option
@click.option(
    "--tips",
    "tips_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DATA_DIR / "demo" / "tips.csv",
    show_default=True,
    help="Demo tip file.",
)
@click.option("--no-serve", is_flag=True, help="Load the demo data and stop.")
def demo_command(
    host: str, port: int, threads: int, workers: int, tips_file: Path, no_serve: bool
) -> None:
    """Load the demo tips into the configured store and serve the web app (``make run``).

    The account ``demo`` (admin) gets a new random password each time; it is printed.
    """
    added, password = load_demo(tips_file, tips_file.parent / "objects.csv")
    click.echo(f"geoleads: demo data loaded ({added} new tips)")
    click.echo(f"geoleads: log in as user '{DEMO_USER}' with password: {password}")
    if not no_serve:
        _serve(host, port, threads, warm=True, workers=workers)


commands = [serve_command, demo_command]
