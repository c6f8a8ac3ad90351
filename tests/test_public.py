"""The public tip pages (standalone public app) through Flask's test client."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from public_support import HIDDEN, OBJECTS, build_store, public_config, store_of, submit, token_from
from sqlalchemy import select

from geoleads.intake import MAX_TEXT, count_public
from geoleads.store.models import ObjectRow, TipRow
from geoleads.web.public import create_public_app
from geoleads.web.public.i18n import LOCALES

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture()
def app(tmp_path: Path) -> Flask:
    url, images = build_store(tmp_path)
    return create_public_app(public_config(tmp_path, url, images))


def public_tips(app: Flask) -> list[TipRow]:
    with store_of(app).session() as s:
        return list(s.scalars(select(TipRow).where(TipRow.source == "public")))


# --- pages -------------------------------------------------------------------------------
def test_gallery_shows_published_objects_only_without_login_or_cookie(app: Flask) -> None:
    resp = app.test_client().get("/public/")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Set-Cookie" not in resp.headers
    for title, kind, question in OBJECTS.values():
        assert title in html and kind in html and question in html
    assert "Secret object" not in html
    assert html.count('src="/public/image/OBJ-PUB-A"') == 1  # B has no picture
    assert app.test_client().get("/public/image/OBJ-PUB-A").mimetype == "image/jpeg"
    assert app.test_client().get("/public/image/OBJ-PUB-B").status_code == 404


def test_unpublished_object_is_not_reachable(app: Flask) -> None:
    client = app.test_client()
    assert client.get(f"/public/objects/{HIDDEN}").status_code == 404
    assert client.post(f"/public/objects/{HIDDEN}", data={"text": "x"}).status_code == 404
    assert client.get(f"/public/image/{HIDDEN}").status_code == 404
    assert client.get("/public/objects/NO-SUCH").status_code == 404


def test_standalone_app_has_no_investigator_routes(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {e.split(".")[0] for e in endpoints} <= {"public", "static", "home", "health"}
    assert app.test_client().get("/login").status_code == 404
    assert app.test_client().get("/publishing/").status_code == 404


class FormAudit(HTMLParser):
    """Collects form controls, labels and the html lang attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "label" and a.get("for"):
            self.labels.add(str(a["for"]))
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append(a)


@pytest.mark.parametrize("lang", LOCALES)
def test_object_page_is_translated_and_every_control_labelled(app: Flask, lang: str) -> None:
    html = app.test_client().get(f"/public/objects/OBJ-PUB-A?lang={lang}").get_data(as_text=True)
    audit = FormAudit()
    audit.feed(html)
    assert audit.lang == lang
    assert len(audit.controls) == 5  # text, country, town, language, honeypot
    for control in audit.controls:
        assert control.get("id") in audit.labels, control
    english = {"Send your tip", "Town or village", "Your tip is anonymous"}
    if lang == "en":
        assert all(s in html for s in english)
    else:
        assert not any(s in html for s in english), lang
    assert "<script" not in html  # works without JavaScript: there is none
    hp = re.search(r'<div class="hp" aria-hidden="true">.*?</div>', html, re.S)
    assert hp and 'tabindex="-1"' in hp.group(0)


def test_language_from_browser_and_switcher_links_keep_the_page(app: Flask) -> None:
    client = app.test_client()
    resp = client.get("/public/objects/OBJ-PUB-A", headers={"Accept-Language": "pl,en;q=0.5"})
    html = resp.get_data(as_text=True)
    assert resp.headers["Content-Language"] == "pl" and "Wyślij wskazówkę" in html
    assert 'href="/public/objects/OBJ-PUB-A?lang=de"' in html
    assert re.search(r'lang="pl"[^>]*aria-current="true">Polski<', html)
    assert "Niemcy" in html  # country names in the page's language


# --- submitting ---------------------------------------------------------------------------
def test_submission_is_stored_as_public_tip_and_thanked_in_its_language(app: Flask) -> None:
    client = app.test_client()
    resp = submit(client, lang="fr", text="Vendu à Gand", country="BE", town="Gent", language="fr")
    assert resp.status_code == 303
    thanks = client.get(resp.headers["Location"])
    assert "Merci" in thanks.get_data(as_text=True)
    [tip] = public_tips(app)
    assert tip.object_id == "OBJ-PUB-A" and tip.language == "fr" and tip.source == "public"
    assert tip.text == "Vendu à Gand\n\nWhere: Gent, Belgium"
    assert tip.geoparsed_at is None  # the background worker parses it
    assert tip.received_at.second == 0 and tip.received_at.microsecond == 0
    with store_of(app).session() as s:
        assert s.get(ObjectRow, "OBJ-PUB-A").tip_count == 1  # type: ignore[union-attr]


