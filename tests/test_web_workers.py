"""Several server processes (``geoleads serve --workers N``): what they share.

Two app instances over one SQLite file and one GEOLEADS_HOME stand for two
processes (they share nothing in memory); one test starts the real gunicorn
server with two worker processes.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from flask import Flask
from webapp_support import PASSWORD, csrf_from, login, make_app

from geoleads.store.engine import Store
from geoleads.store.ratelimit import StoreRateLimiter
from geoleads.web.accounts import Visits
from geoleads.web.signals import ChangeSignal, object_lock
from geoleads.web.summaries import SummaryCache

ROOT = Path(__file__).resolve().parent.parent


def two_apps(template: Path, tmp_path: Path, **config: Any) -> tuple[Flask, Flask]:
    """Two apps over the same store file and run folder, as two worker processes."""
    first = make_app(template, tmp_path, RUN_DIR=str(tmp_path / "run"), **config)
    cfg = {**first.config, "DB_AUTO_UPGRADE": False}
    from geoleads.web import create_app

    keys = ("TESTING", "DATABASE_URL", "SECRET_KEY", "GEOLEADS_HOME", "SUMMARY_CACHE_DIR")
    second = create_app({k: cfg[k] for k in keys} | {"RUN_DIR": str(tmp_path / "run"), **config})
    return first, second


# --- the login rate limit ------------------------------------------------------------------
def test_store_rate_limit_counts_every_attempt_in_the_database(store_url: str) -> None:
    store = Store.open(store_url, upgrade=True)
    a = StoreRateLimiter(store, attempts=3, window_s=60)
    b = StoreRateLimiter(store, attempts=3, window_s=60)  # another process
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    assert [a.hit("addr:1", t0), b.hit("addr:1", t0), a.hit("addr:1", t0)] == [True] * 3
    assert not b.hit("addr:1", t0 + timedelta(seconds=1))
    assert a.hit("addr:2", t0)  # other keys are counted apart
    assert b.hit("addr:1", t0 + timedelta(seconds=61))  # the window slid past the first three
    a.reset("addr:1")
    assert b.hit("addr:1", t0 + timedelta(seconds=62))
    store.dispose()


def test_login_rate_limit_is_shared_by_two_processes(template: Path, tmp_path: Path) -> None:
    first, second = two_apps(template, tmp_path, LOGIN_RATE_LIMIT=4)
    codes = []
    for app in (first, second, first, second, first):
        codes.append(login(app.test_client(), "anna", "wrong password").status_code)
    assert codes == [401, 401, 401, 401, 429]
    assert login(second.test_client(), "anna").status_code == 429


# --- summaries and visits --------------------------------------------------------------------
def test_a_review_in_one_process_reaches_the_other_at_once(template: Path, tmp_path: Path) -> None:
    first, second = two_apps(template, tmp_path)
    for app in (first, second):  # stamps would otherwise be trusted for an hour
        app.extensions["geoleads_summaries"].stamp_ttl = 3600.0
    a, b = first.test_client(), second.test_client()
    login(a, "anna")
    login(b, "anna")
    before = b.get("/api/v1/objects/OBJ-WEB-A/summary").get_json()
    assert before["tips"] > 0
    tips = b.get("/api/v1/objects/OBJ-WEB-A/tips?per_page=100").get_json()["tips"]
    token = a.get("/api/v1/csrf-token").get_json()["csrf_token"]
    ids = [t["tip_id"] for t in tips]
    r = a.post(
        "/api/v1/reviews", json={"tip_ids": ids, "status": "spam"}, headers={"X-CSRFToken": token}
    )
    assert r.status_code == 200
    # the other process sees the new reviews now, not after its stamp's time-to-live
    after = b.get("/api/v1/objects/OBJ-WEB-A/summary").get_json()
    assert after != before
    page = b.get("/objects/OBJ-WEB-A?status=spam").get_data(as_text=True)
    assert all(t in page for t in ids)
    assert b.get("/objects/OBJ-WEB-A?status=unreviewed").get_data(as_text=True).count(ids[0]) == 0


def test_summary_caches_follow_the_change_signal(template: Path, tmp_path: Path) -> None:
    shutil_db = tmp_path / "s.sqlite"
    shutil_db.write_bytes(template.read_bytes())
    store = Store.open(f"sqlite:///{shutil_db}", upgrade=True)
    signal = tmp_path / "run" / "changes"
    a = SummaryCache(store, stamp_ttl=3600, signal=ChangeSignal(signal))
    b = SummaryCache(store, stamp_ttl=3600, signal=ChangeSignal(signal))
    stamp = b.stamp("OBJ-WEB-A")
    from geoleads.store.reviews import set_reviews
    from geoleads.web.filters import TipFilter
    from geoleads.web.tipqueries import page_ids

    ids = page_ids(store, "OBJ-WEB-A", TipFilter())[:2]
    with store.session() as s:
        set_reviews(s, ids, "credible", user="anna")
    assert b.stamp("OBJ-WEB-A") == stamp  # nobody said anything: the old stamp is trusted
    a.invalidate("OBJ-WEB-A")
    assert b.stamp("OBJ-WEB-A") != stamp
    store.dispose()


def test_visits_recorded_by_another_process_are_seen(template: Path, tmp_path: Path) -> None:
    db = tmp_path / "v.sqlite"
    db.write_bytes(template.read_bytes())
    store = Store.open(f"sqlite:///{db}", upgrade=True)
    signal = tmp_path / "run" / "visits"
    a, b = Visits(store, ChangeSignal(signal)), Visits(store, ChangeSignal(signal))
    assert b.of("anna") == {}  # loaded (and cached) before the visit
    assert a.record("anna", "OBJ-WEB-A", 10) is None
    seen = b.of("anna")
    assert seen["OBJ-WEB-A"].tips == 10
    assert b.record("anna", "OBJ-WEB-A", 12) is not None  # not a first visit for b either
    assert b.of("vera") == {}
    store.dispose()


def test_object_lock_is_exclusive_across_open_files(tmp_path: Path) -> None:
    with object_lock(tmp_path, "OBJ-1") as first:
        assert first
        with object_lock(tmp_path, "OBJ-1", wait=False) as second:
            assert not second
        with object_lock(tmp_path, "OBJ-2", wait=False) as other:
            assert other
    with object_lock(tmp_path, "OBJ-1", wait=False) as again:
        assert again


def test_only_one_process_is_the_leader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from geoleads.web import workers

    monkeypatch.setattr(workers, "LEADER_RETRY_S", 0.05)
    ran: list[str] = []
    lock = tmp_path / "run" / "leader.lock"
    workers.become_leader(lock, lambda: ran.append("first"))
    time.sleep(0.3)
    workers.become_leader(lock, lambda: ran.append("second"))  # another open file: refused
    time.sleep(0.3)
    assert ran == ["first"]


# --- the real server -------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Browser:
    """One keep-alive connection with a session cookie."""

    opened: ClassVar[list[http.client.HTTPConnection]] = []

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.opened.append(self.conn)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        text = resp.read().decode()
        for value in resp.headers.get_all("Set-Cookie") or []:
            if value.startswith("geoleads_session="):
                self.cookie = value.split(";", 1)[0]
        return resp.status, text

    def login(self, user: str, password: str) -> int:
        token = csrf_from(self.request("GET", "/login")[1])
        form = {"username": user, "password": password, "csrf_token": token}
        return self.request("POST", "/login", urllib.parse.urlencode(form))[0]


def test_serve_with_two_worker_processes(template: Path, tmp_path: Path) -> None:
    db = tmp_path / "geoleads.sqlite"
    db.write_bytes(template.read_bytes())
    port = _free_port()
    env = dict(
        os.environ,
        GEOLEADS_HOME=str(tmp_path),
        GEOLEADS_DATABASE_URL=f"sqlite:///{db}",
        GEOLEADS_SECRET_KEY="k" * 64,
    )
    cmd = [sys.executable, "-m", "geoleads", "serve", "--workers", "2", "--port", str(port)]
    cmd += ["--threads", "2", "--no-warm"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", "/healthz")
                ok = conn.getresponse().status == 200
                conn.close()
                if ok:
                    break
            except OSError:
                conn.close()
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        assert proc.stdout is not None and "2 worker processes" in proc.stdout.readline()
        ps = subprocess.run(["ps", "--ppid", str(proc.pid), "-o", "pid="], capture_output=True)
        assert len(ps.stdout.split()) == 2  # the master and its two workers
        # the login limit (10 per address) holds across the workers: new connections
        # are spread over both processes
        codes = [_Browser(port).login("anna", "wrong") for _ in range(11)]
        assert codes[:10] == [401] * 10 and codes[10] == 429
        # a review through one connection is seen by every other one (either process)
        analyst = _Browser(port)
        direct = Store.open(f"sqlite:///{db}")
        with direct.engine.begin() as conn_:  # forget the failed attempts above
            conn_.execute(sa.text("DELETE FROM login_attempts"))
        direct.dispose()
        assert analyst.login("anna", PASSWORD) == 302
        _, body = analyst.request("GET", "/api/v1/objects/OBJ-WEB-B/tips?per_page=3")
        ids = [t["tip_id"] for t in json.loads(body)["tips"]]
        token = csrf_from(analyst.request("GET", "/account")[1])
        form = [("tip_id", i) for i in ids] + [("status", "doubtful"), ("csrf_token", token)]
        status, _ = analyst.request("POST", "/review", urllib.parse.urlencode(form))
        assert status == 302
        for _ in range(6):
            other = _Browser(port)
            other.cookie = analyst.cookie
            _, page = other.request("GET", "/api/v1/objects/OBJ-WEB-B/tips?per_page=50")
            statuses = {t["tip_id"]: t["review"] for t in json.loads(page)["tips"]}
            assert all(statuses[i] == "doubtful" for i in ids)
        assert (tmp_path / "run" / "leader.lock").exists()
    finally:
        for c in _Browser.opened:
            c.close()
        proc.terminate()
        proc.wait(30)
        if proc.stdout is not None:
            proc.stdout.close()


# --- migration 0004 ----------------------------------------------------------------------------
def test_migration_0004_up_and_down(store_url: str) -> None:
    from geoleads.store.engine import make_engine
    from geoleads.store.schema import current_revision, upgrade

    engine = make_engine(store_url)
    upgrade(engine, "0003")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO objects (object_id, title, published, tip_count, created_at) "
                "VALUES ('O1', '', false, 1, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO tips (tip_id, object_id, text, received_at, language, source, "
                "imported_at, content_hash) VALUES ('T1', 'O1', 'Kraków', CURRENT_TIMESTAMP, "
                "'pl', 's', CURRENT_TIMESTAMP, 'h')"
            )
        )
    upgrade(engine)
    assert current_revision(engine) == "0004"
    inspector = sa.inspect(engine)
    tip_indexes = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("tips")}
    assert tip_indexes["ix_tips_object_received_lang"] == ["object_id", "received_at", "language"]
    assert "ix_tips_object_received" not in tip_indexes
    assert "login_attempts" in inspector.get_table_names()
    with engine.begin() as conn:  # the tips are kept
        assert conn.execute(sa.text("SELECT count(*) FROM tips")).scalar() == 1
    from alembic import command

    from geoleads.store.schema import alembic_config

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")
    inspector = sa.inspect(engine)
    assert "login_attempts" not in inspector.get_table_names()
    assert "ix_tips_object_received" in {ix["name"] for ix in inspector.get_indexes("tips")}
    engine.dispose()


def test_object_page_selections_are_shared_through_files(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = str(tmp_path / "summaries")
    first, second = two_apps(template, tmp_path, SUMMARY_CACHE_DIR=cache)
    a, b = first.test_client(), second.test_client()
    login(a, "anna")
    login(b, "anna")
    page_a = a.get("/objects/OBJ-WEB-A?lang=pl").get_data(as_text=True)
    assert list((tmp_path / "summaries" / "memo").glob("*.json"))
    from geoleads.web import tipqueries

    def no_query(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the other process should have read the file")

    monkeypatch.setattr(tipqueries, "tips_per_day", no_query)
    monkeypatch.setattr(tipqueries, "page_ids", no_query)
    page_b = b.get("/objects/OBJ-WEB-A?lang=pl").get_data(as_text=True)
    rows = re.compile(r'<svg.*?</svg>|data-tip="[^"]+"', re.S)
    assert rows.findall(page_a) == rows.findall(page_b)
    assert "<svg" in page_b  # the timeline is markup, not escaped text
    # a new tip changes the data stamp: the file of the old selection is not used
    monkeypatch.undo()
    from geoleads.store.imports import import_tips
    from geoleads.tips import Tip

    store = second.extensions["geoleads_store"]
    tip = Tip("NEW-1", "OBJ-WEB-A", "Widziałem to w Gdańsku", datetime.now(UTC), "pl")
    import_tips(store, [tip], user="anna", source="t")
    second.extensions["geoleads_summaries"].invalidate("OBJ-WEB-A")
    assert "NEW-1" in b.get("/objects/OBJ-WEB-A?lang=pl").get_data(as_text=True)
