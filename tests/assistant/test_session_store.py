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
from shopchat.database import Database, DatabaseUnavailable, open_database
from shopchat.language import has_han
from shopchat.postgres import SharedPostgres
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
    assert loaded.status == "unknown" and not loaded.degraded
    assert store.load("u1", None).status == "new"
    session = full_session()
    assert store.save(session) == "saved" and session.version == 1
    assert store.save(session) == "saved" and session.version == 2  # one write per save
    other = DatabaseSessions(db, "shop", ttl=3600)  # as another process would
    again = other.load("u1", "s1")
    assert again.status == "continued" and same_state(again.session, session)
    assert again.session.version == 2 and abs(again.session.updated_at - time.time()) < 60
    assert db.execute("SELECT COUNT(*) FROM sessions").rows[0][0] == 1
    assert DatabaseSessions(db, "other-catalog").load("u1", "s1").status == "unknown"


def test_another_users_session_is_refused_and_never_overwritten(db: Database) -> None:
    store = DatabaseSessions(db, "shop", ttl=3600)
    store.save(full_session("s1", "alice"))
    with pytest.raises(SessionError, match="another user"):
        store.load("mallory", "s1")
    # a racing first save of the same id: refused, not "saved"
    assert store.save(Session("s1", "mallory", text="hijack")) == "refused"
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
    assert store.load("u1", "old").status == "unknown"


def test_forget_deletes_a_users_sessions_in_every_catalog(db: Database) -> None:
    shop, other = DatabaseSessions(db, "shop"), DatabaseSessions(db, "other")
    for store in (shop, other):
        store.save(full_session("a", "u1"))
        store.save(full_session("b", "u1"))
        store.save(full_session("c", "u2"))
    assert DatabaseSessions(db, "shop").drop_user("u1") == 4
    assert shop.load("u1", "a").status == "unknown" and other.load("u1", "b").status == "unknown"
    assert other.load("u2", "c").status == "continued"
    shop.drop("c")
    assert shop.load("u2", "c").status == "unknown"
    assert other.load("u2", "c").status == "continued"


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
    assert first.session_status == "unknown"
    assert first.items and "expired" not in first.message
    cheaper = first_bot.ask("u1", "cheaper", "conv-1")
    assert not cheaper.new_session and cheaper.constraints["price_max"] < 1000
    assert cheaper.session_status == "continued"
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
    fresh = bot.ask("u1", "laptop")  # no id: a new conversation
    assert fresh.new_session and fresh.session_status == "new" and not fresh.session_note
    bot.close()


def test_an_expired_conversation_starts_anew_and_says_so(
        dummy_searcher: Searcher, tmp_path: Path) -> None:
    bot = bot_on(dummy_searcher, tmp_path, session_ttl=60)
    bot.ask("u1", "smartphone under $1000", "c1")
    bot.ask("u1", "\u624b\u673a", "c2")
    idle(bot.sessions.db, 61)  # type: ignore[attr-defined]
    again = bot.ask("u1", "cheaper", "c1")
    assert again.new_session and again.session_note.startswith("Your earlier conversation")
    assert again.session_status == "expired"
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
    session = sessions.load("u1", "m1").session
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


# -- several replicas on one database ------------------------------------------------------------


def test_a_turn_racing_another_replica_is_refused_not_lost(db: Database) -> None:
    """Two stores (replicas) load one conversation at version 1 and save: the first wins, the
    second is refused (the stored state is the first's), and the next turn continues from it."""
    one, two = DatabaseSessions(db, "shop"), DatabaseSessions(db, "shop")
    assert one.save(full_session("s1", "u1")) == "saved"
    a, b = one.load("u1", "s1").session, two.load("u1", "s1").session
    assert a.version == b.version == 1
    a.start_search("first", Filters())
    b.start_search("second", Filters())
    assert one.save(a) == "saved" and a.version == 2
    assert two.save(b) == "refused"
    after = two.load("u1", "s1")
    assert after.status == "continued" and after.session.text == "first"
    assert after.session.version == 2
    assert two.save(after.session) == "saved" and after.session.version == 3


