"""The events store's contract on both databases (a SQLite file, shared PostgreSQL), profile sets
side by side in one PostgreSQL, concurrent writers losing nothing, forgetting on PostgreSQL."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from retrieval.profiles import EventStore
from retrieval.profiles.events import digest_of, has_events, open_events, stored_sets
from retrieval.profiles.forget import forget_user, profile_sets
from shopchat.database import open_database
from shopchat.records import EventKind, Interaction
from shopchat.settings import Settings

T = datetime(2024, 1, 1, tzinfo=UTC)
OpenStore = Callable[[str], EventStore]


def rows() -> list[Interaction]:
    same = Interaction("u1", "i1", EventKind.PURCHASE, T, 2)
    return [same, same,  # an exact duplicate line is a second purchase, not a re-import
            Interaction("u1", "i2", EventKind.VIEW, T),
            Interaction("u2", "", EventKind.QUERY, T, query="red lipstick")]


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    """``open_store(name)``: profile set ``name``'s events (SQLite: a file per set); each call
    a new handle on the same data, like another process."""
    url = request.getfixturevalue("postgres_db_url") if request.param == "postgresql" else None
    opened: list[EventStore] = []

    def build(name: str = "shop") -> EventStore:
        store = EventStore(open_database(url, tmp_path / f"{name}.sqlite"), name)
        opened.append(store)
        return store

    yield build
    for store in opened:
        store.close()


def test_import_is_idempotent_and_keeps_duplicates(open_store: OpenStore) -> None:
    store = open_store("shop")
    vec = np.arange(4, dtype=np.float32)
    assert store.import_interactions(rows(), "src", {"red lipstick": vec}) == 4
    assert store.import_interactions(rows(), "src") == 0
    assert store.import_interactions(rows()[:1], "other source") == 1
    assert store.count() == 5 and store.count("u1") == 4
    [query] = store.events("u2")
    assert query.event is EventKind.QUERY and query.query == "red lipstick"
    assert query.vector is not None and np.array_equal(query.vector, vec)
    assert store.events("u1")[0].quantity == 2 and store.events("u1")[0].ts == T.timestamp()
    assert dict(store.events_of(["u2", "nobody"])).keys() == {"u2"}


def test_a_large_import_is_counted_exactly(open_store: OpenStore) -> None:
    """Multi-row statements: a count not a multiple of their size, re-imported half-new."""
    many = [Interaction(f"u{i % 37}", f"i{i}", EventKind.CLICK, T) for i in range(1234)]
    store = open_store("shop")
    assert store.import_interactions(many[:1000], "src") == 1000
    assert store.import_interactions(many, "src") == 234
    assert store.count() == 1234 and len(store.digests()) == 37


def test_live_events_digests_and_order(open_store: OpenStore) -> None:
    store = open_store("shop")
    store.import_interactions(rows(), "src")
    before = store.digests()
    first = store.add(Interaction("u1", "i3", EventKind.LIKE, T))
    second = store.add(Interaction("u1", "i4", EventKind.CART, datetime(2023, 1, 1, tzinfo=UTC)),
                       np.ones(3, dtype=np.float32))
    assert second > first
    after = store.digests()
    assert before["u2"] == after["u2"] and before["u1"] != after["u1"]
    assert store.digest("u1") == after["u1"] == digest_of(store.events("u1"))
    assert store.digest("nobody") is None and digest_of([]) is None
    assert [e.id for e in store.events("u1")][-2:] == [first, second]
    assert [e.item_id for e in store.recent("u1", 2)] == ["i3", "i2"]  # by time, then id
    assert store.top_users(1) == [("u1", 5)] and store.top_users(5)[1] == ("u2", 1)
    store.ping()


def test_built_marks(open_store: OpenStore) -> None:
    store = open_store("shop")
    store.mark_built({"u1": "a", "u2": "b"})
    store.mark_built({"u1": "c"})
    assert store.built() == {"u1": "c", "u2": "b"}
    store.unmark_built(["u1", "nobody"])
    assert open_store("shop").built() == {"u2": "b"}


def test_forget_deletes_and_blocks_reimport(open_store: OpenStore) -> None:
    store = open_store("shop")
    store.import_interactions(rows(), "src")
    store.mark_built({"u1": "d"})
    assert store.forget("u1") == 3
    assert store.count("u1") == 0 and "u1" not in store.built()
    assert store.is_forgotten("u1") and not store.is_forgotten("u2")
    reopened = open_store("shop")  # the tombstone is durable and shared
    assert reopened.is_forgotten("u1")
    assert reopened.import_interactions(rows(), "src2") == 1  # only u2's row
    reopened.add(Interaction("u1", "i9", EventKind.CLICK, T))  # a returning user may record
    assert reopened.count("u1") == 1 and reopened.forget("u1") == 1


def test_profile_sets_are_separate(open_store: OpenStore) -> None:
    a, b = open_store("online-retail"), open_store("Online Retail")
    a.import_interactions(rows(), "src")
    b.add(Interaction("u1", "x", EventKind.LIKE, T))
    b.forget("u2")
    assert (a.count(), b.count()) == (4, 1)
    assert not a.is_forgotten("u2") and b.is_forgotten("u2")
    assert a.digests().keys() == {"u1", "u2"} and b.digests().keys() == {"u1"}


def test_an_existing_sqlite_file_keeps_working(tmp_path: Path) -> None:
    """A file written before the database layer (same tables, same columns) opens as it is."""
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL,
            item_id TEXT NOT NULL, event TEXT NOT NULL, ts REAL NOT NULL,
            quantity INTEGER NOT NULL DEFAULT 1, query TEXT NOT NULL DEFAULT '', vector BLOB,
            key TEXT NOT NULL UNIQUE);
        CREATE INDEX events_user ON events (user_id, id);
        CREATE TABLE built (user_id TEXT PRIMARY KEY, digest TEXT NOT NULL);
        CREATE TABLE forgotten (user_hash TEXT PRIMARY KEY, at REAL NOT NULL);
        INSERT INTO events (user_id, item_id, event, ts, key)
            VALUES ('old', 'i1', 'like', 1.0, 'k');
        INSERT INTO built VALUES ('old', 'x|1:1');
    """)
    db.commit()
    db.close()
    store = EventStore(path)
    assert store.digest("old") == "1:1" and store.built() == {"old": "x|1:1"}
    store.add(Interaction("old", "i2", EventKind.CLICK, T))
    assert [e.item_id for e in store.events("old")] == ["i1", "i2"]
    store.close()
    tables = {r[0] for r in sqlite3.connect(path).execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"events", "built", "forgotten", "sqlite_sequence"}


