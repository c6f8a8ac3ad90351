"""Several web server processes: login attempts in the database; covering indexes.

* ``login_attempts``: the login rate limit is counted here, so every server
  process (``geoleads serve --workers N``) sees the same attempts.
* ``ix_tips_object_received_lang`` (object_id, received_at, language) replaces
  ``ix_tips_object_received``: the object page's per-day counts and pages filtered
  by language are answered from the index alone.
* ``ix_audit_events_user_action`` (username, action): a user's object visits.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_attempts_key_at", "login_attempts", ["key", "at"], unique=False)
    op.create_index(
        "ix_tips_object_received_lang",
        "tips",
        ["object_id", "received_at", "language"],
        unique=False,
    )
    op.drop_index("ix_tips_object_received", table_name="tips")
    op.create_index(
        "ix_audit_events_user_action", "audit_events", ["username", "action"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_user_action", table_name="audit_events")
    op.create_index("ix_tips_object_received", "tips", ["object_id", "received_at"], unique=False)
    op.drop_index("ix_tips_object_received_lang", table_name="tips")
    op.drop_index("ix_login_attempts_key_at", table_name="login_attempts")
    op.drop_table("login_attempts")
