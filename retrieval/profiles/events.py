"""The events store: every user's interactions for one profile set (usually a catalog).

It is the source of truth profiles are rebuilt from. Bulk imports are idempotent (each
source row has a stable key); live events (``add``) always append. ``forget`` deletes a
user's rows and leaves a tombstone (a hash of the user id, never the id) so that
re-importing the catalog's source data does not bring the user back.

Where it lives (``shopchat.database``): without ``SHOPCHAT_DATABASE_URL``, one SQLite file per
profile set (tables ``events``, ``built``, ``forgotten``). With PostgreSQL, every set's tables
are in that one database under per-set names (``events__icecat``...), listed in ``event_sets``
so that ``stored_sets`` finds them. The statements are the same for both.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shopchat.database import Database, SqliteDatabase, Transaction, open_database
from shopchat.records import EventKind, Interaction
from shopchat.settings import Settings

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS {events} (
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
CREATE INDEX IF NOT EXISTS {events}_user ON {events} (user_id, id);
CREATE TABLE IF NOT EXISTS {built} (user_id TEXT PRIMARY KEY, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS {forgotten} (user_hash TEXT PRIMARY KEY, at REAL NOT NULL)
"""
REGISTRY = "event_sets"
"""The shared database's list of profile sets (name and table suffix)."""
_REGISTRY_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {REGISTRY} (name TEXT PRIMARY KEY, suffix TEXT NOT NULL)")
_COLUMNS = "id, user_id, item_id, event, ts, quantity, query, vector"
_CHUNK = 900  # SQLite's default limit on host parameters is 999
ROWS_PER_INSERT = 100
"""Rows per multi-row ``INSERT`` in an import (800 parameters: within SQLite's old limit)."""
INSERTS_PER_BATCH = 50
"""Multi-row statements per ``executemany`` (PostgreSQL pipelines each batch): an import of
400k rows takes about 5 s on PostgreSQL instead of 10 s one row per statement."""


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


def digest_of(events: Sequence[StoredEvent]) -> str | None:
    """``EventStore.digest`` of a user's events as ``EventStore.events`` returns them."""
    return f"{len(events)}:{events[-1].id}" if events else None


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


def table_suffix(name: str) -> str:
    """A SQL identifier part for profile set ``name`` (a hash keeps changed names distinct)."""
    safe = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if safe == name and 0 < len(safe) <= 40:
        return safe
    return f"{safe[:30]}_{hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:8]}"


def open_events(settings: Settings, name: str, path: Path | None = None) -> EventStore:
    """Profile set ``name``'s events: in ``settings.database_url``, else the SQLite file
    ``settings.events_path(name)``. An explicit ``path`` is a SQLite file whatever the settings
    say (scratch sets of benchmarks and evaluations stay out of the shared database)."""
    if path is not None:
        return EventStore(SqliteDatabase(path), name)
    return EventStore(open_database(settings.database_url, settings.events_path(name)), name)


def stored_sets(settings: Settings) -> list[str]:
    """Names of the profile sets with an events store: SQLite files, or the shared database's."""
    if not settings.database_url:
        folder = settings.events_path("x").parent
        return sorted(p.stem for p in folder.glob("*.sqlite")) if folder.exists() else []
    db = open_database(settings.database_url, settings.events_path("x"))
    try:
        db.create(_REGISTRY_SCHEMA)
        return sorted(str(r[0]) for r in db.execute(f"SELECT name FROM {REGISTRY}").rows)
    finally:
        db.close()


def has_events(settings: Settings, name: str) -> bool:
    """Whether profile set ``name`` has an events store (without creating one)."""
    if not settings.database_url:
        return settings.events_path(name).exists()
    return name in stored_sets(settings)


