"""Importing tip files: the CLI, background jobs, and clear errors for broken databases."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text

from geoleads.cli import main
from geoleads.errors import ConfigError, StoreError, TipFormatError
from geoleads.store import (
    Store,
    audit_events,
    authenticate,
    create_import_job,
    fail_interrupted_jobs,
    get_import_job,
    import_tips,
    init_db,
    list_import_jobs,
    list_objects,
    list_users,
    object_tips,
    run_import_job,
    update_import_job,
)
from geoleads.tips import read_tips

DATA = Path(__file__).parent / "data"
GOOD = DATA / "tips_good.csv"
BAD = DATA / "tips_bad.csv"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'db' / 'store.sqlite'}"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store.open(store_url, upgrade=True)
    yield s
    s.dispose()


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_import_then_reimport_adds_nothing(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["import", str(GOOD), str(DATA / "tips_good.jsonl"), "--database", store_url]
    code, _, err = run([*args, "--no-geoparse", "--user", "ana"], capsys)
    assert code == 0, err
    assert "tips_good.csv: 4 tips, 4 added, 0 already stored, 2 new object(s)" in err
    assert "tips_good.jsonl: 2 tips, 2 added" in err
    code, out, err = run([*args, "--no-geoparse", "--json"], capsys)
    assert code == 0, err
    reports = json.loads(out)
    assert [(r["added"], r["skipped_existing"]) for r in reports] == [(0, 4), (0, 2)]
    store = Store.open(store_url)
    with store.session() as s:
        assert len(object_tips(s)) == 6
        assert {o.object_id: o.tips for o in list_objects(s)} == {
            "OBJ-1": 2,
            "OBJ-2": 2,
            "OBJ-3": 2,
        }
        jobs = list_import_jobs(s)
        assert [j.status for j in jobs] == ["done"] * 4
        assert jobs[-1].created_by == "ana" and jobs[-1].report["added"] == 4
        assert [e.username for e in audit_events(s, action="import")] == [None, None, "ana", "ana"]
    store.dispose()


def test_cli_bad_file_prints_report_and_writes_nothing(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["import", str(GOOD), str(BAD), "--database", sqlite_url], capsys)
    assert code == 1
    assert "nothing was imported" in err
    assert "tips_bad.csv: duplicate tip_id 'B1' (first on row 2)" in err
    assert "row 8:" in err and "byte offset" in err
    assert "Traceback" not in err
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()


def test_job_records_progress_and_failure(store: Store, tmp_path: Path) -> None:
    job = create_import_job(store, "tips_good.csv", user="ana")
    report = run_import_job(store, job, GOOD, user="ana")
    assert report.added == 4
    with store.session() as s:
        done = get_import_job(s, job)
        assert (done.status, done.done, done.total) == ("done", 4, 4)
        assert done.finished_at is not None and done.report["objects_created"] == 2
    failed = create_import_job(store, "tips_bad.csv", user="ana")
    with pytest.raises(TipFormatError):
        run_import_job(store, failed, BAD, user="ana")
    with store.session() as s:
        job_row = get_import_job(s, failed)
        assert job_row.status == "failed" and "row 3: text is empty" in (job_row.error or "")
        assert [3, "text is empty"] in job_row.report["problems"]
        [event_] = audit_events(s, action="import_failed")
        assert event_.username == "ana" and event_.target == "tips_bad.csv"
        assert len(object_tips(s)) == 4


def test_job_phases_and_unexpected_errors_are_recorded(store: Store) -> None:
    from geoleads.leads import Mention

    class BrokenGeoparser:
        def parse(self, text: str, language: str | None = None) -> list[Mention]:
            raise RuntimeError("geoparser crashed")

    seen: list[str] = []

    class WatchingGeoparser:
        def parse(self, text: str, language: str | None = None) -> list[Mention]:
            with store.session() as s:
                seen.append(list_import_jobs(s)[0].status)
            return []

    job = create_import_job(store, "tips_good.csv")
    run_import_job(store, job, GOOD, geoparser=WatchingGeoparser())
    assert set(seen) == {"geoparsing"}
    with store.session() as s:
        assert get_import_job(s, job).report["geoparsed"] == 4
    broken = create_import_job(store, "again.csv")
    with pytest.raises(RuntimeError, match="geoparser crashed"):
        run_import_job(store, broken, DATA / "tips_good.jsonl", geoparser=BrokenGeoparser())
    with store.session() as s:
        job_row = get_import_job(s, broken)
        assert job_row.status == "failed"
        assert job_row.error == "RuntimeError: geoparser crashed"


def test_interrupted_jobs_are_found(store: Store) -> None:
    from datetime import UTC, datetime, timedelta

    old, recent, finished = (create_import_job(store, f"{n}.csv") for n in range(3))
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    update_import_job(store, old, status="geoparsing", updated_at=hour_ago)
    update_import_job(store, recent, status="writing")
    update_import_job(store, finished, status="done", updated_at=hour_ago)
    assert fail_interrupted_jobs(store, silent_for=timedelta(minutes=15)) == [old]
    with store.session() as s:
        assert get_import_job(s, old).status == "failed"
        assert "interrupted" in (get_import_job(s, old).error or "")
        assert get_import_job(s, recent).status == "writing"
        assert get_import_job(s, finished).status == "done"


def test_cli_users(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    code, _, err = run(
        ["user", "add", "ana", "--role", "analyst", "--password-stdin", "--database", sqlite_url],
        capsys,
    )
    assert code == 0 and "user ana (analyst) created" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    code, _, err = run(["user", "add", "ana", "--password-stdin", "--database", sqlite_url], capsys)
    assert code == 1 and "already exists" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = run(["user", "add", "bob", "--password-stdin", "--database", sqlite_url], capsys)
    assert code == 1 and "at least 10" in err
    code, out, _ = run(["user", "list", "--json", "--database", sqlite_url], capsys)
    assert [(u["username"], u["role"], u["active"]) for u in json.loads(out)] == [
        ("ana", "analyst", True)
    ]
    code, _, err = run(
        ["user", "set", "ana", "--role", "admin", "--disabled", "--database", sqlite_url], capsys
    )
    assert code == 0, err
    store = Store.open(sqlite_url)
    with store.session() as s:
        [user] = list_users(s)
        assert (user.role, user.active) == ("admin", False)
        assert authenticate(s, "ana", "a long password") is None
        assert [e.action for e in audit_events(s)] == ["user_change", "user_add"]
    store.dispose()


def test_cli_user_add_prompts_twice_for_the_password(sqlite_url: str) -> None:
    from click.testing import CliRunner

    from geoleads.cli import cli

    runner = CliRunner()
    args = ["user", "add", "eve", "--role", "viewer", "--database", sqlite_url]
    mismatch = runner.invoke(cli, args, input="first password\nother password\n")
    assert mismatch.exit_code != 0
    ok = runner.invoke(cli, args, input="first password\nfirst password\n")
    assert ok.exit_code == 0, ok.output
    assert "first password" not in ok.output  # hidden input is not echoed
    store = Store.open(sqlite_url)
    with store.session() as s:
        user = authenticate(s, "eve", "first password")
        assert user is not None and user.role == "viewer"
    store.dispose()


def test_cli_db_upgrade_and_current(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["db", "upgrade", "--database", sqlite_url], capsys)
    assert code == 0 and "revision 0004" in err
    code, out, _ = run(["db", "current", "--database", sqlite_url], capsys)
    assert json.loads(out) == {"current": "0004", "head": "0004"}


def test_read_only_database_gives_a_clear_store_error(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite"
    init_db(f"sqlite:///{path}")
    # Tests run as root, so chmod would not stop writes: open the file read-only instead.
    store = Store.open(f"sqlite:///file:{path}?mode=ro&uri=true")
    with store.session() as s:
        assert list_objects(s) == []  # reading works
    with pytest.raises(StoreError, match="the database is read-only"):
        import_tips(store, read_tips(GOOD))
    store.dispose()


def test_full_disk_gives_a_clear_store_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'full.sqlite'}"
    init_db(url)
    store = Store.open(url)

    # SQLite's own size limit produces the same SQLITE_FULL error as a full disk.
    @event.listens_for(store.engine, "connect")
    def _limit(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.execute("PRAGMA max_page_count = 40")

    store.engine.dispose()
    tips = read_tips(GOOD)
    big = [
        t.__class__(f"{t.tip_id}-{n}", t.object_id, t.text * 20, t.received_at)
        for n in range(300)
        for t in tips
    ]
    with pytest.raises(StoreError, match="disk is full"):
        import_tips(store, big)
    with store.session() as s:
        assert object_tips(s) == []  # nothing half-imported
    store.dispose()


@pytest.fixture
def tiny_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A real 400 KiB tmpfs (needs mount rights: root in the CI container)."""
    import subprocess

    where = tmp_path / "tiny"
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(where)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def test_really_full_disk_gives_a_clear_store_error(tiny_filesystem: Path) -> None:
    url = f"sqlite:///{tiny_filesystem / 'store.sqlite'}"
    init_db(url)
    store = Store.open(url)
    [sample] = read_tips(GOOD)[:1]
    tips = [
        sample.__class__(f"F{n}", "OBJ-1", sample.text * 20, sample.received_at)
        for n in range(5000)
    ]
    with pytest.raises(StoreError, match="the disk is full"):
        import_tips(store, tips)
    with store.session() as s:
        assert object_tips(s) == []
    store.dispose()


