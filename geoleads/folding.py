"""The compiled inner loop of :func:`geoleads.text.fold` for non-ASCII text.

``str.translate`` looks every character of a non-ASCII string up in its table
through a generic ``__getitem__`` call (~300 machine instructions a character);
this loop copies the ASCII runs of the already lower-cased text as slices and
looks only the other characters up, by code point (~2x faster compiled with
mypyc, slower as plain Python: :mod:`geoleads.text` uses it only compiled).

>>> fold_lowered("kraków, łódź", tuple(chr(c) for c in range(0x2500)))
'kraków, łódź'
>>> fold_lowered("a€", ("x",) * 0x20AC) is None  # "€" lies beyond the table
True
"""

from __future__ import annotations


def fold_lowered(low: str, table: tuple[str, ...]) -> str | None:
    """``low`` with each non-ASCII character ``ch`` replaced by ``table[ord(ch)]``.

    ``None`` when a character lies beyond the table. ASCII characters are kept.
    """
    out: list[str] = []
    size = len(table)
    start = 0  # the first character not yet copied to out
    for i in range(len(low)):
        code = ord(low[i])
        if code >= 128:
            if code >= size:
                return None
            if start < i:
                out.append(low[start:i])
            out.append(table[code])
            start = i + 1
    if start == 0:
        return low
    out.append(low[start:])
    return "".join(out)
