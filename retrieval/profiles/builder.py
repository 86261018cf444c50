"""Bulk profile building: import a catalog's (or a log's) events, rebuild changed users only.

A user's profile is rebuilt when their events changed since it was built (count and last id),
when the profile config or the embedding model changed, or when the users collection lacks
it (a fresh Chroma server). Users who no longer have events lose their stored profile.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tqdm import tqdm

from retrieval.embedder import Embedder
from retrieval.profiles.personaliser import Personaliser
from retrieval.searcher import Searcher
from shopchat.records import Catalog, EventKind, Interaction
from shopchat.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

log = logging.getLogger(__name__)

USERS_PER_STEP = 500


@dataclass(frozen=True, slots=True)
class ProfileStats:
    name: str
    users: int
    built: int
    unchanged: int
    deleted: int
    events_added: int
    events_total: int
    skipped_events: int
    """Events on items the catalog lacks, left out of the rebuilt profiles."""
    seconds: float

    def describe(self) -> str:
        return (f"{self.name}: {self.users} user profiles, built {self.built}, unchanged "
                f"{self.unchanged}, deleted {self.deleted}; {self.events_added} new events "
                f"({self.events_total} stored, {self.skipped_events} on unknown items) "
                f"in {self.seconds:.1f}s")


def import_events(personaliser: Personaliser, interactions: Sequence[Interaction],
                  source: str) -> int:
    """Add new events (query texts embedded once each); returns how many were new."""
    texts = sorted({i.query for i in interactions if i.event is EventKind.QUERY and i.query})
    vectors = {}
    if texts:
        embedded = personaliser.searcher.embedder.embed(texts)
        vectors = dict(zip(texts, embedded, strict=True))
    return personaliser.events.import_interactions(interactions, source, vectors)


def refresh_profiles(personaliser: Personaliser, *, progress: bool = True,
                     events_added: int = 0) -> ProfileStats:
    """Rebuild the profiles whose events (or config) changed; delete orphaned profiles."""
    started = time.perf_counter()
    events = personaliser.events
    prefix = personaliser.digest_prefix()
    wanted = {u: prefix + d for u, d in events.digests().items()}
    built = events.built()
    stored = personaliser.profiles.ids()
    todo = sorted(u for u, d in wanted.items() if built.get(u) != d or u not in stored)
    stale = sorted((stored | built.keys()) - wanted.keys())
    deleted = personaliser.profiles.delete(stale)
    events.unmark_built(stale)
    skipped = 0
    with tqdm(total=len(todo), desc=f"profiles {personaliser.name}", unit="user",
              disable=not progress or not todo) as bar:  # nothing to build: no empty bar
        for start in range(0, len(todo), USERS_PER_STEP):
            ids = todo[start : start + USERS_PER_STEP]
            by_user = dict(events.events_of(ids))
            profiles = personaliser.store_built(ids, by_user, wanted)
            skipped += sum(p.skipped for p in profiles if p is not None)
            bar.update(len(ids))
    if skipped:
        log.warning("%s: %d events name items the catalog does not have (left out of profiles)",
                    personaliser.name, skipped)
    return ProfileStats(
        name=personaliser.name, users=len(wanted), built=len(todo),
        unchanged=len(wanted) - len(todo), deleted=deleted, events_added=events_added,
        events_total=events.count(), skipped_events=skipped,
        seconds=time.perf_counter() - started,
    )


def build_profiles(personaliser: Personaliser, interactions: Sequence[Interaction] = (),
                   source: str = "", *, progress: bool = True) -> ProfileStats:
    """Import ``interactions`` (idempotent per ``source``), then refresh changed profiles."""
    started = time.perf_counter()
    added = import_events(personaliser, interactions, source) if interactions else 0
    stats = refresh_profiles(personaliser, progress=progress, events_added=added)
    return dataclasses.replace(stats, seconds=time.perf_counter() - started)


def index_users(catalog: Catalog, settings: Settings, *, extra: Sequence[Catalog] = (),
                embedder: Embedder | None = None, client: ClientAPI | None = None,
                progress: bool = True) -> ProfileStats:
    """Bring the catalog's user profiles up to date with its interactions (and ``extra`` logs).

    Needs the catalog's product index (``build_index``) first.
    """
    searcher = Searcher.open(catalog.name, settings, embedder=embedder)
    personaliser = Personaliser.open(searcher, settings, client=client)
    try:
        added = 0
        started = time.perf_counter()
        for source, interactions in [(f"catalog:{catalog.name}", catalog.interactions),
                                     *((f"log:{c.name}", c.interactions) for c in extra)]:
            if interactions:
                added += import_events(personaliser, interactions, source)
        stats = refresh_profiles(personaliser, progress=progress, events_added=added)
        return dataclasses.replace(stats, seconds=time.perf_counter() - started)
    finally:
        personaliser.close()
        searcher.close()
