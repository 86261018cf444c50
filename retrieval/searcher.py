"""Search over one indexed catalog: dense (Chroma), lexical (BM25) or fused, with hard filters."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from retrieval.embedder import Embedder, get_embedder
from retrieval.filters import chroma_where
from retrieval.fusion import weighted_rrf
from retrieval.lexical import LexicalIndex
from retrieval.query_parser import QueryParser
from retrieval.store import open_client, products_collection
from retrieval.types import Candidate, Filters, Mode, ParsedQuery, SearchResult
from shopchat.errors import ConfigError, IndexNotBuiltError, StoreError
from shopchat.settings import Settings

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

log = logging.getLogger(__name__)

DEPTH = 100  # candidates each retriever contributes to fusion
LEXICAL_WEIGHT = 1.0
DENSE_WEIGHT = 1.0
OVERFETCH = 1.5  # margin over the expected share of matching rows in an unfiltered top-n
MIN_OVERFETCH = 500  # an unfiltered top-500 costs about as little as a top-100
MAX_OVERFETCH = 2000  # beyond this an unfiltered query costs more than a where-filtered one


def merge_filters(parsed: Filters, extra: Filters | None) -> Filters:
    """Explicit filters tighten the ones parsed from the query."""
    if extra is None:
        return parsed

    def pick(a: float | None, b: float | None, fn: Callable[[float, float], float]) -> float | None:
        return b if a is None else a if b is None else fn(a, b)

    return Filters(
        price_min=pick(parsed.price_min, extra.price_min, max),
        price_max=pick(parsed.price_max, extra.price_max, min),
        brands=(parsed.brands & extra.brands)
        if parsed.brands and extra.brands
        else parsed.brands | extra.brands,
        exclude_brands=parsed.exclude_brands | extra.exclude_brands,
        categories=(parsed.categories & extra.categories)
        if parsed.categories and extra.categories
        else parsed.categories | extra.categories,
        exclude_categories=parsed.exclude_categories | extra.exclude_categories,
    )


class Searcher:
    def __init__(
        self, catalog: str, lexical: LexicalIndex, collection: Collection, embedder: Embedder
    ) -> None:
        self.catalog = catalog
        self.lexical = lexical
        self.table = lexical.table
        self.collection = collection
        self.embedder = embedder
        # Category filters only where most products have one (Icecat's 8% would hide the rest).
        categories = self.table.categories() if self.table.category_coverage() >= 0.9 else set()
        self.parser = QueryParser(self.table.brands(), categories)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lexical")

    @classmethod
    def open(cls, catalog: str, settings: Settings, embedder: Embedder | None = None) -> Searcher:
        folder = settings.lexical_dir(catalog)
        if not folder.exists():
            raise IndexNotBuiltError(
                f"catalog {catalog!r} is not indexed under {settings.home}: run "
                f"`shopchat index --catalog {catalog}` first"
            )
        lexical = LexicalIndex.load(folder)
        try:
            collection = products_collection(open_client(settings), catalog, create=False)
        except Exception as exc:
            raise IndexNotBuiltError(
                f"no ChromaDB collection for catalog {catalog!r}: {exc}"
            ) from exc
        model = embedder.name if embedder else settings.embed_model
        built_with = (collection.metadata or {}).get("embed_model")
        if built_with not in (None, model):
            raise ConfigError(
                f"catalog {catalog!r} was indexed with {built_with!r}, but the embedding model "
                f"is {model!r}: run `shopchat index --catalog {catalog}` to re-embed"
            )
        return cls(catalog, lexical, collection, embedder or get_embedder(model))

    def close(self) -> None:
        self._pool.shutdown(wait=False)

    def parse(self, query: str) -> ParsedQuery:
        return self.parser.parse(query)

    def search(
        self,
        query: str | ParsedQuery,
        k: int = 10,
        mode: Mode | str = Mode.HYBRID,
        filters: Filters | None = None,
    ) -> SearchResult:
        mode = Mode(mode)
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        parsed = self.parse(query) if isinstance(query, str) else query
        active = merge_filters(parsed.filters, filters)
        parsed = ParsedQuery(text=parsed.text, filters=active, original=parsed.original)
        mask = self.table.mask(active)
        timings["parse"] = _ms(t0)
        depth = max(k, DEPTH)

        lexical_job = None
        if mode in (Mode.LEXICAL, Mode.HYBRID):
            lexical_job = self._pool.submit(self._lexical, parsed, mask, depth)
        dense: list[tuple[int, float]] = []
        if mode in (Mode.DENSE, Mode.HYBRID):
            dense = self._dense(parsed, mask, k, depth, timings)
        lexical: list[tuple[int, float]] = []
        if lexical_job is not None:
            lexical, timings["lexical"] = lexical_job.result()

        t1 = time.perf_counter()
        candidates = self._combine(mode, lexical, dense, k)
        timings["fuse"] = _ms(t1)
        timings["total"] = _ms(t0)
        return SearchResult(query=parsed, mode=mode, candidates=candidates, timings_ms=timings)

    def _lexical(
        self, parsed: ParsedQuery, mask: np.ndarray | None, depth: int
    ) -> tuple[list[tuple[int, float]], float]:
        t0 = time.perf_counter()
        rows, scores = self.lexical.search(parsed.search_text, depth, mask)
        return list(zip(rows.tolist(), scores.tolist(), strict=True)), _ms(t0)

    def _dense(
        self,
        parsed: ParsedQuery,
        mask: np.ndarray | None,
        k: int,
        depth: int,
        timings: dict[str, float],
    ) -> list[tuple[int, float]]:
        """Top ``depth`` by cosine among products passing ``mask`` (at least the top ``k``).

        Broad filters over-fetch an unfiltered ANN query and keep the matching rows: those are
        exactly the best matching items, as far as they go. When fewer than ``k`` survive (a
        narrow filter, or one that disagrees with the query), Chroma's ``where`` clause runs.
        """
        t0 = time.perf_counter()
        vector = self.embedder.embed([parsed.search_text])[0]
        timings["embed"] = _ms(t0)
        t1 = time.perf_counter()
        hits: list[tuple[int, float]] | None = None
        if mask is None:
            hits = self._query(vector, depth, None)
        elif (allowed := int(mask.sum())) == 0:
            hits = []
        else:
            expected = min(depth, allowed) * len(mask) / allowed * OVERFETCH
            fetch = min(max(math.ceil(expected), MIN_OVERFETCH), len(mask))
            if fetch <= MAX_OVERFETCH:
                kept = [h for h in self._query(vector, fetch, None) if mask[h[0]]]
                if len(kept) >= min(k, allowed):
                    hits = kept[:depth]
            if hits is None:
                hits = self._query(vector, depth, chroma_where(parsed.filters))
        timings["dense"] = _ms(t1)
        return hits

    def _query(
        self, vector: np.ndarray, n: int, where: dict[str, Any] | None
    ) -> list[tuple[int, float]]:
        try:
            got = self.collection.query(
                query_embeddings=vector.reshape(1, -1),
                n_results=n,
                where=where,
                include=["distances"],
            )
        except Exception as exc:
            raise StoreError(f"ChromaDB query failed for catalog {self.catalog!r}: {exc}") from exc
        ids = got["ids"][0] if got["ids"] else []
        distances = (got["distances"] or [[]])[0]
        out = []
        for pid, dist in zip(ids, distances, strict=True):
            row = self.table.row_of.get(pid)
            if row is not None:  # a vector whose product left the catalog is never returned
                out.append((row, 1.0 - float(dist)))
        return out

    def _combine(
        self, mode: Mode, lexical: list[tuple[int, float]], dense: list[tuple[int, float]], k: int
    ) -> list[Candidate]:
        lex_score = {row: s for row, s in lexical}
        dense_score = {row: s for row, s in dense}
        lex_rank = {row: r for r, (row, _) in enumerate(lexical, start=1)}
        dense_rank = {row: r for r, (row, _) in enumerate(dense, start=1)}
        if mode is Mode.LEXICAL:
            scored = [(row, s) for row, s in lexical]
        elif mode is Mode.DENSE:
            scored = [(row, s) for row, s in dense]
        else:
            fused = weighted_rrf(
                [[r for r, _ in lexical], [r for r, _ in dense]], [LEXICAL_WEIGHT, DENSE_WEIGHT]
            )
            scored = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
        return [
            Candidate(
                product=self.table.products[row],
                score=float(score),
                rank=rank,
                lexical_score=lex_score.get(row),
                dense_score=dense_score.get(row),
                lexical_rank=lex_rank.get(row),
                dense_rank=dense_rank.get(row),
            )
            for rank, (row, score) in enumerate(scored[:k], start=1)
        ]


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 3)
