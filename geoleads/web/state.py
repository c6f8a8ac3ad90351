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
from geoleads.web.summaries import SummaryCache


def init_state(app: Flask) -> None:
    """Open the store (migrating it to the newest schema) and create the summary cache."""
    st = Store.open(app.config["DATABASE_URL"], upgrade=app.config.get("DB_AUTO_UPGRADE", True))
    app.extensions["geoleads_store"] = st
    cache_dir = app.config.get("SUMMARY_CACHE_DIR")
    if cache_dir is None and not app.config.get("TESTING"):
        cache_dir = str(Path(app.config["GEOLEADS_HOME"]) / "cache" / "web-summaries")
    app.extensions["geoleads_visits"] = Visits(st)
    app.extensions["geoleads_summaries"] = SummaryCache(
        st,
        cache_dir=Path(cache_dir) if cache_dir else None,
        tiles=app.config.get("TILES"),
        sync_limit=int(app.config.get("SUMMARY_SYNC_LIMIT", 5000)),
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
