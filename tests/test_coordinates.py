"""Coordinates and map links in tips (geoleads.coordinates)."""

from __future__ import annotations

import pytest

from geoleads.coordinates import find_points, url_spans


def one(text: str) -> tuple[str, float, float]:
    found = find_points(text)
    assert len(found) == 1, found
    p = found[0]
    return p.kind, round(p.lat, 4), round(p.lon, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at 50.0614, 19.9366 in the shop", ("coordinates", 50.0614, 19.9366)),
        ("50.0614° N, 19.9366° E", ("coordinates", 50.0614, 19.9366)),
        ("N 50.06142 E 19.93658", ("coordinates", 50.0614, 19.9366)),
        ("-33.8688, 151.2093", ("coordinates", -33.8688, 151.2093)),
        ("40.7128 N 74.0060 W", ("coordinates", 40.7128, -74.006)),
        ("50°03'41\"N 19°56'12\"E", ("coordinates", 50.0614, 19.9367)),
        ("40°26′46″N 79°58′56″W", ("coordinates", 40.4461, -79.9822)),
        ("50° 3' N, 19° 56' E", ("coordinates", 50.05, 19.9333)),
        (
            "https://www.google.com/maps/place/Krak%C3%B3w/@50.0468548,19.9348341,12z/data=x",
            ("url", 50.0469, 19.9348),
        ),
        ("https://maps.google.com/?q=59.3293,18.0686", ("url", 59.3293, 18.0686)),
        ("https://www.openstreetmap.org/#map=15/48.2082/16.3738", ("url", 48.2082, 16.3738)),
        ("openstreetmap.org/?mlat=52.23&mlon=21.01#map=12/52.23/21.01", ("url", 52.23, 21.01)),
        ("geo:52.2297,21.0122;u=35", ("url", 52.2297, 21.0122)),
        # shouted: the patterns ignore case, and so must their quick pre-tests
        ("GEO:52.2297,21.0122", ("url", 52.2297, 21.0122)),
        ("HTTPS://WWW.OPENSTREETMAP.ORG/#MAP=15/48.2082/16.3738", ("url", 48.2082, 16.3738)),
        ("HTTPS://MAPS.GOOGLE.COM/?Q=59.3293,18.0686", ("url", 59.3293, 18.0686)),
        ("GOO.GL/MAPS?q=59.3293,18.0686", ("url", 59.3293, 18.0686)),
        ("50º03'41\"N 19º56'12\"E", ("coordinates", 50.0614, 19.9367)),
    ],
)
def test_forms(text: str, expected: tuple[str, float, float]) -> None:
    assert one(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "version 1.5, 2.5 of the app",
        "it cost 12.500, 13.000 EUR",
        "call 123.4567, 234.5678",  # out of range
        "pi is 3.14159",
        "95.1234, 12.1234",  # latitude over 90
        "",
    ],
)
def test_not_points(text: str) -> None:
    assert find_points(text) == []


def test_offsets_point_into_the_text() -> None:
    text = "Shop: geo:50.0614,19.9366 and 48.2082, 16.3738 too"
    for p in find_points(text):
        assert text[p.start : p.end].strip() == text[p.start : p.end]
        assert any(ch.isdigit() for ch in text[p.start : p.end])
    assert len(find_points(text)) == 2


def test_url_spans_cover_links_and_mail() -> None:
    text = "see https://nice.example.org/most and mail bath@police.example"
    spans = url_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "https://nice.example.org/most",
        "bath@police.example",
    ]
