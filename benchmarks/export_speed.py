"""Benchmark: export the regional summary of N tips (default 100,000) in every format.

The tips are the seeded scenario objects of ``scenariogen.py`` (real GeoNames
places, many languages, noise). They are summarised once with the real
``summarize_tips`` (timed and reported, but that is the narrowing step's cost);
then every export format and one country's dissemination package are written
from those results and timed. The goal: each export of 100,000 tips <= 30 s.

    .venv/bin/python benchmarks/export_speed.py [--tips 100000] [--seed 7] [--out DIR]
"""

from __future__ import annotations

import argparse
import pickle
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import scenariogen

from geoleads.export import FORMATS, export_summary
from geoleads.export.package import build_package, verify_package
from geoleads.gazetteer import get_gazetteer
from geoleads.narrow import summarize_tips

LEVEL_OF = {"csv": "locality", "kml": "admin1", "geojson": "admin1", "pdf": "admin1",
            "html": "admin1", "xlsx": "admin1", "gpkg": "admin1"}  # fmt: skip


def make_tips(gaz: object, n: int, seed: int) -> list:
    """At least ``n`` scenario tips (whole objects), cut to exactly ``n``."""
    scenarios: list = []
    batch, total, round_ = 200, 0, 0
    while total < n:
        new = scenariogen.make_scenarios(gaz, batch, seed + round_)
        scenarios += new
        total += sum(len(s.tips) for s in new)
        round_ += 1
    return scenariogen.to_tips(scenarios)[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tips", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--cache", type=Path, default=None,
                    help="pickle of the summarised results, reused when it exists")  # fmt: skip
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="geoleads-export-bench-"))
    out.mkdir(parents=True, exist_ok=True)

    gaz = get_gazetteer()
    t0 = time.perf_counter()
    tips = make_tips(gaz, args.tips, args.seed)
    n_objects = len({t.object_id for t in tips})
    print(f"generated {len(tips):,} tips of {n_objects:,} objects in "
          f"{time.perf_counter() - t0:.1f} s")  # fmt: skip

    t0 = time.perf_counter()
    cached = bool(args.cache and args.cache.exists())
    if args.cache and cached:
        results = pickle.loads(args.cache.read_bytes())
        print(f"summaries read from {args.cache} (not timed)")
    else:
        results = summarize_tips(tips, gazetteer=gaz, progress=True)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(results))
    summarize_s = time.perf_counter() - t0
    readings = sum(len(r.leads) for r in results)
    print(f"summarize_tips: {summarize_s:.1f} s ({readings:,} lead readings)")

    rows = []
    for fmt in FORMATS:
        path = out / f"summary.{fmt}"
        t0 = time.perf_counter()
        export_summary(results, path, fmt, LEVEL_OF[fmt], tips=tips, gazetteer=gaz)
        seconds = time.perf_counter() - t0
        rows.append((f"export {fmt} ({LEVEL_OF[fmt]})", seconds, path.stat().st_size))
        print(f"{rows[-1][0]:<28} {seconds:6.1f} s {path.stat().st_size / 1e6:8.1f} MB")

    country = Counter(
        r.summary["countries"][0]["code"] for r in results if r.summary.get("countries")
    ).most_common(1)[0][0]
    path = out / f"{country}.zip"
    t0 = time.perf_counter()
    manifest = build_package(results, country, path, tips=tips, gazetteer=gaz)
    seconds = time.perf_counter() - t0
    assert verify_package(path) == []
    label = f"package {country} ({len(manifest['objects'])} obj, {manifest['tips']:,} tips)"
    rows.append((label, seconds, path.stat().st_size))
    print(f"{label:<28} {seconds:6.1f} s {path.stat().st_size / 1e6:8.1f} MB")

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:,.0f} MiB; files in {out}")
    print("\n| step | seconds | size |\n|---|---:|---:|")
    if not (args.cache and cached):
        label = f"summarize_tips ({len(tips):,} tips, {n_objects:,} objects)"
        print(f"| {label} | {summarize_s:.1f} | |")
    for label, seconds, size in rows:
        print(f"| {label} | {seconds:.1f} | {size / 1e6:.1f} MB |")


if __name__ == "__main__":
    main()
