"""What the other names of a text say about a span's readings (helpers of the resolver).

:data:`Context` holds, per name key of a text, the shares of its readings per
country, admin1 and admin2 region; :func:`share_totals` sums them over the text.
:func:`follower_span` is the span right after another across a comma or bracket
("Horn, Sweden"); :func:`speaking` the countries where a language is official.

>>> sorted(speaking("pl"))
['PL']
>>> share_totals({"krakau": ({"PL": 1.0}, {"PL.77": 1.0}, {})})[3]
1.0
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from geoleads.spans import Span

#: Country shares, admin1 shares, admin2 shares, and the country and admin1 sums.
Totals = tuple[dict[str, float], dict[str, float], dict[str, float], float, float]
#: Per name: its country, admin1 and admin2 shares.
Shares = tuple[dict[str, float], dict[str, float], dict[str, float]]
#: Per name key of a text: its shares.
Context = dict[str, Shares]
#: The countries and admin1 regions named by the span right after a name ("Horn, Sweden").
Follower = tuple[frozenset[str], frozenset[str]]


def share_totals(context: Context) -> Totals:
    """Country, admin1 and admin2 shares summed over every name, and the first two masses."""
    tot_c: dict[str, float] = {}
    tot_a: dict[str, float] = {}
    tot_2: dict[str, float] = {}
    for c, a, a2 in context.values():
        for k, v in c.items():
            tot_c[k] = tot_c.get(k, 0.0) + v
        for k, v in a.items():
            tot_a[k] = tot_a.get(k, 0.0) + v
        for k, v in a2.items():
            tot_2[k] = tot_2.get(k, 0.0) + v
    return tot_c, tot_a, tot_2, sum(tot_c.values()), sum(tot_a.values())


@lru_cache(maxsize=64)
def speaking(language: str) -> frozenset[str]:
    """Countries where ``language`` is official (CLDR via babel)."""
    from babel.core import get_global

    out = set()
    for territory, info in get_global("territory_languages").items():
        data = info.get(language)
        if data and data.get("official_status"):
            out.add(str(territory))
    return frozenset(out)


def follower_span(text: str, spans: Sequence[Span], i: int) -> Span | None:
    """The span right after ``spans[i]`` across a comma or bracket ("Horn, Sweden")."""
    if i + 1 >= len(spans):
        return None
    nxt = spans[i + 1]
    gap = text[spans[i].end : nxt.start]
    if nxt.kind != "place":
        return None
    if len(gap) <= 3 and gap.strip() in (",", "(", "-", "/", ""):
        return nxt
    return nxt if COUNTY_GAP.fullmatch(gap) else None


#: A county-like word between a name and its region ("Newton County, Ga.").
COUNTY_GAP = re.compile(r" (?:County|Parish|Borough|Township|Co\.),? ?")
