"""Regional summary tables: one row per (object, region) at one level, or per region.

The rankings come from each object's ``summary`` (the ``geoleads summarize``
JSON); the tip counts, review counts and excerpts come from its ``leads`` (one
row per tip mention reading, contract 6). A reading counts for a region when it
lies in it: a locality reading counts for its locality, its admin1 region and
its country; an admin1 reading for the region and its country; a country
reading for the country only.

Columns of :func:`regional_summary`:

``object_id, level, rank, code, name, country, admin1, lat, lon, share, tips,
weighted_tips, raw_tips, reviewed_tips, credible_tips, top_tips, is_verdict,
verdict_level, verdict_code, verdict_name, verdict_confidence``

* ``share`` and ``tips``: as in the object's summary (the narrowing model);
* ``weighted_tips``: the sum of the narrowing model's weights of the readings
  in the region (confidence, review status and duplicates included);
* ``raw_tips``: how many distinct tips point to the region: at least
  :data:`MIN_TIP_FRACTION` of the tip's weight lies in it (an unlikely
  alternative reading, such as a namesake village abroad, does not count);
* ``reviewed_tips`` / ``credible_tips``: of those, how many were reviewed (any
  status but ``unreviewed``) / marked ``credible``;
* ``top_tips``: up to three excerpts of the strongest supporting tips.

>>> import pandas as pd
>>> class R:  # anything with object_id, summary and leads
...     object_id = "OBJ-1"
...     summary = {"object_id": "OBJ-1", "countries": [
...         {"code": "PL", "name": "Poland", "share": 0.9, "tips": 2}],
...         "verdict": {"level": "country", "code": "PL", "name": "Poland", "confidence": 0.7}}
...     leads = pd.DataFrame({"tip_id": ["T1", "T2"], "text": ["z Krakowa", "polski"],
...         "level": ["locality", "country"], "geonameid": [3094802, None],
...         "country": ["PL", "PL"], "admin1": ["PL.77", None], "weight": [1.0, 0.5]})
>>> table = regional_summary([R()], "country", reviews={"T1": "credible"})
>>> table[["code", "share", "raw_tips", "weighted_tips", "credible_tips", "is_verdict"]]
  code  share  raw_tips  weighted_tips  credible_tips  is_verdict
0   PL    0.9         2            1.5              1        True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

#: The levels of a regional summary, coarse to fine.
LEVELS: tuple[str, ...] = ("country", "admin1", "locality")
#: Key of each level's ranking in a summary entry (DESIGN.md).
RANKING_KEY = {"country": "countries", "admin1": "admin1", "locality": "localities"}
#: Part of a tip's weight that must lie in a region for the tip to count there.
MIN_TIP_FRACTION = 0.1
#: How many supporting tips a row quotes, and how long each excerpt is.
TOP_TIPS = 3
EXCERPT_CHARS = 160

COLUMNS: tuple[str, ...] = (
    "object_id",
    "level",
    "rank",
    "code",
    "name",
    "country",
    "admin1",
    "lat",
    "lon",
    "share",
    "tips",
    "weighted_tips",
    "raw_tips",
    "reviewed_tips",
    "credible_tips",
    "top_tips",
    "is_verdict",
    "verdict_level",
    "verdict_code",
    "verdict_name",
    "verdict_confidence",
)

CAMPAIGN_COLUMNS: tuple[str, ...] = (
    "level",
    "code",
    "name",
    "country",
    "lat",
    "lon",
    "objects",
    "verdict_objects",
    "mean_share",
    "max_share",
    "tips",
    "weighted_tips",
    "raw_tips",
    "reviewed_tips",
    "credible_tips",
    "object_ids",
)


class ResultLike(Protocol):
    """What the exporters need of a :class:`geoleads.narrow.ObjectResult`."""

    object_id: str
    summary: dict[str, Any]
    leads: pd.DataFrame


def check_level(level: str) -> str:
    """Return ``level`` if it is a summary level, else raise ``ValueError``."""
    if level not in LEVELS:
        raise ValueError(f"level {level!r}: expected one of {', '.join(LEVELS)}")
    return level


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """One line of at most ``limit`` characters of ``text``.

    >>> excerpt("a\\nb   c" + "x" * 200, 10)
    'a b cxxxx…'
    """
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def leads_frame(
    results: Sequence[ResultLike],
    reviews: Mapping[str, str] | None = None,
    texts: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """All objects' lead readings in one frame with ``object_id`` and ``review`` columns.

    ``texts`` (tip_id -> full tip text) replaces the ``text`` column when given.
    """
    base = ["tip_id", "text", "name", "level", "geonameid", "country", "admin1", "weight"]
    frames = [r.leads for r in results if r.leads is not None and not r.leads.empty]
    ids = [r.object_id for r in results if r.leads is not None and not r.leads.empty]
    if frames:
        # one concat, then the object ids (copying each small frame first costs 10x more)
        out = pd.concat(frames, ignore_index=True)
        out["object_id"] = np.repeat(np.array(ids, dtype=object), [len(f) for f in frames])
    else:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in ["object_id", *base]})
    for col in base:
        if col not in out:
            out[col] = None
    out["tip_id"] = out["tip_id"].astype(str)
    if texts:
        full = out["tip_id"].map(texts).astype(object)
        out["text"] = full.where(full.notna(), out["text"].astype(object))
    out["text"] = out["text"].astype(object).where(out["text"].notna(), "").astype(str)
    out["weight"] = pd.to_numeric(out["weight"], errors="coerce").fillna(0.0).astype(float)
    if reviews:
        status = out["tip_id"].map(dict(reviews)).astype(object)
        out["review"] = status.where(status.notna(), "unreviewed").astype(str)
    else:
        out["review"] = "unreviewed"
    return out


def _region_key(leads: pd.DataFrame, level: str) -> pd.Series:
    """The region code each reading counts for at ``level`` (NaN when none)."""
    if level == "country":
        key = leads["country"]
    elif level == "admin1":
        key = leads["admin1"].where(leads["level"].isin(["admin1", "locality"]))
    else:
        gid = pd.to_numeric(leads["geonameid"], errors="coerce")
        key = gid.where(leads["level"] == "locality")
        key = key.map(lambda g: str(int(g)) if pd.notna(g) else None)
    return key.astype(object).where(key.notna() & (key.astype(str) != ""), None)


def lead_stats(leads: pd.DataFrame, level: str) -> pd.DataFrame:
    """Per ``(object_id, code)``: weighted/raw/reviewed/credible tip counts and excerpts."""
    check_level(level)
    cols = ["weighted_tips", "raw_tips", "reviewed_tips", "credible_tips", "top_tips"]
    total = leads.groupby(["object_id", "tip_id"], sort=False)["weight"].sum()
    df = leads.assign(code=_region_key(leads, level))
    df = df[df["code"].notna()]
    if df.empty:
        return pd.DataFrame(columns=["object_id", "code", *cols])
    per_tip = df.groupby(["object_id", "code", "tip_id"], sort=False, observed=True).agg(
        weight=("weight", "sum"), text=("text", "first"), review=("review", "first")
    )
    per_tip = per_tip.reset_index()
    whole = total.reindex(pd.MultiIndex.from_frame(per_tip[["object_id", "tip_id"]])).to_numpy()
    # a tip counts where a real part of its weight lies (all of it when it weighs nothing)
    counts = np.where(whole > 0, per_tip["weight"].to_numpy() >= MIN_TIP_FRACTION * whole, True)
    per_tip["counts"] = counts
    per_tip["reviewed"] = counts & (per_tip["review"] != "unreviewed").to_numpy()
    per_tip["credible"] = counts & (per_tip["review"] == "credible").to_numpy()
    grouped = per_tip.groupby(["object_id", "code"], sort=False)
    stats = grouped.agg(
        weighted_tips=("weight", "sum"),
        raw_tips=("counts", "sum"),
        reviewed_tips=("reviewed", "sum"),
        credible_tips=("credible", "sum"),
    )
    per_tip = per_tip[per_tip["counts"]]
    # credible tips first, then the heaviest; quote the top few per region
    per_tip["_order"] = per_tip["credible"].astype(int) * 10 + per_tip["weight"]
    top = per_tip.sort_values("_order", ascending=False, kind="stable")
    top = top.groupby(["object_id", "code"], sort=False).head(TOP_TIPS)
    quoted: dict[tuple[Any, Any], list[str]] = {}
    for key, tip_id, text in zip(
        zip(top["object_id"], top["code"], strict=True), top["tip_id"], top["text"], strict=True
    ):
        quoted.setdefault(key, []).append(f"{tip_id}: {excerpt(text)}")
    stats["top_tips"] = [" | ".join(quoted.get(k, ())) for k in stats.index]
    stats["weighted_tips"] = stats["weighted_tips"].round(3)
    return stats.reset_index()


def _ranking_rows(results: Sequence[ResultLike], level: str) -> list[dict[str, Any]]:
    rows = []
    for res in results:
        summary = res.summary or {}
        verdict = summary.get("verdict") or {}
        for rank, entry in enumerate(summary.get(RANKING_KEY[level]) or [], start=1):
            code = entry.get("geonameid") if level == "locality" else entry.get("code")
            code = "" if code is None else str(code)
            country = entry.get("country") or (code if level == "country" else None)
            admin1 = entry.get("admin1") or (code if level == "admin1" else None)
            is_verdict = verdict.get("level") == level and str(verdict.get("code")) == code
            rows.append(
                {
                    "object_id": res.object_id,
                    "level": level,
                    "rank": rank,
                    "code": code,
                    "name": entry.get("name"),
                    "country": country,
                    "admin1": admin1,
                    "lat": entry.get("lat"),
                    "lon": entry.get("lon"),
                    "share": float(entry.get("share") or 0.0),
                    "tips": entry.get("tips"),
                    "is_verdict": bool(is_verdict),
                    "verdict_level": verdict.get("level", "none"),
                    "verdict_code": verdict.get("code"),
                    "verdict_name": verdict.get("name"),
                    "verdict_confidence": verdict.get("confidence"),
                }
            )
    return rows


def _fill_coordinates(table: pd.DataFrame, level: str, gazetteer: Any) -> None:
    """Fill missing ``lat``/``lon`` of countries/regions from the gazetteer (in place)."""
    if gazetteer is None or table.empty or level == "locality":
        return
    missing = table["lat"].isna() | table["lon"].isna()
    if not missing.any():
        return
    lookup = gazetteer.country if level == "country" else gazetteer.admin1
    where: dict[str, tuple[float, float]] = {}
    for code in table.loc[missing, "code"].astype(str).unique():
        try:
            place = lookup(code)
        except LookupError:
            continue
        where[code] = (place.lat, place.lon)
    codes = table.loc[missing, "code"].astype(str)
    table.loc[missing, "lat"] = codes.map(lambda c: where.get(c, (np.nan, np.nan))[0])
    table.loc[missing, "lon"] = codes.map(lambda c: where.get(c, (np.nan, np.nan))[1])


def regional_summary(
    results: Sequence[ResultLike],
    level: str,
    *,
    reviews: Mapping[str, str] | None = None,
    texts: Mapping[str, str] | None = None,
    leads: pd.DataFrame | None = None,
    gazetteer: Any = None,
) -> pd.DataFrame:
    """The regional summary of ``results`` at ``level``: one row per (object, region).

    Rows follow each object's ranking (share descending). ``leads`` may pass a
    frame already built by :func:`leads_frame` (to reuse it across levels);
    ``gazetteer`` fills coordinates the summary lacks.
    """
    check_level(level)
    table = pd.DataFrame(_ranking_rows(results, level))
    if table.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    if leads is None:
        leads = leads_frame(results, reviews, texts)
    stats = lead_stats(leads, level)
    table = table.merge(stats, on=["object_id", "code"], how="left")
    for col in ("weighted_tips", "raw_tips", "reviewed_tips", "credible_tips"):
        table[col] = table[col].fillna(0)
    for col in ("raw_tips", "reviewed_tips", "credible_tips"):
        table[col] = table[col].astype(int)
    table["top_tips"] = table["top_tips"].fillna("")
    table["lat"] = pd.to_numeric(table["lat"], errors="coerce")
    table["lon"] = pd.to_numeric(table["lon"], errors="coerce")
    _fill_coordinates(table, level, gazetteer)
    table["tips"] = pd.to_numeric(table["tips"], errors="coerce")
    return table[list(COLUMNS)]


def campaign_summary(table: pd.DataFrame, objects: int | None = None) -> pd.DataFrame:
    """Aggregate a :func:`regional_summary` table over objects: one row per region.

    ``mean_share`` averages over ``objects`` objects (default: those in the
    table), so an object that gives the region no mass counts as 0; regions
    holding most of the objects' mass rank first (see ``objects`` for how many point there).

    >>> t = pd.DataFrame({"object_id": ["A", "B", "B"], "level": "country",
    ...     "code": ["PL", "PL", "DE"], "name": ["Poland", "Poland", "Germany"],
    ...     "country": ["PL", "PL", "DE"], "lat": 0.0, "lon": 0.0, "share": [0.8, 0.4, 0.6],
    ...     "tips": [4, 2, 3], "weighted_tips": 1.0, "raw_tips": 1, "reviewed_tips": 0,
    ...     "credible_tips": 0, "is_verdict": [True, False, True]})
    >>> campaign_summary(t)[["code", "objects", "verdict_objects", "mean_share"]]
      code  objects  verdict_objects  mean_share
    0   PL        2                1         0.6
    1   DE        1                1         0.3
    """
    if table.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CAMPAIGN_COLUMNS})
    n = objects or table["object_id"].nunique()
    g = table.groupby(["level", "code"], sort=False)
    out = g.agg(
        name=("name", "first"),
        country=("country", "first"),
        lat=("lat", "first"),
        lon=("lon", "first"),
        objects=("object_id", "nunique"),
        verdict_objects=("is_verdict", "sum"),
        share_sum=("share", "sum"),
        max_share=("share", "max"),
        tips=("tips", "sum"),
        weighted_tips=("weighted_tips", "sum"),
        raw_tips=("raw_tips", "sum"),
        reviewed_tips=("reviewed_tips", "sum"),
        credible_tips=("credible_tips", "sum"),
        object_ids=("object_id", lambda s: ";".join(sorted(set(map(str, s))))),
    ).reset_index()
    out["mean_share"] = (out.pop("share_sum") / n).round(4)
    out["verdict_objects"] = out["verdict_objects"].astype(int)
    out = out.sort_values(["mean_share", "objects"], ascending=False, kind="stable")
    return out[list(CAMPAIGN_COLUMNS)].reset_index(drop=True)


def all_levels(
    results: Sequence[ResultLike],
    *,
    reviews: Mapping[str, str] | None = None,
    texts: Mapping[str, str] | None = None,
    gazetteer: Any = None,
    levels: Iterable[str] = LEVELS,
) -> dict[str, pd.DataFrame]:
    """:func:`regional_summary` at every level in ``levels``, sharing one leads frame."""
    leads = leads_frame(results, reviews, texts)
    return {lv: regional_summary(results, lv, leads=leads, gazetteer=gazetteer) for lv in levels}


def tip_rows(
    results: Sequence[ResultLike],
    *,
    reviews: Mapping[str, str] | None = None,
    texts: Mapping[str, str] | None = None,
    country: str | None = None,
    leads: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per tip with places: ``object_id, tip_id, review, places, countries, text``.

    ``country`` keeps only tips pointing there (at least :data:`MIN_TIP_FRACTION` of
    their weight in the country). ``places`` lists
    the readings (name and country), ``countries`` their distinct countries.
    """
    if leads is None:
        leads = leads_frame(results, reviews, texts)
    cols = ["object_id", "tip_id", "review", "weight", "places", "countries", "text"]
    if leads.empty:
        return pd.DataFrame(columns=cols)
    df = leads
    if country is not None:
        # a tip points to the country when a real part of its weight lies there (a namesake
        # village abroad with a sliver of weight does not send the tip to that country)
        on = ["object_id", "tip_id"]
        total = df.groupby(on, sort=False)["weight"].sum().rename("total")
        there = df[df["country"] == country].groupby(on, sort=False)["weight"].sum()
        both = there.to_frame("there").join(total)
        ok = (both["total"] <= 0) | (both["there"] >= MIN_TIP_FRACTION * both["total"])
        keep = both[ok].reset_index()[on]
        df = df.merge(keep, on=on)
        if df.empty:
            return pd.DataFrame(columns=cols)
    name = df["name"].astype(object).where(df["name"].notna(), "")
    country_col = df["country"].astype(object).where(df["country"].notna(), "?")
    label = name.astype(str) + " (" + country_col.astype(str) + ")"
    g = df.groupby(["object_id", "tip_id"], sort=False)
    out = g.agg(review=("review", "first"), weight=("weight", "sum"), text=("text", "first"))
    places: dict[tuple[Any, Any], dict[str, None]] = {}
    countries: dict[tuple[Any, Any], set[str]] = {}
    for key, lab, cc in zip(
        zip(df["object_id"], df["tip_id"], strict=True), label, country_col, strict=True
    ):
        places.setdefault(key, {})[lab] = None
        if cc != "?":
            countries.setdefault(key, set()).add(str(cc))
    out["places"] = ["; ".join(places.get(k, {})) for k in out.index]
    out["countries"] = [";".join(sorted(countries.get(k, ()))) for k in out.index]
    out = out.reset_index()
    out["weight"] = np.round(out["weight"].to_numpy(dtype=float), 3)
    return out[cols]
