"""One object's lead map: where its tips converge and how sure that is.

Layers (switchable): H3 cells of the probability surface, a heat map of the same,
shares by country and by admin1 region, the 50 %/80 % credible regions and the
top localities with a few supporting tip excerpts. A title box gives the object
id, tip counts and the verdict; a legend and a scale bar complete it. Everything
is aggregated (cells, regions, top places), so the page size does not grow with
the number of tips. ``embedded=True`` (the frame in the web app's object page) gives a
compact map: layer list folded into its button, a small title beside the zoom buttons,
a small legend with its details folded. The first view is fitted in the browser
between those boxes (:mod:`geoleads.maps.view`).

>>> from geoleads.narrow import summarize_tips            # doctest: +SKIP
>>> result = summarize_tips(tips)[0]                      # doctest: +SKIP
>>> save_map(lead_map(result), "maps/OBJ-1.html", standalone=True)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import folium
import pandas as pd

from geoleads.maps.assets import DEFAULT_STATIC_URL, OfflineHeatMap, OfflineMap
from geoleads.maps.basemap import add_basemap
from geoleads.maps.features import (
    MAX_CELLS,
    admin1_features,
    cell_features,
    cell_rows,
    coarsen_cells,
    country_features,
    credible_features,
    label_spacing_km,
    locality_points,
    pct,
)
from geoleads.maps.layers import (
    PALETTE,
    PEAK_BINS,
    SHARE_BINS,
    CellLayer,
    InfoBox,
    Legend,
    MapSupport,
    OutlineLayer,
    PlaceMarkers,
    ShareLayer,
    figure_title,
    ramp_item,
)
from geoleads.maps.view import FitView, verdict_area, view_bounds

if TYPE_CHECKING:
    from geoleads.gazetteer import Gazetteer

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
    embedded: bool = False,
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
    embedded
        A map shown in a frame of another page (the object page): layer list
        collapsed, compact title and legend. Default: a map that has the window.
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

    country_feats = country_features(summary, gaz)
    admin1_feats = admin1_features(summary, gaz)
    cells = coarsen_cells(result.surface, MAX_CELLS)
    if country_feats:
        ShareLayer(country_feats, name="Share by country", show=False).add_to(m)
    if admin1_feats:
        # shown by default, faint: region borders and names give the cells context
        ShareLayer(
            admin1_feats, name="Share by region (admin1)", fill_opacity=0.35, weight=1.0
        ).add_to(m)
    if len(cells):
        CellLayer(
            cell_features(cells), name="Probability surface (H3 cells)", bins=PEAK_BINS
        ).add_to(m)
        peak = float(cells["share"].max())
        heat = [[round(a, 4), round(o, 4), round(s / peak, 4)] for a, o, s in cell_rows(cells)]
        OfflineHeatMap(
            heat,
            name="Heat map",
            show=False,
            radius=14,
            blur=12,
            min_opacity=0.25,
            # the same yellow-to-red ramp as the cells and the legend
            gradient={
                0.2: PALETTE[1],
                0.4: PALETTE[2],
                0.6: PALETTE[3],
                0.8: PALETTE[4],
                1: PALETTE[5],
            },
        ).add_to(m)
    outlines = credible_features(result.credible_regions, summary)
    if outlines:
        OutlineLayer(outlines, name="Credible regions (50 %, 80 %)").add_to(m)
    area = verdict_area(summary, gaz, result.credible_regions)
    bounds = view_bounds(summary, result.surface, result.credible_regions, country_feats, area)
    points = locality_points(summary, result.leads, label_spacing_km(bounds), gaz)
    if points:
        PlaceMarkers(points, name="Top localities").add_to(m)

    InfoBox(_title_lines(result, embedded), compact=embedded).add_to(m)
    Legend(_legend(bool(len(cells)), bool(outlines), bool(points)), compact=embedded).add_to(m)
    folium.LayerControl(collapsed=embedded, position="topright").add_to(m)
    if bounds:
        FitView(bounds).add_to(m)  # last: it measures the boxes above
    return m


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


def _title_lines(result: ObjectResultLike, compact: bool = False) -> list[tuple[str, str]]:
    s = result.summary
    if compact:  # the page around the frame gives the counts and rankings
        return [(f"Object {result.object_id}", ""), verdict_text(s)]
    lines = [
        (f"Object {result.object_id}", ""),
        (f"{s.get('tips', 0)} tips, {s.get('tips_with_places', 0)} name a place", ""),
        verdict_text(s),
    ]
    countries = s.get("countries") or []
    if countries:
        top = ", ".join(
            f"{c.get('name') or c.get('code')} {pct(float(c['share']))}" for c in countries[:3]
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
