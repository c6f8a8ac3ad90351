"""Speed and memory of ``geoleads summarize`` on generated tip files.

Writes a CSV of scenario tips (``scenariogen.make_sized``: realistic mixes, every
object with the same number of tips) and times a *new process* running
``geoleads summarize FILE --format json --quiet``, so the figure includes Python
start-up, the gazetteer load, the geoparser's word lists, reading and validating
the file, geoparsing, narrowing and writing the JSON. Peak RSS is the child's
``ru_maxrss``.

    .venv/bin/python benchmarks/narrow_speed.py                      # 10,000 tips, 150 objects
    .venv/bin/python benchmarks/narrow_speed.py --tips 1000000 --objects 150
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scenariogen

from geoleads.gazetteer import get_gazetteer

ROOT = Path(__file__).resolve().parent.parent


def write_tips(path: Path, n_tips: int, n_objects: int, seed: int) -> None:
    """A CSV of ``n_tips`` scenario tips spread evenly over ``n_objects`` objects."""
    gaz = get_gazetteer()
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    per = [n_tips // n_objects + (i < n_tips % n_objects) for i in range(n_objects)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["tip_id", "object_id", "text", "received_at", "language"])
        for i, n in enumerate(per):
            s = scenariogen.make_sized(rng, gaz, f"OBJ-{i:04d}", n)
            for j, (text, lang) in enumerate(s.tips):
                when = (start + timedelta(seconds=j)).isoformat()
                w.writerow([f"{s.object_id}-{j:07d}", s.object_id, text, when, lang])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tips", type=int, default=10_000)
    ap.add_argument("--objects", type=int, default=150)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--keep", type=Path, help="keep the generated CSV here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "tips.csv"
        t0 = time.perf_counter()
        write_tips(path, args.tips, args.objects, args.seed)
        print(f"generated {args.tips:,} tips / {args.objects} objects in "
              f"{time.perf_counter() - t0:.1f} s ({path.stat().st_size / 1e6:.1f} MB)")  # fmt: skip
        out = Path(tmp) / "summary.json"
        cmd = [str(ROOT / ".venv/bin/geoleads"), "summarize", str(path), "--format", "json",
               "--quiet", "-o", str(out)]  # fmt: skip
        t1 = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=ROOT)
        wall = time.perf_counter() - t1
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime
        print(f"geoleads summarize: {wall:.2f} s wall, {cpu:.2f} s CPU, "
              f"peak RSS {usage.ru_maxrss / 1024:.0f} MiB, "
              f"{args.tips / wall:,.0f} tips/s")  # fmt: skip
        print(f"load average during the run: {os.getloadavg()[0]:.1f} (2 cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
