"""Object results for map tests, built from real gazetteer places and the real surface model.

When :mod:`geoleads.narrow` exists the tests prefer its ``summarize_tips`` on real
tips; these builders give results with known content (hostile tip texts, a given
number of tips) without depending on the narrowing rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from geoleads.gazetteer import Gazetteer
from geoleads.leads import Candidate, Mention
from geoleads.surface import SurfaceModel, cells_frame_geometry, cells_geometry


@dataclass
class Result:
    """The fields of contract 6's ``ObjectResult`` that maps read."""

    object_id: str
    summary: dict[str, Any]
    surface: pd.DataFrame
    credible_regions: dict[int, Any] = field(default_factory=dict)
    leads: pd.DataFrame = field(default_factory=pd.DataFrame)

    def surface_gdf(self) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(
            self.surface, geometry=cells_frame_geometry(self.surface["h3"]), crs=4326
        )


def build_result(
    gaz: Gazetteer,
    object_id: str,
    tips: list[tuple[str, str, list[tuple[str, Any, str]]]],
    model: SurfaceModel | None = None,
) -> Result:
    """A result from ``tips``: ``(tip_id, text, [(level, geonameid|code, mention), ...])``.

    ``level`` is ``locality`` (key = geonameid), ``admin1`` or ``country`` (key = code).
    Every tip's mass is 1, split evenly over its places.
    """
    model = model or SurfaceModel(gaz)
    masses: dict[tuple[str, Any], float] = {}
    rows = []
    for tip_id, text, places in tips:
        for level, key, mention in places:
            w = 1.0 / len(places)
            if level == "locality":
                place = gaz.by_geonameid(int(key))
                target: tuple[str, Any] = ("locality", place.row)
            elif level == "admin1":
                place = gaz.admin1(str(key))
                target = ("admin1", str(key))
            else:
                place = gaz.country(str(key))
                target = ("country", str(key))
            masses[target] = masses.get(target, 0.0) + w
            rows.append(
                {"tip_id": tip_id, "text": text, "kind": "place", "mention": mention,
                 "geonameid": place.geonameid if level == "locality" else None,
                 "name": place.name, "level": level, "country": place.country,
                 "admin1": place.admin1, "lat": place.lat, "lon": place.lon, "weight": w}
            )  # fmt: skip
    surface = model.build(masses)
    leads = pd.DataFrame(rows)
    total = float(leads["weight"].sum())

    def ranking(col: str) -> list[dict[str, Any]]:
        grouped = leads.dropna(subset=[col]).groupby(col)
        out = []
        for code, g in grouped:
            share = float(g["weight"].sum()) / total
            out.append({"code": code, "share": share, "tips": int(g["tip_id"].nunique())})
        return sorted(out, key=lambda r: -r["share"])

    countries = [{**r, "name": gaz.country(r["code"]).name} for r in ranking("country")]
    admin1 = [
        {**r, "name": gaz.admin1(r["code"]).name, "country": r["code"].split(".")[0]}
        for r in ranking("admin1")
        if gaz.has_admin1(r["code"])
    ]
    locs = leads[leads["level"] == "locality"]
    localities = []
    for gid, g in locs.groupby("geonameid"):
        p = gaz.by_geonameid(int(gid))
        localities.append(
            {"geonameid": int(gid), "name": p.name, "country": p.country, "admin1": p.admin1,
             "lat": p.lat, "lon": p.lon, "share": float(g["weight"].sum()) / total,
             "tips": int(g["tip_id"].nunique())}
        )  # fmt: skip
    localities.sort(key=lambda r: -r["share"])
    peak = surface.peak()
    top = admin1[0] if admin1 else None
    verdict = (
        {"level": "admin1", "code": top["code"], "name": top["name"], "confidence": top["share"]}
        if top and top["share"] >= 0.5
        else {"level": "none", "code": None, "name": None, "confidence": 0.0}
    )
    summary = {
        "object_id": object_id,
        "tips": len(tips),
        "tips_with_places": sum(1 for t in tips if t[2]),
        "countries": countries,
        "admin1": admin1,
        "localities": localities,
        "peak": {"lat": peak[0], "lon": peak[1]} if peak else None,
        "credible_region_km2": {
            "50": surface.credible_area_km2(0.5),
            "80": surface.credible_area_km2(0.8),
        },
        "verdict": verdict,
    }
    regions = {
        50: cells_geometry(surface.credible_cells(0.5)),
        80: cells_geometry(surface.credible_cells(0.8)),
    }
    return Result(object_id, summary, surface.frame(), regions, leads)


KRAKOW, WIELICZKA, TARNOW, BERLIN = 3094802, 755889, 757026, 2950159
HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


def krakow_result(gaz: Gazetteer, model: SurfaceModel | None = None) -> Result:
    """An object whose tips converge on Lesser Poland, one tip carrying hostile HTML."""
    tips: list[tuple[str, str, list[tuple[str, Any, str]]]] = [
        (
            "T1",
            "Widziałem ten szampon w Krakowie, w Rossmannie",
            [("locality", KRAKOW, "Krakowie")],
        ),
        ("T2", f"Krakau! {HOSTILE}", [("locality", KRAKOW, "Krakau")]),
        ("T3", "Sold in Wieliczka near the salt mine", [("locality", WIELICZKA, "Wieliczka")]),
        ("T4", "Tarnów market, 2019", [("locality", TARNOW, "Tarnów")]),
        ("T5", "Typical of Małopolska", [("admin1", "PL.77", "Małopolska")]),
        ("T6", "This is a Polish brand", [("country", "PL", "Polish")]),
        ("T7", "I saw it in Berlin", [("locality", BERLIN, "Berlin")]),
        ("T8", "Kraków for sure", [("locality", KRAKOW, "Kraków")]),
    ]
    return build_result(gaz, "OBJ-<b>1</b>", tips, model)


def place_mention(gaz: Gazetteer, text: str, surface: str, geonameid: int) -> Mention:
    """A mention of ``surface`` in ``text`` read as the gazetteer locality ``geonameid``."""
    p = gaz.by_geonameid(geonameid)
    start = text.index(surface)
    cand = Candidate(p.geonameid, p.name, "locality", p.country, p.admin1, p.lat, p.lon, 1.0)
    return Mention(start, start + len(surface), surface, "place", (cand,))


def narrowed_krakow(gaz: Gazetteer, n_tips: int = 8) -> Any:
    """A real :class:`geoleads.narrow.ObjectResult` (real narrowing on given mentions).

    Tips about Kraków, Wieliczka and Tarnów, one with hostile HTML; ``n_tips`` of them.
    """
    from datetime import UTC, datetime

    from geoleads.narrow import summarize_tips
    from geoleads.tips import Tip

    base = [
        ("Widziałem ten szampon w Krakowie", "Krakowie", KRAKOW),
        (f"Krakau! {HOSTILE}", "Krakau", KRAKOW),
        ("Sold in Wieliczka near the salt mine", "Wieliczka", WIELICZKA),
        ("Tarnów market, 2019", "Tarnów", TARNOW),
        ("I saw it in Berlin", "Berlin", BERLIN),
    ]
    tips, mentions = [], {}
    now = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(n_tips):
        text, surface, gid = base[i % len(base)]
        tip = Tip(f"T{i}", "OBJ-<b>1</b>", text, now)
        tips.append(tip)
        mentions[tip.tip_id] = [place_mention(gaz, text, surface, gid)]
    [result] = summarize_tips(tips, gazetteer=gaz, mentions=mentions)
    return result
