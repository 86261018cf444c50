"""Sessions in SQL (``shopchat.database``): a SQLite file by default, PostgreSQL shared by every
replica when ``SHOPCHAT_DATABASE_URL`` is set.

One row per conversation, keyed by (catalog, id): the state as JSON text
(``assistant.session_codec``), its user, the time and version of its last saved turn. A turn
reads its row once and writes it once: an upsert that only replaces the version the turn
loaded, of the same user (else the save is ``refused``: two turns of one conversation at once
on two replicas do not silently lose one).

Expiry: a row idle past ``ttl`` is expired; its next turn starts anew and says so. Now and
then a save purges: expired rows' state is cleared (the row stays as a marker, so a late turn
is told its conversation expired rather than that it never was) and markers older than
``KEEP_MARKERS_S`` are deleted.

Forget (``drop_user``, ``forget_sessions``): every row of a user is deleted (all catalogs) and a
forget marker (a hash of the user id and the time, ``sessions_forgotten``) is kept: no replica
revives or writes back a copy of that user's sessions older than it (kept in its process
through an outage, or loaded by a turn in flight).

Database down (``Database.breaker``, shared with the events store): turns continue from the
state this process last saved (or kept), keep their sessions in this process (``fallback``),
and say so; they do not try the database until its probe finds it back. Then a session kept
here that is newer than its row continues, and is written back on its next turn.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import replace

from assistant.session import (
    Loaded,
    SaveStatus,
    Session,
    SessionError,
    Sessions,
    SessionStore,
    check_session_id,
    new_session_id,
)
from assistant.session_codec import CodecError, decode_session, encode_session
from retrieval.profiles.events import user_hash
from shopchat.database import Database, open_database
from shopchat.errors import StoreError
from shopchat.settings import Settings

log = logging.getLogger(__name__)

PURGE_EVERY_S = 60.0
"""At most one purge per process and this many seconds (on a save)."""
KEEP_MARKERS_S = 7 * 86_400.0
"""How long an expired conversation's empty row, or a forget marker, is kept past the ttl."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    catalog TEXT NOT NULL,
    id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    state TEXT NOT NULL,
    updated_at REAL NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (catalog, id)
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
CREATE INDEX IF NOT EXISTS sessions_updated ON sessions (updated_at);
CREATE TABLE IF NOT EXISTS sessions_forgotten (user_hash TEXT PRIMARY KEY, at REAL NOT NULL)
"""

_SELECT = (  # the row, and the user's forget marker (version -1) if any: one round trip
    "SELECT user_id, state, updated_at, version FROM sessions WHERE catalog = ? AND id = ? "
    "UNION ALL SELECT '', '', at, -1 FROM sessions_forgotten WHERE user_hash = ?"
)
_UPSERT = (
    "INSERT INTO sessions (catalog, id, user_id, state, updated_at, version) "
    "SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
    "(SELECT 1 FROM sessions_forgotten WHERE user_hash = ? AND at >= ?) "
    "ON CONFLICT (catalog, id) DO UPDATE SET state = excluded.state, "
    "updated_at = excluded.updated_at, version = excluded.version "
    "WHERE sessions.user_id = excluded.user_id AND sessions.version = ? RETURNING version"
)


def forget_user_sessions(db: Database, user_id: str) -> int:
    """Delete ``user_id``'s sessions (all catalogs) and mark them forgotten now, in one
    transaction; returns how many were deleted."""
    db.ensure(SCHEMA)
    with db.transaction() as tx:
        tx.execute("INSERT INTO sessions_forgotten (user_hash, at) VALUES (?, ?) "
                   "ON CONFLICT (user_hash) DO UPDATE SET at = excluded.at",
                   (user_hash(user_id), time.time()))
        return max(0, tx.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,)).rowcount)


def forget_sessions(settings: Settings, user_id: str) -> int:
    """``forget_user_sessions`` in the configured sessions database (``shopchat forget``); 0
    without touching anything when it is a SQLite file that does not exist."""
    if not settings.database_url and not settings.sessions_path.exists():
        return 0
    db = open_database(settings.database_url, settings.sessions_path)
    try:
        return forget_user_sessions(db, user_id)
    finally:
        db.close()


class DatabaseSessions(Sessions):
    """``Sessions`` in one table of ``db`` for one catalog's conversations."""

    def __init__(self, db: Database, catalog: str, ttl: float | None = None,
                 max_fallback: int = 10_000, max_recent: int = 4096) -> None:
        self.db, self.catalog, self.ttl = db, catalog, ttl
        self.fallback = SessionStore(max_fallback, ttl)
        """Sessions kept in this process while the database cannot be reached."""
        self._recent: OrderedDict[str, tuple[str, str, float, int]] = OrderedDict()
        """The last state this process saved of its recent sessions (user, JSON, time,
        version): where a turn continues from while the database cannot be reached."""
        self._max_recent = max_recent
        self._guard = threading.Lock()
        self._next_purge = 0.0
        self._dropped: OrderedDict[str, float] = OrderedDict()
        """Sessions dropped here (their rows may outlive a database outage)."""
        try:
            self._ensure_schema()
        except StoreError as exc:  # created on first use once it is reachable
            log.warning("sessions table not created yet: %s", exc)

    @classmethod
    def open(cls, settings: Settings, catalog: str) -> DatabaseSessions:
        """The configured database: ``settings.database_url``, else ``settings.sessions_path``."""
        db = open_database(settings.database_url, settings.sessions_path)
        return cls(db, catalog, settings.session_ttl)

    # -- Sessions ---------------------------------------------------------------------------

    def load(self, user_id: str, session_id: str | None) -> Loaded:
        loaded_at = time.time()
        loaded = self._load(user_id, session_id)
        loaded.session.loaded_at = loaded_at  # a forget from now on refuses its save
        return loaded

    def _load(self, user_id: str, session_id: str | None) -> Loaded:
        if session_id is None:
            return Loaded(Session(new_session_id(), user_id), "new")
        check_session_id(session_id)
        if not self.db.available():
            return self._load_local(user_id, session_id)
        try:
            self._ensure_schema()
            found = self.db.execute(_SELECT, (self.catalog, session_id, user_hash(user_id))).rows
        except StoreError as exc:
            log.warning("session %s read from this process: %s", session_id, exc)
            return self._load_local(user_id, session_id)
        forgotten = max((float(r[2]) for r in found if int(r[3]) < 0), default=0.0)
        row = next((r for r in found if int(r[3]) >= 0), None)
        if row is not None and row[0] != user_id:  # before the marker: it is user_id's
            raise SessionError(f"session {session_id!r} belongs to another user")
        if forgotten:
            self._forget_local(user_id, session_id, forgotten)
        if row is not None and float(row[2]) <= max(forgotten,
                                                    self._dropped.get(session_id, 0.0)):
            # ended or forgotten, but written by a turn that loaded it before: ignored, and
            # replaced by the next save
            return Loaded(Session(session_id, user_id, version=int(row[3])), "unknown")
        base = int(row[3]) if row is not None else 0
        local = self.fallback.peek(session_id)
        if local is not None and (row is None or local.updated_at >= float(row[2])):
            loaded = self._load_local(user_id, session_id, degraded=False)
            loaded.session.version = base  # written back over the row as it is now
            return loaded
        if row is None:
            return Loaded(Session(session_id, user_id), "unknown")
        _, state, updated_at, version = row
        if not state or self.expired(float(updated_at)):
            return Loaded(Session(session_id, user_id, version=int(version)), "expired")
        try:
            session = decode_session(state, session_id, user_id)
        except CodecError as exc:
            log.error("session %s could not be read back (%s): starting anew", session_id, exc)
            return Loaded(Session(session_id, user_id, version=int(version)), "expired")
        return Loaded(replace(session, updated_at=float(updated_at), version=int(version)),
                      "continued")

    def save(self, session: Session) -> SaveStatus:
        # forgotten since the state this turn continued from, or since a new one was loaded:
        # refused
        since = session.updated_at or session.loaded_at
        session.updated_at = time.time()
        if self.db.available():
            state = encode_session(session)
            try:
                self._ensure_schema()
                rows = self.db.execute(_UPSERT, (
                    self.catalog, session.id, session.user_id, state, session.updated_at,
                    session.version + 1, user_hash(session.user_id),
                    since or session.updated_at, session.version)).rows
            except StoreError as exc:
                log.warning("session %s kept in this process: %s", session.id, exc)
            else:
                self.fallback.drop(session.id)
                with self._guard:
                    self._dropped.pop(session.id, None)
                if not rows:
                    # changed elsewhere since loaded (another turn of it on another replica),
                    # forgotten since, or another user's id: the stored row stays as it is,
                    # and the next turn continues from it
                    log.warning("session %s not saved: changed elsewhere since version %d, "
                                "forgotten, or another user's", session.id, session.version)
                    with self._guard:
                        self._recent.pop(session.id, None)
                    return "refused"
                session.version = int(rows[0][0])
                self._remember(session, state)
                self._maybe_purge()
                return "saved"
        self.fallback.put(session)
        return "kept"

    def drop(self, session_id: str) -> None:
        self.fallback.drop(session_id)
        with self._guard:
            self._recent.pop(session_id, None)
            self._dropped[session_id] = time.time()
            while len(self._dropped) > self.fallback.max_sessions:
                self._dropped.popitem(last=False)
        if not self.db.available():
            return  # the row is ignored from now on, and overwritten by its next turn
        try:
            self.db.execute("DELETE FROM sessions WHERE catalog = ? AND id = ?",
                            (self.catalog, session_id))
        except StoreError as exc:  # the row is ignored from now on, and overwritten
            log.warning("session %s ended here only: %s", session_id, exc)

    def drop_user(self, user_id: str) -> int:
        """Every row of ``user_id`` in the database (all catalogs) and this process, and a
        forget marker that keeps other replicas from reviving their copies; raises
        ``DatabaseUnavailable`` when the database cannot be reached (nothing to retry here)."""
        dropped = self.fallback.drop_user(user_id)
        with self._guard:
            for session_id in [k for k, v in self._recent.items() if v[0] == user_id]:
                del self._recent[session_id]
        return dropped + forget_user_sessions(self.db, user_id)  # ensures the schema

    def ping(self) -> None:
        """Raise ``DatabaseUnavailable`` unless the database answers now (``/readyz``)."""
        self.db.ping()

    def close(self) -> None:
        self.db.close()

    # -- housekeeping -----------------------------------------------------------------------

    def purge(self, now: float | None = None) -> int:
        """Clear expired rows' state, delete old markers; returns rows touched."""
        if self.ttl is None:
            return 0
        now = time.time() if now is None else now
        with self.db.transaction() as tx:
            cleared = tx.execute("UPDATE sessions SET state = '' WHERE updated_at < ? "
                                 "AND state <> ''", (now - self.ttl,)).rowcount
            deleted = tx.execute("DELETE FROM sessions WHERE updated_at < ?",
                                 (now - self.ttl - KEEP_MARKERS_S,)).rowcount
            # a copy older than the ttl is expired anyway: its marker is no longer needed
            tx.execute("DELETE FROM sessions_forgotten WHERE at < ?",
                       (now - self.ttl - KEEP_MARKERS_S,))
        return max(0, cleared) + max(0, deleted)

    def _maybe_purge(self) -> None:
        now = time.monotonic()
        if now < self._next_purge or self.ttl is None:
            return
        self._next_purge = now + min(PURGE_EVERY_S, self.ttl)
        try:
            touched = self.purge()
        except StoreError as exc:
            log.warning("session purge skipped: %s", exc)
        else:
            log.debug("session purge: %d rows", touched)

    def _ensure_schema(self) -> None:
        self.db.ensure(SCHEMA)

    def _load_local(self, user_id: str, session_id: str, degraded: bool = True) -> Loaded:
        """The session as this process last had it: kept here while the database was down,
        else as this process last saved it; a new one when neither (always a copy: a turn
        that fails half-way leaves nothing behind)."""
        local = self.fallback.peek(session_id)
        with self._guard:
            recent = self._recent.get(session_id)
        if local is not None:
            owner, state = local.user_id, encode_session(local)
            updated_at, version = local.updated_at, local.version
        elif recent is not None and degraded:
            owner, state, updated_at, version = recent
        else:
            return Loaded(Session(session_id, user_id), "unknown", degraded)
        if owner != user_id:
            raise SessionError(f"session {session_id!r} belongs to another user")
        if self.expired(updated_at):
            return Loaded(Session(session_id, user_id, version=version), "expired", degraded)
        try:
            copy = decode_session(state, session_id, user_id)
        except CodecError as exc:
            log.error("session %s kept here could not be read back (%s): starting anew",
                      session_id, exc)
            return Loaded(Session(session_id, user_id, version=version), "expired", degraded)
        return Loaded(replace(copy, updated_at=updated_at, version=version), "continued",
                      degraded)

    def _forget_local(self, user_id: str, session_id: str, forgotten_at: float) -> None:
        """Drop this process's copies of ``session_id`` that are ``user_id``'s from before
        they were forgotten (through another replica, perhaps while this one could not reach the
        database); another user's copy stays."""
        local = self.fallback.peek(session_id)
        if local is not None and local.user_id == user_id and local.updated_at <= forgotten_at:
            self.fallback.drop(session_id)
        with self._guard:
            recent = self._recent.get(session_id)
            if recent is not None and recent[0] == user_id and recent[2] <= forgotten_at:
                del self._recent[session_id]

    def _remember(self, session: Session, state: str) -> None:
        with self._guard:
            self._recent[session.id] = (session.user_id, state, session.updated_at,
                                        session.version)
            self._recent.move_to_end(session.id)
            while len(self._recent) > self._max_recent:
                self._recent.popitem(last=False)

    @property
    def down(self) -> bool:
        """The database failed and has not answered since (its breaker is open)."""
        return not self.db.available()
