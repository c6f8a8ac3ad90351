"""Per-object probability surfaces on the H3 grid.

Every lead becomes probability mass on H3 cells of resolution :data:`RESOLUTION`
(cells of about 36 km², 3.7 km edge):

* a **locality** is a Gaussian kernel around its point whose width grows with the
  place's size (:func:`locality_sigma_km`: about 2.5 km for a village, 12 km for
  a city of 800,000);
* a **point** (coordinates, map link) is a 1 km kernel;
* an **admin1 region** or a **country** (also a demonym or language clue) spreads
  its mass over the cells of the GeoNames places of that area, in proportion to
  ``sqrt(population)``: the object is more likely where people live, and a big
  city does not swallow the countryside. Nothing is put on the area's centroid.
  An area without GeoNames places falls back to a wide kernel on its centre.

Overlapping kernels add up, so places near each other reinforce each other; the
peak (:meth:`Surface.peak`) is the cell with the most mass within about 13 km.

>>> from geoleads.gazetteer import get_gazetteer          # doctest: +SKIP
>>> model = SurfaceModel(get_gazetteer())                 # doctest: +SKIP
>>> s = model.build({("country", "AT"): 2.0, ("locality", 9225): 1.0})  # doctest: +SKIP
>>> round(s.shares().sum(), 6)                            # doctest: +SKIP
1.0
"""

from __future__ import annotations

import math
import threading
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import h3
import h3.api.numpy_int as h3i
import numpy as np
import pandas as pd

from geoleads.gazetteer import division_mask, haversine_km

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

    from geoleads.gazetteer import Gazetteer

#: H3 resolution of every surface (average cell 36 km², edge 3.7 km).
RESOLUTION = 6
#: Centre-to-centre distance of neighbouring cells at :data:`RESOLUTION`, km.
CELL_SPACING_KM = h3.average_hexagon_edge_length(RESOLUTION, "km") * math.sqrt(3)
#: Width of a point lead's kernel (coordinates, map links), km.
POINT_SIGMA_KM = 1.0
#: Grid rings around a cell summed when looking for the peak (2 rings: about 13 km).
PEAK_RINGS = 2

#: A key of :meth:`SurfaceModel.build`: ("locality", geonameid-row), ("admin1", "PL.77"),
#: ("country", "PL") or ("point", (lat, lon)).
TargetKey = tuple[str, Hashable]


def locality_sigma_km(population: int) -> float:
    """Kernel width (km) of a locality lead: its uncertainty grows with the place's size.

    >>> locality_sigma_km(500), round(locality_sigma_km(800_000), 1)
    (2.25, 11.9)
    """
    return float(min(25.0, 2.0 + 0.35 * math.sqrt(max(population, 0) / 1000.0)))


def gaussian_kernel(lat: float, lon: float, sigma_km: float) -> tuple[np.ndarray, np.ndarray]:
    """H3 cells (uint64) around ``(lat, lon)`` and Gaussian weights summing to 1.

    >>> cells, w = gaussian_kernel(48.66, 15.66, 2.5)
    >>> len(cells) > 1, round(float(w.sum()), 6)
    (True, 1.0)
    """
    center = h3i.latlng_to_cell(lat, lon, RESOLUTION)
    rings = max(1, math.ceil(2.5 * sigma_km / CELL_SPACING_KM))
    cells = np.asarray(h3i.grid_disk(center, rings), dtype=np.uint64)
    lats, lons = _centres(cells)
    d = haversine_km(lat, lon, lats, lons)
    w = np.exp(-0.5 * (np.asarray(d) / sigma_km) ** 2)
    w /= w.sum()
    return cells, w


