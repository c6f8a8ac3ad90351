"""Reviewing tips: one or many at once, and the queue of tips that matter most.

A review form works without JavaScript (checkboxes + one submit button per
status); ``static/review.js`` only adds keyboard shortcuts. Every review is
written to the audit log and invalidates the object's cached summary, so the
rankings and the map reflect it on the next view.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from geoleads.errors import ConflictError
from geoleads.store import reviews as store_reviews
from geoleads.web import queries, tipqueries
from geoleads.web.filters import REVIEW_STATUSES
from geoleads.web.highlight import cached_highlight
from geoleads.web.queue import review_queue
from geoleads.web.security import require_role
from geoleads.web.state import store, summaries

bp = Blueprint("review", __name__)

#: Statuses a reviewer can set.
SETTABLE = REVIEW_STATUSES
#: Most tips one request may review.
MAX_BATCH = 1000


def _back(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target if not urlsplit(target).netloc else url_for("review.queue")
    return url_for("review.queue")


@bp.post("/review")
@require_role("analyst")
def submit() -> Any:
    """Set one review status on the selected tips (form fields ``tip_id`` and ``status``)."""
    status = request.form.get("status", "")
    tip_ids = list(dict.fromkeys(t for t in request.form.getlist("tip_id") if t))
    back = _back(request.form.get("next"))
    if status not in SETTABLE:
        abort(400, description=f"unknown review status {status!r}")
    if not tip_ids:
        flash("Select at least one tip first.", "error")
        return redirect(back)
    if len(tip_ids) > MAX_BATCH:
        abort(400, description=f"at most {MAX_BATCH} tips per review")
    changed = apply_reviews(tip_ids, status)
    flash(
        f"Marked {len(tip_ids)} tip(s) {status}; rankings of {changed} object(s) updated.",
        "success",
    )
    return redirect(back)


def apply_reviews(tip_ids: list[str], status: str) -> int:
    """Store and audit the reviews, invalidate summaries; return the number of objects."""
    tips = tipqueries.tips_by_id(store(), tip_ids, places=False)  # ids and objects only
    missing = set(tip_ids) - {t.tip_id for t in tips}
    if missing:
        abort(404, description=f"no tip {sorted(missing)[0]!r}")
    try:
        with store().session() as s:  # all or nothing; each review is audited by the store
            store_reviews.set_reviews(s, tip_ids, status, user=current_user.username)
    except ConflictError as err:
        abort(409, description=str(err))
    objects = {t.object_id for t in tips}
    for object_id in objects:
        summaries().invalidate(object_id)
    return len(objects)


@bp.get("/review")
def queue() -> Any:
    """Unreviewed tips ordered by how much each would move its object's verdict."""
    object_id = request.args.get("object") or None
    if object_id and not queries.object_exists(store(), object_id):
        abort(404, description=f"no object {object_id!r}")
    limit = 50
    items = review_queue(store(), summaries(), object_id, limit=limit)
    spans = tipqueries.spans_for(store(), [t.tip_id for t in items])
    rendered = [(tip, cached_highlight(tip.text, spans.get(tip.tip_id, []))) for tip in items]
    return render_template(
        "queue.html",
        tips=rendered,
        object_id=object_id,
        show_object=object_id is None,
        limit=limit,
    )
