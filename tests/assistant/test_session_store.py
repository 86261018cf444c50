"""Persisted sessions: the JSON codec, the store on SQLite and PostgreSQL (load, save, expiry,
purge, forget, another user's id) and turns through ``Assistant`` on the real dummyjson index."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.phrases import phrase
from assistant.session import Session, SessionError, SessionStore
from assistant.session_codec import (
    CodecError,
    decode_filters,
    decode_session,
    encode_filters,
    encode_session,
)
from assistant.session_store import KEEP_MARKERS_S, DatabaseSessions
from retrieval import Searcher
from retrieval.specs.constraint import SpecConstraint, SpecKind
from retrieval.types import Filters
from shopchat.database import Database, open_database
from shopchat.language import has_han
from shopchat.settings import Settings

SPECS = (
    SpecConstraint("display_diagonal", SpecKind.NUMBER, "27 inch display diagonal",
                   low=673.1, high=710.9, scales=(25.4, 10.0), dimension="length", unit="inch",
                   title_units=frozenset({'"', "inch", "cm"}), rivals=frozenset({"size"})),
    SpecConstraint("ram", SpecKind.NUMBER, "at least 16 GB RAM", low=16_000.0, high=math.inf,
                   scales=(1000.0,), dimension="bytes", unit="gb"),
    SpecConstraint("bluetooth", SpecKind.FLAG, "no bluetooth", wanted=False,
                   words=("bluetooth", "bt")),
    SpecConstraint("panel_type", SpecKind.CHOICE, "IPS or VA", values=frozenset({"ips", "va"}),
                   words=("ips", "va"), hard=False),
)
FILTERS = Filters(price_min=10.0, price_max=99.5, brands=frozenset({"logitech", "hp"}),
                  exclude_brands=frozenset({"razer"}), categories=frozenset({"mice"}),
                  exclude_categories=frozenset({"cables"}), specs=SPECS)


def full_session(session_id: str = "s1", user_id: str = "u1") -> Session:
    """Realistic state: filters with specs, a page of 10, seen items, reasons, 20 turns."""
    session = Session(session_id, user_id, text="wireless mouse \u201cquiet\u201d \u9f20\u6807",
                      filters=FILTERS)
    session.show([f"item-{i}" for i in range(10)])
    session.seen.update(f"old-{i}" for i in range(30))
    session.reasons = {f"item-{i}": f"Reason {i}: fits \u00a350 \u2014 \u597d" for i in range(10)}
    for n in range(25):
        session.remember(f"turn {n}", f"reply {n} with **markdown** and `code`", 20)
    return session


def same_state(a: Session, b: Session) -> bool:
    return (a.id, a.user_id, a.text, a.filters, a.shown, a.seen, a.reasons, a.turns) == \
        (b.id, b.user_id, b.text, b.filters, b.shown, b.seen, b.reasons, b.turns)


# -- the codec ---------------------------------------------------------------------------------


def test_filters_round_trip_through_json_with_every_spec_kind() -> None:
    for filters in (Filters(), FILTERS, Filters(specs=SPECS[2:3]), Filters(price_max=0.0)):
        encoded = encode_filters(filters)
        assert decode_filters(encoded) == filters
        assert all(type(k) is str for k in encoded)
    back = decode_filters(encode_filters(FILTERS))
    assert back.specs[0].kind is SpecKind.NUMBER and isinstance(back.specs[0].rivals, frozenset)
    assert back.specs[1].high == math.inf and back.specs[0].scales == (25.4, 10.0)
    assert encode_filters(Filters()) == {}  # fields at their defaults are left out


def test_parsed_queries_round_trip(dummy_searcher: Searcher) -> None:
    for query in ("smartphone under $1000 not Apple", "laptop between $500 and $1500 only Asus",
                  "mascara excluding fragrances over $5", "手机 1000美元以下"):
        filters = dummy_searcher.parse(query).filters
        assert not filters.is_empty(), query
        assert decode_filters(encode_filters(filters)) == filters, query


def test_sessions_round_trip_and_damaged_state_is_refused() -> None:
    session = full_session()
    text = encode_session(session)
    assert same_state(decode_session(text, "s1", "u1"), session)
    assert len(session.turns) == 20
    for bad in ("", "[]", '{"format": 99}', text.replace('"shown"', '"shwon"'),
                text.replace('"price_max"', '"price_cap"'),
                text.replace('"kind":"flag"', '"kind":"switch"')):
        with pytest.raises(CodecError):
            decode_session(bad, "s1", "u1")


# -- the store, on SQLite and PostgreSQL -------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'sessions.sqlite'}"
    return str(request.getfixturevalue("postgres_db_url"))


@pytest.fixture
def db(database_url: str, tmp_path: Path) -> Iterator[Database]:
    database = open_database(database_url, tmp_path / "unused.sqlite")
    yield database
    database.close()


def idle(db: Database, seconds: float) -> None:
    """Every stored session as if its last turn was ``seconds`` earlier."""
    db.execute("UPDATE sessions SET updated_at = updated_at - ?", (seconds,))


def test_a_saved_session_continues_in_another_store(db: Database) -> None:
    store = DatabaseSessions(db, "shop", ttl=3600)
    loaded = store.load("u1", "s1")
    assert loaded.status == "new" and not loaded.degraded
    session = full_session()
    assert store.save(session) and session.version == 1
    assert store.save(session) and session.version == 2  # one write per save
    other = DatabaseSessions(db, "shop", ttl=3600)  # as another process would
    again = other.load("u1", "s1")
    assert again.status == "continued" and same_state(again.session, session)
    assert again.session.version == 2 and abs(again.session.updated_at - time.time()) < 60
    assert db.execute("SELECT COUNT(*) FROM sessions").rows[0][0] == 1
    assert DatabaseSessions(db, "other-catalog").load("u1", "s1").status == "new"


def test_another_users_session_is_refused_and_never_overwritten(db: Database) -> None:
    store = DatabaseSessions(db, "shop", ttl=3600)
    store.save(full_session("s1", "alice"))
    with pytest.raises(SessionError, match="another user"):
        store.load("mallory", "s1")
    store.save(Session("s1", "mallory", text="hijack"))  # a racing first save of the same id
    assert store.load("alice", "s1").session.text.startswith("wireless mouse")
    for bad in ("", "x" * 129, "tab\there"):
        with pytest.raises(SessionError, match="printable"):
            store.load("alice", bad)


def test_idle_sessions_expire_and_are_purged(db: Database) -> None:
    store = DatabaseSessions(db, "shop", ttl=600)
    store.save(full_session("old", "u1"))
    store.save(full_session("fresh", "u1"))
    db.execute("UPDATE sessions SET updated_at = updated_at - 601 WHERE id = 'old'")
    expired = store.load("u1", "old")
    assert expired.status == "expired" and expired.session.text == "" and not expired.session.seen
    assert store.load("u1", "fresh").status == "continued"
    assert store.purge() == 1  # the old one's state is cleared, its row stays as a marker
    rows = dict(db.execute("SELECT id, state FROM sessions").rows)
    assert rows["old"] == "" and rows["fresh"]
    assert store.load("u1", "old").status == "expired"
    idle(db, KEEP_MARKERS_S)
    assert store.purge() == 2  # the fresh one's state cleared, the old marker deleted
    assert [r[0] for r in db.execute("SELECT id FROM sessions").rows] == ["fresh"]
    assert store.load("u1", "old").status == "new"


def test_forget_deletes_a_users_sessions_in_every_catalog(db: Database) -> None:
    shop, other = DatabaseSessions(db, "shop"), DatabaseSessions(db, "other")
    for store in (shop, other):
        store.save(full_session("a", "u1"))
        store.save(full_session("b", "u1"))
        store.save(full_session("c", "u2"))
    assert DatabaseSessions(db, "shop").drop_user("u1") == 4
    assert shop.load("u1", "a").status == "new" and other.load("u1", "b").status == "new"
    assert other.load("u2", "c").status == "continued"
    shop.drop("c")
    assert shop.load("u2", "c").status == "new" and other.load("u2", "c").status == "continued"


# -- turns through the assistant ---------------------------------------------------------------


def bot_on(searcher: Searcher, tmp_path: Path, database_url: str | None = None,
           **overrides: object) -> Assistant:
    settings = Settings(home=tmp_path, personalise=False, database_url=database_url,
                        **overrides)
    return Assistant(searcher, None, settings, DatabaseSessions.open(settings, searcher.catalog))


def test_a_conversation_continues_in_a_new_assistant(
        dummy_searcher: Searcher, tmp_path: Path, database_url: str) -> None:
    first_bot = bot_on(dummy_searcher, tmp_path, database_url, answer_items=4)
    first = first_bot.ask("u1", "smartphone under $1000", "conv-1")
    assert first.new_session and not first.session_note  # a first turn with the page's own id
    assert first.items and "expired" not in first.message
    cheaper = first_bot.ask("u1", "cheaper", "conv-1")
    assert not cheaper.new_session and cheaper.constraints["price_max"] < 1000
    first_bot.close()

    bot = bot_on(dummy_searcher, tmp_path, database_url, answer_items=4)  # a restart
    more = bot.ask("u1", "more", "conv-1")
    assert more.intent == "more" and not more.new_session
    assert more.constraints == cheaper.constraints
    assert not {i.id for i in more.items} & {i.id for i in first.items + cheaper.items}
    assert bot.ask("u1", "why #1", "conv-1").message.startswith(f"**#1 {more.items[0].title}")
    with pytest.raises(SessionError):
        bot.ask("u2", "more", "conv-1")
    versions = bot.sessions.db.execute(  # type: ignore[attr-defined]
        "SELECT version FROM sessions WHERE id = 'conv-1'").rows
    assert versions == [(4,)]  # one write per turn
    assert bot.ask("u1", "laptop").new_session  # no id: a new conversation
    bot.close()


def test_an_expired_conversation_starts_anew_and_says_so(
        dummy_searcher: Searcher, tmp_path: Path) -> None:
    bot = bot_on(dummy_searcher, tmp_path, session_ttl=60)
    bot.ask("u1", "smartphone under $1000", "c1")
    bot.ask("u1", "\u624b\u673a", "c2")
    idle(bot.sessions.db, 61)  # type: ignore[attr-defined]
    again = bot.ask("u1", "cheaper", "c1")
    assert again.new_session and again.session_note.startswith("Your earlier conversation")
    assert again.message.startswith(f"_{again.session_note}_") and not again.degraded
    assert "price_max" not in again.constraints  # nothing of the expired one is left
    chinese = bot.ask("u1", "\u66f4\u4fbf\u5b9c\u7684", "c2")
    assert chinese.new_session and chinese.session_note == phrase("zh", "session_expired")
    assert has_han(chinese.session_note)
    assert not bot.ask("u1", "more", "c1").new_session


def test_the_in_memory_store_expires_too(dummy_searcher: Searcher, tmp_path: Path) -> None:
    sessions = SessionStore(ttl=60)
    bot = Assistant(dummy_searcher, None, Settings(home=tmp_path, personalise=False), sessions)
    assert bot.sessions is sessions  # an empty store is still the one given
    bot.ask("u1", "laptop", "m1")
    session = sessions.get("u1", "m1")
    assert session.version == 1 and session.text
    session.updated_at -= 61
    assert bot.ask("u1", "more", "m1").session_note.startswith("Your earlier conversation")


def test_the_session_bench_measures_every_store(tmp_path: Path, database_url: str) -> None:
    from assistant.session_bench import bench_sessions

    pg = database_url if database_url.startswith("postgresql") else None
    results = bench_sessions(FILTERS, tmp_path / "bench.sqlite", pg, rounds=60)
    assert [r.store for r in results] == ["memory", "SQLite", *(["PostgreSQL"] if pg else [])]
    assert all(len(r.samples_ms) == 60 for r in results) and results[0].state_bytes > 3000
    for r in results[1:]:
        assert r.pct(50) - results[0].pct(50) < 5.0, r.store  # the bound, with margin
    db = open_database(pg or f"sqlite://{tmp_path / 'bench.sqlite'}", tmp_path / "x.sqlite")
    assert db.execute("SELECT COUNT(*) FROM sessions").rows == [(0,)]  # cleaned up
    db.close()


def test_concurrent_turns_of_one_conversation_lose_nothing(
        dummy_searcher: Searcher, tmp_path: Path, database_url: str) -> None:
    """Turns of one conversation at once in a process run one after another: each "more"
    continues from the one before (no page twice, every turn saved)."""
    import threading

    bot = bot_on(dummy_searcher, tmp_path, database_url, answer_items=2)
    bot.ask("u1", "kitchen", "busy-1")
    pages: list[list[str]] = []
    threads = [threading.Thread(target=lambda: pages.append(
        [i.id for i in bot.ask("u1", "more", "busy-1").items])) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    shown = [i for page in pages for i in page]
    assert len(pages) == 6 and len(shown) == len(set(shown)) == 12
    session = bot.sessions.load("u1", "busy-1").session
    assert session.version == 7 and set(shown) <= session.seen
    bot.close()