def test_concurrent_saves_from_two_stores_store_exactly_one_per_version(
        db: Database) -> None:
    """Threads on two stores each load and save one conversation repeatedly: every version is
    written by exactly one save, and no save reports success without its write."""
    import threading

    stores = [DatabaseSessions(db, "shop"), DatabaseSessions(db, "shop")]
    stores[0].save(Session("race", "u1"))
    saved: list[int] = []
    refused: list[int] = []
    guard = threading.Lock()

    def turns(store: DatabaseSessions, n: int) -> None:
        for turn in range(15):
            session = store.load("u1", "race").session
            session.remember(f"{n}-{turn}", "reply", 100)
            outcome = store.save(session)
            with guard:
                (saved if outcome == "saved" else refused).append(session.version)

    threads = [threading.Thread(target=turns, args=(stores[n % 2], n)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(saved) + len(refused) == 60 and len(saved) == len(set(saved))
    final = stores[0].load("u1", "race").session
    assert final.version == 1 + len(saved)  # every version one save: none silently lost
    assert len(final.turns) == len(saved)  # each saved turn continued from the one before


def test_forget_through_one_replica_is_not_undone_by_another(
        dummy_searcher: Searcher, tmp_path: Path, database_url: str) -> None:
    """Replica two keeps u1's conversation in its process (saved through an outage, and as
    last saved); forgotten through replica one, two neither revives nor writes it back."""
    one = bot_on(dummy_searcher, tmp_path, database_url, answer_items=2)
    two = bot_on(dummy_searcher, tmp_path, database_url, answer_items=2)
    two.ask("u1", "smartphone under $1000", "c1")
    two.ask("u1", "laptop", "c2")
    kept = two.sessions.load("u1", "c2").session  # type: ignore[attr-defined]
    two.sessions.fallback.put(kept)  # type: ignore[attr-defined]  # as through an outage
    stale = two.sessions.load("u1", "c1").session  # a turn in flight on two
    time.sleep(0.01)
    assert one.sessions.drop_user("u1") == 2
    for session_id in ("c1", "c2"):
        loaded = two.sessions.load("u1", session_id)
        assert loaded.status == "unknown" and not loaded.session.text
    assert two.sessions.save(stale) == "refused"  # the turn in flight is not written back
    db = one.sessions.db  # type: ignore[attr-defined]
    assert db.execute("SELECT COUNT(*) FROM sessions").rows == [(0,)]
    later = two.ask("u1", "headphones", "c3")  # a conversation after the forget is kept
    assert later.session_status == "unknown" and not later.session_note
    assert one.ask("u1", "more", "c3").session_status == "continued"
    one.close()
    two.close()


def test_another_users_forget_neither_hides_nor_drops_a_session(db: Database) -> None:
    """bob, forgotten once, sends alice's session id: refused as another user's (not taken for
    a conversation of his that was forgotten), and this process keeps alice's copy."""
    store = DatabaseSessions(db, "shop")
    assert store.save(full_session("s1", "alice")) == "saved"
    store.drop_user("bob")
    kept = store.load("alice", "s1").session
    store.fallback.put(kept)  # as kept through an outage
    with pytest.raises(SessionError, match="another user"):
        store.load("bob", "s1")
    assert store.fallback.peek("s1") is kept and "s1" in store._recent
    assert store.load("alice", "s1").status == "continued"


def test_a_new_conversation_loaded_before_a_forget_is_not_saved_after_it(
        db: Database) -> None:
    """A turn loads a new conversation (no id, or an id never stored), its user is forgotten
    through another replica, then the turn saves: refused, nothing stored."""
    store = DatabaseSessions(db, "shop")
    fresh, unknown = store.load("u1", None), store.load("u1", "s-new")
    assert (fresh.status, unknown.status) == ("new", "unknown")
    time.sleep(0.01)
    DatabaseSessions(db, "shop").drop_user("u1")
    for loaded in (fresh, unknown):
        loaded.session.start_search("laptop", Filters())
        assert store.save(loaded.session) == "refused"
    assert db.execute("SELECT COUNT(*) FROM sessions").rows == [(0,)]
    after = store.load("u1", None)  # one loaded after the forget is kept
    assert store.save(after.session) == "saved"


def test_the_schema_is_created_once_per_database(db: Database,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A forget (every guest page closed) does not re-run the schema's DDL (on PostgreSQL a
    global advisory lock)."""
    store = DatabaseSessions(db, "shop")
    created: list[str] = []
    target = db._db if isinstance(db, SharedPostgres) else db  # PostgreSQL: the pool's
    monkeypatch.setattr(target, "create", lambda ddl: created.append(ddl))
    for n in range(3):
        store.drop_user(f"guest-{n}")
        DatabaseSessions(db, "other").drop_user(f"guest-{n}")
    assert created == []


def test_a_damaged_copy_kept_in_the_process_starts_anew(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_database(None, tmp_path / "sessions.sqlite")
    store = DatabaseSessions(db, "shop")
    store.save(full_session("s1", "u1"))
    store._recent["s1"] = ("u1", "{not json", time.time(), 1)

    def unanswered() -> None:
        raise DatabaseUnavailable("switched off by the test")

    monkeypatch.setattr(db.breaker, "_probe", unanswered)  # the probe finds it down
    db.breaker.failed(DatabaseUnavailable("switched off by the test"))
    loaded = store.load("u1", "s1")
    assert loaded.degraded and loaded.status == "expired" and not loaded.session.text
    db.breaker.close()
    db.close()


def test_a_turn_refused_by_a_racing_replica_says_so(
        dummy_searcher: Searcher, tmp_path: Path, database_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    one = bot_on(dummy_searcher, tmp_path, database_url, answer_items=2)
    two = bot_on(dummy_searcher, tmp_path, database_url, answer_items=2)
    one.ask("u1", "smartphone under $1000", "c1")
    stale = two.sessions.load("u1", "c1")  # two's turn loads it ...
    one.ask("u1", "cheaper", "c1")  # ... while one's turn of it finishes first
    monkeypatch.setattr(two.sessions, "load", lambda user_id, session_id: stale)
    late = two.ask("u1", "more", "c1")
    note = phrase("en", "session_not_saved")
    assert late.items and late.session_note == note and late.message.endswith(f"_{note}_")
    assert not late.degraded and late.session_status == "continued"
    monkeypatch.undo()
    after = two.ask("u1", "more", "c1")  # continues from one's turn, not from the refused one
    assert not after.session_note and after.constraints["price_max"] < 1000
    one.close()
    two.close()
