"""The geoparser: text in, :class:`~geoleads.leads.Mention` s with ranked readings out.

It glues :mod:`geoleads.coordinates` (points and map links),
:mod:`geoleads.extract` (names, demonyms, language clues),
:mod:`geoleads.postcodes` (postal codes with a country context) and
:mod:`geoleads.resolve` (ranking readings), all offline. A configured online or
self-hosted geocoder (``GEOLEADS_GEOCODER``) is asked only for names after a
context word that the gazetteer lacks, and only when ``use_geocoder=True``;
its answers are cached on disk.

>>> gp = Geoparser()                                          # doctest: +SKIP
>>> m = gp.parse("Das ist aus Krakau")[0]                     # doctest: +SKIP
>>> m.text, m.best.name, m.best.country                       # doctest: +SKIP
('Krakau', 'Kraków', 'PL')
>>> geoparse_frame(["v Praze", "Horn, Sweden"])[["text", "name", "country"]]  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from geoleads.coordinates import PointMatch, find_points, has_digit, url_spans
from geoleads.extract import Extractor, Span
from geoleads.leads import Candidate, Mention
from geoleads.postcodes import PostcodeFinder
from geoleads.resolve import Resolver

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from geoleads.gazetteer import Gazetteer, Place
    from geoleads.geocoding_fallback import FallbackGeocoder

#: Longer texts are cut (a tip is a few sentences; 1 MB of text is junk or an attack).
MAX_CHARS = 1_000_000
#: A point further than this from every GeoNames place gets no country.
POINT_COUNTRY_KM = 60.0


class Geoparser:
    """Finds and resolves the places of a text.

    Parameters
    ----------
    gazetteer:
        The gazetteer to use (default: the shared one, loaded on first use).
    use_geocoder:
        Ask the geocoder configured by ``GEOLEADS_GEOCODER`` for names the
        gazetteer lacks (default: never; the offline path makes no request).
    """

    def __init__(self, gazetteer: Gazetteer | None = None, *, use_geocoder: bool = False) -> None:
        if gazetteer is None:
            from geoleads.gazetteer import get_gazetteer

            gazetteer = get_gazetteer()
        self.gazetteer = gazetteer
        self.extractor = Extractor(gazetteer)
        self.resolver = Resolver(gazetteer)
        self.postcodes = PostcodeFinder(gazetteer)
        self._fallback: FallbackGeocoder | None = None
        self._by_lat: tuple[Any, Any, Any] | None = None
        if use_geocoder:
            from geoleads.geocoding_fallback import FallbackGeocoder

            self._fallback = FallbackGeocoder.from_settings(gazetteer)

    def spans(self, text: str, language: str | None = None) -> list[Span]:
        """The accepted name spans of ``text`` (before ranking)."""
        return self.extractor.spans(text, language=language)

    def parse(
        self,
        text: str,
        language: str | None = None,
        country_prior: Mapping[str, float] | None = None,
    ) -> list[Mention]:
        """Mentions of ``text`` left to right, each with readings best first.

        ``language`` (ISO 639-1, e.g. ``"pl"``) is the tip's language when known;
        ``country_prior`` (country code -> weight, e.g. from the same object's
        other tips) lifts readings in those countries.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        text = text[:MAX_CHARS]
        digits = has_digit(text)  # else no points and no postal codes
        points = find_points(text) if digits else []
        blocked = [(p.start, p.end) for p in points] + url_spans(text)
        spans, lang = self.extractor.scan(text, language=language)
        if blocked:
            spans = [s for s in spans if not any(a < s.end and s.start < b for a, b in blocked)]
        mentions = self.resolver.resolve(text, spans, country_prior, lang)
        if digits:  # postal codes (with a country context), geoleads.postcodes
            mentions.extend(self.postcodes.find(text, mentions, country_prior, blocked))
        if self._fallback is not None:
            mentions.extend(self._fallback.mentions(text, spans, blocked))
        mentions.extend(self._point_mention(text, p) for p in points)
        mentions.sort(key=lambda m: m.start)
        return mentions

    def parse_many(
        self,
        texts: Iterable[str],
        country_prior: Mapping[str, float] | None = None,
    ) -> list[list[Mention]]:
        """:meth:`parse` for each text."""
        return [self.parse(t, country_prior=country_prior) for t in texts]

    def _point_mention(self, text: str, p: PointMatch) -> Mention:
        near, km = self._nearest(p.lat, p.lon)
        close = near is not None and km <= POINT_COUNTRY_KM
        name = near.name if near is not None and km <= 15 else f"{p.lat:.5f}, {p.lon:.5f}"
        cand = Candidate(
            None,
            name,
            "point",
            near.country if close and near is not None else None,
            near.admin1 if close and near is not None else None,
            p.lat,
            p.lon,
            0.95 if close else 0.8,
        )
        return Mention(p.start, p.end, text[p.start : p.end], p.kind, (cand,))

    def _nearest(self, lat: float, lon: float) -> tuple[Place | None, float]:
        """The locality nearest to ``(lat, lon)`` within ``POINT_COUNTRY_KM``-ish, and km.

        Searches a latitude band of the localities sorted by latitude (fast),
        not all 235,000 of them: first a tenth of it, which settles the answer
        when a place there is nearer than the narrow band is wide (a great
        circle is at least as long as its change of latitude), else all of it.
        """
        import numpy as np

        from geoleads.gazetteer import division_mask
        from geoleads.gazetteer.core import EARTH_RADIUS_KM

        if self._by_lat is None:
            e = self.gazetteer.entities
            rows = np.flatnonzero((e["level"] == "locality").to_numpy() & ~division_mask(e))
            lats = e["lat"].to_numpy()[rows]
            order = np.argsort(lats, kind="stable")
            self._by_lat = (rows[order], lats[order], e["lon"].to_numpy()[rows][order])
        band = 1.0  # degrees of latitude, about 111 km
        # and a longitude window as wide as the band (cheap compares before trigonometry)
        width = band / max(math.cos(math.radians(min(abs(lat) + band, 89.0))), 0.01)
        narrow = band / 10
        best = self._in_band(lat, lon, narrow, width)
        if best is None or not best[1] < EARTH_RADIUS_KM * math.radians(narrow) * (1 - 1e-9):
            best = self._in_band(lat, lon, band, width)
        if best is None:
            return None, math.inf
        k, km = best
        if not math.isfinite(km) or km > 111.0:
            return None, math.inf
        return self.gazetteer.place(int(self._by_lat[0][k])), km

    def _in_band(
        self, lat: float, lon: float, band: float, width: float
    ) -> tuple[int, float] | None:
        """(index, km) of the nearest of the localities within ``band`` degrees of latitude and
        ``width`` of longitude (the first of equals), or ``None`` when there is none."""
        import numpy as np

        from geoleads.gazetteer import haversine_km

        assert self._by_lat is not None
        _, lats, lons = self._by_lat
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


