"""Benchmark: page latency of the investigators' web app with 1,000,000 tips in the store.

(``benchmarks/web_load.py`` is the mixed load with imports; this one is about the
objects page and the object page at a million tips.)

1. Builds (once, cached in ``--home``) a SQLite store with ``--tips`` tips over
   ``--objects`` objects through the real import path (``import_tips``) with the
   real geoparser; texts come from ``benchmarks/tipgen.py`` (real GeoNames places
   in 11 languages) and each distinct text is geoparsed once (memoised), so
   building 1,000,000 tips takes about 10 minutes, not hours.
2. Serves the app with ``geoleads serve --workers W`` (1: waitress, 8 threads; more:
   gunicorn threaded workers, 8 threads each; default one per core) in a subprocess on
   127.0.0.1 and loads every object's summary once (computed on first use, then
   cached on disk by the app).
3. Runs ``--clients`` concurrent logged-in analysts for ``--duration`` seconds:
   the objects page (30 %), an object page with a random filter/page (55 %), the
   API summary (15 %), and every ``--review-every``-th request a batch review POST of
   5 tips of a random object — client k reviews page k+1 of its tips, so no two
   analysts review the same tip; a 409 would be re-read and retried once — which
   invalidates that object's summary (recomputed at the next view, or in the
   background when it was recomputed less than 3 s ago).
4. Prints p50/p95/p99 latency per request kind and the error count.

    .venv/bin/python benchmarks/web_pages.py --tips 1000000 --clients 8 --duration 60
        [--workers 2] [--think 0.5-1.5]

The object page's selection memos are kept in files under ``--home``'s cache
(``cache/web-summaries/memo``) across runs; delete that folder for a cold start.

Loopback only; the clients are coroutines on one asyncio event loop
(``aioclient.py``, keep-alive connections) on the same 2 cores as the server.
``--think A-B``: each client waits uniformly A..B seconds between requests
(default 0: closed loop, the next request as soon as the answer arrived).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from aioclient import Client

PASSWORD = "benchmark password 1"
PLACES = [
    "Kraków", "Gdańsk", "Wrocław", "Graz", "Linz", "Salzburg", "Brno", "Ostrava", "Lyon",
    "Marseille", "Toulouse", "Bordeaux", "Liège", "Gent", "Utrecht", "Groningen", "Sevilla",
    "Valencia", "Bilbao", "Torino", "Bologna", "Napoli", "Porto", "Braga", "Göteborg", "Malmö",
    "Aarhus", "Bergen", "Tampere", "Debrecen", "Cluj-Napoca", "Plovdiv", "Ljubljana", "Split",
    "Kaunas", "Tartu", "Leipzig", "Dresden", "Nürnberg", "Bremen",
]  # fmt: skip


class MemoGeoparser:
    """The real geoparser, each distinct (text, language) parsed once."""

    def __init__(self) -> None:
        from geoleads.geoparse import Geoparser

        self.inner = Geoparser()
        self.cache: dict[tuple[str, str | None], Any] = {}

    def parse(self, text: str, language: str | None = None) -> Any:
        key = (text, language)
        if key not in self.cache:
            self.cache[key] = self.inner.parse(text, language=language)
        return self.cache[key]


def build_store(home: Path, n_tips: int, n_objects: int, seed: int = 7) -> str:
    """The benchmark store's URL (built on first use)."""
    from tipgen import offtopic_tip, place_tip, vague_tip

    from geoleads.store import Store, import_tips
    from geoleads.store.users import add_user
    from geoleads.tips import Tip

    db = home / f"web-{n_tips}-{n_objects}.sqlite"
    url = f"sqlite:///{db}"
    if db.exists():
        return url
    home.mkdir(parents=True, exist_ok=True)
    tmp = db.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    store = Store.open(f"sqlite:///{tmp}", upgrade=True)
    rng = random.Random(seed)
    pools: list[list[tuple[str, str]]] = []
    for _ in range(n_objects):
        main, *others = rng.sample(PLACES, 3)
        pool = [place_tip(rng, main) for _ in range(30)]
        pool += [place_tip(rng, p) for p in others for _ in range(6)]
        pool += [vague_tip(rng) for _ in range(6)] + [offtopic_tip(rng) for _ in range(4)]
        pools.append(pool)
    geoparser = MemoGeoparser()
    start = datetime(2024, 1, 1, tzinfo=UTC)
    chunk = 100_000
    t0 = time.perf_counter()
    for first in range(0, n_tips, chunk):
        tips = []
        for i in range(first, min(first + chunk, n_tips)):
            obj = i % n_objects
            text, lang = rng.choice(pools[obj])
            tips.append(
                Tip(
                    f"T{i:07d}",
                    f"OBJ-{obj:03d}",
                    text,
                    start + timedelta(seconds=i * 30),
                    lang if rng.random() < 0.5 else None,
                )
            )
        import_tips(store, tips, user="benchmark", source="web_pages", geoparser=geoparser)
        print(f"  imported {first + len(tips):,} tips ({time.perf_counter() - t0:.0f} s)",
              flush=True)  # fmt: skip
    with store.session() as s:
        for i in range(64):
            add_user(s, f"analyst{i}", PASSWORD, role="analyst")
    store.dispose()
    tmp.rename(db)
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    return url


