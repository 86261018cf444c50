"""Sessions in SQL (``shopchat.database``): a SQLite file by default, PostgreSQL shared by every
replica when ``SHOPCHAT_DATABASE_URL`` is set.

One row per conversation, keyed by (catalog, id): the state as JSON text
(``assistant.session_codec``), its user, the time and count of its saved turns. A turn reads
its row once and writes it once (an upsert that only ever updates a row of the same user).

Expiry: a row idle past ``ttl`` is expired; its next turn starts anew and says so. Now and
then a save purges: expired rows' state is cleared (the row stays as a marker, so a late turn
is told its conversation expired rather than that it never was) and markers older than
``KEEP_MARKERS_S`` are deleted. ``drop_user`` deletes every row of a user (all catalogs).

Database down: turns continue from the state this process last saved (or kept), keep their
sessions in this process (``fallback``), and say so. While it is unreachable turns do not try
it; a background probe pings it every ``RETRY_S`` seconds: only the turns in flight when it
went away wait on a connect timeout. When it is back, a session kept here that is newer than
its row continues, and is written back on its next turn.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import replace

from assistant.session import (
    Loaded,
    Session,
    SessionError,
    Sessions,
    SessionStore,
    check_session_id,
    new_session_id,
)
from assistant.session_codec import CodecError, decode_session, encode_session
from shopchat.database import Database, open_database
from shopchat.errors import StoreError
from shopchat.settings import Settings

log = logging.getLogger(__name__)

RETRY_S = 5.0
"""While the database is unreachable, how often a background probe pings it."""
PURGE_EVERY_S = 60.0
"""At most one purge per process and this many seconds (on a save)."""
KEEP_MARKERS_S = 7 * 86_400.0
"""How long an expired conversation's empty row is kept past its expiry."""

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
CREATE INDEX IF NOT EXISTS sessions_updated ON sessions (updated_at)
"""

_SELECT = "SELECT user_id, state, updated_at, version FROM sessions WHERE catalog = ? AND id = ?"
_UPSERT = (
    "INSERT INTO sessions (catalog, id, user_id, state, updated_at, version) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (catalog, id) DO UPDATE SET state = excluded.state, "
    "updated_at = excluded.updated_at, version = excluded.version "
    "WHERE sessions.user_id = excluded.user_id RETURNING version"
)


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
        self._open = False
        """The circuit breaker: open while the database is unreachable."""
        self._closed = False
        self._breaker = threading.Lock()
        self._next_purge = 0.0
        self._dropped: OrderedDict[str, float] = OrderedDict()
        """Sessions dropped here (their rows may outlive a database outage)."""
        self._schema_ready = False
        try:
            self._ensure_schema()
        except StoreError as exc:  # created on first use once it is reachable
            self._trip(exc)

    @classmethod
    def open(cls, settings: Settings, catalog: str) -> DatabaseSessions:
        """The configured database: ``settings.database_url``, else ``settings.sessions_path``."""
        db = open_database(settings.database_url, settings.sessions_path)
        return cls(db, catalog, settings.session_ttl)

    # -- Sessions ---------------------------------------------------------------------------

    def load(self, user_id: str, session_id: str | None) -> Loaded:
        if session_id is None:
            return Loaded(Session(new_session_id(), user_id), "new")
        check_session_id(session_id)
        if not self._may_try():
            return self._load_local(user_id, session_id)
        try:
            self._ensure_schema()
            rows = self.db.execute(_SELECT, (self.catalog, session_id)).rows
        except StoreError as exc:
            self._trip(exc)
            return self._load_local(user_id, session_id)
        self._recovered()
        if rows and float(rows[0][2]) <= self._dropped.get(session_id, 0.0):
            rows = []  # dropped while the database was down
        local = self.fallback.peek(session_id)
        if local is not None and (not rows or local.updated_at >= float(rows[0][2])):
            return self._load_local(user_id, session_id, degraded=False)
        if not rows:
            return Loaded(Session(session_id, user_id), "new")
        owner, state, updated_at, version = rows[0]
        if owner != user_id:
            raise SessionError(f"session {session_id!r} belongs to another user")
        if not state or self.expired(float(updated_at)):
            return Loaded(Session(session_id, user_id, version=int(version)), "expired")
        try:
            session = decode_session(state, session_id, user_id)
        except CodecError as exc:
            log.error("session %s could not be read back (%s): starting anew", session_id, exc)
            return Loaded(Session(session_id, user_id, version=int(version)), "expired")
        return Loaded(replace(session, updated_at=float(updated_at), version=int(version)),
                      "continued")

    def save(self, session: Session) -> bool:
        session.updated_at = time.time()
        if self._may_try():
            state = encode_session(session)
            try:
                self._ensure_schema()
                rows = self.db.execute(_UPSERT, (
                    self.catalog, session.id, session.user_id, state,
                    session.updated_at, session.version + 1)).rows
            except StoreError as exc:
                self._trip(exc)
            else:
                self._recovered()
                self.fallback.drop(session.id)
                with self._breaker:
                    self._dropped.pop(session.id, None)
                if not rows:  # two users raced to open one new id: the first one keeps it
                    log.warning("session %s belongs to another user: not saved", session.id)
                    return True
                session.version = int(rows[0][0])
                self._remember(session, state)
                self._maybe_purge()
                return True
        session.version += 1
        self.fallback.put(session)
        return False

    def drop(self, session_id: str) -> None:
        self.fallback.drop(session_id)
        with self._breaker:
            self._recent.pop(session_id, None)
            self._dropped[session_id] = time.time()
            while len(self._dropped) > self.fallback.max_sessions:
                self._dropped.popitem(last=False)
        if self._open:
            return  # the row is ignored from now on, and overwritten by its next turn
        try:
            self.db.execute("DELETE FROM sessions WHERE catalog = ? AND id = ?",
                            (self.catalog, session_id))
        except StoreError as exc:  # the row is ignored from now on, and overwritten
            self._trip(exc)

    def drop_user(self, user_id: str) -> int:
        """Every row of ``user_id`` in the database (all catalogs) and this process; raises
        ``DatabaseUnavailable`` when the database cannot be reached (nothing to retry here)."""
        dropped = self.fallback.drop_user(user_id)
        with self._breaker:
            for session_id in [k for k, v in self._recent.items() if v[0] == user_id]:
                del self._recent[session_id]
        self._ensure_schema()
        result = self.db.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
        return dropped + max(0, result.rowcount)

    def ping(self) -> None:
        """Raise ``DatabaseUnavailable`` unless the database answers now (``/readyz``)."""
        self.db.ping()

    def close(self) -> None:
        self._closed = True
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
        if not self._schema_ready:
            self.db.create(SCHEMA)
            self._schema_ready = True

    def _load_local(self, user_id: str, session_id: str, degraded: bool = True) -> Loaded:
        """The session as this process last had it: kept here while the database was down,
        else as this process last saved it; a new one when neither (always a copy: a turn
        that fails half-way leaves nothing behind)."""
        local = self.fallback.peek(session_id)
        with self._breaker:
            recent = self._recent.get(session_id)
        if local is not None:
            owner, state = local.user_id, encode_session(local)
            updated_at, version = local.updated_at, local.version
        elif recent is not None and degraded:
            owner, state, updated_at, version = recent
        else:
            return Loaded(Session(session_id, user_id), "new", degraded)
        if owner != user_id:
            raise SessionError(f"session {session_id!r} belongs to another user")
        if self.expired(updated_at):
            return Loaded(Session(session_id, user_id, version=version), "expired", degraded)
        copy = decode_session(state, session_id, user_id)
        return Loaded(replace(copy, updated_at=updated_at, version=version), "continued",
                      degraded)

    def _remember(self, session: Session, state: str) -> None:
        with self._breaker:
            self._recent[session.id] = (session.user_id, state, session.updated_at,
                                        session.version)
            self._recent.move_to_end(session.id)
            while len(self._recent) > self._max_recent:
                self._recent.popitem(last=False)

    # -- circuit breaker --------------------------------------------------------------------

    @property
    def down(self) -> bool:
        """The database failed and has not answered a probe since."""
        return self._open

    def _may_try(self) -> bool:
        return not self._open

    def _trip(self, exc: StoreError) -> None:
        """Open the breaker: turns skip the database; a background probe pings it every
        ``RETRY_S`` seconds (turns never wait on it) and closes the breaker when it answers."""
        with self._breaker:
            if self._open:
                return
            self._open = True
        log.warning("sessions database unavailable (%s): keeping sessions in this process; "
                    "retrying every %g s", exc, RETRY_S)
        threading.Thread(target=self._probe, name="sessions-db-probe", daemon=True).start()

    def _probe(self) -> None:
        while self._open and not self._closed:
            time.sleep(RETRY_S)
            try:
                self.db.ping()
            except StoreError:
                continue
            self._recovered()

    def _recovered(self) -> None:
        with self._breaker:
            if not self._open:
                return
            self._open = False
        log.warning("sessions database reachable again")


def open_sessions(settings: Settings, catalog: str) -> DatabaseSessions:
    return DatabaseSessions.open(settings, catalog)
