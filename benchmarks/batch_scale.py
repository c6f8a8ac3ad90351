"""Batch geoparsing on Dask at scale: tips per second and peak memory for 1 and 2 workers.

Generates ``--tips`` realistic multilingual tips (``benchmarks/tipgen.py``: real
GeoNames towns, countries, demonyms, vague and off-topic messages, noise) over
``--objects`` objects into a JSON Lines file, then runs
``geoleads.batch.run_batch("geoparse", ...)`` on a local Dask cluster with 1 and
with 2 worker processes (fresh output folder each time). Peak memory is the
largest sum of RSS over this process and all its children (scheduler, nanny and
worker processes), sampled every 0.2 s.

    .venv/bin/python benchmarks/batch_scale.py [--tips 1000000] [--workers 1 2]

Wall time includes starting the cluster and loading the gazetteer in each worker
(~3 s), not reading/validating the file (reported separately).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tipgen

from geoleads.batch import run_batch
from geoleads.tips import read_tips

#: Distinct tip texts generated (tipgen costs ~1 ms a tip); the rest repeat them at random,
#: as real campaigns repeat tips. The batch path has no cache of repeated texts.
POOL = 50_000


def _one_tip(rng: random.Random, names: list[str], countries: list[str]) -> tuple[str, str]:
    r = rng.random()
    if r < 0.6:
        return tipgen.place_tip(rng, rng.choice(names))
    if r < 0.75:
        return tipgen.country_tip(rng, rng.choice(countries))
    if r < 0.85:
        return tipgen.demonym_tip(rng, rng.choice(countries))
    if r < 0.95:
        return tipgen.vague_tip(rng)
    return tipgen.offtopic_tip(rng)


def generate(path: Path, n: int, objects: int, seed: int = 7) -> None:
    from geoleads.gazetteer import get_gazetteer

    gaz = get_gazetteer()
    towns = gaz.localities()  # towns and villages, not counties
    towns = towns[towns.population > 2000]
    rng = random.Random(seed)
    names = list(towns.sample(5000, random_state=seed).name)
    countries = sorted(set(towns.country))
    pool = [_one_tip(rng, names, countries) for _ in range(min(n, POOL))]
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            text, lang = pool[i] if i < len(pool) else rng.choice(pool)
            record = {
                "tip_id": f"B{i:08d}",
                "object_id": f"OBJ-{rng.randrange(objects):05d}",
                "text": text,
                "received_at": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T12:00:00+00:00",
                "language": lang if rng.random() < 0.5 else None,
            }
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


class PeakMemory:
    """Samples the RSS of this process and all its descendants in a thread."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
            self.peak = max(self.peak, total)
            time.sleep(0.2)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tips", type=int, default=1_000_000)
    ap.add_argument("--objects", type=int, default=2000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--partition-tips", type=int, default=5000)
    ap.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp dir)")
    args = ap.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="batch_scale_"))
    work.mkdir(parents=True, exist_ok=True)
    src = work / f"tips_{args.tips}.jsonl"
    if not src.exists():
        t = time.perf_counter()
        generate(src, args.tips, args.objects)
        print(f"generated {args.tips:,} tips in {time.perf_counter() - t:.0f} s -> {src}")
    t = time.perf_counter()
    n = len(read_tips(src))
    took, mb = time.perf_counter() - t, src.stat().st_size / 1e6
    print(f"read + validate {n:,} tips: {took:.1f} s ({mb:.0f} MB)")
    print(f"cores: {psutil.cpu_count()}, load average: {psutil.getloadavg()}")
    for workers in args.workers:
        out = work / f"out_{workers}w"
        with PeakMemory() as mem:
            t = time.perf_counter()
            report = run_batch(
                "geoparse", src, out, workers=workers, partition_tips=args.partition_tips
            )
            wall = time.perf_counter() - t
        print(
            f"workers={workers}: {report.tips:,} tips, {report.partitions} partitions, "
            f"{wall:.0f} s wall ({n / wall:,.0f} tips/s incl. reading), "
            f"{report.seconds:.0f} s on the cluster ({report.tips_per_second:,.0f} tips/s), "
            f"peak RSS (all processes) {mem.peak / 2**20:,.0f} MiB; "
            f"load average after: {psutil.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
