"""Generate the demo objects and tips in ``data/demo/`` (seeded, deterministic).

Run from the repository root (needs the gazetteer cache)::

    .venv/bin/python data/demo/generate.py

Writes ``objects.csv`` (object_id, title, kind, description, question) and
``tips.csv`` (tip_id, object_id, text, received_at, language). Every place is a
real GeoNames place (checked against the gazetteer; neighbours are looked up in
it); the texts come from ``benchmarks/tipgen.py``. The eight objects show the
cases narrowing must handle:

========================  ===============================================================
OBJ-SHAMPOO               a village in Lower Austria (Wagram ob der Traisen), neighbours
OBJ-WALLPAPER             a Polish region (Podkarpackie): towns all over it, no single one
OBJ-MAGAZINE              a country from demonyms only (Czech, in several languages)
OBJ-BAG                   sold everywhere: tips from many countries, no convergence
OBJ-TEA                   a loud repeated wrong city (London x15) against a Belgian town
OBJ-TOOTHPASTE            the ambiguous name "Horn", resolved to Austria by the other tips
OBJ-MUG                   Kraków under its names in many languages (Krakau, Cracovie, ...)
OBJ-BOOK                  too few tips to say anything
========================  ===============================================================
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import tipgen  # noqa: E402

from geoleads.gazetteer import Gazetteer, get_gazetteer, haversine_km, name_key  # noqa: E402

SEED = 20250301
START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)

OBJECTS = [
    (
        "OBJ-SHAMPOO",
        "Green herbal shampoo bottle",
        "shampoo bottle",
        "A green 250 ml plastic bottle with a white flip cap and a faded herbal label.",
        "Where was this shampoo sold?",
    ),
    (
        "OBJ-WALLPAPER",
        "Wallpaper with brown flowers",
        "wallpaper",
        "Beige wallpaper with a repeating pattern of brown and orange flowers.",
        "Have you seen this wallpaper? Where?",
    ),
    (
        "OBJ-MAGAZINE",
        "Children's magazine cover",
        "magazine cover",
        "A children's magazine with a cartoon bear on a red cover; the title is cut off.",
        "Do you know this magazine?",
    ),
    (
        "OBJ-BAG",
        "Blue plastic shopping bag",
        "shopping bag",
        "A plain blue plastic bag with a white stripe.",
        "Where do shops use this bag?",
    ),
    (
        "OBJ-TEA",
        "Tea tin with a windmill",
        "tea tin",
        "A round metal tea tin with a windmill and yellow fields painted on it.",
        "Where can this tea tin be bought?",
    ),
    (
        "OBJ-TOOTHPASTE",
        "Red toothpaste tube",
        "toothpaste tube",
        "A red and white toothpaste tube with a smiling tooth logo.",
        "Which country or town is this toothpaste from?",
    ),
    (
        "OBJ-MUG",
        "Coffee mug with a dragon",
        "coffee mug",
        "A white mug with a green dragon and a castle on a hill.",
        "Where does this mug come from?",
    ),
    (
        "OBJ-BOOK",
        "Picture book with a fox",
        "children's book",
        "The spine of a picture book with an orange fox.",
        "Do you recognise this book?",
    ),
]


def locality(gaz: Gazetteer, name: str, country: str) -> tuple[float, float, str]:
    """(lat, lon, admin1) of the real GeoNames place ``name`` in ``country``."""
    hits = gaz.candidates(name, country_codes=[country], levels=("locality",))
    if not hits:
        raise SystemExit(f"{name} ({country}) is not in the gazetteer")
    return hits[0].lat, hits[0].lon, str(hits[0].admin1)


def check_region(gaz: Gazetteer, name: str, code: str) -> str:
    rows = gaz.rows_for(name_key(name))
    if not any(gaz.place(r).level == "admin1" and gaz.place(r).admin1 == code for r in rows):
        raise SystemExit(f"{name!r} does not name {code} in the gazetteer")
    return name


def neighbours(gaz: Gazetteer, name: str, country: str, km: float, n: int) -> list[str]:
    """Up to ``n`` real places within ``km`` of ``name`` in the same admin1, biggest first."""
    lat, lon, admin1 = locality(gaz, name, country)
    loc = gaz.localities()
    near = loc[(loc["admin1"].astype(str) == admin1) & (loc["name"] != name)]
    d = haversine_km(lat, lon, near["lat"].to_numpy(), near["lon"].to_numpy())
    near = near[d <= km].sort_values("population", ascending=False)
    return [str(x) for x in near["name"].head(n)]


class Tips:
    """Collects the tips of one object with ids and times."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[dict[str, str]] = []

    def add(self, object_id: str, made: tuple[str, str], copies: int = 1) -> None:
        text, lang = made
        for _ in range(copies):
            when = START + timedelta(minutes=self.rng.randint(0, 60 * 24 * 40))
            language = lang if self.rng.random() < 0.7 else ""
            self.rows.append(
                {
                    "object_id": object_id,
                    "text": text,
                    "received_at": when.isoformat(),
                    "language": language,
                }
            )

    def noise(self, object_id: str, vague: int, offtopic: int, famous: int = 0) -> None:
        rng = self.rng
        for _ in range(vague):
            self.add(object_id, tipgen.vague_tip(rng))
        for _ in range(offtopic):
            self.add(object_id, tipgen.offtopic_tip(rng))
        for _ in range(famous):
            self.add(object_id, tipgen.place_tip(rng, rng.choice(tipgen.FAMOUS), typo_rate=0))


