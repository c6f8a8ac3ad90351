"""Small folium elements that draw geoleads layers with plain Leaflet.

Every piece of text that may come from a tip or a tip file (object ids, tip
excerpts, mention surfaces) reaches the page only as JSON data and is put into
the DOM with ``textContent``, never as HTML: a tip reading
``<img src=x onerror=alert(1)>`` shows as those characters. JSON is embedded with
``<``, ``>`` and ``&`` escaped, so it cannot close the surrounding ``<script>``.

>>> safe_json({"t": "</script><b>"})
'{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from jinja2 import Template

#: Sequential palette (ColorBrewer YlOrRd, 6 classes), light to dark.
PALETTE = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")
#: Share thresholds of the choropleths (fraction of the object's probability mass).
SHARE_BINS = (0.0, 0.01, 0.05, 0.1, 0.25, 0.5)
#: Thresholds of the H3 cells, relative to the strongest cell.
PEAK_BINS = (0.0, 0.05, 0.15, 0.3, 0.5, 0.75)
#: Our own panes and their z-index (Leaflet: tiles 200, overlays 400, markers 600).
PANES = {"gl-base": 250, "gl-choro": 350, "gl-cells": 400, "gl-outline": 450, "gl-points": 620}


def safe_json(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


class MapSupport(MacroElement):
    """Panes, CSS and the JS helpers (``geoleads.card`` ...) every layer uses. Add first."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<link rel="icon" href="data:,">
