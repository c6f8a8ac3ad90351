"""Exports for analysts and admins; every export is audited.

* ``GET /objects/<id>/export/<fmt>`` — one object's regional summary, built in
  the request (small).
* ``/exports`` — export jobs: a set of objects, the whole campaign or a country's
  dissemination package, written by a background thread
  (:mod:`geoleads.web.export_jobs`) under ``$GEOLEADS_HOME/exports``; the job page
  shows progress and then a download link. Starting (``export_start``) and
  downloading (``export_download``) are audited.

Formats come from :mod:`geoleads.export` (csv, xlsx, geojson, gpkg, kml, pdf, html).
"""

from __future__ import annotations

import re
import tempfile
import threading
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from geoleads.errors import ExportError
from geoleads.web import accounts, export_jobs, queries
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


# --- export jobs --------------------------------------------------------------------------
_threads: list[threading.Thread] = []
#: At most this many export jobs run at once (the machine is shared); more get 429.
MAX_RUNNING = 2
_SCOPES = ("campaign", "objects", "package")


def _root() -> Path:
    return Path(current_app.config["GEOLEADS_HOME"]) / "exports"


def _running() -> int:
    _threads[:] = [t for t in _threads if t.is_alive()]
    return len(_threads)


def _run(app: Any, root: Path, job_id: str) -> None:
    with app.app_context():
        export_jobs.run_job(store(), root, job_id)


def _spec(form: Any) -> dict[str, Any]:
    """The job described by the start form; aborts 400/404 on bad input."""
    from geoleads.export import LEVELS

    scope = form.get("scope", "campaign")
    if scope not in _SCOPES:
        abort(400, description=f"scope must be one of {', '.join(_SCOPES)}")
    if scope == "package":
        country = form.get("country", "").strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            abort(400, description="country must be a two-letter code such as PL")
        return {"kind": "package", "scope": scope, "country": country, "objects": []}
    fmt = form.get("fmt", "xlsx")
    if fmt not in export_formats():
        abort(400, description=f"format must be one of {', '.join(export_formats())}")
    level = form.get("level", "country")
    if level not in LEVELS:
        abort(400, description=f"level must be one of {', '.join(LEVELS)}")
    objects: list[str] = []
    if scope == "objects":
        raw = form.getlist("object") or re.split(r"[\s,]+", form.get("objects", ""))
        objects = list(dict.fromkeys(o.strip() for o in raw if o.strip()))[:1000]
        if not objects:
            abort(400, description="name at least one object")
        missing = [o for o in objects if not queries.object_exists(store(), o)]
        if missing:
            abort(404, description=f"no object(s): {', '.join(missing[:10])}")
    return {"kind": "summary", "scope": scope, "objects": objects, "fmt": fmt, "level": level}


@bp.route("/exports", methods=["GET", "POST"])
@require_role("analyst")
def jobs() -> Any:
    """The export form and recent jobs; POST starts a background export job."""
    from geoleads.export import LEVELS

    if request.method == "GET":
        return render_template(
            "exports.html",
            jobs=export_jobs.list_jobs(_root()),
            formats=export_formats(),
            levels=LEVELS,
            preset=request.args.get("objects", ""),
        )
    spec = _spec(request.form)
    if _running() >= MAX_RUNNING:
        abort(429, description="other exports are running: try again in a minute")
    job_id = export_jobs.create_job(_root(), spec, current_user.username)
    target = spec.get("country") or ("campaign" if spec["scope"] == "campaign" else None)
    if target is None:
        target = ",".join(spec["objects"])[:200]
    details = {k: spec[k] for k in ("kind", "fmt", "level") if k in spec} | {"job": job_id}
    accounts.audit(store(), current_user.username, "export_start", target, details)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if current_app.config.get("EXPORT_IN_THREAD", True):
        thread = threading.Thread(
            target=_run, args=(app, _root(), job_id), name=f"export-{job_id}", daemon=True
        )
        _threads.append(thread)
        thread.start()
    else:
        _run(app, _root(), job_id)
    return redirect(url_for("exports.job", job_id=job_id))


def _status_or_404(job_id: str) -> dict[str, Any]:
    status = export_jobs.read_status(_root(), job_id) if export_jobs.valid_job_id(job_id) else None
    if status is None:
        abort(404, description=f"no export job {job_id!r}")
    return status


@bp.get("/exports/jobs/<job_id>")
@require_role("analyst")
def job(job_id: str) -> Any:
    """Progress of one export job (refreshes itself until it is finished)."""
    status = _status_or_404(job_id)
    if request.args.get("format") == "json":
        return jsonify({k: v for k, v in status.items() if k != "updated_ts"})
    resp = current_app.make_response(render_template("export_job.html", job=status))
    if not status["finished"]:
        resp.headers["Refresh"] = "2"
    return resp


@bp.get("/exports/jobs/<job_id>/download")
@require_role("analyst")
def job_download(job_id: str) -> Any:
    """The finished file of an export job (audited as ``export_download``)."""
    status = _status_or_404(job_id)
    if status["status"] != "done" or not status.get("filename"):
        abort(409, description="this export is not finished")
    path = export_jobs.job_dir(_root(), job_id) / str(status["filename"])
    if not path.is_file():
        abort(410, description="the exported file is gone")
    accounts.audit(store(), current_user.username, "export_download", job_id, {"file": path.name})
    fmt = "zip" if status["kind"] == "package" else str(status["fmt"])
    mimetype = MIMETYPES.get(fmt, "application/zip")
    resp = send_file(path, mimetype=mimetype, as_attachment=True, download_name=path.name)
    resp.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return resp
