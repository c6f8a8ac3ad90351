"""The gazetteer as a geopy geocoder, and a factory for optional online ones.

>>> from geopy.extra.rate_limiter import RateLimiter
>>> geocoder = OfflineGeocoder()                          # doctest: +SKIP
>>> geocode = RateLimiter(geocoder.geocode, min_delay_seconds=0)  # doctest: +SKIP
>>> loc = geocode("Cracovie")                             # doctest: +SKIP
>>> loc.raw["country"], loc.raw["geonameid"]              # doctest: +SKIP
('PL', 3094802)
"""

from __future__ import annotations

from typing import Any

from geopy.geocoders import Nominatim, Pelias, Photon
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geoleads.config import Settings
from geoleads.errors import ConfigError
from geoleads.gazetteer.core import Gazetteer, Place, get_gazetteer

_LEVEL_RANK = {"country": 0, "admin1": 1, "locality": 2}


class OfflineGeocoder(Geocoder):
    """A geopy :class:`~geopy.geocoders.base.Geocoder` over the offline gazetteer.

    It never opens a connection. ``geocode("Horn, Austria")`` reads the text after
    the last comma as a country or region that narrows the candidates.
    """

    def __init__(self, gazetteer: Gazetteer | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._gazetteer = gazetteer

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = get_gazetteer()
        return self._gazetteer

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country_codes: str | list[str] | None = None,
        timeout: Any = None,
    ) -> Location | list[Location] | None:
        """Places called ``query``: the best first (``None`` when nothing matches)."""
        if isinstance(country_codes, str):
            country_codes = [country_codes]
        name, _, context = str(query).partition(",")
        places = self.gazetteer.candidates(name.strip(), country_codes=country_codes)
        if context.strip() and places:
            places = self._narrow(places, context)
        if not places:
            return None
        places = sorted(places, key=_prominence, reverse=True)
        locations = [self._location(p) for p in places]
        return locations[0] if exactly_one else locations

    def reverse(
        self,
        query: Any,
        *,
        exactly_one: bool = True,
        timeout: Any = None,
    ) -> Location | list[Location] | None:
        """The nearest GeoNames place to ``(lat, lon)`` (a geopy ``Point`` or a pair)."""
        lat, lon = (float(v) for v in tuple(query)[:2])
        place = self.gazetteer.nearest(lat, lon)
        location = self._location(place)
        return location if exactly_one else [location]

    def _narrow(self, places: list[Place], context: str) -> list[Place]:
        wanted_countries: set[str] = set()
        wanted_admin1: set[str] = set()
        for part in context.split(","):
            for p in self.gazetteer.candidates(part.strip(), levels=("country", "admin1")):
                (wanted_countries if p.level == "country" else wanted_admin1).add(
                    p.country if p.level == "country" else str(p.admin1)
                )
        narrowed = [p for p in places if p.country in wanted_countries or p.admin1 in wanted_admin1]
        return narrowed or places

    def _location(self, place: Place) -> Location:
        parts = [place.name]
        if place.level == "locality" and place.admin1 and self.gazetteer.has_admin1(place.admin1):
            parts.append(self.gazetteer.admin1(place.admin1).name)
        if place.level != "country":
            parts.append(self.gazetteer.country(place.country).name)
        raw = place.to_dict()
        return Location(", ".join(parts), (place.lat, place.lon), raw)


def _prominence(place: Place) -> tuple[float, int]:
    # A country outranks a town of the same name only if the town is small.
    bonus = {"country": 5e7, "admin1": 2e6, "locality": 0.0}[place.level]
    return (place.population + bonus, -_LEVEL_RANK[place.level])


def make_geocoder(settings: Settings | None = None) -> Geocoder:
    """The geocoder the settings ask for: offline by default.

    ``GEOLEADS_GEOCODER=nominatim|photon|pelias`` with ``GEOLEADS_GEOCODER_DOMAIN``
    selects a self-hosted or online service instead (it then needs that network).
    """
    settings = settings or Settings.from_env()
    if settings.geocoder is None:
        return OfflineGeocoder()
    if not settings.geocoder_domain:
        raise ConfigError(f"GEOLEADS_GEOCODER={settings.geocoder} needs GEOLEADS_GEOCODER_DOMAIN")
    common = {"domain": settings.geocoder_domain, "scheme": settings.geocoder_scheme}
    if settings.geocoder == "nominatim":
        return Nominatim(user_agent="geoleads", **common)
    if settings.geocoder == "photon":
        return Photon(**common)
    return Pelias(**common)