<style>
.leaflet-container { background: #d4e6f1; font-family: system-ui, sans-serif; }
.gl-box { background: rgba(255,255,255,.93); padding: 8px 10px; border-radius: 6px;
  box-shadow: 0 1px 4px rgba(0,0,0,.35); font-size: 13px; line-height: 1.35; max-width: 340px; }
.gl-title h1 { font-size: 16px; margin: 0 0 2px 0; }
.gl-title .gl-verdict { font-weight: 600; }
.gl-title .gl-none { color: #8a3b00; }
.gl-legend h2 { font-size: 12px; margin: 6px 0 2px 0; }
.gl-legend h2:first-child { margin-top: 0; }
.gl-swatch { display: inline-block; width: 14px; height: 12px; margin-right: 6px;
  vertical-align: -2px; border: 1px solid #777; }
.gl-ramp { display: inline-block; width: 26px; height: 12px; border: 1px solid #999;
  border-right: 0; }
.gl-ramp:last-child { border-right: 1px solid #999; }
.gl-ramp-label { font-size: 11px; color: #444; }
.leaflet-control-layers { font-size: 12px; }
.gl-line { display: inline-block; width: 22px; height: 0; margin-right: 6px;
  vertical-align: 3px; border-top: 2px solid #222; }
.gl-card { font-size: 13px; line-height: 1.35; }
.gl-card b { display: block; margin-bottom: 2px; }
.gl-card blockquote { margin: 4px 0 0 0; padding: 2px 6px; border-left: 3px solid #bd0026;
  background: #f7f7f7; white-space: pre-wrap; overflow-wrap: anywhere; }
.gl-label { background: rgba(255,255,255,.85); border: 0; box-shadow: none; padding: 0 3px;
  font-weight: 600; }
.gl-label:before { display: none; }
.gl-legend summary { cursor: pointer; font-size: 12px; font-weight: 600; }
.gl-legend details[open] > summary { margin-bottom: 4px; }
.gl-compact { font-size: 11px; line-height: 1.25; padding: 5px 7px; max-width: 270px; }
.gl-compact h1 { font-size: 13px; }
.gl-compact h2 { font-size: 11px; margin: 3px 0 1px 0; }
.gl-compact .gl-ramp { width: 18px; height: 9px; }
.gl-compact .gl-ramp-label { font-size: 10px; }
.gl-compact summary { font-size: 11px; font-weight: 400; color: #333; }
.leaflet-left .leaflet-control.gl-beside { clear: none; }
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
{% for pane, z in this.panes.items() %}
{{ this._parent.get_name() }}.createPane({{ pane|tojson }}).style.zIndex = {{ z }};
{% endfor %}
{{ this._parent.get_name() }}.getPane("gl-base").style.pointerEvents = "none";
window.geoleads = window.geoleads || {
  colour: function (v, bins, colours) {
    for (var i = bins.length - 1; i > 0; i--) { if (v >= bins[i]) return colours[i]; }
    return colours[0];
  },
  el: function (tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  },
  card: function (p) {
    var g = window.geoleads, box = g.el("div", null, "gl-card");
    box.appendChild(g.el("b", p.t));
    (p.l || []).forEach(function (line) { box.appendChild(g.el("div", line)); });
    (p.q || []).forEach(function (q) { box.appendChild(g.el("blockquote", q)); });
    return box;
  }
};
{% endmacro %}
"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MapSupport"
        self.panes = PANES


class ShareLayer(Layer):
    """Polygons coloured by a value ``v`` with a tooltip card (``t``, ``l``, ``q``).

    Parameters
    ----------
    features
        GeoJSON features; properties ``v`` (colour value), ``t`` (title),
        ``l`` (list of lines), optionally ``q`` (quotes).
    bins, colours
        Lower bounds of the colour classes and their colours.
    canvas
        Draw on a canvas (thousands of cells) instead of SVG.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
  pane: {{ this.pane|tojson }},
  {% if this.canvas %}renderer: L.canvas({pane: {{ this.pane|tojson }}}),{% endif %}
  style: function (f) {
    var v = f.properties.v, bins = {{ this.bins }};
    return {fillColor: geoleads.colour(v, bins, {{ this.colours }}),
            fillOpacity: {{ this.fill_opacity }} * (v >= bins[1] ? 1 : 0.45),
            color: {{ this.line_colour|tojson }},
            weight: {{ this.weight }}, opacity: 0.9};
  },
  onEachFeature: function (f, layer) {
    layer.bindTooltip(function () { return geoleads.card(f.properties); }, {sticky: true});
  }
});
{% endmacro %}
"""
    )

    def __init__(
        self,
        features: list[dict[str, Any]],
        *,
        name: str,
        bins: Sequence[float] = SHARE_BINS,
        colours: Sequence[str] = PALETTE,
        pane: str = "gl-choro",
        canvas: bool = False,
        fill_opacity: float = 0.7,
        line_colour: str = "#555555",
        weight: float = 0.6,
        show: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "ShareLayer"
        self.data = safe_json({"type": "FeatureCollection", "features": features})
        self.bins = safe_json(list(bins))
        self.colours = safe_json(list(colours))
        self.pane = pane
        self.canvas = canvas
        self.fill_opacity = fill_opacity
        self.line_colour = line_colour
        self.weight = weight


class CellLayer(Layer):
    """H3 cells on a canvas, coloured against the strongest cell; compact flat arrays.

    ``cells``: ``[v, share, lat0, lon0, lat1, lon1, ...]`` per cell, ``v`` = share
    relative to the strongest cell (0..1).
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.featureGroup();
(function () {
  var renderer = L.canvas({pane: "gl-cells"}), bins = {{ this.bins }}, colours = {{ this.colours }};
  var pct = function (s) {
    var x = 100 * s;
    return (x >= 10 ? x.toFixed(0) : x >= 0.1 ? x.toFixed(1) : x.toFixed(2)) + " %";
  };
  {{ this.data }}.forEach(function (c) {
    var ring = [];
    for (var i = 2; i < c.length; i += 2) ring.push([c[i], c[i + 1]]);
    var v = c[0];
    var cell = L.polygon(ring, {renderer: renderer, pane: "gl-cells", stroke: false,
      fillColor: geoleads.colour(v, bins, colours), fillOpacity: v >= bins[1] ? 0.75 : 0.35});
    cell.bindTooltip(function () {
      return geoleads.card({t: pct(c[1]) + " of the probability",
                            l: [Math.round(100 * v) + " % of the strongest cell"]});
    }, {sticky: true});
    cell.addTo({{ this.get_name() }});
  });
})();
{% endmacro %}
"""
    )

    def __init__(
        self, cells: list[list[float]], *, name: str, bins: Sequence[float], show: bool = True
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "CellLayer"
        self.data = safe_json(cells)
        self.bins = safe_json(list(bins))
        self.colours = safe_json(list(PALETTE))


class OutlineLayer(Layer):
    """Unfilled outlines (credible regions, basemap borders), optional tooltip card."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
  pane: {{ this.pane|tojson }},
  interactive: {{ this.interactive|tojson }},
  style: function (f) { return f.properties.s; },
  onEachFeature: function (f, layer) {
    if (f.properties.t) {
      layer.bindTooltip(function () { return geoleads.card(f.properties); }, {sticky: true});
    }
  }
});
{% endmacro %}
"""
    )

    def __init__(
        self,
        features: list[dict[str, Any]],
        *,
        name: str,
        pane: str = "gl-outline",
        interactive: bool = True,
        overlay: bool = True,
        control: bool = True,
        show: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "OutlineLayer"
        self.data = safe_json({"type": "FeatureCollection", "features": features})
        self.pane = pane
        self.interactive = interactive


class PlaceMarkers(Layer):
    """Circle markers (no icon images) with a popup card and an optional name label.

    ``points``: dicts with ``lat``, ``lon``, ``r`` (radius px), ``c`` (colour),
    ``t``, ``l``, ``q`` (card) and ``label`` (permanent label text or ``None``).
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.featureGroup();
{{ this.data }}.slice().reverse().forEach(function (p) {  // biggest drawn last, on top
  var m = L.circleMarker([p.lat, p.lon], {pane: "gl-points", radius: p.r, color: "#222",
    weight: 1.5, fillColor: p.c, fillOpacity: 0.9});
  m.bindPopup(function () { return geoleads.card(p); }, {maxWidth: 360});
  if (p.label) {
    m.bindTooltip(geoleads.el("span", p.label), {permanent: true, direction: "right",
      offset: [p.r, 0], className: "gl-label"});
  } else {
    m.bindTooltip(geoleads.el("span", p.t), {direction: "right", offset: [p.r, 0]});
  }
  m.addTo({{ this.get_name() }});
});
{% endmacro %}
"""
    )

    def __init__(self, points: list[dict[str, Any]], *, name: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "PlaceMarkers"
        self.data = safe_json(points)


class InfoBox(MacroElement):
    """A Leaflet control showing a title box (lines built with ``textContent``).

    ``lines``: ``(text, css_class)`` pairs; the first is the heading. It sits beside
    the zoom buttons, not under them. ``compact``: small type (an embedded map).
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var box = L.control({position: {{ this.position|tojson }}});
  box.onAdd = function () {
    var div = geoleads.el("div", null, "gl-box gl-beside " + {{ this.css|tojson }});
    if ({{ this.compact|tojson }}) div.className += " gl-compact";
    {{ this.data }}.forEach(function (line, i) {
      div.appendChild(geoleads.el(i === 0 ? "h1" : "div", line[0], line[1]));
    });
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  box.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""
    )

    def __init__(
        self,
        lines: list[tuple[str, str]],
        *,
        position: str = "topleft",
        css: str = "gl-title",
        compact: bool = False,
    ) -> None:
        super().__init__()
        self._name = "InfoBox"
        self.data = safe_json([list(line) for line in lines])
        self.position = position
        self.css = css
        self.compact = compact


class Legend(MacroElement):
    """A legend control: sections of swatches (fill colour) or line styles.

    ``sections``: ``(heading, [(kind, style, label), ...])`` with ``kind`` one of
    ``"fill"`` (style = colour), ``"line"`` (style = CSS border-top value) or
    ``"ramp"`` (style = comma-separated colours, label under the ramp).
    It folds away under its "Legend" line; ``compact`` (an embedded map): small type,
    the first section always shown and the others folded under "More".
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var compact = {{ this.compact|tojson }};
    var outer = geoleads.el("div", null, "gl-box gl-legend" + (compact ? " gl-compact" : ""));
    var more = geoleads.el("details"), target = more;
    more.appendChild(geoleads.el("summary", compact ? "More" : "Legend"));
    if (!compact) { more.open = true; outer.appendChild(more); }
    L.DomEvent.disableClickPropagation(outer);
    L.DomEvent.disableScrollPropagation(outer);
    {{ this.data }}.forEach(function (section, n) {
      // compact: the first section always shown, the others behind "More"
      var div = compact && n === 0 ? outer : target;
      div.appendChild(geoleads.el("h2", section[0]));
      section[1].forEach(function (item) {
        var row = geoleads.el("div");
        if (item[0] === "ramp") {
          item[1].split(",").forEach(function (c) {
            var sw = geoleads.el("span", null, "gl-ramp");
            sw.style.background = c;
            row.appendChild(sw);
          });
          div.appendChild(row);
          div.appendChild(geoleads.el("div", item[2], "gl-ramp-label"));
          return;
        }
        var key = geoleads.el("span", null, item[0] === "fill" ? "gl-swatch" : "gl-line");
        if (item[0] === "fill") key.style.background = item[1];
        else key.style.borderTop = item[1];
        row.appendChild(key);
        row.appendChild(document.createTextNode(item[2]));
        div.appendChild(row);
      });
    });
    if (compact && more.children.length > 1) outer.appendChild(more);
    return outer;
  };
  legend.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""
    )

    def __init__(
        self, sections: list[tuple[str, list[tuple[str, str, str]]]], *, compact: bool = False
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.data = safe_json([[h, [list(i) for i in items]] for h, items in sections])
        self.compact = compact


def ramp_item(bins: Sequence[float], unit: str = "%") -> tuple[str, str, str]:
    """A legend ramp of :data:`PALETTE` with its class bounds (``bins`` are fractions).

    >>> ramp_item((0.0, 0.5))[2]
    '0 · 50 · 100 %'
    """
    marks = " · ".join(f"{b * 100:g}" for b in (*bins, 1.0))
    return ("ramp", ",".join(PALETTE[: len(bins)]), f"{marks} {unit}")


def figure_title(figure: Element, title: str) -> None:
    """Set the page ``<title>`` (escaped by branca's template? no: escape here)."""
    import html

    if isinstance(figure, Figure):
        figure.title = html.escape(title)
