"""One object's lead map: where its tips converge and how sure that is.

Layers (switchable): H3 cells of the probability surface, a heat map of the same,
shares by country and by admin1 region, the 50 %/80 % credible regions and the
top localities with a few supporting tip excerpts. A title box gives the object
id, tip counts and the verdict; a legend and a scale bar complete it. Everything
is aggregated (cells, regions, top places), so the page size does not grow with
the number of tips.

>>> from geoleads.narrow import summarize_tips            # doctest: +SKIP
>>> result = summarize_tips(tips)[0]                      # doctest: +SKIP
>>> save_map(lead_map(result), "maps/OBJ-1.html", standalone=True)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import folium
import h3
import numpy as np
import pandas as pd
import shapely

from geoleads.maps.assets import DEFAULT_STATIC_URL, OfflineHeatMap, OfflineMap
from geoleads.maps.basemap import add_basemap
from geoleads.maps.geojson import bounds_of, feature
from geoleads.maps.layers import (
    PALETTE,
    PEAK_BINS,
    SHARE_BINS,
    InfoBox,
    Legend,
    MapSupport,
    OutlineLayer,
    PlaceMarkers,
    ShareLayer,
    figure_title,
    ramp_item,
)

if TYPE_CHECKING:
    from geoleads.gazetteer import Gazetteer

#: At most this many H3 cells are drawn; finer surfaces are merged into parent cells.
MAX_CELLS = 3000
#: Localities shown as markers, and how many of them get a permanent name label.
TOP_LOCALITIES = 12
LABELLED = 5
#: Least distance (km) between two labelled localities (more when zoomed out).
LABEL_SPACING_KM = 40.0
#: Tip excerpts per locality popup, and their length around the mention.
EXCERPTS = 3
EXCERPT_BEFORE, EXCERPT_AFTER = 60, 120
#: Outline styles of the credible regions.
CREDIBLE_STYLE = {
    50: {"color": "#08306b", "weight": 3, "fill": False},
    80: {"color": "#08306b", "weight": 2, "dashArray": "6 5", "fill": False},
}
LEVEL_LABEL = {"country": "country", "admin1": "region", "locality": "town/village"}


class ObjectResultLike(Protocol):
    """What a lead map reads from :class:`geoleads.narrow.ObjectResult` (contract 6)."""

    @property
    def object_id(self) -> str: ...
    @property
    def summary(self) -> dict[str, Any]: ...
    @property
    def surface(self) -> pd.DataFrame: ...
    @property
    def credible_regions(self) -> dict[int, Any]: ...
    @property
    def leads(self) -> pd.DataFrame: ...


def lead_map(
    result: ObjectResultLike,
    *,
    standalone: bool = False,
    tiles: str | None = None,
    static_url: str = DEFAULT_STATIC_URL,
    gazetteer: Gazetteer | None = None,
) -> folium.Map:
    """The lead map of one object.

    Parameters
    ----------
    result
        One :class:`~geoleads.narrow.ObjectResult`.
    standalone
        Inline every asset (a single file that opens from disk); else link them
        under ``static_url`` (a page of the web app).
    tiles
        Optional tile URL template (internal tile server); default from the
        ``GEOLEADS_TILES`` setting, else none.
    """
    from geoleads.config import Settings
    from geoleads.gazetteer import get_gazetteer

    gaz = gazetteer or get_gazetteer()
    tiles = tiles if tiles is not None else Settings.from_env().tiles
    summary = result.summary
    m = OfflineMap(
        asset_url=None if standalone else static_url,
        location=_centre(summary),
        zoom_start=5,
        control_scale=True,
    )
    MapSupport().add_to(m)
    add_basemap(m, gaz, tiles=tiles)
    figure_title(m.get_root(), f"geoleads – {result.object_id}")

    country_feats = _country_features(summary, gaz)
    admin1_feats = _admin1_features(summary, gaz)
    cells = coarsen_cells(result.surface, MAX_CELLS)
    if country_feats:
        ShareLayer(country_feats, name="Share by country", show=False).add_to(m)
    if admin1_feats:
        # shown by default, faint: region borders and names give the cells context
        ShareLayer(
            admin1_feats, name="Share by region (admin1)", fill_opacity=0.35, weight=1.0
        ).add_to(m)
    if len(cells):
        ShareLayer(
            _cell_features(cells),
            name="Probability surface (H3 cells)",
            bins=PEAK_BINS,
            pane="gl-cells",
            canvas=True,
            fill_opacity=0.75,
            weight=0,
        ).add_to(m)
        peak = float(cells["share"].max())
        heat = [[round(a, 4), round(o, 4), round(s / peak, 4)] for a, o, s in _rows(cells)]
        OfflineHeatMap(
            heat, name="Heat map", show=False, radius=14, blur=12, min_opacity=0.25
        ).add_to(m)
    outlines = _credible_features(result.credible_regions, summary)
    if outlines:
        OutlineLayer(outlines, name="Credible regions (50 %, 80 %)").add_to(m)
    bounds = _bounds(result.credible_regions, cells, country_feats)
    points = _locality_points(summary, result.leads, _label_spacing_km(bounds), gaz)
    if points:
        PlaceMarkers(points, name="Top localities").add_to(m)

    InfoBox(_title_lines(result)).add_to(m)
    Legend(_legend(bool(len(cells)), bool(outlines), bool(points))).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    if bounds:
        # room for the title box (top left), layer list and legend (right)
        m.fit_bounds(bounds, max_zoom=8, padding_top_left=(30, 150), padding_bottom_right=(300, 30))
    return m


# --- data -> features ---------------------------------------------------------
def coarsen_cells(surface: pd.DataFrame, max_cells: int) -> pd.DataFrame:
    """``h3``, ``lat``, ``lon``, ``share`` with at most ``max_cells`` rows (parents merged).

    >>> s = pd.DataFrame({"h3": ["861e3504fffffff", "861e35047ffffff"], "share": [0.6, 0.4]})
    >>> coarsen_cells(s, 1)["share"].tolist()
    [1.0]
    """
    if surface is None or not len(surface):
        return pd.DataFrame(columns=["h3", "lat", "lon", "share"])
    cells = surface[["h3", "share"]].copy()
    cells = cells[cells["share"] > 0]
    res = h3.get_resolution(str(cells["h3"].iloc[0]))
    while len(cells) > max_cells and res > 0:
        res -= 1
        cells["h3"] = [h3.cell_to_parent(c, res) for c in cells["h3"]]
        cells = cells.groupby("h3", as_index=False)["share"].sum()
    centres = [h3.cell_to_latlng(c) for c in cells["h3"]]
    cells["lat"] = [c[0] for c in centres]
    cells["lon"] = [c[1] for c in centres]
    return cells.sort_values("share", ascending=False).reset_index(drop=True)


def _rows(cells: pd.DataFrame) -> list[tuple[float, float, float]]:
    return list(
        zip(cells["lat"].astype(float), cells["lon"].astype(float), cells["share"], strict=True)
    )


def _pct(share: float) -> str:
    pct = 100 * share
    return f"{pct:.0f} %" if pct >= 10 else f"{pct:.1f} %" if pct >= 0.1 else f"{pct:.2f} %"


def _cell_features(cells: pd.DataFrame) -> list[dict[str, Any]]:
    peak = float(cells["share"].max())
    feats = []
    for cell, share in zip(cells["h3"], cells["share"], strict=True):
        # h3 gives (lat, lng); GeoJSON wants [lng, lat], ring closed.
        ring = [[round(lng, 4), round(lat, 4)] for lat, lng in h3.cell_to_boundary(cell)]
        ring.append(ring[0])
        props = {
            "v": round(float(share) / peak, 4),
            "t": f"{_pct(float(share))} of the probability",
            "l": [f"{float(share) / peak:.0%} of the strongest cell", f"H3 cell {cell}"],
        }
        feats.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return feats


def _country_features(summary: dict[str, Any], gaz: Gazetteer) -> list[dict[str, Any]]:
    shapes = gaz.country_shapes().set_index("code")
    feats = []
    for row in summary.get("countries", []):
        code = row.get("code")
        if code not in shapes.index or not row.get("share"):
            continue
        props = {
            "v": float(row["share"]),
            "t": f"{row.get('name') or code}: {_pct(float(row['share']))}",
            "l": [f"{row.get('tips', 0)} tip(s) point here"],
        }
        feats.append(feature(shapes.at[code, "geometry"], props, tolerance=0.02, min_area=0.01))
    return feats


def _admin1_features(summary: dict[str, Any], gaz: Gazetteer) -> list[dict[str, Any]]:
    rows = [r for r in summary.get("admin1", []) if r.get("share")]
    if not rows:
        return []
    from geoleads.regions import admin1_shapes

    shapes = admin1_shapes(gaz).set_index("code")
    feats = []
    for row in rows:
        code = row.get("code")
        if code not in shapes.index:
            continue
        geom = shapes.loc[code, "geometry"]
        if isinstance(geom, pd.Series):
            geom = shapely.union_all(geom.to_numpy())
        props = {
            "v": float(row["share"]),
            "t": f"{row.get('name') or code} ({row.get('country', '')}): "
            f"{_pct(float(row['share']))}",
            "l": [f"{row.get('tips', 0)} tip(s) point here", "approximate region borders"],
        }
        feats.append(feature(geom, props, tolerance=0.01, min_area=0.001))
    return feats


def _credible_features(regions: dict[int, Any], summary: dict[str, Any]) -> list[dict[str, Any]]:
    areas = summary.get("credible_region_km2") or {}
    feats = []
    for level in sorted(regions or {}, reverse=True):
        geom = regions[level]
        if geom is None or geom.is_empty:
            continue
        km2 = areas.get(str(level), areas.get(level))
        lines = [f"{km2:,.0f} km²"] if km2 is not None else []
        lines.append(f"{level} % of the probability lies inside")
        style = CREDIBLE_STYLE.get(int(level), CREDIBLE_STYLE[80])
        props = {"t": f"{level} % credible region", "l": lines, "s": style}
        feats.append(feature(geom, props, tolerance=0.005, precision=4))
    return feats


def excerpt(text: str, mention: str | None) -> str:
    """A window of ``text`` around ``mention`` (plain text, escaped later by the page).

    >>> excerpt("x" * 100 + " seen in Kraków, really " + "y" * 200, "Kraków")[:12]
    '…xxxxxxxxxxx'
    """
    text = " ".join(str(text).split())
    at = text.lower().find(str(mention).lower()) if mention else -1
    at = max(at, 0)
    start, end = max(0, at - EXCERPT_BEFORE), min(len(text), at + EXCERPT_AFTER)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _label_spacing_km(bounds: list[list[float]] | None) -> float:
    """Labels closer than a sixth of the view's width would overlap: keep them apart."""
    from geoleads.gazetteer import haversine_km

    if not bounds:
        return LABEL_SPACING_KM
    (south, west), (north, east) = bounds
    mid = (south + north) / 2
    width = float(haversine_km(mid, west, mid, east))
    return max(LABEL_SPACING_KM, width / 6)


