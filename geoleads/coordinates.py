"""Coordinates and map links in free text.

Recognised forms (each gives a :class:`PointMatch` with ``(lat, lon)``):

- decimal pairs: ``50.0614, 19.9366``, ``50.0614° N 19.9366° E``, ``N 50.06142 E 19.93658``
  (at least three decimals, so "1.5, 2.5" is not a point);
- degrees, minutes, seconds: ``50°03'41"N 19°56'12"E``, ``50° 3' N, 19° 56' E``;
- Google Maps links with ``@lat,lon`` or ``?q=lat,lon`` / ``ll=lat,lon``;
- OpenStreetMap links with ``#map=zoom/lat/lon`` or ``mlat=..&mlon=..``;
- ``geo:lat,lon`` URIs (RFC 5870).

>>> [(m.kind, m.lat, m.lon) for m in find_points("see geo:50.0614,19.9366 there")]
[('url', 50.0614, 19.9366)]
>>> [(m.kind, round(m.lat, 4), round(m.lon, 4)) for m in find_points('50°03\\'41"N 19°56\\'12"E')]
[('coordinates', 50.0614, 19.9367)]
>>> find_points("version 1.5, 2.5 and 3.14; it cost 12.500, 13.000 EUR")
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class PointMatch:
    """A point found at ``text[start:end]``; ``kind`` is ``coordinates`` or ``url``."""

    start: int
    end: int
    kind: str
    lat: float
    lon: float


_NUM = r"[-+−]?\d{1,3}(?:[.,]\d+)?"
_GOOGLE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:google\.[a-z.]{2,6}/maps|maps\.google\.[a-z.]{2,6}|goo\.gl/maps)"
    r"[^\s\"'<>]*?(?:@|[?&](?:q|ll|query|center)=)"
    r"(?P<lat>[-+]?\d{1,2}\.\d+),\s?(?P<lon>[-+]?\d{1,3}\.\d+)[^\s\"'<>]*",
    re.IGNORECASE,
)
_OSM = re.compile(
    r"(?:https?://)?(?:www\.)?openstreetmap\.org[^\s\"'<>]*?"
    r"(?:#map=\d{1,2}/(?P<lat>[-+]?\d{1,2}\.\d+)/(?P<lon>[-+]?\d{1,3}\.\d+)"
    r"|mlat=(?P<mlat>[-+]?\d{1,2}\.\d+)&(?:amp;)?mlon=(?P<mlon>[-+]?\d{1,3}\.\d+))"
    r"[^\s\"'<>]*",
    re.IGNORECASE,
)
_GEO_URI = re.compile(
    r"\bgeo:(?P<lat>[-+]?\d{1,2}(?:\.\d+)?),(?P<lon>[-+]?\d{1,3}(?:\.\d+)?)(?:[;,][^\s\"'<>]*)?",
    re.IGNORECASE,
)
_DEG = "°º˚"
_MIN = "'′’"
_SEC = '"″”'


def _dms_part(p: str) -> str:
    """One ``50°03'41"N`` half, its groups prefixed with ``p``."""
    return (
        rf"(?P<{p}d>\d{{1,3}})\s*[{_DEG}]\s*"
        rf"(?:(?P<{p}m>\d{{1,2}}(?:[.,]\d+)?)\s*[{_MIN}]\s*)?"
        rf"(?:(?P<{p}s>\d{{1,2}}(?:[.,]\d+)?)\s*(?:[{_SEC}]|[{_MIN}]{{2}})\s*)?"
        rf"(?P<{p}h>[NSEWO])"
    )


_DMS = re.compile(r"(?<![\w.])" + _dms_part("a") + r"[\s,;/]*" + _dms_part("b") + r"(?!\w)")
_DECIMAL = re.compile(
    r"(?<![\w.,])(?P<h1>[NS]\s?)?(?P<lat>[-+−]?\d{1,2}\.\d{3,})\s*[°º]?\s*(?P<h2>[NS])?"
    r"\s*[,;/]?\s*"
    r"(?P<h3>[EWO]\s?)?(?P<lon>[-+−]?\d{1,3}\.\d{3,})\s*[°º]?\s*(?P<h4>[EWO])?(?![\w.])"
)


