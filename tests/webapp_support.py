"""Support of the web app tests: a store with real geoparsed tips and three users.

The template database is built once per session (real geoparser, real SQLite
file) and copied for each test, so tests can review and import freely.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

DATA = Path(__file__).parent / "data"
WEB_TIPS = DATA / "web_tips.csv"
PASSWORD = "correct horse battery"
USERS = {"vera": "viewer", "anna": "analyst", "adam": "admin"}


def build_template_db(path: Path, geoparser: Any) -> Path:
    """A SQLite store at ``path`` with the web test tips (geoparsed) and the test users."""
    from geoleads.store.engine import Store
    from geoleads.store.imports import import_tips
    from geoleads.store.users import add_user
    from geoleads.tips import read_tips

    store = Store.open(f"sqlite:///{path}", upgrade=True)
    import_tips(
        store, read_tips(WEB_TIPS), user="setup", source="web_tips.csv", geoparser=geoparser
    )
    with store.session() as s:
        for name, role in USERS.items():
            add_user(s, name, PASSWORD, role=role)
    store.dispose()
    return path


_TEMPLATE: dict[str, Path] = {}


def template_db(folder: Path) -> Path:
    """The session's template store (built on first use, in ``folder``)."""
    if "db" not in _TEMPLATE:
        from geoleads.store.mentions import default_geoparser

        _TEMPLATE["db"] = build_template_db(folder / "template.sqlite", default_geoparser())
    return _TEMPLATE["db"]


def make_app(template: Path, tmp: Path, **config: Any) -> Flask:
    """A fresh app over a copy of the template store, with its own GEOLEADS_HOME."""
    from geoleads.web import create_app

    db = tmp / "geoleads.sqlite"
    shutil.copy(template, db)
    cfg = {
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{db}",
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "GEOLEADS_HOME": str(tmp),
        "SUMMARY_CACHE_DIR": None,
        "IMPORT_IN_THREAD": False,
    }
    cfg.update(config)
    return create_app(cfg)


def csrf_from(html: str) -> str:
    """The CSRF token of the first form of a page."""
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    """Log ``username`` in through the real login form (CSRF token included)."""
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (a random port) in a thread; yields the base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
