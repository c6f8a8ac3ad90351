"""The offline gazetteer: countries, admin1 regions and GeoNames places.

>>> gaz = Gazetteer.load()                       # doctest: +SKIP
>>> [p.name for p in gaz.candidates("Krakau")]   # doctest: +SKIP
['Kraków']
>>> gaz.admin1("PL.77").name                     # doctest: +SKIP
'Małopolskie'
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoleads.errors import NotFoundError
from geoleads.gazetteer.build import GazetteerTables, name_key
from geoleads.gazetteer.cache import cache_path, load_or_build

if TYPE_CHECKING:
    import geopandas as gpd

EARTH_RADIUS_KM = 6371.0088


def division_mask(entities: pd.DataFrame) -> np.ndarray:
    """Rows that are second-level divisions (counties, districts) kept as localities.

    They are flagged in ``entities.division`` and carry their GeoNames admin2
    code in ``entities.admin2`` (see :func:`geoleads.gazetteer.build.build_tables`).
    Code that needs *places* (nearest town to a point, the towns of a region)
    leaves them out.
    """
    if "division" not in entities.columns:
        return np.zeros(len(entities), dtype=bool)
    return entities["division"].to_numpy(dtype=bool)


@dataclass(frozen=True)
class Place:
    """One gazetteer entity. ``level`` is ``country``, ``admin1`` or ``locality``."""

    row: int
    geonameid: int | None
    name: str
    level: str
    country: str
    admin1: str | None
    lat: float
    lon: float
    population: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Gazetteer:
    """Name lookups and place facts over the prepared tables.

    Build it with :meth:`load` (reads or builds the cache) or :func:`get_gazetteer`
    (one shared instance per process).
    """

    def __init__(self, tables: GazetteerTables, cache_dir: Path | None = None) -> None:
        self.entities = tables.entities
        self.names = tables.names
        self.cache_dir = cache_dir
        e = self.entities
        self._gid = e["geonameid"].to_numpy()
        self._name = e["name"].to_numpy()
        self._level = e["level"].astype(str).to_numpy()
        self._country = e["country"].astype(str).to_numpy()
        self._admin1 = e["admin1"].astype(str).to_numpy()
        self._lat = e["lat"].to_numpy()
        self._lon = e["lon"].to_numpy()
        self._pop = e["population"].to_numpy()
        self._division = division_mask(e)
        self._country_row = {
            c: i for i, c in enumerate(self._country) if self._level[i] == "country"
        }
        self._admin1_row = {a: i for i, a in enumerate(self._admin1) if self._level[i] == "admin1"}
        self._shapes: gpd.GeoDataFrame | None = None
        self._shapes_lock = threading.Lock()

    @classmethod
    def load(cls, cache_dir: Path | str | None = None, rebuild: bool = False) -> Gazetteer:
        """Load the prepared cache from ``cache_dir`` (default from settings)."""
        if cache_dir is None:
            from geoleads.config import Settings

            cache_dir = Settings.from_env().cache_dir
        cache_dir = Path(cache_dir)
        return cls(load_or_build(cache_dir, rebuild=rebuild), cache_dir)

    def __len__(self) -> int:
        return len(self.entities)

    @property
    def locality_count(self) -> int:
        """Number of places (towns, villages); counties are not counted."""
        return int(((self._level == "locality") & ~self._division).sum())

    @property
    def admin1_count(self) -> int:
        return len(self._admin1_row)

    @property
    def country_codes(self) -> list[str]:
        return sorted(self._country_row)

    # --- rows -----------------------------------------------------------------
    def place(self, row: int) -> Place:
        """The entity at ``row`` of :attr:`entities`."""
        gid = int(self._gid[row])
        level = str(self._level[row])
        return Place(
            row=int(row),
            geonameid=gid if gid >= 0 else None,
            name=str(self._name[row]),
            level=level,
            country=str(self._country[row]),
            admin1=str(self._admin1[row]) if level != "country" else None,
            lat=float(self._lat[row]),
            lon=float(self._lon[row]),
            population=int(self._pop[row]),
        )

    def rows_for(self, key: str) -> tuple[int, ...]:
        """Entity rows indexed under an already-built name key (see :func:`name_key`)."""
        hit = self.names.get(key)
        if hit is None:
            return ()
        return (hit,) if isinstance(hit, int) else hit

    def candidates(
        self,
        name: str,
        country_codes: list[str] | None = None,
        levels: tuple[str, ...] | None = None,
    ) -> list[Place]:
        """Every entity called ``name``, countries and regions first, then by population."""
        rows = self.rows_for(name_key(name))
        places = [self.place(r) for r in rows]
        if country_codes:
            wanted = {c.upper() for c in country_codes}
            places = [p for p in places if p.country in wanted]
        if levels:
            places = [p for p in places if p.level in levels]
        rank = {"country": 0, "admin1": 1, "locality": 2}
        return sorted(places, key=lambda p: (rank[p.level], -p.population))

    def country(self, code: str) -> Place:
        """The country with ISO code ``code`` (e.g. ``"PL"``)."""
        try:
            return self.place(self._country_row[code.upper()])
        except KeyError:
            raise NotFoundError(f"no country with code {code!r}") from None

    def admin1(self, code: str) -> Place:
        """The admin1 region with GeoNames code ``code`` (e.g. ``"PL.77"``)."""
        try:
            return self.place(self._admin1_row[code])
        except KeyError:
            raise NotFoundError(f"no admin1 region with code {code!r}") from None

    def has_admin1(self, code: str) -> bool:
        return code in self._admin1_row

    def by_geonameid(self, geonameid: int) -> Place:
        hits = np.flatnonzero(self._gid == geonameid)
        if not len(hits):
            raise NotFoundError(f"no place with geonameid {geonameid}")
        return self.place(int(hits[0]))

    # --- geometry ----------------------------------------------------------
    def nearest(self, lat: float, lon: float, level: str = "locality") -> Place:
        """The entity of ``level`` nearest to ``(lat, lon)`` (great circle; not a county)."""
        mask = (self._level == level) & ~self._division
        rows = np.flatnonzero(mask)
        d = haversine_km(lat, lon, self._lat[rows], self._lon[rows])
        return self.place(int(rows[int(np.nanargmin(d))]))

    def country_shapes(self) -> gpd.GeoDataFrame:
        """Natural Earth country polygons (``code``, ``name``, ``area_km2``), loaded once."""
        with self._shapes_lock:
            if self._shapes is None:
                import geopandas as gpd

                if self.cache_dir is None:
                    from geoleads.gazetteer.shapes import read_natural_earth

                    self._shapes = read_natural_earth()
                else:
                    path = cache_path(self.cache_dir) / "countries.gpkg"
                    self._shapes = gpd.read_file(path, layer="countries")
            return self._shapes

    def country_at(self, lat: float, lon: float) -> str | None:
        """ISO code of the country containing ``(lat, lon)``, or ``None`` at sea."""
        from shapely.geometry import Point

        shapes = self.country_shapes()
        hits = shapes.sindex.query(Point(lon, lat), predicate="intersects")
        return str(shapes.iloc[int(hits[0])]["code"]) if len(hits) else None

    def localities(self) -> pd.DataFrame:
        """The places among :attr:`entities` (a view for analysis; counties left out)."""
        return self.entities[(self.entities["level"] == "locality").to_numpy() & ~self._division]


def haversine_km(lat1: float, lon1: float, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance(s) in km; ``lat2``/``lon2`` may be arrays.

    >>> round(float(haversine_km(50.06, 19.94, 52.23, 21.01)))
    252
    """
    p1, p2 = math.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - math.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


_SHARED: dict[str, Gazetteer] = {}
_SHARED_LOCK = threading.Lock()


def get_gazetteer(cache_dir: Path | str | None = None) -> Gazetteer:
    """One :class:`Gazetteer` per process and cache folder, loaded on first use."""
    if cache_dir is None:
        from geoleads.config import Settings

        cache_dir = Settings.from_env().cache_dir
    key = str(Path(cache_dir).resolve())
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = Gazetteer.load(cache_dir)
        return _SHARED[key]
