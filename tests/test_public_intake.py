"""Anonymity, the background geoparse worker and the way into the review queue."""

from __future__ import annotations

import http.client
import logging
import re
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from public_support import (
    PASSWORD,
    build_store,
    public_config,
    real_geoparser,
    store_of,
    submit,
    token_from,
)
from webapp_support import csrf_from, live_server

from geoleads.intake import Intake, Submission, count_public
from geoleads.store.mentions import mentions_for_tips
from geoleads.web import create_app
from geoleads.web.public import create_public_app

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

CANARY_IP = "203.0.113.77"
CANARY_UA = "CanaryAgent/7.7 (tracking-test-4f1c)"
CANARY_COOKIE = "c00kie-canary-9d2e"


def investigators_app(tmp_path: Path, **extra: Any) -> Flask:
    url, images = build_store(tmp_path)
    return create_app(public_config(tmp_path, url, images, **extra))


def database_bytes(folder: Path) -> bytes:
    """The SQLite file with its WAL and shared-memory files, as raw bytes."""
    return b"".join(p.read_bytes() for p in sorted(folder.glob("public.sqlite*")))


def test_no_address_agent_or_cookie_in_database_or_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app = investigators_app(tmp_path)
    client = app.test_client()
    client.set_cookie("tracker", CANARY_COOKIE)
    environ = {"REMOTE_ADDR": CANARY_IP, "HTTP_USER_AGENT": CANARY_UA}
    for lang, text in (("en", "Sold in Leeds"), ("pl", "Kupiłem to w Krakowie")):
        resp = submit(client, lang=lang, environ=environ, text=text, town="Kraków", country="PL")
        assert resp.status_code == 303
        assert "Set-Cookie" not in resp.headers
    assert count_public(store_of(app)) == 2
    store_of(app).dispose()
    raw = database_bytes(tmp_path)
    assert b"Krakowie" in raw  # the check can see what was stored
    for canary in (CANARY_IP, CANARY_UA, CANARY_COOKIE, "CanaryAgent"):
        assert canary.encode() not in raw, canary
        assert canary not in caplog.text, canary


def test_access_log_has_no_address_for_public_pages(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """A real werkzeug server; the client connects from 127.0.0.5 so its address is findable."""
    caplog.set_level(logging.INFO, logger="werkzeug")
    app = investigators_app(tmp_path)
    with live_server(app) as base:
        host, port = base.removeprefix("http://").split(":")

        def request(method: str, path: str, body: str | None = None) -> tuple[int, str]:
            conn = http.client.HTTPConnection(host, int(port), source_address=("127.0.0.5", 0))
            headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode()
            conn.close()
            return resp.status, text

        status, page = request("GET", "/public/objects/OBJ-PUB-A?lang=nl")
        assert status == 200
        form = urlencode({"token": token_from(page), "text": "Gezien in Utrecht", "lang": "nl"})
        assert request("POST", "/public/objects/OBJ-PUB-A", form)[0] == 303
        assert request("GET", "/healthz")[0] == 200  # an investigators' route, as a control
        time.sleep(0.2)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    public = [line for line in lines if "/public/" in line]
    assert len(public) >= 2, lines
    assert not any("127.0.0.5" in line for line in public), public
    assert any("127.0.0.5" in line and "/healthz" in line for line in lines), lines


def test_worker_geoparses_and_tip_reaches_review_queue(tmp_path: Path) -> None:
    app = investigators_app(tmp_path, PUBLIC_GEOPARSER=real_geoparser())
    client = app.test_client()
    resp = submit(client, lang="de", text="Das habe ich in Krakau gekauft", language="de")
    assert resp.status_code == 303
    intake: Intake = app.extensions["geoleads_public"].intake
    assert intake.wait_idle(60)
    with store_of(app).session() as s:
        from geoleads.intake import pending_public

        assert pending_public(store_of(app), 10) == []
        from sqlalchemy import select

        from geoleads.store.models import TipRow

        tip_id = s.scalar(select(TipRow.tip_id).where(TipRow.source == "public"))
        mentions = mentions_for_tips(s, [tip_id])[tip_id]
    assert [(m.text, m.best.name, m.best.country) for m in mentions if m.best] == [
        ("Krakau", "Kraków", "PL")
    ]
    intake.stop()
    # an analyst finds it in the review queue
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login", data={"username": "anna", "password": PASSWORD, "csrf_token": csrf_from(page)}
    )
    queue = client.get("/review?object=OBJ-PUB-A").get_data(as_text=True)
    assert "gekauft" in queue and tip_id in queue


