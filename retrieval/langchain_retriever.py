"""A LangChain ``BaseRetriever`` over shopchat search, usable in any LCEL chain.

``retriever.invoke(query, k=3, filters={"price_max": 50}, mode="bm25")`` overrides the
retriever's own ``k``, ``filters`` and ``mode`` for one call; ``ainvoke`` runs the search in a
worker thread, so the event loop keeps serving. A bad argument raises ``InputError`` naming it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, field_validator

from retrieval.searcher import Searcher
from retrieval.types import Candidate, Filters, Mode
from shopchat.errors import InputError
from shopchat.settings import Settings, get_settings

FILTER_KEYS = tuple(f.name for f in dataclasses.fields(Filters))
PRICE_KEYS = ("price_min", "price_max")
CALL_ARGS = ("k", "filters", "mode")


def candidate_document(candidate: Candidate) -> Document:
    p = candidate.product
    return Document(
        page_content=p.search_text(),
        id=p.id,
        metadata={
            "id": p.id,
            "title": p.title,
            "brand": p.brand,
            "category": p.category,
            "price": float(p.price) if p.price is not None else None,
            "currency": p.currency,
            "image_url": p.image_url,
            "score": candidate.score,
            "rank": candidate.rank,
            "lexical_score": candidate.lexical_score,
            "dense_score": candidate.dense_score,
        },
    )


def product_lines(docs: Sequence[Document]) -> str:
    """Retrieved products as prompt text, one ``- title (brand, price) [id]`` line each."""
    lines = []
    for d in docs:
        m = d.metadata
        price = "" if m["price"] is None else f", {m['price']:.2f} {m['currency'] or ''}".rstrip()
        lines.append(f"- {m['title']} ({m['brand']}{price}) [{m['id']}]")
    return "\n".join(lines)


def check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InputError(f"k must be a positive integer (products to return), got {k!r}")
    return k


def check_mode(mode: object) -> Mode:
    if isinstance(mode, Mode):
        return mode
    if isinstance(mode, str):
        for m in Mode:
            if mode.lower() in (m.value, m.name.lower()):
                return m
    choices = ", ".join(repr(m.value) for m in Mode)
    raise InputError(f"mode must be one of {choices}, got {mode!r}")


def check_filters(filters: object) -> Filters | None:
    """``Filters``, ``None``, or a mapping of ``Filters`` fields (brand/category names as a
    string or a list of them)."""
    if filters is None or isinstance(filters, Filters):
        return filters
    if not isinstance(filters, Mapping):
        raise InputError(f"filters must be a Filters or a dict of {FILTER_KEYS}, got {filters!r}")
    unknown = sorted(str(key) for key in filters if key not in FILTER_KEYS)
    if unknown:
        raise InputError(f"filters has unknown key(s) {unknown}: known are {list(FILTER_KEYS)}")
    fields: dict[str, Any] = {}
    for key, value in filters.items():
        if key in PRICE_KEYS:
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if value is not None and not number:
                raise InputError(f"filters[{key!r}] must be a number, got {value!r}")
            fields[key] = None if value is None else float(value)
        else:
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, Sequence | set | frozenset) or not all(
                isinstance(n, str) for n in names
            ):
                raise InputError(f"filters[{key!r}] must be a name or a list of names, "
                                 f"got {value!r}")
            fields[key] = frozenset(n.strip().lower() for n in names)
    return Filters(**fields)


class ProductRetriever(BaseRetriever):
    """``retriever.invoke("quiet mouse under $50")`` -> ranked product Documents."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Searcher
    k: int = 10
    mode: Mode = Mode.HYBRID
    filters: Filters | None = None

    @field_validator("k", mode="before")
    @classmethod
    def _k(cls, k: object) -> int:
        return check_k(k)

    @field_validator("mode", mode="before")
    @classmethod
    def _mode(cls, mode: object) -> Mode:
        return check_mode(mode)

    @field_validator("filters", mode="before")
    @classmethod
    def _filters(cls, filters: object) -> Filters | None:
        return check_filters(filters)

    @classmethod
    def open(
        cls, catalog: str | None = None, settings: Settings | None = None, **fields: Any
    ) -> ProductRetriever:
        """A retriever over an indexed catalog (default: the settings' ``default_catalog``)."""
        settings = settings or get_settings()
        searcher = Searcher.open(catalog or settings.default_catalog, settings)
        return cls(searcher=searcher, **fields)

    def _call_args(self, kwargs: dict[str, Any]) -> tuple[int, Mode, Filters | None]:
        unknown = sorted(set(kwargs) - set(CALL_ARGS))
        if unknown:
            raise InputError(f"unknown argument(s) {unknown}: ProductRetriever takes {CALL_ARGS}")
        k = check_k(kwargs["k"]) if "k" in kwargs else self.k
        mode = check_mode(kwargs["mode"]) if "mode" in kwargs else self.mode
        filters = check_filters(kwargs["filters"]) if "filters" in kwargs else self.filters
        return k, mode, filters

    def _search(self, query: str, k: int, mode: Mode, filters: Filters | None) -> list[Document]:
        result = self.searcher.search(query, k=k, mode=mode, filters=filters)
        return [candidate_document(c) for c in result.candidates]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        return self._search(query, *self._call_args(kwargs))

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        args = self._call_args(kwargs)  # a bad argument raises here, before any thread
        return await asyncio.to_thread(self._search, query, *args)