def _locality_points(
    summary: dict[str, Any],
    leads: pd.DataFrame,
    spacing_km: float = 40.0,
    gaz: Gazetteer | None = None,
) -> list[dict[str, Any]]:
    top = [r for r in summary.get("localities", []) if r.get("share")][:TOP_LOCALITIES]
    if not top:
        return []
    quotes = _quotes(leads, [r.get("geonameid") for r in top])
    biggest = max(float(r["share"]) for r in top)
    labelled = _spread_out(top, LABELLED, spacing_km)
    points = []
    for i, row in enumerate(top):
        share = float(row["share"])
        region = row.get("admin1")
        if region and gaz is not None and gaz.has_admin1(str(region)):
            region = gaz.admin1(str(region)).name
        where = ", ".join(str(x) for x in (region, row.get("country")) if x)
        colour = PALETTE[int(np.searchsorted(SHARE_BINS, share, side="right")) - 1]
        points.append(
            {
                "lat": round(float(row["lat"]), 5),
                "lon": round(float(row["lon"]), 5),
                "r": round(5 + 11 * (share / biggest) ** 0.5, 1),
                "c": colour,
                "t": f"{row.get('name')} ({where})" if where else str(row.get("name")),
                "l": [f"{_pct(share)} of the probability, {row.get('tips', 0)} tip(s)"]
                + (["Supporting tips:"] if quotes.get(row.get("geonameid")) else []),
                "q": quotes.get(row.get("geonameid"), []),
                "label": f"{row.get('name')} {_pct(share)}" if i in labelled else None,
            }
        )
    return points


