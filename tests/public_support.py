"""Support of the public tip intake tests: a store with published objects, form helpers."""

from __future__ import annotations

import io
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from geoleads.images import clean_image, save_image
from geoleads.store import Store, ensure_object
from geoleads.store.users import add_user

PASSWORD = "correct horse battery"
OBJECTS = {
    "OBJ-PUB-A": ("Green herbal shampoo bottle", "shampoo bottle", "Where was this shampoo sold?"),
    "OBJ-PUB-B": ("Wallpaper with brown flowers", "wallpaper", "Have you seen this wallpaper?"),
}
HIDDEN = "OBJ-HIDDEN"


def picture(color: str = "green", size: tuple[int, int] = (64, 48)) -> bytes:
    """A small JPEG."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


_TEMPLATE: dict[str, Path] = {}


def build_store(folder: Path) -> tuple[str, Path]:
    """A copy of the template store (built once per session) in ``folder``: URL, images dir."""
    if "dir" not in _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="geoleads-public-"))
        _build_template(template)
        _TEMPLATE["dir"] = template
    shutil.copy(_TEMPLATE["dir"] / "public.sqlite", folder / "public.sqlite")
    shutil.copytree(_TEMPLATE["dir"] / "images", folder / "images")
    return f"sqlite:///{folder / 'public.sqlite'}", folder / "images"


def _build_template(folder: Path) -> None:
    """A SQLite store with two published objects (A with a picture), one hidden, and users."""
    db = folder / "public.sqlite"
    images = folder / "images"
    store = Store.open(f"sqlite:///{db}", upgrade=True)
    name = save_image(images, clean_image(picture()))
    with store.session() as s:
        for object_id, (title, kind, question) in OBJECTS.items():
            ensure_object(
                s,
                object_id,
                title=title,
                kind=kind,
                question=question,
                published=True,
                image_path=name if object_id.endswith("A") else None,
            )
        ensure_object(s, HIDDEN, title="Secret object", kind="mug", published=False)
        for user, role in (("vera", "viewer"), ("anna", "analyst")):
            add_user(s, user, PASSWORD, role=role)
    with store.engine.connect() as conn:  # one self-contained file to copy
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()


def public_config(folder: Path, url: str, images: Path, **extra: Any) -> dict[str, Any]:
    cfg = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "public-test-secret-" + "y" * 32,
        "GEOLEADS_HOME": str(folder),
        "IMAGES_DIR": str(images),
        "SUMMARY_CACHE_DIR": None,
        "IMPORT_IN_THREAD": False,
        "PUBLIC_GEOPARSER": lambda: None,
    }
    cfg.update(extra)
    return cfg


def token_from(html: str) -> str:
    """The tip form's token."""
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, "no tip form on the page"
    return found.group(1)


def submit(
    client: FlaskClient,
    object_id: str = "OBJ-PUB-A",
    *,
    lang: str = "en",
    environ: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    **fields: str,
) -> Any:
    """Open the object's page, then post its form with ``fields`` (text, country, town, ...)."""
    page = client.get(f"/public/objects/{object_id}?lang={lang}", environ_base=environ or {})
    data = {"token": token_from(page.get_data(as_text=True)), "lang": lang, "website": ""}
    data.update(fields)
    return client.post(
        f"/public/objects/{object_id}", data=data, environ_base=environ or {}, headers=headers or {}
    )


def store_of(app: Flask) -> Store:
    st: Store = app.extensions["geoleads_store"]
    return st


_GEOPARSER: dict[str, Any] = {}


def real_geoparser() -> Any:
    """The real geoparser, loaded once per test session."""
    if "gp" not in _GEOPARSER:
        from geoleads.store.mentions import default_geoparser

        _GEOPARSER["gp"] = default_geoparser()
    return _GEOPARSER["gp"]
