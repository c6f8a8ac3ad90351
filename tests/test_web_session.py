"""The session cookie is re-signed only when stale, and the 12 h sliding login still holds.

The cookie's own signature timestamp is its "refreshed at" stamp
(``geoleads.web.security.SessionInterface``). These tests sign cookies with an older
stamp instead of sleeping.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from itsdangerous import TimestampSigner
from webapp_support import csrf_from, login

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

COOKIE = "geoleads_session"


def _logged_in(app: Flask, username: str = "anna") -> Any:
    client = app.test_client()
    resp = login(client, username)
    assert resp.status_code == 302 and COOKIE in resp.headers.get("Set-Cookie", "")
    return client


def _data(app: Flask, client: Any) -> dict[str, Any]:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    data: dict[str, Any] = serializer.loads(cookie.value)
    return data


def _signed_at(app: Flask, client: Any) -> float:
    cookie = client.get_cookie(COOKIE)
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    _, signed = serializer.loads(cookie.value, return_timestamp=True)
    return float(signed.timestamp())


def _age(app: Flask, client: Any, seconds: float, monkeypatch: Any) -> None:
    """Re-sign the client's session cookie (same data) as if signed ``seconds`` ago."""
    data = _data(app, client)
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    then = int(time.time() - seconds)
    with monkeypatch.context() as m:
        m.setattr(TimestampSigner, "get_timestamp", lambda self: then)
        value = serializer.dumps(data)
    client.set_cookie(COOKIE, value)


def _set_cookie(resp: Any) -> str:
    return ";".join(v for v in resp.headers.getlist("Set-Cookie") if v.startswith(COOKIE))


def test_a_fresh_session_is_not_resigned_on_every_request(app: Flask) -> None:
    client = _logged_in(app)
    first = client.get("/objects")  # the first form stores the session's CSRF secret
    assert first.status_code == 200 and "csrf_token" in _data(app, client)
    for url in ("/objects", "/objects/OBJ-WEB-A", "/api/v1/objects", "/objects"):
        resp = client.get(url)
        assert resp.status_code == 200 and _set_cookie(resp) == "", url


def test_a_stale_stamp_gets_a_new_cookie_with_the_same_login(app: Flask, monkeypatch: Any) -> None:
    client = _logged_in(app)
    token = csrf_from(client.get("/objects/OBJ-WEB-A").get_data(as_text=True))
    before = _data(app, client)
    _age(app, client, 6 * 60, monkeypatch)  # older than SESSION_REFRESH_AFTER (5 min)
    resp = client.get("/objects")
    assert resp.status_code == 200
    cookie = _set_cookie(resp)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert _data(app, client) == before  # same user, role check, CSRF secret
    assert abs(_signed_at(app, client) - time.time()) < 5
    # the form token issued before the refresh is still accepted
    resp = client.post(
        "/api/v1/reviews",
        json={"tip_ids": [_first_tip(client)], "status": "credible"},
        headers={"X-CSRFToken": token},
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)


def _first_tip(client: Any) -> str:
    tips = client.get("/api/v1/objects/OBJ-WEB-A/tips").get_json()["tips"]
    return str(tips[0]["tip_id"])


def test_the_login_slides_while_used_and_ends_after_12_idle_hours(
    app: Flask, monkeypatch: Any
) -> None:
    client = _logged_in(app)
    # used every ~11 h 50 min for two days: each request re-issues the cookie
    for _ in range(4):
        _age(app, client, 11 * 3600 + 50 * 60, monkeypatch)
        resp = client.get("/objects")
        assert resp.status_code == 200 and _set_cookie(resp)
        assert abs(_signed_at(app, client) - time.time()) < 5
    # idle for more than the lifetime: logged out, for pages and the API alike
    _age(app, client, 12 * 3600 + 60, monkeypatch)
    resp = client.get("/objects")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    _age(app, client, 12 * 3600 + 60, monkeypatch)
    assert client.get("/api/v1/objects").status_code == 401


def test_disabling_an_account_ends_an_unrefreshed_session_at_once(app: Flask) -> None:
    client = _logged_in(app, "vera")
    assert client.get("/objects").status_code == 200
    from geoleads.store.users import set_active
    from geoleads.web.state import store

    with app.app_context(), store().session() as s:
        set_active(s, "vera", False)
    resp = client.get("/objects")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_logout_still_deletes_the_cookie(app: Flask) -> None:
    client = _logged_in(app)
    token = csrf_from(client.get("/objects").get_data(as_text=True))
    resp = client.post("/logout", data={"csrf_token": token})
    assert resp.status_code == 302 and _set_cookie(resp)
    assert "_user_id" not in _data(app, client)  # only the "logged out" message is left
    assert client.get("/objects").status_code == 302
