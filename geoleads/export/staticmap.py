"""A static map picture (PNG) of ranked regions, drawn offline with matplotlib.

Country outlines from the gazetteer's Natural Earth polygons are the basemap;
regions are filled by share, localities drawn as dots sized by share. No tile
server, no internet.

>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> frame = gpd.GeoDataFrame({"share": [1.0], "name": ["Kraków"]},
...                          geometry=[Point(19.94, 50.06)], crs="EPSG:4326")
>>> png = map_png(frame, basemap=None)
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import io
import math
from typing import Any

import geopandas as gpd

#: Smallest span of the picture, in degrees of latitude.
MIN_SPAN_DEG = 4.0
#: Regions drawn on one picture (the strongest).
MAX_REGIONS = 40


def _extent(frame: gpd.GeoDataFrame, top: int = 8) -> tuple[float, float, float, float]:
    """Bounds around the strongest regions (by their label point), padded.

    Regions are taken strongest first until they hold half the drawn share
    (at most ``top``), so a stray weak region far away does not zoom out the map.
    """
    best = frame
    if "share" in frame and len(frame):
        ranked = frame.sort_values("share", ascending=False)
        cum = ranked["share"].astype(float).cumsum()
        total = float(cum.iloc[-1]) or 1.0
        n = int((cum < 0.5 * total).sum()) + 1
        best = ranked.head(min(max(n, 1), top))
    pts = best.geometry.representative_point()
    pts = pts[~pts.is_empty]
    if pts.empty:
        return (-12.0, 34.0, 42.0, 71.0)  # Europe
    xmin, ymin, xmax, ymax = pts.total_bounds
    # polygons of small regions should show whole: grow to their bounds when modest
    polys = best.geometry[best.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    for g in polys:
        bx0, by0, bx1, by1 = g.bounds
        if (bx1 - bx0) < 25 and (by1 - by0) < 20:
            xmin, ymin, xmax, ymax = min(xmin, bx0), min(ymin, by0), max(xmax, bx1), max(ymax, by1)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    span_y = max(ymax - ymin, MIN_SPAN_DEG) * 1.25
    span_x = max(xmax - xmin, span_y / max(math.cos(math.radians(cy)), 0.2)) * 1.15
    return (cx - span_x / 2, cy - span_y / 2, cx + span_x / 2, cy + span_y / 2)


def map_png(
    frame: gpd.GeoDataFrame,
    *,
    basemap: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    width_in: float = 8.0,
    height_in: float = 5.5,
    dpi: int = 110,
) -> bytes:
    """PNG bytes of ``frame`` (EPSG:4326, a ``share`` column) over ``basemap`` outlines."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    xmin, ymin, xmax, ymax = _extent(frame)
    aspect = 1 / max(math.cos(math.radians((ymin + ymax) / 2)), 0.2)
    # the picture takes the shape of the area shown (no blank bands)
    shape = (ymax - ymin) * aspect / max(xmax - xmin, 1e-9)
    height_in = min(max(width_in * shape + 0.4, 2.0), height_in * 1.6)
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_facecolor("#dbe9f4")
    if basemap is not None and len(basemap):
        land = basemap.cx[xmin:xmax, ymin:ymax]
        if len(land):
            land = land.clip((xmin, ymin, xmax, ymax))
            land.plot(ax=ax, color="#f4f1ea", edgecolor="#8c8c8c", linewidth=0.4)
    polys = frame[frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(polys):
        polys.plot(
            ax=ax,
            column="share",
            cmap="OrRd",
            vmin=0,
            vmax=max(polys["share"].max(), 1e-9),
            edgecolor="#7f2704",
            linewidth=0.6,
            alpha=0.8,
        )
    pts = frame[frame.geometry.geom_type == "Point"]
    if len(pts):
        sizes = 20 + 300 * pts["share"].astype(float).clip(0, 1)
        ax.scatter(
            pts.geometry.x,
            pts.geometry.y,
            s=sizes,
            c="#b30000",
            alpha=0.7,
            edgecolors="white",
            linewidths=0.6,
            zorder=3,
        )
        for _, row in pts.sort_values("share", ascending=False).head(6).iterrows():
            ax.annotate(
                str(row.get("name", "")),
                (row.geometry.x, row.geometry.y),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize=7,
                zorder=4,
            )
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect(aspect)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    if title:
        ax.set_title(title, fontsize=10)
    ax.text(
        0.995,
        0.005,
        "Borders: Natural Earth; places: GeoNames",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=6,
        color="#555555",
    )
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


_BASEMAPS: dict[int, gpd.GeoDataFrame] = {}


def basemap_for(gazetteer: Any = None) -> gpd.GeoDataFrame:
    """The country outlines under every static map (simplified ~2 km, cached)."""
    if gazetteer is None:
        from geoleads.gazetteer import get_gazetteer

        gazetteer = get_gazetteer()
    key = id(gazetteer)
    if key not in _BASEMAPS:
        shapes: gpd.GeoDataFrame = gazetteer.country_shapes()[["code", "geometry"]].copy()
        shapes["geometry"] = shapes.geometry.simplify(0.02, preserve_topology=True)
        _BASEMAPS[key] = shapes
    return _BASEMAPS[key]
