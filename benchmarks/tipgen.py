"""Realistic multilingual tip texts built from real GeoNames places (seeded, deterministic).

Used by ``data/demo/generate.py`` (the demo objects) and
``benchmarks/narrow_scenarios.py`` (the scenario benchmark). Every function takes
a :class:`random.Random` so the same seed gives the same tips.

The phrasing is written here independently of the extractor's lexicons:
templates per language that name a place in the nominative after a word such as
"town"/"Ort"/"miejscowości" (as people write when they do not inflect), country
names from CLDR (babel), a small table of country adjectives, and noise that real
tip streams have (lowercase, stripped accents, typos, shouting, off-topic text).

>>> import random
>>> rng = random.Random(1)
>>> text, lang = place_tip(rng, "Horn")
>>> "Horn" in text or "horn" in text.lower()
True
"""

from __future__ import annotations

import random
import unicodedata
from functools import cache

from babel import Locale

LANGS = ("en", "de", "fr", "pl", "es", "it", "nl", "cs", "sv", "pt", "ru")

PLACE = {
    "en": [
        "We had this exact bottle in {p}",
        "I bought this in a small shop in {p} years ago",
        "This is from {p}, my aunt lives there",
        "Seen it in the supermarket in {p}",
        "{p}! I grew up there and we had the same one",
        "pretty sure this was sold in {p}",
    ],
    "de": [
        "Das gab es bei uns in {p}",
        "Habe ich im Ort {p} gekauft",
        "Kenne ich aus {p}, meine Oma hatte das",
        "Das ist aus {p}, ganz sicher",
        "Im Supermarkt in {p} gesehen",
    ],
    "fr": [
        "J'ai vu ça à {p}",
        "On avait le même à {p} chez ma grand-mère",
        "Acheté dans la ville de {p}",
        "Ça vient de {p} je pense",
    ],
    "pl": [
        "Kupiłam to w miejscowości {p}",
        "Widziałem to w sklepie, miasto {p}",
        "To jest z okolic miejscowości {p}",
        "Miałam to samo, {p}",
    ],
    "es": ["Lo compré en {p}", "Esto lo vendían en {p}", "Creo que es de {p}"],
    "it": ["L'ho comprato a {p}", "Lo vendevano a {p}", "Viene da {p} secondo me"],
    "nl": ["Dit had ik ook in {p}", "Gekocht in {p}", "Komt uit {p} denk ik"],
    "cs": ["Koupila jsem to v obci {p}", "Tohle se prodávalo ve městě {p}"],
    "sv": ["Jag köpte det här i {p}", "Det såldes i {p}"],
    "pt": ["Comprei isto em {p}", "Vendiam isto em {p}"],
    "ru": ["Видел такое в городе {p}", "Покупала это, город {p}"],
}
REGION = {
    "en": ["Somewhere in {r}, I think", "This is typical for {r}", "sold all over {r}"],
    "de": ["Das kenne ich aus {r}", "Typisch für {r}", "Gibt es überall in {r}"],
    "fr": ["C'est typique de la région {r}", "On trouve ça partout en {r}"],
    "pl": ["To jest z regionu {r}", "Typowe dla województwa {r}", "Region: {r}"],
    "es": ["Es típico de la región {r}"],
    "it": ["Tipico della regione {r}"],
    "nl": ["Typisch voor de regio {r}"],
    "cs": ["Typické pro kraj {r}"],
    "sv": ["Typiskt för {r}"],
    "pt": ["Típico da região {r}"],
    "ru": ["Это из региона {r}"],
}
COUNTRY = {
    "en": ["This is sold in {c}", "Made in {c} for sure", "I saw this in {c} on holiday"],
    "de": ["Das gibt es in {c}", "Das kommt aus {c}", "In {c} gesehen"],
    "fr": ["On trouve ça en {c}", "Ça vient de {c}", "Vendu uniquement en {c}"],
    "pl": ["To jest z kraju: {c}", "Widziałam to, {c}"],
    "es": ["Esto es de {c}", "Se vende en {c}"],
    "it": ["Questo viene da {c}", "Si vende in {c}"],
    "nl": ["Dit komt uit {c}", "Verkocht in {c}"],
    "cs": ["Tohle je ze země {c}"],
    "sv": ["Det här kommer från {c}"],
    "pt": ["Isto vem de {c}"],
    "ru": ["Это продают в стране {c}"],
}
DEMONYM = {
    "en": ["This is a {a} brand", "Looks {a} to me", "{a} shampoo, very common", "typical {a}"],
    "de": ["Das ist eine {a} Marke", "Sieht {a} aus", "Typisch {a}"],
    "fr": ["C'est une marque {a}", "Produit {a} je pense"],
    "pl": ["To {a} marka", "Wygląda na {a} produkt"],
}
#: Country adjectives per language, written for the generator (not the extractor's lexicon).
ADJECTIVES: dict[str, dict[str, list[str]]] = {
    "AT": {
        "en": ["Austrian"],
        "de": ["österreichisch", "österreichische"],
        "fr": ["autrichienne"],
        "pl": ["austriacka", "austriacki"],
    },
    "PL": {
        "en": ["Polish"],
        "de": ["polnisch", "polnische"],
        "fr": ["polonaise"],
        "pl": ["polska", "polski"],
    },
    "DE": {
        "en": ["German"],
        "de": ["deutsch", "deutsche"],
        "fr": ["allemande"],
        "pl": ["niemiecka", "niemiecki"],
    },
    "CZ": {
        "en": ["Czech"],
        "de": ["tschechisch", "tschechische"],
        "fr": ["tchèque"],
        "pl": ["czeska", "czeski"],
    },
    "FR": {
        "en": ["French"],
        "de": ["französisch", "französische"],
        "fr": ["française"],
        "pl": ["francuska", "francuski"],
    },
    "IT": {
        "en": ["Italian"],
        "de": ["italienisch", "italienische"],
        "fr": ["italienne"],
        "pl": ["włoska", "włoski"],
    },
    "ES": {
        "en": ["Spanish"],
        "de": ["spanisch", "spanische"],
        "fr": ["espagnole"],
        "pl": ["hiszpańska", "hiszpański"],
    },
    "NL": {
        "en": ["Dutch"],
        "de": ["niederländisch", "holländische"],
        "fr": ["néerlandaise"],
        "pl": ["holenderska", "holenderski"],
    },
    "BE": {
        "en": ["Belgian"],
        "de": ["belgisch", "belgische"],
        "fr": ["belge"],
        "pl": ["belgijska", "belgijski"],
    },
    "SE": {
        "en": ["Swedish"],
        "de": ["schwedisch", "schwedische"],
        "fr": ["suédoise"],
        "pl": ["szwedzka", "szwedzki"],
    },
    "HU": {
        "en": ["Hungarian"],
        "de": ["ungarisch", "ungarische"],
        "fr": ["hongroise"],
        "pl": ["węgierska", "węgierski"],
    },
    "GB": {
        "en": ["British", "English"],
        "de": ["britisch", "englische"],
        "fr": ["anglaise", "britannique"],
        "pl": ["angielska", "brytyjski"],
    },
    "PT": {
        "en": ["Portuguese"],
        "de": ["portugiesisch"],
        "fr": ["portugaise"],
        "pl": ["portugalska"],
    },
    "SK": {
        "en": ["Slovak"],
        "de": ["slowakisch", "slowakische"],
        "fr": ["slovaque"],
        "pl": ["słowacka", "słowacki"],
    },
    "HR": {
        "en": ["Croatian"],
        "de": ["kroatisch", "kroatische"],
        "fr": ["croate"],
        "pl": ["chorwacka", "chorwacki"],
    },
    "RO": {
        "en": ["Romanian"],
        "de": ["rumänisch", "rumänische"],
        "fr": ["roumaine"],
        "pl": ["rumuńska", "rumuński"],
    },
    "DK": {
        "en": ["Danish"],
        "de": ["dänisch", "dänische"],
        "fr": ["danoise"],
        "pl": ["duńska", "duński"],
    },
    "GR": {
        "en": ["Greek"],
        "de": ["griechisch", "griechische"],
        "fr": ["grecque"],
        "pl": ["grecka", "grecki"],
    },
}
VAGUE = {
    "en": [
        "I have seen this somewhere before",
        "My grandma had this!",
        "It looks very old",
        "I think I know this one",
        "This was common in the 90s",
        "not sure but looks familiar",
        "Sold everywhere in Europe",
        "It's a supermarket brand",
    ],
    "de": ["Das kenne ich irgendwoher", "Hatte meine Mutter auch", "Sieht alt aus"],
    "fr": ["Je connais ce produit", "Ma mère avait le même"],
    "pl": ["Znam to skądś", "Moja babcia to miała"],
    "es": ["Lo he visto antes"],
    "it": ["L'ho già visto"],
    "nl": ["Dit ken ik ergens van"],
}
OFFTOPIC = {
    "en": [
        "Great work, keep going!",
        "Why is this on the website?",
        "test",
        "hello?",
        "Please call me back",
        "Can I buy this online?",
        "lol",
        "asdfgh",
        "Visit my page for cheap watches",
        "Thank you for doing this",
    ],
    "de": ["Gute Arbeit!", "Wo kann man das kaufen?"],
    "fr": ["Merci pour votre travail"],
    "pl": ["Dziękuję za waszą pracę"],
}
#: Famous cities people name without knowing (wrong leads).
FAMOUS = [
    "London",
    "Paris",
    "Berlin",
    "Moscow",
    "New York",
    "Rome",
    "Madrid",
    "Amsterdam",
    "Vienna",
    "Prague",
    "Warsaw",
    "Istanbul",
    "Barcelona",
    "Munich",
    "Milan",
]


