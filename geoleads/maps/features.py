"""Object result -> compact GeoJSON features and marker data for the lead map.

Everything is aggregated: H3 cells (merged to at most :data:`MAX_CELLS`), ranked
countries/regions, the top localities with a few tip excerpts. Tip text stays plain
text here; the page puts it in the DOM as text (see :mod:`geoleads.maps.layers`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import h3
import numpy as np
import pandas as pd
import shapely

from geoleads.maps.geojson import feature
from geoleads.maps.layers import PALETTE, SHARE_BINS

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
#: A credible region with more parts than this is drawn without parts under SPECK_DEG2
#: (about two H3 cells); the cell layer still shows them.
FRAGMENTED_PARTS = 50
SPECK_DEG2 = 0.01
#: Outline styles of the credible regions.
CREDIBLE_STYLE = {
    50: {"color": "#08306b", "weight": 3, "fill": False},
    80: {"color": "#08306b", "weight": 2, "dashArray": "6 5", "fill": False},
}


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


def cell_rows(cells: pd.DataFrame) -> list[tuple[float, float, float]]:
    return list(
        zip(cells["lat"].astype(float), cells["lon"].astype(float), cells["share"], strict=True)
    )


def pct(share: float) -> str:
    pct = 100 * share
    return f"{pct:.0f} %" if pct >= 10 else f"{pct:.1f} %" if pct >= 0.1 else f"{pct:.2f} %"


def cell_features(cells: pd.DataFrame) -> list[list[float]]:
    """``[v, share, lat0, lon0, ...]`` per cell for :class:`~geoleads.maps.layers.CellLayer`."""
    peak = float(cells["share"].max())
    out = []
    for cell, share in zip(cells["h3"], cells["share"], strict=True):
        row = [round(float(share) / peak, 3), round(float(share), 6)]
        for lat, lng in h3.cell_to_boundary(cell):  # (lat, lng), as Leaflet wants
            row += [round(lat, 3), round(lng, 3)]
        out.append(row)
    return out


def country_features(summary: dict[str, Any], gaz: Gazetteer) -> list[dict[str, Any]]:
    shapes = gaz.country_shapes().set_index("code")
    feats = []
    for row in summary.get("countries", []):
        code = row.get("code")
        if code not in shapes.index or not row.get("share"):
            continue
        props = {
            "v": float(row["share"]),
            "t": f"{row.get('name') or code}: {pct(float(row['share']))}",
            "l": [f"{row.get('tips', 0)} tip(s) point here"],
        }
        feats.append(feature(shapes.at[code, "geometry"], props, tolerance=0.02, min_area=0.01))
    return feats


def admin1_features(summary: dict[str, Any], gaz: Gazetteer) -> list[dict[str, Any]]:
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
            f"{pct(float(row['share']))}",
            "l": [f"{row.get('tips', 0)} tip(s) point here", "approximate region borders"],
        }
        feats.append(feature(geom, props, tolerance=0.01, min_area=0.001))
    return feats


def credible_features(regions: dict[int, Any], summary: dict[str, Any]) -> list[dict[str, Any]]:
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
        # a surface spread over a country makes thousands of specks: draw the bigger parts
        fragmented = len(shapely.get_parts(geom)) > FRAGMENTED_PARTS
        small = SPECK_DEG2 if fragmented else 0.0
        feats.append(feature(geom, props, tolerance=0.01, precision=3, min_area=small))
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


def label_spacing_km(bounds: list[list[float]] | None) -> float:
    """Labels closer than a sixth of the view's width would overlap: keep them apart."""
    from geoleads.gazetteer import haversine_km

    if not bounds:
        return LABEL_SPACING_KM
    (south, west), (north, east) = bounds
    mid = (south + north) / 2
    width = float(haversine_km(mid, west, mid, east))
    return max(LABEL_SPACING_KM, width / 6)


def locality_points(
    summary: dict[str, Any],
    leads: pd.DataFrame,
    spacing_km: float = 40.0,
    gaz: Gazetteer | None = None,
) -> list[dict[str, Any]]:
    top = [r for r in summary.get("localities", []) if r.get("share")][:TOP_LOCALITIES]
    if not top:
        return []
    quotes = tip_quotes(leads, [r.get("geonameid") for r in top])
    labelled = spread_out(top, LABELLED, spacing_km)
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
                # absolute: equal small circles mean "no place stands out"
                "r": round(4 + 16 * share**0.5, 1),
                "c": colour,
                "t": f"{row.get('name')} ({where})" if where else str(row.get("name")),
                "l": [f"{pct(share)} of the probability, {row.get('tips', 0)} tip(s)"]
                + (["Supporting tips:"] if quotes.get(row.get("geonameid")) else []),
                "q": quotes.get(row.get("geonameid"), []),
                "label": f"{row.get('name')} {pct(share)}" if i in labelled else None,
            }
        )
    return points


def spread_out(rows: list[dict[str, Any]], n: int, km: float) -> set[int]:
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


def tip_quotes(leads: pd.DataFrame, geonameids: list[Any]) -> dict[Any, list[str]]:
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
