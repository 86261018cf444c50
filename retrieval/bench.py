"""Benchmarks that print figures: index throughput vs raw encode, search latency vs raw Chroma."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.embedder import embed_queries, get_embedder
from retrieval.filters import chroma_where
from retrieval.indexer import build_index
from retrieval.searcher import Searcher
from shopchat.records import Catalog
from shopchat.settings import Settings
from shopchat.timing import elapsed_ms

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IndexBench:
    items: int
    raw_items_per_s: float
    index_items_per_s: float

    @property
    def ratio(self) -> float:
        return self.index_items_per_s / self.raw_items_per_s


def bench_index(catalog: Catalog, settings: Settings, limit: int | None = None) -> IndexBench:
    """Raw ``SentenceTransformer.encode`` vs ``build_index`` (fresh store) on the same texts."""
    products = catalog.products[:limit] if limit else catalog.products
    subset = Catalog(catalog.name, products, [], catalog.report)
    embedder = get_embedder(settings.embed_model)
    texts = [p.search_text() for p in products]
    embedder.embed(texts[:64])  # warm-up: first call pays one-off set-up costs

    t0 = time.perf_counter()
    embedder.embed(texts, settings.embed_batch_size)
    raw = len(texts) / (time.perf_counter() - t0)

    with tempfile.TemporaryDirectory(prefix="shopchat-bench-") as tmp:
        fresh = settings.model_copy(update={"home": Path(tmp), "chroma_url": None})
        stats = build_index(subset, fresh, embedder=embedder, progress=False)
    return IndexBench(len(texts), raw, stats.total / stats.seconds)


@dataclass(frozen=True, slots=True)
class Latency:
    samples_ms: list[float]

    def pct(self, q: float) -> float:
        return float(np.percentile(self.samples_ms, q))


def _raw_query(searcher: Searcher, vector: np.ndarray, where: dict[str, Any] | None) -> float:
    """Milliseconds of one raw Chroma top-100 query."""
    t0 = time.perf_counter()
    searcher.collection.query(query_embeddings=vector.reshape(1, -1), n_results=100,
                              where=where, include=["distances"])
    return elapsed_ms(t0)


def bench_search(searcher: Searcher, queries: Sequence[str], rounds: int = 3) -> dict[str, Latency]:
    """Hybrid search latency (query embedding included) vs a raw Chroma query, same filter."""
    vectors = embed_queries(searcher.embedder, list(queries))
    for q in queries[:5]:
        searcher.search(q, k=10)
    hybrid: list[float] = []
    embed: list[float] = []
    raw_filtered: list[float] = []
    raw_unfiltered: list[float] = []
    for _ in range(rounds):
        for query, vector in zip(queries, vectors, strict=True):
            searcher.clear_caches()  # each round embeds again, as a new shopper's query would
            result = searcher.search(query, k=10)
            hybrid.append(result.timings_ms["total"])
            embed.append(result.timings_ms.get("embed", 0.0))
            where = chroma_where(result.query.filters)
            raw_filtered.append(_raw_query(searcher, vector, where))
            raw_unfiltered.append(_raw_query(searcher, vector, None))
    return {
        "hybrid search (total)": Latency(hybrid),
        "  of which query embedding": Latency(embed),
        "raw Chroma top-100, where filter": Latency(raw_filtered),
        "raw Chroma top-100, no filter": Latency(raw_unfiltered),
    }


def bench_specs(searcher: Searcher, queries: Sequence[str], rounds: int = 3
                ) -> dict[str, Latency]:
    """Spec queries ("27 inch monitor", "laptop with 16gb ram"): the spec parser alone, the
    whole parse (with the nearest-items lookup that reads the product type), and the
    spec-filtered search, beside a raw unfiltered Chroma query in the same run."""
    assert searcher.parser.specs is not None
    for q in queries[:5]:
        searcher.search(q, k=10)
    alone: list[float] = []
    parse: list[float] = []
    search: list[float] = []
    raw: list[float] = []
    vectors = embed_queries(searcher.embedder, list(queries))
    for _ in range(rounds):
        for query, vector in zip(queries, vectors, strict=True):
            searcher.clear_caches()
            t0 = time.perf_counter()
            searcher.parser.specs.parse(query)
            alone.append(elapsed_ms(t0))
            t0 = time.perf_counter()
            parsed = searcher.parse(query)
            parse.append(elapsed_ms(t0))
            search.append(searcher.search(parsed, k=10).timings_ms["total"] + parse[-1])
            raw.append(_raw_query(searcher, vector, None))
    return {
        "spec parser alone": Latency(alone),
        "parse (specs, type lookup included)": Latency(parse),
        "spec-filtered hybrid search (parse included)": Latency(search),
        "raw Chroma top-100, no filter": Latency(raw),
    }


def bench_chinese(searcher: Searcher, pairs: Sequence[tuple[str, str]], rounds: int = 3
                  ) -> dict[str, Latency]:
    """Chinese queries beside their English originals: reading Chinese as English alone, the
    whole parse, and the hybrid search each language runs (parse included)."""
    searcher.chinese.read(pairs[0][0])  # loads jieba and CC-CEDICT once, as the first shopper
    read: list[float] = []
    parse: list[float] = []
    chinese: list[float] = []
    english: list[float] = []
    for _ in range(rounds):
        for zh, en in pairs:
            searcher.clear_caches()
            t0 = time.perf_counter()
            searcher.chinese.read(zh)
            read.append(elapsed_ms(t0))
            t0 = time.perf_counter()
            parsed = searcher.parse(zh)
            parse.append(elapsed_ms(t0))
            chinese.append(searcher.search(parsed, k=10).timings_ms["total"] + parse[-1])
            searcher.clear_caches()
            t0 = time.perf_counter()
            searcher.search(en, k=10)
            english.append(elapsed_ms(t0))
    return {
        "Chinese read as English (alone)": Latency(read),
        "parse of the Chinese query (reading included)": Latency(parse),
        "hybrid search, Chinese query (parse included)": Latency(chinese),
        "hybrid search, the English query": Latency(english),
    }
