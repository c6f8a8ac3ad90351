"""Postal codes in tips, accepted only with a country context (mention kind ``postal``).

A bare number is no place: "80331" is a postal code in Germany, a price, a model
number or a count, and five-digit codes exist in a dozen countries. A code is
taken only when one of these tells its country, *and* the code exists in that
country's GeoNames table (:mod:`geoleads.gazetteer.postal`):

- a country prefix: ``D-80331``, ``PL 30-001``, ``CZ-110 00``, ``F-75001``;
- a postal cue word shortly before it, in the tip's language: ``PLZ``, ``code
  postal``, ``CAP``, ``kod pocztowy``, ``PSČ``, ``irányítószám``,
  ``postinumero``, ``postcode``, ``zip``... (see :data:`CUES`);
- a place the same tip names in that country near the code's town ("80331
  München", "30-001 Kraków"): a locality within :data:`TOWN_KM`, or a region or
  country written right next to the code; 3-4 digit codes and year-like numbers
  need the place right next to the code;
- a format of one country only, written as in an address: PL ``30-001`` and PT
  ``1000-001`` followed by a capitalised word, NL ``1011 AB``, a full UK code
  ``SW1A 1AA``, a full Canadian ``K1A 0B1``.

Numbers glued to other digits (phone numbers, EANs, ``12 500``), decimals and
prices (``12,99``), numbers followed by a unit or currency (``500 ml``, ``2000
Ft``) or after a word like "Model", "Nr", "EAN" are never codes. The reading is
the code's town (its linked gazetteer locality when there is one) at the mean
point of the code's places, level ``locality``.

>>> from geoleads.gazetteer import get_gazetteer              # doctest: +SKIP
>>> finder = PostcodeFinder(get_gazetteer())                  # doctest: +SKIP
>>> [(m.text, m.best.name) for m in finder.find("PLZ 80331, Marienplatz", [])]  # doctest: +SKIP
[('80331', 'Munich')]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from geoleads.gazetteer.build import name_key
from geoleads.gazetteer.postal import COUNTRIES, PostalTables, code_key, load_postal
from geoleads.leads import Candidate, Mention
from geoleads.text import fold

if TYPE_CHECKING:
    from geoleads.gazetteer import Gazetteer

#: A locality the tip names counts for a code at most this far from the code's point.
TOWN_KM = 25.0
#: A cue word is looked for in this many characters before the code (at most 3 words between).
CUE_WINDOW = 40

#: At most this many candidate numbers are judged per text (1 MB of "A1 A1 ..." stays fast).
MAX_CANDIDATES = 64
#: Places further than this many characters from a code are not its context.
NEAR_CHARS = 2000
#: At most this many gazetteer rows of one name are tried after a code.
MAX_ROWS = 50

#: Cheap prefilter: tips without digits never reach the code pattern.
DIGIT = re.compile(r"\d")

_LETTERS = (
    r"[A-Z]\d[\dW] ?[AC-FHKNPRTV-Y\d]{4}"  # IE Eircode
    r"|[A-Z]{1,2}\d[A-Z\d]?(?: ?\d[ABD-HJLNP-UW-Z]{2})?"  # GB
    r"|[A-Z]\d[A-Z](?: ?\d[A-Z]\d)?"  # CA
)
#: prefix?, then a numeric code (optionally with NL letters) or a UK/IE/CA letter code.
CANDIDATE = re.compile(
    r"(?<![\w+#/\\.,:;=-])(?<!\d[ -])"
    r"(?:(?P<pre>[A-Z]{1,3})(?P<sep>-| |- ))?"
    r"(?P<code>\d{2,6}(?:[- ]\d{2,4})?(?: ?[A-Z]{2}(?![A-Za-z]))?"
    rf"|{_LETTERS})"
    r"(?![\w-]|[.,/:]\d|[ -]\d)"
)

#: Up to three capitalised-or-not words after a code: its town ("80331 München").
_NEXT_WORDS = re.compile(r"[ ,]{1,2}([^\W\d_]+(?:[ -][^\W\d_]+){0,2})")
_ISO = {c: c for c in COUNTRIES}
#: Country prefixes: ISO codes and the old international vehicle codes ("D-80331").
PREFIXES: dict[str, str] = _ISO | {
    "A": "AT", "B": "BE", "D": "DE", "E": "ES", "F": "FR", "H": "HU", "I": "IT",
    "L": "LU", "N": "NO", "P": "PT", "S": "SE", "FL": "LI", "SF": "FI", "FIN": "FI",
    "SLO": "SI", "EST": "EE", "IRL": "IE", "UK": "GB", "USA": "US", "RUS": "RU",
}  # fmt: skip

#: Written forms per country (others: digits only, as in the table).
FORMATS: dict[str, re.Pattern[str]] = {
    c: re.compile(p)
    for cs, p in (
        ("PL", r"\d{2}-\d{3}"),
        ("PT", r"\d{4}-\d{3}"),
        ("CZ SK SE", r"\d{3} ?\d{2}"),
        ("NL", r"\d{4}(?: ?[A-Z]{2})?"),
        ("GB GG JE IM", r"[A-Z]{1,2}\d[A-Z\d]?(?: ?\d[A-Z]{2})?"),
        ("IE", r"[A-Z]\d[\dW](?: ?[AC-FHKNPRTV-Y\d]{4})?"),
        ("CA", r"[A-Z]\d[A-Z](?: ?\d[A-Z]\d)?"),
        ("MT", r"[A-Z]{3}"),
    )
    for c in cs.split()
}
_DIGITS = re.compile(r"\d{3,6}")
#: Formats of one country only (still checked against its table).
UNIQUE: tuple[tuple[re.Pattern[str], str, bool], ...] = (  # (form, country, needs address)
    (re.compile(r"\d{2}-\d{3}"), "PL", True),
    (re.compile(r"\d{4}-\d{3}"), "PT", True),
    (re.compile(r"\d{4} ?[A-Z]{2}"), "NL", False),
    (re.compile(r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"), "GB", False),
    (re.compile(r"[A-Z]\d[A-Z] ?\d[A-Z]\d"), "CA", False),
    (re.compile(r"[A-Z]\d[\dW] ?[AC-FHKNPRTV-Y\d]{4}"), "IE", False),
)

_ANY = "*"
#: Postal cue words (folded) -> the countries they speak of ("*": any).
CUES: dict[str, tuple[str, ...]] = {
    "plz": ("DE", "AT", "CH", "LI"), "postleitzahl": ("DE", "AT", "CH", "LI", "LU"),
    "code postal": ("FR", "BE", "CH", "LU", "MC"), "cap": ("IT", "SM", "VA"),
    "c.a.p.": ("IT", "SM", "VA"), "codice postale": ("IT", "SM", "VA", "CH"),
    "codigo postal": ("ES", "PT", "AD"), "kod pocztowy": ("PL",),
    "kodu pocztowego": ("PL",), "kodem pocztowym": ("PL",), "psc": ("CZ", "SK"),
    "iranyitoszam": ("HU",), "iranyitoszama": ("HU",), "irsz": ("HU",),
    "postinumero": ("FI", "AX"), "postnummer": ("SE", "NO", "DK", "FI"),
    "postnr": ("SE", "NO", "DK"), "postnumer": ("IS",), "postcode": ("NL", "BE", "GB"),
    "eircode": ("IE",), "zip": ("US",), "zip code": ("US",), "zipcode": ("US",),
    "postal code": (_ANY,), "post code": (_ANY,), "cod postal": ("RO", "MD"),
    "codul postal": ("RO", "MD"),
    "postanski broj": ("HR", "RS", "BA", "ME"), "postna stevilka": ("SI",),
    "pasto kodas": ("LT",), "pasta indekss": ("LV",), "postiindeks": ("EE",),
    "posta kodu": ("TR",), "индекс": ("RU", "BY", "UA"), "почтовыи индекс": ("RU", "BY"),
    "поштовии индекс": ("UA",), "поштовии індекс": ("UA",), "індекс": ("UA",),
    "пощенски код": ("BG",), "поштански број": ("RS", "MK"), "поштенски број": ("MK",),
    "ταχυδρομικος κωδικας": ("GR",), "τκ": ("GR",),
}  # fmt: skip
_GAP = r"[\s:,()\-–=#]"
_TOKENS = re.compile(r"\w+|[€$£¥#№]")
_BY_LENGTH = sorted(CUES, key=len, reverse=True)
_CUE = re.compile(
    r"(?<!\w)(?:(?P<long>"  # long cues may be inflected ("Postleitzahlen"), short ones not
    + "|".join(re.escape(k) for k in _BY_LENGTH if len(k) >= 5)
    + r")\w*|(?P<short>"
    + "|".join(re.escape(k) for k in _BY_LENGTH if len(k) < 5)
    + rf")(?!\w)){_GAP}{{0,3}}(?:[^\W\d_]+{_GAP}{{1,3}}){{0,3}}$"
)


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


#: Words after which a number is an article, a phone or an id, not a code.
NOT_BEFORE = _words(
    "model modell modele modello modelo typ type art artikel artykul nr no numer number "
    "nummer numero tel telefon phone fax ean sku ref id batch lot charge partia serial seria "
    "serie isbn gtin code kod index indeks cena price preis prix prezzo precio"
)
#: Units and currencies after which a number is an amount.
NOT_AFTER = _words(
    "ml l g kg mg cl dl oz lb lbs km m cm mm mah w kw v mb gb tb ml. % zl pln eur euro euros "
    "usd chf czk kc ft huf sek nok dkk kr gbp rub руб руб. грн uah ron lei lev лв din kn "
    "rsd bgn try tl pcs szt st stk ks db kpl x mal fois volte veces times years yrs jahre "
    "ans anni anos vuotta ev ar jaar lat let rokov godina лет года років bc ad am pm ce eu "
    "lm mw hp ps € $ £ ¥ ₽ ₴"
)


class PostcodeFinder:
    """Finds the postal codes of a text that have a country context.

    The postal tables are read from the gazetteer cache on the first text that
    holds a candidate code (about 30 ms), not at start-up.
    """

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._tables: PostalTables | None = None
        self._division: Any = None  # counties kept as localities (gazetteer.core.division_mask)

    @property
    def tables(self) -> PostalTables:
        if self._tables is None:
            self._tables = load_postal(self.gazetteer.cache_dir or ".")
        return self._tables

    def find(
        self,
        text: str,
        mentions: Sequence[Mention],
        country_prior: Mapping[str, float] | None = None,
        blocked: Sequence[tuple[int, int]] = (),
    ) -> list[Mention]:
        """Postal mentions of ``text``; ``mentions`` are its other (resolved) mentions.

        ``mentions`` supply the places and countries a code must agree with;
        ``blocked`` spans (coordinates, links) and spans of ``mentions`` hold no code.
        """
        if not DIGIT.search(text):
            return []
        taken = [*blocked, *((m.start, m.end) for m in mentions)]
        out: list[Mention] = []
        for n, match in enumerate(CANDIDATE.finditer(text)):
            if n >= MAX_CANDIDATES:  # a tip holds a few codes; more is a table or junk
                break
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            mention = self._judge(text, match, mentions, country_prior)
            if mention is not None:
                out.append(mention)
        return out

    # --- one candidate ----------------------------------------------------------
    def _judge(
        self,
        text: str,
        match: re.Match[str],
        mentions: Sequence[Mention],
        prior: Mapping[str, float] | None,
    ) -> Mention | None:
        code, pre, sep = match["code"], match["pre"], match["sep"]
        if len(code) < 3:  # "24": no country writes a code with two digits
            return None
        start, end = match.start(), match.end()
        after = text[end : end + 12].split()
        if after and fold(after[0]).strip(".,;:!?)") in NOT_AFTER:
            return None
        if pre is not None:
            country = PREFIXES.get(pre)
            if country is not None and (len(pre) > 1 or sep == "-"):
                cand = self._candidate(country, code, 0.95)
                if cand is not None:
                    return Mention(start, end, text[start:end], "postal", (cand,))
            start = match.start("code")  # not a country: judge the code alone
            if sep != " ":
                return None
        before = fold(text[max(0, start - CUE_WINDOW) : start])
        cue = _CUE.search(before)
        if cue is None:
            words = _TOKENS.findall(before[-24:])
            if words and (words[-1] in NOT_BEFORE or not words[-1].isalnum()):
                return None
        found = text[start:end]
        if cue is not None:
            countries = self._cue_countries(cue["long"] or cue["short"], mentions, prior)
            cands = [c for c in (self._candidate(cc, code, 0.9) for cc in countries) if c]
            return self._mention(start, end, found, cands, mentions, prior)
        for form, country, address in UNIQUE:
            if form.fullmatch(code) and (not address or _capitalised(text, end)):
                cand = self._candidate(country, code, 0.85)
                if cand is not None:
                    return Mention(start, end, found, "postal", (cand,))
        cands = self._agreeing(text, start, end, code, mentions)
        return self._mention(start, end, found, cands, mentions, prior)

    def _candidate(self, country: str, code: str, p: float) -> Candidate | None:
        """The reading of ``code`` in ``country``, if written in its format and in its table."""
        form = FORMATS.get(country, _DIGITS)
        if not form.fullmatch(code):
            return None
        table = self.tables.get(country)
        i = table.find(code_key(country, code)) if table is not None else None
        if table is None or i is None:
            return None
        gid, name, admin1, lat, lon = table.entry(i)
        return Candidate(gid, name, "locality", country, admin1, lat, lon, p)

    def _cue_countries(
        self, cue: str, mentions: Sequence[Mention], prior: Mapping[str, float] | None
    ) -> list[str]:
        countries = list(CUES[cue])
        if countries == [_ANY]:
            named = _named_countries(mentions) | set(prior or ())
            countries = sorted(named & self.tables.countries)
        return countries

    def _agreeing(
        self, text: str, start: int, end: int, code: str, mentions: Sequence[Mention]
    ) -> list[Candidate]:
        """Readings of ``code`` in countries whose places the tip names next to or near it.

        3-4 digit codes need the place right next to them; a year-like number
        (1900-2099) needs the code's own town right after it ("2000 Szentendre").
        """
        from geoleads.gazetteer import haversine_km

        digits = code.replace(" ", "").replace("-", "")
        year = digits.isdigit() and 1900 <= int(digits) <= 2099
        close_only = len(digits) < 5 or year
        memo: dict[str, Candidate | None] = {}
        out: dict[str, Candidate] = {}
        for m in mentions:
            if abs(m.start - start) > NEAR_CHARS:
                continue
            follows = _gap(text, end, m.start)
            adjacent = follows or (not year and _gap(text, m.end, start))
            if close_only and not adjacent:
                continue
            for c in m.candidates:
                if c.country is None or c.country in out:
                    continue
                if c.country not in memo:
                    memo[c.country] = self._candidate(c.country, code, 0.9)
                cand = memo[c.country]
                if cand is None:
                    continue
                if year:
                    ok = c.geonameid is not None and c.geonameid == cand.geonameid
                elif c.level in ("locality", "point"):
                    ok = float(haversine_km(c.lat, c.lon, cand.lat, cand.lon)) <= TOWN_KM
                else:
                    ok = adjacent and (c.level == "country" or c.admin1 == cand.admin1)
                if ok:
                    out[c.country] = cand
        if not out and _capitalised(text, end):  # the town's name right after the code
            out = self._named_after(text, end, code, year)
        return list(out.values())

    def _named_after(self, text: str, end: int, code: str, strict: bool) -> dict[str, Candidate]:
        """Readings of ``code`` whose town the 1-3 words after it name ("80331 München").

        Any name the gazetteer knows for a locality within :data:`TOWN_KM` counts
        (also where the extractor skipped the name; ``strict``: only the code's
        own town); a town too small for the gazetteer counts when the words
        spell the code's own place name.
        """
        from geoleads.gazetteer import haversine_km

        words = _NEXT_WORDS.match(text, end)
        if words is None:
            return {}
        parts = words.group(1).split()
        keys = [name_key(" ".join(parts[:n])) for n in range(len(parts), 0, -1)]
        out: dict[str, Candidate] = {}
        gaz = self.gazetteer
        if self._division is None:
            from geoleads.gazetteer.core import division_mask

            self._division = division_mask(gaz.entities)
        for key in keys:
            for row in gaz.rows_for(key)[:MAX_ROWS]:
                place = gaz.place(row)
                if place.level != "locality" or self._division[row] or place.country in out:
                    continue
                cand = self._candidate(place.country, code, 0.9)
                if cand is None:
                    continue
                if (
                    (cand.geonameid == place.geonameid)
                    if strict
                    else (haversine_km(place.lat, place.lon, cand.lat, cand.lon) <= TOWN_KM)
                ):
                    out[place.country] = cand
            if out:
                return out
        for country in sorted(COUNTRIES):
            cand = self._candidate(country, code, 0.85)
            if cand is not None and name_key(cand.name) in keys:
                out[country] = cand
        return out

    def _mention(
        self,
        start: int,
        end: int,
        found: str,
        cands: list[Candidate],
        mentions: Sequence[Mention],
        prior: Mapping[str, float] | None,
    ) -> Mention | None:
        if not cands:
            return None
        if len(cands) > 1:  # share the confidence; countries the tip names come first
            named = _named_countries(mentions)
            prior = prior or {}
            weight = {
                c.country: (3.0 if c.country in named else 1.0)
                * (1.0 + prior.get(c.country or "", 0))
                for c in cands
            }
            total, top = sum(weight.values()), max(c.probability for c in cands)
            shared = [_with_p(c, top * weight[c.country] / total) for c in cands]
            cands = sorted(shared, key=lambda c: -c.probability)
        return Mention(start, end, found, "postal", tuple(cands))


def _with_p(c: Candidate, p: float) -> Candidate:
    return Candidate(c.geonameid, c.name, c.level, c.country, c.admin1, c.lat, c.lon, p)


def _named_countries(mentions: Sequence[Mention]) -> set[str]:
    return {m.best.country for m in mentions if m.best is not None and m.best.country}


def _gap(text: str, a: int, b: int) -> bool:
    """Whether only spaces and at most one comma/hyphen separate ``a`` from ``b``."""
    return 0 <= b - a <= 3 and text[a:b].strip(" ,-") == "" and text[a:b].count(",") <= 1


def _capitalised(text: str, end: int) -> bool:
    """Whether a capitalised word follows (an address: "30-001 Kraków")."""
    rest = text[end : end + 3].lstrip(" ,")
    return bool(rest) and rest[0].isupper()
