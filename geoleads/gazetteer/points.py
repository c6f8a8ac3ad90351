"""Representative points of countries and admin1 regions.

A country or region is a surface, but a geocoder answers with one point. The
point a user expects is the middle of the area's main landmass, not a label
position or the population's centre of gravity (Texas's would sit between
Dallas and Houston). So:

- a **country** is the centroid (on an equal-area map) of the largest part
  of its Natural Earth polygon (mainland Russia, the contiguous United States, mainland Norway),
  or a point guaranteed inside that part when the centroid falls outside it
  (a crescent-shaped country such as Croatia);
- an **admin1 region** is the same point of its approximate shape (the
  Voronoi cells of its GeoNames places clipped to the country, as in
  :mod:`geoleads.regions`); a region without such a shape takes the mean
  position of its places.

Everything is computed from the data the gazetteer ships; nothing is set per
entity.

>>> from shapely.geometry import box, MultiPolygon
>>> lat, lon = area_point(MultiPolygon([box(0, 0, 4, 2), box(10, 10, 11, 11)]))
>>> round(lat, 3), lon
(1.0, 2.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import shapely

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd


def area_point(geom: shapely.Geometry) -> tuple[float, float]:
    """``(lat, lon)`` of the centroid of the largest part of ``geom`` (inside it).

    Areas and the centroid are taken on an equal-area map (x = longitude,
    y = sin(latitude)), so high latitudes do not weigh more than they cover: the
    result is the geographic centre of the part, not the centre of its outline
    on a plate carrée map.

    >>> from shapely.geometry import Polygon
    >>> u = Polygon([(0, 0), (6, 0), (6, 6), (4, 6), (4, 2), (2, 2), (2, 6), (0, 6)])
    >>> lat, lon = area_point(u)   # the centroid of a U lies in its gap
    >>> u.contains(shapely.Point(lon, lat))
    True
    """
    polys = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    if not polys:
        return (float("nan"), float("nan"))
    flat = [shapely.transform(p, _equal_area) for p in polys]
    k = int(np.argmax([f.area for f in flat]))
    c = flat[k].centroid
    lat, lon = math.degrees(math.asin(max(-1.0, min(1.0, c.y)))), c.x
    if polys[k].contains(shapely.Point(lon, lat)):
        return (lat, lon)
    point = polys[k].representative_point()
    return (float(point.y), float(point.x))


def _equal_area(xy: np.ndarray) -> np.ndarray:
    """Lambert's cylindrical equal-area map of (lon, lat) degrees."""
    return np.c_[xy[:, 0], np.sin(np.radians(xy[:, 1]))]


def country_points(shapes: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """Country code -> representative point, from Natural Earth polygons."""
    return {
        str(code): area_point(geom)
        for code, geom in zip(shapes["code"], shapes.geometry, strict=True)
    }


def admin1_points(
    places: pd.DataFrame, shapes: gpd.GeoDataFrame, names: Mapping[str, str]
) -> dict[str, tuple[float, float]]:
    """Admin1 code -> representative point of its derived shape (else its places' mean).

    ``places`` has ``lat``, ``lon``, ``country`` and ``admin1`` (``"PL.77"``) columns.
    """
    from geoleads.regions import shapes_from_places

    out: dict[str, tuple[float, float]] = {}
    finite = places[np.isfinite(places["lat"]) & np.isfinite(places["lon"])]
    means = finite.groupby(finite["admin1"].astype(str))[["lat", "lon"]].mean()
    for code, lat, lon in zip(means.index, means["lat"], means["lon"], strict=True):
        out[str(code)] = (float(lat), float(lon))
    derived = shapes_from_places(places, shapes, names)
    for code, geom in zip(derived["code"], derived.geometry, strict=True):
        lat, lon = area_point(geom)
        if np.isfinite(lat):
            out[str(code)] = (lat, lon)
    return out