def build(gaz: Gazetteer) -> list[dict[str, str]]:
    rng = random.Random(SEED)
    t = Tips(rng)
    de_en = ("de", "en")

    # a village in Lower Austria, its neighbours, its region, Austrian clues
    o = "OBJ-SHAMPOO"
    for _ in range(6):
        t.add(o, tipgen.place_tip(rng, "Wagram ob der Traisen", de_en))
    t.add(o, ("Wagram ob der Traisen", "de"), copies=2)
    for town in neighbours(gaz, "Wagram ob der Traisen", "AT", 15, 4):
        t.add(o, tipgen.place_tip(rng, town, de_en))
    for region in ("Niederösterreich", "Lower Austria", "Niederösterreich"):
        t.add(o, tipgen.region_tip(rng, check_region(gaz, region, "AT.03"), de_en))
    for _ in range(6):
        t.add(o, tipgen.demonym_tip(rng, "AT"))
    for _ in range(2):
        t.add(o, tipgen.demonym_tip(rng, "DE"))
    t.noise(o, vague=6, offtopic=4, famous=3)

    # a Polish region: towns all over Podkarpackie
    o = "OBJ-WALLPAPER"
    for town, n in (
        ("Rzeszów", 4),
        ("Przemyśl", 3),
        ("Krosno", 2),
        ("Sanok", 2),
        ("Jasło", 2),
        ("Mielec", 1),
        ("Dębica", 1),
    ):
        locality(gaz, town, "PL")
        for _ in range(n):
            t.add(o, tipgen.place_tip(rng, town, ("pl", "en", "de")))
    for region in ("Podkarpackie", "Subcarpathian Voivodeship", "Podkarpackie"):
        t.add(o, tipgen.region_tip(rng, check_region(gaz, region, "PL.80"), ("pl", "en")))
    for _ in range(8):
        t.add(o, tipgen.demonym_tip(rng, "PL"))
    t.noise(o, vague=6, offtopic=4, famous=3)

    # a country from demonyms and country names only
    o = "OBJ-MAGAZINE"
    for _ in range(12):
        t.add(o, tipgen.demonym_tip(rng, "CZ"))
    for _ in range(4):
        t.add(o, tipgen.country_tip(rng, "CZ"))
    for _ in range(3):
        t.add(o, tipgen.demonym_tip(rng, "SK"))
    t.add(o, tipgen.demonym_tip(rng, "DE"))
    t.noise(o, vague=7, offtopic=3)

    # sold everywhere
    o = "OBJ-BAG"
    for code in (
        "DE",
        "FR",
        "IT",
        "ES",
        "PL",
        "NL",
        "BE",
        "SE",
        "AT",
        "CZ",
        "HU",
        "GB",
        "PT",
        "DK",
        "RO",
        "GR",
        "HR",
        "SK",
    ):
        t.add(o, tipgen.country_tip(rng, code))
    for city in (
        "Lyon",
        "Hamburg",
        "Porto",
        "Gdańsk",
        "Brno",
        "Malmö",
        "Bari",
        "Sevilla",
        "Debrecen",
        "Utrecht",
        "Cluj-Napoca",
        "Leeds",
    ):
        t.add(o, tipgen.place_tip(rng, city, typo_rate=0))
    for _ in range(8):
        t.add(o, ("Sold everywhere in Europe, every supermarket has it", "en"))
    t.noise(o, vague=6, offtopic=4)

    # a loud repeated wrong city against a Belgian town
    o = "OBJ-TEA"
    t.add(o, ("It's from London!!! 100% sure", "en"), copies=9)
    t.add(o, ("its from london!!! 100% sure", "en"), copies=4)
    t.add(o, ("It's from London!!!! 100% sure", "en"), copies=2)
    for _ in range(5):
        t.add(o, tipgen.place_tip(rng, "Dinant", ("fr", "nl", "en")))
    for town in neighbours(gaz, "Dinant", "BE", 25, 3):
        t.add(o, tipgen.place_tip(rng, town, ("fr", "nl")))
    for region in ("Wallonia", "Wallonie"):
        t.add(o, tipgen.region_tip(rng, check_region(gaz, region, "BE.WAL"), ("fr", "en")))
    for _ in range(5):
        t.add(o, tipgen.demonym_tip(rng, "BE"))
    t.noise(o, vague=5, offtopic=4, famous=2)

    # the ambiguous Horn, with Austrian context
    o = "OBJ-TOOTHPASTE"
    for _ in range(6):
        t.add(o, tipgen.place_tip(rng, "Horn", de_en, typo_rate=0))
    for town in ("Eggenburg", "Gars am Kamp", "Zwettl Stadt"):
        locality(gaz, town, "AT")
        t.add(o, tipgen.place_tip(rng, town, de_en))
    t.add(o, tipgen.region_tip(rng, check_region(gaz, "Niederösterreich", "AT.03"), de_en))
    for _ in range(6):
        t.add(o, tipgen.demonym_tip(rng, "AT"))
    t.noise(o, vague=6, offtopic=3, famous=2)

    # Kraków in many languages
    o = "OBJ-MUG"
    for form, lang, text in (
        ("Kraków", "pl", "Kubek z Krakowa, kupiony w miejscowości Kraków"),
        ("Krakau", "de", "Das ist ein Souvenir aus Krakau, der Drache vom Wawel"),
        ("Krakau", "de", "Habe ich in Krakau gesehen"),
        ("Cracovie", "fr", "Souvenir de Cracovie, le dragon du Wawel"),
        ("Cracovia", "it", "L'ho comprato a Cracovia"),
        ("Cracovia", "es", "Lo compré en Cracovia"),
        ("Krakov", "cs", "Suvenýr z Krakova, koupila jsem to ve městě Krakov"),
        ("Краков", "ru", "Видел такое в городе Краков"),
        ("Krakow", "en", "Wawel dragon souvenir from Krakow"),
        ("Krakow", "en", "krakow, old town market stalls"),
    ):
        assert gaz.rows_for(name_key(form)), form
        t.add(o, (text, lang))
    for _ in range(3):
        t.add(o, tipgen.place_tip(rng, "Kraków", ("pl", "en")))
    for region in ("Lesser Poland", "Małopolskie"):
        t.add(o, tipgen.region_tip(rng, check_region(gaz, region, "PL.77"), ("en", "pl")))
    for _ in range(4):
        t.add(o, tipgen.demonym_tip(rng, "PL"))
    t.noise(o, vague=4, offtopic=3, famous=2)

    # too few tips
    o = "OBJ-BOOK"
    t.add(o, ("Maybe Italian? Not sure", "en"))
    t.add(o, tipgen.vague_tip(rng))

    rng.shuffle(t.rows)
    t.rows.sort(key=lambda r: (r["object_id"], r["received_at"]))
    counters: dict[str, int] = {}
    out = []
    for row in t.rows:
        n = counters[row["object_id"]] = counters.get(row["object_id"], 0) + 1
        out.append({"tip_id": f"{row['object_id'].removeprefix('OBJ-')}-{n:03d}", **row})
    return out


def main() -> None:
    gaz = get_gazetteer()
    rows = build(gaz)
    with (HERE / "tips.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=["tip_id", "object_id", "text", "received_at", "language"]
        )
        writer.writeheader()
        writer.writerows(rows)
    with (HERE / "objects.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["object_id", "title", "kind", "description", "question"])
        writer.writerows(OBJECTS)
    print(f"wrote {len(rows)} tips for {len(OBJECTS)} objects to {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()
