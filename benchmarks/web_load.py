"""Load on the investigators' app: 50 clients for 60 s while imports and reviews run.

1. Builds a SQLite store in a temp folder with ``--tips`` generated tips over
   ``--objects`` objects (``benchmarks/batch_scale.py``'s generator), geoparsed on
   import like the app does, plus a viewer and an analyst.
2. Starts ``geoleads serve --no-warm --workers W`` (``--workers``: 1 = waitress,
   more = gunicorn threaded workers; ``--threads`` each, default 8) in a subprocess on 127.0.0.1,
   and computes the summaries of the 50 objects the clients read (``serve`` does
   that itself at start unless ``--no-warm``).
3. Runs ``--clients`` concurrent clients for ``--seconds`` on one asyncio event
   loop (``aioclient.py``: keep-alive connections, a few percent of a core, so the
   client does not take the server's CPU): readers (objects page, an object page,
   the API's tips and objects), ``--reviewers`` analysts posting batch reviews of
   3 tips through the API every 0.2 s or more — each analyst reviews their own
   share of 800 tips, and a 409 (a review raced another on the same tip) is
   re-read and retried once; the deliberate conflict is a test
   (``tests/test_web_review.py``) — and one analyst uploading a new 200-tip file
   to /import every 5 s (a background import job). Two logins only (the login rate
   limit is per address); the clients share their cookies.
   ``--think 0`` (default): closed loop, no think time; ``--think 0.5-1.5``: each
   client waits uniformly 0.5..1.5 s between its requests (locust's ``between``).
4. Reports requests, errors (a status other than the expected one or a failed
   connection; a 409 that was retried is counted apart) and p50/p95/max per kind.
5. With ``--big N``: stops the server, imports tips up to N in the store (not
   geoparsed: the app parses an object's pending tips once when it first builds its
   summary, then caches it), restarts, and measures the objects page and one object
   page (first = cold, then warm), one client.

    .venv/bin/python benchmarks/web_load.py [--tips 20000] [--seconds 60] [--workers 2]
        [--think 0.5-1.5] [--big 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from aioclient import Client, csrf_of
from batch_scale import generate

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load test password 1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_store(url: str, src: Path, geoparse: bool) -> None:
    from geoleads.store.engine import Store
    from geoleads.store.imports import import_tips
    from geoleads.store.mentions import default_geoparser
    from geoleads.store.users import add_user, get_user
    from geoleads.tips import read_tips

    store = Store.open(url, upgrade=True)
    tips = read_tips(src)
    gp = default_geoparser() if geoparse else None
    for i in range(0, len(tips), 50_000):
        import_tips(store, tips[i : i + 50_000], user="bench", source=src.name, geoparser=gp)
    with store.session() as s:
        for name, role in (("vera", "viewer"), ("anna", "analyst")):
            if get_user(s, name, missing_ok=True) is None:
                add_user(s, name, PASSWORD, role=role)
    store.dispose()


class Server:
    """``geoleads serve`` in a subprocess on a free loopback port."""

    def __init__(self, env: dict[str, str], workers: int, threads: int = 8) -> None:
        self.port = free_port()
        cmd = [sys.executable, "-m", "geoleads", "serve", "--no-warm", "--port", str(self.port)]
        cmd += ["--workers", str(workers), "--threads", str(threads)]
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(30)


class Recorder:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.conflicts_retried = 0

    async def timed(self, kind: str, call: Any, ok: tuple[int, ...] = (200, 302)) -> int:
        t = time.perf_counter()
        try:
            status, _ = await call()
            bad = None if status in ok else f"HTTP {status}"
        except (OSError, asyncio.IncompleteReadError) as err:
            status, bad = -1, type(err).__name__
        self.times[kind].append(time.perf_counter() - t)
        if bad:
            self.errors[kind].append(bad)
        return int(status)


def pct(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def upload_file(n: int, objects: list[str]) -> bytes:
    lines = [
        json.dumps(
            {
                "tip_id": f"UP{n:03d}-{i:03d}",
                "object_id": objects[i % 7],
                "text": f"Widziałem to w Krakowie, sklep {n}-{i}",
                "received_at": "2025-06-01T10:00:00Z",
            }
        )
        for i in range(200)
    ]
    return ("\n".join(lines) + "\n").encode()


async def load(port: int, args: argparse.Namespace, objects: list[str]) -> Recorder:
    """``args.clients`` concurrent clients on one event loop: readers, reviewers, one importer.

    Closed loop (``--think 0``): each client sends its next request as soon as the
    last answer arrived. With ``--think A-B`` each client waits uniformly A..B
    seconds between two requests (like locust's ``between(A, B)``)."""
    host = "127.0.0.1"
    viewer = await Client.login(host, port, "vera", PASSWORD)
    analyst = await Client.login(host, port, "anna", PASSWORD)
    pool: list[str] = []
    for oid in objects[:4]:
        _, body = await analyst.get(f"/api/v1/objects/{oid}/tips?per_page=200")
        pool += [t["tip_id"] for t in json.loads(body)["tips"]]
    rec = Recorder()
    stop = time.monotonic() + args.seconds
    think_lo, think_hi = args.think

    async def think(rng: random.Random) -> None:
        if think_hi > 0:
            await asyncio.sleep(rng.uniform(think_lo, think_hi))

    async def reader(k: int) -> None:
        rng = random.Random(k)
        c = viewer.clone()
        await asyncio.sleep(rng.uniform(0, think_hi))  # spread the clients' starts
        while time.monotonic() < stop:
            oid = rng.choice(objects)
            kind = rng.choice(["objects page", "object page", "api tips", "api objects"])
            url = {
                "objects page": "/objects",
                "object page": f"/objects/{oid}",
                "api tips": f"/api/v1/objects/{oid}/tips",
                "api objects": "/api/v1/objects",
            }[kind]
            await rec.timed(kind, lambda url=url: c.get(url), ok=(200,))
            await think(rng)

    async def reviewer(k: int) -> None:
        # each analyst works on their own tips, like a team splitting a queue; a 409
        # (someone else reviewed the tip meanwhile) is re-read and retried once
        rng = random.Random(1000 + k)
        mine = pool[k :: args.reviewers]
        c = analyst.clone()
        while time.monotonic() < stop:
            body = {
                "tip_ids": rng.sample(mine, 3),
                "status": rng.choice(["credible", "doubtful", "spam"]),
            }
            status = await rec.timed(
                "api review", lambda body=body: c.post_json("/api/v1/reviews", body), ok=(200, 409)
            )
            if status == 409:
                rec.conflicts_retried += 1
                await c.get(f"/api/v1/objects/{objects[0]}/tips?per_page=5")
                await rec.timed(
                    "api review", lambda body=body: c.post_json("/api/v1/reviews", body)
                )
            await asyncio.sleep(max(0.2, rng.uniform(think_lo, think_hi)))

    async def importer() -> None:
        c = analyst.clone()
        n = 0
        while time.monotonic() < stop:
            _, page = await c.get("/import")
            fields = {"csrf_token": csrf_of(page)}
            content = upload_file(n, objects)
            await rec.timed(
                "import upload",
                lambda content=content, n=n, fields=fields: c.post_file(
                    "/import", fields, f"upload_{n}.jsonl", content
                ),
            )
            n += 1
            await asyncio.sleep(5)

    tasks = [importer()]
    tasks += [reviewer(k) for k in range(args.reviewers)]
    tasks += [reader(k) for k in range(args.clients - 1 - args.reviewers)]
    await asyncio.gather(*tasks)
    return rec


def report(rec: Recorder, seconds: float) -> None:
    every = [x for v in rec.times.values() for x in v]
    errors = sum(len(v) for v in rec.errors.values())
    print(
        f"{len(every):,} requests in {seconds:.0f} s ({len(every) / seconds:,.1f}/s), "
        f"{errors} errors, {rec.conflicts_retried} review conflicts (409) retried; "
        f"all: p50 {pct(every, 50) * 1000:.0f} ms, "
        f"p95 {pct(every, 95) * 1000:.0f} ms, max {max(every) * 1000:.0f} ms"
    )
    for kind, values in sorted(rec.times.items()):
        errs = rec.errors.get(kind, [])
        print(
            f"  {kind:14s} n={len(values):6,d}  p50 {pct(values, 50) * 1000:7.0f} ms  "
            f"p95 {pct(values, 95) * 1000:7.0f} ms  max {max(values) * 1000:7.0f} ms  "
            f"errors {len(errs)} {sorted(set(errs))[:3]}"
        )


def page_latency(port: int, objects: list[str], rounds: int = 10) -> None:
    async def run() -> None:
        c = await Client.login("127.0.0.1", port, "vera", PASSWORD)
        for label, url in (("objects page", "/objects"), ("object page", f"/objects/{objects[0]}")):
            times = []
            for _ in range(rounds):
                t = time.perf_counter()
                status, _ = await c.get(url)
                times.append(time.perf_counter() - t)
                assert status == 200, (url, status)
            print(
                f"  {label}: first {times[0] * 1000:.0f} ms, then median "
                f"{statistics.median(times[1:]) * 1000:.0f} ms, max {max(times[1:]) * 1000:.0f} ms"
            )

    asyncio.run(run())


async def warm_up(port: int, objects: list[str]) -> None:
    """Compute the objects' summaries before the clock starts (what ``serve --warm``,
    the default, does at start; the benchmark's server runs ``--no-warm`` to know when
    it is done)."""
    c = await Client.login("127.0.0.1", port, "anna", PASSWORD)
    for oid in objects:
        status, _ = await c.get(f"/api/v1/objects/{oid}/summary")
        assert status == 200, (oid, status)


def think_range(text: str) -> tuple[float, float]:
    """``"0"`` -> (0, 0); ``"0.5-1.5"`` -> (0.5, 1.5)."""
    lo, _, hi = text.partition("-")
    return float(lo), float(hi or lo)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tips", type=int, default=20_000)
    ap.add_argument("--objects", type=int, default=100)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--reviewers", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--big", type=int, default=0, help="then measure pages with this many tips")
    ap.add_argument("--workers", type=int, default=None, help="server processes (default: auto)")
    ap.add_argument("--threads", type=int, default=8, help="threads per server process")
    ap.add_argument(
        "--think", type=think_range, default=(0.0, 0.0), help="seconds between requests, A-B"
    )
    args = ap.parse_args()
    if args.workers is None:
        from geoleads.web.workers import default_workers

        args.workers = default_workers()
    work = Path(tempfile.mkdtemp(prefix="web_load_"))
    db = work / "geoleads.sqlite"
    env = {
        **os.environ,
        "GEOLEADS_HOME": str(work),
        "GEOLEADS_DATABASE_URL": f"sqlite:///{db}",
        "GEOLEADS_SECRET_KEY": os.urandom(32).hex(),
        "GEOLEADS_CACHE_DIR": os.environ.get("GEOLEADS_CACHE_DIR", str(ROOT / "var" / "cache")),
    }
    src = work / "tips.jsonl"
    t = time.perf_counter()
    generate(src, args.tips, args.objects)
    build_store(env["GEOLEADS_DATABASE_URL"], src, geoparse=True)
    print(
        f"store: {args.tips:,} geoparsed tips, {args.objects} objects "
        f"({time.perf_counter() - t:.0f} s to build)"
    )
    objects = [f"OBJ-{i:05d}" for i in range(min(args.objects, 50))]
    server = Server(env, args.workers, args.threads)
    try:
        t = time.perf_counter()
        asyncio.run(warm_up(server.port, objects))
        took = time.perf_counter() - t
        print(f"summaries of the {len(objects)} objects computed in {took:.0f} s")
        t = time.perf_counter()
        rec = asyncio.run(load(server.port, args, objects))
        took = time.perf_counter() - t
        lo, hi = args.think
        print(
            f"load: {args.clients} clients ({args.reviewers} reviewing, 1 importing), "
            + ("closed loop (no think time)" if hi <= 0 else f"think time uniform {lo}-{hi} s")
            + f", {args.workers} server process(es) x {args.threads} threads, SQLite, "
            f"{os.cpu_count()} cores shared; load average now {os.getloadavg()[0]:.1f}"
        )
        report(rec, took)
        print("pages at this size, one client:")
        page_latency(server.port, objects)
    finally:
        server.stop()
    if args.big > args.tips:
        big = work / "big.jsonl"
        t = time.perf_counter()
        generate(big, args.big, max(args.objects, args.big // 500), seed=11)
        build_store(env["GEOLEADS_DATABASE_URL"], big, geoparse=False)
        print(f"store grown to about {args.big:,} tips ({time.perf_counter() - t:.0f} s)")
        server = Server(env, args.workers, args.threads)
        try:
            print(f"pages with ~{args.big:,} tips in the store, one client:")
            page_latency(server.port, objects)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