class EventStore:
    """Thread-safe (the ``Database`` is). Takes ownership of ``db``: ``close`` closes it.

    ``EventStore(path)`` opens the SQLite file ``path``, as it always did.
    """

    def __init__(self, db: Database | Path, name: str = "events") -> None:
        self.db = db if isinstance(db, Database) else SqliteDatabase(Path(db))
        self.name = name
        self.path = getattr(self.db, "path", None)
        shared = self.db.kind != "sqlite"
        suffix = f"__{table_suffix(name)}" if shared else ""
        self._events, self._built, self._forgotten_t = (
            f"events{suffix}", f"built{suffix}", f"forgotten{suffix}")
        ddl = _SCHEMA.format(events=self._events, built=self._built, forgotten=self._forgotten_t)
        try:
            if shared:  # registered first: a set half-created is still found (and forgettable)
                self.db.create(_REGISTRY_SCHEMA)
                self.db.execute(f"INSERT INTO {REGISTRY} (name, suffix) VALUES (?, ?) "
                                "ON CONFLICT (name) DO NOTHING", (name, suffix))
            self.db.create(ddl)
        except BaseException:
            self.db.close()
            raise

    def describe(self) -> str:
        return f"events {self.name!r} in {self.db.describe()}"

    def ping(self) -> None:
        """Raise ``DatabaseUnavailable`` unless the database answers now."""
        self.db.ping()

    def close(self) -> None:
        self.db.close()

    def import_interactions(self, interactions: Sequence[Interaction], source: str,
                            query_vectors: Mapping[str, np.ndarray] | None = None) -> int:
        """Add ``interactions`` not imported before (by key); forgotten users are skipped.

        ``query_vectors`` maps query texts to their embeddings (stored with query events).
        One transaction: an import that fails adds nothing (and re-running it is safe).
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
        with self.db.transaction() as tx:
            added = self._insert(tx, rows)
        if len(rows) < len(interactions):
            log.info("%s: skipped %d events of forgotten users", source,
                     len(interactions) - len(rows))
        return added

    def _insert(self, tx: Transaction, rows: Sequence[tuple[Any, ...]]) -> int:
        """Insert ``rows`` new by key, ``ROWS_PER_INSERT`` per statement; returns how many."""
        head = (f"INSERT INTO {self._events} (user_id, item_id, event, ts, quantity, query, "
                "vector, key) VALUES ")
        tail = " ON CONFLICT (key) DO NOTHING"
        one = "(?, ?, ?, ?, ?, ?, ?, ?)"
        full = len(rows) - len(rows) % ROWS_PER_INSERT
        sql = head + ", ".join([one] * ROWS_PER_INSERT) + tail
        groups = [tuple(v for row in rows[i : i + ROWS_PER_INSERT] for v in row)
                  for i in range(0, full, ROWS_PER_INSERT)]
        added = 0
        for start in range(0, len(groups), INSERTS_PER_BATCH):
            added += tx.executemany(sql, groups[start : start + INSERTS_PER_BATCH])
        if full < len(rows):
            added += tx.executemany(head + one + tail, rows[full:])
        return added

    def add(self, interaction: Interaction, vector: np.ndarray | None = None) -> int:
        """Append one live event; returns its id."""
        blob = None if vector is None else np.asarray(vector, dtype=np.float32).tobytes()
        result = self.db.execute(
            f"INSERT INTO {self._events} (user_id, item_id, event, ts, quantity, query, vector, "
            "key) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (interaction.user_id, interaction.item_id, interaction.event.value,
             interaction.timestamp.timestamp(), interaction.quantity, interaction.query,
             blob, f"live:{uuid.uuid4().hex}"))
        return int(result.rows[0][0])

    def events(self, user_id: str) -> list[StoredEvent]:
        """One user's events, oldest first (by insertion)."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM {self._events} WHERE user_id = ? ORDER BY id",
            (user_id,)).rows
        return [_event(r) for r in rows]

    def recent(self, user_id: str, n: int) -> list[StoredEvent]:
        """One user's latest ``n`` events, newest first (by time, then insertion)."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM {self._events} WHERE user_id = ? "
            "ORDER BY ts DESC, id DESC LIMIT ?", (user_id, n)).rows
        return [_event(r) for r in rows]

    def events_of(self, user_ids: Iterable[str]) -> Iterator[tuple[str, list[StoredEvent]]]:
        """``(user, events)`` for each of ``user_ids`` that has events, in chunks."""
        ids = sorted(set(user_ids))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT {_COLUMNS} FROM {self._events} WHERE user_id IN ({marks}) "
                "ORDER BY user_id, id", chunk).rows
            grouped: dict[str, list[StoredEvent]] = {}
            for row in rows:
                grouped.setdefault(row[1], []).append(_event(row))
            yield from grouped.items()

    def digests(self) -> dict[str, str]:
        """Per user ``count:max id``: changes whenever the user's events change."""
        rows = self.db.execute(
            f"SELECT user_id, COUNT(*), MAX(id) FROM {self._events} GROUP BY user_id").rows
        return {str(u): f"{n}:{m}" for u, n, m in rows}

    def digest(self, user_id: str) -> str | None:
        """``digests()[user_id]`` in one indexed query; None when the user has no events."""
        [(n, m)] = self.db.execute(
            f"SELECT COUNT(*), MAX(id) FROM {self._events} WHERE user_id = ?", (user_id,)).rows
        return f"{n}:{m}" if n else None

    def built(self) -> dict[str, str]:
        """The events digest each stored profile was built from."""
        rows = self.db.execute(f"SELECT user_id, digest FROM {self._built}").rows
        return {str(u): str(d) for u, d in rows}

    def mark_built(self, digests: dict[str, str]) -> None:
        self.db.executemany(
            f"INSERT INTO {self._built} (user_id, digest) VALUES (?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET digest = excluded.digest",
            sorted(digests.items()))  # one order: concurrent writers never deadlock

    def unmark_built(self, user_ids: Iterable[str]) -> None:
        self.db.executemany(f"DELETE FROM {self._built} WHERE user_id = ?",
                            [(u,) for u in sorted(set(user_ids))])

    def forget(self, user_id: str) -> int:
        """Delete every event of ``user_id`` and tombstone it (one transaction); returns how
        many events were deleted."""
        with self.db.transaction() as tx:
            n = tx.execute(f"DELETE FROM {self._events} WHERE user_id = ?", (user_id,)).rowcount
            tx.execute(f"DELETE FROM {self._built} WHERE user_id = ?", (user_id,))
            tx.execute(f"INSERT INTO {self._forgotten_t} (user_hash, at) VALUES (?, ?) "
                       "ON CONFLICT (user_hash) DO UPDATE SET at = excluded.at",
                       (user_hash(user_id), time.time()))
        return int(n)

    def is_forgotten(self, user_id: str) -> bool:
        return bool(self.db.execute(
            f"SELECT 1 FROM {self._forgotten_t} WHERE user_hash = ?", (user_hash(user_id),)).rows)

    def _forgotten(self) -> set[str]:
        return {str(r[0]) for r in self.db.execute(
            f"SELECT user_hash FROM {self._forgotten_t}").rows}

    def top_users(self, n: int) -> list[tuple[str, int]]:
        """The ``n`` users with the most events, most active first (ties by id)."""
        rows = self.db.execute(
            f"SELECT user_id, COUNT(*) AS n FROM {self._events} GROUP BY user_id "
            "ORDER BY n DESC, user_id LIMIT ?", (n,)).rows
        return [(str(user), int(count)) for user, count in rows]

    def count(self, user_id: str | None = None) -> int:
        if user_id is None:
            rows = self.db.execute(f"SELECT COUNT(*) FROM {self._events}").rows
        else:
            rows = self.db.execute(
                f"SELECT COUNT(*) FROM {self._events} WHERE user_id = ?", (user_id,)).rows
        return int(rows[0][0])


def _event(row: tuple[Any, ...]) -> StoredEvent:
    id_, user, item, event, ts, quantity, query, blob = row
    vector = (np.frombuffer(bytes(blob), dtype=np.float32)
              if isinstance(blob, bytes | memoryview) else None)
    return StoredEvent(int(id_), str(user), str(item), EventKind(str(event)), float(ts),
                       int(quantity), str(query), vector)
