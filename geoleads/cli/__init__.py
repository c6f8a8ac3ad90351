"""The ``geoleads`` command line.

Each command lives in its own module of this package and exposes a
:class:`click.Command` named ``command`` (or a list named ``commands``); the
group below finds them, so adding a command never touches this file. A command
whose name is its module's name (``geoparse``) is imported alone when it runs.

Exit codes: 0 ok, 1 failure (a :class:`~geoleads.errors.GeoleadsError`),
2 usage error (click's own).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys

import click

from geoleads.errors import GeoleadsError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _LazyGroup(click.Group):
    """Imports a command's module only when the command is used.

    ``geoleads geoparse`` then starts without importing the web app, the store
    or GeoPandas; ``geoleads --help`` and :attr:`commands` still hold every command.
    """

    _all_loaded = False
    _commands: dict[str, click.Command]

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        self._load_all()
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def _load_all(self) -> None:
        if not self._all_loaded:
            self._all_loaded = True
            _register()

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        self._commands[name or str(cmd.name)] = cmd

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_all()
        return sorted(self._commands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = self._commands.get(cmd_name)
        if found is None and not self._all_loaded:
            if cmd_name.isidentifier() and importlib.util.find_spec(f"{__name__}.{cmd_name}"):
                _add(importlib.import_module(f"{__name__}.{cmd_name}"))
                found = self._commands.get(cmd_name)
            if found is None:
                self._load_all()
                found = self._commands.get(cmd_name)
        return found


@click.group(cls=_LazyGroup, context_settings=CONTEXT)
@click.version_option(package_name="geoleads")
def cli() -> None:
    """Turn anonymous public tips about objects into maps of where the objects come from.

    Everything runs offline on the bundled gazetteer (GeoNames, CLDR, Natural Earth).

    \b
    Examples:
      geoleads gazetteer build
      echo '{"id":"1","text":"Das ist aus Krakau"}' | geoleads geoparse -
      geoleads summarize data/demo/tips.csv --format json
    """


def _add(module: object) -> None:
    found = list(getattr(module, "commands", []))
    if hasattr(module, "command"):
        found.append(module.command)
    for cmd in found:
        if cmd.name not in cli._commands:
            cli.add_command(cmd)


def _register() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        _add(importlib.import_module(f"{__name__}.{info.name}"))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``geoleads`` console script."""
    try:
        cli.main(args=argv, prog_name="geoleads", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except GeoleadsError as err:
        click.echo(f"geoleads: error: {err}", err=True)
        return 1
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    return 0
