"""Approximate admin1 (province, state, voivodeship) shapes for maps and exports.

No openly licensed admin1 polygons ship in any package here, so they are derived:
the Voronoi cells of every GeoNames place are grouped by the place's admin1 code,
merged, clipped to the Natural Earth country polygon and simplified. The borders
are approximate (a border runs half-way between the nearest villages of two
regions) but every place lies in its own region, which is what the maps need.

The shapes are built on first use (10-20 s for the world) and kept
under ``<cache_dir>/regions/``. Real boundaries (GADM, geoBoundaries) replace
them: point ``GEOLEADS_ADMIN1_BOUNDARIES`` at a GeoPackage/GeoJSON/Shapefile with
a column of GeoNames admin1 codes (``code``, ``admin1`` or ``geonames_code``,
like ``PL.77``) and optionally ``name`` and ``country``.

>>> shapes = admin1_shapes()                                   # doctest: +SKIP
>>> shapes.loc[shapes.code == "PL.77", "name"].item()          # doctest: +SKIP
'Lesser Poland'
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely

from geoleads.errors import ConfigError, GazetteerCacheError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from geoleads.gazetteer import Gazetteer

#: Environment variable naming a user file of admin1 boundaries.
BOUNDARIES_ENV = "GEOLEADS_ADMIN1_BOUNDARIES"
#: Bump when the derivation changes, so old caches are rebuilt.
FORMAT_VERSION = 3
#: Simplification tolerance of the derived shapes, in degrees (~2 km).
SIMPLIFY_DEG = 0.02
_CODE_COLUMNS = ("code", "admin1", "geonames_code", "admin1_code")

_LOCK = threading.Lock()
_MEMO: dict[str, gpd.GeoDataFrame] = {}


def admin1_shapes(
    gazetteer: Gazetteer | None = None, env: Mapping[str, str] | None = None
) -> gpd.GeoDataFrame:
    """Admin1 polygons: ``code`` (GeoNames, e.g. ``PL.77``), ``name``, ``country``, geometry.

    Read from ``GEOLEADS_ADMIN1_BOUNDARIES`` when set, else from the derived cache
    under ``<cache_dir>/regions/`` (built on first use). Loaded once per process.
    """
    from geoleads.gazetteer import get_gazetteer

    env = os.environ if env is None else env
    user_file = env.get(BOUNDARIES_ENV) or None
    gaz = gazetteer or get_gazetteer()
    key = f"user:{user_file}" if user_file else f"derived:{gaz.cache_dir}"
    with _LOCK:
        if key not in _MEMO:
            if user_file:
                _MEMO[key] = read_boundaries(Path(user_file), gaz)
            else:
                _MEMO[key] = _load_or_build(gaz)
        return _MEMO[key]


def read_boundaries(path: Path, gazetteer: Gazetteer) -> gpd.GeoDataFrame:
    """Read a user file of admin1 boundaries and normalise its columns.

    It needs a column of GeoNames admin1 codes (one of ``code``, ``admin1``,
    ``geonames_code``, ``admin1_code``); names and countries missing from the file
    are taken from the gazetteer. Geometries are reprojected to EPSG:4326.
    """
    import geopandas as gpd

    if not path.exists():
        raise ConfigError(f"{BOUNDARIES_ENV}={path}: no such file")
    try:
        frame = gpd.read_file(path)
    except Exception as err:  # pyogrio raises several unrelated types
        raise ConfigError(f"{BOUNDARIES_ENV}={path}: cannot read it: {err}") from err
    column = next((c for c in _CODE_COLUMNS if c in frame.columns), None)
    if column is None:
        raise ConfigError(
            f"{BOUNDARIES_ENV}={path}: needs a column of GeoNames admin1 codes named one of "
            f"{', '.join(_CODE_COLUMNS)} (found {', '.join(map(str, frame.columns))})"
        )
    frame = frame.rename(columns={column: "code"})
    frame["code"] = frame["code"].astype(str)
    if frame.crs is None:
        frame = frame.set_crs(4326)
    frame = frame.to_crs(4326)
    if "country" not in frame.columns:
        frame["country"] = frame["code"].str.split(".").str[0]
    if "name" not in frame.columns:
        frame["name"] = [
            gazetteer.admin1(c).name if gazetteer.has_admin1(c) else c for c in frame["code"]
        ]
    frame["geometry"] = frame.geometry.make_valid()
    merged = frame[["code", "name", "country", "geometry"]].dissolve(by="code", aggfunc="first")
    return gpd.GeoDataFrame(merged.reset_index(), geometry="geometry", crs=4326)


def regions_dir(gazetteer: Gazetteer) -> Path:
    """Where the derived shapes are cached: ``<cache_dir>/regions/``."""
    if gazetteer.cache_dir is None:
        raise GazetteerCacheError("the gazetteer has no cache folder to keep admin1 shapes in")
    return Path(gazetteer.cache_dir) / "regions"


def source_stamp(gazetteer: Gazetteer) -> str:
    """A short hash of the gazetteer cache's manifest: changes when the cache is rebuilt."""
    manifest = Path(gazetteer.cache_dir or ".") / "gazetteer" / "manifest.json"
    return hash_text(manifest.read_text(encoding="utf-8") if manifest.exists() else "")


