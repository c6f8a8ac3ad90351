"""Publishing objects on the public pages (investigators only, under ``/publishing``).

Analysts publish or withdraw an object, edit the kind and question the public
sees, and upload its picture; the picture is re-encoded from its pixels by
:func:`geoleads.images.clean_image`, so EXIF (GPS position, camera), XMP, ICC
profiles and comments never reach the public site. Every change is audited.
This blueprint is registered in the investigators' app only, never in
:func:`geoleads.web.public.create_public_app`.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select

from geoleads.images import ImageError, clean_image, save_image, stored_image
from geoleads.intake import SOURCE
from geoleads.store.audit import audit
from geoleads.store.models import ObjectRow, TipRow
from geoleads.store.objects import get_object, update_object
from geoleads.web.security import require_role
from geoleads.web.state import store

bp = Blueprint("publishing", __name__, url_prefix="/publishing", template_folder="templates")

#: Longest kind and question an analyst may set.
MAX_KIND = 100
MAX_QUESTION = 500


def _images_dir() -> str:
    return str(current_app.config["IMAGES_DIR"])


@bp.get("/")
def index() -> Any:
    """Every object, its public state and picture, and how many public tips it received."""
    with store().session() as s:
        objects = list(s.scalars(select(ObjectRow).order_by(ObjectRow.object_id)))
        public = dict(
            s.execute(
                select(TipRow.object_id, func.count())
                .where(TipRow.source == SOURCE)
                .group_by(TipRow.object_id)
            ).all()
        )
    return render_template("public/manage.html", objects=objects, public=public)


@bp.get("/image/<path:object_id>")
def image(object_id: str) -> Any:
    """An object's stored picture, published or not (for the preview)."""
    with store().session() as s:
        obj = s.get(ObjectRow, object_id)
    path = stored_image(_images_dir(), obj.image_path if obj else None)
    if path is None:
        abort(404)
    return send_file(path, max_age=0)


def _change(object_id: str, details: dict[str, Any], **fields: Any) -> None:
    with store().session() as s:
        get_object(s, object_id)
        update_object(s, object_id, **fields)
        audit(s, "object_change", user=current_user.username, target=object_id, details=details)
    public = current_app.extensions.get("geoleads_public")
    if public is not None:  # the public pages of this process show it at once
        public.objects.invalidate()
        public.pages.clear()


def _exists(object_id: str) -> None:
    with store().session() as s:
        if s.get(ObjectRow, object_id) is None:
            abort(404, description=f"no object {object_id!r}")


@bp.post("/<path:object_id>/published")
@require_role("analyst")
def set_published(object_id: str) -> Any:
    """Publish (``published=1``) or withdraw (``published=0``) an object."""
    _exists(object_id)
    value = request.form.get("published")
    if value not in ("0", "1"):
        abort(400, description="published must be 0 or 1")
    published = value == "1"
    _change(object_id, {"published": published}, published=published)
    flash(f"{object_id} is {'now public' if published else 'no longer public'}.", "success")
    return redirect(url_for("publishing.index"), 303)


@bp.post("/<path:object_id>/text")
@require_role("analyst")
def set_text(object_id: str) -> Any:
    """Set the kind ("shampoo bottle") and the question the public sees."""
    _exists(object_id)
    kind = (request.form.get("kind") or "").strip()[:MAX_KIND] or None
    question = (request.form.get("question") or "").strip()[:MAX_QUESTION] or None
    _change(object_id, {"kind": kind, "question": question}, kind=kind, question=question)
    flash(f"Saved the public text of {object_id}.", "success")
    return redirect(url_for("publishing.index"), 303)


@bp.post("/<path:object_id>/image")
@require_role("analyst")
def upload_image(object_id: str) -> Any:
    """Store a new picture for the object, re-encoded without metadata."""
    _exists(object_id)
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        flash("Choose a picture to upload first.", "error")
        return redirect(url_for("publishing.index"), 303)
    try:
        cleaned = clean_image(upload.read())
    except ImageError as err:
        flash(f"Picture refused: {err}", "error")
        return redirect(url_for("publishing.index"), 303)
    name = save_image(_images_dir(), cleaned)
    details = {"image": name, "width": cleaned.width, "height": cleaned.height}
    _change(object_id, details, image_path=name)
    flash(
        f"New picture for {object_id} ({cleaned.width} x {cleaned.height}, metadata removed).",
        "success",
    )
    return redirect(url_for("publishing.index"), 303)
