"""The object page's memoised selections follow the data they depend on."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from webapp_support import csrf_from, login

from geoleads.store.mentions import geoparse_pending, reset_geoparse
from geoleads.web.state import store

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def shown(client: Any, query: str) -> tuple[set[str], str]:
    html = client.get(f"/objects/OBJ-WEB-A?{query}").get_data(as_text=True)
    total = re.search(r"(\d+) match", html)
    return set(re.findall(r'data-tip="([^"]+)"', html)), total.group(1) if total else ""


def test_country_filter_follows_a_later_geoparse(app: Flask) -> None:
    client = app.test_client()
    assert login(client, "vera").status_code == 302
    assert shown(client, "country=DE") == ({"W-A06", "W-A07"}, "2")
    with app.app_context():
        with store().session() as s:
            reset_geoparse(s, "OBJ-WEB-A")  # same tips, mentions gone until re-geoparsed
        assert shown(client, "country=DE") == (set(), "0")
        assert shown(client, "has_place=no")[1] == "10"
        geoparse_pending(store())
    assert shown(client, "country=DE") == ({"W-A06", "W-A07"}, "2")
    assert shown(client, "has_place=no") == ({"W-A09"}, "1")


def test_review_status_filter_follows_a_review(app: Flask) -> None:
    client = app.test_client()
    assert login(client, "anna").status_code == 302
    assert shown(client, "status=credible") == (set(), "0")
    before = shown(client, "status=unreviewed")[1]
    token = csrf_from(client.get("/objects/OBJ-WEB-A").get_data(as_text=True))
    resp = client.post(
        "/review",
        data={"tip_id": "W-A03", "status": "credible", "csrf_token": token, "next": "/objects"},
    )
    assert resp.status_code == 302
    assert shown(client, "status=credible") == ({"W-A03"}, "1")
    assert int(shown(client, "status=unreviewed")[1]) == int(before) - 1
