"""The Python API for notebooks: load tips, geoparse, summarise, rank, map and export.

Thin helpers over the other modules, returning (Geo)DataFrames::

    >>> from geoleads import api                                   # doctest: +SKIP
    >>> tips = api.load_tips("data/demo/tips.csv")                 # doctest: +SKIP
    >>> results = api.summarize(tips)                              # doctest: +SKIP
    >>> api.rankings(results, "country").head()                    # doctest: +SKIP
    >>> api.overlap(results, "admin1")                             # doctest: +SKIP
    >>> api.show_map(results[0])   # inline in Jupyter, offline  # doctest: +SKIP
    >>> api.export(results, "out/summary.xlsx")                    # doctest: +SKIP
    >>> api.package(results, "PL", "out/PL.zip", tips=tips)        # doctest: +SKIP

Every function also works outside Jupyter; nothing reaches the internet.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from geoleads.errors import TipFormatError
from geoleads.export import campaign_summary, export_summary, leads_frame, regional_summary
from geoleads.export.package import build_package, verify_package
from geoleads.export.regional import RANKING_KEY, check_level
from geoleads.tips import Tip, read_tips

#: Review statuses a tip can have (contract 6).
REVIEW_STATUSES = ("credible", "doubtful", "spam", "duplicate", "unreviewed")

__all__ = [
    "REVIEW_STATUSES",
    "campaign",
    "converging_regions",
    "export",
    "geoparse",
    "leads",
    "load_reviews",
    "load_tips",
    "overlap",
    "package",
    "rankings",
    "show_map",
    "summarize",
    "surface",
    "tips_frame",
    "verify_package",
]


def load_tips(path: str | Path) -> list[Tip]:
    """Read and validate a tip file (CSV, JSON Lines, XLSX; ``"-"`` = stdin JSONL)."""
    return read_tips(path)


def tips_frame(tips: Iterable[Tip]) -> pd.DataFrame:
    """Tips as a DataFrame: ``tip_id, object_id, text, received_at, language``.

    >>> from datetime import datetime, UTC
    >>> tips_frame([Tip("T1", "O", "aus Krakau", datetime(2024, 1, 1, tzinfo=UTC))]).shape
    (1, 5)
    """
    cols = ["tip_id", "object_id", "text", "received_at", "language"]
    return pd.DataFrame([[getattr(t, c) for c in cols] for t in tips], columns=cols)


def load_reviews(path: str | Path) -> dict[str, str]:
    """Review statuses from CSV (``tip_id`` and ``status`` or ``review`` columns), a JSON
    object ``{tip_id: status}`` or JSON Lines records; every bad row is reported at once.

    >>> import tempfile, os
    >>> f = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False)
    >>> _ = f.write("tip_id,status\\nT1,credible\\nT2,spam\\n"); f.close()
    >>> load_reviews(f.name)
    {'T1': 'credible', 'T2': 'spam'}
    >>> os.unlink(f.name)
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise TipFormatError([(0, f"cannot read reviews: {err}")], source=str(p)) from err
    records: list[tuple[int, Mapping[str, Any]]]
    if p.suffix.lower() == ".csv":
        records = list(enumerate(csv.DictReader(io.StringIO(text)), start=2))
    elif text.lstrip().startswith("{") and p.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise TipFormatError([(err.lineno, f"bad JSON: {err.msg}")], source=str(p)) from err
        records = [(i, {"tip_id": k, "status": v}) for i, (k, v) in enumerate(data.items(), 1)]
    else:
        records = []
        for i, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    records.append((i, json.loads(line)))
                except json.JSONDecodeError as err:
                    raise TipFormatError([(i, f"bad JSON: {err.msg}")], source=str(p)) from err
    out: dict[str, str] = {}
    problems = []
    for row, rec in records:
        tip_id = str(rec.get("tip_id") or "").strip()
        status = str(rec.get("status") or rec.get("review") or "").strip().lower()
        if not tip_id:
            problems.append((row, "tip_id is empty"))
        elif status not in REVIEW_STATUSES:
            problems.append((row, f"status {status!r}: expected {', '.join(REVIEW_STATUSES)}"))
        else:
            out[tip_id] = status
    if problems:
        raise TipFormatError(problems, source=str(p))
    return out


def geoparse(texts: Any) -> Any:
    """Mentions of places in ``texts`` (strings or a tips DataFrame) as a GeoDataFrame."""
    from geoleads.geoparse import geoparse_frame

    return geoparse_frame(texts)


