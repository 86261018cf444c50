"""Conversation state: per-session constraints, search text and shown items, kept in memory."""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

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
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

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


class SessionStore:
    """Bounded LRU of sessions; a session is only ever handed to the user who opened it."""

    def __init__(self, max_sessions: int = 10_000) -> None:
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._max = max_sessions
        self._lock = threading.Lock()

    def get(self, user_id: str, session_id: str | None) -> Session:
        with self._lock:
            if session_id is None:
                session_id = uuid.uuid4().hex
            elif not session_id or len(session_id) > 128 or not session_id.isprintable():
                raise SessionError("session ids are 1-128 printable characters")
            session = self._sessions.get(session_id)
            if session is None:
                session = Session(session_id, user_id)
                self._sessions[session_id] = session
                while len(self._sessions) > self._max:
                    self._sessions.popitem(last=False)
            elif session.user_id != user_id:
                raise SessionError(f"session {session_id!r} belongs to another user")
            self._sessions.move_to_end(session_id)
            return session

    def drop(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def drop_user(self, user_id: str) -> int:
        """Forget every session of ``user_id``; returns how many there were."""
        with self._lock:
            ids = [sid for sid, s in self._sessions.items() if s.user_id == user_id]
            for sid in ids:
                del self._sessions[sid]
            return len(ids)

    def __len__(self) -> int:
        return len(self._sessions)
