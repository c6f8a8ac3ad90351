"""Postal codes in tips (kind ``postal``): only with a country context, real GeoNames tables."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from geoleads.cli import cli
from geoleads.errors import GazetteerCacheError
from geoleads.gazetteer import Gazetteer
from geoleads.gazetteer.postal import code_key, load_postal
from geoleads.geoparse import Geoparser
from geoleads.leads import Mention
from geoleads.postcodes import MAX_CANDIDATES, PostcodeFinder
from geoleads.tips import Tip


@pytest.fixture(scope="module")
def geoparser(gazetteer: Gazetteer) -> Geoparser:
    return Geoparser(gazetteer)


def postal(mentions: list[Mention]) -> list[Mention]:
    return [m for m in mentions if m.kind == "postal"]


# (tip, the code as found, country, town of the best reading)
FOUND = [
    # a country prefix
    ("Gekauft bei Edeka, D-80331 München.", "D-80331", "DE", "Munich"),
    ("PL 30-001 to adres hurtowni.", "PL 30-001", "PL", "Kraków"),
    ("Adresa obchodu: CZ-110 00 Praha 1", "CZ-110 00", "CZ", "Prague"),
    ("Vu dans une pharmacie, F-75001 Paris.", "F-75001", "FR", "Paris"),
    ("Auf dem Etikett steht A-1010 Wien.", "A-1010", "AT", "Vienna"),
    ("Dans un Delhaize, B-1000 Bruxelles.", "B-1000", "BE", "Brussels"),
    ("Boutique à Genève, CH-1204.", "CH-1204", "CH", "Geneva"),
    ("Nupirkta Maximoje, LT-01100 Vilnius.", "LT-01100", "LT", "Vilnius"),
    ("Veikals Rīgā, LV-1050 Rīga.", "LV-1050", "LV", "Riga"),
    # a postal cue word in the tip's language
    ("Die PLZ ist 80331, also mitten in der Stadt.", "80331", "DE", "Munich"),
    ("Le code postal du magasin: 69002.", "69002", "FR", "Lyon"),
    ("CAP 00184, vicino al Colosseo.", "00184", "IT", "Rome"),
    ("Kod pocztowy sklepu to 30-001.", "30-001", "PL", "Kraków"),
    ("PSČ 602 00, prodejna na náměstí.", "602 00", "CZ", "Brno"),
    ("Az üzlet irányítószáma 1051.", "1051", "HU", "Budapest"),
    ("Kaupan postinumero on 00100.", "00100", "FI", "Helsinki"),
    ("Butikens postnummer är 111 22.", "111 22", "SE", "Stockholm"),
    ("The postcode was SW1A 1AA I think.", "SW1A 1AA", "GB", None),
    ("My zip is 10001, bought at a drugstore.", "10001", "US", "New York City"),
    ("Codul poștal al magazinului: 010011.", "010011", "RO", "Bucharest"),
    ("Почтовый индекс магазина 101000.", "101000", "RU", "Moscow"),
    # a place named next to the code, in the code's country
    ("Kupione w sklepie, 80331 München, Marienplatz.", "80331", "DE", "Munich"),
    ("Ich wohne in 1010 Wien und hab das im Billa gesehen.", "1010", "AT", "Vienna"),
    ("Nákup v 11000 Praha.", "11000", "CZ", "Prague"),
    ("Comprado en Mercadona, 28013 Madrid.", "28013", "ES", "Madrid"),
    ("Acquistato a 20121 Milano in farmacia.", "20121", "IT", "Milan"),
    ("Vásárolva: 1051 Budapest, Nádor utca.", "1051", "HU", "Budapest"),
    ("Купила в АТБ, 01001 Київ.", "01001", "UA", "Kyiv"),
    ("Kupljeno u Konzumu, 10000 Zagreb.", "10000", "HR", "Zagreb"),
    ("Odoslané z 811 01 Bratislava.", "811 01", "SK", "Bratislava"),
    ("Storgatan 1, 411 38 Göteborg.", "411 38", "SE", "Gothenburg"),
    ("Ich habe es in München gesehen, nicht in 83022 Rosenheim.", "83022", "DE", "Rosenheim"),
    ("2000 Szentendre, Dunakanyar.", "2000", "HU", "Szentendre"),
    # a format of one country only
    ("Sprzedawca: ul. Długa 5, 80-827 Gdańsk, tel. 58 301 22 33.", "80-827", "PL", "Gdańsk"),
    ("Plac Wolności 1, 61-738 Poznań.", "61-738", "PL", "Poznań"),
    ("Vendido em 1000-001 Lisboa.", "1000-001", "PT", "Lisbon"),
    ("Winkel op Damrak, 1012 LG Amsterdam.", "1012 LG", "NL", "Amsterdam"),
    ("I live at 12 Baker Street, London NW1 6XE.", "NW1 6XE", "GB", None),
]


@pytest.mark.parametrize(("text", "code", "country", "town"), FOUND)
def test_codes_with_a_country_context_are_found(
    geoparser: Geoparser, text: str, code: str, country: str, town: str | None
) -> None:
    found = postal(geoparser.parse(text))
    assert [m.text for m in found] == [code]
    best = found[0].best
    assert best is not None and best.country == country and best.level == "locality"
    if town is not None:
        assert best.name == town
    assert best.admin1 and best.admin1.startswith(f"{country}.")
    assert 0.5 < best.probability <= 1.0


NOTHING = [
    "Kosztował 12,99 zł w Biedronce.",
    "Butelka 500 ml, cena 12990.",
    "Kupiłem to w 2019 roku.",
    "Model 80331",
    "Seit 2015 im Regal, Model 80331.",
    "Artikel Nr. 80331, gekauft in München.",
    "EAN 5901234123457 on the back.",
    "Kod kreskowy 5 901234 123457.",
    "Call me at +48 601 234 567 or 22 345 67 89.",
    "Tel. 089 123456 bitte.",
    "The bottle was 1000 ML and cost 2000 HUF.",
    "Preis 10115 Euro? No way.",
    "The range was 20-100 ml.",
    "Zapłaciłem 10-200 zł za zestaw.",
    "Wymiary 30-100 cm.",
    "It is item 30-001 in the catalogue.",
    "Seen in Berlin in 2015 with 2 friends.",
    "Kjøpt i Bergen på Rema 1000.",
    "In 2000 Budapest was cheaper.",
    "Gekauft 2019, Wien.",
    "Ich war 2012 in Wien.",
    "Vyrobeno 2018, Praha.",
    "Postal code 80331.",  # five digits, no country: DE, FR, IT, ES, FI, US...
    "12345 12345 12345 12345",
    "Ordernummer 1234 AB-5678.",
    "Price 1.299,00 € in shop 4711.",
    "Sold in 24-48 h, Warszawa.",
]


@pytest.mark.parametrize("text", NOTHING)
def test_numbers_without_a_country_context_are_no_codes(geoparser: Geoparser, text: str) -> None:
    assert postal(geoparser.parse(text)) == []


def test_a_code_of_two_countries_keeps_both_readings_the_named_country_first(
    geoparser: Geoparser,
) -> None:
    (m,) = postal(geoparser.parse("PLZ 1010, das Geschäft ist in Österreich."))
    countries = [c.country for c in m.candidates]
    assert countries[0] == "AT" and "CH" in countries  # 1010: Wien and Lausanne
    assert m.candidates[0].probability > m.candidates[1].probability


def test_tips_without_a_candidate_code_do_not_load_the_tables(gazetteer: Gazetteer) -> None:
    finder = PostcodeFinder(gazetteer)
    assert finder.find("Kupiłam to w Krakowie, bardzo tanio.", []) == []
    assert finder._tables is None
    assert finder.find("Kupiłam 3 butelki.", []) == []


def test_hostile_input_is_bounded(geoparser: Geoparser) -> None:
    for junk in ("8" * 1_000_000, "A1 " * 333_333, "PLZ 80331 " * 100_000, "1-2 " * 250_000):
        found = postal(geoparser.parse(junk))
        assert len(found) <= MAX_CANDIDATES
    many = postal(geoparser.parse("PLZ 80331 " * 100_000))
    assert many and all(m.best is not None and m.best.country == "DE" for m in many)


def test_the_table_is_in_the_checked_cache(gazetteer: Gazetteer, tmp_path: Path) -> None:
    tables = load_postal(gazetteer.cache_dir or ".")
    de = tables.get("DE")
    assert de is not None and de.find(code_key("DE", "80331")) is not None
    assert tables.get("XX") is None and {"PL", "CZ", "GB", "US"} <= tables.countries
    # a flipped byte is caught by the manifest's CRC-32
    src = Path(gazetteer.cache_dir or ".") / "gazetteer"
    copy = tmp_path / "gazetteer"
    copy.mkdir()
    shutil.copy(src / "manifest.json", copy)
    blob = bytearray((src / "postal.pkl").read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    (copy / "postal.pkl").write_bytes(bytes(blob))
    with pytest.raises(GazetteerCacheError, match="corrupt"):
        load_postal(tmp_path)
    (copy / "postal.pkl").unlink()
    with pytest.raises(GazetteerCacheError, match="gazetteer build"):
        load_postal(tmp_path)


def test_cli_json_contract(gazetteer: Gazetteer) -> None:
    line = json.dumps({"id": "T1", "text": "Sklep przy ul. Floriańskiej, 31-019 Kraków."})
    result = CliRunner().invoke(cli, ["geoparse", "-"], input=line + "\n")
    assert result.exit_code == 0, result.output
    places = json.loads(result.stdout)["places"]
    code = next(p for p in places if p["kind"] == "postal")
    assert code["text"] == "31-019" and code["start"] == 29 and code["end"] == 35
    assert code["level"] == "locality" and code["country"] == "PL" and code["name"] == "Kraków"
    assert code["admin1"] == "PL.77" and code["geonameid"] == 3094802


def test_narrowing_maps_and_exports_count_a_code_like_a_town(
    gazetteer: Gazetteer, geoparser: Geoparser
) -> None:
    from geoleads.export.regional import regional_summary
    from geoleads.maps.lead import lead_map
    from geoleads.narrow import summarize_tips
    from geoleads.web.highlight import highlight

    texts = ["Die PLZ war 83022.", "Laden in D-83022, am Bahnhof.", "PLZ 83022 glaube ich."]
    when = datetime(2026, 1, 1, tzinfo=UTC)
    tips = [Tip(f"T{i}", "OBJ", t, when) for i, t in enumerate(texts)]
    (result,) = summarize_tips(tips, gazetteer=gazetteer, geoparser=geoparser)
    assert result.summary["countries"][0]["code"] == "DE"
    assert result.summary["localities"][0]["name"] == "Rosenheim"
    assert set(result.leads["kind"]) == {"postal"}
    html = lead_map(result, gazetteer=gazetteer).get_root().render()
    assert "Rosenheim" in html
    table = regional_summary([result], "locality", gazetteer=gazetteer)
    assert table.iloc[0]["name"] == "Rosenheim"
    m = postal(geoparser.parse(texts[1]))[0]
    html = str(highlight(texts[1], [(m.start, m.end, m.kind, "Rosenheim")]))
    assert '<mark class="hl hl-postal" title="Rosenheim">D-83022</mark>' in html
