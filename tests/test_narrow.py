"""Narrowing on the real gazetteer, with mentions built from real gazetteer rows.

The geoparser is not involved here: each tip's mentions are given (as the store
would give them), so these tests pin the narrowing rules themselves.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

import pytest

from geoleads.gazetteer import Gazetteer, haversine_km
from geoleads.leads import Candidate, Mention
from geoleads.narrow import LEAD_COLUMNS, summarize_tips
from geoleads.tips import Tip
from geoleads.verdict import evidence_factor

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def place_mention(gaz: Gazetteer, name: str, levels: tuple[str, ...] | None = None) -> Mention:
    """A mention of ``name`` whose candidates are every gazetteer entity of that name.

    Probabilities follow sqrt(population), as a context-free resolver would.
    """
    places = gaz.candidates(name, levels=levels)
    assert places, name
    w = [math.sqrt(max(p.population, 1)) for p in places]
    total = sum(w)
    cands = tuple(
        Candidate(
            p.geonameid if p.level != "country" else None,
            p.name,
            p.level,
            p.country,
            p.admin1 if p.level != "country" else None,
            p.lat,
            p.lon,
            0.9 * x / total,
        )
        for p, x in sorted(zip(places, w, strict=True), key=lambda t: -t[1])
    )
    return Mention(0, len(name), name, "place", cands)


def demonym(gaz: Gazetteer, text: str, countries: dict[str, float]) -> Mention:
    cands = []
    for code, p in sorted(countries.items(), key=lambda kv: -kv[1]):
        c = gaz.country(code)
        cands.append(Candidate(None, c.name, "country", code, None, c.lat, c.lon, p))
    return Mention(0, len(text), text, "demonym", tuple(cands))


class Builder:
    """Collects tips and their mentions for one test."""

    def __init__(self, gaz: Gazetteer) -> None:
        self.gaz = gaz
        self.tips: list[Tip] = []
        self.mentions: dict[str, list[Mention]] = {}

    def add(self, obj: str, text: str, *mentions: Mention, n: int = 1) -> None:
        for _ in range(n):
            tid = f"T{len(self.tips) + 1}"
            self.tips.append(Tip(tid, obj, text, NOW))
            self.mentions[tid] = list(mentions)

    def run(self, **kw):  # type: ignore[no-untyped-def]
        return summarize_tips(self.tips, gazetteer=self.gaz, mentions=self.mentions, **kw)


def austrian_village(b: Builder, obj: str = "OBJ-AT") -> None:
    g = b.gaz
    horn = place_mention(g, "Horn", levels=("locality",))
    b.add(obj, "We had this in Horn", horn)
    b.add(obj, "Horn, my grandmother's bathroom", horn)
    b.add(obj, "Bought it in Horn at the market years ago", horn)
    b.add(obj, "It's from Eggenburg I think", place_mention(g, "Eggenburg"))
    b.add(obj, "Lower Austria, Waldviertel", place_mention(g, "Niederösterreich"))
    b.add(obj, "Typisch österreichisch", demonym(g, "österreichisch", {"AT": 1.0}))
    b.add(obj, "Austrian brand", demonym(g, "Austrian", {"AT": 1.0}))
    b.add(obj, "German shampoo", demonym(g, "German", {"DE": 0.8, "AT": 0.1, "CH": 0.1}))
    b.add(obj, "It's from London", place_mention(g, "London", levels=("locality",)), n=12)
    b.add(obj, "no idea, nice bottle")
    b.add(obj, "I have seen this somewhere")


def test_village_beats_loud_repeated_city_and_horn_is_austrian(gazetteer: Gazetteer) -> None:
    b = Builder(gazetteer)
    austrian_village(b)
    [res] = b.run()
    s = res.summary
    assert s["object_id"] == "OBJ-AT"
    assert s["tips"] == 22
    assert s["tips_with_places"] == 20
    assert s["countries"][0]["code"] == "AT"
    assert s["admin1"][0]["code"] == "AT.03"
    top = s["localities"][0]
    assert (top["name"], top["country"]) == ("Horn", "AT")
    # the twelve pasted London tips collapse into one group but keep their count
    london = [x for x in s["countries"] if x["code"] == "GB"]
    assert london and london[0]["tips"] == 12 and london[0]["share"] < 0.3
    horn_at = gazetteer.candidates("Horn", country_codes=["AT"])[0]
    assert haversine_km(s["peak"]["lat"], s["peak"]["lon"], horn_at.lat, horn_at.lon) < 15
    assert s["verdict"]["level"] in ("locality", "admin1")
    assert s["verdict"]["code"] in ("AT.03", str(horn_at.geonameid))
    km50, km80 = s["credible_region_km2"]["50"], s["credible_region_km2"]["80"]
    assert 0 < km50 <= km80


def test_without_other_tips_horn_stays_with_the_biggest_reading(gazetteer: Gazetteer) -> None:
    b = Builder(gazetteer)
    b.add("O", "We had this in Horn", place_mention(gazetteer, "Horn", levels=("locality",)))
    [res] = b.run()
    assert res.summary["localities"][0]["country"] != "AT"


def test_shares_tips_and_surface_are_consistent(gazetteer: Gazetteer) -> None:
    b = Builder(gazetteer)
    austrian_village(b)
    [res] = b.run()
    s = res.summary
    assert sum(x["share"] for x in s["countries"]) == pytest.approx(1.0, abs=1e-3)
    for level in ("countries", "admin1", "localities"):
        shares = [x["share"] for x in s[level]]
        assert shares == sorted(shares, reverse=True)
    assert res.surface["share"].sum() == pytest.approx(1.0)
    assert list(res.surface.columns) == ["h3", "lat", "lon", "share"]
    assert res.surface["h3"].is_unique
    assert list(res.leads.columns) == LEAD_COLUMNS
    london = res.leads[res.leads["text"] == "It's from London"]
    assert london["tip_id"].nunique() == 12
    # the twelve copies share one group's mass: less than two independent tips
    assert (
        0
        < london["weight"].sum()
        < 2 * res.leads[res.leads["mention"] == "Eggenburg"]["weight"].sum()
    )
    assert set(res.leads["tip_id"]) <= {t.tip_id for t in b.tips}
    gdf = res.surface_gdf()
    assert len(gdf) == len(res.surface) and gdf.crs.to_epsg() == 4326
    regions = res.credible_regions
    assert set(regions) == {50, 80}
    assert regions[50].area <= regions[80].area
    # the polygon area agrees with the reported km² (equal-area projection)
    import geopandas as gpd

    km2 = gpd.GeoSeries([regions[80]], crs=4326).to_crs("ESRI:54009").area.iloc[0] / 1e6
    assert km2 == pytest.approx(s["credible_region_km2"]["80"], rel=0.05)
    ranking = res.rankings("countries")
    assert ranking.iloc[0]["code"] == "AT" and ranking.geometry.iloc[0].x == pytest.approx(
        gazetteer.country("AT").lon
    )


def test_demonyms_only_narrow_to_a_country(gazetteer: Gazetteer) -> None:
    b = Builder(gazetteer)
    texts = [
        "polish brand",
        "This is a Polish product, I am sure",
        "my mum bought these, they are polish",
        "Polish shampoo, very common in the 90s",
        "definitely polish packaging",
        "I recognise it, Polish company",
        "Polish!! we had it at home",
        "the font looks polish to me",
    ]
    for text in texts:
        b.add("PL", text, demonym(gazetteer, "polish", {"PL": 1.0}))
    b.add("PL", "German maybe", demonym(gazetteer, "German", {"DE": 0.8, "AT": 0.1, "CH": 0.1}))
    [res] = b.run()
    s = res.summary
    assert s["verdict"]["level"] == "country" and s["verdict"]["code"] == "PL"
    assert s["countries"][0]["tips"] == 8
    # the mass is spread over Poland, not stacked on its centroid
    assert s["credible_region_km2"]["80"] > 20_000
    assert gazetteer.country_at(s["peak"]["lat"], s["peak"]["lon"]) == "PL"


def test_sold_everywhere_gives_no_verdict(gazetteer: Gazetteer) -> None:
    b = Builder(gazetteer)
    capitals = [
        "Paris",
        "Berlin",
        "Madrid",
        "Rome",
        "Warsaw",
        "Vienna",
        "Prague",
        "Lisbon",
        "Stockholm",
        "Oslo",
        "Helsinki",
        "Athens",
        "Budapest",
        "Dublin",
        "Amsterdam",
    ]
    for city in capitals:
        b.add(
            "EVERY", f"sold in every shop in {city}", place_mention(gazetteer, city, ("locality",))
        )
    [res] = b.run()
    assert res.summary["verdict"]["level"] == "none"
    assert res.summary["countries"][0]["share"] < 0.3


def test_too_few_tips_gives_no_verdict(gazetteer: Gazetteer) -> None:
    b = Builder(gazetteer)
    b.add("ONE", "from Graz", place_mention(gazetteer, "Graz", ("locality",)))
    [res] = b.run()
    assert res.summary["verdict"]["level"] == "none"
    assert res.summary["localities"][0]["name"] == "Graz"


def test_zero_tips_and_no_places(gazetteer: Gazetteer) -> None:
    b = Builder(gazetteer)
    b.add("NOPLACE", "no idea")
    b.add("NOPLACE", "nice bottle, where can I buy it?")
    results = b.run(objects=["EMPTY"])
    by_id = {r.object_id: r for r in results}
    for oid, n in (("EMPTY", 0), ("NOPLACE", 2)):
        s = by_id[oid].summary
        assert s["tips"] == n and s["tips_with_places"] == 0
        assert s["countries"] == [] and s["peak"] is None
        assert s["verdict"] == {"level": "none", "code": None, "name": None, "confidence": 0.0}
        assert s["credible_region_km2"] == {"50": 0.0, "80": 0.0}
        assert by_id[oid].surface.empty and by_id[oid].credible_regions == {}
        assert list(by_id[oid].leads.columns) == LEAD_COLUMNS


def test_hundred_thousand_identical_tips(gazetteer: Gazetteer) -> None:
    b = Builder(gazetteer)
    graz = place_mention(gazetteer, "Graz", ("locality",))
    b.add("SPAM", "It is from Graz!!!", graz, n=100_000)
    b.add("SPAM", "Bought in Wien", place_mention(gazetteer, "Wien", ("locality",)))
    start = time.perf_counter()
    [res] = b.run(keep_leads=False)
    assert time.perf_counter() - start < 60  # generous: this guards against quadratic blow-up
    s = res.summary
    assert s["tips"] == 100_001
    graz_row = next(x for x in s["localities"] if x["name"] == "Graz")
    assert graz_row["tips"] == 100_000
    # 100,000 copies weigh 1 + ¼·ln(100,000) = 3.9 tips, not 100,000
    assert graz_row["share"] == pytest.approx(3.88 / 4.88, abs=0.03)


def test_review_status_changes_weights(gazetteer: Gazetteer) -> None:
    b = Builder(gazetteer)
    b.add("R", "from Graz", place_mention(gazetteer, "Graz", ("locality",)))
    b.add("R", "from Linz", place_mention(gazetteer, "Linz", ("locality",)))
    b.add("R", "from Salzburg", place_mention(gazetteer, "Salzburg", ("locality",)))
    plain = b.run()[0].summary
    reviewed = b.run(reviews={"T1": "credible", "T2": "spam", "T3": "doubtful"})[0].summary
    names = [x["name"] for x in reviewed["localities"]]
    assert "Linz" not in names
    assert names[0] == "Graz"
    assert reviewed["localities"][0]["share"] > plain["localities"][0]["share"]


def test_nested_mentions_in_one_tip_point_at_the_village(gazetteer: Gazetteer) -> None:
    b = Builder(gazetteer)
    for _ in range(3):
        b.add(
            "NEST",
            f"Wagram ob der Traisen, Niederösterreich, Austria {_}",
            place_mention(gazetteer, "Wagram ob der Traisen"),
            place_mention(gazetteer, "Niederösterreich"),
            demonym(gazetteer, "Austria", {"AT": 1.0}),
        )
    [res] = b.run()
    s = res.summary
    assert s["localities"][0]["name"] == "Wagram ob der Traisen"
    assert s["localities"][0]["share"] > 0.9


def test_evidence_factor_grows_with_evidence() -> None:
    assert evidence_factor(0.0) == 0.0
    assert evidence_factor(1) < evidence_factor(3) < 1.0


def test_rankings_as_geodataframes(gazetteer: Gazetteer) -> None:
    b = Builder(gazetteer)
    austrian_village(b)
    [res] = b.run()
    admin1 = res.rankings("admin1", gazetteer)
    assert admin1.iloc[0]["code"] == "AT.03" and admin1.crs.to_epsg() == 4326
    lower_austria = gazetteer.admin1("AT.03")
    assert admin1.geometry.iloc[0].y == pytest.approx(lower_austria.lat)
    towns = res.rankings("localities")
    assert towns.iloc[0]["name"] == "Horn"
    assert towns.geometry.iloc[0].x == pytest.approx(towns.iloc[0]["lon"])
    assert res.picks["country"].code == "AT"


def test_precomputed_mentions_are_used_only_when_complete(gazetteer: Gazetteer) -> None:
    b = Builder(gazetteer)
    b.add("O", "made in Graz", place_mention(gazetteer, "Graz", ("locality",)))
    b.add("O", "also Linz", place_mention(gazetteer, "Linz", ("locality",)))

    class Refusing:
        def parse(self, text: str, language: str | None = None) -> list[Mention]:
            raise AssertionError("must not geoparse when every tip has mentions")

    [res] = summarize_tips(b.tips, gazetteer=gazetteer, geoparser=Refusing(), mentions=b.mentions)
    assert {x["name"] for x in res.summary["localities"][:2]} == {"Graz", "Linz"}


def test_mass_scattered_over_many_places_still_has_a_surface(gazetteer: Gazetteer) -> None:
    # 600 tips, each naming a different town: every target is below the drawing floor
    loc = gazetteer.localities()
    towns = loc[loc["country"].astype(str) == "FR"].nlargest(600, "population")
    b = Builder(gazetteer)
    for row in towns.itertuples():
        p = gazetteer.place(int(row.Index))
        cand = Candidate(p.geonameid, p.name, "locality", p.country, p.admin1, p.lat, p.lon, 0.9)
        b.add("MANY", f"seen in {p.name} ({p.geonameid})", Mention(8, 8 + len(p.name), p.name,
                                                                   "place", (cand,)))  # fmt: skip
    [res] = b.run(keep_leads=False)
    assert res.summary["peak"] is not None
    assert res.surface["share"].sum() == pytest.approx(1.0)
    assert res.summary["verdict"]["level"] in ("none", "country")