def _stamp(gazetteer: Gazetteer) -> str:
    return f"v{FORMAT_VERSION};{SIMPLIFY_DEG};{source_stamp(gazetteer)}"


def hash_text(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _load_or_build(gazetteer: Gazetteer) -> gpd.GeoDataFrame:
    import geopandas as gpd

    folder = regions_dir(gazetteer)
    path, meta = folder / "admin1.gpkg", folder / "admin1.json"
    stamp = _stamp(gazetteer)
    if path.exists() and meta.exists():
        try:
            if json.loads(meta.read_text(encoding="utf-8")).get("stamp") == stamp:
                return gpd.read_file(path, layer="admin1")
        except (OSError, ValueError):
            pass  # unreadable: rebuild below
    print("geoleads: deriving admin1 region shapes (once, 10-20 s)", file=sys.stderr, flush=True)
    start = time.perf_counter()
    frame = derive_admin1_shapes(gazetteer)
    seconds = time.perf_counter() - start
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".admin1-", dir=folder))
    frame.to_file(tmp / "admin1.gpkg", driver="GPKG", layer="admin1")
    (tmp / "admin1.gpkg").replace(path)
    tmp.rmdir()
    info = {"stamp": stamp, "regions": len(frame), "build_seconds": round(seconds, 1)}
    meta.write_text(json.dumps(info, indent=1), encoding="utf-8")
    print(f"geoleads: {len(frame)} admin1 shapes in {seconds:.1f} s -> {path}", file=sys.stderr)
    return frame


def derive_admin1_shapes(
    gazetteer: Gazetteer, countries: list[str] | None = None
) -> gpd.GeoDataFrame:
    """Voronoi cells of GeoNames places, merged per admin1 code and clipped to the country.

    ``countries`` limits the work to some ISO codes (for tests). Regions are
    approximate; a country with a single admin1 code gets the whole country.
    """
    ent = gazetteer.entities
    names = ent[ent["level"] == "admin1"].set_index(ent.loc[ent["level"] == "admin1", "admin1"])
    from geoleads.gazetteer import division_mask

    return shapes_from_places(
        ent[(ent["level"] == "locality").to_numpy() & ~division_mask(ent)],
        gazetteer.country_shapes(),
        names["name"].astype(str).to_dict(),
        countries,
    )


def shapes_from_places(
    places: pd.DataFrame,
    country_shapes: gpd.GeoDataFrame,
    name_of: Mapping[str, str],
    countries: list[str] | None = None,
) -> gpd.GeoDataFrame:
    """The derivation behind :func:`derive_admin1_shapes`, from plain tables.

    ``places`` has ``lat``, ``lon``, ``country`` and ``admin1`` columns; the
    gazetteer build uses it before the gazetteer exists (admin1 centres).
    """
    import geopandas as gpd

    places = places[places["admin1"].astype(str).str.contains(".", regex=False)]
    shapes = country_shapes.set_index("code")
    wanted = sorted(set(places["country"].astype(str)) & set(shapes.index))
    if countries is not None:
        wanted = [c for c in wanted if c in set(countries)]
    rows: list[tuple[str, str, str, shapely.Geometry]] = []
    by_country = places.groupby(places["country"].astype(str), observed=True)
    for code in wanted:
        group = by_country.get_group(code)
        border = shapely.make_valid(shapes.at[code, "geometry"])
        for a1, geom in _country_cells(group, border).items():
            rows.append((a1, name_of.get(a1, a1), code, geom))
    frame = gpd.GeoDataFrame(
        rows, columns=["code", "name", "country", "geometry"], geometry="geometry", crs=4326
    )
    return frame[~frame.geometry.is_empty].reset_index(drop=True)


