"""Tip text with the places found in it highlighted, safely.

The text is escaped *first*, piece by piece, and only then wrapped in ``<mark>``
elements that we write ourselves, so hostile tip text never becomes markup.

>>> str(highlight("<b>Krakau</b>!", [(3, 9, "place", "Kraków, PL")]))
'&lt;b&gt;<mark class="hl hl-place" title="Kraków, PL">Krakau</mark>&lt;/b&gt;!'
>>> spans = [(0, 1, "place", "t")]
>>> cached_highlight("a b", spans) is cached_highlight("a b", list(spans))
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

Span = tuple[int, int, str, str]

#: highlighted texts remembered per process (the pages show the same tips again and again)
_LIMIT = 20_000
_MEMO: dict[tuple[str, tuple[Span, ...]], Markup] = {}


def highlight(text: str, spans: Iterable[Span]) -> Markup:
    """Escape ``text`` and wrap each ``(start, end, kind, label)`` span in a ``<mark>``.

    Spans out of range or overlapping an earlier span are skipped (the text is
    still shown in full). ``kind`` becomes part of a CSS class after being
    reduced to letters, so it cannot inject attributes either.

    >>> str(highlight("a b", [(0, 1, "x\\" onload=\\"1", "t"), (0, 2, "place", "t")]))
    '<mark class="hl hl-place" title="t">a </mark>b'
    >>> str(highlight("a b", [(0, 1, "x\\" onload=\\"1", "t")]))
    '<mark class="hl hl-xonload" title="t">a</mark> b'
    """
    out: list[str] = []
    pos = 0
    for start, end, kind, label in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < pos or end <= start or end > len(text) or start < 0:
            continue
        css = "".join(ch for ch in kind if ch.isascii() and ch.isalpha()) or "place"
        out.append(str(escape(text[pos:start])))
        out.append(
            f'<mark class="hl hl-{css}" title="{escape(label)}">{escape(text[start:end])}</mark>'
        )
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def cached_highlight(text: str, spans: Sequence[Span]) -> Markup:
    """:func:`highlight`, remembered for the same text and spans (the same object is
    returned, so its hash is computed once when it is part of another memo's key)."""
    key = (text, tuple(spans))
    value = _MEMO.get(key)
    if value is None:
        if len(_MEMO) >= _LIMIT:
            _MEMO.clear()
        value = _MEMO[key] = highlight(text, spans)
    return value
