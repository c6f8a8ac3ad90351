"""Render a map to HTML and write it: a web-app page or a standalone file.

>>> from geoleads.maps.assets import OfflineMap
>>> html = render_html(OfflineMap(tiles=None), static_url="/static/vendor")
>>> '<script src="/static/vendor/leaflet-1.9.4/leaflet.js">' in html
True
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import folium

from geoleads.errors import MapError
from geoleads.maps.assets import DEFAULT_STATIC_URL, check_offline


def render_html(
    m: folium.Map, *, standalone: bool | None = None, static_url: str | None = None
) -> str:
    """The full HTML page of ``m``.

    ``standalone=True`` inlines every asset; else assets are linked under
    ``static_url`` (default: the map's own ``asset_url``, else ``/static/vendor``).
    ``None`` keeps what the map was made with. Raises :class:`MapError` if the
    page would load anything from another host.
    """
    current = getattr(m, "asset_url", DEFAULT_STATIC_URL)
    if standalone is None:
        standalone = current is None
    url = None if standalone else (static_url or current or DEFAULT_STATIC_URL)
    if hasattr(m, "asset_url"):
        m.asset_url = url
    elif standalone or url:
        raise MapError("only an OfflineMap (geoleads.maps) can be rendered offline")
    html = m.get_root().render()
    check_offline(html)
    return html


def save_map(
    m: folium.Map,
    path: str | Path,
    *,
    standalone: bool | None = None,
    static_url: str | None = None,
) -> Path:
    """Write ``m`` to ``path`` (atomically; parent folders are created).

    ``standalone=True`` gives one self-contained file that opens from disk with
    no server and no internet.
    """
    html = render_html(m, standalone=standalone, static_url=static_url)
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(html)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as err:
        raise MapError(f"cannot write map {target}: {err}") from err
    return target
