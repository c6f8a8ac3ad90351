"""Narrow each object to a country, a region or a town: rankings, peak, verdict.

:func:`summarize_tips` runs the whole chain per object: geoparse each distinct
tip text once, weigh the readings (:mod:`geoleads.evidence`: duplicates, review
status, one unit per tip, collective disambiguation), build the H3 surface
(:mod:`geoleads.surface`) and rank:

* ``countries``: share = the object's place mass inside the country (a village
  counts for its country, so levels reinforce the ones that contain them);
* ``admin1``: mass of readings in the region, plus the region's part of each
  country-level reading (spread by population like the surface);
* ``localities``: mass of the readings of that place.

``tips`` of an entry counts the tips (duplicates included, spam excluded) whose
best reading lies in it.

**Verdict**: the most specific level whose best entry is credible enough, or
``none``; see :mod:`geoleads.verdict` for the confidence and its calibration.

Collective disambiguation reweights the readings the geoparser returned
(:mod:`geoleads.evidence`, rule 4) instead of parsing again with
``Geoparser.parse(country_prior=...)``: it is cheaper and works the same on
mentions precomputed by the store.

>>> from geoleads.tips import read_tips                          # doctest: +SKIP
>>> results = summarize_tips(read_tips("data/demo/tips.csv"))    # doctest: +SKIP
>>> [r.summary["verdict"]["name"] for r in results][:3]          # doctest: +SKIP
[None, None, 'Czechia']
>>> results[0].surface_gdf().plot(column="share")                # doctest: +SKIP
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

from geoleads.evidence import Reading, group_tips, weigh
from geoleads.leads import Candidate, Mention
from geoleads.surface import Surface, SurfaceModel, cells_frame_geometry, cells_geometry
from geoleads.verdict import Evidence, LevelPick, choose, pick_levels

if TYPE_CHECKING:
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

    from geoleads.gazetteer import Gazetteer
    from geoleads.tips import Tip

#: Surface targets lighter than this share of the object's place mass are not drawn
#: (they still count in the rankings).
SURFACE_MIN_SHARE = 0.002
#: Entries kept per ranking in the summary.
TOP_ENTRIES = 20
#: Credible region levels reported (percent).
CREDIBLE_LEVELS = (50, 80)
LEAD_COLUMNS = [
    "tip_id",
    "text",
    "kind",
    "mention",
    "geonameid",
    "name",
    "level",
    "country",
    "admin1",
    "lat",
    "lon",
    "weight",
]


@dataclass
class ObjectResult:
    """Everything :func:`summarize_tips` knows about one object.

    ``summary`` is one entry of the ``geoleads summarize --format json`` list;
    ``surface`` has one row per H3 cell (``h3``, ``lat``, ``lon``, ``share``) and
    ``credible_regions`` maps 50/80 to a shapely geometry (EPSG:4326), both built
    from ``grid`` on first access; ``leads`` has one row per tip mention reading.
    """

    object_id: str
    summary: dict[str, Any]
    grid: Surface = field(repr=False)
    leads: pd.DataFrame = field(repr=False)
    #: The best entry of each level with its verdict confidence (see :mod:`geoleads.verdict`).
    picks: dict[str, LevelPick] = field(default_factory=dict, repr=False)

    @cached_property
    def surface(self) -> pd.DataFrame:
        """One row per H3 cell with mass: ``h3``, ``lat``, ``lon``, ``share`` (sums to 1)."""
        return self.grid.frame()

    @cached_property
    def credible_regions(self) -> dict[int, BaseGeometry]:
        """``{50: geometry, 80: geometry}``: the smallest cell sets holding that much mass."""
        if self.grid.total <= 0:
            return {}
        return {q: cells_geometry(self.grid.credible_cells(q / 100)) for q in CREDIBLE_LEVELS}

    def surface_gdf(self) -> gpd.GeoDataFrame:
        """The surface as a GeoDataFrame of H3 cell polygons (EPSG:4326)."""
        import geopandas as gpd

        geometry = cells_frame_geometry(self.surface["h3"])
        return gpd.GeoDataFrame(self.surface.copy(), geometry=geometry, crs=4326)

    def rankings(self, level: str, gazetteer: Gazetteer | None = None) -> gpd.GeoDataFrame:
        """One ranking (``countries``, ``admin1`` or ``localities``) as a point GeoDataFrame.

        Countries and regions are placed at their gazetteer point.
        """
        import geopandas as gpd

        frame = pd.DataFrame(self.summary[level])
        if frame.empty:
            return gpd.GeoDataFrame(frame, geometry=[], crs=4326)
        if level != "localities":
            if gazetteer is None:
                from geoleads.gazetteer import get_gazetteer

                gazetteer = get_gazetteer()
            lookup = gazetteer.country if level == "countries" else gazetteer.admin1
            places = [_place(lookup, code) for code in frame["code"]]
            frame["lat"] = [p[0] for p in places]
            frame["lon"] = [p[1] for p in places]
        return gpd.GeoDataFrame(
            frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=4326
        )


def _place(lookup: Any, code: str) -> tuple[float, float]:
    from geoleads.errors import NotFoundError

    try:
        p = lookup(code)
    except NotFoundError:
        return (math.nan, math.nan)
    return (p.lat, p.lon)


class _Tally:
    """Mass, tips and evidence per ranking entry."""

    def __init__(self) -> None:
        self.mass: dict[Any, float] = {}
        self.tips: dict[Any, int] = {}
        self.evidence: dict[Any, float] = {}
        self.voices: dict[Any, float] = {}

    def add_mass(self, key: Any, mass: float) -> None:
        self.mass[key] = self.mass.get(key, 0.0) + mass

    def add_support(self, key: Any, tips: int, weight: float, voices: float) -> None:
        self.voices[key] = self.voices.get(key, 0.0) + voices
        self.tips[key] = self.tips.get(key, 0) + tips
        self.evidence[key] = self.evidence.get(key, 0.0) + weight

    def ranked(self, total: float) -> list[tuple[Any, float, int, float]]:
        rows = [
            (k, m / total, self.tips.get(k, 0), self.evidence.get(k, 0.0))
            for k, m in self.mass.items()
            if m > 0
        ]
        return sorted(rows, key=lambda r: (-r[1], -r[2], str(r[0])))


#: one surface model per gazetteer and process (its H3 cells and area spreads cost
#: ~0.3 s to rebuild, more than summarizing a 200-tip object; the web app summarizes
#: one object after every review or import)
_MODELS: dict[int, tuple[Gazetteer, SurfaceModel]] = {}
_MODELS_LOCK = threading.Lock()


def shared_model(gazetteer: Gazetteer) -> SurfaceModel:
    """The process's :class:`SurfaceModel` of ``gazetteer`` (made on first use; a model
    is thread-safe and its caches depend only on the gazetteer)."""
    with _MODELS_LOCK:
        hit = _MODELS.get(id(gazetteer))
        if hit is not None and hit[0] is gazetteer:
            return hit[1]
        if len(_MODELS) >= 4:  # tests build a few gazetteers; keep the newest ones
            _MODELS.pop(next(iter(_MODELS)))
        model = SurfaceModel(gazetteer)
        _MODELS[id(gazetteer)] = (gazetteer, model)
        return model


class Narrower:
    """Summarises objects with one gazetteer, geoparser and surface model."""

    def __init__(self, gazetteer: Gazetteer | None = None, geoparser: Any = None) -> None:
        if gazetteer is None:
            from geoleads.gazetteer import get_gazetteer

            gazetteer = get_gazetteer()
        self.gazetteer = gazetteer
        self._geoparser = geoparser
        self.model = shared_model(gazetteer)
        self._nearest: dict[tuple[float, float], tuple[str, str | None]] = {}

    @property
    def geoparser(self) -> Any:
        if self._geoparser is None:
            from geoleads.geoparse import Geoparser

            self._geoparser = Geoparser(self.gazetteer)
        return self._geoparser

    # --- steps ---------------------------------------------------------------
    def parse(self, tips: Sequence[Tip]) -> list[list[Mention]]:
        """Mentions of each tip, parsing every distinct (text, language) only once."""
        seen: dict[tuple[str, str | None], list[Mention]] = {}
        out = []
        for tip in tips:
            key = (tip.text, tip.language)
            if key not in seen:
                seen[key] = list(self.geoparser.parse(tip.text, language=tip.language))
            out.append(seen[key])
        return out

    def _place_of(self, c: Candidate) -> tuple[str | None, str | None]:
        """Country and admin1 of a candidate (points get them from the nearest place)."""
        if c.level == "country":
            return c.country, None
        if c.country and (c.admin1 or c.level == "admin1"):
            return c.country, c.admin1
        if not (math.isfinite(c.lat) and math.isfinite(c.lon)):
            return c.country, c.admin1
        key = (c.lat, c.lon)
        hit = self._nearest.get(key)
        if hit is None:
            near = self.gazetteer.nearest(c.lat, c.lon)
            hit = self._nearest[key] = (near.country, near.admin1)
        return c.country or hit[0], c.admin1 or hit[1]

    def summarize_object(
        self,
        object_id: str,
        tips: Sequence[Tip],
        mentions: Sequence[Sequence[Mention]],
        reviews: Mapping[str, str] | None = None,
        keep_leads: bool = True,
    ) -> ObjectResult:
        """The :class:`ObjectResult` of one object's ``tips`` and their ``mentions``."""
        reviews = reviews or {}
        groups = group_tips([t.text for t in tips], mentions, [reviews.get(t.tip_id) for t in tips])
        readings = weigh(groups)
        masses: dict[tuple[str, Any], float] = {}
        countries, admin1s, localities = _Tally(), _Tally(), _Tally()
        admin1_fine: dict[str, float] = {}
        country_level: dict[str, float] = {}
        loc_info: dict[int, Candidate] = {}
        support: dict[int, set[tuple[str, Any]]] = {}
        for r in readings:
            c = r.candidate
            country, admin1 = self._place_of(c)
            if c.level == "locality":
                row = self.model.locality_row(c.geonameid)
                key: tuple[str, Any] = (
                    ("locality", row) if row is not None else ("point", (c.lat, c.lon))
                )
            elif c.level in ("country", "admin1"):
                key = (c.level, country if c.level == "country" else admin1)
            else:
                key = ("point", (round(c.lat, 5), round(c.lon, 5)))
            masses[key] = masses.get(key, 0.0) + r.mass
            if country:
                countries.add_mass(country, r.mass)
            if admin1:
                admin1s.add_mass(admin1, r.mass)
                admin1_fine[admin1] = admin1_fine.get(admin1, 0.0) + r.mass
            elif c.level == "country" and country:
                country_level[country] = country_level.get(country, 0.0) + r.mass
            if c.level == "locality" and c.geonameid is not None:
                localities.add_mass(c.geonameid, r.mass)
                loc_info.setdefault(c.geonameid, c)
            if r.best:
                s = support.setdefault(r.group, set())
                if country:
                    s.add(("c", country))
                if admin1:
                    s.add(("a", admin1))
                if c.level == "locality" and c.geonameid is not None:
                    s.add(("l", c.geonameid))
        for country, mass in country_level.items():
            # a country-level reading's part in each region, spread like the surface
            for a, frac in self.model.area_spread("country", country).admin1_fractions().items():
                if a:
                    admin1s.add_mass(a, mass * frac)
        for gi, keys in support.items():
            g = groups[gi]
            for kind, k in keys:
                tally = {"c": countries, "a": admin1s, "l": localities}[kind]
                tally.add_support(k, g.count, g.weight, g.factor)
        # readings below SURFACE_MIN_SHARE of the object's mass change no cell that
        # matters (peak, credible regions) but can add thousands of cells: leave them out
        placed = sum(masses.values())
        kept = {k: m for k, m in masses.items() if m >= SURFACE_MIN_SHARE * placed}
        if sum(kept.values()) < 0.9 * placed:  # mass scattered over very many places
            kept = masses
        surface = self.model.build(kept)
        total = sum(r.mass for r in readings)
        evidence = Evidence(
            total=total,
            country_mass=countries.mass,
            country_support=countries.evidence,
            admin1_fine=admin1_fine,
            admin1_support=admin1s.evidence,
            locality_mass=localities.mass,
            locality_support=localities.evidence,
            localities={g: (c.lat, c.lon, c.admin1, c.country) for g, c in loc_info.items()},
            country_voices=countries.voices,
            admin1_voices=admin1s.voices,
            locality_voices=localities.voices,
            admin1_prior=self._admin1_prior(admin1_fine),
        )
        picks = pick_levels(evidence)
        summary = self._summary(
            object_id, tips, groups, surface, evidence, picks, countries, admin1s, localities,
            loc_info,
        )  # fmt: skip
        leads = _leads_frame(tips, groups, readings) if keep_leads else _empty_leads()
        return ObjectResult(object_id, summary, surface, leads, picks)

    def _admin1_prior(self, regions: Iterable[str]) -> dict[str, float]:
        """Each region's part of its country's population spread (see geoleads.verdict)."""
        out = {}
        for a in regions:
            fractions = self.model.area_spread("country", a.split(".")[0]).admin1_fractions()
            out[a] = fractions.get(a, 0.0)
        return out

    def _verdict_name(self, pick: LevelPick, loc_info: dict[int, Candidate]) -> str:
        if pick.level == "country":
            return _name(self.gazetteer.country, pick.code)
        if pick.level == "admin1":
            return _name(self.gazetteer.admin1, pick.code)
        return loc_info[int(pick.code)].name

    def _summary(
        self,
        object_id: str,
        tips: Sequence[Tip],
        groups: list[Any],
        surface: Surface,
        evidence: Evidence,
        picks: dict[str, LevelPick],
        countries: _Tally,
        admin1s: _Tally,
        localities: _Tally,
        loc_info: dict[int, Candidate],
    ) -> dict[str, Any]:
        gaz = self.gazetteer
        with_places = sum(len(g.members) for g in groups if any(m.candidates for m in g.mentions))
        out: dict[str, Any] = {
            "object_id": object_id,
            "tips": len(tips),
            "tips_with_places": with_places,
            "countries": [],
            "admin1": [],
            "localities": [],
            "peak": None,
            "credible_region_km2": {str(q): 0.0 for q in CREDIBLE_LEVELS},
            "verdict": {"level": "none", "code": None, "name": None, "confidence": 0.0},
        }
        total = evidence.total
        if total <= 0:
            return out
        for code, share, n, _ev in countries.ranked(total)[:TOP_ENTRIES]:
            name = _name(gaz.country, code)
            out["countries"].append({"code": code, "name": name, "share": _r(share), "tips": n})
        for code, share, n, _ev in admin1s.ranked(total)[:TOP_ENTRIES]:
            name = _name(gaz.admin1, code)
            country = code.split(".")[0]
            out["admin1"].append(
                {"code": code, "name": name, "country": country, "share": _r(share), "tips": n}
            )
        for gid, share, n, _ev in localities.ranked(total)[:TOP_ENTRIES]:
            c = loc_info[gid]
            out["localities"].append(
                {
                    "geonameid": int(gid),
                    "name": c.name,
                    "country": c.country,
                    "admin1": c.admin1,
                    "lat": round(c.lat, 5),
                    "lon": round(c.lon, 5),
                    "share": _r(share),
                    "tips": n,
                }
            )
        peak = surface.peak()
        if peak is not None:
            out["peak"] = {"lat": round(peak[0], 5), "lon": round(peak[1], 5)}
        out["credible_region_km2"] = {
            str(q): round(surface.credible_area_km2(q / 100), 1) for q in CREDIBLE_LEVELS
        }
        chosen = choose(picks)
        if chosen is not None:
            out["verdict"] = {
                "level": chosen.level,
                "code": chosen.code,
                "name": self._verdict_name(chosen, loc_info),
                "confidence": round(chosen.confidence, 3),
            }
        elif "country" in picks:
            out["verdict"]["confidence"] = round(picks["country"].confidence, 3)
        return out


