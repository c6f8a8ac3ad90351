"""``geoleads user add|list|set``: investigator accounts (argon2 hashes, roles)."""

from __future__ import annotations

import json
import sys

import click

from geoleads.errors import ConfigError
from geoleads.store import ROLES, Store, add_user, audit, list_users, set_active, set_role
from geoleads.store.users import set_password

database_option = click.option(
    "--database",
    "database_url",
    metavar="URL",
    help="SQLAlchemy URL of the store (default: GEOLEADS_DATABASE_URL or var/geoleads.sqlite).",
)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise ConfigError("no password on standard input")
        return password
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True))


@click.group("user")
def command() -> None:
    """Manage investigator accounts (viewer < analyst < admin)."""


@command.command("add")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="viewer",
    show_default=True,
    help="viewer: read; analyst: also review and import; admin: also users and audit log.",
)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@database_option
def add(username: str, role: str, password_stdin: bool, database_url: str | None) -> None:
    """Create an account; the password is prompted for (twice) unless --password-stdin.

    \b
    Examples:
      geoleads user add ana --role analyst
      printf '%s\\n' "$PASSWORD" | geoleads user add admin --role admin --password-stdin
    """
    password = _password(password_stdin)
    store = Store.open(database_url, upgrade=True)
    try:
        with store.session() as s:
            add_user(s, username, password, role=role)
            audit(s, "user_add", user=None, target=username, details={"role": role, "via": "cli"})
        click.echo(f"user {username} ({role}) created", err=True)
    finally:
        store.dispose()


@command.command("list")
@database_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_command(database_url: str | None, as_json: bool) -> None:
    """List accounts: name, role, active, last login."""
    store = Store.open(database_url, upgrade=True)
    try:
        with store.session() as s:
            users = [
                {
                    "username": u.username,
                    "role": u.role,
                    "active": u.active,
                    "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
                }
                for u in list_users(s)
            ]
    finally:
        store.dispose()
    if as_json:
        click.echo(json.dumps(users, indent=1))
        return
    for u in users:
        state = "active" if u["active"] else "disabled"
        click.echo(f"{u['username']}\t{u['role']}\t{state}\t{u['last_login_at'] or '-'}")


@command.command("set")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), help="New role.")
@click.option("--active/--disabled", default=None, help="Enable or disable the account.")
@click.option("--password", "new_password", is_flag=True, help="Prompt for a new password.")
@click.option("--password-stdin", is_flag=True, help="Read a new password from stdin.")
@database_option
def set_command(
    username: str,
    role: str | None,
    active: bool | None,
    new_password: bool,
    password_stdin: bool,
    database_url: str | None,
) -> None:
    """Change an account's role, state or password (accounts are never deleted)."""
    store = Store.open(database_url, upgrade=True)
    try:
        with store.session() as s:
            changes: dict[str, object] = {}
            if role is not None:
                set_role(s, username, role)
                changes["role"] = role
            if active is not None:
                set_active(s, username, active)
                changes["active"] = active
            if new_password or password_stdin:
                set_password(s, username, _password(password_stdin))
                changes["password"] = "changed"
            if not changes:
                raise click.UsageError(
                    "nothing to change: give --role, --active/--disabled or --password"
                )
            audit(s, "user_change", user=None, target=username, details={**changes, "via": "cli"})
        click.echo(f"user {username}: {', '.join(changes)} updated", err=True)
    finally:
        store.dispose()
