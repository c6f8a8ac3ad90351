"""The compiled inner loop of :func:`geoleads.text.fold` for non-ASCII text.

``str.translate`` looks every character of a non-ASCII string up in its table
through a generic ``__getitem__`` call (~300 machine instructions a character);
this loop copies the runs of characters that fold to themselves (ASCII, most
Cyrillic and Greek letters) as slices and looks only the others up, by code
point (~2x faster compiled with mypyc, slower as plain Python: :mod:`geoleads.text`
uses it only compiled).

>>> table = ("x",) * 0xE9 + ("e",)
>>> fold_lowered("café", table, changes(table))
'cafe'
>>> fold_lowered("a€", table, changes(table)) is None  # "€" lies beyond the table
True
"""

from __future__ import annotations


def changes(table: tuple[str, ...]) -> bytes:
    """1 for each code point that ``table`` changes (beyond ASCII), else 0."""
    return bytes(int(code >= 128 and folded != chr(code)) for code, folded in enumerate(table))


def fold_lowered(low: str, table: tuple[str, ...], changed: bytes) -> str | None:
    """``low`` with each character ``ch`` that ``changed`` marks replaced by ``table[ord(ch)]``.

    ``changed`` is :func:`changes` of ``table``; ``None`` when a character lies
    beyond the table.
    """
    out: list[str] = []
    size = len(changed)
    start = 0  # the first character not yet copied to out
    for i in range(len(low)):
        code = ord(low[i])
        if code >= 128:
            if code >= size:
                return None
            if changed[code]:
                if start < i:
                    out.append(low[start:i])
                out.append(table[code])
                start = i + 1
    if start == 0:
        return low
    out.append(low[start:])
    return "".join(out)
