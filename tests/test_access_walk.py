"""Access: walk the web app's whole URL map as anonymous, viewer, analyst and admin.

The table ``NEEDS`` below is the access policy, written down here independently
of the views: the minimum role of every (endpoint, method), ``None`` for open
routes. A route the table does not know fails the test, so a new route needs a
decision here. Every route is then requested by every kind of user:

- anonymous: refused (302 to /login, or 401 under /api/) unless open; the only
  open routes are /public pages, the login page, static files, /healthz and the
  OpenAPI document;
- a role below the minimum: 403 (with a valid CSRF token, so the refusal is not
  a CSRF error), through a session and, for the API, through a bearer token;
- the minimum role and above: let in (neither 401/403 nor the login page).

Also: secrets and the database path come from configuration, never from code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, url_for
from webapp_support import USERS, login

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

ROOT = Path(__file__).resolve().parent.parent
RANK = {None: 0, "viewer": 1, "analyst": 2, "admin": 3}
OPEN_OUTSIDE_PUBLIC = {"auth.login", "static", "health", "api.openapi"}
LEAKS = ("Krakau", "Poland", "Belgi", "W-A01")
SAMPLE_ARGS = {"object_id": "OBJ-WEB-A", "job_id": 1, "fmt": "csv", "filename": "app.css"}

#: (endpoint, method) -> the lowest role allowed; None: open to anyone.
NEEDS: dict[tuple[str, str], str | None] = {
    ("auth.login", "GET"): None,
    ("auth.login", "POST"): None,
    ("static", "GET"): None,
    ("health", "GET"): None,
    ("api.openapi", "GET"): None,
    ("public.gallery", "GET"): None,
    ("public.image", "GET"): None,
    ("public.detail", "GET"): None,
    ("public.detail", "POST"): None,
    ("public.static", "GET"): None,
    ("public.thanks", "GET"): None,
    ("home", "GET"): "viewer",
    ("auth.account", "GET"): "viewer",
    ("auth.account", "POST"): "viewer",
    ("auth.logout", "POST"): "viewer",
    ("objects.index", "GET"): "viewer",
    ("objects.detail", "GET"): "viewer",
    ("objects.lead_map", "GET"): "viewer",
    ("review.queue", "GET"): "viewer",
    ("api.csrf_token", "GET"): "viewer",
    ("api.objects", "GET"): "viewer",
    ("api.object_detail", "GET"): "viewer",
    ("api.summary", "GET"): "viewer",
    ("api.tips", "GET"): "viewer",
    ("publishing.index", "GET"): "viewer",
    ("publishing.image", "GET"): "viewer",
    ("review.submit", "POST"): "analyst",
    ("api.review", "POST"): "analyst",
    ("imports.upload", "GET"): "analyst",
    ("imports.upload", "POST"): "analyst",
    ("imports.job", "GET"): "analyst",
    ("exports.download", "GET"): "analyst",
    ("exports.jobs", "GET"): "analyst",
    ("exports.jobs", "POST"): "analyst",
    ("exports.job", "GET"): "analyst",
    ("exports.job_download", "GET"): "analyst",
    ("publishing.set_published", "POST"): "analyst",
    ("publishing.set_text", "POST"): "analyst",
    ("publishing.upload_image", "POST"): "analyst",
    ("admin.audit", "GET"): "admin",
    ("admin.users", "GET"): "admin",
    ("admin.users", "POST"): "admin",
}


def routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every rule of the URL map, with sample arguments."""
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            url = url_for(rule.endpoint, **{a: SAMPLE_ARGS[a] for a in rule.arguments})
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                out.append((rule.endpoint, method, url))
    # log out last: it ends the session the other requests use
    return sorted(out, key=lambda r: r[0] == "auth.logout")


def session_as(app: Flask, username: str) -> tuple[Any, str]:
    client = app.test_client()
    assert login(client, username).status_code == 302
    token = client.get("/api/v1/csrf-token").get_json()["csrf_token"]
    return client, token


