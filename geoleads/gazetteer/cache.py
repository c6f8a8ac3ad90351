"""The prepared gazetteer cache on disk: written atomically, checked on load.

Layout of ``<cache_dir>/gazetteer/``::

    manifest.json     format version, source key, CRC-32 and size of each file
    entities.pkl      pandas DataFrame of countries, admin1 regions, localities
    names.pkl         dict: name key -> entity row(s)
    postal.pkl        postal codes per country (read lazily by gazetteer/postal.py)
    countries.gpkg    Natural Earth country polygons (loaded lazily)

A missing, stale (other sources) or corrupt (CRC mismatch, truncated) cache
raises :class:`~geoleads.errors.GazetteerCacheError`; :func:`load_or_build`
rebuilds it and says so on stderr.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

from geoleads.errors import GazetteerCacheError
from geoleads.gazetteer import sources
from geoleads.gazetteer.build import GazetteerTables, build_tables

FORMAT_VERSION = 2
_FILES = ("entities.pkl", "names.pkl")


def source_key() -> str:
    """Identifies the raw sources (file names and sizes) and the cache format."""
    parts = [f"v{FORMAT_VERSION}"]
    for path in sources.source_files():
        parts.append(f"{path.name}:{path.stat().st_size}")
    return ";".join(parts)


def cache_path(cache_dir: Path) -> Path:
    return Path(cache_dir) / "gazetteer"


def write_cache(tables: GazetteerTables, cache_dir: Path) -> Path:
    """Write ``tables`` under ``cache_dir`` atomically (temp folder, then rename)."""
    from geoleads.gazetteer.shapes import read_natural_earth

    target = cache_path(cache_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".gazetteer-", dir=target.parent))
    try:
        manifest: dict = {"format": FORMAT_VERSION, "sources": source_key(), "files": {}}
        blobs = {
            "entities.pkl": pickle.dumps(tables.entities, protocol=5),
            "names.pkl": pickle.dumps(tables.names, protocol=5),
        }
        if tables.postal is not None:  # checked when first used (geoleads.gazetteer.postal)
            blobs["postal.pkl"] = tables.postal
        for name, blob in blobs.items():
            (tmp / name).write_bytes(blob)
            manifest["files"][name] = {"size": len(blob), "crc32": zlib.crc32(blob)}
        read_natural_earth().to_file(tmp / "countries.gpkg", driver="GPKG", layer="countries")
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        for f in tmp.iterdir():
            with f.open("rb") as fh:
                os.fsync(fh.fileno())
        old = target.with_name(f".gazetteer-old-{os.getpid()}")
        if target.exists():
            target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def read_cache(cache_dir: Path) -> GazetteerTables:
    """Load the cache, verifying format, sources and checksums."""
    folder = cache_path(cache_dir)
    manifest_file = folder / "manifest.json"
    if not manifest_file.exists():
        raise GazetteerCacheError(f"no gazetteer cache at {folder}")
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise GazetteerCacheError(f"unreadable gazetteer manifest {manifest_file}: {err}") from err
    if manifest.get("format") != FORMAT_VERSION or manifest.get("sources") != source_key():
        raise GazetteerCacheError(f"gazetteer cache at {folder} was built from other sources")
    loaded = {}
    for name in _FILES:
        try:
            blob = (folder / name).read_bytes()
            expected = manifest["files"][name]
        except (OSError, KeyError) as err:
            raise GazetteerCacheError(f"gazetteer cache file {name} is missing: {err}") from err
        if len(blob) != expected["size"] or zlib.crc32(blob) != expected["crc32"]:
            raise GazetteerCacheError(f"gazetteer cache file {folder / name} is corrupt")
        try:
            loaded[name] = pickle.loads(blob)
        except Exception as err:  # a CRC match with an unpicklable blob: still corrupt
            raise GazetteerCacheError(f"gazetteer cache file {name} is corrupt: {err}") from err
    if not (folder / "countries.gpkg").exists():
        raise GazetteerCacheError(f"gazetteer cache file {folder / 'countries.gpkg'} is missing")
    return GazetteerTables(entities=loaded["entities.pkl"], names=loaded["names.pkl"])


def _say(msg: str) -> None:
    print(f"geoleads: {msg}", file=sys.stderr, flush=True)


def load_or_build(
    cache_dir: Path, rebuild: bool = False, progress: Callable[[str], None] = _say
) -> GazetteerTables:
    """Load the cache, or build it (about 30 s) when missing, stale or corrupt."""
    if not rebuild:
        try:
            return read_cache(cache_dir)
        except GazetteerCacheError as err:
            progress(f"{err}; building the gazetteer cache (about 30 s, once)")
    tables = build_tables(progress)
    write_cache(tables, cache_dir)
    progress(f"gazetteer cache written to {cache_path(cache_dir)}")
    return tables
