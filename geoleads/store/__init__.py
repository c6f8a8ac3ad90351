"""The SQL store: objects, tips, stored geoparse results, reviews, users, audit log, jobs.

SQLite file by default (``Settings.from_env().database_url``), PostgreSQL via
``GEOLEADS_DATABASE_URL``; the schema comes from the Alembic migrations.

>>> from datetime import UTC, datetime
>>> from geoleads.tips import Tip
>>> store = Store.open("sqlite://", upgrade=True)   # init_db(url) does the same for a URL
>>> import_tips(store, [Tip("T1", "OBJ-1", "aus Graz", datetime(2024, 1, 1, tzinfo=UTC))]).added
1
>>> with store.session() as s:            # one transaction; errors become StoreError
...     version = set_review(s, "T1", "credible", user="ana")
...     [o.reviews for o in list_objects(s)]
[{'credible': 1}]

Modules: ``engine`` (opening, errors), ``schema`` (migrations), ``models`` (tables),
``imports`` / ``jobs`` (import), ``mentions`` (geoparse results), ``objects``
(reading), ``reviews``, ``users``, ``audit``.
"""

from geoleads.store.audit import audit, audit_events, count_audit_events
from geoleads.store.engine import Store, make_engine, parse_url
from geoleads.store.imports import ImportReport, content_hash, import_tips
from geoleads.store.jobs import (
    create_import_job,
    fail_interrupted_jobs,
    get_import_job,
    list_import_jobs,
    run_import_job,
    update_import_job,
)
from geoleads.store.mentions import (
    geoparse_pending,
    mention_from_row,
    mention_rows,
    mentions_for_tips,
    pending_count,
    reset_geoparse,
)
from geoleads.store.models import JOB_STATUSES, REVIEW_STATUSES, ROLES
from geoleads.store.objects import (
    ObjectSummary,
    StoredTip,
    count_tips,
    ensure_object,
    get_object,
    list_objects,
    object_mentions,
    object_tips,
    reviews_for_object,
    tips_for_object,
    update_object,
)
from geoleads.store.reviews import get_review, set_review, set_reviews
from geoleads.store.schema import current_revision, head_revision, init_db, upgrade
from geoleads.store.users import (
    add_user,
    authenticate,
    get_user,
    list_users,
    role_at_least,
    set_active,
    set_password,
    set_role,
)

__all__ = [
    "JOB_STATUSES",
    "REVIEW_STATUSES",
    "ROLES",
    "ImportReport",
    "ObjectSummary",
    "Store",
    "StoredTip",
    "add_user",
    "audit",
    "audit_events",
    "authenticate",
    "content_hash",
    "count_audit_events",
    "count_tips",
    "create_import_job",
    "current_revision",
    "ensure_object",
    "fail_interrupted_jobs",
    "geoparse_pending",
    "get_import_job",
    "get_object",
    "get_review",
    "get_user",
    "head_revision",
    "import_tips",
    "init_db",
    "list_import_jobs",
    "list_objects",
    "list_users",
    "make_engine",
    "mention_from_row",
    "mention_rows",
    "mentions_for_tips",
    "object_mentions",
    "object_tips",
    "parse_url",
    "pending_count",
    "reset_geoparse",
    "reviews_for_object",
    "role_at_least",
    "run_import_job",
    "set_active",
    "set_password",
    "set_review",
    "set_reviews",
    "set_role",
    "tips_for_object",
    "update_import_job",
    "update_object",
    "upgrade",
]
