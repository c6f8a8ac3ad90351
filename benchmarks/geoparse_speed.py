"""Geoparser speed: tips per second on one core, and start-up of ``geoleads geoparse``.

1. Throughput: the tips of ``tests/data/multilingual_tips.jsonl`` joined and
   cut to about 150 characters (2,000 tips, but only 358 distinct texts), parsed
   ``--rounds`` times in this process after the gazetteer and word lists are
   loaded (so it measures the extractor and resolver, not loading); then the
   single tips of that file as they are (about 50 characters).
   Then 2,000 *distinct* tips of about 150 characters (:func:`varied_tips`):
   each names a different real GeoNames town drawn with a fixed seed, so the
   per-word and per-name memo tables meet new names as a real campaign would;
   parsed once each (a first sight of most of their names) and then again
   (``--rounds``, memos warm).
2. Start-up: wall time of a new ``geoleads geoparse -`` process that parses one
   tip ("Das ist aus Krakau"), with the caches ready; best and median of
   ``--starts`` runs.
3. For comparison, flashgeotext's ``extract`` on the same tips, when installed.

Rates are tips per second of CPU time (``time.process_time``) of this process,
pinned to one core: the machine is shared, and CPU time is what other jobs
disturb least. It says whether the geoparser runs compiled (``make native``,
see ``geoleads/_native.py``) or as pure Python (``GEOLEADS_PURE_PYTHON=1``).

Usage::

    .venv/bin/python benchmarks/geoparse_speed.py [--rounds 20] [--starts 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sample_tips(n: int = 2000) -> list[str]:
    texts = [
        json.loads(line)["text"]
        for line in (ROOT / "tests" / "data" / "multilingual_tips.jsonl").open(encoding="utf-8")
    ]
    tips: list[str] = []
    i = 0
    while len(tips) < n:
        # two or three tips joined make about 150 characters, like a real tip
        text = texts[i % len(texts)]
        j = i + 1
        while len(text) < 140:
            text += " " + texts[j % len(texts)]
            j += 1
        tips.append(text[:160])
        i += 7
    return tips


def varied_tips(n: int = 2000, seed: int = 3) -> list[str]:
    """``n`` distinct tips of about 150 characters, each naming a different real town.

    A town drawn (seeded) from the gazetteer's localities of at least 1,000
    people, put into a tip sentence of :mod:`tipgen` (templates in 11
    languages, with its noise: lower case, stripped accents, typos, shouting)
    between multilingual tips (real phrasing, other names), cut to 160 characters.
    """
    import random

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import tipgen

    from geoleads.gazetteer import get_gazetteer

    e = get_gazetteer().entities
    towns = e.loc[(e["level"] == "locality") & (e["population"] >= 1000), "name"].tolist()
    texts = [
        json.loads(line)["text"]
        for line in (ROOT / "tests" / "data" / "multilingual_tips.jsonl").open(encoding="utf-8")
    ]
    rng = random.Random(seed)
    tips: list[str] = []
    seen: set[str] = set()
    while len(tips) < n:
        town, _ = tipgen.place_tip(rng, rng.choice(towns))
        text = rng.choice(texts) + " " + town
        while len(text) < 140:
            text += " " + rng.choice(texts)
        text = text[:160]
        if text not in seen:
            seen.add(text)
            tips.append(text)
    return tips


def throughput(tips: list[str], rounds: int) -> float:
    from geoleads.geoparse import Geoparser

    gp = Geoparser()
    for t in tips[:200]:  # warm the memo tables once
        gp.parse(t)
    started = time.process_time()
    for _ in range(rounds):
        for t in tips:
            gp.parse(t)
    return rounds * len(tips) / (time.process_time() - started)


def varied_throughput(tips: list[str], rounds: int) -> tuple[float, float]:
    """Rates of ``tips`` parsed the first time (cold memos for their new names), then warm."""
    from geoleads.geoparse import Geoparser

    gp = Geoparser()
    for t in sample_tips()[:200]:  # the same warm-up as throughput()
        gp.parse(t)
    started = time.process_time()
    for t in tips:
        gp.parse(t)
    first = len(tips) / (time.process_time() - started)
    started = time.process_time()
    for _ in range(rounds):
        for t in tips:
            gp.parse(t)
    return first, rounds * len(tips) / (time.process_time() - started)


def flashgeotext_throughput(tips: list[str], rounds: int) -> float | None:
    try:
        from flashgeotext.geotext import GeoText
    except ImportError:
        return None
    geotext = GeoText()
    started = time.process_time()
    for _ in range(rounds):
        for t in tips:
            geotext.extract(input_text=t)
    return rounds * len(tips) / (time.process_time() - started)


def startup(runs: int) -> list[float]:
    exe = ROOT / ".venv" / "bin" / "geoleads"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "geoleads"]
    line = json.dumps({"id": "1", "text": "Das ist aus Krakau"}) + "\n"
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run(
            [*command, "geoparse", "-"],
            input=line.encode(),
            capture_output=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
        times.append(time.perf_counter() - started)
        if b'"PL"' not in out.stdout:
            raise SystemExit(f"unexpected output: {out.stdout!r}")
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--starts", type=int, default=5)
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    from geoleads._native import status

    print(
        f"geoleads geoparser: {status()['state']} (compiled / pure Python: see geoleads/_native.py)"
    )
    tips = sample_tips()
    mean_len = statistics.fmean(len(t) for t in tips)
    rate = throughput(tips, args.rounds)
    print(f"geoleads: {rate:,.0f} tips/s of CPU time ({len(tips)} tips of {mean_len:.0f} chars)")
    single = [
        json.loads(line)["text"]
        for line in (ROOT / "tests" / "data" / "multilingual_tips.jsonl").open(encoding="utf-8")
    ]
    one = throughput(single, args.rounds * 5)
    mean_one = statistics.fmean(len(t) for t in single)
    print(
        f"geoleads: {one:,.0f} tips/s of CPU time"
        f" (the {len(single)} single tips, {mean_one:.0f} chars)"
    )
    varied = varied_tips()
    mean_varied = statistics.fmean(len(t) for t in varied)
    first, warm = varied_throughput(varied, args.rounds)
    print(
        f"geoleads: {first:,.0f} tips/s of CPU time first seen, {warm:,.0f} tips/s warm"
        f" ({len(varied)} distinct tips of {mean_varied:.0f} chars, each a different town)"
    )
    base = flashgeotext_throughput(tips, args.rounds)
    if base is not None:
        print(f"flashgeotext: {base:,.0f} tips/s on the same tips")
    times = startup(args.starts)
    print(
        f"new 'geoleads geoparse -' process, one tip: best {min(times):.2f} s,"
        f" median {statistics.median(times):.2f} s ({len(times)} runs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