@cache
def country_name(code: str, lang: str) -> str:
    """The CLDR name of country ``code`` in ``lang`` (English if missing)."""
    for loc in (lang, "en"):
        name = Locale.parse(loc).territories.get(code)
        if name:
            return str(name)
    return code


def strip_accents(text: str) -> str:
    return (
        "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
        .replace("ł", "l")
        .replace("Ł", "L")
    )


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip (swap, drop or double a letter) away from a name's first letter."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:-1])
    kind = rng.random()
    if kind < 0.4 and text[i + 1 : i + 2].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind < 0.7:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def noisy(rng: random.Random, text: str, rate: float = 0.25) -> str:
    """Apply the noise of real tips with probability ``rate``: lowercase, no accents, caps."""
    r = rng.random()
    if r >= rate:
        return text
    r /= rate
    if r < 0.45:
        return text.lower()
    if r < 0.75:
        return strip_accents(text)
    if r < 0.9:
        return text + rng.choice(["!!", "!!!", " ?", " :)", "..."])
    return text.upper()


def _pick(rng: random.Random, table: dict[str, list[str]], lang: str | None) -> tuple[str, str]:
    lang = lang if lang in table else rng.choice(sorted(table))
    return rng.choice(table[lang]), lang


def _lang(rng: random.Random, langs: tuple[str, ...] | None) -> str:
    return rng.choice(langs or LANGS)


