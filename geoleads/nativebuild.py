"""Compile the geoparser's hot modules with mypyc (optional; ``make native``).

``python -m geoleads.nativebuild build`` compiles :data:`geoleads._native.COMPILED`
into extension modules next to their sources (about 30 s; needs mypy, a C
compiler and the Python headers: Debian ``build-essential python3-dev``) and
then writes the manifest of source hashes that :func:`geoleads._native.guard`
checks at import. When compilation is impossible it says why, removes any
partial build and exits 0: geoleads then runs the same code as pure Python,
about 1.5x slower. ``clean`` removes the builds; ``status`` prints the state.

>>> from geoleads.nativebuild import built_files
>>> all(p.suffix == ".so" for p in built_files())
True
"""

from __future__ import annotations

import importlib.machinery
import json
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from geoleads._native import COMPILED, MANIFEST, source_hash, source_path, status

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
#: mypyc puts the modules' shared code in one library named after the group.
GROUP = "geoleads.native"

_SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify
paths, target, group = sys.argv[1].split(","), sys.argv[2], sys.argv[3]
setup(
    name="geoleads-native",
    ext_modules=mypycify(paths, group_name=group, opt_level="3", target_dir=target),
    script_args=["-q", "build_ext", "--inplace", "--build-temp", target, "--build-lib", target],
)
"""


def built_files() -> list[Path]:
    """Every extension file in the package: the compiled modules, their shared
    library, and builds of modules compiled by an older list."""
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    return sorted(p for p in PACKAGE.iterdir() if any(p.name.endswith(s) for s in suffixes))


def clean() -> None:
    """Remove every build and the manifest (geoleads is then pure Python)."""
    for path in built_files():
        path.unlink()
    MANIFEST.unlink(missing_ok=True)


def _why_not() -> str | None:
    """Why compiling cannot work here, or ``None``."""
    try:
        import mypyc  # noqa: F401
    except ImportError:
        return "mypy (with mypyc) is not installed: pip install -e '.[dev]'"
    include = sysconfig.get_paths().get("include") or ""
    if not (Path(include) / "Python.h").exists():
        return f"no Python headers in {include} (Debian: apt-get install python3-dev)"
    compiler = str(sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return "no C compiler (Debian: apt-get install build-essential)"
    return None


def build(quiet: bool = False) -> bool:
    """Compile :data:`COMPILED` in place and write the manifest; ``False`` if impossible."""
    reason = _why_not()
    if reason is not None:
        clean()
        print(f"geoleads native: not compiled ({reason}); using pure Python", file=sys.stderr)
        return False
    hashes = {m: source_hash(m) for m in COMPILED}  # what is compiled is what is recorded
    clean()
    paths = ",".join(str(source_path(m).relative_to(ROOT)) for m in COMPILED)
    with tempfile.TemporaryDirectory(prefix="geoleads-mypyc-") as tmp:
        done = subprocess.run(
            [sys.executable, "-c", _SETUP, paths, tmp, GROUP],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    if done.returncode != 0 or len(built_files()) != len(COMPILED) + 1:
        clean()
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        print(f"geoleads native: compiling failed; using pure Python\n{tail}", file=sys.stderr)
        return False
    if {m: source_hash(m) for m in COMPILED} != hashes:
        clean()  # a source changed while compiling
        print("geoleads native: sources changed while compiling; run again", file=sys.stderr)
        return False
    MANIFEST.write_text(
        json.dumps({"modules": hashes, "python": sys.implementation.cache_tag}, indent=1) + "\n",
        encoding="utf-8",
    )
    if not quiet:
        print(f"geoleads native: compiled {', '.join(COMPILED)}", file=sys.stderr)
    return True


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "status"
    if command == "build":
        build()
    elif command == "clean":
        clean()
    elif command == "status":
        print(json.dumps(status()))
    else:
        print("usage: python -m geoleads.nativebuild build|clean|status", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
