"""Personalisers as replicas: two sharing one PostgreSQL events database and one Chroma see each
other's events at once; with the database down, answers degrade and nothing is half-written."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retrieval import Searcher
from retrieval.profiles import Personaliser, ProfileStore
from retrieval.profiles import personaliser as personaliser_module
from retrieval.profiles.events import EventStore
from retrieval.profiles.profile import Profile
from shopchat import database as database_module
from shopchat.database import DatabaseUnavailable, open_database
from shopchat.errors import StoreError
from shopchat.records import EventKind, Interaction
from shopchat.settings import Settings
from tests.postgres import PostgresServer

OpenReplica = Callable[[], Personaliser]


def digest(profile: Profile | None) -> str | None:
    return None if profile is None else profile.digest


@contextlib.contextmanager
def replicas(settings: Settings, searcher: Searcher, url: str) -> Iterator[OpenReplica]:
    """``open_replica()``: Personalisers over one profile set whose events are in ``url``."""
    shared = settings.model_copy(update={"database_url": url})
    name = f"{searcher.catalog}-{uuid.uuid4().hex[:8]}"
    opened: list[Personaliser] = []

    def build() -> Personaliser:
        opened.append(Personaliser.open(searcher, shared, name=name))
        return opened[-1]

    try:
        yield build
    finally:
        for p in opened:
            p.close()
        store = ProfileStore.open(opened[0].profiles.client, name, create=False) if opened else None
        if store is not None:
            store.drop()


@pytest.fixture
def open_replica(dummy_index: tuple[Settings, Searcher],
                 postgres_db_url: str) -> Iterator[OpenReplica]:
    with replicas(*dummy_index, postgres_db_url) as open_:
        yield open_


def hold_back_writes(p: Personaliser, monkeypatch: pytest.MonkeyPatch) -> None:
    """``p``'s profile writes reach Chroma only on ``flush()`` (a slow Chroma, a busy writer)."""
    writer = p._live_writer()
    monkeypatch.setattr(writer, "_debounce_s", 60.0)
    monkeypatch.setattr(writer, "_max_delay_s", 60.0)


def test_a_like_through_one_replica_shows_in_the_other_at_once(
    open_replica: OpenReplica, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = open_replica(), open_replica()
    hold_back_writes(one, monkeypatch)
    first, second = (x.id for x in one.searcher.table.products[:2])
    assert two.profile("eve") is None
    one.record("eve", first, "like")
    seen = two.profile("eve")  # Chroma has no profile yet: rebuilt from the shared events
    assert seen is not None and seen.events == 1 and first in seen.item_weights
    assert one.flush()
    one.record("eve", second, "like")  # Chroma holds the profile of the first like only
    seen = two.profile("eve")
    assert seen is not None and seen.events == 2
    assert seen.item_weights.keys() == {first, second}
    assert two.search("eve", "perfume").ids == one.search("eve", "perfume").ids
    assert one.flush()
    assert digest(two.profile("eve")) == digest(one.profile("eve")) == seen.digest


def test_forget_through_one_replica_holds_in_the_other(
    open_replica: OpenReplica, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = open_replica(), open_replica()
    hold_back_writes(two, monkeypatch)
    item = one.searcher.table.products[0].id
    two.record("fay", item, "purchase")  # pending in two, not yet in Chroma
    assert one.profile("fay") is not None
    assert one.forget("fay").events == 1
    assert two.profile("fay") is None  # its pending profile is stale: no events any more
    assert two.flush()  # the late write is undone, not left behind
    assert "fay" not in two.profiles.ids() and "fay" not in two.events.built()


def test_database_down_degrades_then_recovers(
    dummy_index: tuple[Settings, Searcher], private_postgres: PostgresServer,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(database_module, "RETRY_S", 1.0)
    with replicas(*dummy_index, private_postgres.url) as open_:
        degrade_and_recover(open_(), private_postgres, caplog)


def degrade_and_recover(p: Personaliser, server: PostgresServer,
                        caplog: pytest.LogCaptureFixture) -> None:
    first, second = (x.id for x in p.searcher.table.products[:2])
    p.record("gil", first, "like")
    assert p.flush()
    before = p.profile("gil")
    assert before is not None

    server.stop("immediate")
    with caplog.at_level(logging.WARNING, logger=personaliser_module.__name__):
        assert digest(p.profile("gil")) == before.digest  # the stored profile, as it is
    assert "events database unavailable" in caplog.text
    started = time.monotonic()
    assert digest(p.profile("gil")) == before.digest
    assert p.recent_events("gil") == [] and p.shoppers(5) == []
    assert time.monotonic() - started < 0.5  # no connection timeout paid on every read
    assert p.search("gil", "perfume").ids  # a turn still answers
    with pytest.raises(StoreError, match="the like was not recorded: database PostgreSQL"):
        p.record("gil", second, "like")

    server.start()
    deadline = time.monotonic() + 30
    while not p.events.db.available():  # the breaker's probe finds it back
        assert time.monotonic() < deadline, "the pool did not reconnect"
        time.sleep(0.2)
    assert p.events.count("gil") == 1  # the refused like left nothing behind
    p.record("gil", second, "like")
    after = p.profile("gil")
    assert after is not None and after.events == 2


def test_an_import_cut_off_mid_way_adds_nothing(private_postgres: PostgresServer) -> None:
    """One transaction: PostgreSQL stopped during a large import leaves none of its rows."""
    many = [Interaction(f"u{i % 500}", f"i{i}", EventKind.VIEW, datetime(2024, 1, 1, tzinfo=UTC))
            for i in range(300_000)]
    store = EventStore(open_database(private_postgres.url, Path("unused")), "shop")
    errors: list[BaseException] = []

    def run() -> None:
        try:
            store.import_interactions(many, "big")
        except StoreError as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    inserting(private_postgres.url, "INSERT INTO events__shop")
    time.sleep(0.3)  # some statements of the import's transaction done
    private_postgres.stop("immediate")
    worker.join(timeout=60)
    private_postgres.start()
    deadline = time.monotonic() + 30
    while True:
        try:
            count = store.count()
            break
        except DatabaseUnavailable:
            assert time.monotonic() < deadline, "the pool did not reconnect"
            time.sleep(0.2)
    store.close()
    assert errors and count == 0


def inserting(url: str, prefix: str, seconds: float = 30) -> None:
    """Wait until a statement starting with ``prefix`` runs on ``url``'s server."""
    import psycopg

    deadline = time.monotonic() + seconds
    with psycopg.connect(url, autocommit=True) as conn:
        while conn.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                           "AND query LIKE %s", (prefix + "%",)).fetchone() == (0,):
            assert time.monotonic() < deadline, "the import did not start"
            time.sleep(0.02)