_DIGIT = re.compile(r"\d")
#: Every ``_DECIMAL`` match has this (a quick scan before the slow pattern).
_DECIMAL_PART = re.compile(r"\d\.\d\d\d")


def _num(value: str) -> float:
    return float(value.replace("−", "-").replace(",", "."))


def _valid(lat: float, lon: float) -> bool:
    return -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0 and (lat, lon) != (0.0, 0.0)


def _dms(m: re.Match[str], p: str) -> tuple[float, str]:
    value = _num(m[f"{p}d"])
    if m[f"{p}m"]:
        value += _num(m[f"{p}m"]) / 60.0
    if m[f"{p}s"]:
        value += _num(m[f"{p}s"]) / 3600.0
    return value, m[f"{p}h"]


def has_digit(text: str) -> bool:
    """Whether ``text`` holds a digit (``\\d``: any script's), quicker than the regex alone.

    >>> has_digit("PLZ 80331"), has_digit("kein Code"), has_digit("٣ شارع")
    (True, False, True)
    """
    if not text.isascii():
        return _DIGIT.search(text) is not None
    return any(digit in text for digit in "0123456789")  # quick substring tests


def find_points(text: str) -> list[PointMatch]:
    """Every point written in ``text``, left to right, spans not overlapping."""
    if not has_digit(text):
        return []
    found: list[PointMatch] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, kind: str, lat: float, lon: float) -> None:
        if not _valid(lat, lon):
            return
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append(PointMatch(start, end, kind, round(lat, 6), round(lon, 6)))

    # each pattern only where its fixed part is (case-insensitively: none has an "i" or
    # "s", the letters whose other cases lower() does not give): cheap tests first
    low = text.lower()
    google = "google." in low or "goo.gl" in low
    for pattern, present in ((_GOOGLE, google), (_GEO_URI, "geo:" in low)):
        for m in pattern.finditer(text) if present else ():
            add(m.start(), m.end(), "url", _num(m["lat"]), _num(m["lon"]))
    for m in _OSM.finditer(text) if "tmap.org" in low else ():
        lat, lon = (m["lat"], m["lon"]) if m["lat"] else (m["mlat"], m["mlon"])
        add(m.start(), m.end(), "url", _num(lat), _num(lon))
    dms = any(sign in text for sign in _DEG)
    for m in _DMS.finditer(text) if dms else ():
        (a, ha), (b, hb) = _dms(m, "a"), _dms(m, "b")
        if ha in "NS" and hb in "EWO":
            lat, lon = (-a if ha == "S" else a), (-b if hb == "W" else b)
        elif ha in "EWO" and hb in "NS":
            lat, lon = (-b if hb == "S" else b), (-a if ha == "W" else a)
        else:
            continue
        add(m.start(), m.end(), "coordinates", lat, lon)
    for m in _DECIMAL.finditer(text) if _DECIMAL_PART.search(text) else ():
        marked = any(m[h] for h in ("h1", "h2", "h3", "h4")) or "°" in m[0] or "º" in m[0]
        if not marked and all(len(m[g].split(".")[1]) == 3 for g in ("lat", "lon")):
            continue  # "12.500, 13.000": thousands, not degrees
        lat, lon = _num(m["lat"]), _num(m["lon"])
        if (m["h1"] or m["h2"] or "").strip() == "S":
            lat = -abs(lat)
        if (m["h3"] or m["h4"] or "").strip() == "W":
            lon = -abs(lon)
        add(m.start(), m.end(), "coordinates", lat, lon)
    found.sort(key=lambda p: p.start)
    return found


_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+|\b[\w.-]+@[\w-]+\.[\w.]+", re.IGNORECASE)


def url_spans(text: str) -> list[tuple[int, int]]:
    """Spans of links and e-mail addresses, where place names should not be looked for."""
    if "://" not in text and "www." not in text and "@" not in text:
        return []
    return [(m.start(), m.end()) for m in _URL.finditer(text)]
