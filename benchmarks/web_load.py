"""Load on the investigators' app under waitress: 50 clients for 60 s while imports and reviews run.

1. Builds a SQLite store in a temp folder with ``--tips`` generated tips over
   ``--objects`` objects (``benchmarks/batch_scale.py``'s generator), geoparsed on
   import like the app does, plus a viewer and an analyst.
2. Starts ``geoleads serve --no-warm`` (waitress, 8 threads) in a subprocess on
   127.0.0.1 and waits for /healthz.
3. Runs ``--clients`` threads for ``--seconds``: readers (objects page, an object
   page, the API's tips and objects), ``--reviewers`` analysts posting batch
   reviews through the API, and one analyst uploading a new 200-tip file to
   /import every 5 s (a background import job). Two logins only (the login rate
   limit is per address); the threads share their cookies.
4. Reports requests, errors (status >= 400 or a failed connection) and p50/p95/max
   per kind of request.
5. With ``--big N``: stops the server, imports tips up to N in the store (not
   geoparsed: the app parses an object's pending tips once when it first builds its
   summary, then caches it), restarts, and measures the objects page and one object
   page (first = cold, then warm), one client.

    .venv/bin/python benchmarks/web_load.py [--tips 20000] [--seconds 60] [--big 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
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

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "geoleads", "serve", "--no-warm", "--port", str(self.port)]
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/healthz", timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(30)


def logged_in(base: str, username: str) -> requests.Session:
    s = requests.Session()
    page = s.get(base + "/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = s.post(
        base + "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert r.status_code == 302, r.status_code
    return s


def clone(session: requests.Session) -> requests.Session:
    s = requests.Session()
    s.cookies.update(session.cookies)
    return s


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def timed(self, kind: str, call: object) -> requests.Response | None:
        t = time.perf_counter()
        try:
            resp = call()  # type: ignore[operator]
            bad = None if resp.status_code < 400 else f"HTTP {resp.status_code}"
        except requests.RequestException as err:
            resp, bad = None, type(err).__name__
        took = time.perf_counter() - t
        with self.lock:
            self.times[kind].append(took)
            if bad:
                self.errors[kind].append(bad)
        return resp


def pct(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def load(base: str, args: argparse.Namespace, objects: list[str], work: Path) -> Recorder:
    viewer, analyst = logged_in(base, "vera"), logged_in(base, "anna")
    csrf = analyst.get(base + "/api/v1/csrf-token").json()["csrf_token"]
    tip_ids = [
        t["tip_id"]
        for t in analyst.get(f"{base}/api/v1/objects/{objects[0]}/tips?per_page=200").json()["tips"]
    ]
    rec = Recorder()
    stop = time.monotonic() + args.seconds
    rng_seed = iter(range(10_000))

    def reader() -> None:
        rng = random.Random(next(rng_seed))
        s = clone(viewer)
        while time.monotonic() < stop:
            oid = rng.choice(objects)
            kind = rng.choice(["objects page", "object page", "api tips", "api objects"])
            url = {
                "objects page": "/objects",
                "object page": f"/objects/{oid}",
                "api tips": f"/api/v1/objects/{oid}/tips",
                "api objects": "/api/v1/objects",
            }[kind]
            rec.timed(kind, lambda url=url: s.get(base + url, timeout=60))

    def reviewer() -> None:
        rng = random.Random(next(rng_seed))
        s = clone(analyst)
        while time.monotonic() < stop:
            body = {
                "tip_ids": rng.sample(tip_ids, 3),
                "status": rng.choice(["credible", "doubtful", "spam"]),
            }
            rec.timed(
                "api review",
                lambda body=body: s.post(
                    base + "/api/v1/reviews", json=body, headers={"X-CSRFToken": csrf}, timeout=60
                ),
            )
            time.sleep(0.2)

    def importer() -> None:
        s = clone(analyst)
        n = 0
        while time.monotonic() < stop:
            path = work / f"upload_{n}.jsonl"
            lines = []
            for i in range(200):
                lines.append(
                    json.dumps(
                        {
                            "tip_id": f"UP{n:03d}-{i:03d}",
                            "object_id": objects[i % 7],
                            "text": f"Widziałem to w Krakowie, sklep {n}-{i}",
                            "received_at": "2025-06-01T10:00:00Z",
                        }
                    )
                )
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            page = s.get(base + "/import").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            with path.open("rb") as f:
                rec.timed(
                    "import upload",
                    lambda f=f, token=token, name=path.name: s.post(
                        base + "/import",
                        data={"csrf_token": token},
                        files={"file": (name, f)},
                        timeout=60,
                        allow_redirects=False,
                    ),
                )
            n += 1
            time.sleep(5)

    threads = [threading.Thread(target=importer)]
    threads += [threading.Thread(target=reviewer) for _ in range(args.reviewers)]
    threads += [threading.Thread(target=reader) for _ in range(args.clients - 1 - args.reviewers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return rec


def report(rec: Recorder, seconds: float) -> None:
    every = [x for v in rec.times.values() for x in v]
    errors = sum(len(v) for v in rec.errors.values())
    print(
        f"{len(every):,} requests in {seconds:.0f} s ({len(every) / seconds:,.1f}/s), "
        f"{errors} errors; all: p50 {pct(every, 50) * 1000:.0f} ms, "
        f"p95 {pct(every, 95) * 1000:.0f} ms, max {max(every) * 1000:.0f} ms"
    )
    for kind, values in sorted(rec.times.items()):
        errs = rec.errors.get(kind, [])
        print(
            f"  {kind:14s} n={len(values):6,d}  p50 {pct(values, 50) * 1000:7.0f} ms  "
            f"p95 {pct(values, 95) * 1000:7.0f} ms  max {max(values) * 1000:7.0f} ms  "
            f"errors {len(errs)} {sorted(set(errs))[:3]}"
        )


def page_latency(base: str, objects: list[str], rounds: int = 10) -> None:
    s = logged_in(base, "vera")
    for label, url in (("objects page", "/objects"), ("object page", f"/objects/{objects[0]}")):
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            r = s.get(base + url, timeout=600)
            times.append(time.perf_counter() - t)
            assert r.status_code == 200, (url, r.status_code)
        print(
            f"  {label}: first {times[0] * 1000:.0f} ms, then median "
            f"{statistics.median(times[1:]) * 1000:.0f} ms, max {max(times[1:]) * 1000:.0f} ms"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tips", type=int, default=20_000)
    ap.add_argument("--objects", type=int, default=100)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--reviewers", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--big", type=int, default=0, help="then measure pages with this many tips")
    args = ap.parse_args()
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
    server = Server(env)
    try:
        t = time.perf_counter()
        rec = load(server.base, args, objects, work)
        took = time.perf_counter() - t
        print(
            f"load: {args.clients} clients ({args.reviewers} reviewing, 1 importing), "
            f"waitress 8 threads, SQLite, 2 cores shared; load average now "
            f"{os.getloadavg()[0]:.1f}"
        )
        report(rec, took)
        print("pages at this size, one client:")
        page_latency(server.base, objects)
    finally:
        server.stop()
    if args.big > args.tips:
        big = work / "big.jsonl"
        t = time.perf_counter()
        generate(big, args.big, max(args.objects, args.big // 500), seed=11)
        build_store(env["GEOLEADS_DATABASE_URL"], big, geoparse=False)
        print(f"store grown to about {args.big:,} tips ({time.perf_counter() - t:.0f} s)")
        server = Server(env)
        try:
            print(f"pages with ~{args.big:,} tips in the store, one client:")
            page_latency(server.base, objects)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
