"""Place extraction and resolution on the real gazetteer (geoleads.extract/resolve)."""

from __future__ import annotations

import pytest

from geoleads.gazetteer import Gazetteer
from geoleads.geoparse import Geoparser, geoparse_frame
from geoleads.inflect import suffix_candidates
from geoleads.leads import Mention


@pytest.fixture(scope="module")
def gp(gazetteer: Gazetteer) -> Geoparser:
    return Geoparser(gazetteer)


def best(mentions: list[Mention]) -> list[tuple[str, str | None, str | None]]:
    return [(m.text, m.best.name, m.best.country) for m in mentions if m.best is not None]


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        ("Das ist aus Krakau", "Kraków", "PL"),
        ("Kupiłam to w Krakowie", "Kraków", "PL"),
        ("Viděl jsem to v Praze", "Prague", "CZ"),
        ("видел такое в Москве", "Moscow", "RU"),
        ("Ostin tämän Helsingissä", "Helsinki", "FI"),
        ("Ezt Budapesten vettem", "Budapest", "HU"),
        ("Pracowałem w Wiedniu", "Vienna", "AT"),
        ("Mieszkałam w Wadowicach", "Wadowice", "PL"),
        ("Бачила у Львові", "Lviv", "UA"),
        ("Το είδα στη Θεσσαλονίκη", "Thessaloníki", "GR"),
        ("Meillä oli tämä Tampereella", "Tampere", "FI"),
        ("Moja ciocia z Nowego Targu", "Nowy Targ", "PL"),
        ("bought it in krakow", "Kraków", "PL"),
        ("we had it in Wagram ob der Traisen", "Wagram ob der Traisen", "AT"),
        ("Ma grand-mère à Saint-Étienne", "Saint-Étienne", "FR"),
        ("I bought it in Nice", "Nice", "FR"),
        ("Pochodzę z Police koło Szczecina", "Police", "PL"),
    ],
)
def test_finds_the_place(gp: Geoparser, text: str, name: str, country: str) -> None:
    found = best(gp.parse(text))
    assert (name, country) in [(n, c) for _, n, c in found], found


@pytest.mark.parametrize(
    "text",
    [
        "Nice shampoo, very nice",
        "Most of my friends have this one.",
        "Bath time with this shampoo",
        "This was a gift from my mother",
        "The police should look at the barcode",
        "My mobile phone has the same colour",
        "I used to hide in our den",
        "Das Gift ist gefährlich",
        "Das Horn auf dem Bild",
        "",
        "   ",
        "12345 !!! ???",
    ],
)
def test_common_words_are_not_places(gp: Geoparser, text: str) -> None:
    assert gp.parse(text) == []


def test_offsets_and_probabilities(gp: Geoparser) -> None:
    text = "Widziałem to w Krakowie, potem w Wiedniu i w Horn, Sweden."
    mentions = gp.parse(text)
    assert len(mentions) >= 3
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert m.candidates
        probs = [c.probability for c in m.candidates]
        assert probs == sorted(probs, reverse=True)
        assert 0 < sum(probs) <= 1.0 + 1e-9


def test_country_after_a_comma_decides(gp: Geoparser) -> None:
    assert ("Horn", "Horn", "SE") in best(gp.parse("I grew up in Horn, Sweden"))
    assert ("Horn", "Horn", "AT") in best(gp.parse("I grew up in Horn, Austria"))


def test_country_prior_reranks(gp: Geoparser) -> None:
    plain = gp.parse("We lived in Horn")[0]
    alternatives = {c.country for c in plain.candidates}
    assert {"AT", "DE"} <= alternatives
    for code in ("AT", "DE"):
        reranked = gp.parse("We lived in Horn", country_prior={code: 1.0})[0]
        assert reranked.best is not None and reranked.best.country == code


def test_other_places_in_the_tip_help(gp: Geoparser) -> None:
    # Alexandria alone is the Egyptian city; next to Louisiana it is the US town.
    assert best(gp.parse("We lived in Alexandria"))[0][2] == "EG"
    found = best(gp.parse("We lived in Alexandria, Louisiana near the river"))
    assert found[0][2] == "US"


