"""The SQL store on SQLite and on a real PostgreSQL server (``store_url`` is parametrized)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from geoleads.errors import ConfigError, ConflictError, NotFoundError, StoreError
from geoleads.leads import Candidate, Mention
from geoleads.store import (
    Store,
    add_user,
    audit,
    audit_events,
    authenticate,
    count_audit_events,
    count_tips,
    current_revision,
    get_object,
    get_review,
    head_revision,
    import_tips,
    init_db,
    list_objects,
    list_users,
    make_engine,
    mentions_for_tips,
    object_mentions,
    object_tips,
    reviews_for_object,
    set_active,
    set_review,
    set_reviews,
    tips_for_object,
    update_object,
)
from geoleads.store.mentions import pending_count, reset_geoparse, write_mentions
from geoleads.tips import Tip

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
KRAKOW = Candidate(3094802, "Kraków", "locality", "PL", "PL.77", 50.06143, 19.93658, 0.8)
KRAKOW_US = Candidate(5161947, "Krakow", "locality", "US", "US.WI", 44.76, -88.25, 0.2)
POLAND = Candidate(None, "Poland", "country", "PL", None, 52.0, 19.0, 0.9)


def tip(n: int, obj: str = "OBJ-1", text_: str | None = None, **kw: object) -> Tip:
    return Tip(
        f"T{n}",
        obj,
        text_ or f"tip number {n}",
        T0 + timedelta(hours=n),
        kw.get("language"),  # type: ignore[arg-type]
    )


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store.open(store_url, upgrade=True)
    yield s
    s.dispose()


def test_migrations_reach_head_and_are_idempotent(store_url: str) -> None:
    assert init_db(store_url) == head_revision()
    assert init_db(store_url) == head_revision()
    s = Store.open(store_url)
    assert current_revision(s.engine) == head_revision()
    s.dispose()


def test_models_and_migrations_agree(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from geoleads.store.models import Base

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_from_0001_backfills_review_objects(store_url: str) -> None:
    from geoleads.store.schema import upgrade

    store = Store(make_engine(store_url))
    upgrade(store.engine, "0001")
    insert_object = text(
        "INSERT INTO objects (object_id, title, published, tip_count, created_at) "
        "VALUES ('O', 'O', false, 1, '2024-01-01');"
    )
    with store.session() as s:
        s.execute(insert_object)
        s.execute(
            text(
                "INSERT INTO tips (tip_id, object_id, text, received_at, source, imported_at, "
                "content_hash) VALUES ('T', 'O', 'x', '2024-01-01', 'f', '2024-01-01', 'h')"
            )
        )
        s.execute(
            text(
                "INSERT INTO reviews (tip_id, status, username, at, version) "
                "VALUES ('T', 'spam', 'ana', '2024-01-01', 1)"
            )
        )
    upgrade(store.engine)
    with store.session() as s:
        assert reviews_for_object(s, "O") == {"T": "spam"}
        assert list_objects(s)[0].reviews == {"spam": 1}
    store.dispose()


def test_import_is_idempotent_and_counts(store: Store) -> None:
    tips = [tip(1), tip(2), tip(3, "OBJ-2", language="de")]
    report = import_tips(store, tips, user="ana", source="a.csv")
    assert (report.added, report.skipped_existing, report.objects_created) == (3, 0, 2)
    again = import_tips(store, [*tips, tip(4)], user="ana", source="a.csv")
    assert (again.added, again.skipped_existing, again.objects_created) == (1, 3, 0)
    with store.session() as s:
        objects = {o.object_id: o for o in list_objects(s)}
        assert objects["OBJ-1"].tips == 3 and objects["OBJ-2"].tips == 1
        assert objects["OBJ-1"].last_tip_at == T0 + timedelta(hours=4)
        stored = object_tips(s)
        assert sorted(t.tip_id for t in stored) == ["T1", "T2", "T3", "T4"]
        assert {t.tip_id: t for t in stored}["T3"] == tips[2]  # round trip, aware UTC
        events = audit_events(s, action="import")
        assert [e.details["added"] for e in events] == [1, 3]
        assert events[0].username == "ana" and events[0].target == "a.csv"


def test_concurrent_imports_of_overlapping_files(store: Store) -> None:
    """A tip imported meanwhile by another importer is skipped, never stored twice."""
    import threading

    results = {}
    first = store.sessionmaker()
    import_tips(first, [tip(1), tip(2)], source="a.csv")  # not committed yet

    def second() -> None:
        results["b"] = import_tips(store, [tip(2), tip(3)], source="b.csv")

    worker = threading.Thread(target=second)
    worker.start()
    worker.join(timeout=1.0)  # it waits for the first transaction's lock
    first.commit()
    first.close()
    worker.join(timeout=60)
    assert not worker.is_alive()
    report = results["b"]
    assert (report.added, report.skipped_existing) == (1, 1)
    with store.session() as s:
        assert sorted(t.tip_id for t in object_tips(s)) == ["T1", "T2", "T3"]
        assert list_objects(s)[0].tips == 3


def test_changed_text_is_reported_not_overwritten(store: Store) -> None:
    import_tips(store, [tip(1, text_="aus Graz")])
    report = import_tips(store, [tip(1, text_="aus Linz")])
    assert report.added == 0 and report.changed == ["T1"]
    with store.session() as s:
        assert object_tips(s)[0].text == "aus Graz"


def test_import_is_all_or_nothing(store: Store) -> None:
    good = [tip(n) for n in range(12_000)]
    bad = Tip("BAD", "OBJ-9", "x", datetime(2024, 1, 1))  # naive time: refused at write
    with pytest.raises(StatementError, match="naive datetime"):
        import_tips(store, [*good, bad])
    with store.session() as s:
        assert object_tips(s) == []
        assert list_objects(s) == []
        assert count_audit_events(s) == 0


def test_import_inside_callers_transaction_rolls_back(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session() as s:
        import_tips(s, [tip(1)])
        raise RuntimeError("caller failed after importing")
    with store.session() as s:
        assert object_tips(s) == []


def test_mentions_round_trip_and_filters(store: Store) -> None:
    import_tips(store, [tip(1, language="de"), tip(2, language="pl"), tip(3)])
    krakau = Mention(0, 6, "Krakau", "place", (KRAKOW, KRAKOW_US))
    polish = Mention(10, 17, "polnisch", "demonym", (POLAND,))
    nothing = Mention(3, 8, "Xyzzy", "place", ())
    with store.session() as s:
        assert pending_count(s) == 3
        write_mentions(s, {"T1": [krakau, polish], "T2": [nothing], "T3": []})
    with store.session() as s:
        assert pending_count(s) == 0
        found = mentions_for_tips(s, ["T1", "T2", "T3"])
        assert found["T1"] == [krakau, polish]  # exact, incl. alternatives and probabilities
        assert found["T2"] == [nothing]
        assert "T3" not in found
        assert object_mentions(s, "OBJ-1") == {"T1": [krakau, polish], "T2": [nothing], "T3": []}
        ids = lambda **f: [t.tip.tip_id for t in tips_for_object(s, "OBJ-1", **f)]  # noqa: E731
        assert ids() == ["T3", "T2", "T1"]  # newest first
        assert ids(has_place=True) == ["T1"]
        assert ids(has_place=False) == ["T3", "T2"]
        assert ids(country="PL") == ["T1"]
        assert ids(language="pl") == ["T2"]
        assert ids(since=T0 + timedelta(hours=2)) == ["T3", "T2"]
        assert ids(until=T0 + timedelta(hours=2)) == ["T1"]
        assert count_tips(s, "OBJ-1", has_place=False) == 2
        [t1] = tips_for_object(s, "OBJ-1", country="PL", with_mentions=True)
        assert t1.mentions == [krakau, polish] and t1.geoparsed
    with store.session() as s:
        assert reset_geoparse(s, "OBJ-1") == 3
    with store.session() as s:
        assert pending_count(s) == 3 and mentions_for_tips(s, ["T1"]) == {}


def test_reviews_latest_wins_with_versions_and_audit(store: Store) -> None:
    import_tips(store, [tip(1), tip(2), tip(3)])
    with store.session() as s:
        assert get_review(s, "T1") is None
        assert set_review(s, "T1", "credible", user="ana") == 1
    with store.session() as s:
        assert set_review(s, "T1", "spam", user="bob", expected_version=1) == 2
        assert set_reviews(s, ["T2", "T3"], "duplicate", user="bob") == {"T2": 1, "T3": 1}
    with store.session() as s:
        assert reviews_for_object(s, "OBJ-1") == {
            "T1": "spam",
            "T2": "duplicate",
            "T3": "duplicate",
        }
        [obj] = list_objects(s)
        assert obj.reviews == {"spam": 1, "duplicate": 2} and obj.unreviewed == 0
        assert [t.tip.tip_id for t in tips_for_object(s, "OBJ-1", status="spam")] == ["T1"]
        history = audit_events(s, action="review", target="T1")
        assert [(e.username, e.details["status"], e.details["previous"]) for e in history] == [
            ("bob", "spam", "credible"),
            ("ana", "credible", "unreviewed"),
        ]
    with store.session() as s, pytest.raises(ConflictError, match="reviewed by bob"):
        set_review(s, "T1", "credible", user="ana", expected_version=1)
    with store.session() as s:
        with pytest.raises(ConfigError):
            set_review(s, "T1", "great", user="ana")
        with pytest.raises(NotFoundError):
            set_review(s, "NOPE", "spam", user="ana")
        assert [t.status for t in tips_for_object(s, "OBJ-1", status=["unreviewed"])] == []


def test_concurrent_reviews_never_lose_an_update(store: Store) -> None:
    """Two analysts read the same tip; the second write is refused, not silently lost."""
    import_tips(store, [tip(1)])
    first, second = store.sessionmaker(), store.sessionmaker()
    try:
        seen_a = get_review(first, "T1")
        seen_b = get_review(second, "T1")
        assert seen_a is None and seen_b is None
        set_review(first, "T1", "credible", user="ana", expected_version=0)
        first.commit()
        with pytest.raises(ConflictError):
            set_review(second, "T1", "spam", user="bob", expected_version=0)
        # Even a blind write (no expected version) does not overwrite a review it did not see.
        current = get_review(second, "T1")
        assert current is not None and current.status == "credible"
        third = store.sessionmaker()
        stale = get_review(third, "T1")
        assert stale is not None and stale.version == 1
        set_review(first, "T1", "doubtful", user="ana")
        first.commit()
        with pytest.raises(ConflictError):
            set_review(third, "T1", "spam", user="carl", expected_version=stale.version)
        third.close()
    finally:
        first.close()
        second.close()
    with store.session() as s:
        review = get_review(s, "T1")
        assert review is not None and (review.status, review.version) == ("doubtful", 2)
        assert count_audit_events(s, action="review") == 2


@pytest.mark.postgres
def test_parallel_reviewers_on_postgres(postgres_url: str) -> None:
    """Threads reviewing one tip on PostgreSQL, retrying on conflict: every review counted."""
    import threading

    store = Store.open(postgres_url, upgrade=True)
    import_tips(store, [tip(1)])
    per_thread, threads, conflicts = 15, 4, [0]
    lock = threading.Lock()

    def reviewer(name: str) -> None:
        done = 0
        while done < per_thread:
            try:
                with store.session() as s:
                    current = get_review(s, "T1")
                    seen = current.version if current else 0
                    set_review(s, "T1", "credible", user=name, expected_version=seen)
                done += 1
            except ConflictError:
                with lock:
                    conflicts[0] += 1

    workers = [threading.Thread(target=reviewer, args=(f"u{i}",)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    with store.session() as s:
        review = get_review(s, "T1")
        assert review is not None and review.version == per_thread * threads
        versions = sorted(
            e.details["version"] for e in audit_events(s, action="review", limit=None)
        )
        assert versions == list(range(1, per_thread * threads + 1))
    store.dispose()


def test_audit_log_is_append_only_in_the_database(store: Store) -> None:
    with store.session() as s:
        audit(s, "login", user="ana", details={"ip": "127.0.0.1"})
    for sql in ("UPDATE audit_events SET username = 'eve'", "DELETE FROM audit_events"):
        with pytest.raises(StoreError, match="append-only"), store.session() as s:
            s.execute(text(sql))
    if not store.is_sqlite:
        with pytest.raises(StoreError, match="append-only"), store.session() as s:
            s.execute(text("TRUNCATE audit_events"))
    with store.session() as s:
        [event] = audit_events(s)
        assert (event.username, event.action, event.details) == (
            "ana",
            "login",
            {"ip": "127.0.0.1"},
        )
        assert event.at.tzinfo is UTC


def test_users_argon2_roles_and_authentication(store: Store) -> None:
    with store.session() as s:
        add_user(s, "ana", "correct horse battery", role="analyst")
        add_user(s, "root", "admin password 1", role="admin")
    with store.session() as s, pytest.raises(ConflictError):
        add_user(s, "ana", "another password", role="viewer")
    with store.session() as s:
        with pytest.raises(ConfigError, match="at least"):
            add_user(s, "bob", "short")
        with pytest.raises(ConfigError, match="role"):
            add_user(s, "bob", "long enough password", role="god")
        with pytest.raises(ConfigError, match="user name"):
            add_user(s, "<script>", "long enough password")
    with store.session() as s:
        users = {u.username: u for u in list_users(s)}
        assert users["ana"].password_hash.startswith("$argon2id$")
        assert "correct horse" not in users["ana"].password_hash
        user = authenticate(s, "ana", "correct horse battery")
        assert user is not None and user.role == "analyst" and user.last_login_at is not None
        assert authenticate(s, "ana", "wrong password") is None
        assert authenticate(s, "nobody", "correct horse battery") is None
        set_active(s, "ana", False)
    with store.session() as s:
        assert authenticate(s, "ana", "correct horse battery") is None


def test_objects_can_be_edited(store: Store) -> None:
    import_tips(store, [tip(1)])
    with store.session() as s:
        update_object(s, "OBJ-1", title="Green shampoo bottle", published=True, kind="bottle")
        with pytest.raises(ValueError, match="cannot edit"):
            update_object(s, "OBJ-1", tip_count=0)
    with store.session() as s:
        obj = get_object(s, "OBJ-1")
        assert (obj.title, obj.published, obj.kind) == ("Green shampoo bottle", True, "bottle")
        with pytest.raises(NotFoundError):
            get_object(s, "OBJ-404")
        assert [o.object_id for o in list_objects(s, published_only=True)] == ["OBJ-1"]


def test_any_mentions_round_trip_exactly() -> None:
    """Property: whatever the geoparser returns is read back identical (floats, unicode)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    store = Store.open("sqlite://", upgrade=True)
    import_tips(store, [tip(1)])
    finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
    candidate = st.builds(
        Candidate,
        st.none() | st.integers(0, 2**31 - 1),
        st.text(min_size=1, max_size=30),
        st.sampled_from(["country", "admin1", "locality", "point"]),
        st.none() | st.text(min_size=2, max_size=2, alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        st.none() | st.text(max_size=10),
        finite,
        finite,
        st.floats(0, 1),
    )
    mention = st.builds(
        Mention,
        st.integers(0, 10_000),
        st.integers(0, 10_000),
        st.text(max_size=40),
        st.sampled_from(["place", "demonym", "language", "coordinates", "url", "postal"]),
        st.lists(candidate, max_size=4).map(tuple),
    )

    @settings(max_examples=60, deadline=None)
    @given(st.lists(mention, max_size=5))
    def check(mentions: list[Mention]) -> None:
        with store.session() as s:
            write_mentions(s, {"T1": mentions})
        with store.session() as s:
            assert mentions_for_tips(s, ["T1"]).get("T1", []) == mentions

    check()
    store.dispose()