def test_refused_form_keeps_the_text_and_names_the_field(app: Flask) -> None:
    client = app.test_client()
    resp = submit(client, lang="de", text="   ", town="Wien")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'role="alert"' in html and "Bitte schreiben Sie Ihren Hinweis." in html
    assert 'aria-invalid="true"' in html and 'value="Wien"' in html
    long = "x" * (MAX_TEXT + 1)
    resp = submit(client, text=long)
    assert resp.status_code == 400 and long in resp.get_data(as_text=True)
    resp = submit(client, text="ok", country="QQ")
    assert resp.status_code == 400 and "choose a country" in resp.get_data(as_text=True)
    resp = submit(client, text="ok", language="xx")
    assert resp.status_code == 400 and "choose a language" in resp.get_data(as_text=True)
    assert "<title>Your tip was not sent yet:" in resp.get_data(as_text=True)
    assert public_tips(app) == []


def test_request_size_limit(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/public/objects/OBJ-PUB-A").get_data(as_text=True)
    resp = client.post(
        "/public/objects/OBJ-PUB-A", data={"token": token_from(page), "text": "y" * 70_000}
    )
    assert resp.status_code == 413
    assert public_tips(app) == []


def test_honeypot_is_thanked_but_not_stored(app: Flask) -> None:
    resp = submit(app.test_client(), text="buy pills", website="http://spam.example")
    assert resp.status_code == 303 and "/public/thanks" in resp.headers["Location"]
    assert public_tips(app) == []
    assert app.extensions["geoleads_public"].honeypot_hits == 1


def test_csrf_token_origin_and_replay(app: Flask) -> None:
    client = app.test_client()
    url = "/public/objects/OBJ-PUB-A"
    assert client.post(url, data={"text": "no token"}).status_code == 400
    assert client.post(url, data={"text": "forged", "token": "abc.def.ghi"}).status_code == 400
    other = token_from(client.get("/public/objects/OBJ-PUB-B").get_data(as_text=True))
    assert client.post(url, data={"text": "wrong object", "token": other}).status_code == 400
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        assert submit(client, text="cross site", headers=headers).status_code == 403
    assert public_tips(app) == []
    token = token_from(client.get(url).get_data(as_text=True))
    same = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    for _ in range(3):  # a double click or reload stores the tip once
        resp = client.post(url, data={"text": "once", "token": token}, headers=same)
        assert resp.status_code == 303
    assert [t.text for t in public_tips(app)] == ["once"]


def test_expired_form_is_refused(tmp_path: Path) -> None:
    url, images = build_store(tmp_path)
    app = create_public_app(public_config(tmp_path, url, images, PUBLIC_FORM_MAX_AGE_S=-1))
    resp = submit(app.test_client(), text="late")
    assert resp.status_code == 400 and "expired" in resp.get_data(as_text=True)


def test_rate_limit_per_address_in_memory(tmp_path: Path) -> None:
    url, images = build_store(tmp_path)
    app = create_public_app(public_config(tmp_path, url, images, PUBLIC_RATE_LIMIT=3))
    client = app.test_client()
    first = {"REMOTE_ADDR": "198.51.100.23"}
    codes = [submit(client, text=f"tip {i}", environ=first).status_code for i in range(4)]
    assert codes == [303, 303, 303, 429]
    limited = submit(client, text="tip 5", environ=first)
    assert int(limited.headers["Retry-After"]) > 0
    assert "Too many tips" in limited.get_data(as_text=True)
    other = submit(client, text="other address", environ={"REMOTE_ADDR": "198.51.100.24"})
    assert other.status_code == 303
    assert count_public(store_of(app)) == 4
    limiter = app.extensions["geoleads_public"].limiter
    assert "198.51.100.23" not in repr(vars(limiter))  # only salted hashes are held


def test_security_headers_on_public_pages(app: Flask) -> None:
    resp = app.test_client().get("/public/")
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert "Accept-Language" in resp.headers["Vary"]


def test_behind_a_proxy_the_limit_uses_the_forwarded_address(tmp_path: Path) -> None:
    url, images = build_store(tmp_path)
    cfg = public_config(tmp_path, url, images, PUBLIC_RATE_LIMIT=2, PUBLIC_PROXY_HOPS=1)
    app = create_public_app(cfg)
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}

    def send(client_address: str) -> int:
        headers = {"X-Forwarded-For": client_address}
        return int(submit(client, text="seen", environ=proxy, headers=headers).status_code)

    assert [send("192.0.2.50") for _ in range(3)] == [303, 303, 429]
    assert send("192.0.2.51") == 303  # another visitor behind the same proxy
    store_of(app).dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("public.sqlite*"))
    assert b"192.0.2.5" not in raw and b"10.0.0.1" not in raw
