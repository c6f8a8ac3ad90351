"""Compact GeoJSON for map pages: simplified, rounded, small parts dropped.

>>> from shapely.geometry import box
>>> feature(box(19.93658, 50.06143, 20.0, 50.1), {"t": "x"}, precision=2)["geometry"]["type"]
'Polygon'
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import shapely


def compact(
    geom: shapely.Geometry, *, tolerance: float = 0.0, precision: int = 3, min_area: float = 0.0
) -> shapely.Geometry:
    """Simplify by ``tolerance`` degrees, drop parts under ``min_area`` deg², round coordinates.

    The largest part of a multi-polygon is always kept.
    """
    if geom is None or geom.is_empty:
        return shapely.Polygon()
    if min_area > 0 and geom.geom_type == "MultiPolygon":
        parts = np.asarray(shapely.get_parts(geom))
        areas = shapely.area(parts)
        keep = parts[(areas >= min_area) | (areas == areas.max())]
        geom = shapely.multipolygons(keep) if len(keep) > 1 else keep[0]
    if tolerance > 0:
        geom = shapely.simplify(geom, tolerance, preserve_topology=True)
    return shapely.transform(geom, lambda xy: np.round(xy, precision))


def feature(
    geom: shapely.Geometry,
    properties: dict[str, Any],
    *,
    tolerance: float = 0.0,
    precision: int = 3,
    min_area: float = 0.0,
) -> dict[str, Any]:
    """One GeoJSON feature (a dict) of ``geom`` made :func:`compact`."""
    small = compact(geom, tolerance=tolerance, precision=precision, min_area=min_area)
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": json.loads(shapely.to_geojson(small)),
    }


def bounds_of(geoms: list[shapely.Geometry]) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of non-empty ``geoms`` (Leaflet order), or None."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(geoms, dtype=object))
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]
