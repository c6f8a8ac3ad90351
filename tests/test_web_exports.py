"""Export jobs in the web app: started by a POST, written by a thread, downloaded when done."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from webapp_support import csrf_from, login, make_app

from geoleads.store.models import AuditEventRow
from geoleads.web.state import store

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def client_as(app: Flask, username: str) -> Any:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def token(client: Any, url: str = "/objects") -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def audit(app: Flask) -> list[tuple[Any, ...]]:
    with app.app_context(), store().session() as s:
        rows = s.execute(
            select(
                AuditEventRow.username,
                AuditEventRow.action,
                AuditEventRow.target,
                AuditEventRow.details,
            ).order_by(AuditEventRow.id)
        ).all()
    return [tuple(r) for r in rows]


def start(client: Any, **form: str) -> Any:
    return client.post("/exports", data={"csrf_token": token(client, "/exports"), **form})


def wait(client: Any, url: str) -> dict[str, Any]:
    """Poll the job until it is finished (the page refreshes itself while it runs)."""
    for _ in range(600):
        job: dict[str, Any] = client.get(url + "?format=json").get_json()
        if job["finished"]:
            return job
        page = client.get(url)
        html = page.get_data(as_text=True)
        running = 'data-status="done"' not in html and 'data-status="failed"' not in html
        assert (page.headers.get("Refresh") == "2") == running
        time.sleep(0.1)
    raise AssertionError(f"export job did not finish: {job}")


def test_viewer_cannot_see_or_start_exports(app: Flask) -> None:
    client = client_as(app, "vera")
    assert client.get("/exports").status_code == 403
    resp = client.post("/exports", data={"scope": "campaign", "csrf_token": token(client)})
    assert resp.status_code == 403
    assert not (Path(app.config["GEOLEADS_HOME"]) / "exports").exists()
    assert 'href="/exports"' not in client.get("/objects").get_data(as_text=True)


def test_starting_an_export_needs_a_csrf_token(app: Flask) -> None:
    client = client_as(app, "anna")
    assert client.post("/exports", data={"scope": "campaign"}).status_code == 400
    assert not (Path(app.config["GEOLEADS_HOME"]) / "exports").exists()


def test_campaign_xlsx_export_in_a_background_thread(template: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    app = make_app(template, tmp_path, EXPORT_IN_THREAD=True)
    client = client_as(app, "anna")
    assert 'href="/exports"' in client.get("/objects").get_data(as_text=True)
    resp = start(client, scope="campaign", fmt="xlsx", level="country")
    assert resp.status_code == 302
    url = resp.headers["Location"]
    job = wait(client, url)
    assert job["status"] == "done", job
    assert job["filename"] == "campaign-country.xlsx" and job["created_by"] == "anna"
    page = client.get(url)
    assert "Refresh" not in page.headers
    html = page.get_data(as_text=True)
    assert 'id="download"' in html and 'data-status="done"' in html

    download = client.get(f"{url}/download")
    assert download.status_code == 200 and download.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(download.data), read_only=True)
    assert {"country", "admin1", "locality"} <= set(book.sheetnames)
    cells = [c for row in book["country"].iter_rows(values_only=True) for c in row]
    assert "Poland" in cells
    book.close()

    folder = tmp_path / "exports" / job["id"]
    assert sorted(p.name for p in folder.iterdir()) == ["campaign-country.xlsx", "status.json"]
    assert json.loads((folder / "status.json").read_text())["status"] == "done"
    events = [(u, a, t) for u, a, t, _d in audit(app)]
    assert ("anna", "export_start", "campaign") in events
    assert ("anna", "export_download", job["id"]) in events
    assert job["id"] in client.get("/exports").get_data(as_text=True)  # listed as recent


def test_objects_gpkg_export_opens_in_gdal(app: Flask) -> None:
    import pyogrio

    client = client_as(app, "anna")
    resp = start(client, scope="objects", objects="OBJ-WEB-A, OBJ-WEB-B", fmt="gpkg")
    job = wait(client, resp.headers["Location"])
    assert job["status"] == "done" and job["objects"] == ["OBJ-WEB-A", "OBJ-WEB-B"]
    path = Path(app.config["GEOLEADS_HOME"]) / "exports" / job["id"] / job["filename"]
    layers = {name for name, _geom in pyogrio.list_layers(path)}
    assert {"country", "admin1", "locality"} <= layers
    frame = pyogrio.read_dataframe(path, layer="country")
    assert set(frame["object_id"]) <= {"OBJ-WEB-A", "OBJ-WEB-B"}
    assert "Poland" in set(frame["name"])


def test_country_package_job(app: Flask) -> None:
    from geoleads.export import verify_package

    client = client_as(app, "anna")
    job = wait(client, start(client, scope="package", country="pl").headers["Location"])
    assert job["status"] == "done" and job["filename"] == "package-PL.zip", job
    download = client.get(f"/exports/jobs/{job['id']}/download")
    assert download.status_code == 200
    assert verify_package(io.BytesIO(download.data)) == []
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(download.data)).namelist()


def test_a_failed_export_shows_its_error_and_keeps_no_file(app: Flask) -> None:
    client = client_as(app, "anna")
    url = start(client, scope="package", country="IS").headers["Location"]
    job = wait(client, url)
    assert job["status"] == "failed" and "IS" in job["error"]
    html = client.get(url).get_data(as_text=True)
    assert 'id="job-error"' in html and "Iceland" in html
    assert client.get(f"{url}/download").status_code == 409
    folder = Path(app.config["GEOLEADS_HOME"]) / "exports" / job["id"]
    assert [p.name for p in folder.iterdir()] == ["status.json"]


def test_bad_requests_are_refused(app: Flask) -> None:
    client = client_as(app, "anna")
    assert start(client, scope="everything").status_code == 400
    assert start(client, scope="campaign", fmt="exe").status_code == 400
    assert start(client, scope="campaign", level="planet").status_code == 400
    assert start(client, scope="objects", objects=" ").status_code == 400
    assert start(client, scope="objects", objects="OBJ-NOPE").status_code == 404
    assert start(client, scope="package", country="Poland").status_code == 400
    assert client.get("/exports/jobs/..%2F..%2Fetc").status_code == 404
    assert client.get("/exports/jobs/0123456789abcdef").status_code == 404
    assert client.get("/exports/jobs/0123456789abcdef/download").status_code == 404
    assert not any(a == "export_start" for _u, a, _t, _d in audit(app))


def test_too_many_running_exports_get_429(app: Flask) -> None:
    import threading

    from geoleads.web import exports

    client = client_as(app, "anna")
    release = threading.Event()
    busy = [threading.Thread(target=release.wait, daemon=True) for _ in range(exports.MAX_RUNNING)]
    for thread in busy:
        thread.start()
        exports._threads.append(thread)
    try:
        assert start(client, scope="campaign").status_code == 429
    finally:
        release.set()
        for thread in busy:
            thread.join(5)
    resp = start(client, scope="campaign", fmt="csv")
    assert resp.status_code == 302 and wait(client, resp.headers["Location"])["status"] == "done"


def test_a_job_abandoned_by_a_restart_shows_as_failed(tmp_path: Path) -> None:
    from geoleads.web import export_jobs

    job_id = export_jobs.create_job(tmp_path, {"kind": "package", "country": "PL"}, "anna")
    assert export_jobs.read_status(tmp_path, job_id)["status"] == "queued"  # type: ignore[index]
    folder = export_jobs.job_dir(tmp_path, job_id)
    status = json.loads((folder / "status.json").read_text())
    status.update(status="running", updated_ts=time.time() - export_jobs.STALE_AFTER_S - 1)
    export_jobs.write_status(tmp_path, job_id, status)
    seen = export_jobs.read_status(tmp_path, job_id)
    assert seen is not None and seen["status"] == "failed" and "restarted" in seen["error"]
    assert [p.name for p in folder.iterdir()] == ["status.json"]  # no temp file left
