"""Abbreviated place names: "U.S.", "UK", and US states after a comma ("Springfield, Ill.").

Abbreviations are too ambiguous for the name index (``us`` is a pronoun, ``Ill.``
a word), so they match only in their written form: upper case for countries,
", Abbr." for states.

>>> [(m.group(0), code) for m, code in find_abbreviations("From the U.S. to Macon, Ga. and UK")]
[('U.S.', 'US'), ('Ga.', 'US.GA'), ('UK', 'GB')]
>>> [(m.group(0), code) for m, code in find_abbreviations("Sold in Springfield, IL only")]
[('IL', 'US.IL')]
"""

from __future__ import annotations

import re

COUNTRIES = {
    "U.S.A.": "US", "U.S.A": "US", "USA": "US", "U.S.": "US", "US": "US",
    "U.K.": "GB", "UK": "GB", "UAE": "AE", "U.A.E.": "AE",
}  # fmt: skip
# AP style abbreviations of US states (and D.C.), as in "Decatur, Ga."
US_STATES = {
    "Ala.": "AL", "Ariz.": "AZ", "Ark.": "AR", "Calif.": "CA", "Colo.": "CO", "Conn.": "CT",
    "Del.": "DE", "D.C.": "DC", "Fla.": "FL", "Ga.": "GA", "Ill.": "IL", "Ind.": "IN",
    "Kan.": "KS", "Kans.": "KS", "Ky.": "KY", "La.": "LA", "Md.": "MD", "Mass.": "MA",
    "Mich.": "MI", "Minn.": "MN", "Miss.": "MS", "Mo.": "MO", "Mont.": "MT", "Neb.": "NE",
    "Nev.": "NV", "N.H.": "NH", "N.J.": "NJ", "N.M.": "NM", "N.Y.": "NY", "N.C.": "NC",
    "N.D.": "ND", "Okla.": "OK", "Ore.": "OR", "Pa.": "PA", "R.I.": "RI", "S.C.": "SC",
    "S.D.": "SD", "Tenn.": "TN", "Tex.": "TX", "Vt.": "VT", "Va.": "VA", "Wash.": "WA",
    "W.Va.": "WV", "W. Va.": "WV", "Wis.": "WI", "Wyo.": "WY",
}  # fmt: skip


# USPS codes, only right after "<Name>, " ("Springfield, IL"): alone "IN", "OR", "ME" are words
# (the AP list spells out Alaska, Hawaii, Idaho, Iowa, Maine, Ohio and Utah)
USPS = frozenset(US_STATES.values()) | {"AK", "HI", "ID", "IA", "ME", "OH", "UT"}


def _alternation(keys: list[str]) -> str:
    return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))


_COUNTRY_RE = re.compile(r"(?<![\w.])(?:" + _alternation(list(COUNTRIES)) + r")(?![\w])")
_STATE_RE = re.compile(r"(?<=,\s)(?:" + _alternation(list(US_STATES)) + r")")
_USPS_RE = re.compile(r"(?<=[a-z], )[A-Z]{2}(?![\w.])")
_COMMA_SPACE = re.compile(r",\s")


def find_abbreviations(text: str) -> list[tuple[re.Match[str], str]]:
    """``(match, code)`` pairs, left to right: an ISO country code or a GeoNames admin1 code."""
    hits: list[tuple[re.Match[str], str]] = []
    if "U" in text:  # every country abbreviation starts with U (a quick test first)
        for m in _COUNTRY_RE.finditer(text):
            hits.append((m, COUNTRIES[m.group(0)]))
    if "," in text:  # states only right after ", ": try just there (as finditer would find)
        for comma in _COMMA_SPACE.finditer(text):
            if not "A" <= text[comma.end() : comma.end() + 1] <= "Z":
                continue  # every state abbreviation starts with a capital A-Z
            state = _STATE_RE.match(text, comma.end())
            if state is not None:
                hits.append((state, "US." + US_STATES[state.group(0)]))
            usps = _USPS_RE.match(text, comma.end())
            if usps is not None and usps.group(0) in USPS:
                hits.append((usps, "US." + usps.group(0)))
    if len(hits) > 1:
        hits.sort(key=lambda h: h[0].start())
    return hits
