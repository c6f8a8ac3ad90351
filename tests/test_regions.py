"""Approximate admin1 shapes: derived from real GeoNames places, or read from a user file."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geoleads.errors import ConfigError
from geoleads.gazetteer import Gazetteer
from geoleads.regions import BOUNDARIES_ENV, admin1_shapes, derive_admin1_shapes, relabel_strays


@pytest.fixture(scope="module")
def central_europe(gazetteer: Gazetteer) -> gpd.GeoDataFrame:
    return derive_admin1_shapes(gazetteer, countries=["PL", "AT", "BE"])


def test_every_region_of_a_country_gets_a_valid_shape(
    central_europe: gpd.GeoDataFrame, gazetteer: Gazetteer
) -> None:
    pl = central_europe[central_europe["country"] == "PL"]
    assert len(pl) == 16  # the 16 voivodeships
    assert pl.geometry.is_valid.all()
    assert set(central_europe["country"]) == {"PL", "AT", "BE"}
    lesser = pl[pl["code"] == "PL.77"].iloc[0]
    assert lesser["name"] == gazetteer.admin1("PL.77").name


def test_places_fall_in_their_own_region(
    central_europe: gpd.GeoDataFrame, gazetteer: Gazetteer
) -> None:
    loc = gazetteer.localities()
    loc = loc[loc["country"].isin(["PL", "AT", "BE"])]
    points = gpd.GeoDataFrame(
        {"admin1": loc["admin1"].astype(str).to_numpy()},
        geometry=gpd.points_from_xy(loc["lon"], loc["lat"]),  # shapely order: (lon, lat)
        crs=4326,
    )
    joined = gpd.sjoin(points, central_europe[["code", "geometry"]], predicate="within")
    joined = joined[~joined.index.duplicated()]
    agree = float((joined["admin1"] == joined["code"]).mean())
    assert len(joined) > 0.9 * len(points)  # a few coastal places fall outside simplified coasts
    assert agree > 0.97


def test_regions_stay_inside_the_country(
    central_europe: gpd.GeoDataFrame, gazetteer: Gazetteer
) -> None:
    shapes = gazetteer.country_shapes().set_index("code")
    pl = shapely.union_all(central_europe.loc[central_europe["country"] == "PL", "geometry"])
    border = shapes.at["PL", "geometry"]
    assert pl.difference(border.buffer(0.05)).area < 0.01
    assert pl.area == pytest.approx(border.area, rel=0.05)


def test_a_lone_miscoded_place_takes_its_neighbours_region() -> None:
    # a 5x5 grid of Voronoi cells: left half region A, right half B, one A cell inside B
    xy = np.array([(x, y) for x in range(5) for y in range(5)], dtype=float)
    codes = np.array(["A" if x < 2 else "B" for x, _ in xy], dtype=object)
    codes[22] = "A"  # (4, 2): surrounded by B
    cells = shapely.get_parts(
        shapely.voronoi_polygons(
            shapely.multipoints(xy), extend_to=shapely.box(-1, -1, 5, 5), ordered=True
        )
    )
    fixed = relabel_strays(np.asarray(cells), codes)
    assert fixed[22] == "B"
    assert list(fixed[:10]) == ["A"] * 10


def test_cached_world_shapes(gazetteer: Gazetteer) -> None:
    shapes = admin1_shapes(gazetteer, env={})
    assert {"code", "name", "country", "geometry"} <= set(shapes.columns)
    assert len(shapes) > 3000
    assert (Path(gazetteer.cache_dir or "") / "regions" / "admin1.gpkg").exists()
    krakow = shapely.Point(19.93658, 50.06143)
    hit = shapes[shapes.contains(krakow)]
    assert list(hit["code"]) == ["PL.77"]


def test_user_boundaries_replace_the_derived_ones(tmp_path: Path, gazetteer: Gazetteer) -> None:
    square = shapely.box(19.0, 49.0, 21.0, 51.0)
    path = tmp_path / "gadm.geojson"
    gpd.GeoDataFrame({"admin1": ["PL.77"]}, geometry=[square], crs=4326).to_file(path)
    shapes = admin1_shapes(gazetteer, env={BOUNDARIES_ENV: str(path)})
    assert list(shapes["code"]) == ["PL.77"]
    assert shapes.iloc[0]["name"] == gazetteer.admin1("PL.77").name  # from the gazetteer
    assert shapes.iloc[0]["country"] == "PL"
    assert shapes.geometry.iloc[0].equals(square)


def test_user_boundaries_without_a_code_column_are_refused(
    tmp_path: Path, gazetteer: Gazetteer
) -> None:
    path = tmp_path / "bad.geojson"
    gpd.GeoDataFrame(
        {"NAME_1": ["Małopolskie"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=4326
    ).to_file(path)
    with pytest.raises(ConfigError, match="GeoNames admin1 codes"):
        admin1_shapes(gazetteer, env={BOUNDARIES_ENV: str(path)})
    with pytest.raises(ConfigError, match="no such file"):
        admin1_shapes(gazetteer, env={BOUNDARIES_ENV: str(tmp_path / "missing.gpkg")})
    (tmp_path / "junk.geojson").write_text(json.dumps({"nonsense": 1}), encoding="utf-8")
    with pytest.raises(ConfigError):
        admin1_shapes(gazetteer, env={BOUNDARIES_ENV: str(tmp_path / "junk.geojson")})
