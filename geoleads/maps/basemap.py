"""The basemap: our own country borders (Natural Earth), no tile server needed.

An optional tile layer (an internal tile server, ``GEOLEADS_TILES``) can sit
under it; the land is then left unfilled so the tiles show through.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import numpy as np
import shapely
from jinja2 import Template

from geoleads.maps.geojson import compact, feature
from geoleads.maps.layers import OutlineLayer, safe_json

if TYPE_CHECKING:
    from geoleads.gazetteer import Gazetteer

#: Simplification of the world basemap (degrees) and coordinate decimals.
WORLD_TOLERANCE = 0.1
WORLD_PRECISION = 2
#: Island parts smaller than this (deg²) are left out of the world basemap.
WORLD_MIN_AREA = 0.05
#: Countries at least this large (km²) get a name label.
LABEL_MIN_KM2 = 25_000

_LOCK = threading.Lock()
_WORLD: dict[int, list[dict[str, Any]]] = {}


def world_features(gazetteer: Gazetteer) -> list[dict[str, Any]]:
    """Simplified country polygons (property ``c`` = ISO code).

    Simplified as a coverage, so neighbours keep one shared border (no slivers);
    computed once (about 1.5 s) and kept in ``<cache_dir>/regions/basemap-<stamp>.json``
    (the stamp changes with the gazetteer cache and the simplification settings).
    """
    with _LOCK:
        key = id(gazetteer)
        if key not in _WORLD:
            _WORLD[key] = _load_world(gazetteer)
        return _WORLD[key]


def _load_world(gazetteer: Gazetteer) -> list[dict[str, Any]]:
    cache = None
    if gazetteer.cache_dir is not None:
        from geoleads.regions import hash_text, source_stamp

        stamp = hash_text(f"{source_stamp(gazetteer)};{WORLD_TOLERANCE};{WORLD_PRECISION}")
        cache = Path(gazetteer.cache_dir) / "regions" / f"basemap-{stamp}.json"
        if cache.exists():
            try:
                return list(json.loads(cache.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                pass  # rebuilt below
    shapes = gazetteer.country_shapes()
    shapes = shapes[shapes["code"] != "AQ"]
    geoms = np.array(
        [compact(g, min_area=WORLD_MIN_AREA, precision=6) for g in shapes.geometry], dtype=object
    )
    simple = shapely.coverage_simplify(geoms, WORLD_TOLERANCE)
    feats = [
        feature(g, {"c": str(code)}, precision=WORLD_PRECISION)
        for code, g in zip(shapes["code"], simple, strict=True)
        if not g.is_empty
    ]
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(feats, separators=(",", ":")), encoding="utf-8")
        tmp.replace(cache)
    return feats


def add_basemap(m: folium.Map, gazetteer: Gazetteer, *, tiles: str | None = None) -> None:
    """Add the optional tile layer, the country borders and country name labels to ``m``."""
    if tiles:
        folium.TileLayer(
            tiles=tiles, attr="internal tile server", name="Tiles", control=False
        ).add_to(m)
    fill = {"fillColor": "#f7f5ef", "fillOpacity": 0.0 if tiles else 1.0}
    style = {"color": "#8c8c8c", "weight": 0.8, **fill}
    feats = [
        {**f, "properties": {**f["properties"], "s": style}} for f in world_features(gazetteer)
    ]
    OutlineLayer(feats, name="Countries", pane="gl-base", interactive=False, control=False).add_to(
        m
    )
    shapes = gazetteer.country_shapes()
    big = shapes[shapes["area_km2"] >= LABEL_MIN_KM2]
    labels = [
        [round(float(lat), 2), round(float(lon), 2), str(name), int(km2)]
        for lat, lon, name, km2 in zip(
            big["label_lat"], big["label_lon"], big["name"], big["area_km2"], strict=True
        )
    ]
    CountryLabels(labels).add_to(m)


class CountryLabels(folium.map.Layer):
    """Country names at Natural Earth label points (text nodes, non-interactive)."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>.gl-cname { color: #6b6b6b; font-size: 11px; white-space: nowrap; text-align: center;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff; pointer-events: none; }
.gl-cname span { display: inline-block; transform: translate(-50%, -50%); }</style>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.layerGroup();
(function () {
  var group = {{ this.get_name() }}, map = {{ this._parent.get_name() }};
  var markers = {{ this.data }}.map(function (c) {
    var label = geoleads.el("span", c[2]);
    var m = L.marker([c[0], c[1]], {pane: "gl-base", interactive: false, keyboard: false,
      icon: L.divIcon({className: "gl-cname", html: label, iconSize: null})});
    m.km2 = c[3];
    return m;
  });
  // fewer, bigger countries when zoomed out, so names do not pile up
  var update = function () {
    var z = map.getZoom();
    var least = z <= 2 ? 2e6 : z <= 3 ? 6e5 : z <= 4 ? 1.5e5 : z <= 5 ? 5e4 : 0;
    markers.forEach(function (m) {
      if (m.km2 >= least) group.addLayer(m); else group.removeLayer(m);
    });
  };
  map.on("zoomend", update);
  map.whenReady(update);
})();
{% endmacro %}
"""
    )

    def __init__(self, labels: list[list[Any]]) -> None:
        super().__init__(name="Country names", overlay=True, control=True, show=True)
        self._name = "CountryLabels"
        self.data = safe_json(labels)
