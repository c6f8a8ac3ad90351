"""Load on the public tip form: N submissions per second for S seconds on loopback.

Starts the standalone public app (``create_public_app``, waitress, 8 threads, the
real background geoparser) in a child process over a fresh SQLite store, then
sends submissions on a fixed schedule (open loop: a late answer does not delay
the next submission). Each submission is what a browser does: GET the object's
page (for the form token), then POST the form. Every submission comes from its
own loopback address (127.1.x.y), so the per-address rate limit stays on at its
default (10 per 10 minutes) and is exercised, not switched off.

One warm-up submission is sent first and the run waits until the background
worker has loaded the geoparser and parsed it (a server's steady state).
Latency is measured from the *scheduled* start of each request (so client-side
queueing counts against us). Afterwards the tips stored with source "public" are
counted straight from the database: accepted (HTTP 303) must equal stored.
Then it waits (at most ``--drain`` seconds) for the background geoparser to
finish the backlog and reports how long that took.

Run from the repository root (needs the gazetteer cache)::

    .venv/bin/python benchmarks/public_load.py --rate 100 --seconds 60
    .venv/bin/python benchmarks/public_load.py --rate 20 --seconds 5     # quick check

Prints one JSON object; numbers are written down in benchmarks/RESULTS.md.
Loopback only: the server binds 127.0.0.1 and the load is bounded by --rate x --seconds.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OBJECTS = ("OBJ-LOAD-1", "OBJ-LOAD-2", "OBJ-LOAD-3")
TEXTS = (
    "Kupiłem to w Krakowie, w sklepie przy rynku.",
    "Das gab es bei uns in Graz im Supermarkt.",
    "Vendu à Liège, je crois, il y a deux ans.",
    "I saw this bottle in a shop in Leeds.",
    "Lo vendían en Zaragoza hace unos años.",
    "Dit behang hadden wij in Utrecht.",
    "L'ho visto a Bologna in un negozio.",
    "no idea, but it looks Scandinavian to me",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(folder: Path) -> str:
    """A fresh store with published objects; returns its URL."""
    from geoleads.store import Store, ensure_object

    url = f"sqlite:///{folder / 'load.sqlite'}"
    store = Store.open(url, upgrade=True)
    with store.session() as s:
        for object_id in OBJECTS:
            ensure_object(
                s,
                object_id,
                title=object_id,
                kind="bottle",
                published=True,
                question="Where was this sold?",
            )
    store.dispose()
    return url


def serve(folder: str, port: int, threads: int) -> None:
    """The child process: the public app under waitress on 127.0.0.1:port."""
    import logging

    from waitress import serve as waitress_serve

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is N"

    from geoleads.web.public import create_public_app

    app = create_public_app(
        {
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'load.sqlite'}",
            "GEOLEADS_HOME": folder,
            "SECRET_KEY": "load-benchmark-" + "z" * 32,
        }
    )
    waitress_serve(app, host="127.0.0.1", port=port, threads=threads, ident="geoleads", _quiet=True)


def wait_up(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the public app did not start")


def source_address(i: int) -> str:
    return f"127.1.{(i // 250) % 250}.{i % 250 + 1}"


def one_submission(port: int, i: int, scheduled: float) -> dict[str, float | int | str]:
    object_id = OBJECTS[i % len(OBJECTS)]
    out: dict[str, float | int | str] = {"i": i}
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=30, source_address=(source_address(i), 0)
    )
    try:
        conn.request("GET", f"/public/objects/{object_id}?lang=en")
        resp = conn.getresponse()
        page = resp.read().decode()
        out["get_ms"] = (time.perf_counter() - scheduled) * 1000
        found = re.search(r'name="token" value="([^"]+)"', page)
        if resp.status != 200 or not found:
            out["status"] = f"GET {resp.status}"
            return out
        body = urlencode(
            {
                "token": found.group(1),
                "text": f"{TEXTS[i % len(TEXTS)]} #{i}",
                "lang": "en",
                "website": "",
            }
        )
        started = time.perf_counter()
        conn.request(
            "POST",
            f"/public/objects/{object_id}",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Sec-Fetch-Site": "same-origin",
            },
        )
        resp = conn.getresponse()
        resp.read()
        out["post_ms"] = (time.perf_counter() - started) * 1000
        out["total_ms"] = (time.perf_counter() - scheduled) * 1000
        out["status"] = resp.status
    except OSError as err:
        out["status"] = f"error {err}"
    finally:
        conn.close()
    return out


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(rate: float, seconds: float, threads: int, drain: float) -> dict[str, object]:
    from geoleads.intake import count_public
    from geoleads.store import Store

    folder = Path(tempfile.mkdtemp(prefix="geoleads-load-"))
    url = prepare(folder)
    port = free_port()
    from geoleads.config import Settings

    # the store in a fresh folder, the prepared gazetteer cache where it already is
    env = {
        **os.environ,
        "GEOLEADS_HOME": str(folder),
        "GEOLEADS_CACHE_DIR": str(Settings.from_env().cache_dir),
    }
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(folder), str(port), str(threads)], env=env
    )
    try:
        wait_up(port)
        warm_store = Store.open(url)
        one_submission(port, 250 * 250 - 1, time.perf_counter())  # warm-up, not counted below
        deadline = time.monotonic() + 120
        while count_public(warm_store, pending=True) and time.monotonic() < deadline:
            time.sleep(0.5)  # until the worker has loaded the geoparser and parsed it
        warm_store.dispose()
        load_before = os.getloadavg()[0]
        total = int(rate * seconds)
        results: list[dict[str, float | int | str]] = []
        lock = threading.Lock()
        start = time.perf_counter() + 0.5

        def task(i: int) -> None:
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            r = one_submission(port, i, scheduled)
            with lock:
                results.append(r)

        with ThreadPoolExecutor(max_workers=64) as pool:
            for i in range(total):
                pool.submit(task, i)
        wall = time.perf_counter() - start
        accepted = sum(1 for r in results if r.get("status") == 303)
        load_after = os.getloadavg()[0]
        store = Store.open(url)
        stored = count_public(store) - 1  # the warm-up tip
        drain_start = time.perf_counter()
        pending = pending_at_end = count_public(store, pending=True)
        while pending and time.perf_counter() - drain_start < drain:
            time.sleep(1.0)
            pending = count_public(store, pending=True)
        drained_s = time.perf_counter() - drain_start
        store.dispose()
    finally:
        child.terminate()
        child.wait(10)
        shutil.rmtree(folder, ignore_errors=True)
    post = [float(r["post_ms"]) for r in results if "post_ms" in r]
    total_ms = [float(r["total_ms"]) for r in results if "total_ms" in r]
    get = [float(r["get_ms"]) for r in results if "get_ms" in r]
    failures: dict[str, int] = {}
    for r in results:
        if r.get("status") != 303:
            failures[str(r.get("status"))] = failures.get(str(r.get("status")), 0) + 1
    return {
        "rate_per_s": rate,
        "seconds": seconds,
        "submissions": total,
        "wall_s": round(wall, 1),
        "accepted": accepted,
        "stored": stored,
        "lost": accepted - stored,
        "failures": failures,
        "post_ms": {
            "p50": round(percentile(post, 0.5), 1),
            "p95": round(percentile(post, 0.95), 1),
            "p99": round(percentile(post, 0.99), 1),
            "max": round(max(post, default=0), 1),
        },
        "get_ms_from_schedule": {
            "p50": round(percentile(get, 0.5), 1),
            "p95": round(percentile(get, 0.95), 1),
        },
        "get_plus_post_ms_from_schedule": {
            "p50": round(percentile(total_ms, 0.5), 1),
            "p95": round(percentile(total_ms, 0.95), 1),
        },
        "geoparse_pending_at_end_of_load": pending_at_end,
        "geoparse_backlog_left": pending,
        "geoparse_drain_s": round(drained_s, 1),
        "server_threads": threads,
        "cpus": os.cpu_count(),
        "load_average_1min_before_after": [round(load_before, 1), round(load_after, 1)],
        "p95_post_ok": percentile(post, 0.95) <= 200.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="submissions per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="duration")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--drain", type=float, default=300.0, help="max wait for geoparsing")
    parser.add_argument(
        "--serve", nargs=3, metavar=("DIR", "PORT", "THREADS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), int(args.serve[2]))
        return
    if args.rate * args.seconds > 20_000:
        raise SystemExit("refusing more than 20000 submissions in one run")
    print(json.dumps(run(args.rate, args.seconds, args.threads, args.drain), indent=2))


if __name__ == "__main__":
    main()
