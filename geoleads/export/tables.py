"""Spreadsheet exports: CSV (formula injection neutralised) and XLSX (a sheet per level).

Tip texts are written by strangers. A text such as ``=HYPERLINK("http://x","y")``
must never become a live formula when an analyst opens the file:

* CSV: a text cell starting with ``= + - @``, a tab or a carriage return gets a
  leading apostrophe (the OWASP recommendation; spreadsheets show it as text);
* XLSX: every text cell is written as an inline string cell (the writer in
  :mod:`geoleads.export.xlsx` has no formulas at all), so the text stays exact.

>>> neutralise("=HYPERLINK(\\"http://x\\",\\"y\\")")
'\\'=HYPERLINK("http://x","y")'
>>> neutralise("-12"), neutralise(-12)
("'-12", -12)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from geoleads.errors import ExportError

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

README_LINES = (
    "geoleads regional summary",
    "",
    "One sheet per level (country, admin1, locality): one row per object and region,",
    "in the order of the object's ranking (share, descending).",
    "",
    "share: the object's probability mass in the region (0..1), from the narrowing model.",
    "tips: tips counted for the region by the narrowing model.",
    "weighted_tips: sum of the model's weights of the readings in the region (confidence,",
    "  review status and duplicates included).",
    "raw_tips: distinct tips with at least 10% of their weight in the region.",
    "reviewed_tips / credible_tips: of those, reviewed (any status) / marked credible.",
    "top_tips: excerpts of the strongest supporting tips (credible first).",
    "is_verdict: the region is the object's verdict (where its tips converge).",
    "campaign: one row per region over all exported objects; mean_share averages over",
    "  the exported objects (0 for an object without mass there).",
    "",
    "Places: GeoNames (CC BY 4.0), country borders: Natural Earth (public domain).",
    "Tip texts are quoted as sent by the public; they are unverified and may be hostile.",
)


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would read as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_frame(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every text cell passed through :func:`neutralise` (column-wise)."""
    out = table.copy()
    out.columns = [neutralise(str(c)) for c in table.columns]
    for col in out.columns:
        values = out[col]
        if values.dtype.kind in "biufcmM":  # numbers, booleans, dates: nothing to do
            continue
        text = values.astype(object)
        risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_START))
        if risky.any():
            out[col] = text.where(~risky.astype(bool), "'" + text.astype(str))
    return out


def write_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` as UTF-8 CSV (with BOM, for Excel) with formulas neutralised."""
    path = Path(path)
    try:
        neutralise_frame(table).to_csv(
            path, index=False, encoding="utf-8-sig", na_rep="", lineterminator="\r\n"
        )
    except OSError as err:
        raise ExportError(f"cannot write {path}: {err}") from err
    return path


def _rows(table: pd.DataFrame, chunk: int = 20_000) -> Iterable[list[Any]]:
    """Rows of plain Python values (None for NaN), boxed a chunk at a time."""
    for start in range(0, len(table), chunk):
        part = table.iloc[start : start + chunk].astype(object)
        yield from part.where(part.notna(), None).to_numpy().tolist()


def _sheet_title(name: str, used: set[str]) -> str:
    bad = "[]:*?/\\"
    title = "".join("_" if ch in bad else ch for ch in name)[:31] or "sheet"
    base, n = title, 2
    while title in used:
        suffix = f"_{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    readme: Iterable[str] = README_LINES,
    meta: Mapping[str, Any] | None = None,
) -> Path:
    """Write one sheet per entry of ``sheets`` after a ``readme`` sheet.

    ``meta`` adds ``key: value`` lines (objects, date, source file) to the readme.
    Every text is a string cell (see :mod:`geoleads.export.xlsx`): never a formula.
    """
    from geoleads.export.xlsx import write_workbook

    path = Path(path)
    used: set[str] = set()
    lines = list(readme)
    if meta:
        lines += ["", *(f"{k}: {v}" for k, v in meta.items())]
    book: dict[str, Any] = {_sheet_title("readme", used): (lines[:1], [[x] for x in lines[1:]])}
    for name, table in sheets.items():
        book[_sheet_title(name, used)] = ([str(c) for c in table.columns], _rows(table))
    try:
        write_workbook(path, book)
    except OSError as err:
        raise ExportError(f"cannot write {path}: {err}") from err
    return path
