"""Guard for the optional compiled (mypyc) hot modules: never run a stale build.

``make install`` compiles :data:`COMPILED` with mypyc (:mod:`geoleads.nativebuild`)
into extension modules next to their ``.py`` files and records each source's
SHA-256 in :data:`MANIFEST`. Python imports an extension module in preference to
the ``.py`` of the same name, so an edited ``.py`` would silently lose to its old
build. :func:`guard` (run by ``import geoleads``) compares the recorded hashes
with the sources; when any differs, the manifest is missing or
``GEOLEADS_PURE_PYTHON=1`` is set, it installs an import hook that loads *all*
compiled modules from their ``.py`` files instead (they call each other
directly in C, so it is all or nothing) and logs a warning for a stale build.

>>> status()["state"] in ("compiled", "pure", "stale", "disabled", "none")
True
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

#: The hot modules compiled by ``make install`` (dotted names): the geoparser's insides.
#: Not the public :mod:`geoleads.geoparse`: compiled code keeps no docstrings for ``help()``.
COMPILED: tuple[str, ...] = (
    "geoleads.textscan",
    "geoleads.spans",
    "geoleads.nametables",
    "geoleads.judging",
    "geoleads.extract",
    "geoleads.records",
    "geoleads.readings",
    "geoleads.textcontext",
    "geoleads.resolve",
    "geoleads.coordinates",
    "geoleads.abbreviations",
    "geoleads.inflect",
    "geoleads.folding",
)
#: Written by the build: ``{"modules": {name: sha256 of its .py}, ...}``.
MANIFEST = Path(__file__).with_name("native.json")
#: Set to 1 to ignore the compiled modules (e.g. to compare with pure Python).
PURE_ENV = "GEOLEADS_PURE_PYTHON"
_PACKAGE = Path(__file__).resolve().parent
_log = logging.getLogger("geoleads")


def source_path(module: str) -> Path:
    """The ``.py`` file of ``module`` (``geoleads.extract`` -> ``.../extract.py``)."""
    return _PACKAGE.joinpath(*module.split(".")[1:]).with_suffix(".py")


def source_hash(module: str) -> str:
    """SHA-256 of ``module``'s ``.py`` source."""
    return hashlib.sha256(source_path(module).read_bytes()).hexdigest()


def extension_paths(module: str) -> list[Path]:
    """Extension files of ``module`` that this interpreter would import."""
    base = source_path(module).with_suffix("")
    return [
        base.with_name(base.name + suffix)
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
        if base.with_name(base.name + suffix).exists()
    ]


def stray_builds(modules: Sequence[str] = COMPILED) -> list[str]:
    """Modules of the package with a build but not in ``modules`` (left by an older list)."""
    out = []
    for path in _PACKAGE.iterdir():
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            if path.name.endswith(suffix):
                stem = path.name[: -len(suffix)]
                name = f"{_PACKAGE.name}.{stem}"
                if name not in modules and path.with_name(stem + ".py").exists():
                    out.append(name)
    return sorted(out)


def status(modules: Sequence[str] = COMPILED) -> dict[str, Any]:
    """What :func:`guard` decides: ``state`` and, when stale, the ``stale`` modules.

    ``none``: no compiled module; ``compiled``: the builds match their sources;
    ``stale``: a source changed since its build (or the manifest is missing, or
    a module no longer compiled still has a build); ``disabled``:
    ``GEOLEADS_PURE_PYTHON=1``.
    """
    strays = stray_builds(modules)
    built = [m for m in modules if extension_paths(m)]
    if not built and not strays:
        return {"state": "none", "stale": []}
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return {"state": "disabled", "stale": []}
    try:
        recorded = json.loads(MANIFEST.read_text(encoding="utf-8"))["modules"]
    except (OSError, ValueError, KeyError, TypeError):
        recorded = {}
    stale = []
    for module in modules:
        try:
            current = source_hash(module)
        except OSError:
            current = None
        if module in built and (current is None or recorded.get(module) != current):
            stale.append(module)
        elif module not in built and module in recorded:
            stale.append(module)  # part of the group lost its build
    stale += strays
    return {"state": "stale" if stale else "compiled", "stale": stale}


class _SourceFirst(importlib.abc.MetaPathFinder):
    """Import hook: these modules come from their ``.py`` files, not their builds."""

    def __init__(self, modules: Sequence[str]) -> None:
        self.modules = frozenset(modules)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.modules:
            return None
        file = source_path(fullname)
        loader = importlib.machinery.SourceFileLoader(fullname, str(file))
        return importlib.util.spec_from_file_location(fullname, file, loader=loader)


def guard(modules: Sequence[str] = COMPILED) -> str:
    """Make sure no stale compiled module is imported; returns the state (see :func:`status`)."""
    found = status(modules)
    state = str(found["state"])
    if state in ("stale", "disabled"):
        if state == "stale":
            _log.warning(
                "geoleads: the compiled %s no longer match the source (edited since "
                "`make install`); using the slower pure-Python modules. "
                "Rebuild with `make native`.",
                ", ".join(found["stale"]),
            )
        if not any(isinstance(f, _SourceFirst) for f in sys.meta_path):
            sys.meta_path.insert(0, _SourceFirst([*modules, *stray_builds(modules)]))
    return state