def mention_rows(
    mentions: Sequence[Mention], ident: Any = None, text: str | None = None
) -> list[dict[str, Any]]:
    """Flat dict rows (best reading + ``alternatives`` count) for tables."""
    rows = []
    for m in mentions:
        row = m.to_json()
        row["alternatives"] = len(m.candidates) - 1
        if ident is not None:
            row = {"id": ident, **row}
        rows.append(row)
    return rows


def geoparse_frame(
    texts: Iterable[str] | pd.Series | pd.DataFrame,
    *,
    geoparser: Geoparser | None = None,
    text_column: str = "text",
    id_column: str | None = None,
) -> gpd.GeoDataFrame:
    """A GeoDataFrame with one row per mention (best reading), for notebooks.

    ``texts`` is a list of strings, a Series, or a DataFrame with a
    ``text_column`` (and optional ``id_column``; default: the index). Columns:
    ``id, start, end, text, kind, geonameid, name, level, country, admin1, lat,
    lon, confidence, alternatives, geometry`` (points, EPSG:4326).
    """
    import geopandas as gpd
    import pandas as pd

    gp = geoparser or Geoparser()
    if isinstance(texts, pd.DataFrame):
        ids = list(texts[id_column]) if id_column else list(texts.index)
        values = list(texts[text_column])
    elif isinstance(texts, pd.Series):
        ids, values = list(texts.index), list(texts)
    else:
        values = list(texts)
        ids = list(range(len(values)))
    rows: list[dict[str, Any]] = []
    for ident, value in zip(ids, values, strict=True):
        if not isinstance(value, str):
            continue
        rows.extend(mention_rows(gp.parse(value), ident=ident))
    columns = [
        "id", "start", "end", "text", "kind", "geonameid", "name", "level",
        "country", "admin1", "lat", "lon", "confidence", "alternatives",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    # GeoPandas wants (x, y) = (lon, lat).
    geometry = gpd.points_from_xy(frame["lon"].astype(float), frame["lat"].astype(float))
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
