"""H3 surfaces: kernels, area spreading, peak and credible regions on the real gazetteer."""

from __future__ import annotations

import h3
import numpy as np
import pytest

from geoleads.gazetteer import Gazetteer, haversine_km
from geoleads.surface import (
    RESOLUTION,
    SurfaceModel,
    cells_geometry,
    gaussian_kernel,
    locality_sigma_km,
)


@pytest.fixture(scope="module")
def model(gazetteer: Gazetteer) -> SurfaceModel:
    return SurfaceModel(gazetteer)


def horn_at(gaz: Gazetteer) -> int:
    return gaz.candidates("Horn", country_codes=["AT"], levels=("locality",))[0].row


def test_kernel_is_normalised_and_centred() -> None:
    cells, w = gaussian_kernel(48.66274, 15.65663, 2.5)
    assert w.sum() == pytest.approx(1.0)
    assert len(np.unique(cells)) == len(cells)
    best = h3.int_to_str(int(cells[int(np.argmax(w))]))
    assert best == h3.latlng_to_cell(48.66274, 15.65663, RESOLUTION)
    assert locality_sigma_km(500) < locality_sigma_km(50_000) < locality_sigma_km(5_000_000) <= 25


def test_village_surface_peaks_on_the_village(model: SurfaceModel, gazetteer: Gazetteer) -> None:
    row = horn_at(gazetteer)
    s = model.build({("locality", row): 3.0})
    assert s.shares().sum() == pytest.approx(1.0)
    lat, lon = s.peak()  # type: ignore[misc]
    place = gazetteer.place(row)
    assert haversine_km(lat, lon, place.lat, place.lon) < 2
    # a village kernel is a few km: its 80 % credible region is a few cells
    assert 30 < s.credible_area_km2(0.8) < 600


def test_country_mass_spreads_over_the_country(model: SurfaceModel, gazetteer: Gazetteer) -> None:
    s = model.build({("country", "PL"): 1.0})
    frame = s.frame()
    assert frame["share"].sum() == pytest.approx(1.0)
    assert len(frame) > 1000
    # no single cell (e.g. the centroid) holds a notable part of the mass
    assert frame["share"].max() < 0.02
    pl = gazetteer.country("PL")
    assert haversine_km(pl.lat, pl.lon, frame["lat"], frame["lon"]).max() > 250
    sample = frame.sample(20, random_state=1)
    inside = [gazetteer.country_at(a, b) for a, b in zip(sample["lat"], sample["lon"], strict=True)]
    assert sum(c == "PL" for c in inside) >= 18  # border cells may straddle
    assert s.credible_area_km2(0.8) > 30_000


def test_admin1_spread_and_fractions(model: SurfaceModel) -> None:
    spread = model.area_spread("admin1", "AT.03")
    assert spread.weights.sum() == pytest.approx(1.0)
    assert set(spread.admin1) == {"AT.03"}
    fractions = model.area_spread("country", "AT").admin1_fractions()
    assert sum(fractions.values()) == pytest.approx(1.0)
    assert fractions["AT.03"] > fractions["AT.08"]  # Lower Austria has more places than Vorarlberg


def test_area_without_places_falls_back_to_a_kernel(
    model: SurfaceModel, gazetteer: Gazetteer
) -> None:
    # Antarctica has no GeoNames place of 500 people; Serbia and Montenegro has no point
    s = model.build({("country", "AQ"): 1.0})
    assert len(s) > 0 and s.shares().sum() == pytest.approx(1.0)
    assert len(model.build({("country", "CS"): 1.0})) == 0
    assert len(model.build({("point", (float("nan"), 1.0)): 1.0})) == 0


def test_nearby_places_reinforce_the_peak(model: SurfaceModel, gazetteer: Gazetteer) -> None:
    # two tips near each other in Lower Austria beat one slightly heavier lone city
    horn = horn_at(gazetteer)
    egg = gazetteer.candidates("Eggenburg", country_codes=["AT"], levels=("locality",))[0].row
    graz = gazetteer.candidates("Graz", levels=("locality",))[0].row
    s = model.build({("locality", horn): 1.0, ("locality", egg): 1.0, ("locality", graz): 1.3})
    lat, lon = s.peak()  # type: ignore[misc]
    g = gazetteer.place(graz)
    assert haversine_km(lat, lon, g.lat, g.lon) > 100


def test_empty_surface(model: SurfaceModel) -> None:
    s = model.build({})
    assert len(s) == 0 and s.peak() is None and s.credible_area_km2(0.5) == 0.0
    assert s.frame().empty and cells_geometry(s.credible_cells(0.8)).is_empty
    assert len(model.build({("locality", 0): 0.0})) == 0


def test_unknown_level_is_an_error(model: SurfaceModel) -> None:
    with pytest.raises(ValueError):
        model.build({("planet", "Mars"): 1.0})


def test_credible_region_geometry_is_lon_lat(model: SurfaceModel, gazetteer: Gazetteer) -> None:
    row = horn_at(gazetteer)
    s = model.build({("locality", row): 1.0})
    geom = cells_geometry(s.credible_cells(0.8))
    c = geom.centroid
    place = gazetteer.place(row)
    assert haversine_km(c.y, c.x, place.lat, place.lon) < 5