def _spread_out(rows: list[dict[str, Any]], n: int, km: float) -> set[int]:
    """Indexes of up to ``n`` rows, best first, none within ``km`` of an earlier pick."""
    from geoleads.gazetteer import haversine_km

    picked: list[int] = []
    for i, row in enumerate(rows):
        if len(picked) >= n:
            break
        lat, lon = float(row["lat"]), float(row["lon"])
        if all(haversine_km(lat, lon, rows[j]["lat"], rows[j]["lon"]) >= km for j in picked):
            picked.append(i)
    return set(picked)


def _quotes(leads: pd.DataFrame, geonameids: list[Any]) -> dict[Any, list[str]]:
    """Up to :data:`EXCERPTS` distinct tip excerpts per geonameid, strongest first."""
    if leads is None or not len(leads) or "geonameid" not in leads.columns:
        return {}
    hits = leads[leads["geonameid"].isin([g for g in geonameids if g is not None])]
    if "weight" in hits.columns:
        hits = hits.sort_values("weight", ascending=False, kind="stable")
    hits = hits.drop_duplicates(["geonameid", "tip_id"])
    out: dict[Any, list[str]] = {}
    for gid, group in hits.groupby("geonameid", sort=False):
        seen: list[str] = []
        for text, mention in zip(group["text"], group["mention"], strict=True):
            quote = excerpt(text, mention)
            if quote not in seen:  # duplicate tips say the same thing once
                seen.append(quote)
            if len(seen) >= EXCERPTS:
                break
        out[gid] = seen
    return out


