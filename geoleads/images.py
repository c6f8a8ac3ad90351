"""Object images: validate an upload with Pillow and re-encode it without any metadata.

An uploaded picture may carry EXIF (GPS position, camera serial, date), XMP,
IPTC, ICC profiles or comments. :func:`clean_image` decodes only the pixels,
applies the EXIF orientation, shrinks the picture to :data:`MAX_SIDE` and
encodes a new JPEG (or PNG when it has transparency) from the pixels alone, so
nothing but the picture survives. Files are stored under a name made of their
SHA-256, never the uploader's file name.

>>> import io
>>> from PIL import Image
>>> buf = io.BytesIO()
>>> exif = Image.Exif(); exif[0x010F] = "CameraMaker"
>>> Image.new("RGB", (40, 30), "red").save(buf, "JPEG", exif=exif.tobytes())
>>> img = clean_image(buf.getvalue())
>>> img.format, img.width, img.height, b"CameraMaker" in img.data
('JPEG', 40, 30, False)
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from geoleads.errors import GeoleadsError

#: Largest upload accepted, in bytes.
MAX_BYTES = 15 * 1024 * 1024
#: Largest picture accepted, in pixels (width x height), checked before decoding.
MAX_PIXELS = 60_000_000
#: Longest side of the stored picture.
MAX_SIDE = 1600
#: Formats accepted as uploads.
ACCEPTED = ("JPEG", "PNG", "WEBP", "GIF")
#: File names of stored images.
STORED_NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png)$")


class ImageError(GeoleadsError, ValueError):
    """An upload is not an acceptable picture (reason in the message)."""


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded picture: bytes, ``JPEG`` or ``PNG``, size and content hash."""

    data: bytes
    format: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def filename(self) -> str:
        """``<sha256>.jpg`` or ``<sha256>.png``."""
        return f"{self.sha256}.{'jpg' if self.format == 'JPEG' else 'png'}"

    @property
    def mimetype(self) -> str:
        return "image/jpeg" if self.format == "JPEG" else "image/png"


def _open(data: bytes, max_pixels: int) -> Image.Image:
    if not data:
        raise ImageError("the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.format not in ACCEPTED:
                raise ImageError(
                    f"{img.format or 'this'} files are not accepted "
                    f"(use {', '.join(ACCEPTED[:-1])} or {ACCEPTED[-1]})"
                )
            if img.width * img.height > max_pixels:
                raise ImageError(
                    f"the picture is too large ({img.width} x {img.height} pixels; "
                    f"at most {max_pixels // 1_000_000} megapixels)"
                )
            img.load()
    except ImageError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("the file is not a picture Pillow can read (or is too large)") from None
    except (OSError, SyntaxError, ValueError) as err:
        raise ImageError(f"the picture is damaged or truncated: {err}") from err
    return img


def clean_image(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    max_side: int = MAX_SIDE,
) -> CleanImage:
    """Validate ``data`` and re-encode it from its pixels only (no metadata at all).

    Raises :class:`ImageError` for empty, oversized, unreadable, truncated or
    unsupported files.
    """
    if len(data) > max_bytes:
        raise ImageError(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
    img = _open(data, max_pixels)
    if getattr(img, "n_frames", 1) > 1:
        img.seek(0)  # animated GIF/WebP: the first frame only
    img = ImageOps.exif_transpose(img) or img
    alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    img = img.convert("RGBA" if alpha else "RGB")
    img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A new image from the raw pixels: no info dict, no EXIF, XMP, ICC or comment.
    pixels = Image.frombytes(img.mode, img.size, img.tobytes())
    out = io.BytesIO()
    if alpha:
        pixels.save(out, "PNG", optimize=True)
        fmt = "PNG"
    else:
        pixels.save(out, "JPEG", quality=85, optimize=True, progressive=True)
        fmt = "JPEG"
    return CleanImage(out.getvalue(), fmt, pixels.width, pixels.height)


def save_image(folder: str | Path, image: CleanImage) -> str:
    """Write ``image`` into ``folder`` (atomically) and return its file name."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / image.filename
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(image.data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return image.filename


def stored_image(folder: str | Path, name: str | None) -> Path | None:
    """The path of a stored image, or ``None`` when ``name`` is not one of ours or is missing.

    >>> stored_image("/tmp", "../etc/passwd") is None
    True
    """
    if not name or not STORED_NAME.match(name):
        return None
    path = Path(folder) / name
    return path if path.is_file() else None


__all__ = [
    "ACCEPTED",
    "MAX_BYTES",
    "MAX_PIXELS",
    "MAX_SIDE",
    "CleanImage",
    "ImageError",
    "clean_image",
    "save_image",
    "stored_image",
]
