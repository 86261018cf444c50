from __future__ import annotations

from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda

from retrieval import Mode, Searcher
from retrieval.langchain_retriever import ProductRetriever


def test_retriever_returns_ranked_product_documents(dummy_searcher: Searcher) -> None:
    retriever = ProductRetriever(searcher=dummy_searcher, k=5)
    docs = retriever.invoke("apple laptop under $2000")
    assert 0 < len(docs) <= 5
    assert [d.metadata["rank"] for d in docs] == list(range(1, len(docs) + 1))
    assert all(d.metadata["price"] <= 2000 for d in docs)
    assert docs[0].id == docs[0].metadata["id"]


def test_retriever_composes_in_an_lcel_chain(dummy_searcher: Searcher) -> None:
    def titles(docs: list[Document]) -> str:
        return "\n".join(f"- {d.metadata['title']} ({d.metadata['price']})" for d in docs)

    chain = ProductRetriever(searcher=dummy_searcher, k=3, mode=Mode.LEXICAL) | RunnableLambda(
        titles
    )
    lines = chain.invoke("watch").splitlines()
    assert len(lines) == 3 and all(line.startswith("- ") for line in lines)
    assert any("Watch" in line for line in lines)
