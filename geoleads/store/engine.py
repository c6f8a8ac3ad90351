"""Opening the store: engine, SQLite pragmas, sessions and database error translation.

>>> from sqlalchemy import text
>>> store = Store.open("sqlite://")       # in memory, for examples
>>> with store.session() as session:
...     list(session.scalars(text("select 1")))
[1]

SQLite files get WAL mode, foreign keys and a busy timeout. PostgreSQL works
through psycopg 3 (``postgresql+psycopg://user@host:port/db``; a plain
``postgresql://`` URL is mapped to psycopg). Database failures become
:class:`~geoleads.errors.StoreError` with a plain-language reason; a URL that
cannot be understood is a :class:`~geoleads.errors.ConfigError`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from geoleads.config import Settings
from geoleads.errors import ConfigError, StoreError

#: Milliseconds a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def parse_url(url: str) -> URL:
    """Validate a database URL; map ``postgresql://`` to the psycopg 3 driver.

    >>> parse_url("postgresql://u@localhost/geo").drivername
    'postgresql+psycopg'
    >>> parse_url("nonsense")
    Traceback (most recent call last):
    ...
    geoleads.errors.ConfigError: database URL 'nonsense' is not valid: expected e.g. ...
    """
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise ConfigError(
            f"database URL {url!r} is not valid: expected e.g. "
            "sqlite:///path/geoleads.sqlite or "
            "postgresql://user@host/dbname"
        ) from err
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"database URL {parsed.render_as_string()!r}: unsupported database {backend!r} "
            "(use sqlite or postgresql)"
        )
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def describe_error(err: BaseException, url: URL | None = None) -> str:
    """A plain-language reason for a database error."""
    message = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
    low = message.lower()
    where = f" ({url.render_as_string(hide_password=True)})" if url is not None else ""
    if "readonly" in low or "read-only" in low or "read only" in low:
        return f"the database is read-only{where}: {message}"
    if "disk is full" in low or "no space left" in low or "database or disk is full" in low:
        return f"the disk is full or the database reached its size limit{where}: {message}"
    if "unable to open database file" in low:
        return (
            f"cannot open the database file{where}: does its folder exist and is it "
            f"readable/writable? ({message})"
        )
    if "database is locked" in low:
        return f"the database is busy (another process holds a write lock){where}: {message}"
    if "no such table" in low or ("relation" in low and "does not exist" in low):
        return f"the database is not initialised: run `geoleads db upgrade`{where}: {message}"
    if "connection" in low and ("refused" in low or "failed" in low):
        return f"cannot connect to the database server{where}: {message}"
    return f"database error{where}: {message}"


def _sqlite_on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # A read-only file keeps its journal mode; writes to it fail clearly later.
        with suppress(sqlite3.OperationalError):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def make_engine(url: str | URL) -> Engine:
    """An :class:`~sqlalchemy.Engine` for ``url`` with geoleads' connection settings."""
    parsed = parse_url(url) if isinstance(url, str) else url
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        in_memory = database in ("", ":memory:") or "mode=memory" in str(parsed)
        if in_memory:
            kwargs["poolclass"] = StaticPool
            kwargs["connect_args"] = {"check_same_thread": False}
        elif not database.startswith("file:"):
            folder = Path(database).expanduser().parent
            if not folder.exists():
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as err:
                    raise StoreError(f"cannot create the database folder {folder}: {err}") from err
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, NoSuchModuleError) as err:
        raise ConfigError(f"database URL {parsed.render_as_string()!r}: {err}") from err
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
    return engine


class Store:
    """An opened store: an engine and a session factory.

    Use :meth:`session` for one unit of work (committed on success, rolled back
    on error, database errors raised as :class:`~geoleads.errors.StoreError`).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url
        self.sessionmaker = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str | None = None, *, upgrade: bool = False) -> Store:
        """Open ``url`` (default: ``Settings.from_env().database_url``).

        ``upgrade=True`` runs the migrations to the newest schema first.
        """
        url = url or Settings.from_env().database_url
        store = cls(make_engine(url))
        if upgrade:
            from geoleads.store.schema import upgrade as run_upgrade

            run_upgrade(store.engine)
        return store

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: commit on success, roll back on any error."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except DBAPIError as err:
            session.rollback()
            raise StoreError(describe_error(err, self.url)) from err
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A Core connection for reads (``execute``/``scalar``/``scalars`` of column
        selects), without an ORM session: several times cheaper per statement, for the
        web app's per-request queries. Rolled back at the end; errors as :class:`StoreError`.
        """
        with translate_errors(self.url), self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Store({self.url.render_as_string(hide_password=True)!r})"


@contextmanager
def translate_errors(url: URL | None = None) -> Iterator[None]:
    """Raise database errors inside the block as :class:`StoreError`."""
    try:
        yield
    except DBAPIError as err:
        raise StoreError(describe_error(err, url)) from err
    except SQLAlchemyError as err:
        if isinstance(err, ArgumentError | NoSuchModuleError):
            raise ConfigError(str(err)) from err
        raise


__all__ = ["Store", "describe_error", "make_engine", "parse_url", "translate_errors"]