def _country_cells(group: object, border: shapely.Geometry) -> dict[str, shapely.Geometry]:
    """Admin1 code -> clipped, simplified polygon for one country's places."""
    import pandas as pd

    assert isinstance(group, pd.DataFrame)
    # (lon, lat) for shapely; one seed per distinct rounded position.
    xy = np.round(group[["lon", "lat"]].to_numpy(dtype=float), 4)
    codes = group["admin1"].astype(str).to_numpy()
    finite = np.isfinite(xy).all(axis=1)  # some admin1 rows have no position
    xy, codes = xy[finite], codes[finite]
    _, first = np.unique(xy, axis=0, return_index=True)
    xy, codes = xy[first], codes[first]
    distinct = np.unique(codes)
    if len(distinct) == 1 or len(xy) < 3:
        cells = {str(c): border for c in distinct}
        return {c: shapely.simplify(g, SIMPLIFY_DEG) for c, g in cells.items()}
    minx, miny, maxx, maxy = border.bounds
    pad = 1.0
    extent = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    polys, codes = _voronoi(xy, codes, extent)
    codes = relabel_strays(polys, codes)
    clip = shapely.simplify(border, SIMPLIFY_DEG / 2)
    out: dict[str, shapely.Geometry] = {}
    for code in np.unique(codes):
        merged = shapely.coverage_union_all(polys[codes == code])
        piece = shapely.intersection(merged, clip)
        piece = shapely.simplify(piece, SIMPLIFY_DEG)
        if not piece.is_empty:
            out[str(code)] = piece
    return out


def _voronoi(
    xy: np.ndarray, codes: np.ndarray, extent: shapely.Geometry
) -> tuple[np.ndarray, np.ndarray]:
    """Voronoi cells of ``xy`` and the admin1 code of each cell.

    GEOS can fail on near-degenerate inputs; then the diagram is rebuilt with a
    snapping tolerance and each cell takes the code of a seed inside it.
    """
    points = shapely.multipoints(xy)
    try:
        diagram = shapely.voronoi_polygons(points, extend_to=extent, ordered=True)
        return np.asarray(shapely.get_parts(diagram)), codes
    except shapely.errors.GEOSException:
        diagram = shapely.voronoi_polygons(points, extend_to=extent, tolerance=1e-3)
    polys = np.asarray(shapely.get_parts(diagram))
    seeds = shapely.points(xy)
    seed_idx, cell_idx = shapely.STRtree(polys).query(seeds, predicate="within")
    cell_code = np.full(len(polys), "", dtype=object)
    cell_code[cell_idx] = codes[seed_idx]
    keep = cell_code != ""
    return polys[keep], cell_code[keep]


def relabel_strays(polys: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Give a lone place the region of its neighbours when none of them shares its code.

    A place whose Voronoi neighbours all belong to other regions, while its own
    region has places elsewhere, is almost always a gazetteer coding error (it
    would draw a speck of the region far from it). Regions known by a single
    place keep it.
    """
    import pandas as pd

    a, b = shapely.STRtree(polys).query(polys, predicate="intersects")
    other = a != b
    a, b = a[other], b[other]
    pairs = pd.DataFrame({"a": a, "code": codes[b], "same": codes[a] == codes[b]})
    has_same = pairs.groupby("a")["same"].any()
    counts = pd.Series(codes).value_counts()
    lone = has_same.index[~has_same.to_numpy()]
    lone = lone[counts.reindex(codes[lone]).to_numpy() > 1]
    if not len(lone):
        return codes
    majority = (
        pairs[pairs["a"].isin(lone)].groupby("a")["code"].agg(lambda s: s.value_counts().index[0])
    )
    fixed = codes.copy()
    fixed[majority.index.to_numpy()] = majority.to_numpy()
    return fixed
