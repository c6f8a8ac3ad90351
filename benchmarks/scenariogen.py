"""Scenario objects with a known true place, for ``narrow_scenarios.py``.

Each object has a true GeoNames locality (a village or town in one of the
European countries :mod:`tipgen` has adjectives for) and a random mix of tips:

* tips naming the true place (with typos, lowercase, stripped accents);
* tips naming real neighbours within 25 km in the same region, or the region;
* demonyms and country names of the true country, and of other countries;
* famous cities named by people who guess (Paris, London, ...);
* in 40 % of objects one loud sender pasting a wrong city 5-20 times;
* vague and off-topic tips; repeated copies of genuine tips.

Three objects in ten are "thin": only one or two tips name the place, and in
one in ten nobody names it at all (only neighbours, region, country). Tips
naming a neighbouring country people confuse it with, and confident tips naming
real towns elsewhere, are mixed in.
Everything comes from a seeded :class:`random.Random`: the same seed gives the
same scenarios on every machine with the same gazetteer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import tipgen

if TYPE_CHECKING:
    import pandas as pd

    from geoleads.gazetteer import Gazetteer

COUNTRIES = tuple(sorted(tipgen.ADJECTIVES))
#: Countries people confuse a country with (neighbours, same language).
CONFUSED = {
    "AT": ("DE", "CH", "CZ"), "DE": ("AT", "NL", "PL"), "PL": ("CZ", "DE", "SK"),
    "CZ": ("SK", "PL", "AT"), "SK": ("CZ", "HU", "PL"), "HU": ("AT", "SK", "RO"),
    "FR": ("BE", "IT", "ES"), "BE": ("NL", "FR", "DE"), "NL": ("BE", "DE", "DK"),
    "IT": ("FR", "ES", "HR"), "ES": ("PT", "IT", "FR"), "PT": ("ES", "FR", "IT"),
    "SE": ("DK", "DE", "GB"), "DK": ("SE", "DE", "NL"), "GB": ("IE", "NL", "FR"),
    "HR": ("SI", "HU", "IT"), "RO": ("HU", "IT", "GR"), "GR": ("IT", "RO", "HR"),
}  # fmt: skip
START = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass
class Scenario:
    """One object: its truth and its tips as ``(text, language)`` pairs."""

    object_id: str
    geonameid: int
    name: str
    country: str
    admin1: str
    lat: float
    lon: float
    tips: list[tuple[str, str]] = field(default_factory=list)


@cache
def _pool(gaz: Gazetteer) -> pd.DataFrame:
    loc = gaz.localities()
    pool = loc[
        loc["country"].astype(str).isin(COUNTRIES)
        & loc["population"].between(500, 200_000)
        & loc["name"].str.fullmatch(r"[^\d(),/]{3,40}")
    ]
    # only names that the gazetteer itself indexes (so a perfect reader can find them)
    from geoleads.gazetteer import name_key

    keep = [bool(gaz.rows_for(name_key(n))) for n in pool["name"]]
    return pool[keep]


_NEAR: dict[int, list[str]] = {}
_ELSEWHERE: dict[str, list[str]] = {}


def _neighbours(gaz: Gazetteer, truth: pd.Series, km: float = 25.0) -> list[str]:
    """Names of pool places within ``km`` of ``truth`` in its admin1 (cached)."""
    key = int(truth["geonameid"])
    if key not in _NEAR:
        from geoleads.gazetteer import haversine_km

        loc = _pool(gaz)
        same = loc[(loc["admin1"] == truth["admin1"]) & (loc["geonameid"] != key)]
        d = np.asarray(haversine_km(truth["lat"], truth["lon"], same["lat"], same["lon"]))
        _NEAR[key] = [str(n) for n in same["name"][d <= km]]
    return _NEAR[key]


def _elsewhere(gaz: Gazetteer, country: str) -> list[str]:
    """Names of pool places outside ``country`` (cached)."""
    if country not in _ELSEWHERE:
        pool = _pool(gaz)
        _ELSEWHERE[country] = [str(n) for n in pool.loc[pool["country"] != country, "name"]]
    return _ELSEWHERE[country]


def make_scenario(rng: random.Random, gaz: Gazetteer, object_id: str) -> Scenario:
    """One scenario object drawn with ``rng``."""
    pool = _pool(gaz)
    country = rng.choice(COUNTRIES)
    cand = pool[pool["country"] == country]
    # favour small places: weight 1/sqrt(population)
    w = 1.0 / np.sqrt(cand["population"].to_numpy(dtype=float))
    truth = cand.iloc[int(rng.choices(range(len(cand)), weights=w.tolist())[0])]
    admin1 = str(truth["admin1"])
    s = Scenario(
        object_id,
        int(truth["geonameid"]),
        str(truth["name"]),
        country,
        admin1,
        float(truth["lat"]),
        float(truth["lon"]),
    )
    _fill(rng, gaz, s, truth)
    rng.shuffle(s.tips)
    return s


def make_sized(rng: random.Random, gaz: Gazetteer, object_id: str, n_tips: int) -> Scenario:
    """A scenario object with exactly ``n_tips`` tips (more rounds of the same mix)."""
    s = make_scenario(rng, gaz, object_id)
    truth = _pool(gaz).set_index("geonameid").loc[s.geonameid]
    truth["geonameid"] = s.geonameid
    while len(s.tips) < n_tips:
        _fill(rng, gaz, s, truth)
    rng.shuffle(s.tips)
    del s.tips[n_tips:]
    return s


def _fill(rng: random.Random, gaz: Gazetteer, s: Scenario, truth: pd.Series) -> None:
    """Add one round of the tip mix of scenario ``s`` (true place ``truth``)."""
    country, admin1 = s.country, s.admin1
    kind = rng.random()
    thin = kind < 0.3
    unnamed = kind < 0.1  # nobody names the town: only its region, country, neighbours
    n_true = 0 if unnamed else rng.randint(1, 2) if thin else rng.randint(2, 7)
    for _ in range(n_true):
        s.tips.append(tipgen.place_tip(rng, s.name))
    if rng.random() < 0.3 and s.tips:  # a genuine tip sent twice
        s.tips.append(s.tips[0])
    near = _neighbours(gaz, truth)
    for _ in range(rng.randint(0, 4) if near else 0):
        s.tips.append(tipgen.place_tip(rng, rng.choice(near)))
    if gaz.has_admin1(admin1):
        region = gaz.admin1(admin1).name
        for _ in range(rng.randint(0, 3)):
            s.tips.append(tipgen.region_tip(rng, region))
    for _ in range(rng.randint(1, 8)):
        maker = tipgen.demonym_tip if rng.random() < 0.6 else tipgen.country_tip
        s.tips.append(maker(rng, country))
    for _ in range(rng.randint(0, 4)):  # people who confuse the country with a neighbour
        maker = tipgen.demonym_tip if rng.random() < 0.6 else tipgen.country_tip
        s.tips.append(maker(rng, rng.choice(CONFUSED[country])))
    others = [c for c in COUNTRIES if c != country]
    elsewhere = _elsewhere(gaz, country)
    for _ in range(rng.randint(0, 3)):  # confident tips naming a real town elsewhere
        s.tips.append(tipgen.place_tip(rng, elsewhere[rng.randrange(len(elsewhere))]))
    for _ in range(rng.randint(0, 3)):
        maker = tipgen.demonym_tip if rng.random() < 0.6 else tipgen.country_tip
        s.tips.append(maker(rng, rng.choice(others)))
    for _ in range(rng.randint(0, 4)):
        s.tips.append(tipgen.place_tip(rng, rng.choice(tipgen.FAMOUS), typo_rate=0))
    if rng.random() < 0.4:  # one loud sender
        city = rng.choice(tipgen.FAMOUS)
        text, lang = tipgen.place_tip(rng, city, typo_rate=0)
        for _ in range(rng.randint(5, 20)):
            s.tips.append((text if rng.random() < 0.7 else text.lower(), lang))
    for _ in range(rng.randint(3, 12)):
        s.tips.append(tipgen.vague_tip(rng))
    for _ in range(rng.randint(1, 6)):
        s.tips.append(tipgen.offtopic_tip(rng))


def make_scenarios(gaz: Gazetteer, n: int, seed: int) -> list[Scenario]:
    """``n`` scenario objects from ``seed``."""
    rng = random.Random(seed)
    return [make_scenario(rng, gaz, f"S{seed}-{i:04d}") for i in range(n)]


def to_tips(scenarios: list[Scenario]) -> list:
    """The scenarios' tips as :class:`geoleads.tips.Tip` records."""
    from geoleads.tips import Tip

    out = []
    for s in scenarios:
        for i, (text, lang) in enumerate(s.tips):
            when = START + timedelta(minutes=i)
            out.append(Tip(f"{s.object_id}-{i:03d}", s.object_id, text, when, lang))
    return out
