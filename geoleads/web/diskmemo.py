"""Small JSON values memoised in files, shared by the server's processes and restarts.

The object page's selections (count and timeline of a filter, the tip ids of a
page) cost one GROUP BY over an object's tips the first time. Each key includes
the data stamp it depends on, so an entry is never wrong, only unused once the
data changed; the oldest files are deleted when there are more than
``max_files``.

>>> import tempfile, pathlib
>>> memo = DiskMemo(pathlib.Path(tempfile.mkdtemp()))
>>> memo.get(("count", "OBJ-1", (10, "2024-01-01")))
>>> memo.put(("count", "OBJ-1", (10, "2024-01-01")), [10, "<svg/>"])
>>> memo.get(("count", "OBJ-1", (10, "2024-01-01")))
[10, '<svg/>']
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any


class DiskMemo:
    """JSON files under ``folder`` named by a hash of the key (its ``repr``)."""

    def __init__(self, folder: Path, max_files: int = 20_000) -> None:
        self.folder = folder
        self.max_files = max_files
        self._writes = 0
        self._lock = threading.Lock()

    def _path(self, key: tuple[Any, ...]) -> tuple[Path, str]:
        text = repr(key)
        return self.folder / (hashlib.sha256(text.encode()).hexdigest()[:40] + ".json"), text

    def get(self, key: tuple[Any, ...]) -> Any:
        """The value stored under ``key``, or None."""
        path, text = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data.get("value") if isinstance(data, dict) and data.get("key") == text else None

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        """Store ``value`` (JSON) under ``key``; errors are ignored (it is only a cache)."""
        path, text = self._path(key)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps({"key": text, "value": value}), encoding="utf-8")
            tmp.replace(path)
        except (OSError, TypeError, ValueError):
            with contextlib.suppress(OSError):
                tmp.unlink()
            return
        with self._lock:
            self._writes += 1
            due = self._writes % 500 == 0
        if due:
            self.trim()

    def trim(self) -> None:
        """Delete the oldest half of the files when there are more than ``max_files``."""
        try:
            files = [e for e in os.scandir(self.folder) if e.name.endswith(".json")]
        except OSError:
            return
        if len(files) <= self.max_files:
            return
        files.sort(key=lambda e: e.stat().st_mtime)
        for entry in files[: len(files) // 2]:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
