"""Offline front-end assets for folium maps: our own copies, never a CDN.

folium's classes list CDN URLs in ``default_js``/``default_css``. The classes here
list *vendor* URLs instead (``geoleads-vendor:leaflet-1.9.4/leaflet.js``) that
:class:`OfflineMap` resolves when the page is rendered:

* ``asset_url="/static/vendor"`` (a page served by the web app): each becomes a
  ``<script src="/static/vendor/leaflet-1.9.4/leaflet.js">`` link;
* ``asset_url=None`` (a standalone file): each is inlined, CSS images as data URIs.

Any other outside link found in the page raises :class:`~geoleads.errors.MapError`,
so a map can never silently depend on the internet.

>>> m = OfflineMap(asset_url=None, tiles=None)
>>> html = m.get_root().render()
>>> "cdn." in html, "Leaflet 1.9.4" in html
(False, True)
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path
from typing import Any

import folium
from branca.element import CssLink, Element, JavascriptLink
from folium.plugins import HeatMap

from geoleads.errors import MapError

#: Folder of the vendored files (see its README.md for versions and licences).
VENDOR_DIR = Path(__file__).resolve().parent.parent / "web" / "static" / "vendor"
#: Default URL prefix of :data:`VENDOR_DIR` in the web app.
DEFAULT_STATIC_URL = "/static/vendor"
#: Pseudo-scheme of vendor URLs, resolved at render time.
VENDOR_SCHEME = "geoleads-vendor:"

LEAFLET_JS = "leaflet-1.9.4/leaflet.js"
LEAFLET_CSS = "leaflet-1.9.4/leaflet.css"
LEAFLET_HEAT_JS = "leaflet-heat-0.2.0-folium-0.20.0/leaflet-heat.min.js"
#: Every vendored file a map page may reference.
VENDOR_FILES = (LEAFLET_JS, LEAFLET_CSS, LEAFLET_HEAT_JS)

_CSS_URL = re.compile(r"url\((['\"]?)(images/[\w.-]+\.png)\1\)")
_OUTSIDE = re.compile(
    r"""<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)


def vendor(path: str) -> str:
    """The vendor URL of a file under :data:`VENDOR_DIR` (checked to exist)."""
    if not (VENDOR_DIR / path).is_file():
        raise MapError(f"vendored asset {path} is missing from {VENDOR_DIR}")
    return VENDOR_SCHEME + path


@cache
def _read_asset(path: str) -> str:
    """Text of a vendored file; CSS ``url(images/x.png)`` become data URIs."""
    file = VENDOR_DIR / path
    if not file.is_file():
        raise MapError(f"vendored asset {path} is missing from {VENDOR_DIR}")
    text = file.read_text(encoding="utf-8")
    if path.endswith(".css"):
        folder = file.parent

        def data_uri(match: re.Match[str]) -> str:
            image = base64.b64encode((folder / match.group(2)).read_bytes()).decode("ascii")
            return f"url(data:image/png;base64,{image})"

        text = _CSS_URL.sub(data_uri, text)
    return text


class InlineScript(Element):
    """A ``<script>`` with a vendored file's code inside (standalone pages)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        # "</script" cannot occur in the vendored files; guard anyway.
        code = _read_asset(path).replace("</script", "<\\/script")
        self._code = f"<script>/* {path} */\n{code}\n</script>"

    def render(self, **kwargs: Any) -> str:
        return self._code


class InlineStyle(Element):
    """A ``<style>`` with a vendored stylesheet inside (standalone pages)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        css = _read_asset(path).replace("</style", "<\\/style")
        self._code = f"<style>/* {path} */\n{css}\n</style>"

    def render(self, **kwargs: Any) -> str:
        return self._code


class OfflineMap(folium.Map):
    """A :class:`folium.Map` that loads Leaflet from our own files, no CDN, no jQuery.

    Parameters
    ----------
    asset_url
        URL prefix where :data:`VENDOR_DIR` is served (``/static/vendor``), or
        ``None`` to inline every asset (a standalone file).
    **kwargs
        Passed to :class:`folium.Map`; ``tiles`` defaults to ``None`` (no tile server).
    """

    default_js = [("leaflet", VENDOR_SCHEME + LEAFLET_JS)]  # noqa: RUF012 (folium API)
    default_css = [("leaflet_css", VENDOR_SCHEME + LEAFLET_CSS)]  # noqa: RUF012

    def __init__(self, *, asset_url: str | None = DEFAULT_STATIC_URL, **kwargs: Any) -> None:
        kwargs.setdefault("tiles", None)
        super().__init__(**kwargs)
        self.asset_url = asset_url

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        super().render(**kwargs)
        resolve_assets(self.get_root(), self.asset_url)


class OfflineHeatMap(HeatMap):
    """folium's :class:`~folium.plugins.HeatMap` with the vendored leaflet-heat."""

    default_js = [  # noqa: RUF012 (folium API)
        ("leaflet-heat.js", VENDOR_SCHEME + LEAFLET_HEAT_JS)
    ]


def resolve_assets(figure: Any, asset_url: str | None) -> None:
    """Point the figure's vendor links at ``asset_url``, or inline them when ``None``.

    Raises :class:`MapError` for a link to anywhere else (a CDN).
    """
    header = figure.header
    for name, child in list(header._children.items()):
        if not isinstance(child, JavascriptLink | CssLink):
            continue
        url = str(child.url)
        if not url.startswith(VENDOR_SCHEME):
            if url.startswith(asset_url or "\0"):
                continue  # already resolved by an earlier render
            raise MapError(f"map asset {name!r} would be loaded from outside: {url}")
        path = url[len(VENDOR_SCHEME) :]
        vendor(path)
        if asset_url is None:
            inline = InlineScript(path) if isinstance(child, JavascriptLink) else InlineStyle(path)
            inline._parent = header
            header._children[name] = inline
        else:
            child.url = f"{asset_url.rstrip('/')}/{path}"


def check_offline(html: str) -> None:
    """Raise :class:`MapError` if ``html`` links a script/style/image on another host."""
    hit = _OUTSIDE.search(html)
    if hit:
        start = max(0, hit.start() - 40)
        raise MapError(f"map page links an outside resource: ...{html[start : hit.end() + 60]}...")
