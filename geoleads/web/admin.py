"""Administration: the audit log (read only) and the user accounts (admins only)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from geoleads.errors import ConfigError, ConflictError
from geoleads.store import users as store_users
from geoleads.store.audit import ACTIONS, audit_events
from geoleads.store.audit import audit as write_audit
from geoleads.store.models import ROLES
from geoleads.web import accounts
from geoleads.web.security import require_role
from geoleads.web.state import store

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 100


@bp.get("/audit")
@require_role("admin")
def audit() -> Any:
    """Audit events newest first, filtered by user, action and target (kept in the URL)."""
    user = (request.args.get("user") or "").strip()[:150] or None
    action = (request.args.get("action") or "").strip()[:50] or None
    target = (request.args.get("target") or "").strip()[:500] or None
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    with store().session() as s:
        events = audit_events(
            s,
            user=user,
            action=action,
            target=target,
            limit=PER_PAGE + 1,
            offset=(page - 1) * PER_PAGE,
        )
        rows = [
            {
                "id": e.id,
                "at": e.at,
                "username": e.username,
                "action": e.action,
                "target": e.target,
                "details": e.details,
            }
            for e in events
        ]
    args = {k: v for k, v in (("user", user), ("action", action), ("target", target)) if v}
    return render_template(
        "audit.html",
        events=rows[:PER_PAGE],
        has_next=len(rows) > PER_PAGE,
        page=page,
        args=args,
        actions=(*ACTIONS, accounts.VIEW_ACTION, "api_token"),
    )


@bp.route("/users", methods=["GET", "POST"])
@require_role("admin")
def users() -> Any:
    """Accounts; admins add users and change roles or disable accounts."""
    if request.method == "POST":
        action = request.form.get("action")
        username = (request.form.get("username") or "").strip()
        try:
            with store().session() as s:
                if action == "add":
                    role = request.form.get("role", "viewer")
                    store_users.add_user(s, username, request.form.get("password") or "", role=role)
                    details: dict[str, Any] = {"role": role}
                elif action == "role":
                    role = request.form.get("role", "")
                    store_users.set_role(s, username, role)
                    details = {"role": role}
                elif action in ("disable", "enable"):
                    if username == current_user.username:
                        raise ConfigError("you cannot disable your own account")
                    store_users.set_active(s, username, action == "enable")
                    details = {"active": action == "enable"}
                else:
                    abort(400, description="unknown action")
                write_audit(
                    s,
                    "user_add" if action == "add" else "user_change",
                    user=current_user.username,
                    target=username,
                    details=details,
                )
        except (ConfigError, ConflictError) as err:
            flash(str(err), "error")
        else:
            flash(f"User {username}: done ({action}).", "success")
        return redirect(url_for("admin.users"))
    return render_template("users.html", users=accounts.list_users(store()), roles=ROLES)
