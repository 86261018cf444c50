"""One circuit breaker per database, shared by the sessions and the events on one PostgreSQL
pool; which failures open it (only an unreachable database); credentials never shown."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from assistant.session_store import DatabaseSessions
from retrieval.profiles.events import EventStore
from shopchat import database as database_module
from shopchat import postgres as postgres_module
from shopchat.database import (
    Database,
    DatabaseUnavailable,
    SqliteDatabase,
    open_database,
    redact,
)
from shopchat.errors import StoreError
from tests.postgres import PostgresServer


@pytest.fixture(autouse=True)
def quick_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database_module, "RETRY_S", 0.3)


def test_sessions_and_events_share_one_breaker(tmp_path: Path,
                                               private_postgres: PostgresServer) -> None:
    """The sessions find PostgreSQL gone: the events store on the same pool fails fast
    instead of waiting out a connect timeout; both come back with one probe."""
    url = private_postgres.url
    sessions = DatabaseSessions(open_database(url, tmp_path / "x"), "shop")
    events = EventStore(open_database(url, tmp_path / "x"), "shop")
    assert sessions.db.breaker is events.db.breaker
    private_postgres.stop("immediate")
    assert sessions.load("u1", "s1").degraded  # the one call that waits on the database
    assert sessions.down and not events.db.available()
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable, match="not retried"):
        events.count("u1")
    assert time.monotonic() - started < 0.2
    private_postgres.start()
    deadline = time.monotonic() + 30  # psycopg's pool reconnects with backoff
    while sessions.down and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not sessions.down and events.count("u1") == 0
    sessions.close()
    events.close()


def test_a_bad_statement_does_not_open_the_breaker(tmp_path: Path,
                                                   postgres_db_url: str) -> None:
    for db in (open_database(None, tmp_path / "s.sqlite"),
               open_database(postgres_db_url, tmp_path / "x")):
        for sql in ("SELECT * FROM no_such_table", "SELEC 1"):
            with pytest.raises(StoreError) as caught:
                db.execute(sql)
            assert not isinstance(caught.value, DatabaseUnavailable), (db.kind, sql)
        assert db.available()
        db.close()


@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])  # deadlock, serialization failure
def test_a_deadlock_or_serialization_failure_is_the_statements(
        postgres_db_url: str, tmp_path: Path, sqlstate: str) -> None:
    db = open_database(postgres_db_url, tmp_path / "x")
    with pytest.raises(StoreError) as caught:
        db.execute(f"DO $$ BEGIN RAISE EXCEPTION 'by the test' USING ERRCODE = '{sqlstate}'; "
                   "END $$")
    assert not isinstance(caught.value, DatabaseUnavailable) and db.available()
    db.close()


def test_a_locked_sqlite_file_is_unavailable(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.sqlite"
    db = SqliteDatabase(path)
    db.execute("CREATE TABLE t (x INTEGER)")
    db._db.execute("PRAGMA busy_timeout = 50")
    probing = threading.Event()
    monkeypatch.setattr(db.breaker, "_probe", lambda: probing.wait(5))  # held back
    holder = sqlite3.connect(path, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseUnavailable, match="locked"):
            db.execute("INSERT INTO t VALUES (1)")
        assert not db.available()
    finally:
        holder.rollback()
        holder.close()
    db.ping()  # answers: closes the breaker
    assert db.available()
    probing.set()
    db.close()


@pytest.mark.parametrize("pragma", ["PRAGMA query_only = ON", "PRAGMA max_page_count = 2"])
def test_a_full_or_read_only_sqlite_file_is_unavailable(tmp_path: Path, pragma: str) -> None:
    db = SqliteDatabase(tmp_path / "s.sqlite")
    db.execute("CREATE TABLE t (x BLOB)")
    db._db.execute(pragma)
    with pytest.raises(DatabaseUnavailable, match=r"full|readonly"):
        db.execute("INSERT INTO t VALUES (?)", (b"x" * 100_000,))
    db.close()


def test_a_busy_pool_fails_the_call_without_opening_the_breaker(
        postgres_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every pooled connection busy past the wait: that call fails, the next ones still try
    (the server answers a connection of its own)."""
    monkeypatch.setattr(postgres_module, "CONNECT_TIMEOUT_S", 0.3)
    db = postgres_module.PostgresDatabase(postgres_db_url, pool_size=1)
    db.execute("SELECT 1")
    with db._pool.connection():  # the one connection, busy
        with pytest.raises(DatabaseUnavailable):
            db.execute("SELECT 1")
        assert db.available()
    assert db.execute("SELECT 1").rows == [(1,)]
    db.close()


def test_the_probe_tries_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A blip: the breaker closes on the probe's first try, not after ``RETRY_S``."""
    monkeypatch.setattr(database_module, "RETRY_S", 30.0)
    db = SqliteDatabase(tmp_path / "s.sqlite")
    db.breaker.failed(DatabaseUnavailable("a blip"))
    deadline = time.monotonic() + 5
    while not db.available() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert db.available()
    db.close()


class Flaky(Database):
    """Its probe fails with a bug (not a ``StoreError``) the first ``bugs`` times."""

    kind = "sqlite"

    def __init__(self, bugs: int) -> None:
        super().__init__()
        self.bugs = bugs

    def _probe(self) -> None:
        self.bugs -= 1
        if self.bugs >= 0:
            raise RuntimeError("a bug in the probe")

    def _transaction(self) -> object:
        raise DatabaseUnavailable("off")

    def close(self) -> None:
        self.breaker.close()

    def describe(self) -> str:
        return "flaky"


def test_a_probe_that_fails_with_a_bug_keeps_probing() -> None:
    db = Flaky(bugs=2)
    db.breaker.failed(DatabaseUnavailable("off"))
    deadline = time.monotonic() + 5
    while not db.available() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert db.available() and db.bugs < 0
    db.close()


def test_the_breaker_is_made_with_the_database(tmp_path: Path) -> None:
    """Not on first use: two threads' first calls at once share one breaker."""
    db = SqliteDatabase(tmp_path / "s.sqlite")
    assert isinstance(vars(db).get("_breaker"), database_module.Breaker)
    db.close()


def test_the_pool_prepares_no_statements(postgres_db_url: str, tmp_path: Path) -> None:
    """PgBouncer in transaction mode cannot route prepared statements."""
    db = open_database(postgres_db_url, tmp_path / "x")
    with db._db._pool.connection() as conn:  # type: ignore[attr-defined]
        assert conn.prepare_threshold is None  # psycopg's default prepares after 5 runs
    db.close()


def test_redact_hides_every_password() -> None:
    assert redact("postgresql://u:s3cret@h:5432/db") == "postgresql://u:***@h:5432/db"
    hidden = redact("postgresql://u@h/db?sslmode=require&password=s3cret")
    assert "s3cret" not in hidden and "password=***" in hidden and "sslmode=require" in hidden
    assert redact("postgresql://h/db") == "postgresql://h/db"


def test_one_probe_however_many_failures(tmp_path: Path) -> None:
    class Off(Database):
        kind = "sqlite"

        def _transaction(self) -> object:
            raise DatabaseUnavailable("off")

        def close(self) -> None:
            self.breaker.close()

        def describe(self) -> str:
            return "off"

    db = Off()
    before = threading.active_count()
    for _ in range(5):
        with pytest.raises(DatabaseUnavailable):
            db.ping()
    assert threading.active_count() == before + 1
    db.close()
