"""Export one object's regional summary (analysts and admins); every export is audited.

Formats come from :mod:`geoleads.export` (csv, xlsx, geojson, gpkg, kml, pdf, html).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, request, send_file
from flask_login import current_user

from geoleads.errors import ExportError
from geoleads.web import accounts, queries
from geoleads.web.security import require_role
from geoleads.web.state import store, summaries

bp = Blueprint("exports", __name__)

MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "kml": "application/vnd.google-earth.kml+xml",
    "pdf": "application/pdf",
    "html": "text/html",
}


def export_formats() -> tuple[str, ...]:
    """The formats offered on the object page."""
    from geoleads.export import FORMATS

    return tuple(f for f in FORMATS if f in MIMETYPES)


@bp.get("/objects/<path:object_id>/export/<fmt>")
@require_role("analyst")
def download(object_id: str, fmt: str) -> Any:
    """One object's regional summary as a download (``?level=country|admin1|locality``)."""
    from geoleads.export import LEVELS, export_summary

    if fmt not in export_formats():
        abort(404, description=f"unknown export format {fmt!r}")
    level = request.args.get("level", "country")
    if level not in LEVELS:
        abort(400, description=f"level must be one of {', '.join(LEVELS)}")
    if not queries.object_exists(store(), object_id):
        abort(404, description=f"no object {object_id!r}")
    result = summaries().result(object_id)
    if result is None:
        abort(409, description="this object has no tips to export yet")
    tips, _mentions, reviews = queries.load_object_inputs(store(), object_id)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in object_id)[:80] or "object"
    with tempfile.TemporaryDirectory(prefix="geoleads-export-") as tmp:
        path = Path(tmp) / f"{safe}-{level}.{fmt}"
        try:
            export_summary([result], path, fmt, level, tips=tips, reviews=reviews)
        except ExportError as err:
            abort(500, description=str(err))
        data = path.read_bytes()
    accounts.audit(
        store(), current_user.username, "export", object_id, {"format": fmt, "level": level}
    )
    import io

    resp = send_file(
        io.BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True, download_name=path.name
    )
    resp.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return resp
