"""JSON API under ``/api/v1`` for other tools, described by ``/api/v1/openapi.json``.

Authentication: the browser session (cookie) or ``Authorization: Bearer <token>``
(created on the account page). Same roles as the pages: viewers read, analysts
also review. A POST authenticated by the session cookie must also send the
page's CSRF token in ``X-CSRFToken``; a bearer token needs none.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms import ValidationError

from geoleads.errors import ConflictError
from geoleads.store import reviews as store_reviews
from geoleads.web import queries, tipqueries
from geoleads.web.filters import REVIEW_STATUSES, TipFilter
from geoleads.web.openapi import openapi_document
from geoleads.web.security import require_role
from geoleads.web.state import store, summaries

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def json_error(code: int, message: str) -> Response:
    """A JSON error body ``{"error": ..., "status": ...}`` with that status."""
    resp = jsonify({"error": message, "status": code})
    resp.status_code = code
    return resp


def unauthorized() -> Response:
    """401 for an anonymous API request."""
    resp = json_error(401, "authentication required: log in or send a bearer token")
    resp.headers["WWW-Authenticate"] = 'Bearer realm="geoleads"'
    return resp


@bp.before_request
def csrf_for_cookie_sessions() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return
    try:
        validate_csrf(request.headers.get("X-CSRFToken", ""))
    except (ValidationError, CSRFError):
        abort(400, description="missing or bad X-CSRFToken header (or use a bearer token)")


def _object_or_404(object_id: str) -> None:
    if not queries.object_exists(store(), object_id):
        abort(404, description=f"no object {object_id!r}")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@bp.get("/openapi.json")
def openapi() -> Any:
    """The OpenAPI 3 document of this API."""
    return jsonify(openapi_document())


@bp.get("/csrf-token")
@require_role("viewer")
def csrf_token() -> Any:
    """A CSRF token for POST requests authenticated by the session cookie."""
    return jsonify({"csrf_token": generate_csrf()})


@bp.get("/objects")
@require_role("viewer")
def objects() -> Any:
    """Every object with counts and its last computed verdict (null when not computed yet)."""
    rows = queries.object_rows(store(), summaries(), {})
    return jsonify(
        {
            "objects": [
                {
                    "object_id": r.object_id,
                    "title": r.title,
                    "tips": r.tips,
                    "unreviewed": r.unreviewed,
                    "last_tip_at": _iso(r.last_tip),
                    "verdict": (r.summary or {}).get("verdict"),
                }
                for r in sorted(rows, key=lambda r: r.object_id)
            ]
        }
    )


@bp.get("/objects/<path:object_id>/summary")
@require_role("viewer")
def summary(object_id: str) -> Any:
    """The object's summary: one entry of ``geoleads summarize --format json``."""
    _object_or_404(object_id)
    entry, stale = summaries().current_or_stale(object_id)
    resp = jsonify(entry.summary)
    if stale:  # a large object whose new summary is being computed in the background
        resp.headers["X-Geoleads-Stale"] = "1"
    return resp


@bp.get("/objects/<path:object_id>/tips")
@require_role("viewer")
def tips(object_id: str) -> Any:
    """A page of the object's tips, filtered like the object page (same query arguments)."""
    _object_or_404(object_id)
    flt = TipFilter.from_args(request.args)
    page = tipqueries.tip_page(store(), object_id, flt, places=False)  # "places" are spans
    spans = tipqueries.spans_for(store(), [t.tip_id for t in page.tips])
    return jsonify(
        {
            "object_id": object_id,
            "total": page.total,
            "page": flt.page,
            "per_page": flt.per_page,
            "tips": [
                {
                    "tip_id": t.tip_id,
                    "object_id": t.object_id,
                    "text": t.text,
                    "received_at": _iso(t.received_at),
                    "language": t.language,
                    "review": t.status,
                    "reviewer": t.reviewer,
                    "places": [
                        {"start": a, "end": b, "kind": k, "label": label}
                        for a, b, k, label in spans.get(t.tip_id, [])
                    ],
                }
                for t in page.tips
            ],
        }
    )


@bp.get("/objects/<path:object_id>")
@require_role("viewer")
def object_detail(object_id: str) -> Any:
    """One object's counts and summary."""
    _object_or_404(object_id)
    entry = summaries().get(object_id)
    meta = queries.object_meta(store(), object_id, int(entry.stamp[2]))
    return jsonify(
        {
            "object_id": object_id,
            "title": meta.get("title"),
            "description": meta.get("description"),
            "tips": meta.get("tips"),
            "unreviewed": meta.get("unreviewed"),
            "last_tip_at": _iso(meta.get("last_tip")),
            "summary": entry.summary,
        }
    )


@bp.post("/reviews")
@require_role("analyst")
def review() -> Any:
    """Review tips: ``{"tip_ids": [...], "status": "credible|doubtful|spam|duplicate"}``."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="expected a JSON object")
    status = body.get("status")
    ids = body.get("tip_ids")
    if status not in REVIEW_STATUSES:
        abort(400, description=f"status must be one of {', '.join(REVIEW_STATUSES)}")
    if not isinstance(ids, list) or not ids or not all(isinstance(t, str) for t in ids):
        abort(400, description="tip_ids must be a non-empty list of strings")
    if len(ids) > 1000:
        abort(400, description="at most 1000 tips per request")
    ids = list(dict.fromkeys(ids))
    found = tipqueries.tips_by_id(store(), ids, places=False)  # ids and objects only
    missing = sorted(set(ids) - {t.tip_id for t in found})
    if missing:
        abort(404, description=f"no tip {missing[0]!r}")
    try:
        with store().session() as s:
            versions = store_reviews.set_reviews(s, ids, status, user=current_user.username)
    except ConflictError as err:
        abort(409, description=str(err))
    for object_id in {t.object_id for t in found}:
        summaries().invalidate(object_id)
    return jsonify({"status": status, "reviewed": versions})
