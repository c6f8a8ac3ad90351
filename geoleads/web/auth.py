"""Login, logout and the account page; Flask-Login wiring and the login rate limit.

Failed and successful logins and logouts are written to the audit log. The rate
limit counts attempts per client address and per user name in the store's
``login_attempts`` table, so every server process (``serve --workers N``) shares it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, current_user, login_user, logout_user

from geoleads.store.ratelimit import StoreRateLimiter
from geoleads.web import accounts
from geoleads.web.state import store

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


def init_login(app: Flask) -> None:
    """Attach Flask-Login and the login rate limiter to ``app``."""
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    app.extensions["geoleads_login_limiter"] = StoreRateLimiter(
        app.extensions["geoleads_store"],
        attempts=int(app.config["LOGIN_RATE_LIMIT"]),
        window_s=float(app.config["LOGIN_RATE_WINDOW_S"]),
    )


@login_manager.user_loader
def load_user(user_id: str) -> accounts.WebUser | None:
    """Reload the user of a session (None when disabled or the password changed)."""
    return accounts.load_session_user(store(), user_id)


@login_manager.request_loader
def load_user_from_token(req: Any) -> accounts.WebUser | None:
    """API clients may send ``Authorization: Bearer <token>`` instead of a session cookie."""
    if not req.path.startswith("/api/"):
        return None
    header = req.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    return accounts.user_by_token(store(), header[7:].strip())


def _safe_next(target: str | None) -> str:
    """Only local paths are followed after login (no open redirect)."""
    if not target:
        return url_for("objects.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("objects.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Show the login form; check the password; rate-limit attempts."""
    nxt = request.values.get("next")
    if current_user.is_authenticated:
        return redirect(_safe_next(nxt))
    if request.method == "GET":
        return render_template("login.html", next=nxt, username="")
    username = (request.form.get("username") or "").strip()[:100]
    password = request.form.get("password") or ""
    limiter: StoreRateLimiter = current_app.extensions["geoleads_login_limiter"]
    address = request.remote_addr or "unknown"
    if not (limiter.hit(f"addr:{address}") and limiter.hit(f"user:{username.lower()}")):
        accounts.audit(store(), None, "login_failed", username or None, {"reason": "rate limited"})
        flash("Too many login attempts. Wait a few minutes and try again.", "error")
        return render_template("login.html", next=nxt, username=username), 429
    user = accounts.authenticate(store(), username, password)
    if user is None:
        accounts.audit(
            store(), None, "login_failed", username or None, {"reason": "wrong password"}
        )
        flash("Wrong user name or password.", "error")
        return render_template("login.html", next=nxt, username=username), 401
    limiter.reset(f"user:{username.lower()}")
    session.clear()
    login_user(user)
    session.permanent = True
    accounts.audit(store(), user.username, "login", user.username)
    return redirect(_safe_next(nxt))


@bp.post("/logout")
def logout() -> Any:
    """Log out (POST with CSRF token, so no other site can log a user out)."""
    if current_user.is_authenticated:
        accounts.audit(store(), current_user.username, "logout", current_user.username)
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
def account() -> Any:
    """Show the user's role and let them create a new API token (shown once)."""
    token = None
    if request.method == "POST":
        if request.form.get("action") != "new-token":
            abort(400)
        token = accounts.new_api_token(current_user)
        accounts.audit(store(), current_user.username, "api_token", current_user.username)
    return render_template("account.html", token=token)
