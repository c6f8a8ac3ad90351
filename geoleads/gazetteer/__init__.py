"""The offline gazetteer (GeoNames, CLDR, Natural Earth) and its geopy geocoder."""

from geoleads.gazetteer.build import name_key
from geoleads.gazetteer.core import (
    Gazetteer,
    Place,
    division_mask,
    get_gazetteer,
    haversine_km,
)

__all__ = [
    "Gazetteer",
    "Place",
    "division_mask",
    "get_gazetteer",
    "haversine_km",
    "name_key",
]
