"""Batch geoparsing and summarizing on Dask, partitioned by object, resumable.

A batch run reads and validates a whole tip file, splits the tips into
partitions by object (every tip of an object lands in the same partition, chosen
by a stable hash of ``object_id``) and runs one task per partition on a Dask
scheduler: a local cluster of worker processes (default), the synchronous
scheduler (one process, for debugging), or a running ``distributed`` scheduler
at an address such as ``tcp://10.0.0.5:8786`` (its workers must see the output
folder, e.g. on a shared file system).

Every task writes its partition's output to a temporary file and renames it into
place, so a crash or ``kill -9`` leaves only whole partition files. Running the
same command again skips the partitions already written and writes the others:
each tip appears exactly once. The folder holds:

- ``_batch.json``: what is being computed (kind, input checksum, partitions);
- ``part-00000.jsonl`` (geoparse): one ``{"id", "object_id", "places"}`` line per
  tip, ``places`` as ``geoleads geoparse`` writes them;
- ``part-00000.json`` (summarize): the summaries of the partition's objects;
- ``summaries.json`` (summarize): every summary, objects in the order of their
  first tip in the input (what ``geoleads summarize --format json`` writes);
- ``_SUCCESS``: written last, with counts, when every partition is done.

>>> partition_of("OBJ-1", 8) == partition_of("OBJ-1", 8)
True
>>> sorted({partition_of(f"OBJ-{i}", 4) for i in range(100)})
[0, 1, 2, 3]
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from geoleads.errors import BatchError
from geoleads.tips import Tip, read_tips

KINDS = ("geoparse", "summarize")
MANIFEST = "_batch.json"
SUCCESS = "_SUCCESS"
SUMMARIES = "summaries.json"
#: Default number of tips per partition (the unit of work and of resuming).
PARTITION_TIPS = 5000
_FORMAT = 1
#: How long to wait for a remote Dask scheduler before giving up.
CONNECT_TIMEOUT = "20s"


def partition_of(object_id: str, partitions: int) -> int:
    """The partition of an object: a stable hash (CRC-32 of UTF-8) modulo ``partitions``."""
    return zlib.crc32(object_id.encode("utf-8")) % partitions


def split_tips(tips: Sequence[Tip], partitions: int) -> list[list[Tip]]:
    """Tips grouped by :func:`partition_of` their object, input order kept within a group."""
    parts: list[list[Tip]] = [[] for _ in range(partitions)]
    memo: dict[str, int] = {}
    for tip in tips:
        index = memo.get(tip.object_id)
        if index is None:
            index = memo[tip.object_id] = partition_of(tip.object_id, partitions)
        parts[index].append(tip)
    return parts


def part_name(kind: str, index: int) -> str:
    """File name of partition ``index``'s output."""
    return f"part-{index:05d}.{'jsonl' if kind == 'geoparse' else 'json'}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all or nothing: temporary file, fsync, rename."""
    tmp = path.with_name(f".{path.name}.tmp.{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# --- the work of one partition (runs on a worker) ------------------------------------
@cache
def _geoparser() -> Any:
    """One geoparser per worker process (loading the gazetteer takes a second or two)."""
    from geoleads.geoparse import Geoparser

    return Geoparser()


def geoparse_records(tips: Sequence[Tip], geoparser: Any, alternatives: int = 3) -> list[dict]:
    """The output records of ``tips``, as the single-process path makes them.

    Each record is ``{"id": tip_id, "object_id": ..., "places": [...]}`` with the
    places of :meth:`geoleads.geoparse.Geoparser.parse` in the JSON of
    ``geoleads geoparse``.
    """
    out = []
    for tip in tips:
        mentions = geoparser.parse(tip.text, language=tip.language)
        out.append(
            {
                "id": tip.tip_id,
                "object_id": tip.object_id,
                "places": [m.to_json(alternatives) for m in mentions],
            }
        )
    return out


def geoparse_partition(index: int, tips: Sequence[Tip], folder: str, alternatives: int) -> int:
    """Geoparse one partition and write ``part-NNNNN.jsonl`` atomically; returns its tip count."""
    records = geoparse_records(tips, _geoparser(), alternatives)
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    write_atomic(Path(folder) / part_name("geoparse", index), data.encode("utf-8"))
    return len(tips)


def summarize_partition(index: int, tips: Sequence[Tip], folder: str, alternatives: int) -> int:
    """Summarise one partition's objects and write ``part-NNNNN.json`` atomically."""
    from geoleads.narrow import iter_results

    results = iter_results(tips, geoparser=_geoparser(), keep_leads=False)
    summaries = [r.summary for r in results]
    data = json.dumps(summaries, ensure_ascii=False).encode("utf-8")
    write_atomic(Path(folder) / part_name("summarize", index), data)
    return len(tips)


_TASKS: dict[str, Callable[[int, Sequence[Tip], str, int], int]] = {
    "geoparse": geoparse_partition,
    "summarize": summarize_partition,
}


# --- schedulers -------------------------------------------------------------------------
@contextlib.contextmanager
def dask_client(scheduler: str, workers: int) -> Iterator[Any]:
    """A ``distributed.Client``: a local cluster of ``workers`` processes, or ``scheduler``."""
    from distributed import Client, LocalCluster

    if scheduler == "processes":
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",  # a free loopback port, never 8787/public
                silence_logs=40,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
    else:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, ValueError) as err:
            raise BatchError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from err
        with client:
            yield client


