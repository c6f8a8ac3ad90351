"""What postal code recognition costs: tips with numbers, hostile text, loading, start-up.

1. Throughput on one core (CPU time, so that other jobs on the machine matter
   less) of ``geoparse_speed.py``'s tips and of tips *with numbers* (prices,
   sizes, years, phone numbers, EANs and some postal codes, ~150 characters; the
   multilingual set has almost no digits), with the finder on and off
   (``Geoparser.postcodes.find`` replaced by a no-op in this process: same
   gazetteer, same tips), interleaved, best of 3.
2. Hostile texts of 1 MB (digits, "A1 A1 ...", "PLZ 80331 ..."): seconds per parse, on and off.
3. Loading: reading and checking ``postal.pkl`` and unpickling one country, in a new process.
4. Start-up of a new ``geoleads geoparse -`` process on a tip with a postal code
   (which loads the table) and on one without: wall and CPU time (user + sys);
   ``--compare-tree DIR`` also runs the tip without a code from another checkout
   (e.g. the commit before, with its own ``var/cache``).
5. With ``--build``: the time :func:`build_postal` adds to ``geoleads gazetteer build``.

Usage::

    PYTHONPATH=. .venv/bin/python benchmarks/postcodes_speed.py [--rounds 5] [--starts 5] [--build]
        [--compare-tree /tmp/before]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PIECES = [
    "Kosztował 12,99 zł w Biedronce, butelka 500 ml.",
    "Gekauft 2019 bei dm, Preis 3,45 €, Inhalt 250 ml.",
    "EAN 5901234123457, partia 2211/03.",
    "Zadzwoń: +48 601 234 567 albo 22 345 67 89.",
    "Model 80331, sold since 2015, 3 for 10 euro.",
    "Sklep przy ul. Floriańskiej 12, 31-019 Kraków.",
    "Die PLZ ist 80331, also mitten in der Stadt.",
    "Nákup v 11000 Praha, cena 129 Kč.",
    "Acquistato a 20121 Milano, 2 pezzi da 1,5 l.",
    "Vásárolva: 1051 Budapest, 1290 Ft volt.",
    "Bought in 1011 AB Amsterdam for 4.99.",
    "I saw it in 2021, pack of 24, size 40x60 cm.",
]


def number_tips(n: int = 2000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    tips = []
    for _ in range(n):
        text = rng.choice(PIECES)
        while len(text) < 140:
            text += " " + rng.choice(PIECES)
        tips.append(text[:160])
    return tips


def rate(gp: object, tips: list[str], rounds: int) -> float:
    for t in tips[:200]:
        gp.parse(t)  # type: ignore[attr-defined]
    started = time.process_time()
    for _ in range(rounds):
        for t in tips:
            gp.parse(t)  # type: ignore[attr-defined]
    return rounds * len(tips) / (time.process_time() - started)


def startup(text: str, runs: int, tree: Path = ROOT) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``runs`` new ``geoleads geoparse -`` processes in ``tree``."""
    line = json.dumps({"id": "1", "text": text}) + "\n"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(tree)}
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "geoleads", "geoparse", "-"], input=line.encode(),
            capture_output=True, check=True, cwd=tree, env=env,
        )  # fmt: skip
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        assert out.stdout.startswith(b'{"id"'), out.stdout
    return walls, cpus


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--build", action="store_true", help="also time build_postal")
    ap.add_argument("--compare-tree", type=Path, help="another checkout to time start-up in")
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    from geoleads.geoparse import Geoparser

    gp = Geoparser()
    real_find = gp.postcodes.find
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from geoparse_speed import sample_tips

    sets = (("geoparse_speed.py's tips", sample_tips()), ("tips with numbers", number_tips()))
    for label, tips in sets:
        gp.postcodes.find = real_find  # type: ignore[method-assign]
        found = sum(1 for t in tips for m in gp.parse(t) if m.kind == "postal")
        on, off = [], []
        for _ in range(3):
            gp.postcodes.find = real_find  # type: ignore[method-assign]
            on.append(rate(gp, tips, args.rounds))
            gp.postcodes.find = lambda *a, **k: []  # type: ignore[method-assign]
            off.append(rate(gp, tips, args.rounds))
        print(
            f"{label} ({len(tips)}, {statistics.fmean(map(len, tips)):.0f} chars,"
            f" {found} postal mentions): finder off {max(off):,.0f} tips/s,"
            f" on {max(on):,.0f} tips/s (best of 3, CPU time, one core)"
        )
    for name, junk in (
        ("1 MB of digits", "8" * 1_000_000),
        ("1 MB of 'A1 '", "A1 " * 333_333),
        ("1 MB of 'PLZ 80331 '", "PLZ 80331 " * 100_000),
    ):
        gp.postcodes.find = lambda *a, **k: []  # type: ignore[method-assign]
        t0 = time.process_time()
        gp.parse(junk)
        t_off = time.process_time() - t0
        gp.postcodes.find = real_find  # type: ignore[method-assign]
        t0 = time.process_time()
        n = sum(1 for m in gp.parse(junk) if m.kind == "postal")
        t_on = time.process_time() - t0
        print(f"{name}: parse {t_off:.2f} s without the finder, {t_on:.2f} s with ({n} codes)")
    load = (
        "import time; from geoleads.config import Settings; "
        "from geoleads.gazetteer.postal import load_postal; t=time.perf_counter(); "
        "p=load_postal(Settings.from_env().cache_dir); p.get('DE').find('80331'); "
        "p.get('PL').find('30001'); print(time.perf_counter()-t)"
    )
    loads = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", load], check=True, cwd=ROOT, capture_output=True, text=True
        )
        loads.append(float(out.stdout))
    print(f"load postal.pkl (checked) + DE + PL tables in a new process: best {min(loads):.3f} s")
    runs = [("this tree", ROOT, "no code", "Das ist aus Krakau")]
    runs.append(("this tree", ROOT, "a code", "PLZ 80331, Marienplatz"))
    if args.compare_tree:
        runs.append((str(args.compare_tree), args.compare_tree, "no code", "Das ist aus Krakau"))
    for where, tree, label, text in runs:
        walls, cpus = startup(text, args.starts, tree)
        print(
            f"new 'geoleads geoparse -' process ({where}), one tip with {label}:"
            f" wall best {min(walls):.2f} s, median {statistics.median(walls):.2f} s;"
            f" CPU best {min(cpus):.2f} s, median {statistics.median(cpus):.2f} s"
            f" ({len(walls)} runs)"
        )
    if args.build:
        from geoleads.gazetteer.postal import build_postal

        gaz = gp.gazetteer
        t0 = time.perf_counter()
        blob = build_postal(gaz.entities, gaz.names)
        print(f"build_postal: {time.perf_counter() - t0:.1f} s, {len(blob) / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
