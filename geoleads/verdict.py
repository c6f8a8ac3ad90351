"""The verdict: the most specific level (locality, admin1, country) the tips support.

Confidence is built down the hierarchy, each step judged only by the readings
that are specific enough to speak about it (a "Polish brand" tip says nothing
about which Polish region, so it neither helps nor hurts a region):

* ``P(country)`` = the country's share of all place mass;
* ``P(admin1 | country)`` = the region's share ``s`` of the country's readings
  at admin1 level or finer (towns, regions, coordinates), counted only beyond
  what the region's size explains: ``(s - pi) / (1 - pi)`` where ``pi`` is the
  region's part of the country's population spread (tips scattered over a
  country name its biggest region most often; that is not convergence);
* ``P(locality | admin1)`` = the share of the region's town-level mass lying
  within :data:`NEIGHBOURHOOD_KM` of the town (a village and its neighbours
  agreeing support "at or near this village").

The confidence of a level multiplies the steps down to it and an evidence factor
``1 - exp(-n / 2)`` (``n``: evidence weight of the tips supporting the entry, so
one tip gives at most 0.39). A level needs at least :data:`MIN_VOICES` and
its threshold in :data:`THRESHOLDS`; the verdict is the most specific level
that passes, else ``none``.

**Calibration.** ``benchmarks/narrow_scenarios.py --calibrate`` runs 300
scenario objects of seeds 1-3 and prints, for each level and each threshold
of a grid (0.2 ... 0.7), how many objects' best entry reaches it and how often
that entry is right (country/admin1 code equal, or town within 25 km of the true
place). Each threshold is the lowest grid value at which at least 95 % were right,
but never below 0.3: generated tips are cleaner than real ones, so the floor
keeps a margin. On the current calibration run every level is >= 98.7 % right
from 0.2 up, so all three sit at the floor (numbers in ``benchmarks/RESULTS.md``).
A separate guard, not calibrated on the scenarios: a region only counts beyond
its share of the country's population (see ``P(admin1 | country)``), tested with
tips scattered over France in ``tests/test_narrow.py``.
The reported accuracy comes from other seeds (101-103).

>>> evidence_factor(0.0), round(evidence_factor(4.0), 3)
(0.0, 0.865)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from geoleads.gazetteer.core import EARTH_RADIUS_KM

#: Minimum confidence of the top entry per level.
THRESHOLDS: dict[str, float] = {"locality": 0.3, "admin1": 0.3, "country": 0.3}
#: Independent voices needed before any verdict: duplicate groups supporting the entry,
#: each counted by its review factor (unreviewed 1, credible 2, doubtful 0.35). A text
#: pasted 3,000 times is one voice; one tip marked credible is enough.
MIN_VOICES = 2.0
#: Town-level readings this close to a town support a verdict for that town.
NEIGHBOURHOOD_KM = 15.0


def haversine_km_matrix(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distances (km) from each point 1 (rows) to each point 2 (columns)."""
    p1, p2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dl = np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0))))


def evidence_factor(n: float) -> float:
    """How far ``n`` units of tip evidence can be trusted: ``1 - exp(-n / 2)``."""
    return float(1.0 - math.exp(-max(n, 0.0) / 2.0))


@dataclass(frozen=True)
class LevelPick:
    """The best entry of one level with its confidence and supporting evidence."""

    level: str
    code: str
    confidence: float
    evidence: float
    voices: float


@dataclass
class Evidence:
    """Masses and support per entry, as collected from one object's readings.

    ``admin1_fine``: mass of readings at admin1 level or finer per region;
    ``localities``: geonameid -> (lat, lon, admin1, country).
    """

    total: float
    country_mass: Mapping[str, float]
    country_support: Mapping[str, float]
    admin1_fine: Mapping[str, float]
    admin1_support: Mapping[str, float]
    locality_mass: Mapping[int, float]
    locality_support: Mapping[int, float]
    localities: Mapping[int, tuple[float, float, str | None, str | None]]
    country_voices: Mapping[str, float]
    admin1_voices: Mapping[str, float]
    locality_voices: Mapping[int, float]
    #: Each region's part of its country's population spread (0..1); missing = 0.
    admin1_prior: Mapping[str, float] = field(default_factory=dict)


