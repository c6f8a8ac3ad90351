"""The investigators' web app through Flask's test client: every route and permission."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from webapp_support import PASSWORD, csrf_from, login, make_app

from geoleads.store.models import AuditEventRow, TipRow
from geoleads.web.state import store

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

PUBLIC = {"auth.login", "static", "health", "api.openapi"}
SAMPLE_ARGS = {"object_id": "OBJ-WEB-A", "job_id": 1, "fmt": "csv", "filename": "app.css"}


def client_as(app: Flask, username: str) -> Any:
    client = app.test_client()
    resp = login(client, username)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return client


def page_csrf(client: Any, url: str = "/objects/OBJ-WEB-A") -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def audit_actions(app: Flask) -> list[tuple[str | None, str, str | None]]:
    with app.app_context(), store().session() as s:
        rows = s.execute(
            select(AuditEventRow.username, AuditEventRow.action, AuditEventRow.target).order_by(
                AuditEventRow.id
            )
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def urls(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every route, with sample arguments."""
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            from flask import url_for

            args = {a: SAMPLE_ARGS[a] for a in rule.arguments}
            url = url_for(rule.endpoint, **args)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):  # type: ignore[operator]
                out.append((rule.endpoint, method, url))
    return out


# --- access ----------------------------------------------------------------------------
def test_every_non_public_route_refuses_anonymous_requests(app: Flask) -> None:
    client = app.test_client()
    checked = 0
    for endpoint, method, url in urls(app):
        if endpoint in PUBLIC or endpoint.startswith("public."):  # tests/test_public*.py
            continue
        resp = client.open(url, method=method)
        if url.startswith("/api/"):
            assert resp.status_code == 401, (method, url, resp.status_code)
            assert resp.get_json()["status"] == 401
        else:
            assert resp.status_code == 302, (method, url, resp.status_code)
            assert resp.headers["Location"].startswith("/login"), (method, url)
        checked += 1
    assert checked >= 15