class SlowGeoparser:
    """The real geoparser behind a gate: parse() waits until the test opens it."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.busy = threading.Event()
        self.real = real_geoparser()

    def parse(self, text: str, language: str | None = None) -> list[Any]:
        self.busy.set()
        self.gate.wait(60)
        return list(self.real.parse(text, language=language))


def test_a_busy_geoparser_never_blocks_submissions(tmp_path: Path) -> None:
    url, _ = build_store(tmp_path)
    from geoleads.store import Store

    store = Store.open(url)
    slow = SlowGeoparser()
    intake = Intake(store, slow, batch_size=5, sweep_s=0.2, hint_capacity=3)
    intake.start()
    intake.submit(Submission("OBJ-PUB-A", "gesehen in Graz"))
    assert slow.busy.wait(30)  # the worker is now stuck inside the geoparser
    # were submit() waiting for the geoparser, this would hang (60 s each)
    ids = [intake.submit(Submission("OBJ-PUB-A", f"gesehen in Graz {i}")) for i in range(39)]
    assert count_public(store) == 40 and count_public(store, pending=True) == 40
    assert intake.stats.hints_dropped > 0  # the hint queue overflowed; the sweep still finds them
    slow.gate.set()
    assert intake.wait_idle(120)
    with store.session() as s:
        found = mentions_for_tips(s, ids)
    assert len(found) == 39 and all(m[0].best.name == "Graz" for m in found.values())
    intake.stop()


def test_tips_left_pending_are_finished_after_a_restart(tmp_path: Path) -> None:
    url, images = build_store(tmp_path)
    first = create_public_app(public_config(tmp_path, url, images))  # no geoparser
    assert submit(first.test_client(), text="vendu à Liège").status_code == 303
    assert count_public(store_of(first), pending=True) == 1
    second = create_public_app(
        public_config(
            tmp_path, url, images, PUBLIC_GEOPARSER=real_geoparser(), PUBLIC_INTAKE_AUTOSTART=True
        )
    )
    intake: Intake = second.extensions["geoleads_public"].intake
    assert intake.wait_idle(60)
    assert count_public(store_of(second), pending=True) == 0
    intake.stop()


def test_geoparse_failure_keeps_the_tip_pending_and_the_worker_alive(tmp_path: Path) -> None:
    url, _ = build_store(tmp_path)
    from geoleads.store import Store

    class Picky:
        def parse(self, text: str, language: str | None = None) -> list[Any]:
            if "boom" in text:
                raise RuntimeError("cannot parse")
            return list(real_geoparser().parse(text, language=language))

    store = Store.open(url)
    intake = Intake(store, Picky(), sweep_s=0.2)
    bad = intake.submit(Submission("OBJ-PUB-A", "boom"))
    good = intake.submit(Submission("OBJ-PUB-A", "aus Linz"))
    intake.start()
    assert intake.wait_idle(60)
    assert intake.stats.failed_ids == {bad}
    with store.session() as s:
        assert set(mentions_for_tips(s, [bad, good])) == {good}
    assert count_public(store, pending=True) == 1
    intake.stop()


def test_stored_text_is_escaped_in_the_review_queue(tmp_path: Path) -> None:
    app = investigators_app(tmp_path)
    client = app.test_client()
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert submit(client, text=hostile).status_code == 303
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login", data={"username": "anna", "password": PASSWORD, "csrf_token": csrf_from(page)}
    )
    queue = client.get("/review?object=OBJ-PUB-A").get_data(as_text=True)
    assert "&lt;script&gt;" in queue and "<script>alert" not in queue
    assert not re.search(r"<img src=x", queue)


def test_intake_on_sqlite_and_postgresql(store_url: str) -> None:
    """Concurrent submissions on both databases: all stored once, counters right, all parsed."""
    from concurrent.futures import ThreadPoolExecutor

    from geoleads.errors import NotFoundError
    from geoleads.store import Store, ensure_object, get_object

    store = Store.open(store_url, upgrade=True)
    with store.session() as s:
        ensure_object(s, "OBJ-P", published=True)
        ensure_object(s, "OBJ-H", published=False)
    intake = Intake(store, real_geoparser(), sweep_s=0.2)
    with pytest.raises(NotFoundError):
        intake.submit(Submission("OBJ-H", "aus Graz"))
    with ThreadPoolExecutor(8) as pool:
        ids = list(
            pool.map(lambda i: intake.submit(Submission("OBJ-P", f"aus Wels {i}")), range(40))
        )
    assert len(set(ids)) == 40
    assert intake.wait_idle(60)
    with store.session() as s:
        assert get_object(s, "OBJ-P").tip_count == 40
        assert get_object(s, "OBJ-H").tip_count == 0
        found = mentions_for_tips(s, ids)
    assert count_public(store) == 40
    assert {m[0].best.name for m in found.values() if m[0].best} == {"Wels"}
    intake.stop()
    store.dispose()
