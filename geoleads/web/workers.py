"""Serve the app with several processes (gunicorn, threaded workers) on one machine.

One Python process runs one thread at a time (the GIL): on a machine with N
cores, N processes answer up to N times as many page views. What the processes
share, and how:

* the store — SQLite in WAL mode (readers never wait; one writer at a time,
  ``busy_timeout``) or PostgreSQL; migrations run once, in the master, before
  the workers start;
* the login rate limit — a table in the store (:mod:`geoleads.store.ratelimit`);
* summary stamps and user visits — in-memory caches made coherent by change
  signals under ``$GEOLEADS_HOME/run`` (:mod:`geoleads.web.signals`); summary
  files under ``$GEOLEADS_HOME/cache/web-summaries`` with one lock per object;
* import jobs — their status and heartbeat are rows of the store; export jobs —
  status files under ``$GEOLEADS_HOME/exports``: any process shows their progress;
* background duties that must run once — the public intake's geoparse worker
  and the summary warm-up — run in one *leader* process, the one holding an
  exclusive lock on ``$GEOLEADS_HOME/run/leader.lock``; if it dies, another worker
  takes the lock over within :data:`LEADER_RETRY_S` seconds.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from flask import Flask

#: How often a non-leader worker tries to become the leader.
LEADER_RETRY_S = 5.0
#: The open lock files of this process (closing one would release its lock).
_HELD: list[IO[str]] = []


def default_workers() -> int:
    """One worker per usable core, at most 4 (each holds its own caches)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def become_leader(lock_path: Path, duties: Callable[[], None]) -> threading.Thread:
    """Run ``duties()`` once this process holds the exclusive lock ``lock_path``.

    Tries at once, then every :data:`LEADER_RETRY_S` seconds on a daemon thread;
    the lock is held until the process ends (the kernel releases it then).
    """
    import fcntl

    lock_path.parent.mkdir(parents=True, exist_ok=True)

    def loop() -> None:
        fh = lock_path.open("a")  # kept open: closing it would release the lock
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                time.sleep(LEADER_RETRY_S)
                continue
            _HELD.append(fh)
            duties()
            return

    thread = threading.Thread(target=loop, name="geoleads-leader", daemon=True)
    thread.start()
    return thread


def worker_app(warm: bool) -> Flask:
    """The app of one worker process: no migration (the master ran it), and the
    background duties only in the leader."""
    from geoleads.web import create_app

    app = create_app({"DB_AUTO_UPGRADE": False, "PUBLIC_INTAKE_AUTOSTART": False})

    def duties() -> None:
        with app.app_context():
            public = app.extensions.get("geoleads_public")
            if public is not None:
                public.intake.start()
            if warm:
                from geoleads.web.queries import object_ids
                from geoleads.web.state import store, summaries

                summaries().warm(object_ids(store()))

    become_leader(Path(app.config["GEOLEADS_HOME"]) / "run" / "leader.lock", duties)
    return app


def serve_workers(host: str, port: int, workers: int, threads: int, warm: bool) -> None:
    """Migrate the store once, then serve with gunicorn: ``workers`` processes of
    ``threads`` threads each (blocks until stopped)."""
    from gunicorn.app.base import BaseApplication

    from geoleads.store.engine import Store

    Store.open(upgrade=True).dispose()

    class Server(BaseApplication):
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": 120,
                "graceful_timeout": 30,
                "keepalive": 5,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "geoleads",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return worker_app(warm)

    Server().run()
