"""The sessions database going away: turns keep answering from retrieval with a notice, the
conversation continues in the process, nothing is half-written, and it is written back once
the database returns (scripted outages on SQLite; PostgreSQL really stopped mid-load)."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from assistant import Answer, Assistant, CandidatesEvent
from assistant.service import SESSIONS_UNAVAILABLE
from assistant.session_codec import decode_session
from assistant.session_store import DatabaseSessions
from assistant.ui.render import notice_html
from retrieval import Searcher
from shopchat import database as database_module
from shopchat import postgres as postgres_module
from shopchat.database import Database, DatabaseUnavailable, SqliteDatabase, open_database
from shopchat.settings import Settings
from tests.postgres import PostgresServer


class Switchable(Database):
    """A real SQLite database that can be made unreachable (``down``); counts attempts."""

    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.inner = SqliteDatabase(path)
        self.down = False
        self.attempts = 0

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        self.attempts += 1
        if self.down:
            raise DatabaseUnavailable("database switched off by the test")
        with self.inner.transaction() as tx:
            yield tx

    def close(self) -> None:
        self.inner.close()

    def describe(self) -> str:
        return "switchable " + self.inner.describe()


@pytest.fixture(autouse=True)
def quick_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database_module, "RETRY_S", 0.3)


def bot_with(searcher: Searcher, db: Database, tmp_path: Path) -> Assistant:
    settings = Settings(home=tmp_path, personalise=False, answer_items=4)
    return Assistant(searcher, None, settings, DatabaseSessions(db, searcher.catalog, 3600))


def wait_until_back(bot: Assistant) -> None:
    """Until the breaker's background probe finds the database back."""
    deadline = time.monotonic() + 3
    while bot.sessions.down and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.05)
    assert not bot.sessions.down  # type: ignore[attr-defined]


def stored(db: Database, session_id: str) -> tuple[str, int]:
    """The stored session's search text and version."""
    (user, state, _, version), = db.execute(
        "SELECT user_id, state, updated_at, version FROM sessions WHERE id = ?",
        (session_id,)).rows
    return decode_session(state, session_id, user).text, int(version)


def test_a_turn_answers_while_the_database_is_down_and_continues_after(
        dummy_searcher: Searcher, tmp_path: Path) -> None:
    db = Switchable(tmp_path / "sessions.sqlite")
    bot = bot_with(dummy_searcher, db, tmp_path)
    first = bot.ask("u1", "smartphone under $1000", "c1")
    assert not first.degraded and stored(db, "c1") == ("smartphone", 1)

    db.down = True
    cheaper = bot.ask("u1", "cheaper", "c1")
    assert cheaper.items and cheaper.intent == "refine"
    assert cheaper.degraded and cheaper.degraded_reason == SESSIONS_UNAVAILABLE
    assert cheaper.session_note and cheaper.session_note in cheaper.message
    assert "Not saved" in notice_html(cheaper.degraded_reason)
    assert "language model" not in notice_html(cheaper.degraded_reason)
    attempts = db.attempts
    started = time.perf_counter()
    more = bot.ask("u1", "more", "c1")  # the breaker is open: the database is not tried
    assert db.attempts == attempts and time.perf_counter() - started < 2
    assert more.degraded and more.constraints == cheaper.constraints  # kept in the process
    assert not {i.id for i in more.items} & {i.id for i in cheaper.items}
    fresh = bot.ask("u2", "laptop")
    assert fresh.items and fresh.degraded_reason == SESSIONS_UNAVAILABLE

    db.down = False
    wait_until_back(bot)
    again = bot.ask("u1", "show me more", "c1")
    assert not again.degraded and not again.new_session
    assert again.constraints == cheaper.constraints
    seen = {i.id for i in cheaper.items + more.items}  # since the refined search
    assert again.items and not {i.id for i in again.items} & seen
    text, version = stored(db, "c1")  # written back: another process continues from here
    assert text == "smartphone" and version == 2  # over version 1, the one it continued from
    other = DatabaseSessions(db, dummy_searcher.catalog).load("u1", "c1").session
    assert other.filters.price_max == cheaper.constraints["price_max"]
    assert seen | {i.id for i in again.items} <= other.seen


