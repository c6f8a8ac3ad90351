"""Memoised row fragments (geoleads/web/fragments.py) never leak one role's or session's HTML."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from webapp_support import csrf_from, login

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _client(app: Flask, username: str) -> Any:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def test_review_checkboxes_follow_the_viewers_role_not_the_cached_row(app: Flask) -> None:
    anna, vera = _client(app, "anna"), _client(app, "vera")  # analyst, viewer
    for _ in range(2):  # the second round is served from the memoised rows
        analyst = anna.get("/objects/OBJ-WEB-A").get_data(as_text=True)
        viewer = vera.get("/objects/OBJ-WEB-A").get_data(as_text=True)
        assert 'name="tip_id"' in analyst and 'name="tip_id"' not in viewer
        assert 'id="select-all"' in analyst and 'id="select-all"' not in viewer
        # same rows otherwise: every tip of the page is shown to both
        assert re.findall(r'data-tip="([^"]+)"', analyst) == re.findall(
            r'data-tip="([^"]+)"', viewer
        )


def test_each_session_keeps_its_own_csrf_token_and_rows_follow_reviews(app: Flask) -> None:
    anna, vera = _client(app, "anna"), _client(app, "vera")
    first = anna.get("/objects/OBJ-WEB-A").get_data(as_text=True)
    assert csrf_from(first) != csrf_from(vera.get("/objects/OBJ-WEB-A").get_data(as_text=True))
    tip = re.findall(r'data-tip="([^"]+)"', first)[0]
    resp = anna.post(
        "/api/v1/reviews",
        json={"tip_ids": [tip], "status": "doubtful"},
        headers={"X-CSRFToken": csrf_from(first)},
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    after = anna.get("/objects/OBJ-WEB-A").get_data(as_text=True)
    row = re.search(rf'<tr class="tip reviewed-(\w+)" data-tip="{re.escape(tip)}"', after)
    assert row is not None and row.group(1) == "doubtful"


def test_objects_page_rows_show_each_users_own_new_counts(app: Flask) -> None:
    anna, vera = _client(app, "anna"), _client(app, "vera")
    assert anna.get("/objects/OBJ-WEB-A").status_code == 200  # anna has now seen object A
    for _ in range(2):
        a = anna.get("/objects").get_data(as_text=True)
        v = vera.get("/objects").get_data(as_text=True)
        assert a.count("<tr>") == v.count("<tr>") > 1
        assert a.count('class="badge new"') < v.count('class="badge new"')
