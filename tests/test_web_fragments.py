"""Memoised row fragments (geoleads/web/fragments.py) never leak one role's or session's HTML."""

from __future__ import annotations

import re
from pathlib import Path
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


# --- page pieces (fragments.piece: top bar, filter forms, pager, rankings) ----------------
TEMPLATES = Path(__file__).parent.parent / "geoleads" / "web" / "templates"
#: what a memoised macro must never read: it would be shown to the next user with the
#: same arguments (url_for is allowed: the script root is in the key)
SESSION_BOUND = re.compile(r"\b(current_user|session|csrf_token|request|g|config)\b")


@pytest.mark.parametrize("name", ["_pieces.html", "_rows.html", "_macros.html"])
def test_memoised_macros_read_nothing_but_their_arguments(name: str) -> None:
    source = (TEMPLATES / name).read_text()
    code = re.sub(r"\{#.*?#\}", "", source, flags=re.S)  # comments may name them
    for expr in re.findall(r"\{[{%](.*?)[%}]\}", code, flags=re.S):
        strings_out = re.sub(r"'[^']*'|\"[^\"]*\"", "''", expr)
        assert not SESSION_BOUND.search(strings_out), (name, expr)


def _header(html: str) -> str:
    return html[html.index('<header class="topbar">') : html.index("</header>")]


def test_top_bar_shows_each_user_their_own_name_role_and_menu(app: Flask) -> None:
    adam, vera = _client(app, "adam"), _client(app, "vera")  # admin, viewer
    for _ in range(2):  # the second round is served from the memoised pieces
        a = _header(adam.get("/objects").get_data(as_text=True))
        v = _header(vera.get("/objects").get_data(as_text=True))
        assert "adam" in a and "admin" in a and "vera" not in a
        assert "vera" in v and "viewer" in v and "adam" not in v
        assert "Audit log" in a and "Import" in a
        assert "Audit log" not in v and "Import" not in v
        assert csrf_from(a) != csrf_from(v)  # the logout forms keep their own tokens
    queue = _header(vera.get("/review").get_data(as_text=True))
    assert re.search(r'class="active">Review queue', queue)
    assert not re.search(r'class="active">Objects', queue)


def test_a_role_change_shows_in_the_next_page(app: Flask) -> None:
    vera = _client(app, "vera")
    assert "Import" not in _header(vera.get("/objects").get_data(as_text=True))
    from geoleads.store.users import set_role
    from geoleads.web.state import store

    with app.app_context(), store().session() as s:
        set_role(s, "vera", "analyst")
    header = _header(vera.get("/objects").get_data(as_text=True))
    assert "Import" in header and "analyst" in header


def test_pager_and_filter_form_follow_the_query(app: Flask) -> None:
    vera = _client(app, "vera")
    first = vera.get("/objects/OBJ-WEB-A?per_page=10").get_data(as_text=True)
    second = vera.get("/objects/OBJ-WEB-A?per_page=10&page=2").get_data(as_text=True)
    assert re.search(r"page 1 of (\d+)", first) and re.search(r"page 2 of (\d+)", second)
    assert 'rel="prev"' not in first and 'rel="prev"' in second
    english = vera.get("/objects/OBJ-WEB-A?lang=en").get_data(as_text=True)
    assert '<option value="en" selected>' in english
    assert '<option value="en" selected>' not in vera.get("/objects/OBJ-WEB-A").get_data(
        as_text=True
    )
    hostile = vera.get("/objects?q=%22%3E%3Cscript%3Ex%3C/script%3E").get_data(as_text=True)
    assert "<script>x</script>" not in hostile and "&lt;script&gt;" in hostile
