"""The events store: every user's interactions for one catalog, in one SQLite file.

It is the source of truth profiles are rebuilt from. Bulk imports are idempotent (each
source row has a stable key); live events (``record``) always append. ``forget`` deletes a
user's rows and leaves a tombstone (a hash of the user id, never the id) so that
re-importing the catalog's source data does not bring the user back.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shopchat.errors import StoreError
from shopchat.records import EventKind, Interaction

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    event TEXT NOT NULL,
    ts REAL NOT NULL,
    quantity INTEGER NOT NULL DEFAULT 1,
    query TEXT NOT NULL DEFAULT '',
    vector BLOB,
    key TEXT NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS events_user ON events (user_id, id);
CREATE TABLE IF NOT EXISTS built (user_id TEXT PRIMARY KEY, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS forgotten (user_hash TEXT PRIMARY KEY, at REAL NOT NULL);
"""
_COLUMNS = "id, user_id, item_id, event, ts, quantity, query, vector"
_CHUNK = 900  # SQLite's default limit on host parameters is 999


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: int
    user_id: str
    item_id: str
    event: EventKind
    ts: float
    """Seconds since the epoch (UTC)."""
    quantity: int = 1
    query: str = ""
    vector: np.ndarray | None = None
    """The embedded query text (query events only)."""


def user_hash(user_id: str) -> str:
    return hashlib.sha256(f"shopchat-forget\n{user_id}".encode()).hexdigest()


def source_keys(interactions: Sequence[Interaction], source: str) -> list[str]:
    """Stable keys: identical rows are numbered, so re-imports skip and duplicates still count."""
    seen: Counter[str] = Counter()
    keys = []
    for it in interactions:
        raw = "\x1f".join((it.user_id, it.item_id, it.event.value, it.timestamp.isoformat(),
                           str(it.quantity), it.query))
        digest = hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
        seen[digest] += 1
        keys.append(f"{source}:{digest}:{seen[digest]}")
    return keys