def run_tasks(
    task: Callable[[int, Sequence[Tip], str, int], int],
    todo: Sequence[tuple[int, list[Tip]]],
    folder: str,
    alternatives: int,
    scheduler: str,
    workers: int,
    done: Callable[[int, int], None],
) -> None:
    """Run ``task`` on each ``(index, tips)``; ``done(index, n_tips)`` after each one."""
    if scheduler in ("synchronous", "sync"):
        for index, tips in todo:
            done(index, task(index, tips, folder, alternatives))
        return
    from distributed import as_completed

    with dask_client(scheduler, workers) as client:
        # at most a few partitions in flight: the driver does not serialise them all at once
        limit = 2 * max(workers, len(client.scheduler_info().get("workers", {})), 1)
        pending = iter(todo)
        futures = as_completed()
        index_of: dict[str, int] = {}

        def submit(index: int, tips: list[Tip]) -> None:
            future = client.submit(task, index, tips, folder, alternatives, pure=False)
            index_of[future.key] = index
            futures.add(future)

        for index, tips in pending:
            submit(index, tips)
            if futures.count() >= limit:
                break
        for future in futures:
            try:
                n = future.result()
            except Exception as err:
                futures.clear()
                raise BatchError(f"a batch task failed: {type(err).__name__}: {err}") from err
            done(index_of.pop(future.key), n)
            future.release()
            for index, tips in pending:
                submit(index, tips)
                break


