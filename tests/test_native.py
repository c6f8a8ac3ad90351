"""The optional mypyc build of the hot modules: used when fresh, never when stale.

Each test works on a copy of the package (built once per module: copied from
this tree's fresh build, or compiled there, about 30 s) and imports it in a
new interpreter, as a user would.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geoleads import _native
from geoleads.nativebuild import built_files

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import importlib, json, geoleads;"
    "from geoleads._native import COMPILED, status;"
    "files = [importlib.import_module(m).__file__ for m in COMPILED];"
    "print(json.dumps([files, status()['state']]))"
)
N = len(_native.COMPILED)


def _run(root: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != _native.PURE_ENV}
    environ.update(env, PYTHONPATH=str(root))
    return subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=environ, capture_output=True, text=True
    )


def _probe(root: Path, **env: str) -> tuple[list[str], str, str]:
    """(the compiled modules' files, the guard's state, stderr) in a new interpreter."""
    done = _run(root, PROBE, **env)
    assert done.returncode == 0, done.stderr
    files, state = json.loads(done.stdout)
    return [Path(f).suffix for f in files], state, done.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package with a fresh build."""
    root = tmp_path_factory.mktemp("native")
    shutil.copytree(ROOT / "geoleads", root / "geoleads", ignore=shutil.ignore_patterns("*.so"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    (root / "geoleads" / "native.json").unlink(missing_ok=True)
    pure = os.environ.pop(_native.PURE_ENV, None)  # this tree's build, even if switched off
    try:
        fresh = _native.status()["state"] == "compiled"
    finally:
        if pure is not None:
            os.environ[_native.PURE_ENV] = pure
    if fresh:
        for path in built_files():
            shutil.copy(path, root / "geoleads" / path.name)
        shutil.copy(_native.MANIFEST, root / "geoleads" / "native.json")
    else:
        done = _run(root, "import geoleads.nativebuild as n, sys; sys.exit(0 if n.build() else 3)")
        if done.returncode == 3:
            pytest.skip(f"mypyc cannot compile here: {done.stderr[-300:]}")
        assert done.returncode == 0, done.stderr
    return root


@pytest.fixture
def copy(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built package that a test may edit."""
    shutil.copytree(built / "geoleads", tmp_path / "geoleads")
    return tmp_path


def test_fresh_build_is_imported(copy: Path) -> None:
    suffixes, state, err = _probe(copy)
    assert suffixes == [".so"] * N
    assert state == "compiled"
    assert "no longer match" not in err


@pytest.mark.parametrize("module", ["extract", "textscan", "inflect"])
def test_edited_source_is_not_shadowed_by_its_build(copy: Path, module: str) -> None:
    source = copy / "geoleads" / f"{module}.py"
    source.write_text(source.read_text(encoding="utf-8") + "\nEDITED = 1\n", encoding="utf-8")
    suffixes, state, err = _probe(copy)
    # every compiled module falls back together (they call each other in C)
    assert suffixes == [".py"] * N
    assert state == "stale"
    assert f"geoleads.{module}" in err and "no longer match" in err
    done = _run(copy, f"import geoleads.{module} as m; print(m.EDITED)")
    assert done.stdout.strip() == "1", done.stderr


def test_missing_manifest_counts_as_stale(copy: Path) -> None:
    (copy / "geoleads" / "native.json").unlink()
    suffixes, state, err = _probe(copy)
    assert suffixes == [".py"] * N and state == "stale"
    assert "no longer match" in err


def test_pure_python_on_request(copy: Path) -> None:
    suffixes, state, err = _probe(copy, **{_native.PURE_ENV: "1"})
    assert suffixes == [".py"] * N
    assert state == "disabled"
    assert err == ""


def test_failed_build_leaves_pure_python(copy: Path) -> None:
    done = _run(
        copy,
        "import geoleads.nativebuild as n; n._why_not = lambda: 'no C compiler (test)';"
        "print(n.build())",
    )
    assert done.stdout.strip() == "False"
    assert "no C compiler (test)" in done.stderr
    assert not list((copy / "geoleads").glob("*.so"))
    suffixes, state, err = _probe(copy)
    assert suffixes == [".py"] * N and state == "none"
    assert err == ""


@pytest.mark.usefixtures("gazetteer")
def test_compiled_and_pure_python_give_the_same_output(copy: Path) -> None:
    """The multilingual tips through ``geoleads geoparse``, compiled and pure, byte for byte."""
    tips = (ROOT / "tests" / "data" / "multilingual_tips.jsonl").read_text(encoding="utf-8")
    outputs = []
    for pure in ("0", "1"):
        environ = {**os.environ, "PYTHONPATH": str(copy), _native.PURE_ENV: pure}
        done = subprocess.run(
            [sys.executable, "-m", "geoleads", "geoparse", "-", "--alternatives", "10"],
            input=tips,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=environ,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].count("\n") == tips.count("\n")
    assert '"PL"' in outputs[0]


def test_build_of_a_module_no_longer_compiled_is_not_imported(copy: Path) -> None:
    """A build left by an older list of compiled modules (here: garbage) never loads."""
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    (copy / "geoleads" / f"leads{suffix}").write_bytes(b"not an extension module")
    done = _run(copy, "import geoleads.leads as m; print(m.__file__)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("leads.py")
    assert "geoleads.leads" in done.stderr and "no longer match" in done.stderr
    assert _probe(copy)[1] == "stale"
    # and the next build removes it
    done = _run(copy, "import geoleads.nativebuild as n; n.clean(); print(n.built_files())")
    assert done.stdout.strip() == "[]", done.stderr