def forget_login_attempts(url: str) -> None:
    """The login rate limit lives in the store: a new benchmark run starts from none
    (each run logs in ``clients`` + 1 times from 127.0.0.1)."""
    from sqlalchemy import delete

    from geoleads.store import Store
    from geoleads.store.models import LoginAttemptRow

    store = Store.open(url, upgrade=True)
    with store.session() as s:
        s.execute(delete(LoginAttemptRow))
    store.dispose()


async def run_load(
    port: int,
    objects: list[str],
    clients: int,
    duration: float,
    review_every: int,
    seed: int,
    think: tuple[float, float] = (0.0, 0.0),
) -> tuple[dict[str, list[float]], list[str]]:
    """``clients`` logged-in analysts on one asyncio event loop (``aioclient.py``)."""
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    conflicts: list[str] = []
    filters = ["", "?lang=en", "?status=unreviewed", "?has_place=yes", "?page=3",
               "?country=PL", "?from=2024-01-02&to=2024-01-09"]  # fmt: skip
    logged_in = [
        await Client.login("127.0.0.1", port, f"analyst{k % 64}", PASSWORD) for k in range(clients)
    ]
    stop = time.monotonic() + duration

    async def worker(k: int) -> None:
        rng = random.Random(seed + k)
        client = logged_in[k]
        n = 0
        if think[1] > 0:
            await asyncio.sleep(rng.uniform(0, think[1]))  # spread the starts
        while time.monotonic() < stop:
            n += 1
            obj = urllib.parse.quote(rng.choice(objects))
            roll = rng.random()
            if review_every and n % review_every == 0:
                # each analyst reviews their own tips (page k+1 of 5 of the object: no
                # two clients share one); a 409 (a tip reviewed meanwhile) is retried once
                url = f"/api/v1/objects/{obj}/tips?per_page=5&page={k + 1}"
                ids = [t["tip_id"] for t in json.loads((await client.get(url))[1])["tips"]]
                status_ = rng.choice(["credible", "doubtful", "spam"])
                fields = [("tip_id", i) for i in ids]
                fields += [("status", status_), ("csrf_token", client.csrf), ("next", "/objects")]
                kind, path, expect = "review POST", "/review", 302
                call = client.post_form(path, fields)
            else:
                if roll < 0.3:
                    kind, path = "objects page", "/objects"
                elif roll < 0.85:
                    kind, path = "object page", f"/objects/{obj}{rng.choice(filters)}"
                else:
                    kind, path = "api summary", f"/api/v1/objects/{obj}/summary"
                expect = 200
                call = client.get(path)
            t0 = time.perf_counter()
            try:
                status, _ = await call
                if status == 409 and kind == "review POST":
                    conflicts.append(path)
                    await client.get(f"/api/v1/objects/{obj}/tips?per_page=5&page={k + 1}")
                    status, _ = await client.post_form(path, fields)
            except (OSError, asyncio.IncompleteReadError) as err:
                status = -1
                path += f" ({err})"
            latencies.setdefault(kind, []).append(time.perf_counter() - t0)
            if status != expect:
                errors.append(f"{kind} {path}: HTTP {status}")
            if think[1] > 0:
                await asyncio.sleep(rng.uniform(*think))

    await asyncio.gather(*(worker(k) for k in range(clients)))
    if conflicts:
        print(f"{len(conflicts)} review conflicts (409) re-read and retried")
    return latencies, errors


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tips", type=int, default=1_000_000)
    parser.add_argument("--objects", type=int, default=100)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=60.0)
    every = "every Nth request of a client is a batch review (0: none)"
    parser.add_argument("--review-every", type=int, default=20, help=every)
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--home", type=Path, default=Path("var/bench-web"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="server processes (auto)")
    parser.add_argument(
        "--think",
        default="0",
        help="seconds each client waits between requests, uniform A-B (0: closed loop)",
    )
    args = parser.parse_args()
    lo, _, hi = args.think.partition("-")
    think = (float(lo), float(hi or lo))
    if args.workers is None:
        from geoleads.web.workers import default_workers

        args.workers = default_workers()

    t0 = time.perf_counter()
    print(f"store: {args.tips:,} tips over {args.objects} objects ...", flush=True)
    url = build_store(args.home, args.tips, args.objects)
    print(f"store ready in {time.perf_counter() - t0:.0f} s: {url}", flush=True)
    forget_login_attempts(url)
    env = dict(os.environ, GEOLEADS_DATABASE_URL=url, GEOLEADS_HOME=str(args.home.resolve()))
    env.setdefault("GEOLEADS_CACHE_DIR", str(Path("var/cache").resolve()))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "geoleads",
            "serve",
            "--port",
            str(args.port),
            "--no-warm",
            "--workers",
            str(args.workers),
        ],
        env=env,
    )
    try:
        for _ in range(600):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                probe.request("GET", "/healthz")
                probe.getresponse().read()
                break
            except OSError:
                time.sleep(0.5)
        objects = [f"OBJ-{i:03d}" for i in range(args.objects)]

        async def warm_up() -> None:
            warm = await Client.login("127.0.0.1", args.port, "analyst0", PASSWORD)
            for obj in objects:
                status, _ = await warm.get(f"/api/v1/objects/{obj}/summary")
                if status != 200:
                    raise RuntimeError(f"summary of {obj}: HTTP {status}")

        t1 = time.perf_counter()
        asyncio.run(warm_up())
        print(f"summaries computed/loaded in {time.perf_counter() - t1:.0f} s", flush=True)
        lat, errors = asyncio.run(
            run_load(
                args.port,
                objects,
                args.clients,
                args.duration,
                args.review_every,
                args.seed,
                think,
            )
        )
    finally:
        server.terminate()
        server.wait(30)
    total = sum(len(v) for v in lat.values())
    model = "closed loop" if think[1] <= 0 else f"think time uniform {think[0]}-{think[1]} s"
    print(f"\n{args.tips:,} tips, {args.objects} objects, {args.clients} clients ({model}), "
          f"{args.workers} server process(es), "
          f"{args.duration:.0f} s: {total:,} requests ({total / args.duration:.1f}/s), "
          f"{len(errors)} errors; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    for line in errors[:5]:
        print("  error:", line)
    print(f"{'request':<14} {'n':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, values in sorted(lat.items()):
        if len(values) >= 2:
            print(f"{kind:<14} {len(values):>7} {pct(values, 50):>8.0f} "
                  f"{pct(values, 95):>8.0f} {pct(values, 99):>8.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