# --- a whole run ------------------------------------------------------------------------
@dataclass
class BatchReport:
    """What a batch run did."""

    kind: str
    folder: Path
    tips: int
    objects: int
    partitions: int
    skipped: int = 0
    computed: int = 0
    seconds: float = 0.0
    outputs: list[Path] = field(default_factory=list)

    @property
    def tips_per_second(self) -> float:
        """Tips of the computed partitions per second (0 when nothing ran)."""
        return self.tips / self.seconds if self.seconds else 0.0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _prepare(folder: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Create the folder and its manifest, or check the one there describes the same run."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / MANIFEST
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise BatchError(f"{path}: unreadable batch manifest ({err})") from err
        for key in ("format", "kind", "input_sha256", "alternatives"):
            if old.get(key) != manifest.get(key):
                raise BatchError(
                    f"{folder} holds a batch of another input or kind ({key}: "
                    f"{old.get(key)!r} != {manifest.get(key)!r}); use an empty folder"
                )
        return dict(old)
    write_atomic(path, json.dumps(manifest, indent=1).encode("utf-8"))
    return manifest


def _clean_temporaries(folder: Path) -> None:
    """Drop half-written files a killed run left behind."""
    for tmp in folder.glob(".part-*.tmp.*"):
        tmp.unlink(missing_ok=True)


def merge_summaries(folder: Path, tips: Sequence[Tip], partitions: int) -> list[dict[str, Any]]:
    """Every partition's summaries, objects in the order of their first tip in ``tips``."""
    by_object: dict[str, dict[str, Any]] = {}
    for index in range(partitions):
        path = folder / part_name("summarize", index)
        for entry in json.loads(path.read_text(encoding="utf-8")):
            by_object[entry["object_id"]] = entry
    order = dict.fromkeys(t.object_id for t in tips)
    return [by_object[o] for o in order]


def run_batch(
    kind: str,
    tips_path: str | Path,
    folder: str | Path,
    *,
    scheduler: str = "processes",
    workers: int = 2,
    partition_tips: int = PARTITION_TIPS,
    partitions: int | None = None,
    alternatives: int = 3,
    progress: Callable[[int, int], None] | None = None,
) -> BatchReport:
    """Geoparse or summarise every tip of ``tips_path`` into ``folder``, resuming a broken run.

    ``scheduler``: ``"processes"`` (a local Dask cluster of ``workers`` processes),
    ``"synchronous"``, or the address of a Dask scheduler. ``partitions`` (default:
    about one per ``partition_tips`` tips) is fixed by the first run of a folder.
    ``progress(tips_done, tips_total)`` is called after each partition.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    path, out = Path(tips_path), Path(folder)
    started = time.perf_counter()
    tips = read_tips(path)
    wanted = partitions or max(1, math.ceil(len(tips) / max(1, partition_tips)))
    manifest = _prepare(
        out,
        {
            "format": _FORMAT,
            "kind": kind,
            "input": str(path),
            "input_sha256": _sha256(path),
            "tips": len(tips),
            "partitions": wanted,
            "alternatives": alternatives,
        },
    )
    n_parts = int(manifest["partitions"])
    _clean_temporaries(out)
    (out / SUCCESS).unlink(missing_ok=True)
    parts = split_tips(tips, n_parts)
    todo = [(i, p) for i, p in enumerate(parts) if not (out / part_name(kind, i)).exists()]
    total = len(tips)
    state = {"done": total - sum(len(p) for _, p in todo)}

    def done(_index: int, n: int) -> None:
        state["done"] += n
        if progress:
            progress(state["done"], total)

    computed_tips = sum(len(p) for _, p in todo)
    t0 = time.perf_counter()
    run_tasks(_TASKS[kind], todo, str(out), alternatives, scheduler, workers, done)
    took = time.perf_counter() - t0
    report = BatchReport(
        kind=kind,
        folder=out,
        tips=computed_tips,
        objects=len({t.object_id for t in tips}),
        partitions=n_parts,
        skipped=n_parts - len(todo),
        computed=len(todo),
        seconds=took,
        outputs=[out / part_name(kind, i) for i in range(n_parts)],
    )
    missing = [p for p in report.outputs if not p.exists()]
    if missing:
        raise BatchError(f"{len(missing)} partition(s) were not written, e.g. {missing[0]}")
    if kind == "summarize":
        merged = merge_summaries(out, tips, n_parts)
        # byte for byte what ``geoleads summarize --format json`` writes
        body = "".join(
            (",\n" if i else "\n") + json.dumps(s, ensure_ascii=False) for i, s in enumerate(merged)
        )
        write_atomic(out / SUMMARIES, f"[{body}\n]\n".encode())
    success = {
        "tips": total,
        "objects": report.objects,
        "partitions": n_parts,
        "seconds": round(time.perf_counter() - started, 3),
    }
    write_atomic(out / SUCCESS, json.dumps(success).encode("utf-8"))
    return report


def read_geoparse_output(folder: str | Path) -> Iterator[dict[str, Any]]:
    """Every record of a finished batch geoparse folder, partition by partition."""
    out = Path(folder)
    if not (out / SUCCESS).exists():
        raise BatchError(f"{out}: the batch is not finished (no {SUCCESS}); run it again")
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    for index in range(int(manifest["partitions"])):
        with (out / part_name("geoparse", index)).open(encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)
