"""schemathesis against the app's own OpenAPI document: generated requests, never a 5xx.

Every operation of /api/v1/openapi.json gets a bounded number of generated cases
(path/query/body from the schema, plus hypothesis' edge cases), sent through the
WSGI app with an analyst's bearer token (so the requests get past the login wall
and reach the views). Checks: no 5xx, and responses that conform to the
document's status codes and content types. The review endpoint changes the
copied test store only.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from webapp_support import csrf_from, login, make_app, template_db

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

CASES = 25  # per operation; CI stays fast


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> tuple[Flask, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    app = make_app(template_db(tmp_path_factory.mktemp("webdb")), tmp)
    client = app.test_client()
    assert login(client, "anna").status_code == 302
    token = csrf_from(client.get("/account").get_data(as_text=True))
    html = client.post("/account", data={"action": "new-token", "csrf_token": token}).get_data(
        as_text=True
    )
    found = re.search(r'<pre id="token"[^>]*>([^<]+)</pre>', html)
    assert found
    return app, {"Authorization": f"Bearer {found.group(1)}"}


def operations(app: Flask) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_the_document_lists_the_api(api: tuple[Flask, dict[str, str]]) -> None:
    labels = {op.label for op in operations(api[0])}
    assert {"GET /api/v1/objects", "POST /api/v1/reviews"} <= labels
    assert len(labels) >= 6


def fuzz_operation(op: Any, auth: dict[str, str], seen: dict[str, set[int]]) -> None:
    """Send CASES generated requests to one operation and check every response."""

    @given(case=op.as_strategy())
    @settings(
        max_examples=CASES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(headers=auth)
        seen.setdefault(op.label, set()).add(response.status_code)
        assert response.status_code < 500, (op.label, response.status_code, response.text)
        case.validate_response(
            response,
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
        )

    run()


def test_no_generated_request_gives_a_server_error(api: tuple[Flask, dict[str, str]]) -> None:
    app, auth = api
    seen: dict[str, set[int]] = {}
    for op in operations(app):
        fuzz_operation(op, auth, seen)
    assert all(codes for codes in seen.values())
    # the cases reach the views (not only the login wall or 404s)
    assert any(200 in codes for codes in seen.values())
    assert any(code in (400, 404, 422) for codes in seen.values() for code in codes)


def test_unexpected_strings_in_paths_do_not_break_the_api(
    api: tuple[Flask, dict[str, str]],
) -> None:
    app, auth = api
    client = app.test_client()

    @given(st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=60))
    @settings(max_examples=40, deadline=None)
    def run(object_id: str) -> None:
        for suffix in ("", "/summary", "/tips"):
            resp = client.get(f"/api/v1/objects/{object_id}{suffix}", headers=auth)
            assert resp.status_code < 500, (object_id, suffix, resp.status_code)

    run()
