"""Conversation state: per-session constraints, search text and shown items.

``Sessions`` is the store interface ``Assistant`` uses around a turn: ``load`` before it,
``save`` once after it. ``SessionStore`` keeps them in this process's memory (tests,
benchmarks); ``assistant.session_store.DatabaseSessions`` keeps them in SQLite or PostgreSQL
(the default for ``Assistant.open``, the page and ``ask()``).

A session idle for longer than the store's ``ttl`` is expired: its next turn starts a new
conversation (``Loaded.status == "expired"``). No id starts one (``"new"``); an id the store
does not have (never saved, ended or forgotten) also starts one (``"unknown"``: the page
picks its own ids, so for it a first turn with an id is not news; the HTTP API says so).
"""

from __future__ import annotations

import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

from retrieval.types import Filters
from shopchat.errors import InputError


class SessionError(InputError):
    """A session id that belongs to another user, or is malformed."""


@dataclass
class Session:
    id: str
    user_id: str
    text: str = ""
    filters: Filters = field(default_factory=Filters)
    shown: list[str] = field(default_factory=list)
    """Ids on the current page, in the order the shopper sees them (positions are 1-based)."""
    seen: set[str] = field(default_factory=set)
    """Every id shown since the last new search: "more" never repeats them."""
    reasons: dict[str, str] = field(default_factory=dict)
    """The reason shown for each item on the current page."""
    turns: list[tuple[str, str]] = field(default_factory=list)
    updated_at: float = 0.0
    """Wall-clock time of the last saved turn (0: never saved)."""
    version: int = 0
    """The version of the stored state this one continues from (0: none; one more per saved
    turn): a save only replaces that version, so of two turns run at once on one conversation
    the second to finish is refused instead of silently undoing the first."""
    loaded_at: float = 0.0
    """Wall-clock time a store handed it to a turn (0: never loaded): a new conversation's
    save is refused if its user was forgotten since (not stored)."""

    def start_search(self, text: str, filters: Filters) -> None:
        self.text, self.filters = text, filters
        self.shown, self.seen, self.reasons = [], set(), {}

    def show(self, ids: list[str]) -> None:
        self.shown = list(ids)
        self.seen.update(ids)

    def reset(self) -> None:
        self.start_search("", Filters())
        self.turns.clear()

    def remember(self, user: str, reply: str, keep: int) -> None:
        self.turns.append((user, reply))
        del self.turns[:-keep]


Status = Literal["continued", "new", "unknown", "expired"]
SaveStatus = Literal["saved", "kept", "refused"]
"""What became of a save: in the store; ``kept`` in this process only (the store cannot be
reached); ``refused`` (the conversation changed elsewhere since this turn loaded it, or its id
is another user's): not stored, the stored conversation stays as it is."""


@dataclass(frozen=True, slots=True)
class Loaded:
    """A session as a turn finds it."""

    session: Session
    status: Status
    """``continued``; ``new`` (no id given); ``unknown`` (an id the store does not have);
    ``expired`` (idle past the store's ttl, or its state purged): all but ``continued`` start
    a new conversation."""
    degraded: bool = False
    """The store could not be reached: the session lives in this process only for now."""


def check_session_id(session_id: str) -> str:
    if not session_id or len(session_id) > 128 or not session_id.isprintable():
        raise SessionError("session ids are 1-128 printable characters")
    return session_id


def new_session_id() -> str:
    return uuid.uuid4().hex


class Sessions(ABC):
    """Where conversations live between turns; a session is only handed to its own user."""

    ttl: float | None = None
    """Seconds a session may sit idle (None: forever)."""

    @abstractmethod
    def load(self, user_id: str, session_id: str | None) -> Loaded:
        """The session ``session_id`` (a new one when None, unknown or expired); raises
        ``SessionError`` for a malformed id or one of another user."""

    @abstractmethod
    def save(self, session: Session) -> SaveStatus:
        """Store ``session`` after a turn (one write): ``saved``, ``kept`` in this process only
        (the store is unreachable) or ``refused`` (``SaveStatus``)."""

    @abstractmethod
    def drop(self, session_id: str) -> None:
        """Forget one conversation (the page's "new conversation")."""

    @abstractmethod
    def drop_user(self, user_id: str) -> int:
        """Forget every session of ``user_id``; returns how many there were."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    def expired(self, updated_at: float, now: float | None = None) -> bool:
        return self.ttl is not None and updated_at > 0 and \
            (time.time() if now is None else now) - updated_at > self.ttl


class SessionStore(Sessions):
    """Bounded LRU of sessions in this process's memory; ``load`` hands out the live session
    (a turn changes it in place)."""

    def __init__(self, max_sessions: int = 10_000, ttl: float | None = None) -> None:
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self.max_sessions = max_sessions
        self.ttl = ttl
        self._lock = threading.Lock()

    def load(self, user_id: str, session_id: str | None) -> Loaded:
        with self._lock:
            status: Status = "continued"
            session_id_given = session_id is not None
            session_id = new_session_id() if session_id is None else check_session_id(session_id)
            session = self._sessions.get(session_id)
            if session is not None and session.user_id != user_id:
                raise SessionError(f"session {session_id!r} belongs to another user")
            if session is None or self.expired(session.updated_at):
                status = "expired" if session is not None else \
                    "unknown" if session_id_given else "new"
                session = Session(session_id, user_id)
                self._sessions[session_id] = session
            self._keep(session)
            return Loaded(session, status)

    def save(self, session: Session) -> SaveStatus:
        session.updated_at = time.time()
        session.version += 1
        self.put(session)
        return "saved"

    def put(self, session: Session) -> None:
        """Keep ``session`` as it is (a fallback copy; its ``updated_at`` unchanged)."""
        with self._lock:
            self._keep(session)

    def _keep(self, session: Session) -> None:
        """``session`` as the most recent; the least recently used beyond the bound go."""
        self._sessions[session.id] = session
        self._sessions.move_to_end(session.id)
        while len(self._sessions) > self.max_sessions:
            self._sessions.popitem(last=False)

    def peek(self, session_id: str) -> Session | None:
        with self._lock:
            return self._sessions.get(session_id)

    def drop(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def drop_user(self, user_id: str) -> int:
        with self._lock:
            ids = [sid for sid, s in self._sessions.items() if s.user_id == user_id]
            for sid in ids:
                del self._sessions[sid]
            return len(ids)

    def close(self) -> None:
        """Nothing to release (sessions stay until dropped)."""

    def __len__(self) -> int:
        return len(self._sessions)


class SessionLocks:
    """One lock per session id while any turn holds or waits for it: turns of one
    conversation in this process run one after another."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[threading.Lock, int]] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, session_id: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(session_id) or (threading.Lock(), 0)
            self._locks[session_id] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[session_id]
                if users > 1:
                    self._locks[session_id] = (lock, users - 1)
                else:
                    del self._locks[session_id]

    def __len__(self) -> int:
        return len(self._locks)
