"""Docs that tests keep honest: every command, setting and public module is documented."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import click
import pytest

import geoleads
from geoleads._native import COMPILED, source_path
from geoleads.cli import cli
from geoleads.config import ENV_VARS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, cmd in sorted(group.commands.items()):
        found.append((f"{prefix}{name}", cmd))
        if isinstance(cmd, click.Group):
            found += _commands(cmd, f"{prefix}{name} ")
    return found


COMMANDS = _commands(cli)


def test_there_are_commands() -> None:
    names = {name for name, _ in COMMANDS}
    assert {"geoparse", "summarize", "map", "export", "package", "gazetteer"} <= names


@pytest.mark.parametrize(("name", "cmd"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_help(name: str, cmd: click.Command) -> None:
    assert cmd.help and len(cmd.help.strip()) > 20, f"`geoleads {name}` has no help text"
    for param in cmd.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"`geoleads {name}` option {param.opts} has no help"


@pytest.mark.parametrize(("name", "cmd"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_top_level_command_is_in_the_readme(name: str, cmd: click.Command) -> None:
    top = name.split(" ")[0]
    assert re.search(rf"geoleads {re.escape(top)}\b", README), f"README never shows {top!r}"


@pytest.mark.parametrize("var", sorted(ENV_VARS))
def test_every_setting_is_in_the_readme(var: str) -> None:
    assert var in README, f"README does not document {var}"


def _modules() -> list[str]:
    return [
        m.name
        for m in pkgutil.walk_packages(geoleads.__path__, "geoleads.")
        if ".migrations" not in m.name
        and not m.name.endswith("__main__")
        and not m.name.endswith("__mypyc")  # mypyc's shared library of the compiled modules
    ]


@pytest.mark.parametrize("module", _modules())
def test_every_module_has_a_docstring(module: str) -> None:
    mod = importlib.import_module(module)
    doc = mod.__doc__
    if module in COMPILED and not doc:  # mypyc keeps no module docstring: read the source's
        source = source_path(module).read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(source))
    assert doc and doc.strip(), f"{module} has no docstring"


def test_readme_shows_the_two_commands_and_attribution() -> None:
    assert "make run" in README and "make test" in README
    for credit in ("GeoNames", "CC BY 4.0", "CLDR", "Natural Earth"):
        assert credit in README