def refused_anonymously(resp: Any, url: str) -> bool:
    if url.startswith("/api/"):
        return resp.status_code == 401
    return resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_the_policy_covers_every_route(app: Flask) -> None:
    found = {(e, m) for e, m, _ in routes(app)}
    unknown = found - NEEDS.keys()
    assert not unknown, f"routes without an access decision in NEEDS: {sorted(unknown)}"
    assert not NEEDS.keys() - found, "NEEDS lists routes the app no longer has"
    for endpoint, method, url in routes(app):
        if NEEDS[(endpoint, method)] is None:
            assert url.startswith("/public/") or endpoint in OPEN_OUTSIDE_PUBLIC, url


def test_anonymous_requests_are_refused_except_open_routes(app: Flask) -> None:
    client = app.test_client()
    refused = 0
    for endpoint, method, url in routes(app):
        resp = client.open(url, method=method)
        if NEEDS[(endpoint, method)] is None:
            assert not refused_anonymously(resp, url), (method, url)
            assert resp.status_code < 500, (method, url, resp.status_code)
        else:
            assert refused_anonymously(resp, url), (method, url, resp.status_code)
            body = resp.get_data(as_text=True)
            assert not any(w in body for w in LEAKS), (method, url)  # no tip, no ranking
            refused += 1
    assert refused >= 25


@pytest.mark.parametrize("username", sorted(USERS))
def test_each_role_gets_exactly_what_the_policy_allows(app: Flask, username: str) -> None:
    role = USERS[username]
    client, token = session_as(app, username)
    denied = allowed = 0
    for endpoint, method, url in routes(app):
        needed = NEEDS[(endpoint, method)]
        if needed is None:
            continue
        kwargs: dict[str, Any] = {"headers": {"X-CSRFToken": token}}
        if method != "GET" and not url.startswith("/api/"):
            kwargs["data"] = {"csrf_token": token}
        resp = client.open(url, method=method, **kwargs)
        where = (username, method, url, resp.status_code)
        assert resp.status_code < 500, where
        if RANK[role] < RANK[needed]:
            assert resp.status_code == 403, where
            denied += 1
        else:
            assert resp.status_code not in (401, 403), where
            if endpoint == "auth.logout":  # the last request: the session is over
                assert refused_anonymously(client.get("/objects"), "/objects"), where
            else:
                assert not (resp.status_code == 302 and "/login" in resp.headers["Location"]), where
            allowed += 1
    assert allowed >= 10
    assert denied >= {"viewer": 9, "analyst": 3, "admin": 0}[role]


def test_viewer_with_a_bearer_token_cannot_review(app: Flask) -> None:
    client, token = session_as(app, "vera")
    html = client.post("/account", data={"action": "new-token", "csrf_token": token}).get_data(
        as_text=True
    )
    bearer = re.search(r'<pre id="token"[^>]*>([^<]+)</pre>', html)
    assert bearer, "no API token shown"
    api = app.test_client()
    auth = {"Authorization": f"Bearer {bearer.group(1)}"}
    assert api.get("/api/v1/objects", headers=auth).status_code == 200
    resp = api.post("/api/v1/reviews", json={"tip_ids": ["W-A01"], "status": "spam"}, headers=auth)
    assert resp.status_code == 403
    forged = {"Authorization": "Bearer " + bearer.group(1)[:-2] + "xx"}
    assert api.get("/api/v1/objects", headers=forged).status_code == 401


def test_viewer_post_without_a_csrf_token_changes_nothing(app: Flask) -> None:
    client, _ = session_as(app, "vera")
    for url in ("/review", "/import", "/admin/users"):
        assert client.post(url, data={"tip_id": "W-A01", "status": "spam"}).status_code in (
            400,
            403,
        )