def place_tip(
    rng: random.Random, name: str, langs: tuple[str, ...] | None = None, typo_rate: float = 0.08
) -> tuple[str, str]:
    """A tip naming a town or village ``name``; returns ``(text, language)``."""
    if rng.random() < typo_rate:
        name = typo(rng, name)
    lang = _lang(rng, langs)
    if lang == "ru" and not any("\u0400" <= ch <= "\u04ff" for ch in name):
        lang = "en"  # a Russian sentence with a Latin-script town name reads wrong
    template, lang = _pick(rng, PLACE, lang)
    return noisy(rng, template.format(p=name)), lang


def region_tip(
    rng: random.Random, name: str, langs: tuple[str, ...] | None = None
) -> tuple[str, str]:
    """A tip naming an admin1 region ``name``."""
    template, lang = _pick(rng, REGION, _lang(rng, langs))
    return noisy(rng, template.format(r=name)), lang


def country_tip(
    rng: random.Random, code: str, langs: tuple[str, ...] | None = None
) -> tuple[str, str]:
    """A tip naming country ``code`` (CLDR name in the tip's language)."""
    template, lang = _pick(rng, COUNTRY, _lang(rng, langs))
    return noisy(rng, template.format(c=country_name(code, lang))), lang


def demonym_tip(
    rng: random.Random, code: str, langs: tuple[str, ...] | None = None
) -> tuple[str, str]:
    """A tip with a country adjective ("Polish brand"); a country name if none is known."""
    forms = ADJECTIVES.get(code)
    if not forms:
        return country_tip(rng, code, langs)
    usable = tuple(lang for lang in (langs or LANGS) if lang in forms) or tuple(forms)
    lang = rng.choice(usable)
    template = rng.choice(DEMONYM[lang])
    return noisy(rng, template.format(a=rng.choice(forms[lang]))), lang


def vague_tip(rng: random.Random) -> tuple[str, str]:
    """A tip that names no place."""
    template, lang = _pick(rng, VAGUE, rng.choice(sorted(VAGUE)))
    return noisy(rng, template), lang


def offtopic_tip(rng: random.Random) -> tuple[str, str]:
    """An off-topic message."""
    template, lang = _pick(rng, OFFTOPIC, rng.choice(sorted(OFFTOPIC)))
    return noisy(rng, template), lang
