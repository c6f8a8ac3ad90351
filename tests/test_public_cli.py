"""``geoleads public publish|unpublish|serve`` on a real store."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from public_support import HIDDEN, build_store

from geoleads.cli import main
from geoleads.store import Store
from geoleads.store.models import ObjectRow


def test_publish_with_clean_picture_then_unpublish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = build_store(tmp_path)
    monkeypatch.setenv("GEOLEADS_HOME", str(tmp_path))
    monkeypatch.setenv("GEOLEADS_DATABASE_URL", url)
    exif = Image.Exif()
    exif[0x010F] = "cli-canary"
    picture = tmp_path / "crop.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (50, 40), "blue").save(buf, "JPEG", exif=exif)
    picture.write_bytes(buf.getvalue())
    assert main(["public", "publish", HIDDEN, "--image", str(picture)]) == 0
    store = Store.open(url)
    with store.session() as s:
        obj = s.get(ObjectRow, HIDDEN)
        assert obj is not None and obj.published and obj.image_path
        stored = (tmp_path / "images" / obj.image_path).read_bytes()
    assert b"cli-canary" not in stored
    assert main(["public", "unpublish", HIDDEN]) == 0
    with store.session() as s:
        assert not s.get(ObjectRow, HIDDEN).published  # type: ignore[union-attr]
    assert main(["public", "publish", "NO-SUCH-OBJECT"]) == 1
    assert "no object 'NO-SUCH-OBJECT'" in capsys.readouterr().err
    store.dispose()


def test_serve_help() -> None:
    assert main(["public", "serve", "--help"]) == 0
