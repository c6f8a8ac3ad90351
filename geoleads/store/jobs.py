"""Import jobs: one file imported (in the background for the web app) with progress.

The job row is updated in its own short transactions, so another process (a web
page polling the job) sees the progress; the tips themselves are written in one
transaction at the end (see :mod:`geoleads.store.imports`).

>>> from geoleads.store import Store
>>> store = Store.open("sqlite://", upgrade=True)
>>> job = create_import_job(store, "tips.csv", user="ana")
>>> with store.session() as s:
...     get_import_job(s, job).status
'pending'

Typical use from a web view (after saving the upload to ``path``)::

    job = create_import_job(store, path.name, user=current_user)
    threading.Thread(target=run_import_job, args=(store, job, path),
                     kwargs={"user": current_user}, daemon=True).start()
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from geoleads.errors import GeoleadsError, NotFoundError, TipFormatError
from geoleads.store.audit import audit
from geoleads.store.engine import Store
from geoleads.store.imports import ImportReport, import_tips
from geoleads.store.mentions import GeoparserLike
from geoleads.store.models import ImportJobRow
from geoleads.tips import Tip, read_tips

#: Seconds between progress writes (progress is cheap but not free).
PROGRESS_EVERY = 0.5


def create_import_job(store: Store, filename: str, *, user: str | None = None) -> int:
    """Register a pending job; return its id."""
    with store.session() as s:
        job = ImportJobRow(
            filename=filename,
            status="pending",
            total=0,
            done=0,
            created_by=user,
            created_at=datetime.now(UTC),
            updated_at=datetime.now(UTC),
            report={},
        )
        s.add(job)
        s.flush()
        return job.id


def get_import_job(session: Session, job_id: int) -> ImportJobRow:
    """One job (``NotFoundError`` if there is none with that id)."""
    job = session.get(ImportJobRow, job_id)
    if job is None:
        raise NotFoundError(f"no import job {job_id}")
    return job


def list_import_jobs(session: Session, *, limit: int = 50) -> list[ImportJobRow]:
    """The newest jobs first."""
    query = select(ImportJobRow).order_by(ImportJobRow.id.desc()).limit(limit)
    return list(session.scalars(query))


def update_import_job(store: Store, job_id: int, **values: Any) -> None:
    """Set fields of a job in a transaction of its own (and stamp ``updated_at``)."""
    values.setdefault("updated_at", datetime.now(UTC))
    with store.session() as s:
        s.execute(update(ImportJobRow).where(ImportJobRow.id == job_id).values(**values))


def fail_interrupted_jobs(
    store: Store, *, silent_for: timedelta = timedelta(minutes=15)
) -> list[int]:
    """Mark unfinished jobs without progress for ``silent_for`` as failed; return their ids.

    A killed importer leaves its job "reading"/"geoparsing"/"writing" forever; its
    tips were not written (one transaction), so importing the file again is safe.
    A job that is in fact still writing is set back to "done" when it ends.
    """
    cutoff = datetime.now(UTC) - silent_for
    unfinished = ImportJobRow.status.notin_(("done", "failed"))
    last = func.coalesce(ImportJobRow.updated_at, ImportJobRow.created_at)
    with store.session() as s:
        ids = list(s.scalars(select(ImportJobRow.id).where(unfinished, last <= cutoff)))
        if ids:
            s.execute(
                update(ImportJobRow)
                .where(ImportJobRow.id.in_(ids), unfinished)
                .values(
                    status="failed",
                    error=f"interrupted: no progress for {silent_for}; import the file again",
                    finished_at=datetime.now(UTC),
                )
            )
    return ids


def run_import_job(
    store: Store,
    job_id: int,
    path: str | Path,
    *,
    user: str | None = None,
    geoparser: GeoparserLike | None = None,
    source: str | None = None,
    tips: Sequence[Tip] | None = None,
) -> ImportReport:
    """Read, validate, geoparse and import ``path``, keeping job ``job_id`` up to date.

    ``tips``: the file's tips when the caller has already read and validated them.

    On a bad file the job ends ``failed`` with the validation report in ``error``
    (and ``report["problems"]``), and the :class:`TipFormatError` is raised again;
    nothing is written but the job row and an ``import_failed`` audit event. Any
    other error also ends the job ``failed`` (and is raised again).
    """
    name = source or Path(path).name
    update_import_job(store, job_id, status="reading")
    try:
        if tips is None:
            tips = read_tips(path)
        update_import_job(store, job_id, status="geoparsing", total=len(tips))
        last: dict[str, Any] = {"at": 0.0, "phase": None}

        def progress(phase: str, done: int, total: int) -> None:
            now = time.monotonic()
            if now - last["at"] >= PROGRESS_EVERY or done == total or phase != last["phase"]:
                last.update(at=now, phase=phase)
                update_import_job(store, job_id, status=phase, done=done, total=total)

        update_import_job(store, job_id, status="geoparsing" if geoparser else "writing")
        report = import_tips(
            store, tips, user=user, source=name, geoparser=geoparser, progress=progress
        )
    except Exception as err:  # recorded in the job, then raised again
        message = str(err) if isinstance(err, GeoleadsError) else f"{type(err).__name__}: {err}"
        details: dict[str, Any] = {"job": job_id, "error": message[:2000]}
        if isinstance(err, TipFormatError):
            details["problems"] = [list(p) for p in err.problems[:1000]]
        update_import_job(
            store,
            job_id,
            status="failed",
            error=message,
            finished_at=datetime.now(UTC),
            report=details,
        )
        with store.session() as s:
            audit(s, "import_failed", user=user, target=name, details=details)
        raise
    update_import_job(
        store,
        job_id,
        status="done",
        done=len(tips or ()),
        total=len(tips or ()),
        finished_at=datetime.now(UTC),
        report=report.to_json(),
    )
    return report
