"""``shopchat bench sessions``: what keeping a conversation costs a turn, per store.

A turn reads its session once and writes it once; this times exactly that (load, a turn's
changes, save) on realistic state (a page of 10 shown items with reasons, 20 turns kept, 30
seen, filters with specifications) in memory, SQLite and PostgreSQL, conversations taken in
turn as a server would.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.session import Session, Sessions, SessionStore
from assistant.session_store import DatabaseSessions
from retrieval.types import Filters
from shopchat.database import open_database

BENCH_CATALOG = "bench-sessions"
"""The rows' catalog: deleted after the run, never a served catalog's."""
TURNS_KEPT = 20
PAGE = 10


@dataclass
class SessionBench:
    store: str
    samples_ms: list[float] = field(default_factory=list)
    state_bytes: int = 0

    def pct(self, q: float) -> float:
        return float(np.percentile(self.samples_ms, q)) if self.samples_ms else float("nan")


def realistic_session(session_id: str, user_id: str, filters: Filters, turn: int = 0) -> Session:
    session = Session(session_id, user_id, text="monitor", filters=filters)
    session.seen.update(f"seen-{n}" for n in range(30))
    take_turn(session, turn)
    for n in range(TURNS_KEPT):
        session.remember(f"message {n}: more like the second one, under $300",
                         f"Best match for \u201cmonitor\u201d: item {n}. " * 8, TURNS_KEPT)
    return session


def take_turn(session: Session, turn: int) -> None:
    """What a "more" turn changes: a new page with reasons, one more turn remembered."""
    page = [f"{turn}-{n}" for n in range(PAGE)]
    session.show(page)
    session.reasons = {i: f"A 24 inch IPS monitor with HDMI at $1{n}9.99, by Dell." for n, i in
                       enumerate(page)}
    session.remember("more", f"More for \u201cmonitor\u201d; the best of these: {page[0]}.",
                     TURNS_KEPT)


def bench_store(name: str, sessions: Sessions, filters: Filters, rounds: int = 500,
                conversations: int = 50) -> SessionBench:
    """``rounds`` turns' load + save over ``conversations`` stored ones (after one warm-up
    pass that stores them)."""
    from assistant.session_codec import encode_session

    out = SessionBench(name)
    ids = [f"bench-{n}" for n in range(conversations)]
    for n, session_id in enumerate(ids):
        sessions.save(realistic_session(session_id, f"user-{n}", filters))
    out.state_bytes = len(encode_session(realistic_session("x", "u", filters)).encode())
    for turn in range(rounds):
        n = turn % conversations
        started = time.perf_counter()
        loaded = sessions.load(f"user-{n}", ids[n])
        take_turn(loaded.session, turn)
        sessions.save(loaded.session)
        out.samples_ms.append((time.perf_counter() - started) * 1000)
        if loaded.status != "continued" or loaded.degraded:
            raise RuntimeError(f"{name}: session {ids[n]} was {loaded.status}")
    return out


def bench_sessions(filters: Filters, sqlite_path: Path, database_url: str | None = None,
                   rounds: int = 500) -> list[SessionBench]:
    """Memory, then SQLite at ``sqlite_path``, then PostgreSQL at ``database_url`` if given."""
    results = [bench_store("memory", SessionStore(), filters, rounds)]
    targets = [("SQLite", f"sqlite://{sqlite_path}")]
    if database_url:
        targets.append(("PostgreSQL", database_url))
    for name, url in targets:
        db = open_database(url, sqlite_path)
        store = DatabaseSessions(db, BENCH_CATALOG, ttl=86_400.0)
        try:
            results.append(bench_store(name, store, filters, rounds))
        finally:
            db.execute("DELETE FROM sessions WHERE catalog = ?", (BENCH_CATALOG,))
            store.close()
    return results