def summarize(
    tips: Iterable[Tip],
    *,
    reviews: Mapping[str, str] | None = None,
    mentions: Mapping[str, list[Any]] | None = None,
    progress: bool = False,
) -> list[Any]:
    """One :class:`~geoleads.narrow.ObjectResult` per object of ``tips``.

    ``mentions`` (tip_id -> stored geoparse results) skips geoparsing those tips.
    """
    from geoleads.narrow import summarize_tips

    return list(summarize_tips(tips, reviews=reviews, mentions=mentions, progress=progress))


def leads(results: Sequence[Any], reviews: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Every object's lead readings in one DataFrame (``object_id`` and ``review`` added)."""
    return leads_frame(results, reviews)


def rankings(
    results: Sequence[Any],
    level: str = "country",
    *,
    reviews: Mapping[str, str] | None = None,
    tips: Iterable[Tip] | None = None,
    geometry: bool = False,
) -> pd.DataFrame:
    """The regional summary at ``level``: one row per (object, region), share descending.

    ``geometry=True`` returns a GeoDataFrame with region outlines (points for
    localities), ready for ``.explore()`` or ``.plot()``.
    """
    texts = {t.tip_id: t.text for t in tips} if tips is not None else None
    table = regional_summary(results, level, reviews=reviews, texts=texts, gazetteer=_gaz())
    if geometry:
        from geoleads.export.geo import with_geometry

        return with_geometry(table, level, _gaz())
    return table


def campaign(results: Sequence[Any], level: str = "country", **kwargs: Any) -> pd.DataFrame:
    """One row per region over all ``results``: how many objects point there, mean share."""
    return campaign_summary(rankings(results, level, **kwargs), objects=len(results))


def shares(results: Sequence[Any], level: str = "country") -> pd.DataFrame:
    """A matrix of shares: one row per object, one column per region code (0 when absent).

    >>> class R:
    ...     def __init__(self, oid, c): self.object_id, self.summary = oid, {"countries": c}
    >>> shares([R("A", [{"code": "PL", "share": 0.7}]), R("B", [{"code": "DE", "share": 1}])])
    code   DE   PL
    A     0.0  0.7
    B     1.0  0.0
    """
    check_level(level)
    rows = {}
    for res in results:
        entries = (res.summary or {}).get(RANKING_KEY[level]) or []
        key = "geonameid" if level == "locality" else "code"
        rows[res.object_id] = {str(e.get(key)): float(e.get("share") or 0) for e in entries}
    frame = pd.DataFrame.from_dict(rows, orient="index").fillna(0.0)
    frame = frame.reindex(sorted(frame.columns), axis=1)
    frame.columns.name = "code"
    return frame


def overlap(results: Sequence[Any], level: str = "country") -> pd.DataFrame:
    """Pairwise overlap of objects: the sum over regions of ``min(share_a, share_b)``.

    1 means two objects point to the same regions with the same weights, 0 that
    they share nothing. Objects that converge on one region overlap strongly.
    """
    m = shares(results, level)
    values = m.to_numpy()
    import numpy as np

    out = np.minimum(values[:, None, :], values[None, :, :]).sum(axis=2)
    return pd.DataFrame(out.round(4), index=m.index, columns=m.index)


def converging_regions(
    results: Sequence[Any], level: str = "admin1", min_objects: int = 2, min_share: float = 0.1
) -> pd.DataFrame:
    """Regions where at least ``min_objects`` objects each put ``min_share`` or more."""
    table = rankings(results, level)
    strong = table[table["share"] >= min_share]
    agg = campaign_summary(strong, objects=len(results))
    return agg[agg["objects"] >= min_objects].reset_index(drop=True)


def surface(result: Any) -> Any:
    """One object's probability surface as a GeoDataFrame of H3 cells."""
    return result.surface_gdf()


def show_map(result: Any, **kwargs: Any) -> Any:
    """One object's lead map; displays inline in Jupyter with every asset inlined (offline)."""
    from geoleads.maps import lead_map

    return lead_map(result, standalone=True, **kwargs)


def export(
    results: Sequence[Any],
    path: str | Path,
    fmt: str | None = None,
    level: str = "country",
    **kwargs: Any,
) -> Path:
    """Write a regional summary (csv, xlsx, geojson, gpkg, kml, pdf, html; see
    :func:`geoleads.export.export_summary`)."""
    return export_summary(results, path, fmt, level, gazetteer=_gaz(), **kwargs)


def package(
    results: Sequence[Any], country: str, path: str | Path, **kwargs: Any
) -> dict[str, Any]:
    """Write the dissemination zip of ``country``; returns its manifest."""
    return build_package(results, country, path, gazetteer=_gaz(), **kwargs)


def _gaz() -> Any:
    from geoleads.gazetteer import get_gazetteer

    return get_gazetteer()
