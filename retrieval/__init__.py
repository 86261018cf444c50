"""Retrieval: embeddings in ChromaDB, BM25 (whole text and per field), a learned ranker, filters.

Never calls an LLM.
"""

from __future__ import annotations

from retrieval.indexer import IndexStats, build_index
from retrieval.searcher import Searcher
from retrieval.types import Candidate, Filters, Mode, ParsedQuery, SearchResult
from shopchat.settings import Settings


def open_searcher(catalog: str, settings: Settings) -> Searcher:
    """The search users get for an indexed catalog (see ``shopchat index``)."""
    return Searcher.open(catalog, settings)


__all__ = [
    "Candidate",
    "Filters",
    "IndexStats",
    "Mode",
    "ParsedQuery",
    "SearchResult",
    "Searcher",
    "build_index",
    "open_searcher",
]
