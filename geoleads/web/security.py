"""Security plumbing of the web app: secret key, headers, roles (the login rate limit is
:mod:`geoleads.store.ratelimit`).

Nothing secret lives in code: the secret key comes from ``GEOLEADS_SECRET_KEY``
or from a random key written once (mode 0600) under ``GEOLEADS_HOME``.

>>> role_allows("admin", "analyst"), role_allows("viewer", "analyst")
(True, False)
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, Request, Response, abort, has_request_context, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from geoleads.errors import ConfigError

ROLES = ("viewer", "analyst", "admin")
_RANK = {role: i for i, role in enumerate(ROLES)}

#: Content-Security-Policy: our own server only, never an outside host.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'"
)

#: The lead map page is folium's HTML, which needs inline scripts and styles;
#: it is still limited to our own host.
MAP_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'self'; form-action 'none'; base-uri 'none'; object-src 'none'"
)

F = TypeVar("F", bound=Callable[..., Any])


def load_secret_key(home: Path, configured: str | None = None) -> str:
    """Return ``configured`` or a random key persisted in ``home/secret_key`` (mode 0600).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> load_secret_key(d) == load_secret_key(d)
    True
    >>> oct((d / "secret_key").stat().st_mode & 0o777)
    '0o600'
    """
    if configured:
        return configured
    path = home / "secret_key"
    try:
        home.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            key = secrets.token_hex(32)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(key)
        key = path.read_text().strip()
    except FileExistsError:  # another process wrote it between our check and open
        key = path.read_text().strip()
    except OSError as err:
        raise ConfigError(f"cannot read or write the secret key file {path}: {err}") from err
    if len(key) < 32:
        raise ConfigError(f"the secret key in {path} is too short; delete the file to renew it")
    return key


def role_allows(role: str | None, needed: str) -> bool:
    """True when ``role`` is at least ``needed`` (viewer < analyst < admin)."""
    return role in _RANK and _RANK[role] >= _RANK[needed]


def require_role(needed: str) -> Callable[[F], F]:
    """View decorator: 401 when logged out, 403 when the role is too low."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                abort(401)
            if not role_allows(getattr(current_user, "role", None), needed):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_role = needed  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


class StampedSession(SecureCookieSession):
    """A cookie session that knows when its cookie was signed (None: a new session)."""

    signed_at: float | None = None


class SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions: ``Secure`` on every https request, re-signed only when stale.

    Flask re-signs a permanent session's cookie on every response to slide its
    lifetime. Here the cookie's own signature timestamp is its "refreshed at" stamp:
    an unchanged session gets a new cookie only once that stamp is older than
    ``SESSION_REFRESH_AFTER``. A session is still refused once its cookie is older than
    ``PERMANENT_SESSION_LIFETIME`` (Flask's ``max_age`` check), so the idle timeout
    stays the lifetime, less at most ``SESSION_REFRESH_AFTER``.
    """

    session_class = StampedSession

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer | None] = {}

    def get_cookie_secure(self, app: Flask) -> bool:
        forced = bool(app.config.get("SESSION_COOKIE_SECURE"))
        return forced or (has_request_context() and request.is_secure)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # one serializer per key set instead of a new one (and key derivation) per request
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def open_session(self, app: Flask, request: Request) -> StampedSession | None:
        s = self.get_signing_serializer(app)
        if s is None:
            return None
        val = request.cookies.get(self.get_cookie_name(app))
        if not val:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed = s.loads(val, max_age=max_age, return_timestamp=True)
        except BadSignature:  # also an expired cookie (SignatureExpired)
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed.timestamp()
        return session

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if session.modified:
            return True
        if not session.permanent:
            return False
        if app.config["SESSION_REFRESH_EACH_REQUEST"]:
            return True
        signed = getattr(session, "signed_at", None)
        after = app.config.get("SESSION_REFRESH_AFTER", timedelta(minutes=5))
        return signed is None or time.time() - signed >= after.total_seconds()


def install_security(app: Flask) -> None:
    """Secure session cookies over https and security headers on every response."""
    app.session_interface = SessionInterface()

    @app.after_request
    def headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if not request.path.startswith("/static/"):
            # static assets are also loaded by the sandboxed (opaque-origin) lead map frame
            resp.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        resp.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.is_secure:
            resp.headers["Strict-Transport-Security"] = "max-age=31536000"
            cookies = resp.headers.getlist("Set-Cookie")
            if cookies:
                del resp.headers["Set-Cookie"]
                for cookie in cookies:
                    secure = "; secure" in cookie.lower()
                    resp.headers.add("Set-Cookie", cookie if secure else cookie + "; Secure")
        if not request.path.startswith("/static/"):
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp
