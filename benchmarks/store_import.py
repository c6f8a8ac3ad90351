"""Benchmark: validate and import N tips (default 100,000) into the store, then re-import.

Geoparsing is left out (it is measured by the extraction benchmarks); this is the
cost of reading, validating and writing in one transaction.

    .venv/bin/python benchmarks/store_import.py [--tips 100000] [--postgres]

``--postgres`` starts a throwaway PostgreSQL cluster (as tests/postgres.py does).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from geoleads.store import Store, import_tips, list_objects, tips_for_object
from geoleads.tips import read_tips

TEXTS = [
    "Das ist aus Krakau, ganz sicher, meine Oma hatte die gleiche Flasche",
    "widziałem to w Gdańsku w sklepie koło dworca",
    "vendu uniquement en Belgique, je l'ai acheté à Liège",
    "we had this wallpaper in our flat in Wagram ob der Traisen",
    "I think this is sold everywhere in Europe",
    "видел такое в Кракове",
]


def write_file(path: Path, n: int, objects: int) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["tip_id", "object_id", "text", "received_at", "language"])
        for i in range(n):
            w.writerow(
                [
                    f"T{i:07d}",
                    f"OBJ-{i % objects:03d}",
                    f"{TEXTS[i % len(TEXTS)]} #{i}",
                    (start + timedelta(minutes=i)).isoformat(),
                    "",
                ]
            )


def measure(url: str, path: Path, n: int) -> None:
    t = time.perf_counter()
    tips = read_tips(path)
    read_s = time.perf_counter() - t
    store = Store.open(url, upgrade=True)
    t, cpu = time.perf_counter(), time.process_time()
    report = import_tips(store, tips, user="bench", source=path.name)
    import_s, import_cpu = time.perf_counter() - t, time.process_time() - cpu
    assert report.added == n, report
    t = time.perf_counter()
    again = import_tips(store, tips, user="bench", source=path.name)
    reimport_s = time.perf_counter() - t
    assert again.added == 0 and again.skipped_existing == n
    t = time.perf_counter()
    with store.session() as s:
        objects = list_objects(s)
        page = tips_for_object(s, objects[0].object_id, limit=50)
    list_s = time.perf_counter() - t
    assert len(page) == 50
    store.dispose()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = url.split(":", 1)[0]
    load = os.getloadavg()[0]
    print(
        f"{backend} (load {load:.1f}): read+validate {n:,} tips {read_s:.1f} s "
        f"({n / read_s:,.0f}/s); "
        f"import {import_s:.1f} s ({n / import_s:,.0f}/s, {import_cpu:.1f} s CPU in this "
        f"process); re-import (all skipped) "
        f"{reimport_s:.1f} s; list objects + first page {list_s * 1000:.0f} ms; "
        f"peak RSS {rss:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tips", type=int, default=100_000)
    parser.add_argument("--objects", type=int, default=100)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tips.csv"
        write_file(path, args.tips, args.objects)
        print(f"{path.stat().st_size / 1e6:.1f} MB CSV, {args.objects} objects", file=sys.stderr)
        if args.postgres:
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
            from postgres import PostgresCluster

            cluster = PostgresCluster().start()
            try:
                measure(cluster.url(cluster.create_database()), path, args.tips)
            finally:
                cluster.stop()
        else:
            measure(f"sqlite:///{tmp}/bench.sqlite", path, args.tips)


if __name__ == "__main__":
    main()
