"""How long a new process takes to load the prepared gazetteer, and its peak memory.

Run: ``.venv/bin/python benchmarks/gazetteer_load.py [--runs 5]`` (the cache must exist:
``make gazetteer``). Prints one JSON line per run and a median summary.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = """
import json, resource, time
t0 = time.perf_counter()
from geoleads.gazetteer import Gazetteer
gaz = Gazetteer.load()
t1 = time.perf_counter()
print(json.dumps({"load_s": round(t1 - t0, 3),
                  "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "localities": gaz.locality_count, "admin1": gaz.admin1_count,
                  "countries": len(gaz.country_codes), "names": len(gaz.names)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout))
        print(out.stdout.strip())
    print(
        json.dumps(
            {
                "median_load_s": statistics.median(r["load_s"] for r in runs),
                "max_rss_mb": max(r["rss_mb"] for r in runs),
            }
        )
    )


if __name__ == "__main__":
    main()