def _best(mass: Mapping, weight: Mapping) -> tuple[object, float] | None:
    if not mass:
        return None
    key = max(mass, key=lambda k: (mass[k], weight.get(k, 0.0), str(k)))
    return key, mass[key]


def pick_levels(ev: Evidence) -> dict[str, LevelPick]:
    """The confidence of the best entry at each level (levels without one are left out)."""
    out: dict[str, LevelPick] = {}
    if ev.total <= 0:
        return out
    p_country = {c: m / ev.total for c, m in ev.country_mass.items()}
    best = _best(p_country, ev.country_support)
    if best is not None:
        code = str(best[0])
        n = ev.country_support.get(code, 0.0)
        conf = float(best[1]) * evidence_factor(n)
        out["country"] = LevelPick("country", code, conf, n, ev.country_voices.get(code, 0.0))
    fine_by_country: dict[str, float] = {}
    for a, m in ev.admin1_fine.items():
        c = a.split(".")[0]
        fine_by_country[c] = fine_by_country.get(c, 0.0) + m
    p_admin1 = {}
    for a, m in ev.admin1_fine.items():
        c = a.split(".")[0]
        if m <= 0 or fine_by_country[c] <= 0:
            continue
        share, pi = m / fine_by_country[c], min(ev.admin1_prior.get(a, 0.0), 0.99)
        p_admin1[a] = p_country.get(c, 0.0) * max(0.0, (share - pi) / (1.0 - pi))
    best = _best(p_admin1, ev.admin1_support)
    if best is not None:
        code = str(best[0])
        n = ev.admin1_support.get(code, 0.0)
        conf = float(best[1]) * evidence_factor(n)
        out["admin1"] = LevelPick("admin1", code, conf, n, ev.admin1_voices.get(code, 0.0))
    pick = _locality_pick(ev, p_admin1)
    if pick is not None:
        out["locality"] = pick
    return out


def _locality_pick(ev: Evidence, p_admin1: Mapping[str, float]) -> LevelPick | None:
    ids = [g for g, m in ev.locality_mass.items() if m > 0]
    if not ids:
        return None
    lat = np.array([ev.localities[g][0] for g in ids])
    lon = np.array([ev.localities[g][1] for g in ids])
    mass = np.array([ev.locality_mass[g] for g in ids])
    support = np.array([ev.locality_support.get(g, 0.0) for g in ids])
    voices = np.array([ev.locality_voices.get(g, 0.0) for g in ids])
    admin1 = [ev.localities[g][2] for g in ids]
    by_admin1: dict[str | None, float] = {}
    for a, m in zip(admin1, mass, strict=True):
        by_admin1[a] = by_admin1.get(a, 0.0) + float(m)
    best: LevelPick | None = None
    order = np.argsort(-mass, kind="stable")[:50]
    codes = np.asarray([a or "" for a in admin1], dtype=object)
    # pairwise distances of the heaviest towns to all towns: one broadcast haversine
    near_all = np.asarray(haversine_km_matrix(lat[order], lon[order], lat, lon) <= NEIGHBOURHOOD_KM)
    for row, i in enumerate(order):
        near = near_all[row]
        same = codes == codes[i]
        local = float(mass[near & same].sum())
        p = p_admin1.get(admin1[i] or "", 0.0) * local / by_admin1[admin1[i]]
        n = float(support[near & same].sum())
        conf = float(p) * evidence_factor(n)
        if best is None or conf > best.confidence + 1e-12:
            v = float(voices[near & same].sum())
            best = LevelPick("locality", str(ids[i]), conf, n, v)
    return best


def choose(picks: Mapping[str, LevelPick]) -> LevelPick | None:
    """The most specific pick that passes its threshold and :data:`MIN_VOICES`."""
    for level in ("locality", "admin1", "country"):
        p = picks.get(level)
        if p is not None and p.confidence >= THRESHOLDS[level] and p.voices >= MIN_VOICES:
            return p
    return None
