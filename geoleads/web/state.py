"""Per-app shared state: the opened store and the summary cache.

>>> from flask import Flask
>>> app = Flask("t"); app.config.update(DATABASE_URL="sqlite://", GEOLEADS_HOME="/tmp/gl-doc")
>>> init_state(app)
>>> with app.app_context():
...     store().is_sqlite
True
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from geoleads.store.engine import Store
from geoleads.web.accounts import Visits
from geoleads.web.signals import ChangeSignal
from geoleads.web.summaries import SummaryCache


def init_state(app: Flask) -> None:
    """Open the store (migrating it to the newest schema) and create the summary cache.

    ``RUN_DIR`` (default ``$GEOLEADS_HOME/run``; none when testing) holds the change
    signals shared by the server's processes (``geoleads serve --workers N``)."""
    st = Store.open(app.config["DATABASE_URL"], upgrade=app.config.get("DB_AUTO_UPGRADE", True))
    app.extensions["geoleads_store"] = st
    cache_dir = app.config.get("SUMMARY_CACHE_DIR")
    if cache_dir is None and not app.config.get("TESTING"):
        cache_dir = str(Path(app.config["GEOLEADS_HOME"]) / "cache" / "web-summaries")
    run_dir = app.config.get("RUN_DIR")
    if run_dir is None and not app.config.get("TESTING"):
        run_dir = str(Path(app.config["GEOLEADS_HOME"]) / "run")
    run = Path(run_dir) if run_dir else None
    app.extensions["geoleads_visits"] = Visits(st, ChangeSignal(run and run / "visits"))
    app.extensions["geoleads_summaries"] = SummaryCache(
        st,
        cache_dir=Path(cache_dir) if cache_dir else None,
        tiles=app.config.get("TILES"),
        sync_limit=int(app.config.get("SUMMARY_SYNC_LIMIT", 5000)),
        signal=ChangeSignal(run and run / "changes"),
        warm_pause=float(app.config.get("SUMMARY_WARM_PAUSE", 3.0)),
        min_interval=float(
            app.config.get("SUMMARY_MIN_INTERVAL_S", 0.0 if app.config.get("TESTING") else 3.0)
        ),
    )


def store() -> Store:
    """The store of the current app."""
    st: Store = current_app.extensions["geoleads_store"]
    return st


def summaries() -> SummaryCache:
    """The summary cache of the current app."""
    cache: SummaryCache = current_app.extensions["geoleads_summaries"]
    return cache


def visits() -> Visits:
    """Who opened which object page when."""
    v: Visits = current_app.extensions["geoleads_visits"]
    return v
