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

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geoleads.errors import ExportError

#: Simplification tolerance (degrees, about 1 km) of region outlines in exports.
SIMPLIFY_DEGREES = 0.01


def _points(table: pd.DataFrame) -> list[BaseGeometry | None]:
    # shapely wants (lon, lat): the one swap of this module
    return [
        Point(float(lon), float(lat)) if pd.notna(lat) and pd.notna(lon) else None
        for lat, lon in zip(table["lat"], table["lon"], strict=True)
    ]


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
            str(c): (g.simplify(simplify, preserve_topology=True) if simplify else g)
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
    """Write one layer as GeoJSON (UTF-8, EPSG:4326)."""
    import pyogrio

    path = Path(path)
    try:
        path.unlink(missing_ok=True)
        pyogrio.write_dataframe(frame, path, driver="GeoJSON", promote_to_multi=_multi(frame))
    except (OSError, pyogrio.errors.DataSourceError) as err:
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


# --- KML -------------------------------------------------------------------
_KML_FIELDS = ("share", "tips", "weighted_tips", "raw_tips", "reviewed_tips", "credible_tips")


def _description(row: Mapping[str, Any]) -> str:
    """HTML balloon text; every value is escaped (Google Earth renders it as HTML)."""
    parts = [f"<b>{html.escape(str(row.get('object_id', '')))}</b>"]
    parts += [f"{k}: {html.escape(str(row[k]))}" for k in _KML_FIELDS if k in row]
    if row.get("is_verdict"):
        parts.append("<b>verdict of this object</b>")
    tips = str(row.get("top_tips") or "")
    if tips:
        quoted = "<br/>".join(html.escape(t) for t in tips.split(" | "))
        parts.append("supporting tips:<br/>" + quoted)
    return "<br/>".join(parts)


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    return []


def _style(feature: Any, share: float) -> None:
    import simplekml

    alpha = int(40 + 180 * max(0.0, min(1.0, share)))
    feature.style.polystyle.color = simplekml.Color.changealphaint(alpha, simplekml.Color.red)
    feature.style.linestyle.color = simplekml.Color.darkred
    feature.style.linestyle.width = 1


def write_kml(frame: gpd.GeoDataFrame, path: str | Path, title: str = "geoleads") -> Path:
    """Write regions as KML: a folder per object, a placemark per region."""
    import simplekml

    kml = simplekml.Kml(name=title)
    folders: dict[str, Any] = {}
    for row in frame.to_dict("records"):
        oid = str(row.get("object_id", "regions"))
        folder = folders.get(oid) or folders.setdefault(oid, kml.newfolder(name=oid))
        name = str(row.get("name") or row.get("code"))
        desc = _description(row)
        geom = row.get("geometry")
        if geom is None or geom.is_empty:
            continue
        polys = _polygons(geom)
        if polys:
            multi = folder.newmultigeometry(name=name, description=desc)
            for poly in polys:
                p = multi.newpolygon(outerboundaryis=list(poly.exterior.coords))
                p.innerboundaryis = [list(r.coords) for r in poly.interiors]
            _style(multi, float(row.get("share") or 0.0))
        else:
            c = geom.centroid
            folder.newpoint(name=name, description=desc, coords=[(c.x, c.y)])
    path = Path(path)
    try:
        kml.save(str(path))
    except OSError as err:
        raise ExportError(f"cannot write {path}: {err}") from err
    return path
