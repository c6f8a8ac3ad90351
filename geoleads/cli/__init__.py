"""The ``geoleads`` command line.

Each command lives in its own module of this package and exposes a
:class:`click.Command` named ``command`` (or a list named ``commands``); the
group below finds them, so adding a command never touches this file.

Exit codes: 0 ok, 1 failure (a :class:`~geoleads.errors.GeoleadsError`),
2 usage error (click's own).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from geoleads.errors import GeoleadsError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
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


def _register() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found = list(getattr(module, "commands", []))
        if hasattr(module, "command"):
            found.append(module.command)
        for cmd in found:
            cli.add_command(cmd)


_register()


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
