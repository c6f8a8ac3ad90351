"""Reviews carry their tip's object_id, so per-object review counts need no join.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 23:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("object_id", sa.String(length=200), nullable=True))
    op.execute(
        "UPDATE reviews SET object_id = "
        "(SELECT tips.object_id FROM tips WHERE tips.tip_id = reviews.tip_id)"
    )
    op.create_index("ix_reviews_object_status", "reviews", ["object_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_reviews_object_status", table_name="reviews")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("object_id")
