"""KML for Google Earth, written as a stream (fast for hundreds of thousands of rows).

A folder per object, a placemark per region: the outline (or the point of a
locality), the name, and an HTML balloon with share, tip counts and supporting
tips. Google Earth renders the balloon as HTML, so every value is HTML-escaped
first and the whole balloon XML-escaped after: a tip such as
``<script>alert(1)</script>`` shows as text.

>>> import io, geopandas as gpd
>>> from shapely.geometry import Point
>>> f = gpd.GeoDataFrame({"object_id": ["O"], "name": ["<b>Kraków</b>"], "share": [0.5]},
...                      geometry=[Point(19.94, 50.06)], crs=4326)
>>> out = io.StringIO(); write_kml_stream(f, out)
>>> "<name>&lt;b&gt;Kraków&lt;/b&gt;</name>" in out.getvalue()
True
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import geopandas as gpd
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geoleads.errors import ExportError

_FIELDS = (
    "share", "tips", "weighted_tips", "raw_tips", "reviewed_tips", "credible_tips",
    "objects", "verdict_objects", "mean_share", "max_share", "object_ids",
)  # fmt: skip
#: Fill opacity per share bin (KML colours are aabbggrr).
_BINS = (0.05, 0.15, 0.3, 0.5)
_ALPHA = ("30", "55", "80", "a8", "d0")


def description(row: Mapping[str, Any]) -> str:
    """HTML balloon text of one row; every value is HTML-escaped."""
    parts = [f"<b>{html.escape(str(row['object_id']))}</b>"] if row.get("object_id") else []
    parts += [f"{k}: {html.escape(str(row[k]))}" for k in _FIELDS if k in row]
    if row.get("is_verdict"):
        parts.append("<b>verdict of this object</b>")
    tips = str(row.get("top_tips") or "")
    if tips:
        quoted = "<br/>".join(html.escape(t) for t in tips.split(" | "))
        parts.append("supporting tips:<br/>" + quoted)
    return "<br/>".join(parts)


def _ring(coords: Any) -> str:
    return " ".join(f"{x:.5f},{y:.5f}" for x, y, *_ in coords)


def _polygon(poly: Polygon) -> str:
    inner = "".join(
        f"<innerBoundaryIs><LinearRing><coordinates>{_ring(r.coords)}</coordinates>"
        "</LinearRing></innerBoundaryIs>"
        for r in poly.interiors
    )
    return (
        "<Polygon><outerBoundaryIs><LinearRing><coordinates>"
        f"{_ring(poly.exterior.coords)}</coordinates></LinearRing></outerBoundaryIs>"
        f"{inner}</Polygon>"
    )


def geometry_kml(geom: BaseGeometry) -> str:
    """KML of a polygon, multipolygon or (the centre of) anything else."""
    if isinstance(geom, Polygon):
        return _polygon(geom)
    if isinstance(geom, MultiPolygon):
        return "<MultiGeometry>" + "".join(_polygon(p) for p in geom.geoms) + "</MultiGeometry>"
    c = geom if geom.geom_type == "Point" else geom.representative_point()
    return f"<Point><coordinates>{c.x:.5f},{c.y:.5f}</coordinates></Point>"


def _style_id(share: float) -> str:
    return f"s{sum(share >= b for b in _BINS)}"


def write_kml_stream(frame: gpd.GeoDataFrame, out: IO[str], title: str = "geoleads") -> None:
    """Write ``frame`` as a KML document to the text stream ``out``."""
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write('<kml xmlns="http://www.opengis.net/kml/2.2"><Document>')
    out.write(f"<name>{escape(title)}</name>")
    for i, alpha in enumerate(_ALPHA):
        out.write(
            f'<Style id="s{i}"><LineStyle><color>ff00008b</color><width>1</width></LineStyle>'
            f"<PolyStyle><color>{alpha}0000ff</color></PolyStyle></Style>"
        )
    shapes: dict[int, str] = {}  # one region's outline is shared by many objects' rows
    folder = None
    share_col = "share" if "share" in frame else "mean_share"
    for row in frame.to_dict("records"):
        geom = row.get("geometry")
        if geom is None or geom.is_empty:
            continue
        oid = str(row.get("object_id") or "regions")
        if oid != folder:
            if folder is not None:
                out.write("</Folder>")
            out.write(f"<Folder><name>{escape(oid)}</name>")
            folder = oid
        share = float(row.get(share_col) or 0.0)
        name = escape(str(row.get("name") or row.get("code")))
        if id(geom) not in shapes:
            shapes[id(geom)] = geometry_kml(geom)
        out.write(
            f"<Placemark><name>{name}</name>"
            f"<description>{escape(description(row))}</description>"
            f"<styleUrl>#{_style_id(share)}</styleUrl>{shapes[id(geom)]}</Placemark>"
        )
    if folder is not None:
        out.write("</Folder>")
    out.write("</Document></kml>\n")


def write_kml(frame: gpd.GeoDataFrame, path: str | Path, title: str = "geoleads") -> Path:
    """Write regions as KML: a folder per object (rows grouped by ``object_id``)."""
    path = Path(path)
    if "object_id" in frame:
        order = {o: i for i, o in enumerate(dict.fromkeys(frame["object_id"]))}
        frame = frame.iloc[frame["object_id"].map(order).argsort(kind="stable")]
    try:
        with path.open("w", encoding="utf-8") as fh:
            write_kml_stream(frame, fh, title)
    except OSError as err:
        raise ExportError(f"cannot write {path}: {err}") from err
    return path
