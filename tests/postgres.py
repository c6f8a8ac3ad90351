"""A throwaway PostgreSQL cluster for the test session, and store fixtures over SQLite + PostgreSQL.

The cluster is created with ``initdb`` in a temporary folder (as the ``postgres``
user when the tests run as root: initdb refuses root), started with ``pg_ctl``
on a free loopback port with its socket in that folder, and removed at the end.
Each test that asks for ``postgres_url`` gets a fresh database.

Storage tests use the ``store_url`` fixture, parametrized over SQLite and
PostgreSQL (the latter marked ``postgres``). Missing PostgreSQL binaries FAIL
the postgres cases (they must run in CI; ``make test`` installs them); skip them
on purpose with ``GEOLEADS_SKIP_POSTGRES=1`` or ``-m "not postgres"``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("GEOLEADS_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresCluster:
    """A PostgreSQL server in a temporary folder, owned by this test session."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="geoleads-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = [str(a) for a in args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.root / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}\n{tail}")

    def start(self) -> PostgresCluster:
        if self.as_root:
            shutil.chown(self.root, "postgres")
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=100"
        )
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )
        return self

    def stop(self) -> None:
        try:
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.execute(f"CREATE DATABASE {name}")
        return name

    def drop_database(self, name: str) -> None:
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def postgres_available() -> bool:
    return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster for the whole test session."""
    if os.environ.get("GEOLEADS_SKIP_POSTGRES") == "1":
        pytest.skip("GEOLEADS_SKIP_POSTGRES=1")
    if not postgres_available():
        pytest.fail(f"PostgreSQL binaries not found in {PG_BIN} (make system-deps installs them)")
    cluster = PostgresCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresCluster) -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database (dropped after the test)."""
    name = postgres_server.create_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))
