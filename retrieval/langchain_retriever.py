"""A LangChain ``BaseRetriever`` over shopchat search, usable in any LCEL chain."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from retrieval.searcher import Searcher
from retrieval.types import Candidate, Filters, Mode


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


class ProductRetriever(BaseRetriever):
    """``retriever.invoke("quiet mouse under $50")`` -> ranked product Documents."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Searcher
    k: int = 10
    mode: Mode = Mode.HYBRID
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        result = self.searcher.search(query, k=self.k, mode=self.mode, filters=self.filters)
        return [candidate_document(c) for c in result.candidates]
