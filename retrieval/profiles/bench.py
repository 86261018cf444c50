"""``shopchat bench personal``: bulk profile build time and live ``record()`` latency.

Runs in a temporary profile set (its own events file and users collection, deleted after),
over the catalog's real product index. Latency figures come with a raw Chroma upsert of one
profile measured in the same run, so ratios compare across noisy machines.
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from retrieval.embedder import Embedder, get_embedder
from retrieval.indexer import build_index
from retrieval.profiles.builder import ProfileStats, build_profiles
from retrieval.profiles.personaliser import Personaliser
from retrieval.searcher import Searcher
from shopchat.errors import ConfigError
from shopchat.records import Catalog, Product
from shopchat.settings import Settings
from shopchat.timing import elapsed_ms

if TYPE_CHECKING:
    from chromadb.api import ClientAPI


@dataclass(frozen=True, slots=True)
class Series:
    samples_ms: list[float]

    def pct(self, q: float) -> float:
        return float(np.percentile(self.samples_ms, q))


@dataclass(frozen=True, slots=True)
class PersonalBench:
    build: ProfileStats
    series: dict[str, Series]
    visible: int
    """Searches right after ``record()`` whose profile already held the new event."""
    samples: int


def _query_of(title: str) -> str:
    words = title.lower().split()
    return " ".join(words[-2:])


def bench_personal(catalog: Catalog, settings: Settings, samples: int = 100, seed: int = 0, *,
                   embedder: Embedder | None = None, client: ClientAPI | None = None,
                   progress: bool = True) -> PersonalBench:
    if not catalog.interactions:
        raise ConfigError(f"catalog {catalog.name!r} has no interactions to build profiles from")
    embedder = embedder or get_embedder(settings.embed_model)
    build_index(catalog, settings, embedder=embedder, client=client, progress=progress)
    searcher = Searcher.open(catalog.name, settings, embedder=embedder)
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="shopchat-bench-") as tmp:
        personaliser = Personaliser.open(
            searcher, settings, name=f"{catalog.name}-bench-{uuid.uuid4().hex[:8]}",
            events_path=Path(tmp) / "events.sqlite", client=client)
        try:
            _ = personaliser.vectors  # loaded once per process; not part of the build figure
            build = build_profiles(personaliser, catalog.interactions, "bench", progress=progress)
            users = sorted({i.user_id for i in catalog.interactions})
            products = searcher.table.products
            picks = [(rng.choice(users), rng.choice(products)) for _ in range(samples)]
            series, visible = _latencies(personaliser, picks)
        finally:
            personaliser.profiles.drop()
            personaliser.close()
            searcher.close()
    return PersonalBench(build, series, visible, samples)


def _latencies(personaliser: Personaliser, picks: list[tuple[str, Product]]
               ) -> tuple[dict[str, Series], int]:
    record, search_after, idle_search, durable, raw = [], [], [], [], []
    visible = 0
    collection = personaliser.profiles.collection
    vector = np.zeros(personaliser.vectors.dimension, dtype=np.float32)
    vector[0] = 1.0
    user0 = picks[0][0]
    personaliser.search(user0, "warm up", k=10)
    for user, product in picks:
        item_id, query = product.id, _query_of(product.title)
        personaliser.flush()
        t0 = time.perf_counter()
        personaliser.search(user, query, k=10)
        idle_search.append(elapsed_ms(t0))
        before = personaliser.profile(user)
        t0 = time.perf_counter()
        personaliser.record(user, item_id, "click")
        record.append(elapsed_ms(t0))
        result = personaliser.search(user, query, k=10)
        search_after.append(elapsed_ms(t0))
        now = personaliser.profile(user)
        if now is not None and now.events == (before.events if before else 0) + 1 and \
                any(c.personal_score is not None for c in result.candidates):
            visible += 1
        t0 = time.perf_counter()
        personaliser.record(user, item_id, "view")
        personaliser.flush()
        durable.append(elapsed_ms(t0))
        t0 = time.perf_counter()
        collection.upsert(ids=["bench-raw"], embeddings=vector.reshape(1, -1),
                          metadatas=[{"events": 1}])
        raw.append(elapsed_ms(t0))
    collection.delete(ids=["bench-raw"])
    return {
        "record() -> profile visible in this process": Series(record),
        "record() + the next personalised search": Series(search_after),
        "personalised search alone (no write pending)": Series(idle_search),
        "record() -> written to Chroma (other processes)": Series(durable),
        "raw Chroma upsert of one profile (baseline)": Series(raw),
    }, visible

