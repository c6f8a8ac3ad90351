"""Tell the other server processes that data changed; one computation per object at a time.

``geoleads serve --workers N`` runs N processes with their own in-memory caches.
A :class:`ChangeSignal` is a small file under ``GEOLEADS_HOME/run``: a process that
changes data (a review, a visit) appends one byte; every process compares the
file's size and time before trusting its caches (one ``stat``, a few microseconds).
:func:`object_lock` is an advisory file lock, so two processes do not both spend
a second summarizing the same object.

>>> import tempfile, pathlib
>>> sig = ChangeSignal(pathlib.Path(tempfile.mkdtemp()) / "changes")
>>> first = sig.version(); sig.notify(); sig.version() != first
True
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: one process there
    fcntl = None  # type: ignore[assignment]


class ChangeSignal:
    """A file whose (size, mtime) changes whenever any process calls :meth:`notify`."""

    #: the file is emptied when it reaches this size (its mtime still changes)
    MAX_BYTES = 4096

    def __init__(self, path: Path | None) -> None:
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(exist_ok=True)

    def version(self) -> tuple[int, int, int]:
        """What the file looks like now; compare with an earlier version to see a change."""
        if self.path is None:
            return (0, 0, 0)
        try:
            st = os.stat(self.path)
        except OSError:
            return (-1, -1, -1)
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def notify(self) -> None:
        """Tell every process (this one included) that the data changed."""
        if self.path is None:
            return
        try:
            with self.path.open("ab") as fh:
                if fh.tell() >= self.MAX_BYTES:
                    fh.truncate(0)
                fh.write(b".")
        except OSError:
            pass  # the caches' time-to-live still bounds how stale another process can be


@contextlib.contextmanager
def object_lock(folder: Path | None, name: str, *, wait: bool = True) -> Iterator[bool]:
    """Hold an exclusive advisory lock named ``name`` under ``folder``; yields whether it
    was taken (``wait=False`` gives up at once when another process holds it)."""
    if folder is None or fcntl is None:
        yield True
        return
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (hashlib.sha256(name.encode()).hexdigest()[:32] + ".lock")
    with path.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