# --- title, legend, view ------------------------------------------------------------
def verdict_text(summary: dict[str, Any]) -> tuple[str, str]:
    """One line for the verdict and its CSS class."""
    v = summary.get("verdict") or {}
    level = v.get("level", "none")
    if level in (None, "none"):
        return "No convergence: the tips do not point to one area", "gl-verdict gl-none"
    what = LEVEL_LABEL.get(level, level)
    conf = v.get("confidence")
    sure = f", confidence {conf:.0%}" if isinstance(conf, int | float) else ""
    return f"Verdict: {v.get('name') or v.get('code')} ({what}){sure}", "gl-verdict"


def _title_lines(result: ObjectResultLike) -> list[tuple[str, str]]:
    s = result.summary
    lines = [
        (f"Object {result.object_id}", ""),
        (f"{s.get('tips', 0)} tips, {s.get('tips_with_places', 0)} name a place", ""),
        verdict_text(s),
    ]
    countries = s.get("countries") or []
    if countries:
        top = ", ".join(
            f"{c.get('name') or c.get('code')} {_pct(float(c['share']))}" for c in countries[:3]
        )
        lines.append((f"Top countries: {top}", ""))
    return lines


def _legend(
    cells: bool, outlines: bool, points: bool
) -> list[tuple[str, list[tuple[str, str, str]]]]:
    sections: list[tuple[str, list[tuple[str, str, str]]]] = []
    if cells:
        sections.append(("Probability per cell, % of the strongest", [ramp_item(PEAK_BINS)]))
    if outlines:
        sections.append(
            (
                "Credible regions",
                [
                    ("line", "3px solid #08306b", "50 % of the probability inside"),
                    ("line", "2px dashed #08306b", "80 % of the probability inside"),
                ],
            )
        )
    if points:
        sections.append(("Top localities", [("fill", PALETTE[4], "circle size = share; click")]))
    sections.append(("Country / region layers: share", [ramp_item(SHARE_BINS)]))
    return sections


def _centre(summary: dict[str, Any]) -> list[float]:
    peak = summary.get("peak") or {}
    if peak.get("lat") is not None and peak.get("lon") is not None:
        return [float(peak["lat"]), float(peak["lon"])]
    return [50.0, 15.0]  # Europe


def _bounds(
    regions: dict[int, Any], cells: pd.DataFrame, country_feats: list[dict[str, Any]]
) -> list[list[float]] | None:
    for level in (80, 50):
        geom = (regions or {}).get(level)
        if geom is not None and not geom.is_empty:
            return bounds_of([geom])
    if len(cells):
        lat, lon = cells["lat"], cells["lon"]
        return [[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]]
    if country_feats:
        return bounds_of([shapely.geometry.shape(f["geometry"]) for f in country_feats[:3]])
    return None