# --- configuration, not code ------------------------------------------------------------
def test_secret_key_and_database_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geoleads.web import create_app

    db = tmp_path / "elsewhere" / "store.sqlite"
    db.parent.mkdir()
    monkeypatch.setenv("GEOLEADS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GEOLEADS_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("GEOLEADS_SECRET_KEY", "k" * 48)
    app = create_app({"TESTING": True})
    assert app.config["DATABASE_URL"] == f"sqlite:///{db}"
    assert app.config["SECRET_KEY"] == "k" * 48
    # without a configured key each installation gets its own, not one from the code
    monkeypatch.delenv("GEOLEADS_SECRET_KEY")
    monkeypatch.delenv("GEOLEADS_DATABASE_URL")
    keys = set()
    for home in ("h1", "h2"):
        monkeypatch.setenv("GEOLEADS_HOME", str(tmp_path / home))
        other = create_app({"TESTING": True})
        assert str(tmp_path / home) in other.config["DATABASE_URL"]
        keys.add(other.config["SECRET_KEY"])
    assert len(keys) == 2


SENSITIVE = re.compile(
    r"(?i)(secret(_key)?|password|passwd|api_?key|token|database_url|db_url|dsn)$"
)
URL_WITH_CREDENTIALS = re.compile(
    r"\b(postgres(?:ql)?(?:\+\w+)?|mysql|redis)://[^\s\"'/@]+:[^\s\"'@]+@"
)
#: Literal values that are not secrets, with the reason.
NOT_SECRETS = {"changed": "cli/users.py audits that a password changed, not the password"}
CONNECTS = {"create_engine", "make_engine", "open", "connect", "create_async_engine"}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return str(node.slice.value)
    if isinstance(node, ast.Constant):
        return str(node.value)
    return ""


def _literal(node: ast.AST | None) -> bool:
    """A non-empty string written in the code (an f-string or a lookup is not)."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(node.value)


def hard_coded(source: str) -> list[tuple[int, str]]:
    """Lines where code sets a secret or a database location to a literal string."""
    hits = []
    for node in ast.walk(ast.parse(source)):
        pairs: list[tuple[str, ast.AST | None]] = []
        if isinstance(node, ast.Assign):
            pairs = [(_name(t), node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign):
            pairs = [(_name(node.target), node.value)]
        elif isinstance(node, ast.keyword):
            pairs = [(node.arg or "", node.value)]
        elif isinstance(node, ast.Dict):
            pairs = [(_name(k), v) for k, v in zip(node.keys, node.values, strict=True) if k]
        elif isinstance(node, ast.arguments):
            args = [*node.posonlyargs, *node.args][-len(node.defaults) or len(node.args) :]
            pairs = [(a.arg, d) for a, d in zip(args, node.defaults, strict=False)]
            pairs += [(a.arg, d) for a, d in zip(node.kwonlyargs, node.kw_defaults, strict=True)]
        elif isinstance(node, ast.Call) and _name(node.func) in CONNECTS and node.args:
            first = node.args[0]
            if _literal(first) and "://" in first.value:  # type: ignore[attr-defined]
                hits.append((node.lineno, f"connects to {first.value!r}"))  # type: ignore[attr-defined]
        elif _literal(node) and URL_WITH_CREDENTIALS.search(node.value):  # type: ignore[attr-defined]
            hits.append((node.lineno, "URL with a password"))  # type: ignore[attr-defined]
        for name, value in pairs:
            if (
                SENSITIVE.search(name)
                and _literal(value)
                and value.value not in NOT_SECRETS  # type: ignore[union-attr]
                and not re.search(r"\s", value.value)  # type: ignore[union-attr]  # prose, e.g. help
            ):
                hits.append((value.lineno, f"{name} = {value.value!r}"))  # type: ignore[union-attr]
    return hits


def test_no_secret_or_database_location_in_the_code() -> None:
    hits = []
    files = sorted((ROOT / "geoleads").rglob("*.py"))
    for path in [*files, ROOT / "webapp.py"]:
        if path.exists():
            for line, what in hard_coded(path.read_text(encoding="utf-8")):
                hits.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert len(files) > 50
    assert not hits, "secrets or database locations in code:\n" + "\n".join(hits)


def test_the_code_check_would_catch_a_hard_coded_secret() -> None:
    assert hard_coded('SECRET_KEY = "s3cr3t-value"')
    assert hard_coded("app.config['SECRET_KEY'] = 'abcdefgh'")
    assert hard_coded("app.config.update(SECRET_KEY='abcdefgh')")
    assert hard_coded("def f(password='hunter2'): pass")
    assert hard_coded('DATABASE_URL = "sqlite:////var/lib/geoleads.sqlite"')
    assert hard_coded('engine = create_engine("postgresql://db/geo")')
    assert hard_coded('x = "postgresql+psycopg://geo:hunter2@db:5432/geo"')
    assert not hard_coded("url = f\"sqlite:///{home / 'geoleads.sqlite'}\"")
    assert not hard_coded('key = os.environ.get("GEOLEADS_SECRET_KEY")')
