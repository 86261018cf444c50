"""LangChain's own standard retriever suite (``langchain-tests``) on ``ProductRetriever``, over
the session's dummyjson index (embedded Chroma; the ``server`` twin on `chroma run`)."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import RetrieversIntegrationTests

from retrieval import Searcher
from retrieval.langchain_retriever import ProductRetriever

# the suite's ainvoke test is a bare `async def`: mark the module for pytest-asyncio's strict
# mode (the mark is inert, and its warning noise, on the suite's sync tests)
pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("ignore:.*'@pytest.mark.asyncio' but it is not an async"),
]


class TestProductRetrieverStandard(RetrieversIntegrationTests):
    searcher: ClassVar[Searcher | None] = None

    @pytest.fixture(autouse=True)
    def _session_searcher(self, dummy_searcher: Searcher) -> None:
        """The suite builds retrievers from class properties: hand them the shared index."""
        type(self).searcher = dummy_searcher

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return ProductRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"searcher": type(self).searcher}

    @property
    def retriever_query_example(self) -> str:
        return "wireless mouse"
