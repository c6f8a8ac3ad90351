"""Export jobs: a regional summary or a country package written by a background thread.

Each job lives in its own folder ``$GEOLEADS_HOME/exports/<job id>/``: the
finished file, and ``status.json`` (written atomically: temp file + rename)
with the job's state. Nothing is kept in the database, so the jobs survive a
restart of the web app and need no migration; a job that was running when the
app stopped is shown as failed once its status has not changed for
:data:`STALE_AFTER_S` seconds.

>>> valid_job_id("0123456789abcdef"), valid_job_id("../etc")
(True, False)
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geoleads.errors import GeoleadsError
from geoleads.store.engine import Store

#: Seconds without a status change after which a "running" job counts as abandoned.
STALE_AFTER_S = 3600.0
_ID = re.compile(r"^[0-9a-f]{16}$")


def valid_job_id(job_id: str) -> bool:
    """Whether ``job_id`` looks like a job id (and so is safe as a folder name)."""
    return bool(_ID.match(job_id))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def job_dir(root: Path, job_id: str) -> Path:
    """The folder of one job under ``root`` (``$GEOLEADS_HOME/exports``)."""
    if not valid_job_id(job_id):
        raise ValueError(f"bad export job id {job_id!r}")
    return root / job_id


def write_status(root: Path, job_id: str, status: dict[str, Any]) -> None:
    """Write ``status.json`` of a job atomically (a reader never sees half a file)."""
    folder = job_dir(root, job_id)
    tmp = folder / f".status.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    tmp.write_text(json.dumps(status, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, folder / "status.json")


def read_status(root: Path, job_id: str) -> dict[str, Any] | None:
    """The status of a job, or None when there is no such job."""
    try:
        path = job_dir(root, job_id) / "status.json"
        status: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None
    if status.get("status") in ("queued", "running"):
        age = time.time() - float(status.get("updated_ts") or 0)
        if age > STALE_AFTER_S:
            status["status"] = "failed"
            status["error"] = "the job stopped without finishing (was the web app restarted?)"
    status["finished"] = status.get("status") in ("done", "failed")
    return status


def list_jobs(root: Path, limit: int = 20) -> list[dict[str, Any]]:
    """The newest ``limit`` jobs, newest first."""
    if not root.is_dir():
        return []
    found = [s for d in root.iterdir() if valid_job_id(d.name) if (s := read_status(root, d.name))]
    found.sort(key=lambda s: str(s.get("created_at") or ""), reverse=True)
    return found[:limit]


def create_job(root: Path, spec: dict[str, Any], user: str) -> str:
    """Create a queued job for ``spec`` (kind, scope, objects, fmt, level, country)."""
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    job_id = secrets.token_hex(8)
    job_dir(root, job_id).mkdir(mode=0o700)
    status = {
        **spec,
        "id": job_id,
        "status": "queued",
        "step": "waiting to start",
        "steps": 0,
        "created_by": user,
        "created_at": _now(),
        "updated_ts": time.time(),
        "finished_at": None,
        "filename": None,
        "size": None,
        "error": None,
    }
    write_status(root, job_id, status)
    return job_id


def output_name(spec: dict[str, Any]) -> str:
    """The download's file name, e.g. ``campaign-country.xlsx`` or ``package-PL.zip``.

    >>> output_name({"kind": "package", "country": "PL"})
    'package-PL.zip'
    >>> output_name({"kind": "summary", "scope": "objects", "objects": ["A/1"],
    ...              "fmt": "csv", "level": "admin1"})
    'A_1-admin1.csv'
    """
    if spec["kind"] == "package":
        return f"package-{spec['country']}.zip"
    objects: Sequence[str] = spec.get("objects") or []
    stem = "campaign" if spec.get("scope") == "campaign" else "-".join(objects[:3])
    if len(objects) > 3:
        stem += f"-and-{len(objects) - 3}-more"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:80] or "export"
    return f"{safe}-{spec['level']}.{spec['fmt']}"


def _load(store: Store, objects: Sequence[str]) -> tuple[list[Any], dict[str, str], list[Any]]:
    """Tips, reviews and summarised results of ``objects`` (all when empty) from the store."""
    from geoleads import api
    from geoleads.store import mentions_for_tips, object_tips, reviews_for_object

    with store.session() as s:
        if len(objects) == 1:
            tips = object_tips(s, objects[0])
        else:
            tips = object_tips(s)
            if objects:
                wanted = set(objects)
                tips = [t for t in tips if t.object_id in wanted]
        reviews = reviews_for_object(s)
        mentions = mentions_for_tips(s, [t.tip_id for t in tips])
    results = api.summarize(tips, reviews=reviews, mentions=mentions)
    return tips, reviews, results


def run_job(store: Store, root: Path, job_id: str) -> dict[str, Any]:
    """Run a queued job to the end; its status records success or the error.

    The file is written under a temporary name in the job folder and renamed
    when complete, so a download never gets a partial file.
    """
    status = read_status(root, job_id)
    if status is None:
        raise ValueError(f"no export job {job_id}")
    status.pop("finished", None)
    folder = job_dir(root, job_id)

    def step(message: str) -> None:
        status.update(status="running", step=message, steps=int(status["steps"]) + 1)
        status["updated_ts"] = time.time()
        write_status(root, job_id, status)

    name = output_name(status)
    partial = folder / f".partial-{name}"
    try:
        step("reading tips from the store")
        tips, reviews, results = _load(store, status.get("objects") or [])
        if not results:
            raise GeoleadsError("there are no tips to export")
        step(f"{len(tips):,} tips of {len(results):,} object(s) summarised")
        if status["kind"] == "package":
            from geoleads.export import build_package

            build_package(
                results, status["country"], partial, tips=tips, reviews=reviews, step=step
            )
        else:
            from geoleads.export import export_summary

            export_summary(
                results, partial, status["fmt"], status["level"], tips=tips, reviews=reviews,
                campaign=status.get("scope") == "campaign", step=step,
            )  # fmt: skip
        os.replace(partial, folder / name)
    except Exception as err:  # any failure is reported on the job page
        partial.unlink(missing_ok=True)
        status.update(status="failed", error=f"{type(err).__name__}: {err}")
    else:
        status.update(status="done", filename=name, size=(folder / name).stat().st_size)
        status["step"] = "finished"
    status["finished_at"] = _now()
    status["updated_ts"] = time.time()
    write_status(root, job_id, status)
    return status
