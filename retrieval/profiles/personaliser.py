"""``Personaliser``: per-user profiles over one indexed catalog: search, recommend, record, forget.

A user with no profile gets exactly the plain ``Searcher.search`` answer. Every public method
takes the user id it answers for and reads that user's profile only.

With the events database unreachable, reads fall back to stored profiles; after one failure
they fail fast: the database's breaker (``shopchat.database``, shared with the sessions on one
pool) skips it until its probe finds it back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.embedder import embed_queries
from retrieval.profiles import scoring
from retrieval.profiles.config import ProfileConfig
from retrieval.profiles.events import EventStore, StoredEvent, digest_of, open_events
from retrieval.profiles.profile import Profile, build_profile
from retrieval.profiles.rankers import PERSONAL_RANKERS
from retrieval.profiles.store import ProfileStore
from retrieval.profiles.summary import describe_history
from retrieval.profiles.vectors import ItemVectors
from retrieval.profiles.writer import WriteBehind
from retrieval.searcher import Searcher
from retrieval.store import open_client
from retrieval.types import Filters, Mode, ParsedQuery, SearchResult
from shopchat.database import DatabaseUnavailable
from shopchat.errors import DataError, StoreError
from shopchat.ids import check_user_id
from shopchat.records import EventKind, Interaction
from shopchat.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from retrieval.ranking.rankers import Ranker

log = logging.getLogger(__name__)

DEGRADED_LOG_S = 30.0
"""At most one warning per this many seconds while the events database is unreachable."""


@dataclass(frozen=True, slots=True)
class ForgetReport:
    user_id: str
    store: str
    events: int
    """Events deleted from the events store."""
    profile: bool
    """Whether a stored profile was deleted."""
    conversations: int = 0
    """Conversations deleted (``Assistant.forget``: the sessions of every catalog)."""

    def describe(self) -> str:
        return (f"{self.store}: deleted {self.events} events and "
                f"{'the profile' if self.profile else 'no profile (none stored)'}")


class Personaliser:
    def __init__(self, searcher: Searcher, events: EventStore, profiles: ProfileStore,
                 config: ProfileConfig | None = None, name: str | None = None,
                 ranker: Ranker | None = None) -> None:
        self.searcher = searcher
        self.events = events
        self.profiles = profiles
        self.config = config or ProfileConfig()
        self.ranker = ranker
        """The learned personal ranker; None: the linear blend."""
        self.name = name or searcher.catalog
        self._vectors: ItemVectors | None = None
        self._writer: WriteBehind | None = None
        self._load_lock = threading.Lock()
        self._record_lock = threading.Lock()
        self._prefix: tuple[ProfileConfig, str] | None = None
        self._degraded_at = -DEGRADED_LOG_S

    @classmethod
    def open(cls, searcher: Searcher, settings: Settings, *, name: str | None = None,
             events_path: Path | None = None, client: ClientAPI | None = None,
             config: ProfileConfig | None = None) -> Personaliser:
        """Profile set ``name`` (default: the catalog's) for ``searcher``'s catalog; its events
        in ``settings.database_url`` (else SQLite under ``settings.home``), or in the SQLite
        file ``events_path`` when given (a scratch set)."""
        name = name or searcher.catalog
        events = open_events(settings, name, events_path)
        store = ProfileStore.open(client or open_client(settings), name)
        assert store is not None  # create=True always returns a store
        ranker = PERSONAL_RANKERS.pick(searcher.catalog, settings.personal_ranker, settings.home)
        return cls(searcher, events, store, config, name, ranker)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self.events.close()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until recorded profiles are in Chroma (other processes then see them)."""
        return self._writer.flush(timeout) if self._writer is not None else True

    @property
    def vectors(self) -> ItemVectors:
        with self._load_lock:
            if self._vectors is None:
                self._vectors = ItemVectors.load(self.searcher.collection, self.searcher.table)
            return self._vectors

    def profile(self, user_id: str) -> Profile | None:
        """The profile of ``user_id``: the one way profile content is read.

        A profile recorded in this process but not yet written to Chroma comes first, else the
        stored one. Either is checked against the events database (one indexed query) and
        rebuilt from the events when they changed since it was built: another process (a
        replica) recorded an event that its write-behind has not yet put in Chroma. With the
        events database unreachable, the stored profile is used as it is (or none).
        """
        user_id = check_user_id(user_id)
        pending = self._writer.get(user_id) if self._writer is not None else None
        stored = pending if pending is not None else self.profiles.read(user_id)
        try:
            current = self.events.digest(user_id)
            if current is None:
                return None  # no events (forgotten, perhaps by another process): no profile
            if stored is not None and stored.digest == self.digest_prefix() + current:
                return stored
            return self._build(user_id, self.events.events(user_id))
        except DatabaseUnavailable as exc:
            self._degraded(exc)
            return stored

    def _build(self, user_id: str, events: Sequence[StoredEvent]) -> Profile | None:
        digest = digest_of(events)
        return None if digest is None else build_profile(
            user_id, events, self.vectors, self.config, self.digest_prefix() + digest)

    def _degraded(self, exc: DatabaseUnavailable) -> None:
        """Log (at most every ``DEGRADED_LOG_S``) that personalisation runs without events."""
        now = time.monotonic()
        if now - self._degraded_at >= DEGRADED_LOG_S:
            self._degraded_at = now
            log.warning("%s: events database unavailable, personalising from stored profiles "
                        "only: %s", self.name, exc)

    def search(self, user_id: str, query: str | ParsedQuery, k: int = 10,
               mode: Mode | str = Mode.HYBRID, filters: Filters | None = None) -> SearchResult:
        """``Searcher.search`` for this user: the query's top ``pool`` reordered by the profile."""
        profile = self.profile(user_id)
        if profile is None:
            return self.searcher.search(query, k=k, mode=mode, filters=filters)
        result = self.searcher.search(query, k=max(k, self.config.pool), mode=mode,
                                      filters=filters)
        return self.rescore(profile, result, k)

    def personalise(self, user_id: str, result: SearchResult, k: int | None = None) -> SearchResult:
        """``result`` reordered for ``user_id``; unchanged when the user has no profile."""
        profile = self.profile(user_id)
        return result if profile is None else self.rescore(profile, result, k)

    def rescore(self, profile: Profile, result: SearchResult, k: int | None = None) -> SearchResult:
        return scoring.rescore(profile, result, self.vectors, self.config, k, self.ranker)

    def recommend(self, user_id: str, k: int = 20,
                  filters: Filters | None = None) -> SearchResult | None:
        """Items for an empty query from the profile alone; None without a profile."""
        profile = self.profile(user_id)
        return None if profile is None else self.recommend_for(profile, k, filters)

    def recommend_for(self, profile: Profile, k: int = 20,
                      filters: Filters | None = None) -> SearchResult:
        return scoring.recommend(profile, self.vectors, self.config, k, filters)

    def recent_events(self, user_id: str, n: int = 10) -> list[StoredEvent]:
        """``user_id``'s latest ``n`` events, newest first (what the chat page shows them)."""
        user_id = check_user_id(user_id)
        try:
            return self.events.recent(user_id, n)
        except DatabaseUnavailable as exc:
            self._degraded(exc)
            return []

    def shoppers(self, n: int) -> list[str]:
        """The ``n`` most active users: the chat page's shopper selector."""
        try:
            return [user for user, _ in self.events.top_users(n)]
        except DatabaseUnavailable as exc:
            self._degraded(exc)
            return []

    def summary(self, profile: Profile) -> str:
        return describe_history(profile, self.searcher.table)

    def record(self, user_id: str, item_id: str, event: EventKind | str, *,
               timestamp: datetime | None = None, query: str = "", quantity: int = 1) -> Profile:
        """Store one event and rebuild the user's profile now; returns the new profile."""
        user_id = check_user_id(user_id)
        try:
            kind = EventKind(str(event).lower())
        except ValueError as exc:
            known = ", ".join(e.value for e in EventKind)
            raise DataError(f"unknown event {event!r}; known events: {known}") from exc
        vector = None
        if kind is EventKind.QUERY:
            if not query.strip():
                raise DataError("a query event needs query text")
            vector = embed_queries(self.searcher.embedder, [query.strip()])[0]
        elif self.searcher.table.get(item_id) is None:
            raise DataError(f"unknown item {item_id!r} in catalog {self.searcher.catalog!r}")
        if quantity < 1:
            raise DataError(f"quantity must be >= 1, got {quantity}")
        stamp = timestamp or datetime.now(UTC)
        with self._record_lock:
            try:
                self.events.add(Interaction(user_id, item_id, kind, stamp, quantity,
                                            query.strip()), vector)
            except DatabaseUnavailable as exc:
                raise DatabaseUnavailable(f"the {kind.value} was not recorded: {exc}") from exc
            try:
                events = self.events.events(user_id)
            except DatabaseUnavailable as exc:
                raise DatabaseUnavailable(f"the {kind.value} was recorded, but the profile was "
                                          f"not rebuilt (the next read does it): {exc}") from exc
            profile = self._build(user_id, events)
            assert profile is not None  # the user has at least the event just added
            self._live_writer().put(profile)
        return profile

    def _live_writer(self) -> WriteBehind:
        if self._writer is None:
            self._writer = WriteBehind(self.profiles, self.vectors.dimension, self._written)
        return self._writer

    def _written(self, digests: dict[str, str]) -> None:
        """After the write-behind stored profiles: mark them built; a user forgotten meanwhile
        (by another replica) loses the profile just written and its mark again."""
        try:
            gone = [user for user in digests if self.events.digest(user) is None]
            self.events.mark_built({u: d for u, d in digests.items() if u not in gone})
            if gone:
                self.profiles.delete(gone)
                self.events.unmark_built(gone)
                log.info("%s: %d profiles written after their users were forgotten: deleted",
                         self.name, len(gone))
        except StoreError as exc:  # the next `shopchat index` compares digests again
            log.warning("%s: could not mark %d written profiles as built: %s", self.name,
                        len(digests), exc)

    def digest_prefix(self) -> str:
        """What a stored profile was built with (config, embedder): read on every turn's
        freshness check, so worked out once per config."""
        cached = self._prefix
        if cached is None or cached[0] is not self.config:
            cached = self._prefix = (
                self.config, f"{self.config.fingerprint()}|{self.searcher.embedder.name}|")
        return cached[1]

    def store_built(self, ids: Sequence[str], by_user: Mapping[str, Sequence[StoredEvent]],
                     digests: Mapping[str, str]) -> list[Profile | None]:
        out = [build_profile(user, by_user.get(user, []), self.vectors, self.config,
                             digests.get(user, "")) for user in ids]
        built = [p for p in out if p is not None]
        self.profiles.write(built, self.vectors.dimension)
        self.events.mark_built({p.user_id: p.digest for p in built})
        empty = [u for u, p in zip(ids, out, strict=True) if p is None]
        if empty:
            self.profiles.delete(empty)
            self.events.unmark_built(empty)
        return out

    def forget(self, user_id: str) -> ForgetReport:
        """Delete ``user_id``'s events and profile from this profile set; says what went."""
        user_id = check_user_id(user_id)
        with self._record_lock:
            self.flush()  # a profile still being written must not come back afterwards
            events = self.events.forget(user_id)
            profile = self.profiles.delete([user_id]) > 0
        log.info("forgot user in %s: %d events, profile %s", self.name, events, profile)
        return ForgetReport(user_id, self.name, events, profile)
