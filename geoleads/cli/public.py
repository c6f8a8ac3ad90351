"""``geoleads public serve``: the public tip pages alone, for a public host.

The public site (gallery, tip form) shares the store with the investigators'
app but has none of its routes: run it on its own host, behind a TLS reverse
proxy. Equivalent: ``waitress-serve --call geoleads.web.public:create_public_app``.
"""

from __future__ import annotations

from pathlib import Path

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


def _set_published(object_ids: tuple[str, ...], published: bool, image: Path | None) -> None:
    from geoleads.config import Settings
    from geoleads.images import clean_image, save_image
    from geoleads.store import Store
    from geoleads.store.audit import audit
    from geoleads.store.objects import get_object, update_object

    settings = Settings.from_env()
    fields: dict[str, object] = {"published": published}
    if image is not None:
        cleaned = clean_image(image.read_bytes())
        fields["image_path"] = save_image(settings.home / "images", cleaned)
    store = Store.open(upgrade=True)
    with store.session() as s:
        for object_id in object_ids:
            get_object(s, object_id)
            update_object(s, object_id, **fields)
            audit(
                s,
                "object_change",
                user="cli",
                target=object_id,
                details={k: str(v) for k, v in fields.items()},
            )
    store.dispose()
    state = "public" if published else "hidden"
    click.echo(f"geoleads: {len(object_ids)} object(s) now {state}")


@command.command("publish")
@click.argument("object_ids", nargs=-1, required=True)
@click.option(
    "--image",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Picture to show (re-encoded without EXIF/GPS or any other metadata).",
)
def publish(object_ids: tuple[str, ...], image: Path | None) -> None:
    """Show objects in the public gallery (optionally with a new picture).

    \b
    Examples:
      geoleads public publish OBJ-SHAMPOO OBJ-WALLPAPER
      geoleads public publish OBJ-MUG --image mug-crop.jpg
    """
    _set_published(object_ids, True, image)


@command.command("unpublish")
@click.argument("object_ids", nargs=-1, required=True)
def unpublish(object_ids: tuple[str, ...]) -> None:
    """Withdraw objects from the public gallery (their tips stay in the store)."""
    _set_published(object_ids, False, None)
