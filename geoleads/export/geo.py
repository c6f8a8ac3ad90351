"""GIS exports: GeoJSON, GeoPackage (a layer per level) and KML (Google Earth).

Regions get their geometry here: countries from the gazetteer's Natural Earth
polygons, admin1 regions from :func:`geoleads.regions.admin1_shapes`
(approximate unless ``GEOLEADS_ADMIN1_BOUNDARIES`` names real boundaries),
localities as points. A region without a polygon falls back to its point; the
``geometry_source`` column says which one a row got.

>>> import pandas as pd
>>> t = pd.DataFrame({"code": ["3094802"], "lat": [50.06], "lon": [19.94]})
>>> with_geometry(t, "locality").geometry.iloc[0].wkt
'POINT (19.94 50.06)'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geoleads.errors import ExportError

#: Simplification tolerance (degrees, about 1 km) of region outlines in exports.
SIMPLIFY_DEGREES = 0.01


def _points(table: pd.DataFrame) -> list[BaseGeometry | None]:
    lat = pd.to_numeric(table["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(table["lon"], errors="coerce").to_numpy(dtype=float)
    pts = shapely.points(lon, lat)  # shapely wants (lon, lat): the one swap of this module
    return [p if ok else None for p, ok in zip(pts, ~(np.isnan(lat) | np.isnan(lon)), strict=True)]


def _outlines(level: str, gazetteer: Any) -> gpd.GeoDataFrame | None:
    """The polygons of ``level`` keyed by ``code``, or ``None`` when there are none."""
    if level == "country":
        if gazetteer is None:
            from geoleads.gazetteer import get_gazetteer

            gazetteer = get_gazetteer()
        return gazetteer.country_shapes()
    if level == "admin1":
        try:
            from geoleads.regions import admin1_shapes
        except ImportError:  # the regions module is optional for exports
            return None
        return admin1_shapes(gazetteer)
    return None


def outline_of(geom: BaseGeometry, simplify: float = SIMPLIFY_DEGREES) -> BaseGeometry:
    """A light outline: tolerance grows with the region's size, specks are dropped.

    A country as big as Russia keeps a few hundred vertices instead of tens of
    thousands; islands smaller than the tolerance vanish (the largest part stays).

    >>> from shapely.geometry import box
    >>> round(outline_of(box(0, 0, 40, 20)).area)
    800
    """
    size = math.sqrt(max(geom.area, 0.0))
    tol = max(simplify, size / 150)
    parts = _polygons(geom) or [geom]
    keep = [p for p in parts if p.area >= tol * tol] or [max(parts, key=lambda p: p.area)]
    light = [p.simplify(tol, preserve_topology=True) for p in keep]
    merged = shapely.union_all([p for p in light if not p.is_empty])  # valid, no overlaps
    polys = _polygons(merged)
    if not polys:
        return geom
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


_OUTLINES: dict[tuple[str, str, float, int], BaseGeometry] = {}


def _cached_outline(level: str, code: str, geom: BaseGeometry, simplify: float) -> BaseGeometry:
    if not simplify:
        return geom
    key = (level, code, simplify, id(geom))
    if key not in _OUTLINES:
        _OUTLINES[key] = outline_of(geom, simplify)
    return _OUTLINES[key]


def with_geometry(
    table: pd.DataFrame,
    level: str,
    gazetteer: Any = None,
    simplify: float = SIMPLIFY_DEGREES,
) -> gpd.GeoDataFrame:
    """``table`` (rows with ``code``, ``lat``, ``lon``) as a GeoDataFrame in EPSG:4326."""
    geoms: list[BaseGeometry | None] = _points(table)
    source = ["point"] * len(table)
    shapes = _outlines(level, gazetteer) if len(table) else None
    if shapes is not None:
        wanted = set(table["code"].astype(str))
        sub = shapes[shapes["code"].astype(str).isin(wanted)]
        outline = {
            str(c): _cached_outline(level, str(c), g, simplify)
            for c, g in zip(sub["code"], sub.geometry, strict=True)
            if g is not None and not g.is_empty
        }
        for i, code in enumerate(table["code"].astype(str)):
            if code in outline:
                geoms[i] = outline[code]
                source[i] = "polygon"
    out = gpd.GeoDataFrame(
        table.reset_index(drop=True).assign(geometry_source=source),
        geometry=geoms,
        crs="EPSG:4326",
    )
    return out


def _multi(frame: gpd.GeoDataFrame) -> bool:
    """Promote to multi-polygons when every geometry is a polygon (one layer type)."""
    kinds = set(frame.geometry.dropna().geom_type)
    return bool(kinds) and kinds <= {"Polygon", "MultiPolygon"}


def write_geojson(frame: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write one layer as GeoJSON (RFC 7946: UTF-8, WGS 84 lon/lat, 6 decimals).

    Streamed with :func:`shapely.to_geojson` (GDAL's GeoJSON writer takes ~30 s
    for 40,000 outlines; this takes a few).
    """
    import json

    path = Path(path)
    geoms = shapely.transform(frame.geometry.values, lambda xy: np.round(xy, 6))
    texts = shapely.to_geojson(geoms)
    props = frame.drop(columns=frame.geometry.name)
    records = props.astype(object).where(props.notna(), None).to_dict("records")
    try:
        with path.open("w", encoding="utf-8") as fh:
            fh.write('{"type": "FeatureCollection", "features": [\n')
            for i, (geom, rec) in enumerate(zip(texts, records, strict=True)):
                fh.write(",\n" if i else "")
                fh.write('{"type": "Feature", "properties": ')
                fh.write(json.dumps(rec, ensure_ascii=False, default=str, allow_nan=False))
                fh.write(f', "geometry": {geom if geom is not None else "null"}}}')
            fh.write("\n]}\n")
    except (OSError, ValueError) as err:
        raise ExportError(f"cannot write {path}: {err}") from err
    return path


def write_gpkg(layers: Mapping[str, gpd.GeoDataFrame], path: str | Path) -> Path:
    """Write a GeoPackage with one layer per entry of ``layers`` (replacing the file)."""
    import pyogrio

    path = Path(path)
    try:
        path.unlink(missing_ok=True)
        for name, frame in layers.items():
            pyogrio.write_dataframe(
                frame, path, layer=name, driver="GPKG", promote_to_multi=_multi(frame)
            )
    except (OSError, pyogrio.errors.DataSourceError) as err:
        raise ExportError(f"cannot write {path}: {err}") from err
    return path


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    return []
