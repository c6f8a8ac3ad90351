"""Point mentions: the nearest locality of a written coordinate pair."""

from __future__ import annotations

import numpy as np

from geoleads.gazetteer import Gazetteer, haversine_km
from geoleads.geoparse import Geoparser


def _band_reference(
    gp: Geoparser, lat: float, lon: float, band: float, width: float
) -> tuple[int, float] | None:
    """``_in_band`` as written before (``nanargmin``): the reference."""
    assert gp._by_lat is not None
    _, lats, lons = gp._by_lat
    lo, hi = np.searchsorted(lats, [lat - band, lat + band])
    if hi <= lo:
        return None
    dlon = np.abs(lons[lo:hi] - lon)
    near = np.flatnonzero(np.minimum(dlon, 360.0 - dlon) <= width) + lo
    if near.size == 0:
        return None
    d = haversine_km(lat, lon, lats[near], lons[near])
    if np.isnan(d).all():
        return None
    k = int(np.nanargmin(d))
    return int(near[k]), float(d[k])


def test_nearest_in_band_equals_nanargmin_also_with_missing_coordinates(
    gazetteer: Gazetteer,
) -> None:
    gp = Geoparser(gazetteer)
    gp._nearest(50.06, 19.94)  # builds the latitude-sorted localities
    assert gp._by_lat is not None
    rng = np.random.default_rng(7)
    points = [(50.06, 19.94), (0.0, 179.99), (-89.9, 0.0)]
    points += [(float(a), float(b)) for a, b in rng.uniform([-60, -180], [70, 180], (300, 2))]
    for lat, lon in points:
        for band in (0.1, 1.0):
            assert gp._in_band(lat, lon, band, 1.5) == _band_reference(gp, lat, lon, band, 1.5)
    # a distance that is NaN (a locality without a latitude) is passed over, as
    # nanargmin does; the same answer when every distance in the band is NaN
    rows, lats, lons = gp._by_lat
    close = np.flatnonzero((np.abs(lats - 50.06) < 0.05) & (np.abs(lons - 19.94) < 1.5))
    k = int(np.searchsorted(lats, 50.06))
    for spoiled in (close[:3], close[::2], slice(k - 30000, k + 30000)):
        bad = lats.copy()
        bad[spoiled] = np.nan
        gp._by_lat = (rows, bad, lons)
        for band in (0.01, 0.1, 1.0):
            got = gp._in_band(50.06, 19.94, band, 1.5)
            assert got == _band_reference(gp, 50.06, 19.94, band, 1.5)