def _r(x: float) -> float:
    return round(float(x), 4)


def _name(lookup: Any, code: str) -> str:
    from geoleads.errors import NotFoundError

    try:
        return str(lookup(code).name)
    except NotFoundError:
        return code


def _empty_leads() -> pd.DataFrame:
    return pd.DataFrame(columns=LEAD_COLUMNS)


def _leads_frame(tips: Sequence[Tip], groups: list[Any], readings: list[Reading]) -> pd.DataFrame:
    rows = []
    for r in readings:
        g = groups[r.group]
        m = g.mentions[r.mention]
        c = r.candidate
        share = r.mass / len(g.members)
        for i in g.members:
            t = tips[i]
            rows.append(
                (
                    t.tip_id,
                    t.text,
                    m.kind,
                    m.text,
                    c.geonameid,
                    c.name,
                    c.level,
                    c.country,
                    c.admin1,
                    c.lat,
                    c.lon,
                    share,
                )
            )
    if not rows:
        return _empty_leads()
    return pd.DataFrame(rows, columns=LEAD_COLUMNS)


def iter_results(
    tips: Iterable[Tip],
    *,
    gazetteer: Gazetteer | None = None,
    geoparser: Any = None,
    reviews: Mapping[str, str] | None = None,
    mentions: Mapping[str, list[Mention]] | None = None,
    progress: bool = False,
    objects: Sequence[str] | None = None,
    keep_leads: bool = True,
) -> Iterator[ObjectResult]:
    """Like :func:`summarize_tips`, one object at a time (memory stays per object)."""
    from tqdm import tqdm

    by_object: dict[str, list[Tip]] = {o: [] for o in objects or ()}
    for t in tips:
        by_object.setdefault(t.object_id, []).append(t)
    narrower = Narrower(gazetteer, geoparser)
    bar = tqdm(
        total=sum(len(v) for v in by_object.values()),
        unit="tip",
        disable=not progress,
        desc="summarize",
        leave=False,
    )
    try:
        for object_id, items in by_object.items():
            if mentions is not None and all(t.tip_id in mentions for t in items):
                parsed = [list(mentions[t.tip_id]) for t in items]
            else:
                parsed = narrower.parse(items)
            yield narrower.summarize_object(object_id, items, parsed, reviews, keep_leads)
            bar.update(len(items))
    finally:
        bar.close()


def summarize_tips(
    tips: Iterable[Tip],
    *,
    gazetteer: Gazetteer | None = None,
    geoparser: Any = None,
    reviews: Mapping[str, str] | None = None,
    mentions: Mapping[str, list[Mention]] | None = None,
    progress: bool = False,
    objects: Sequence[str] | None = None,
    keep_leads: bool = True,
) -> list[ObjectResult]:
    """Summarise every object of ``tips`` (contract 6).

    ``reviews``: tip_id -> credible|doubtful|spam|duplicate|unreviewed;
    ``mentions``: precomputed mentions per tip_id (objects whose tips all have
    them are not geoparsed); ``objects``: object ids to report even without tips;
    ``keep_leads=False`` skips the per-reading ``leads`` frame (saves memory).
    """
    return list(
        iter_results(
            tips,
            gazetteer=gazetteer,
            geoparser=geoparser,
            reviews=reviews,
            mentions=mentions,
            progress=progress,
            objects=objects,
            keep_leads=keep_leads,
        )
    )
