"""Importing tip files from the browser: validate first, then a background job with progress.

1. The upload (CSV, JSON Lines or XLSX) is validated at once with
   :func:`geoleads.tips.read_tips_bytes`; a bad file gets a report listing every
   bad row with its row number, and nothing is written.
2. A good file is saved under ``$GEOLEADS_HOME/uploads`` and imported by
   :func:`geoleads.store.jobs.run_import_job` in a thread: geoparsing, then one
   all-or-nothing transaction; re-importing the same file adds nothing twice.
3. The job page shows progress (it refreshes itself; no JavaScript needed).
"""

from __future__ import annotations

import secrets
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
    url_for,
)
from flask_login import current_user

from geoleads.errors import GeoleadsError, NotFoundError, TipFormatError
from geoleads.store import jobs as store_jobs
from geoleads.tips import read_tips_bytes
from geoleads.web import accounts
from geoleads.web.security import require_role
from geoleads.web.state import store

bp = Blueprint("imports", __name__)

ALLOWED = (".csv", ".jsonl", ".ndjson", ".json", ".xlsx")
_threads: list[threading.Thread] = []


def _job_json(job: Any) -> dict[str, Any]:
    return {
        "id": job.id,
        "filename": job.filename,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": round(100.0 * job.done / job.total, 1) if job.total else 0.0,
        "error": job.error,
        "report": job.report or {},
        "created_by": job.created_by,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "finished": job.status in ("done", "failed"),
    }


def _geoparser() -> Any:
    """The real geoparser, or None when it is not available (tips then stay pending)."""
    if not current_app.config.get("IMPORT_GEOPARSE", True):
        return None
    try:
        from geoleads.store.mentions import default_geoparser

        return default_geoparser()
    except ImportError:
        return None


def _run(app: Any, job_id: int, path: Path, user: str, source: str, geoparser: Any) -> None:
    with app.app_context():
        try:
            store_jobs.run_import_job(
                store(), job_id, path, user=user, geoparser=geoparser, source=source
            )
        except GeoleadsError:
            pass  # recorded in the job row and the audit log by run_import_job
        finally:
            path.unlink(missing_ok=True)


@bp.route("/import", methods=["GET", "POST"])
@require_role("analyst")
def upload() -> Any:
    """The upload form and recent jobs; POST validates and starts an import job."""
    with store().session() as s:
        recent = [_job_json(j) for j in store_jobs.list_import_jobs(s, limit=20)]
    if request.method == "GET":
        return render_template("import.html", jobs=recent, problems=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template(
            "import.html", jobs=recent, problems=[(0, "choose a file to upload")]
        ), 400
    name = Path(upload.filename).name[:200]
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        problem = f"unknown file type {suffix or '(none)'!r}: expected .csv, .jsonl or .xlsx"
        return render_template(
            "import.html", jobs=recent, problems=[(0, problem)], filename=name
        ), 400
    data = upload.read()
    try:
        tips = read_tips_bytes(data, name)
    except TipFormatError as err:
        accounts.audit(
            store(),
            current_user.username,
            "import_failed",
            name,
            {"problems": len(err.problems), "stage": "validation"},
        )
        return render_template(
            "import.html",
            jobs=recent,
            problems=err.problems[:1000],
            more=max(0, len(err.problems) - 1000),
            filename=name,
        ), 400
    folder = Path(current_app.config["GEOLEADS_HOME"]) / "uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{secrets.token_hex(8)}{suffix}"
    path.write_bytes(data)
    path.chmod(0o600)
    job_id = store_jobs.create_import_job(store(), name, user=current_user.username)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    args = (app, job_id, path, current_user.username, name, _geoparser())
    if current_app.config.get("IMPORT_IN_THREAD", True):
        thread = threading.Thread(target=_run, args=args, name=f"import-{job_id}", daemon=True)
        _threads.append(thread)
        thread.start()
    else:
        _run(*args)
    del tips
    return redirect(url_for("imports.job", job_id=job_id))


@bp.get("/import/jobs/<int:job_id>")
@require_role("analyst")
def job(job_id: int) -> Any:
    """Progress of one import job (refreshes itself until it is finished)."""
    try:
        with store().session() as s:
            info = _job_json(store_jobs.get_import_job(s, job_id))
    except NotFoundError:
        abort(404, description=f"no import job {job_id}")
    if request.args.get("format") == "json":
        return jsonify(info)
    resp = current_app.make_response(render_template("import_job.html", job=info))
    if not info["finished"]:
        resp.headers["Refresh"] = "2"
    return resp
