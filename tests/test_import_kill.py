"""SIGKILL in the middle of an import or a batch geoparse: the store stays consistent,
and a re-run completes without duplicates. These really kill a subprocess."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from geoleads.config import Settings
from geoleads.store import Store, fail_interrupted_jobs, mentions_for_tips
from geoleads.store.mentions import GeoparserLike, default_geoparser
from geoleads.store.models import AuditEventRow, ImportJobRow, MentionRow, ObjectRow, TipRow

TEXTS = [
    "Das ist aus Krakau, ganz sicher",
    "widziałem to w Gdańsku",
    "vendu uniquement en Belgique",
    "we had this wallpaper in our flat in Wagram ob der Traisen",
    "sold everywhere I think",
    "видел такое в Кракове",
]


def write_tips(path: Path, n: int) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["tip_id", "object_id", "text", "received_at"])
        for i in range(n):
            when = (start + timedelta(minutes=i)).isoformat()
            w.writerow([f"K{i:06d}", f"OBJ-{i % 7}", f"{TEXTS[i % len(TEXTS)]} ({i})", when])


def geoleads(*args: str, home: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["GEOLEADS_HOME"] = str(home)
    env["GEOLEADS_CACHE_DIR"] = str(Settings.from_env().cache_dir)
    return subprocess.Popen(
        [sys.executable, "-m", "geoleads", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def kill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool], timeout: float) -> None:
    """SIGKILL ``proc`` as soon as ``ready()``; fail if it ends or times out first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"the process ended before the kill point: {err.decode()[-2000:]}")
        if ready():
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate()
            assert proc.returncode == -signal.SIGKILL
            return
        time.sleep(0.01)
    proc.kill()
    proc.communicate()
    pytest.fail("the kill point was never reached")


def finish(proc: subprocess.Popen[bytes], timeout: float = 300) -> str:
    _, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err.decode()[-3000:]
    return err.decode()


def counts(store: Store) -> dict[str, int]:
    with store.session() as s:
        return {
            "tips": int(s.scalar(select(func.count()).select_from(TipRow)) or 0),
            "counted": int(s.scalar(select(func.coalesce(func.sum(ObjectRow.tip_count), 0))) or 0),
            "imports": int(
                s.scalar(
                    select(func.count())
                    .select_from(AuditEventRow)
                    .where(AuditEventRow.action == "import")
                )
                or 0
            ),
            "parsed": int(
                s.scalar(
                    select(func.count()).select_from(TipRow).where(TipRow.geoparsed_at.is_not(None))
                )
                or 0
            ),
            "mentions": int(s.scalar(select(func.count()).select_from(MentionRow)) or 0),
            "orphans": int(
                s.scalar(
                    select(func.count())
                    .select_from(MentionRow)
                    .join(TipRow, TipRow.tip_id == MentionRow.tip_id)
                    .where(TipRow.geoparsed_at.is_(None))
                )
                or 0
            ),
        }


def in_write_transaction(store: Store, db_file: Path | None) -> Callable[[], bool]:
    """True once the importer is inside its write transaction with rows written."""

    def ready() -> bool:
        if db_file is not None:  # SQLite: uncommitted pages spill into the WAL file
            wal = Path(f"{db_file}-wal")
            return wal.exists() and wal.stat().st_size > 1_000_000
        with store.engine.connect() as conn:
            busy = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                    "AND xact_start IS NOT NULL AND query ILIKE 'INSERT INTO tips%'"
                )
            ).scalar()
        return bool(busy)

    return ready


