"""The campaign overview: every object's verdict region on one map, one colour each.

An object whose tips converge is drawn as its verdict area (a country, an admin1
region, or for a town a disk around the peak as large as its 50 % credible
region) plus a dot at its peak; objects without a verdict are listed in the title box.

>>> m = overview_map(summarize_tips(tips))                # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import folium
import shapely
import shapely.affinity

from geoleads.maps.assets import DEFAULT_STATIC_URL, OfflineMap
from geoleads.maps.basemap import add_basemap
from geoleads.maps.geojson import bounds_of, feature
from geoleads.maps.layers import (
    InfoBox,
    Legend,
    MapSupport,
    OutlineLayer,
    PlaceMarkers,
    figure_title,
)
from geoleads.maps.lead import ObjectResultLike, verdict_text

if TYPE_CHECKING:
    from geoleads.gazetteer import Gazetteer

#: Categorical colours (Tableau 10 and a darker set), cycled for many objects.
COLOURS = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
)  # fmt: skip
#: Objects listed by name in the legend; the rest are counted.
LEGEND_MAX = 20
#: Least and greatest radius (km) of the disk drawn for a town verdict.
TOWN_RADIUS_KM = (5.0, 40.0)


def verdict_geometry(result: ObjectResultLike, gaz: Gazetteer) -> Any:
    """The area of an object's verdict (EPSG:4326), or ``None`` without a verdict."""
    v = result.summary.get("verdict") or {}
    level, code = v.get("level"), v.get("code")
    if level == "country" and code:
        shapes = gaz.country_shapes()
        hit = shapes.loc[shapes["code"] == code, "geometry"]
        return hit.iloc[0] if len(hit) else None
    if level == "admin1" and code:
        from geoleads.regions import admin1_shapes

        shapes = admin1_shapes(gaz)
        hit = shapes.loc[shapes["code"] == code, "geometry"]
        return shapely.union_all(hit.to_numpy()) if len(hit) else None
    if level in ("locality", "point"):
        peak = result.summary.get("peak") or {}
        if peak.get("lat") is None:
            return None
        # a disk as large as the 50 % credible region, within TOWN_RADIUS_KM
        km2 = (result.summary.get("credible_region_km2") or {}).get("50") or 0.0
        radius = min(max(math.sqrt(float(km2) / math.pi), TOWN_RADIUS_KM[0]), TOWN_RADIUS_KM[1])
        lat, lon = float(peak["lat"]), float(peak["lon"])
        disk = shapely.Point(lon, lat).buffer(radius / 111.2)  # shapely wants (lon, lat)
        return shapely.affinity.scale(disk, xfact=1 / max(math.cos(math.radians(lat)), 0.1))
    return None


def overview_map(
    results: Sequence[ObjectResultLike],
    *,
    standalone: bool = False,
    tiles: str | None = None,
    static_url: str = DEFAULT_STATIC_URL,
    gazetteer: Gazetteer | None = None,
) -> folium.Map:
    """One map of all objects' verdict regions, a colour per object."""
    from geoleads.config import Settings
    from geoleads.gazetteer import get_gazetteer

    gaz = gazetteer or get_gazetteer()
    tiles = tiles if tiles is not None else Settings.from_env().tiles
    m = OfflineMap(
        asset_url=None if standalone else static_url,
        location=[50.0, 15.0],
        zoom_start=4,
        control_scale=True,
    )
    MapSupport().add_to(m)
    add_basemap(m, gaz, tiles=tiles)
    figure_title(m.get_root(), "geoleads – overview")
    feats: list[dict[str, Any]] = []
    points: list[dict[str, Any]] = []
    geoms: list[Any] = []
    legend: list[tuple[str, str, str]] = []
    unresolved: list[str] = []
    for i, result in enumerate(results):
        colour = COLOURS[i % len(COLOURS)]
        geom = verdict_geometry(result, gaz)
        s = result.summary
        text, _ = verdict_text(s)
        if geom is None:
            unresolved.append(str(result.object_id))
            continue
        lines = [text, f"{s.get('tips', 0)} tips, {s.get('tips_with_places', 0)} name a place"]
        style = {"color": colour, "weight": 2, "fillColor": colour, "fillOpacity": 0.35}
        props = {"t": f"Object {result.object_id}", "l": lines, "s": style}
        feats.append(feature(geom, props, tolerance=0.01, min_area=0.001))
        geoms.append(geom)
        peak = s.get("peak") or {}
        if peak.get("lat") is not None:
            points.append(
                {"lat": round(float(peak["lat"]), 4), "lon": round(float(peak["lon"]), 4),
                 "r": 5, "c": colour, "t": f"Object {result.object_id}", "l": lines, "q": [],
                 "label": None}
            )  # fmt: skip
        if len(legend) < LEGEND_MAX:
            legend.append(
                ("fill", colour, f"{result.object_id}: {s.get('verdict', {}).get('name')}")
            )
    if feats:
        OutlineLayer(feats, name="Verdict regions", pane="gl-choro").add_to(m)
    if points:
        PlaceMarkers(points, name="Peaks").add_to(m)
    placed = len(results) - len(unresolved)
    title = [
        ("Campaign overview", ""),
        (f"{len(results)} objects, {placed} narrowed to an area", ""),
    ]
    if unresolved:
        shown = ", ".join(unresolved[:10]) + (" …" if len(unresolved) > 10 else "")
        title.append((f"No convergence: {shown}", "gl-none"))
    InfoBox(title).add_to(m)
    if len(feats) > LEGEND_MAX:
        legend.append(("fill", "#ffffff", f"… and {len(feats) - LEGEND_MAX} more"))
    Legend([("Objects (verdict region)", legend)] if legend else []).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    # largest parts only: French Guiana should not zoom a map of France out to the world
    bounds = bounds_of([_largest_part(g) for g in geoms])
    if bounds:
        m.fit_bounds(bounds, max_zoom=8, padding_top_left=(30, 150), padding_bottom_right=(300, 30))
    return m


def _largest_part(geom: Any) -> Any:
    parts = shapely.get_parts(geom)
    return max(parts, key=lambda p: p.area) if len(parts) else geom
