"""Scenario benchmark of narrowing, side by side with a naive baseline.

Objects with a known true place and realistic noisy tips (``scenariogen.py``)
are summarised by geoleads and by a naive baseline (flashgeotext mentions +
counting: the most mentioned country, the most mentioned city's region and
point). Reports country@1, admin1@1, peak within 25/50 km and median peak error
for both, and how often each verdict level is right.

    .venv/bin/python benchmarks/narrow_scenarios.py            # 300 objects, seeds 101-103
    .venv/bin/python benchmarks/narrow_scenarios.py --calibrate  # seeds 1-3: threshold table

The baseline needs the ``bench`` extra: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scenariogen

from geoleads.gazetteer import Gazetteer, get_gazetteer, haversine_km
from geoleads.narrow import ObjectResult, summarize_tips
from geoleads.verdict import THRESHOLDS

EVAL_SEEDS = (101, 102, 103)
CALIBRATION_SEEDS = (1, 2, 3)


def baseline(scenario: scenariogen.Scenario, gaz: Gazetteer, geotext: Any) -> dict[str, Any]:
    """Naive counting over flashgeotext mentions: top country, top city's region and point."""
    countries: Counter[str] = Counter()
    cities: Counter[str] = Counter()
    for text, _ in scenario.tips:
        found = geotext.extract(input_text=text, span_info=True)
        for name, info in found.get("cities", {}).items():
            cities[name] += info["count"]
        for name, info in found.get("countries", {}).items():
            hits = gaz.candidates(name, levels=("country",))
            if hits:
                countries[hits[0].country] += info["count"]
    city_place = {}
    for name in cities:
        hits = gaz.candidates(name, levels=("locality",))
        if hits:
            city_place[name] = hits[0]  # biggest place of that name
            countries[hits[0].country] += cities[name]
    top_country = countries.most_common(1)[0][0] if countries else None
    top_city = next((c for c, _ in cities.most_common() if c in city_place), None)
    if top_city is not None:
        p = city_place[top_city]
        return {"country": top_country, "admin1": p.admin1, "peak": (p.lat, p.lon)}
    if top_country is not None:
        c = gaz.country(top_country)
        return {"country": top_country, "admin1": None, "peak": (c.lat, c.lon)}
    return {"country": None, "admin1": None, "peak": None}


def ours(result: ObjectResult) -> dict[str, Any]:
    s = result.summary
    peak = s["peak"]
    return {
        "country": s["countries"][0]["code"] if s["countries"] else None,
        "admin1": s["admin1"][0]["code"] if s["admin1"] else None,
        "peak": (peak["lat"], peak["lon"]) if peak else None,
        "verdict": s["verdict"],
    }


def score(rows: list[tuple[scenariogen.Scenario, dict[str, Any]]]) -> dict[str, float]:
    n = len(rows)
    errors = []
    for s, r in rows:
        if r["peak"] is None:
            errors.append(float("inf"))
        else:
            errors.append(float(haversine_km(s.lat, s.lon, r["peak"][0], r["peak"][1])))
    return {
        "country@1": sum(r["country"] == s.country for s, r in rows) / n,
        "admin1@1": sum(r["admin1"] == s.admin1 for s, r in rows) / n,
        "peak<=25km": sum(e <= 25 for e in errors) / n,
        "peak<=50km": sum(e <= 50 for e in errors) / n,
        "median_km": statistics.median(errors),
    }


def verdict_right(s: scenariogen.Scenario, level: str, code: str, gaz: Gazetteer) -> bool:
    if level == "country":
        return code == s.country
    if level == "admin1":
        return code == s.admin1
    p = gaz.by_geonameid(int(code))
    return bool(haversine_km(s.lat, s.lon, p.lat, p.lon) <= 25)


def calibrate(scenarios: list, results: list[ObjectResult], gaz: Gazetteer) -> None:
    print("\nper-level pick accuracy by confidence (calibration seeds)")
    print("level     thr   objects  right")
    for level in ("locality", "admin1", "country"):
        picks = [(s, r.picks[level]) for s, r in zip(scenarios, results, strict=True)
                 if level in r.picks and r.picks[level].voices >= 2]  # fmt: skip
        for thr in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7):
            chosen = [(s, p) for s, p in picks if p.confidence >= thr]
            if not chosen:
                continue
            right = sum(verdict_right(s, level, p.code, gaz) for s, p in chosen) / len(chosen)
            print(f"{level:9} {thr:4.2f} {len(chosen):8d} {right:6.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objects", type=int, default=100, help="objects per seed")
    ap.add_argument("--calibrate", action="store_true", help="use the calibration seeds")
    args = ap.parse_args(argv)
    gaz = get_gazetteer()
    seeds = CALIBRATION_SEEDS if args.calibrate else EVAL_SEEDS
    scenarios = [s for seed in seeds for s in scenariogen.make_scenarios(gaz, args.objects, seed)]
    tips = scenariogen.to_tips(scenarios)
    print(f"{len(scenarios)} objects, {len(tips)} tips, seeds {seeds}")
    start = time.perf_counter()
    results = summarize_tips(tips, gazetteer=gaz, keep_leads=False)
    took = time.perf_counter() - start
    by_id = {r.object_id: r for r in results}
    results = [by_id[s.object_id] for s in scenarios]
    mine = [(s, ours(r)) for s, r in zip(scenarios, results, strict=True)]
    table = {"geoleads": score(mine)}
    try:
        from flashgeotext.geotext import GeoText
    except ImportError:
        print("flashgeotext not installed (pip install -e '.[bench]'): no baseline")
    else:
        from loguru import logger

        logger.remove()  # flashgeotext logs every load on stderr
        geotext = GeoText()
        start_b = time.perf_counter()
        base = [(s, baseline(s, gaz, geotext)) for s in scenarios]
        table["naive flashgeotext"] = score(base)
        print(f"baseline: {time.perf_counter() - start_b:.1f} s")
    print(f"geoleads summarize: {took:.1f} s")
    cols = ["country@1", "admin1@1", "peak<=25km", "peak<=50km", "median_km"]
    print(f"\n{'method':22}" + "".join(f"{c:>12}" for c in cols))
    for name, m in table.items():
        print(f"{name:22}" + "".join(f"{m[c]:12.3f}" for c in cols))
    levels = Counter(r["verdict"]["level"] for _, r in mine)
    print("\nverdicts (thresholds", THRESHOLDS, ")")
    for level in ("locality", "admin1", "country", "none"):
        given = [(s, r) for s, r in mine if r["verdict"]["level"] == level]
        if level == "none" or not given:
            print(f"  {level:9} {levels[level]:4d}")
            continue
        right = sum(verdict_right(s, level, r["verdict"]["code"], gaz) for s, r in given)
        print(f"  {level:9} {levels[level]:4d}  right {right / len(given):.3f}")
    if args.calibrate:
        calibrate(scenarios, results, gaz)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
