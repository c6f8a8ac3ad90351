"""The multilingual tip set: 358 tips in 25 languages with the places they name.

``tests/data/multilingual_tips.jsonl`` holds one tip per line with ``expect``:
``{"place": name, "country": CC}`` (a gazetteer entity of that name in that
country), ``{"country": CC}`` (any mention pointing to that country, e.g. a
demonym or language clue) or ``{"lat", "lon"}`` (a point within 1 km). Tips with
an empty ``expect`` are negatives: common words that are also place names
("Nice", "Most", "Bath", "Gift", "Den", "Police") and tips naming no place.

A tip is right when every expectation is met and no mention points to a
country the tip does not name. ``benchmarks/geoparse_eval.py --multilingual``
prints the same score per language.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from geoleads.gazetteer import Gazetteer, haversine_km
from geoleads.geoparse import Geoparser
from geoleads.leads import Mention

DATA = Path(__file__).parent / "data"
TIPS = [
    json.loads(line)
    for line in (DATA / "multilingual_tips.jsonl").read_text(encoding="utf-8").splitlines()
]


def expected_ids(gaz: Gazetteer, item: dict[str, Any]) -> set[int]:
    return {
        int(p.geonameid)
        for p in gaz.candidates(item["place"], country_codes=[item["country"]])
        if p.geonameid is not None
    }


def judge(gaz: Gazetteer, tip: dict[str, Any], mentions: list[Mention]) -> bool:
    """Whether ``mentions`` are right for ``tip`` (see the module docstring)."""
    expect = tip["expect"]
    bests = [m.best for m in mentions if m.best is not None]
    if not expect:
        return not bests
    countries = {item["country"] for item in expect if "country" in item}
    for item in expect:
        if "lat" in item:
            ok = any(
                m.kind in ("coordinates", "url")
                and m.best is not None
                and float(haversine_km(item["lat"], item["lon"], m.best.lat, m.best.lon)) < 1.0
                for m in mentions
            )
        elif "place" in item:
            ids = expected_ids(gaz, item)
            ok = any(b.geonameid in ids for b in bests)
        else:
            ok = any(b.country == item["country"] for b in bests)
        if not ok:
            return False
    if countries:
        return all(b.country in countries for b in bests if b.country is not None)
    return True


def score(gaz: Gazetteer, geoparser: Geoparser) -> tuple[float, dict[str, list[str]]]:
    """Share of tips right, and the ids of wrong tips per language."""
    wrong: dict[str, list[str]] = defaultdict(list)
    right = 0
    for tip in TIPS:
        if judge(gaz, tip, geoparser.parse(tip["text"])):
            right += 1
        else:
            wrong[tip["lang"]].append(tip["id"])
    return right / len(TIPS), dict(wrong)


@pytest.fixture(scope="module")
def geoparser(gazetteer: Gazetteer) -> Geoparser:
    return Geoparser(gazetteer)


def test_the_set_is_big_and_varied() -> None:
    langs = {t["lang"] for t in TIPS}
    assert len(TIPS) >= 300
    assert len(langs) >= 10
    assert {"pl", "cs", "ru", "uk", "el", "fi", "hu"} <= langs
    assert sum(1 for t in TIPS if not t["expect"]) >= 30
    assert len({t["id"] for t in TIPS}) == len(TIPS)


def test_every_expected_place_is_in_the_gazetteer(gazetteer: Gazetteer) -> None:
    missing = [
        (t["id"], item["place"])
        for t in TIPS
        for item in t["expect"]
        if "place" in item and not expected_ids(gazetteer, item)
    ]
    assert missing == []


def test_judge_is_strict(gazetteer: Gazetteer, geoparser: Geoparser) -> None:
    tip = {"expect": [{"place": "Kraków", "country": "PL"}]}
    assert judge(gazetteer, tip, geoparser.parse("Kupiłam to w Krakowie"))
    assert not judge(gazetteer, tip, geoparser.parse("Kupiłam to w Warszawie"))
    assert not judge(gazetteer, tip, geoparser.parse("w Krakowie i w Wiedniu"))
    assert not judge(gazetteer, {"expect": []}, geoparser.parse("I bought it in Nice"))


def test_share_right(gazetteer: Gazetteer, geoparser: Geoparser) -> None:
    share, wrong = score(gazetteer, geoparser)
    print(f"multilingual tips right: {share:.3f}; wrong: {wrong}")
    assert share >= 0.85, wrong


@pytest.mark.parametrize(
    "text",
    [t["text"] for t in TIPS if not t["expect"]],
)
def test_negatives_find_no_place(geoparser: Geoparser, text: str) -> None:
    assert [m.text for m in geoparser.parse(text)] == []