def test_the_login_page_is_all_an_anonymous_user_sees(app: Flask) -> None:
    client = app.test_client()
    resp = client.get("/objects/OBJ-WEB-A", follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert resp.request.path == "/login"
    assert "Krakau" not in html and "Rankings" not in html and "Poland" not in html
    assert 'name="password"' in html


def test_viewer_cannot_review_import_export_or_administer(app: Flask) -> None:
    client = client_as(app, "vera")
    token = page_csrf(client)
    resp = client.post("/review", data={"tip_id": "W-A01", "status": "spam", "csrf_token": token})
    assert resp.status_code == 403
    api = client.post(
        "/api/v1/reviews",
        json={"tip_ids": ["W-A01"], "status": "spam"},
        headers={"X-CSRFToken": token},
    )
    assert api.status_code == 403 and api.get_json()["status"] == 403
    for url in ("/import", "/objects/OBJ-WEB-A/export/csv", "/admin/audit", "/admin/users"):
        assert client.get(url).status_code == 403, url
    # and nothing was reviewed
    assert (
        "spam"
        not in client.get("/api/v1/objects/OBJ-WEB-A/tips?status=spam")
        .get_data(as_text=True)
        .split('"tips"')[1]
    )


def test_analyst_cannot_administer(app: Flask) -> None:
    client = client_as(app, "anna")
    assert client.get("/admin/audit").status_code == 403
    assert (
        client.post(
            "/admin/users", data={"action": "add", "username": "x", "csrf_token": page_csrf(client)}
        ).status_code
        == 403
    )
    assert client.get("/import").status_code == 200


def test_forms_need_a_csrf_token(template: Path, tmp_path: Path) -> None:
    app = make_app(template, tmp_path)  # CSRF is on under TESTING too
    client = client_as(app, "anna")
    resp = client.post("/review", data={"tip_id": "W-A01", "status": "spam"})
    assert resp.status_code == 400
    assert client.post("/login", data={"username": "anna", "password": PASSWORD}).status_code in (
        302,
        400,
    )
    api = client.post("/api/v1/reviews", json={"tip_ids": ["W-A01"], "status": "spam"})
    assert api.status_code == 400 and "CSRF" in api.get_json()["error"]


def test_login_logout_and_failed_login_are_audited(app: Flask) -> None:
    client = app.test_client()
    bad = login(client, "anna", "wrong password!")
    assert bad.status_code == 401 and "Wrong user name or password" in bad.get_data(as_text=True)
    assert login(client, "anna").status_code == 302
    token = page_csrf(client, "/objects")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/objects").status_code == 302
    actions = [(u, a) for u, a, _ in audit_actions(app)]
    assert (None, "login_failed") in actions
    assert ("anna", "login") in actions and ("anna", "logout") in actions


def test_login_is_rate_limited(template: Path, tmp_path: Path) -> None:
    app = make_app(template, tmp_path, LOGIN_RATE_LIMIT=3)
    client = app.test_client()
    codes = [login(client, "anna", f"wrong-{i}").status_code for i in range(4)]
    assert codes == [401, 401, 401, 429]
    assert login(client, "anna").status_code == 429  # even the right password, for a while


def test_open_redirect_after_login_is_refused(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/login?next=//evil.example/x")
    resp = client.post(
        "/login?next=//evil.example/x",
        data={
            "username": "anna",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert resp.headers["Location"] == "/objects"


def test_security_headers_and_cookie_flags(app: Flask) -> None:
    client = app.test_client()
    resp = login(client, "anna")
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/objects")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "http" not in csp and "unsafe" not in csp
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    mapped = client.get("/objects/OBJ-WEB-A/map")
    assert "http" not in mapped.headers["Content-Security-Policy"]


def test_secure_cookie_over_https(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost")
    resp = client.post(
        "/login",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},
        data={
            "username": "anna",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert "Secure" in resp.headers.get("Set-Cookie", "")
    assert "Strict-Transport-Security" in resp.headers


def test_secret_key_is_generated_once_with_0600(tmp_path: Path, monkeypatch: Any) -> None:
    from geoleads.web import create_app

    monkeypatch.setenv("GEOLEADS_HOME", str(tmp_path))
    monkeypatch.delenv("GEOLEADS_SECRET_KEY", raising=False)
    one = create_app({"DATABASE_URL": "sqlite://"}).config["SECRET_KEY"]
    two = create_app({"DATABASE_URL": "sqlite://"}).config["SECRET_KEY"]
    assert one == two and len(one) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("GEOLEADS_SECRET_KEY", "from-the-environment-" + "y" * 20)
    assert create_app({"DATABASE_URL": "sqlite://"}).config["SECRET_KEY"].startswith("from-the")


# --- pages -------------------------------------------------------------------------------
def test_objects_page_lists_counts_and_keeps_state_in_the_url(app: Flask) -> None:
    client = client_as(app, "vera")
    html = client.get("/objects").get_data(as_text=True)
    assert "OBJ-WEB-A" in html and "OBJ-WEB-B" in html
    assert "10 new" in html  # never visited: every tip is new
    client.get("/objects/OBJ-WEB-A")  # a visit; the summary is computed and cached
    html = client.get("/objects?sort=object_id&order=asc").get_data(as_text=True)
    assert html.index("OBJ-WEB-A") < html.index("OBJ-WEB-B")
    assert "Poland" in html  # top countries of the visited object
    rows = re.findall(r'<tr>\s*<td><a href="/objects/([^"]+)"', html)
    assert rows == ["OBJ-WEB-A", "OBJ-WEB-B"]
    desc = client.get("/objects?sort=object_id&order=desc").get_data(as_text=True)
    assert re.findall(r'<tr>\s*<td><a href="/objects/([^"]+)"', desc) == rows[::-1]
    assert 'href="/objects?sort=object_id"' in html  # the header link flips to descending
    filtered = client.get("/objects?q=web-b").get_data(as_text=True)
    assert "OBJ-WEB-B" in filtered and 'href="/objects/OBJ-WEB-A"' not in filtered
    assert 'value="web-b"' in filtered  # the filter is shown from the URL
    after = client.get("/objects").get_data(as_text=True)
    row_a = after[after.index('href="/objects/OBJ-WEB-A"') :][:600]
    assert "new</span>" not in row_a  # nothing new since the visit


def test_object_page_rankings_timeline_map_and_highlighted_tips(app: Flask) -> None:
    client = client_as(app, "vera")
    html = client.get("/objects/OBJ-WEB-A").get_data(as_text=True)
    assert "Poland" in html and "Rankings" in html
    assert '<svg class="timeline"' in html and html.count("<rect") >= 4
    assert 'src="/objects/OBJ-WEB-A/map"' in html and 'sandbox="allow-scripts"' in html
    assert re.search(r'<mark class="hl hl-place" title="[^"]*Krak[^"]*">Krakau</mark>', html)
    # hostile text is escaped, then the place inside it is highlighted
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; seen in <mark" in html


def test_object_page_filters_are_applied_and_kept(app: Flask) -> None:
    client = client_as(app, "vera")

    def tip_ids(query: str) -> set[str]:
        html = client.get(f"/objects/OBJ-WEB-A?{query}").get_data(as_text=True)
        return set(re.findall(r'data-tip="([^"]+)"', html))

    assert tip_ids("") == {f"W-A{i:02d}" for i in range(1, 11)}
    assert tip_ids("lang=de") == {"W-A01"}
    assert tip_ids("lang=pl") == {"W-A02"}
    assert tip_ids("from=2024-05-04&to=2024-05-04") == {"W-A08", "W-A09"}
    assert tip_ids("has_place=no") == {"W-A09"}
    assert tip_ids("country=DE") == {"W-A06", "W-A07"}
    assert tip_ids("q=grandmother") == {"W-A05"}
    assert tip_ids("status=credible") == set()
    assert len(tip_ids("per_page=3")) == 3 and len(tip_ids("per_page=3&page=4")) == 1
    html = client.get("/objects/OBJ-WEB-A?lang=en&per_page=3").get_data(as_text=True)
    assert "page 1 of 3" in html
    assert "lang=en" in html.split('rel="next"')[0].rsplit("href=", 1)[1]  # pager keeps filters
    assert client.get("/objects/NOPE").status_code == 404


def test_lead_map_is_served_from_our_own_static_folder(app: Flask) -> None:
    client = client_as(app, "vera")
    resp = client.get("/objects/OBJ-WEB-A/map")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "leaflet" in html.lower()
    srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert srcs and all(s.startswith(("/static/", "#", "data:")) for s in srcs), srcs
    for src in srcs:
        if src.startswith("/static/"):
            assert client.get(src).status_code == 200, src


# --- review ------------------------------------------------------------------------------
def top_country(client: Any, object_id: str = "OBJ-WEB-A") -> tuple[str, float]:
    summary = client.get(f"/api/v1/objects/{object_id}/summary").get_json()
    return summary["countries"][0]["code"], summary["countries"][0]["share"]


def test_batch_review_changes_the_ranking_and_is_audited(app: Flask) -> None:
    client = client_as(app, "anna")
    assert top_country(client)[0] == "PL"
    token = page_csrf(client)
    polish = ["W-A01", "W-A02", "W-A03", "W-A04", "W-A05", "W-A08", "W-A10"]
    resp = client.post(
        "/review",
        data={
            "tip_id": polish,
            "status": "spam",
            "csrf_token": token,
            "next": "/objects/OBJ-WEB-A?status=spam",
        },
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/objects/OBJ-WEB-A?status=spam"
    assert top_country(client)[0] == "DE"
    html = client.get("/objects/OBJ-WEB-A?status=spam").get_data(as_text=True)
    assert set(re.findall(r'data-tip="([^"]+)"', html)) == set(polish)
    reviews = [(u, t) for u, a, t in audit_actions(app) if a == "review"]
    assert sorted(t for _, t in reviews) == sorted(polish) and {u for u, _ in reviews} == {"anna"}
    # marking them credible again brings Poland back
    client.post("/review", data={"tip_id": polish, "status": "credible", "csrf_token": token})
    assert top_country(client)[0] == "PL"


def test_review_rejects_unknown_status_and_tips(app: Flask) -> None:
    client = client_as(app, "anna")
    token = page_csrf(client)
    assert (
        client.post(
            "/review", data={"tip_id": "W-A01", "status": "burn", "csrf_token": token}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/review", data={"tip_id": ["W-A01", "NOPE"], "status": "spam", "csrf_token": token}
        ).status_code
        == 404
    )
    assert client.get("/api/v1/objects/OBJ-WEB-A/tips?status=reviewed").get_json()["total"] == 0


def test_review_queue_orders_by_impact(app: Flask) -> None:
    client = client_as(app, "anna")
    html = client.get("/review?object=OBJ-WEB-A").get_data(as_text=True)
    order = re.findall(r'data-tip="([^"]+)"', html)
    impacts = [float(x) for x in re.findall(r"impact ([0-9.]+)", html)]
    assert set(order) == {f"W-A{i:02d}" for i in range(1, 11)}
    assert impacts == sorted(impacts, reverse=True) and impacts[0] > 0
    assert order[-1] == "W-A09"  # no place: no impact
    assert order.index("W-A06") < order.index("W-A03")  # a Berlin tip moves Poland's share more
    token = csrf_from(html)
    client.post("/review", data={"tip_id": order[0], "status": "doubtful", "csrf_token": token})
    after = re.findall(
        r'data-tip="([^"]+)"', client.get("/review?object=OBJ-WEB-A").get_data(as_text=True)
    )
    assert order[0] not in after and len(after) == 9
    everything = client.get("/review").get_data(as_text=True)
    assert "W-B01" in everything and order[1] in everything and order[0] not in everything


# --- import ------------------------------------------------------------------------------
def tip_count(app: Flask) -> int:
    with app.app_context(), store().session() as s:
        return int(s.scalar(select(func.count()).select_from(TipRow)) or 0)


def test_import_bad_file_reports_rows_and_writes_nothing(app: Flask) -> None:
    client = client_as(app, "anna")
    before = tip_count(app)
    bad = (
        b"tip_id,object_id,text,received_at\n"
        b"N1,OBJ-NEW,fine tip from Graz,2024-01-01\n"
        b"N2,OBJ-NEW,,2024-01-02\n"
        b"N3,OBJ-NEW,when?,yesterday\n"
    )
    resp = client.post(
        "/import",
        data={
            "file": (__import__("io").BytesIO(bad), "t.csv"),
            "csrf_token": page_csrf(client, "/import"),
        },
        content_type="multipart/form-data",
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert re.search(r"<td>3</td><td>text is empty", html)
    assert re.search(r"<td>4</td><td>received_at", html)
    assert tip_count(app) == before


def test_import_good_file_then_again_adds_nothing_twice(app: Flask) -> None:
    import io

    client = client_as(app, "anna")
    before = tip_count(app)
    good = (
        b'{"tip_id": "N1", "object_id": "OBJ-NEW", "text": "aus Graz", '
        b'"received_at": "2024-01-01T10:00:00Z"}\n'
        b'{"tip_id": "N2", "object_id": "OBJ-NEW", "text": "in Wien gesehen", '
        b'"received_at": "2024-01-02T10:00:00Z", "language": "de"}\n'
    )
    for expected in (2, 0):
        resp = client.post(
            "/import",
            data={
                "file": (io.BytesIO(good), "new.jsonl"),
                "csrf_token": page_csrf(client, "/import"),
            },
            content_type="multipart/form-data",
        )
        assert resp.status_code == 302
        job = client.get(resp.headers["Location"] + "?format=json").get_json()
        assert job["status"] == "done", job
        assert job["report"]["added"] == expected
        page = client.get(resp.headers["Location"]).get_data(as_text=True)
        assert f'<strong id="added">{expected}</strong>' in page
    assert tip_count(app) == before + 2
    assert "OBJ-NEW" in client.get("/objects").get_data(as_text=True)
    assert client.get("/api/v1/objects/OBJ-NEW/summary").get_json()["countries"][0]["code"] == "AT"
    assert [a for _, a, _ in audit_actions(app)].count("import") == 3  # setup + 2


def test_import_in_a_background_thread(template: Path, tmp_path: Path) -> None:
    import io
    import time

    app = make_app(template, tmp_path, IMPORT_IN_THREAD=True)
    client = client_as(app, "anna")
    rows = "".join(f"B{i},OBJ-BG,tip {i} from Lyon,2024-02-01T00:00:00Z\n" for i in range(200))
    data = ("tip_id,object_id,text,received_at\n" + rows).encode()
    resp = client.post(
        "/import",
        data={"file": (io.BytesIO(data), "bg.csv"), "csrf_token": page_csrf(client, "/import")},
        content_type="multipart/form-data",
    )
    url = resp.headers["Location"]
    for _ in range(300):
        job = client.get(url + "?format=json").get_json()
        if job["finished"]:
            break
        page = client.get(url)
        running = 'data-status="done"' not in page.get_data(as_text=True)
        assert (page.headers.get("Refresh") == "2") == running
        time.sleep(0.1)
    assert job["status"] == "done" and job["report"]["added"] == 200
    assert not list((tmp_path / "uploads").iterdir())  # the upload is removed afterwards


# --- admin, exports, account ------------------------------------------------------------
def test_admin_sees_audit_log_and_manages_users(app: Flask) -> None:
    client = client_as(app, "adam")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "login" in html and "adam" in html
    filtered = client.get("/admin/audit?action=import").get_data(as_text=True)
    assert "web_tips.csv" in filtered and '<span class="badge">login</span>' not in filtered
    assert '<span class="badge">login</span>' in html
    token = page_csrf(client, "/admin/users")
    client.post(
        "/admin/users",
        data={
            "action": "add",
            "username": "newbie",
            "password": "long enough password",
            "role": "viewer",
            "csrf_token": token,
        },
    )
    assert "newbie" in client.get("/admin/users").get_data(as_text=True)
    assert login(app.test_client(), "newbie", "long enough password").status_code == 302
    client.post(
        "/admin/users", data={"action": "disable", "username": "newbie", "csrf_token": token}
    )
    assert login(app.test_client(), "newbie", "long enough password").status_code == 401
    assert ("adam", "user_add", "newbie") in audit_actions(app)


def test_export_download_is_audited(app: Flask) -> None:
    client = client_as(app, "anna")
    resp = client.get("/objects/OBJ-WEB-A/export/csv?level=country")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "Poland" in resp.get_data(as_text=True)
    assert ("anna", "export", "OBJ-WEB-A") in audit_actions(app)
    assert client.get("/objects/OBJ-WEB-A/export/exe").status_code == 404


# --- API ---------------------------------------------------------------------------------
def test_api_with_a_bearer_token(app: Flask) -> None:
    client = client_as(app, "anna")
    html = client.post(
        "/account", data={"action": "new-token", "csrf_token": page_csrf(client, "/account")}
    ).get_data(as_text=True)
    token = re.search(r'<pre id="token"[^>]*>([^<]+)</pre>', html).group(1)  # type: ignore[union-attr]
    api = app.test_client()  # no cookie
    auth = {"Authorization": f"Bearer {token}"}
    objects = api.get("/api/v1/objects", headers=auth).get_json()["objects"]
    assert [o["object_id"] for o in objects] == ["OBJ-WEB-A", "OBJ-WEB-B"]
    detail = api.get("/api/v1/objects/OBJ-WEB-B", headers=auth).get_json()
    assert detail["summary"]["countries"][0]["code"] == "BE"
    tips = api.get("/api/v1/objects/OBJ-WEB-A/tips?lang=de", headers=auth).get_json()
    assert tips["total"] == 1 and tips["tips"][0]["places"][0]["kind"] == "place"
    resp = api.post(
        "/api/v1/reviews", json={"tip_ids": ["W-B01"], "status": "credible"}, headers=auth
    )
    assert resp.status_code == 200 and resp.get_json()["reviewed"] == {"W-B01": 1}
    assert api.get("/api/v1/objects", headers={"Authorization": "Bearer forged"}).status_code == 401
    assert api.get("/api/v1/objects/NOPE/summary", headers=auth).status_code == 404
    assert (
        api.post(
            "/api/v1/reviews", json={"tip_ids": [], "status": "spam"}, headers=auth
        ).status_code
        == 400
    )


def test_api_session_post_needs_the_csrf_header(app: Flask) -> None:
    client = client_as(app, "anna")
    token = client.get("/api/v1/csrf-token").get_json()["csrf_token"]
    body = {"tip_ids": ["W-A09"], "status": "spam"}
    assert client.post("/api/v1/reviews", json=body).status_code == 400
    assert (
        client.post("/api/v1/reviews", json=body, headers={"X-CSRFToken": token}).status_code == 200
    )


def test_openapi_document_covers_every_api_route(app: Flask) -> None:
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi"
    }
    assert routes == set(doc["paths"])
    refs = set(re.findall(r'"#/components/schemas/(\w+)"', __import__("json").dumps(doc)))
    assert refs <= set(doc["components"]["schemas"])


def test_large_objects_show_the_previous_summary_while_recomputing(
    template: Path, tmp_path: Path
) -> None:
    import time

    app = make_app(template, tmp_path, SUMMARY_SYNC_LIMIT=5)  # OBJ-WEB-A (10 tips) is "large"
    client = client_as(app, "anna")
    assert top_country(client)[0] == "PL"
    polish = ["W-A01", "W-A02", "W-A03", "W-A04", "W-A05", "W-A08", "W-A10"]
    client.post(
        "/review", data={"tip_id": polish, "status": "spam", "csrf_token": page_csrf(client)}
    )
    fresh = None
    for _ in range(200):
        resp = client.get("/api/v1/objects/OBJ-WEB-A/summary")
        if resp.headers.get("X-Geoleads-Stale") != "1":
            fresh = resp.get_json()
            break
        assert resp.get_json()["countries"][0]["code"] == "PL"  # the previous summary
        time.sleep(0.05)
    assert fresh is not None and fresh["countries"][0]["code"] == "DE"
    assert "being recomputed" not in client.get("/objects/OBJ-WEB-A").get_data(as_text=True)