class EventStore:
    """Thread-safe: one connection behind a lock; WAL mode lets other processes share the file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA secure_delete=ON")  # forgotten rows are overwritten
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the events store {self.path}: {exc}") from exc
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def import_interactions(self, interactions: Sequence[Interaction], source: str,
                            query_vectors: Mapping[str, np.ndarray] | None = None) -> int:
        """Add ``interactions`` not imported before (by key); forgotten users are skipped.

        ``query_vectors`` maps query texts to their embeddings (stored with query events).
        """
        forgotten = self._forgotten()
        keys = source_keys(interactions, source)
        vectors = query_vectors or {}

        def blob(it: Interaction) -> bytes | None:
            vector = vectors.get(it.query) if it.event is EventKind.QUERY else None
            return None if vector is None else np.asarray(vector, dtype=np.float32).tobytes()

        rows = [
            (it.user_id, it.item_id, it.event.value, it.timestamp.timestamp(), it.quantity,
             it.query, blob(it), key)
            for it, key in zip(interactions, keys, strict=True)
            if not forgotten or user_hash(it.user_id) not in forgotten
        ]
        with self._lock, self._db:
            before = self._db.total_changes
            self._db.executemany(
                "INSERT OR IGNORE INTO events (user_id, item_id, event, ts, quantity, query, "
                "vector, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            added = self._db.total_changes - before
        if len(rows) < len(interactions):
            log.info("%s: skipped %d events of forgotten users", source,
                     len(interactions) - len(rows))
        return added

    def add(self, interaction: Interaction, vector: np.ndarray | None = None) -> int:
        """Append one live event; returns its id."""
        blob = None if vector is None else np.asarray(vector, dtype=np.float32).tobytes()
        with self._lock, self._db:
            cur = self._db.execute(
                "INSERT INTO events (user_id, item_id, event, ts, quantity, query, vector, key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (interaction.user_id, interaction.item_id, interaction.event.value,
                 interaction.timestamp.timestamp(), interaction.quantity, interaction.query,
                 blob, f"live:{uuid.uuid4().hex}"))
            return int(cur.lastrowid or 0)

    def events(self, user_id: str) -> list[StoredEvent]:
        """One user's events, oldest first (by insertion)."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM events WHERE user_id = ? ORDER BY id", (user_id,)
            ).fetchall()
        return [_event(r) for r in rows]

    def recent(self, user_id: str, n: int) -> list[StoredEvent]:
        """One user's latest ``n`` events, newest first (by time, then insertion)."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM events WHERE user_id = ? ORDER BY ts DESC, id DESC "
                "LIMIT ?", (user_id, n)).fetchall()
        return [_event(r) for r in rows]

    def events_of(self, user_ids: Iterable[str]) -> Iterator[tuple[str, list[StoredEvent]]]:
        """``(user, events)`` for each of ``user_ids`` that has events, in chunks."""
        ids = sorted(set(user_ids))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            with self._lock:
                rows = self._db.execute(
                    f"SELECT {_COLUMNS} FROM events WHERE user_id IN ({marks}) "
                    "ORDER BY user_id, id", chunk).fetchall()
            grouped: dict[str, list[StoredEvent]] = {}
            for row in rows:
                grouped.setdefault(row[1], []).append(_event(row))
            yield from grouped.items()

    def digests(self) -> dict[str, str]:
        """Per user ``count:max id``: changes whenever the user's events change."""
        with self._lock:
            rows = self._db.execute(
                "SELECT user_id, COUNT(*), MAX(id) FROM events GROUP BY user_id").fetchall()
        return {u: f"{n}:{m}" for u, n, m in rows}

    def digest(self, user_id: str) -> str | None:
        with self._lock:
            n, m = self._db.execute(
                "SELECT COUNT(*), MAX(id) FROM events WHERE user_id = ?", (user_id,)).fetchone()
        return f"{n}:{m}" if n else None

    def built(self) -> dict[str, str]:
        """The events digest each stored profile was built from."""
        with self._lock:
            return dict(self._db.execute("SELECT user_id, digest FROM built").fetchall())

    def mark_built(self, digests: dict[str, str]) -> None:
        with self._lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO built (user_id, digest) VALUES (?, ?)",
                                 list(digests.items()))

    def unmark_built(self, user_ids: Iterable[str]) -> None:
        with self._lock, self._db:
            self._db.executemany("DELETE FROM built WHERE user_id = ?", [(u,) for u in user_ids])

    def forget(self, user_id: str) -> int:
        """Delete every event of ``user_id`` and tombstone it; returns how many were deleted."""
        with self._lock, self._db:
            n = self._db.execute("DELETE FROM events WHERE user_id = ?", (user_id,)).rowcount
            self._db.execute("DELETE FROM built WHERE user_id = ?", (user_id,))
            self._db.execute("INSERT OR REPLACE INTO forgotten (user_hash, at) VALUES (?, ?)",
                             (user_hash(user_id), time.time()))
        return int(n)

    def is_forgotten(self, user_id: str) -> bool:
        return user_hash(user_id) in self._forgotten()

    def _forgotten(self) -> set[str]:
        with self._lock:
            return {r[0] for r in self._db.execute("SELECT user_hash FROM forgotten")}

    def top_users(self, n: int) -> list[tuple[str, int]]:
        """The ``n`` users with the most events, most active first (ties by id)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT user_id, COUNT(*) AS n FROM events GROUP BY user_id "
                "ORDER BY n DESC, user_id LIMIT ?", (n,)).fetchall()
        return [(str(user), int(count)) for user, count in rows]

    def count(self, user_id: str | None = None) -> int:
        with self._lock:
            if user_id is None:
                return int(self._db.execute("SELECT COUNT(*) FROM events").fetchone()[0])
            return int(self._db.execute(
                "SELECT COUNT(*) FROM events WHERE user_id = ?", (user_id,)).fetchone()[0])


def _event(row: tuple[Any, ...]) -> StoredEvent:
    id_, user, item, event, ts, quantity, query, blob = row
    vector = np.frombuffer(blob, dtype=np.float32) if isinstance(blob, bytes) else None
    return StoredEvent(int(id_), str(user), str(item), EventKind(str(event)), float(ts),
                       int(quantity), str(query), vector)