@pytest.mark.postgres
def test_read_only_postgres_database(postgres_url: str) -> None:
    init_db(postgres_url)
    store = Store.open(postgres_url)
    with store.engine.connect() as conn:
        name = store.engine.url.database
        conn.execute(text(f"ALTER DATABASE {name} SET default_transaction_read_only = on"))
        conn.commit()
    store.dispose()
    store = Store.open(postgres_url)
    with pytest.raises(StoreError, match="the database is read-only"):
        import_tips(store, read_tips(GOOD))
    store.dispose()


def test_bad_urls_and_missing_servers(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid"):
        Store.open("nonsense")
    with pytest.raises(ConfigError, match="unsupported database"):
        Store.open("mysql://u@localhost/geoleads")
    with pytest.raises(StoreError, match="cannot connect"):
        init_db("postgresql://nobody@127.0.0.1:9/geoleads")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the database folder"):
        Store.open(f"sqlite:///{blocker}/sub/store.sqlite")
    empty = Store.open(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with pytest.raises(StoreError, match="not initialised"), empty.session() as s:
        list_objects(s)
    empty.dispose()


def test_cli_bad_database_url(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["db", "upgrade", "--database", "nonsense"], capsys)
    assert code == 1 and "database URL 'nonsense' is not valid" in err
