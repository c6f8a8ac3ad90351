"""Representative points, counties (second-level divisions) and the readings they change.

Real gazetteer, real Natural Earth borders; the reference points are published
geographic centres, not benchmark answers.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geoleads.gazetteer import Gazetteer, division_mask, haversine_km, name_key
from geoleads.gazetteer.points import area_point
from geoleads.geoparse import Geoparser
from geoleads.surface import SurfaceModel


@pytest.fixture(scope="module")
def geoparser(gazetteer: Gazetteer) -> Geoparser:
    return Geoparser(gazetteer)


def best(gp: Geoparser, text: str, surface: str) -> tuple[str, str | None, str]:
    """(name, admin1, level) of the best reading of the mention ``surface`` in ``text``."""
    for m in gp.parse(text):
        if m.text == surface and m.best is not None:
            return m.best.name, m.best.admin1 or m.best.country, m.best.level
    raise AssertionError(f"{surface!r} not found in {text!r}")


# --- representative points ---------------------------------------------------


@pytest.mark.parametrize(
    ("code", "lat", "lon", "km"),
    [
        ("US", 39.83, -98.58, 150),  # geographic centre of the contiguous US (Lebanon, Kansas)
        ("FR", 46.54, 2.43, 100),  # centre of mainland France (Bruère-Allichamps area)
        ("NO", 64.5, 12.0, 250),  # mainland Norway, not Svalbard
    ],
)
def test_country_points_sit_in_the_main_landmass(
    gazetteer: Gazetteer, code: str, lat: float, lon: float, km: float
) -> None:
    place = gazetteer.country(code)
    assert haversine_km(lat, lon, place.lat, place.lon) < km
    assert gazetteer.country_at(place.lat, place.lon) == code


def test_every_country_point_lies_in_its_country(gazetteer: Gazetteer) -> None:
    shapes = gazetteer.country_shapes()
    outside = []
    for code, geom in zip(shapes["code"], shapes.geometry, strict=True):
        if not gazetteer.country_codes or code not in gazetteer.country_codes:
            continue
        p = gazetteer.country(code)
        if not geom.buffer(0.01).contains(shapely.Point(p.lon, p.lat)):
            outside.append(code)
    assert not outside


def test_admin1_points_are_region_centres_not_population_centres(gazetteer: Gazetteer) -> None:
    texas = gazetteer.admin1("US.TX")
    # the geographic centre of Texas is near Brady (31.1, -99.3); Dallas-Houston pull east
    assert haversine_km(31.1, -99.3, texas.lat, texas.lon) < 100
    california = gazetteer.admin1("US.CA")
    assert haversine_km(37.2, -119.4, california.lat, california.lon) < 100


def test_area_point_uses_equal_areas_and_the_largest_part() -> None:
    # a band from 0 to 80 degrees north: on a plate carrée map its centre would be at
    # 40 degrees; by area (sin(lat)) it is at about 29.5 degrees
    lat, lon = area_point(shapely.box(0, 0, 10, 80))
    assert 29 < lat < 30 and lon == pytest.approx(5)
    island_and_mainland = shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(5, 0, 9, 4)])
    lat, lon = area_point(island_and_mainland)
    assert lon == pytest.approx(7) and lat == pytest.approx(2, abs=0.01)
    assert np.isnan(area_point(shapely.Point(0, 0))[0])


# --- counties as locality-level entities --------------------------------------


def test_counties_are_localities_under_their_own_names_only(gazetteer: Gazetteer) -> None:
    e = gazetteer.entities
    rows = gazetteer.rows_for(name_key("Boone County"))
    counties = e.loc[list(rows)]
    assert len(counties) >= 5 and counties["division"].all()
    assert set(counties["level"].astype(str)) == {"locality"}
    assert "US.KY.015" in set(counties["admin2"].astype(str))
    # the bare name stays the towns': no county competes with Boone, NC
    assert not e.loc[list(gazetteer.rows_for("boone")), "division"].any()
    # a division has a position and the population of its places
    ky = counties[counties["admin2"].astype(str) == "US.KY.015"].iloc[0]
    assert ky["admin1"] == "US.KY" and ky["population"] > 50_000
    assert haversine_km(38.97, -84.73, ky["lat"], ky["lon"]) < 30


def test_towns_know_their_county(gazetteer: Gazetteer) -> None:
    e = gazetteer.entities
    florence_ky = e[(e["name"] == "Florence") & (e["admin1"] == "US.KY")]
    assert set(florence_ky["admin2"].astype(str)) == {"US.KY.015"}


def test_places_near_a_point_are_never_counties(gazetteer: Gazetteer) -> None:
    ky = gazetteer.entities.loc[list(gazetteer.rows_for(name_key("Boone County")))]
    row = ky[ky["admin2"].astype(str) == "US.KY.015"].iloc[0]
    near = gazetteer.nearest(float(row["lat"]), float(row["lon"]))
    assert near.name != "Boone County"
    assert not division_mask(gazetteer.entities)[near.row]


def test_region_spreads_leave_counties_out(gazetteer: Gazetteer) -> None:
    model = SurfaceModel(gazetteer)
    model.area_spread("admin1", "US.KY")
    rows = model._by_admin1["US.KY"]  # type: ignore[index]  # the places spread over
    assert len(rows) > 100
    assert not division_mask(gazetteer.entities)[rows].any()


def test_a_county_and_its_state(geoparser: Geoparser) -> None:
    assert best(geoparser, "Deputies in Boone County, Ky. said", "Boone County") == (
        "Boone County",
        "US.KY",
        "locality",
    )
    # a bare county word is no place; the town of the name is still found
    assert best(geoparser, "I bought it in Boone.", "Boone")[0] == "Boone"


def test_a_town_and_its_county_support_each_other(geoparser: Geoparser) -> None:
    text = "Residents of Paris and Henry County will get a letter."
    assert best(geoparser, text, "Paris")[1] == "US.TN"  # Paris, TN lies in Henry County, TN
    assert best(geoparser, text, "Henry County")[1] == "US.TN"
    assert best(geoparser, "Sold in Springfield and Greene County", "Springfield")[1] == "US.MO"


def test_european_districts_are_found_by_their_full_name(geoparser: Geoparser) -> None:
    assert best(geoparser, "Kupiłam to, powiat leszczyński", "powiat leszczyński")[1] == "PL.86"
    assert best(geoparser, "Okres Beroun", "Okres Beroun")[1:] == ("CZ.88", "locality")


# --- national capitals ----------------------------------------------------------


def test_capitals_are_flagged_once_per_country(gazetteer: Gazetteer) -> None:
    e = gazetteer.entities
    caps = e[e["capital"]]
    assert caps["country"].astype(str).is_unique
    assert {"Washington", "Bern", "Warsaw", "Canberra"} <= set(caps["name"])


def test_a_capital_outweighs_a_bigger_region_of_its_name(geoparser: Geoparser) -> None:
    assert best(geoparser, "Seen in a shop in Washington.", "Washington")[1] == "US.DC"
    assert best(geoparser, "Bought in Bern", "Bern")[1] == "CH.BE"


def test_a_region_name_is_not_a_small_town_called_after_it(geoparser: Geoparser) -> None:
    # "Montana City" and "Minneota" have the state's name among their other names; they are
    # not the state's city, so neither wins over the state when the state is meant
    text = "Ranchers in Montana and Minnesota, Wyoming and Idaho"
    assert best(geoparser, text, "Montana")[1:] == ("US.MT", "admin1")
    assert best(geoparser, text, "Minnesota")[1:] == ("US.MN", "admin1")
    # while the region's own city still wins ("Praha" is Prague, the city)
    assert best(geoparser, "Koupeno v Praze", "Praze")[0] == "Prague"