# --- PostgreSQL: shared by replicas ------------------------------------------------------------


@pytest.fixture
def pg_settings(tmp_path: Path, postgres_db_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=postgres_db_url)


def test_sets_in_postgres_are_found_and_forgotten(pg_settings: Settings) -> None:
    for name in ("icecat", "online-retail"):
        store = open_events(pg_settings, name)
        store.import_interactions(rows(), "src")
        store.close()
    assert not pg_settings.events_path("icecat").exists()  # nothing on this machine's disk
    scratch = open_events(pg_settings, "scratch", pg_settings.home / "scratch.sqlite")
    scratch.add(Interaction("u1", "i1", EventKind.LIKE, T))  # a benchmark's: a file, not shared
    assert scratch.db.kind == "sqlite"
    scratch.close()
    assert stored_sets(pg_settings) == ["icecat", "online-retail"]
    assert has_events(pg_settings, "icecat") and not has_events(pg_settings, "dummyjson")

    from retrieval.store import open_client

    client = open_client(pg_settings)  # embedded Chroma in the home: no users collections yet
    assert profile_sets(pg_settings, client) == ["icecat", "online-retail"]
    reports = forget_user("u1", pg_settings, client=client)
    assert [(r.store, r.events) for r in reports] == [("icecat", 3), ("online-retail", 3)]
    for name in ("icecat", "online-retail"):
        store = open_events(pg_settings, name)
        assert store.count("u1") == 0 and store.is_forgotten("u1") and store.count("u2") == 1
        assert store.import_interactions(rows(), "again") == 1  # the tombstone holds
        store.close()


WRITERS = 32
EACH = 25


def _write_events(store: EventStore, tag: str, threads: int) -> None:
    def one(n: int) -> None:
        for i in range(EACH):
            store.add(Interaction(f"{tag}-{n}", f"i{i}", EventKind.CLICK, T))

    workers = [threading.Thread(target=one, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def test_32_concurrent_writers_lose_nothing(open_store: OpenStore) -> None:
    store = open_store("shop")
    _write_events(store, "t", WRITERS)
    assert store.count() == WRITERS * EACH
    assert all(store.count(f"t-{n}") == EACH for n in range(WRITERS))
    ids = [e.id for n in range(WRITERS) for e in store.events(f"t-{n}")]
    assert len(set(ids)) == len(ids)


_PROCESS = """
import sys
from pathlib import Path
from retrieval.profiles.events import EventStore
from shopchat.database import open_database
from tests.personal.test_events_postgres import _write_events
store = EventStore(open_database(sys.argv[1], Path("unused")), "shop")
_write_events(store, sys.argv[2], int(sys.argv[3]))
store.close()
"""


def test_two_processes_of_16_writers_lose_nothing(postgres_db_url: str) -> None:
    store = EventStore(open_database(postgres_db_url, Path("unused")), "shop")
    try:
        root = Path(__file__).parents[2]
        procs = [subprocess.Popen([sys.executable, "-c", _PROCESS, postgres_db_url, tag,
                                   str(WRITERS // 2)], cwd=root) for tag in ("p1", "p2")]
        assert [p.wait(timeout=120) for p in procs] == [0, 0]
        assert store.count() == WRITERS * EACH
        assert {u: n for u, n in store.top_users(100)} == {
            f"{tag}-{n}": EACH for tag in ("p1", "p2") for n in range(WRITERS // 2)}
    finally:
        store.close()