@pytest.mark.slow
def test_sigkill_during_the_import_transaction(store_url: str, tmp_path: Path) -> None:
    n = 40_000
    path = tmp_path / "tips.csv"
    write_tips(path, n)
    store = Store.open(store_url, upgrade=True)
    db_file = Path(store.engine.url.database or "") if store.is_sqlite else None
    args = ("import", str(path), "--database", store_url, "--no-geoparse")
    proc = geoleads(*args, home=tmp_path)
    kill_when(proc, in_write_transaction(store, db_file), timeout=240)
    after = counts(store)
    # All or nothing: nothing committed, or (if the commit won the race) everything.
    assert after["tips"] in (0, n), after
    assert after["counted"] == after["tips"]
    assert after["imports"] == (1 if after["tips"] else 0)
    with store.session() as s:
        job = s.scalars(select(ImportJobRow)).one()
        assert job.status in ("writing", "done")
    if job.status == "writing":  # the killed job is found and marked failed
        assert fail_interrupted_jobs(store, silent_for=timedelta(0)) == [job.id]
        with store.session() as s:
            assert s.scalars(select(ImportJobRow)).one().status == "failed"
    log = finish(geoleads(*args, home=tmp_path))
    again = counts(store)
    assert again["tips"] == n and again["counted"] == n, (log, again)
    log = finish(geoleads(*args, home=tmp_path))
    assert f"0 added, {n} already stored" in log
    assert counts(store)["tips"] == n
    store.dispose()


@pytest.fixture(scope="module")
def geoparser() -> GeoparserLike:
    """The real geoparser; loading it here also builds its word-list cache if needed,
    so the subprocesses below start quickly."""
    return default_geoparser()


@pytest.mark.slow
def test_sigkill_during_batch_geoparse_then_resume(
    tmp_path: Path, geoparser: GeoparserLike
) -> None:
    n = 3000
    path = tmp_path / "tips.csv"
    write_tips(path, n)
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    finish(geoleads("import", str(path), "--database", url, "--no-geoparse", home=tmp_path))
    store = Store.open(url)
    assert counts(store)["parsed"] == 0
    proc = geoleads("db", "geoparse", "--database", url, "--batch-size", "25", home=tmp_path)
    kill_when(proc, lambda: 0 < counts(store)["parsed"] < n - 200, timeout=300)
    killed = counts(store)
    assert 0 < killed["parsed"] < n
    assert killed["orphans"] == 0  # no mentions on a tip that is not stamped geoparsed
    finish(geoleads("db", "geoparse", "--database", url, "--batch-size", "500", home=tmp_path))
    done = counts(store)
    assert done["parsed"] == n and done["orphans"] == 0
    with store.session() as s:
        positions = s.execute(
            select(MentionRow.tip_id, func.count(), func.max(MentionRow.position)).group_by(
                MentionRow.tip_id
            )
        ).all()
        assert all(count == top + 1 for _, count, top in positions)  # no gaps, no duplicates
        sample = [f"K{i:06d}" for i in range(0, n, 97)]
        stored = mentions_for_tips(s, sample)
        texts = dict(
            s.execute(select(TipRow.tip_id, TipRow.text).where(TipRow.tip_id.in_(sample))).all()
        )
    for tip_id in sample:
        assert stored.get(tip_id, []) == geoparser.parse(texts[tip_id]), tip_id
    assert done["mentions"] > n // 2  # the texts name places: the parser found them
    store.dispose()


@pytest.mark.slow
def test_sigkill_while_an_import_geoparses(tmp_path: Path, geoparser: GeoparserLike) -> None:
    n = 3000
    path = tmp_path / "tips.csv"
    write_tips(path, n)
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = Store.open(url, upgrade=True)

    def geoparsing() -> bool:
        with store.session() as s:
            job = s.scalars(select(ImportJobRow)).first()
            return job is not None and job.status == "geoparsing" and 0 < job.done < n

    proc = geoleads("import", str(path), "--database", url, home=tmp_path)
    kill_when(proc, geoparsing, timeout=300)
    assert counts(store)["tips"] == 0  # parsing happens before the write transaction
    finish(geoleads("import", str(path), "--database", url, home=tmp_path))
    done = counts(store)
    assert done["tips"] == n and done["parsed"] == n and done["orphans"] == 0
    assert done["imports"] == 1
    store.dispose()
