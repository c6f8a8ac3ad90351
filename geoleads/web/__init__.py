"""The investigators' web app: ``create_app()`` builds a Flask app over the store.

Blueprints, one area each: :mod:`.auth` (login/logout/account), :mod:`.objects`
(objects list, object page, lead map), :mod:`.review` (review actions and queue),
:mod:`.imports` (tip file upload with a background job), :mod:`.admin` (audit log,
users) and :mod:`.api` (JSON API under ``/api/v1`` with an OpenAPI document).

Everything but the login page (and a public blueprint, if one is registered)
requires a logged-in user: pages redirect to the login page, the API answers
401 JSON.

>>> app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 32})
>>> sorted(bp for bp in app.blueprints)
['admin', 'api', 'auth', 'exports', 'imports', 'objects', 'public', 'publishing', 'review']
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from geoleads.config import Settings
from geoleads.web.security import install_security, load_secret_key

#: Endpoints anyone may reach without logging in.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "health", "api.openapi"})
#: Blueprints anyone may reach (the public tip intake, when it is registered).
PUBLIC_BLUEPRINTS = frozenset({"public"})

csrf = CSRFProtect()


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``test_config`` overrides settings (e.g. ``DATABASE_URL``)."""
    app = Flask(__name__)
    settings = Settings.from_env()
    cfg = dict(test_config or {})
    app.config.update(
        GEOLEADS_HOME=str(settings.home),
        DATABASE_URL=settings.database_url,
        MAX_CONTENT_LENGTH=200 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="geoleads_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # the cookie is re-signed when older than this, not on every response
        # (security.SessionInterface): idle sessions end after 12 h, less at most 5 min
        SESSION_REFRESH_EACH_REQUEST=False,
        SESSION_REFRESH_AFTER=timedelta(minutes=5),
        WTF_CSRF_TIME_LIMIT=12 * 3600,
        LOGIN_RATE_LIMIT=10,
        LOGIN_RATE_WINDOW_S=300.0,
        IMPORT_IN_THREAD=True,
        TILES=settings.tiles,
    )
    app.config.update(cfg)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(settings.home, settings.secret_key)
    # Cookies get the Secure flag on every https request (security.install_security);
    # SESSION_COOKIE_SECURE=True forces it always (e.g. behind a TLS proxy).
    app.config.setdefault("SESSION_COOKIE_SECURE", False)
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]

    from geoleads.web import admin, api, auth, exports, imports, objects, review
    from geoleads.web.state import init_state

    init_state(app)

    @app.before_request
    def login_wall() -> Any:
        endpoint = request.endpoint or ""
        if endpoint in PUBLIC_ENDPOINTS or request.blueprint in PUBLIC_BLUEPRINTS:
            return None
        if current_user.is_authenticated:
            return None
        if request.path.startswith("/api/"):
            from geoleads.web.api import unauthorized

            return unauthorized()
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    csrf.init_app(app)  # after the login wall: anonymous requests never reach a form
    auth.init_login(app)
    install_security(app)
    for module in (auth, objects, review, imports, exports, admin, api):
        app.register_blueprint(module.bp)
    csrf.exempt(api.bp)  # the API uses session cookies (SameSite) or a bearer token; see api.py
    from geoleads.web.public import register_public

    register_public(app)  # /public: anonymous tip pages; /publishing: analysts (web/public/)

    @app.get("/healthz", endpoint="health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/")
    def home() -> Any:
        return redirect(url_for("objects.index"))

    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError) -> Any:
        return render_template(
            "error.html", code=400, name="Form expired", description=err.description
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Any:
        if request.path.startswith("/api/"):
            from geoleads.web.api import json_error

            return json_error(err.code or 500, err.description or err.name)
        return render_template(
            "error.html", code=err.code, name=err.name, description=err.description
        ), err.code

    return app