def _centres(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pts = [h3i.cell_to_latlng(int(c)) for c in cells]
    arr = np.asarray(pts, dtype=float).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


@dataclass(frozen=True)
class AreaSpread:
    """How one admin1 region's or country's mass is spread: cells, weights, their admin1."""

    cells: np.ndarray  # uint64 H3 cells
    weights: np.ndarray  # float, sums to 1
    admin1: np.ndarray  # admin1 code of each cell's places (object array)
    fractions: dict[str, float] = field(default_factory=dict)

    def admin1_fractions(self) -> dict[str, float]:
        """Share of the mass falling in each admin1 region."""
        return self.fractions

    @classmethod
    def of(cls, cells: np.ndarray, weights: np.ndarray, admin1: np.ndarray) -> AreaSpread:
        """Merge rows sharing a cell (a cell's admin1 is that of its heaviest row); normalise."""
        if not len(cells):
            return cls(cells.astype(np.uint64), weights.astype(float), admin1)
        order = np.lexsort((-weights, cells))
        cells, weights, admin1 = cells[order], weights[order], admin1[order]
        uniq, first, inverse = np.unique(cells, return_index=True, return_inverse=True)
        merged = np.bincount(inverse, weights=weights)
        merged = merged / merged.sum()
        codes = admin1[first]
        fractions: dict[str, float] = {}
        for code, w in zip(codes.tolist(), merged.tolist(), strict=True):
            fractions[str(code)] = fractions.get(str(code), 0.0) + w
        return cls(uniq.astype(np.uint64), merged, codes, fractions)


class SurfaceModel:
    """Turns lead masses into a :class:`Surface`; caches kernels and area spreads.

    One model per gazetteer is enough; it is safe to share between threads.
    """

    #: locality kernels kept (a few KB each); the cache starts over past this
    MAX_KERNELS = 20_000

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._lock = threading.Lock()
        self._cells: np.ndarray | None = None  # H3 cell per entity row, 0 = not yet computed
        self._areas: dict[tuple[str, str], AreaSpread] = {}
        self._kernels: dict[Hashable, tuple[np.ndarray, np.ndarray]] = {}
        e = gazetteer.entities
        self._is_locality = (e["level"] == "locality").to_numpy()
        self._country = e["country"].astype(str).to_numpy()
        self._admin1 = e["admin1"].astype(str).to_numpy()
        self._lat = e["lat"].to_numpy()
        self._lon = e["lon"].to_numpy()
        self._pop = e["population"].to_numpy()
        self._by_country: dict[str, np.ndarray] | None = None
        self._by_admin1: dict[str, np.ndarray] | None = None
        self._gid_rows: pd.Series | None = None

    def locality_row(self, geonameid: int | None) -> int | None:
        """Entity row of the locality with ``geonameid`` (``None`` if unknown)."""
        if geonameid is None:
            return None
        if self._gid_rows is None:
            e = self.gazetteer.entities
            gids = e["geonameid"].to_numpy()[self._is_locality]
            series = pd.Series(np.arange(len(e))[self._is_locality], index=gids)
            self._gid_rows = series[~series.index.duplicated()]
        hit = self._gid_rows.get(int(geonameid))
        return None if hit is None else int(hit)

    # --- cached building blocks ------------------------------------------
    def _index(self) -> None:
        """Locality rows grouped by country and by admin1 (built once)."""
        with self._lock:
            if self._cells is not None:
                return
            rows = np.flatnonzero(self._is_locality & ~division_mask(self.gazetteer.entities))
            frame = pd.DataFrame({"row": rows, "c": self._country[rows], "a": self._admin1[rows]})
            self._by_country = {str(k): v.to_numpy() for k, v in frame.groupby("c")["row"]}
            self._by_admin1 = {str(k): v.to_numpy() for k, v in frame.groupby("a")["row"]}
            self._cells = np.zeros(len(self._lat), dtype=np.uint64)

    def _cells_of(self, rows: np.ndarray) -> np.ndarray:
        """H3 cells of entity ``rows``, computed on first use."""
        assert self._cells is not None
        cells = self._cells
        todo = rows[cells[rows] == 0]
        if len(todo):
            cells[todo] = [
                h3i.latlng_to_cell(a, b, RESOLUTION)
                for a, b in zip(self._lat[todo], self._lon[todo], strict=True)
            ]
        return cells[rows]

    def area_spread(self, level: str, code: str) -> AreaSpread:
        """Cells and weights of the places of country ``code`` or admin1 region ``code``."""
        key = (level, code)
        hit = self._areas.get(key)
        if hit is not None:
            return hit
        self._index()
        assert self._by_country is not None and self._by_admin1 is not None
        groups = self._by_country if level == "country" else self._by_admin1
        rows = groups.get(code)
        if rows is None or not len(rows):
            spread = self._fallback_spread(level, code)
        else:
            w = np.sqrt(np.maximum(self._pop[rows], 1).astype(float))
            spread = AreaSpread.of(self._cells_of(rows), w, self._admin1[rows])
        self._areas[key] = spread
        return spread

    def _fallback_spread(self, level: str, code: str) -> AreaSpread:
        """A wide kernel on the area's centre, for areas without GeoNames places."""
        gaz = self.gazetteer
        place = gaz.country(code) if level == "country" else gaz.admin1(code)
        if not (math.isfinite(place.lat) and math.isfinite(place.lon)):
            # a historical entity without coordinates (e.g. CS, AN): nowhere to put mass
            return AreaSpread.of(
                np.zeros(0, dtype=np.uint64), np.zeros(0), np.zeros(0, dtype=object)
            )
        sigma = 30.0
        if level == "country":
            shapes = gaz.country_shapes()
            hit = shapes.loc[shapes["code"] == code, "area_km2"]
            if len(hit):
                sigma = min(300.0, max(3.0, math.sqrt(float(hit.iloc[0]) / math.pi) / 2))
        cells, w = gaussian_kernel(place.lat, place.lon, sigma)
        admin1 = place.admin1 if place.admin1 else ""
        return AreaSpread.of(cells, w, np.full(len(cells), admin1, dtype=object))

    def locality_kernel(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        """The kernel of the gazetteer locality at entity ``row`` (cached)."""
        hit = self._kernels.get(row)
        if hit is None:
            sigma = locality_sigma_km(int(self._pop[row]))
            hit = gaussian_kernel(float(self._lat[row]), float(self._lon[row]), sigma)
            if len(self._kernels) >= self.MAX_KERNELS:  # a long-lived model stays bounded
                self._kernels.clear()
            self._kernels[row] = hit
        return hit

    # --- building a surface ----------------------------------------------
    def build(self, masses: Mapping[TargetKey, float]) -> Surface:
        """Add up the kernels/spreads of ``masses`` (target key -> mass) into a surface.

        Keys: ``("locality", entity_row)``, ``("admin1", code)``,
        ``("country", code)``, ``("point", (lat, lon))``.
        """
        parts_c: list[np.ndarray] = []
        parts_w: list[np.ndarray] = []
        for (level, key), mass in masses.items():
            if mass <= 0:
                continue
            if level == "locality":
                cells, w = self.locality_kernel(int(key))  # type: ignore[call-overload]
            elif level in ("admin1", "country"):
                spread = self.area_spread(level, str(key))
                cells, w = spread.cells, spread.weights
            elif level == "point":
                point: Any = key
                if not (math.isfinite(point[0]) and math.isfinite(point[1])):
                    continue
                cells, w = gaussian_kernel(float(point[0]), float(point[1]), POINT_SIGMA_KM)
            else:
                raise ValueError(f"unknown target level {level!r}")
            parts_c.append(cells)
            parts_w.append(w * mass)
        if not parts_c:
            return Surface(np.zeros(0, dtype=np.uint64), np.zeros(0))
        cells = np.concatenate(parts_c)
        weights = np.concatenate(parts_w)
        uniq, inverse = np.unique(cells, return_inverse=True)
        return Surface(uniq, np.bincount(inverse, weights=weights))


class Surface:
    """Mass on H3 cells (``cells`` sorted uint64, ``mass`` float, not necessarily normalised)."""

    def __init__(self, cells: np.ndarray, mass: np.ndarray) -> None:
        cells = np.asarray(cells, dtype=np.uint64)
        mass = np.asarray(mass, dtype=float)
        if len(cells) > 1 and not bool(np.all(cells[1:] > cells[:-1])):
            order = np.argsort(cells, kind="stable")
            cells, mass = cells[order], mass[order]
        self.cells = cells
        self.mass = mass
        self.total = float(self.mass.sum())
        self._by_mass: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.cells)

    @property
    def by_mass(self) -> np.ndarray:
        """Cell indices, heaviest first (cached)."""
        if self._by_mass is None:
            self._by_mass = np.argsort(-self.mass)
        return self._by_mass

    def shares(self) -> np.ndarray:
        """Mass per cell as a share of the total (zeros for an empty surface)."""
        if self.total <= 0:
            return np.zeros(len(self.mass))
        return self.mass / self.total

    def frame(self) -> pd.DataFrame:
        """One row per cell: ``h3`` (string id), ``lat``, ``lon``, ``share`` (sums to 1)."""
        lats, lons = _centres(self.cells)
        return pd.DataFrame(
            {
                "h3": [format(int(c), "x") for c in self.cells],
                "lat": lats,
                "lon": lons,
                "share": self.shares(),
            }
        )

    def _mass_of(self, cells: np.ndarray) -> np.ndarray:
        """Mass of arbitrary ``cells`` (0 for cells not on the surface)."""
        idx = np.searchsorted(self.cells, cells)
        idx = np.minimum(idx, len(self.cells) - 1)
        return np.where(self.cells[idx] == cells, self.mass[idx], 0.0)

    def peak(self, candidates: int = 40) -> tuple[float, float] | None:
        """``(lat, lon)`` of the densest spot: the mass-weighted centre of the best disk.

        Looks at the ``candidates`` heaviest cells and, for each, the mass within
        :data:`PEAK_RINGS` rings; ``None`` for an empty surface.
        """
        if self.total <= 0:
            return None
        best_sum, best_disk = -1.0, np.zeros(0, dtype=np.uint64)
        for i in self.by_mass[:candidates]:
            disk = np.asarray(h3i.grid_disk(int(self.cells[i]), PEAK_RINGS), dtype=np.uint64)
            s = float(self._mass_of(disk).sum())
            if s > best_sum + 1e-12:
                best_sum, best_disk = s, disk
        m = self._mass_of(best_disk)
        present = best_disk[m > 0]
        m = m[m > 0]
        lats, lons = _centres(present)
        return float(np.dot(lats, m) / m.sum()), float(np.dot(lons, m) / m.sum())

    def credible_cells(self, level: float) -> np.ndarray:
        """The fewest heaviest cells holding at least ``level`` (0..1) of the mass."""
        if self.total <= 0:
            return np.zeros(0, dtype=np.uint64)
        order = self.by_mass
        cum = np.cumsum(self.mass[order]) / self.total
        n = int(np.searchsorted(cum, level - 1e-9)) + 1
        return self.cells[order[: min(n, len(order))]]

    def credible_area_km2(self, level: float, exact_up_to: int = 64) -> float:
        """Area (km²) of :meth:`credible_cells` at ``level``.

        Exact up to ``exact_up_to`` cells; beyond, the mean area of an even sample
        of that many cells times their number (cells of one resolution differ in
        area by a few percent within a country).
        """
        cells = self.credible_cells(level)
        if len(cells) > exact_up_to:
            sample = cells[np.linspace(0, len(cells) - 1, exact_up_to).astype(int)]
            mean = float(np.mean([h3i.cell_area(int(c), "km^2") for c in sample]))
            return mean * len(cells)
        return float(sum(h3i.cell_area(int(c), "km^2") for c in cells))


def cells_geometry(cells: np.ndarray) -> BaseGeometry:
    """The union of H3 cells as one shapely (Multi)Polygon in EPSG:4326 (lon, lat)."""
    from shapely.geometry import Polygon, shape

    if not len(cells):
        return Polygon()
    geo: Any = h3i.cells_to_geo(np.asarray(cells, dtype=np.uint64))  # already (lon, lat)
    return shape(geo)


def cells_frame_geometry(h3_ids: pd.Series) -> list[BaseGeometry]:
    """One shapely polygon per H3 cell id (string), for GeoDataFrames."""
    from shapely.geometry import Polygon

    # h3 gives (lat, lon) vertices; shapely wants (lon, lat): swap here.
    return [Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(c)]) for c in h3_ids]
