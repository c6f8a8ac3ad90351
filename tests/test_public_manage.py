"""Publishing objects and uploading their pictures (investigators' app), and image cleaning."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image, PngImagePlugin
from public_support import HIDDEN, PASSWORD, build_store, public_config, store_of
from sqlalchemy import select
from webapp_support import csrf_from

from geoleads.images import MAX_SIDE, ImageError, clean_image
from geoleads.store.models import AuditEventRow, ObjectRow
from geoleads.web import create_app

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

CANARY = "exif-canary-3e9b"


def gps_jpeg(size: tuple[int, int] = (300, 200), orientation: int | None = None) -> bytes:
    """A JPEG with EXIF GPS position, camera make, a comment and an ICC-like blob."""
    exif = Image.Exif()
    exif[0x010F] = CANARY  # camera make
    exif[0x0131] = CANARY  # software
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (50.0, 3.0, 36.0), 3: "E", 4: (19.0, 56.0, 24.0)})
    buf = io.BytesIO()
    img = Image.new("RGB", size, (30, 140, 60))
    img.save(buf, "JPEG", exif=exif, comment=CANARY.encode(), icc_profile=CANARY.encode() * 4)
    return buf.getvalue()


# --- clean_image ---------------------------------------------------------------------------
def test_exif_gps_and_every_other_metadata_is_removed() -> None:
    data = gps_jpeg()
    assert CANARY.encode() in data and Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    out = clean_image(data)
    assert CANARY.encode() not in out.data
    img = Image.open(io.BytesIO(out.data))
    assert not img.getexif() and not img.getexif().get_ifd(0x8825)
    assert not {"exif", "icc_profile", "comment", "xmp"} & set(img.info)
    assert (out.format, img.size) == ("JPEG", (300, 200))


def test_png_text_chunks_are_removed_and_transparency_kept() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", CANARY)
    info.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta>{CANARY}</x:xmpmeta>")
    buf = io.BytesIO()
    Image.new("RGBA", (20, 20), (255, 0, 0, 128)).save(buf, "PNG", pnginfo=info)
    out = clean_image(buf.getvalue())
    assert out.format == "PNG" and CANARY.encode() not in out.data
    assert Image.open(io.BytesIO(out.data)).mode == "RGBA"


def test_orientation_is_applied_and_large_pictures_shrunk() -> None:
    out = clean_image(gps_jpeg((400, 100), orientation=6))  # rotated 90 degrees
    assert (out.width, out.height) == (100, 400)
    big = clean_image(gps_jpeg((MAX_SIDE * 2, 100)))
    assert big.width == MAX_SIDE


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"not a picture at all", "not a picture"),
        (gps_jpeg()[:400], "damaged"),
        (b"%PDF-1.4\n" + b"0" * 100, "not a picture"),
    ],
)
def test_bad_uploads_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(ImageError, match=reason):
        clean_image(data)


def test_size_limits() -> None:
    with pytest.raises(ImageError, match="larger than"):
        clean_image(gps_jpeg(), max_bytes=100)
    with pytest.raises(ImageError, match="too large"):
        clean_image(gps_jpeg((300, 200)), max_pixels=1000)
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "BMP")
    with pytest.raises(ImageError, match="not accepted"):
        clean_image(buf.getvalue())


# --- the publishing pages ------------------------------------------------------------------
@pytest.fixture()
def app(tmp_path: Path) -> Flask:
    url, images = build_store(tmp_path)
    return create_app(public_config(tmp_path, url, images))


def logged_in(app: Flask, user: str) -> Any:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    resp = client.post(
        "/login", data={"username": user, "password": PASSWORD, "csrf_token": csrf_from(page)}
    )
    assert resp.status_code == 302
    return client


def test_analyst_publishes_object_and_uploads_a_clean_picture(app: Flask, tmp_path: Path) -> None:
    client = logged_in(app, "anna")
    assert 'href="/publishing/"' in client.get("/objects").get_data(as_text=True)  # nav link
    page = client.get("/publishing/").get_data(as_text=True)
    assert HIDDEN in page
    token = csrf_from(page)
    anonymous = app.test_client()
    assert anonymous.get(f"/public/objects/{HIDDEN}").status_code == 404
    resp = client.post(
        f"/publishing/{HIDDEN}/published", data={"published": "1", "csrf_token": token}
    )
    assert resp.status_code == 303
    assert anonymous.get(f"/public/objects/{HIDDEN}").status_code == 200
    resp = client.post(
        f"/publishing/{HIDDEN}/image",
        data={"image": (io.BytesIO(gps_jpeg()), "holiday.jpg"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303
    served = anonymous.get(f"/public/image/{HIDDEN}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert CANARY.encode() not in served.data
    stored = list((tmp_path / "images").iterdir())
    assert all(CANARY.encode() not in p.read_bytes() for p in stored)
    assert not any("holiday" in p.name for p in stored)
    client.post(
        f"/publishing/{HIDDEN}/text",
        data={"kind": "tea mug", "question": "Where is this mug sold?", "csrf_token": token},
    )
    gallery = anonymous.get("/public/").get_data(as_text=True)
    assert "Where is this mug sold?" in gallery
    client.post(f"/publishing/{HIDDEN}/published", data={"published": "0", "csrf_token": token})
    assert anonymous.get(f"/public/image/{HIDDEN}").status_code == 404
    with store_of(app).session() as s:
        events = s.execute(
            select(AuditEventRow.username, AuditEventRow.action, AuditEventRow.target).where(
                AuditEventRow.action == "object_change"
            )
        ).all()
        assert not s.get(ObjectRow, HIDDEN).published  # type: ignore[union-attr]
    assert [tuple(e) for e in events] == [("anna", "object_change", HIDDEN)] * 4


def test_bad_picture_is_refused_with_a_message(app: Flask) -> None:
    client = logged_in(app, "anna")
    token = csrf_from(client.get("/publishing/").get_data(as_text=True))
    resp = client.post(
        f"/publishing/{HIDDEN}/image",
        data={"image": (io.BytesIO(b"<svg onload=alert(1)>"), "x.svg"), "csrf_token": token},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Picture refused" in resp.get_data(as_text=True)
    with store_of(app).session() as s:
        assert s.get(ObjectRow, HIDDEN).image_path is None  # type: ignore[union-attr]


def test_viewer_and_anonymous_cannot_publish(app: Flask) -> None:
    viewer = logged_in(app, "vera")
    token = csrf_from(viewer.get("/publishing/").get_data(as_text=True))
    url = f"/publishing/{HIDDEN}/published"
    assert viewer.post(url, data={"published": "1", "csrf_token": token}).status_code == 403
    anon = app.test_client().post(url, data={"published": "1"})
    assert anon.status_code == 302 and anon.headers["Location"].startswith("/login")
    analyst = logged_in(app, "anna")
    assert analyst.post(url, data={"published": "1"}).status_code == 400  # no CSRF token
    with store_of(app).session() as s:
        assert not s.get(ObjectRow, HIDDEN).published  # type: ignore[union-attr]
