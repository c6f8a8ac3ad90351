"""Schema management: Alembic migrations run from code, no ``alembic.ini``.

>>> from geoleads.store.engine import make_engine
>>> engine = make_engine("sqlite://")
>>> upgrade(engine)
>>> current_revision(engine) == head_revision()
True

For developers, a new migration generated against a scratch database at head::

    .venv/bin/python -m geoleads.store.schema revision -m "add object visits"
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from geoleads.errors import StoreError
from geoleads.store.engine import describe_error, make_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    """An Alembic :class:`~alembic.config.Config` pointing at geoleads' migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    """The newest migration's revision id."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` when it was never initialised)."""
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except DBAPIError as err:
        raise StoreError(describe_error(err, engine.url)) from err


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database of ``engine`` to ``revision`` (default: the newest)."""
    config = alembic_config()
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    except DBAPIError as err:
        raise StoreError(describe_error(err, engine.url)) from err


def init_db(url: str | None = None) -> str | None:
    """Create or upgrade the store at ``url`` (default: the configured one); return its revision.

    >>> init_db("sqlite://") == head_revision()
    True
    """
    from geoleads.store.engine import Store

    store = Store.open(url)
    try:
        upgrade(store.engine)
        return current_revision(store.engine)
    finally:
        store.dispose()


def _revision(message: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/scratch.sqlite")
        upgrade(engine)
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.revision(config, message=message, autogenerate=True)
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    """``python -m geoleads.store.schema revision -m MESSAGE`` (developers only)."""
    parser = argparse.ArgumentParser(prog="python -m geoleads.store.schema")
    sub = parser.add_subparsers(dest="cmd", required=True)
    rev = sub.add_parser("revision", help="autogenerate a migration from the models")
    rev.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)
    if args.cmd == "revision":
        _revision(args.message)


if __name__ == "__main__":
    main()
