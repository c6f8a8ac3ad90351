"""The initial view of a lead map: what to show, and fitting it between the map's boxes.

What: for an object whose tips converge, the verdict's area plus the peak. The area
is its country or admin1 region, or for a town the parts of the 50 % credible region
within about 100 km of it; of that area only the main parts count, those holding most
of the object's mass inside it. So overseas territories, or a far-off dense speck of
the credible region (one tip naming a Chinese town), do not stretch the view to
another continent. Otherwise the 10-90 % weighted quantiles
of the surface cells. Either way every locality holding 10 % or more stays in view.

How: :class:`FitView` fits those bounds in the browser, after the title, legend and
layer list are drawn, with padding measured from those boxes, so the strongest area
is never under one of them whatever the size of the map (a 560 px frame in the
object page or a full window). It fits again when the map's size changes (a frame
shown late) until the user moves the map.

>>> import pandas as pd
>>> cells = pd.DataFrame({"lat": [50.0, 50.1], "lon": [19.9, 20.0], "share": [0.5, 0.5]})
>>> view_bounds({}, cells, {}, [])
[[50.0, 19.9], [50.1, 20.0]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geoleads.maps.geojson import bounds_of
from geoleads.maps.layers import safe_json

if TYPE_CHECKING:
    from geoleads.gazetteer import Gazetteer

#: The quantile view covers these weighted quantiles of the cells ...
VIEW_QUANTILES = (0.1, 0.9)
#: ... and every locality holding at least this share.
VIEW_MIN_SHARE = 0.1
#: A converged object's view holds the parts of its verdict area with this much of its mass.
VIEW_REGION_MASS = 0.8
#: A town verdict's area: the credible-region parts this close to it (degrees, ~100 km).
NEAR_TOWN_DEG = 1.0
#: Do not zoom closer than this (a single town still shows its surroundings).
MAX_ZOOM = 8

Bounds = list[list[float]]


def view_bounds(
    summary: dict[str, Any],
    cells: pd.DataFrame,
    credible_regions: dict[int, Any],
    country_feats: list[dict[str, Any]],
    area: Any = None,
) -> Bounds | None:
    """``[[south, west], [north, east]]`` to show first, or ``None`` (nothing to show).

    ``cells``: the surface (``lat``, ``lon``, ``share``); ``country_feats``: the
    country share features (used when there are no cells); ``area``: the verdict's
    shape (:func:`verdict_area`), else the 50 % credible region is used.
    """
    converged = (summary.get("verdict") or {}).get("level") not in (None, "none")
    boxes: list[Bounds] = []
    region = area if area is not None else (credible_regions or {}).get(50)
    if converged and region is not None and not region.is_empty:
        main = main_parts(region, cells, VIEW_REGION_MASS) if len(cells) else None
        if main is None and area is not None:
            main = bounds_of([area])
        if main is not None:
            boxes.append(main)
            peak = summary.get("peak") or {}
            if peak.get("lat") is not None and peak.get("lon") is not None:
                lat, lon = float(peak["lat"]), float(peak["lon"])
                boxes.append([[lat, lon], [lat, lon]])
    if not boxes and len(cells):
        w = cells["share"].to_numpy(dtype=float)
        (s, n), (west, east) = (
            _weighted_quantiles(cells[c].to_numpy(dtype=float), w, VIEW_QUANTILES)
            for c in ("lat", "lon")
        )
        boxes.append([[s, west], [n, east]])
    for row in summary.get("localities") or []:
        if float(row.get("share") or 0) >= VIEW_MIN_SHARE:
            lat, lon = float(row["lat"]), float(row["lon"])
            boxes.append([[lat, lon], [lat, lon]])
    if not boxes and country_feats:
        return bounds_of([shapely.geometry.shape(f["geometry"]) for f in country_feats[:3]])
    if not boxes:
        return None
    return [
        [min(b[0][0] for b in boxes), min(b[0][1] for b in boxes)],
        [max(b[1][0] for b in boxes), max(b[1][1] for b in boxes)],
    ]


def verdict_area(
    summary: dict[str, Any], gaz: Gazetteer, credible_regions: dict[int, Any] | None = None
) -> Any:
    """The verdict's shape: its country or admin1 region; for a town, the parts of the
    50 % credible region near it and a small disc around it. ``None``: no verdict."""
    verdict = summary.get("verdict") or {}
    level, code = verdict.get("level"), verdict.get("code")
    if level == "locality":
        from geoleads.errors import NotFoundError

        try:
            town = gaz.by_geonameid(int(str(code)))
        except (NotFoundError, ValueError):
            return None
        here = shapely.Point(town.lon, town.lat)
        region = (credible_regions or {}).get(50)
        parts = [] if region is None else list(shapely.get_parts(region))
        near = [g for g in parts if g.distance(here) <= NEAR_TOWN_DEG]
        return shapely.union_all([here.buffer(0.05), *near])
    if level == "country":
        shapes = gaz.country_shapes()
    elif level == "admin1":
        from geoleads.regions import admin1_shapes

        shapes = admin1_shapes(gaz)
    else:
        return None
    hit = shapes.loc[shapes["code"] == code, "geometry"]
    return hit.iloc[0] if len(hit) else None


def main_parts(region: Any, cells: pd.DataFrame, mass: float) -> Bounds | None:
    """Bounds of the fewest parts of ``region`` holding ``mass`` of the cell mass inside it.

    >>> from shapely.geometry import MultiPolygon, box
    >>> region = MultiPolygon([box(19, 49, 21, 51), box(-80, 40, -79, 41)])
    >>> cells = pd.DataFrame({"lat": [50, 40.5], "lon": [20, -79.5], "share": [0.9, 0.1]})
    >>> main_parts(region, cells, 0.8)
    [[49.0, 19.0], [51.0, 21.0]]
    """
    parts = np.asarray(shapely.get_parts(region))
    parts = parts[~shapely.is_empty(parts)]
    if not len(parts):
        return None
    points = shapely.points(cells["lon"].to_numpy(dtype=float), cells["lat"].to_numpy(dtype=float))
    point_idx, part_idx = shapely.STRtree(parts).query(points, predicate="intersects")
    share = cells["share"].to_numpy(dtype=float)
    held = np.bincount(part_idx, weights=share[point_idx], minlength=len(parts))
    if held.sum() <= 0:
        return None
    order = np.argsort(-held, kind="stable")
    need = int(np.searchsorted(np.cumsum(held[order]) / held.sum(), mass - 1e-9)) + 1
    return bounds_of(list(parts[order[:need]]))


def _weighted_quantiles(x: Any, w: Any, qs: tuple[float, ...]) -> list[float]:
    """Quantiles ``qs`` of values ``x`` with weights ``w``.

    >>> _weighted_quantiles(np.array([1.0, 2.0, 9.0]), np.array([1.0, 1.0, 0.01]), (0.0, 0.98))
    [1.0, 2.0]
    """
    order = np.argsort(x)
    cum = np.cumsum(w[order]) / w.sum()
    return [float(x[order][min(int(np.searchsorted(cum, q)), len(x) - 1)]) for q in qs]


class FitView(MacroElement):
    """Fit ``bounds`` in the part of the map not covered by its controls. Add last.

    The boxes in the four corners are measured; of a few ways to keep clear of
    them (strips at the top and bottom, columns at the sides, or a mix), the one
    leaving the largest free rectangle is used.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }}, bounds = L.latLngBounds({{ this.bounds }});
  var touched = false;
  function corner(v, h) {
    var root = map.getContainer(), box = root.getBoundingClientRect(), w = 0, t = 0;
    var el = root.querySelector(".leaflet-control-container .leaflet-" + v + ".leaflet-" + h);
    if (!el) return [0, 0];
    Array.prototype.forEach.call(el.children, function (c) {
      var r = c.getBoundingClientRect();
      if (!r.width || !r.height) return;
      w = Math.max(w, h === "left" ? r.right - box.left : box.right - r.left);
      t = Math.max(t, v === "top" ? r.bottom - box.top : box.bottom - r.top);
    });
    return [w, t];
  }
  function fit() {
    var size = map.getSize();
    if (!size.x || !size.y) return;
    var tl = corner("top", "left"), tr = corner("top", "right");
    var bl = corner("bottom", "left"), br = corner("bottom", "right"), m = 8;
    var ways = [  // [top, right, bottom, left]
      [Math.max(tl[1], tr[1]), 0, Math.max(bl[1], br[1]), 0],
      [0, Math.max(tr[0], br[0]), 0, Math.max(tl[0], bl[0])],
      [tl[1], Math.max(tr[0], br[0]), bl[1], 0],
      [tr[1], 0, br[1], Math.max(tl[0], bl[0])]
    ];
    var best = null, area = -1;
    ways.forEach(function (p) {
      var a = Math.max(0, size.x - p[1] - p[3] - 2 * m) * Math.max(0, size.y - p[0] - p[2] - 2 * m);
      if (a > area) { area = a; best = p; }
    });
    map.fitBounds(bounds, {paddingTopLeft: [best[3] + m, best[0] + m],
                           paddingBottomRight: [best[1] + m, best[2] + m],
                           maxZoom: {{ this.max_zoom }}, animate: false});
  }
  ["mousedown", "touchstart", "wheel", "keydown"].forEach(function (e) {
    map.getContainer().addEventListener(e, function () { touched = true; }, {passive: true});
  });
  map.on("resize", function () { if (!touched) fit(); });
  fit();
})();
{% endmacro %}
"""
    )

    def __init__(self, bounds: Bounds, *, max_zoom: int = MAX_ZOOM) -> None:
        super().__init__()
        self._name = "FitView"
        self.bounds = safe_json([[round(float(v), 5) for v in p] for p in bounds])
        self.max_zoom = int(max_zoom)
