"""The lead map page of one object, served by the app from its own static folder.

Built by :func:`geoleads.maps.lead_map` (contract 8) with every asset linked
under ``/static/vendor``; :func:`geoleads.maps.render_html` refuses any page
that would load something from another host. The page is shown in a frame of the
object page, so it is the compact, embedded map (layer list collapsed, small
title and legend).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import url_for
from markupsafe import escape

if TYPE_CHECKING:
    from geoleads.narrow import ObjectResult

EMPTY_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="{css}"></head>
<body style="display:flex;align-items:center;justify-content:center;height:90vh;margin:0">
<p class="muted">{message}</p></body></html>"""


def render_lead_map(object_id: str, result: ObjectResult | None, *, tiles: str | None) -> str:
    """HTML of the lead map of ``object_id`` (a short note when it has no tips)."""
    if result is None or not result.summary.get("tips_with_places"):
        return EMPTY_PAGE.format(
            title=escape(object_id),
            css=url_for("static", filename="app.css"),
            message="No place found in the tips of this object yet: nothing to map.",
        )
    from geoleads.maps import lead_map, render_html

    static_url = url_for("static", filename="vendor").rstrip("/")
    m = lead_map(result, tiles=tiles or None, static_url=static_url, embedded=True)
    return render_html(m, standalone=False, static_url=static_url)
