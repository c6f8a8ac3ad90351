"""``geoleads public serve``: the public tip pages alone, for a public host.

The public site (gallery, tip form) shares the store with the investigators'
app but has none of its routes: run it on its own host, behind a TLS reverse
proxy. Equivalent: ``waitress-serve --call geoleads.web.public:create_public_app``.
"""

from __future__ import annotations

import click


@click.group("public")
def command() -> None:
    """The public tip intake site (object gallery and anonymous tip form)."""


@command.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port.")
@click.option("--threads", default=8, show_default=True, type=int, help="Waitress threads.")
@click.option(
    "--proxy-hops",
    default=0,
    show_default=True,
    type=int,
    help="Reverse proxies in front that set X-Forwarded-For (for the per-address rate limit).",
)
@click.option(
    "--rate-limit",
    default=10,
    show_default=True,
    type=int,
    help="Tips per address per 10 minutes (0: no limit).",
)
def serve(host: str, port: int, threads: int, proxy_hops: int, rate_limit: int) -> None:
    """Serve only the public pages (under /public) on the configured store.

    Waitress writes no access log; no client address or user agent is stored
    or logged. Tips are geoparsed in the background and appear in the
    investigators' review queue.

    \b
    Examples:
      geoleads public serve --port 8080
      GEOLEADS_DATABASE_URL=postgresql://geo@db/geo geoleads public serve --proxy-hops 1
    """
    from waitress import serve as waitress_serve

    from geoleads.web.public import create_public_app

    app = create_public_app({"PUBLIC_PROXY_HOPS": proxy_hops, "PUBLIC_RATE_LIMIT": rate_limit})
    click.echo(f"geoleads: serving the public tip pages on http://{host}:{port}/public/")
    waitress_serve(app, host=host, port=port, threads=threads, ident="geoleads")