def test_points_and_links(gp: Geoparser) -> None:
    mentions = gp.parse(
        "shop at https://www.google.com/maps/place/Nice/@50.0468548,19.9348341,12z ok"
    )
    assert [(m.kind, m.best.level, m.best.country) for m in mentions if m.best] == [
        ("url", "point", "PL")
    ]
    sea = gp.parse("35.0000, -40.0000")[0]
    assert sea.kind == "coordinates" and sea.best is not None and sea.best.country is None


def test_to_json_contract(gp: Geoparser) -> None:
    out = gp.parse("Das ist aus Krakau")[0].to_json()
    assert out["start"] == 12 and out["end"] == 18 and out["kind"] == "place"
    assert out["name"] == "Kraków" and out["country"] == "PL" and out["admin1"] == "PL.77"
    assert out["level"] == "locality" and out["geonameid"] == 3094802
    assert 0 < out["confidence"] <= 1 and isinstance(out["alternatives"], list)


def test_hostile_and_huge_text(gp: Geoparser) -> None:
    assert best(gp.parse("<script>alert('x')</script> aus Krakau"))[0][1] == "Kraków"
    junk = bytes(range(256)).decode("latin-1") * 20
    gp.parse(junk)
    big = ("lorem ipsum dolor sit amet " * 40_000)[:1_000_000] + " aus Krakau"
    assert len(big) > 1_000_000
    gp.parse(big)  # no crash; the tail past MAX_CHARS is cut


def test_parse_many_and_frame(gp: Geoparser) -> None:
    texts = ["aus Krakau", "nothing here", "v Praze a v Brně"]
    many = gp.parse_many(texts)
    assert [len(m) for m in many] == [1, 0, 2]
    frame = geoparse_frame(texts, geoparser=gp)
    assert list(frame["id"]) == [0, 2, 2]
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.iloc[0].y == pytest.approx(50.06, abs=0.05)


def test_suffix_rules() -> None:
    assert "wadowice" in suffix_candidates("wadowicach")
    assert "helsinki" in suffix_candidates("helsingissa")
    assert "turku" in suffix_candidates("turussa")
    assert "wadowicach" not in suffix_candidates("wadowicach")
    assert suffix_candidates("abc") == ()


def test_region_name_beats_a_foreign_demonym(gp: Geoparser) -> None:
    # "Indiana" is also Italian for "Indian": in English it is the US state
    (m,) = gp.parse("The family moved to Indiana last year")
    assert m.kind == "place" and m.best is not None and m.best.admin1 == "US.IN"
    (m,) = gp.parse("Lo shampoo è di una marca indiana")
    assert m.kind == "demonym" and m.best is not None and m.best.country == "IN"


def test_city_comma_state_code(gp: Geoparser) -> None:
    found = best(gp.parse("I bought it in Paris, TX last week"))
    assert found[0] == ("Paris", "Paris", "US") and found[1][1] == "Texas"
    # "OK" after a name with no reading in Oklahoma is a word, not the state
    assert [m.text for m in gp.parse("Cheap in Berlin, OK?")] == ["Berlin"]


def test_county_then_state(gp: Geoparser) -> None:
    (newton, _ga) = gp.parse("They stopped her in Newton County, Ga. on Sunday")
    assert newton.best is not None and newton.best.admin1 == "US.GA"


def test_first_name_that_is_another_name_of_a_region(gp: Geoparser) -> None:
    # "Alan" is an alternate name of the Åland Islands; "Jordan" is the country's own name
    assert [m.text for m in gp.parse("Alan bought it in Ohio")] == ["Ohio"]
    assert best(gp.parse("We moved to Jordan"))[0][2] == "JO"


def test_region_named_in_the_text_weighs_more_than_a_town(gp: Geoparser) -> None:
    (newport, _london, _wales) = gp.parse("Seen in Newport and London. I am from Wales")
    assert newport.best is not None and newport.best.admin1 == "GB.WLS"
    assert newport.best.probability > 0.5  # 0.33 when Wales counted like one more town