def test_a_turn_that_stops_half_way_leaves_the_stored_session_as_it_was(
        dummy_searcher: Searcher, tmp_path: Path) -> None:
    db = Switchable(tmp_path / "sessions.sqlite")
    bot = bot_with(dummy_searcher, db, tmp_path)
    bot.ask("u1", "smartphone under $1000", "c1")
    stream = bot.ask_stream("u1", "laptop over $100", "c1")
    assert isinstance(stream, Generator)
    assert isinstance(next(stream), CandidatesEvent)
    stream.close()  # the caller went away after the cards
    assert stored(db, "c1") == ("smartphone", 1)
    assert bot.ask("u1", "cheaper", "c1").constraints["price_max"] < 1000


def test_forget_fails_loudly_when_the_database_is_down(
        dummy_searcher: Searcher, tmp_path: Path) -> None:
    db = Switchable(tmp_path / "sessions.sqlite")
    bot = bot_with(dummy_searcher, db, tmp_path)
    bot.ask("u1", "laptop", "c1")
    db.down = True
    with pytest.raises(DatabaseUnavailable):
        bot.forget("u1")
    db.down = False
    wait_until_back(bot)
    bot.forget("u1")
    assert db.execute("SELECT COUNT(*) FROM sessions").rows == [(0,)]


def test_postgresql_stopped_mid_load(dummy_searcher: Searcher, tmp_path: Path,
                                     private_postgres: PostgresServer) -> None:
    """Four conversations turn over while PostgreSQL is stopped like a crash and started
    again: every turn answers, those while it is down say so, only those in flight when it
    went wait on a connect timeout, and every stored row reads back whole."""
    url = private_postgres.url
    db = open_database(url, tmp_path / "unused.sqlite")
    bot = bot_with(dummy_searcher, db, tmp_path)
    answers: list[tuple[float, float, Answer]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def shopper(n: int) -> None:
        queries = ["smartphone under $1500", "cheaper", "not Apple", "more", "start over"]
        turn = 0
        while not stop.is_set():
            started = time.monotonic()
            try:
                answer = bot.ask(f"u{n}", queries[turn % len(queries)], f"conv-{n}")
            except BaseException as exc:  # the test reports any
                errors.append(exc)
                return
            answers.append((started, time.monotonic(), answer))
            turn += 1

    threads = [threading.Thread(target=shopper, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    private_postgres.stop("immediate")
    down_at = time.monotonic()
    time.sleep(5.0)
    private_postgres.start()
    up_at = time.monotonic()
    deadline = up_at + 30  # psycopg's pool reconnects with backoff (1, 2, 4 s ...)
    while time.monotonic() < deadline and not any(
            s > up_at and not a.degraded for s, _, a in list(answers)):
        time.sleep(0.1)
    back_at = time.monotonic()
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert all(a.items or a.intent == "reset" for _, _, a in answers)
    during = [(s, e, a) for s, e, a in answers if down_at < s and e < up_at]
    assert len(during) >= 20
    assert all(a.degraded_reason == SESSIONS_UNAVAILABLE for _, _, a in during)
    # a turn that waited on the connect timeout, not one slowed by a busy CPU
    waited = 0.8 * postgres_module.CONNECT_TIMEOUT_S
    slow = [e - s for s, e, _ in answers if e - s > waited]
    assert len(slow) <= 4, slow  # those in flight when it went: the rest never wait on it
    late = [a for s, _, a in answers if s > back_at + 0.2]
    assert late and not any(a.degraded for a in late), f"back after {back_at - up_at:.1f} s"
    rows = db.execute("SELECT id, user_id, state, version FROM sessions").rows
    assert len(rows) == 4
    for session_id, user, state, version in rows:
        session = decode_session(state, session_id, user)
        assert set(session.shown) <= session.seen and version > 0
    db.close()


def test_a_conversation_ended_while_the_database_is_down_stays_ended(
        dummy_searcher: Searcher, tmp_path: Path) -> None:
    db = Switchable(tmp_path / "sessions.sqlite")
    bot = bot_with(dummy_searcher, db, tmp_path)
    bot.ask("u1", "smartphone under $1000", "page-1")
    db.down = True
    bot.ask("u1", "cheaper", "page-1")
    attempts = db.attempts
    bot.sessions.drop("page-1")  # the page's "new conversation": not waiting on the database
    assert db.attempts == attempts
    db.down = False
    wait_until_back(bot)
    after = bot.ask("u1", "more", "page-1")
    assert after.new_session and not after.session_note and "price_max" not in after.constraints
