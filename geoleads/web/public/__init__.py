"""Public tip intake: the object gallery and the anonymous tip form under ``/public``.

Two ways to serve it, both over the same store:

* inside the investigators' app — :func:`register_public` (called by
  :func:`geoleads.web.create_app`) adds the public pages and, for logged-in
  analysts, the publishing pages under ``/publishing``;
* alone, on a public host — :func:`create_public_app` builds an app with the
  public pages only (no login, no investigator route)::

      waitress-serve --port 8080 --call geoleads.web.public:create_public_app
      geoleads public serve --port 8080

Settings (Flask config; the defaults are fine for one server):

=============================  ==============================================================
``PUBLIC_RATE_LIMIT``          tips per address per window (default 10; 0 = no limit)
``PUBLIC_RATE_WINDOW_S``       the window in seconds (default 600)
``PUBLIC_MAX_REQUEST_BYTES``   largest form POST (default 64 KiB)
``PUBLIC_FORM_MAX_AGE_S``      how long a form stays valid (default 6 h)
``PUBLIC_GEOPARSER``           geoparser or factory for the background worker (default: real)
``PUBLIC_INTAKE_AUTOSTART``    start the worker with the app (default: unless TESTING)
``PUBLIC_PROXY_HOPS``          trusted reverse proxies setting X-Forwarded-For (default 0)
``PUBLIC_OBJECTS_TTL_S``       seconds a publishing change takes to reach another process (5)
``IMAGES_DIR``                 object pictures (default ``$GEOLEADS_HOME/images``)
=============================  ==============================================================

>>> app = create_public_app({"TESTING": True, "DATABASE_URL": "sqlite://",
...                          "SECRET_KEY": "k" * 32, "PUBLIC_GEOPARSER": lambda: None})
>>> sorted(app.blueprints)
['public']
>>> app.test_client().get("/public/").status_code
200
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, redirect, url_for

from geoleads.config import Settings
from geoleads.intake import Intake
from geoleads.web.public.guard import AddressLimiter, ForgetClient, FormTokens, scrub_access_log
from geoleads.web.public.published import PublishedObjects
from geoleads.web.public.views import PublicState, bp


def init_public(app: Flask) -> PublicState:
    """Create the public pages' shared state (intake worker, limiter, tokens) on ``app``."""
    cfg = app.config
    images = cfg.get("IMAGES_DIR") or str(Path(cfg["GEOLEADS_HOME"]) / "images")
    cfg["IMAGES_DIR"] = images
    state = PublicState(
        intake=Intake(app.extensions["geoleads_store"], cfg.get("PUBLIC_GEOPARSER")),
        limiter=AddressLimiter(
            attempts=int(cfg.get("PUBLIC_RATE_LIMIT", 10)),
            window_s=float(cfg.get("PUBLIC_RATE_WINDOW_S", 600.0)),
        ),
        tokens=FormTokens(str(cfg["SECRET_KEY"]), int(cfg.get("PUBLIC_FORM_MAX_AGE_S", 6 * 3600))),
        images_dir=images,
        objects=PublishedObjects(
            app.extensions["geoleads_store"], float(cfg.get("PUBLIC_OBJECTS_TTL_S", 5.0))
        ),
    )
    app.extensions["geoleads_public"] = state
    if cfg.get("PUBLIC_INTAKE_AUTOSTART", not app.testing):
        state.intake.start()
    return state


def register_public(app: Flask, *, manage: bool = True) -> None:
    """Add the public pages (and, with ``manage``, the publishing pages) to ``app``.

    ``app`` must already hold the store (``geoleads.web.state.init_state``). The
    public blueprint is exempt from the app's cookie-based CSRF protection: its
    form carries its own cookie-less token (see :mod:`.guard`).
    """
    init_public(app)
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
    if manage:
        from geoleads.web.public import manage as manage_module

        app.register_blueprint(manage_module.bp)
    app.wsgi_app = ForgetClient(app.wsgi_app, "/public")  # type: ignore[method-assign]
    scrub_access_log("/public")


def create_public_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The public site alone: gallery, tip form, thanks, pictures — over the shared store."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from geoleads.store.engine import Store
    from geoleads.web.security import install_security, load_secret_key

    app = Flask(__name__)
    settings = Settings.from_env()
    app.config.update(
        GEOLEADS_HOME=str(settings.home),
        DATABASE_URL=settings.database_url,
        PUBLIC_PROXY_HOPS=0,
    )
    app.config.update(dict(test_config or {}))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(settings.home, settings.secret_key)
    app.extensions["geoleads_store"] = Store.open(
        app.config["DATABASE_URL"], upgrade=app.config.get("DB_AUTO_UPGRADE", True)
    )
    install_security(app)
    init_public(app)
    app.register_blueprint(bp)
    # Every path of this app is public: no client address after the rate limit, anywhere.
    app.wsgi_app = ForgetClient(app.wsgi_app, "")  # type: ignore[method-assign]
    hops = int(app.config["PUBLIC_PROXY_HOPS"])
    if hops:  # outermost: the real client address from X-Forwarded-For, then forgotten
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    @app.get("/")
    def home() -> Any:
        return redirect(url_for("public.gallery"))

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


__all__ = ["create_public_app", "init_public", "register_public"]
