"""How long the lexicons take to load: parse + inflect, from the disk cache, per process.

Run: .venv/bin/python benchmarks/lexicons_load.py

Measured 2026-11-24 on the shared 2-core machine (load average ~4, so noisy):
parse and inflect everything 0.30-0.45 s; from the disk cache 0.03-0.08 s;
a second load_lexicons() call in the same process ~1 microsecond. 17,950 keys.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geoleads.gazetteer  # noqa: F401  (import cost is not part of the load)
from geoleads.lexicons import LEXICON_DIR, _cached, load_lexicons, read_lexicons


def best_of(runs: int, func: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parse = best_of(3, read_lexicons)
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        _cached(LEXICON_DIR, cache)
        cached = best_of(5, lambda: _cached(LEXICON_DIR, cache))
    load_lexicons()
    again = best_of(5, load_lexicons)
    keys = len(load_lexicons().clues)
    print(
        f"parse+inflect {parse:.3f} s | disk cache {cached:.3f} s | "
        f"in-process {again * 1e6:.1f} us | {keys} keys"
    )


if __name__ == "__main__":
    main()
