"""The tables of the store (SQLAlchemy 2.0 typed models).

The Alembic migrations in :mod:`geoleads.migrations` create exactly these tables;
change both together (``alembic revision`` against a scratch database, then
check the generated file).

Natural keys are used where the outside world has them: ``objects.object_id``
and ``tips.tip_id`` are the identifiers of the tip files, so imports can insert
tips and their mentions in bulk without a round trip for generated ids.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

#: Review statuses an analyst can set ("unreviewed" is the absence of a review).
REVIEW_STATUSES = ("credible", "doubtful", "spam", "duplicate")
#: Roles, weakest first.
ROLES = ("viewer", "analyst", "admin")
#: States of a background import job.
JOB_STATUSES = ("pending", "reading", "geoparsing", "writing", "done", "failed")

ID = String(200)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (also on SQLite)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: geoleads stores aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every geoleads table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class ObjectRow(Base):
    """An object published for identification (a shampoo bottle, a wallpaper)."""

    __tablename__ = "objects"

    object_id: Mapped[str] = mapped_column(ID, primary_key=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    question: Mapped[str | None] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    image_path: Mapped[str | None] = mapped_column(String(1000))
    tip_count: Mapped[int] = mapped_column(Integer, default=0)
    last_tip_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class TipRow(Base):
    """One tip as imported; ``geoparsed_at`` is null until its mentions are stored."""

    __tablename__ = "tips"
    __table_args__ = (
        # covering: per-day counts and language filters of one object read the index only
        Index("ix_tips_object_received_lang", "object_id", "received_at", "language"),
        Index("ix_tips_content_hash", "content_hash"),
        Index("ix_tips_pending_geoparse", "geoparsed_at"),
    )

    tip_id: Mapped[str] = mapped_column(ID, primary_key=True)
    object_id: Mapped[str] = mapped_column(ID, ForeignKey("objects.object_id"))
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    language: Mapped[str | None] = mapped_column(String(35))
    source: Mapped[str] = mapped_column(String(500))
    imported_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
    geoparsed_at: Mapped[datetime | None]


class MentionRow(Base):
    """One mention found in a tip: its best reading in columns, the others as JSON."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("tip_id", "position", name="uq_mentions_tip_position"),
        Index("ix_mentions_country", "country"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tip_id: Mapped[str] = mapped_column(ID, ForeignKey("tips.tip_id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    geonameid: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(500))
    level: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    admin1: Mapped[str | None] = mapped_column(String(30))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    alternatives: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class ReviewRow(Base):
    """The current review of a tip. ``version`` counts reviews; a stale write is refused."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_object_status", "object_id", "status"),)

    tip_id: Mapped[str] = mapped_column(ID, ForeignKey("tips.tip_id"), primary_key=True)
    object_id: Mapped[str | None] = mapped_column(ID)  # the tip's, copied: counts need no join
    status: Mapped[str] = mapped_column(String(20))
    username: Mapped[str] = mapped_column(String(150))
    at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class UserRow(Base):
    """An investigator account; ``password_hash`` is an argon2id hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]


class AuditEventRow(Base):
    """Who did what, when. Append-only: the database refuses UPDATE and DELETE."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_user_action", "username", "action"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    username: Mapped[str | None] = mapped_column(String(150))
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str | None] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class LoginAttemptRow(Base):
    """One login attempt counted by the rate limit (shared by every server process)."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime]


class ImportJobRow(Base):
    """A (background) import of one file, with progress for the web page."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    filename: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(150))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]  # last progress: a job silent for long was interrupted
    finished_at: Mapped[datetime | None]
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
