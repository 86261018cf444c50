from __future__ import annotations

import asyncio
import time

import pytest
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda

from retrieval import Filters, Mode, Searcher
from retrieval.langchain_retriever import ProductRetriever, product_lines
from shopchat.errors import InputError


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


def test_per_call_k_filters_and_mode_override_the_retriever_for_that_call(
    dummy_searcher: Searcher,
) -> None:
    retriever = ProductRetriever(searcher=dummy_searcher, k=10)
    assert len(retriever.invoke("watch", k=2)) == 2
    cheap = retriever.invoke("watch", filters={"price_max": 100})
    assert cheap and all(d.metadata["price"] <= 100 for d in cheap)
    apple = retriever.invoke("laptop", filters={"brands": "Apple"}, k=3)
    assert apple and all(d.metadata["brand"] == "Apple" for d in apple)
    assert retriever.invoke("watch", filters=Filters(price_max=100), mode="bm25", k=3) == (
        ProductRetriever(searcher=dummy_searcher, k=3, mode=Mode.LEXICAL,
                         filters={"price_max": 100}).invoke("watch")
    )
    assert len(retriever.invoke("watch")) == 10  # the retriever's own settings are unchanged


def test_product_lines_are_prompt_ready(dummy_searcher: Searcher) -> None:
    docs = ProductRetriever(searcher=dummy_searcher, k=2).invoke("watch")
    lines = product_lines(docs).splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"- {docs[0].metadata['title']} (")
    assert lines[0].endswith(f"[{docs[0].id}]")


BAD_ARGUMENTS = [
    ({"k": 0}, "k must be a positive integer"),
    ({"k": -1}, "k must be a positive integer"),
    ({"k": "ten"}, "k must be a positive integer.*'ten'"),
    ({"k": 2.5}, "k must be a positive integer"),
    ({"k": True}, "k must be a positive integer"),
    ({"filters": {"colour": "red"}}, r"filters has unknown key\(s\) \['colour'\]"),
    ({"filters": {"price_max": "cheap"}}, r"filters\['price_max'\] must be a number"),
    ({"filters": {"brands": 3}}, r"filters\['brands'\] must be a name or a list"),
    ({"filters": "under 50"}, "filters must be a Filters or a dict"),
    ({"mode": "semantic"}, "mode must be one of 'bm25', 'dense', 'hybrid'.*'semantic'"),
    ({"top_k": 3}, r"unknown argument\(s\) \['top_k'\]"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_ARGUMENTS, ids=lambda v: str(v)[:30])
def test_a_bad_argument_raises_naming_it(
    dummy_searcher: Searcher, kwargs: dict[str, object], message: str
) -> None:
    retriever = ProductRetriever(searcher=dummy_searcher)
    with pytest.raises(InputError, match=message):
        retriever.invoke("watch", **kwargs)
    with pytest.raises(InputError, match=message):
        asyncio.run(retriever.ainvoke("watch", **kwargs))
    if "top_k" not in kwargs:  # the constructor checks its fields the same way
        with pytest.raises(InputError, match=message):
            ProductRetriever(searcher=dummy_searcher, **kwargs)


@pytest.mark.asyncio
async def test_ainvoke_searches_in_a_thread_while_the_loop_keeps_running(
    dummy_searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    retriever = ProductRetriever(searcher=dummy_searcher, k=3)
    search = dummy_searcher.search

    def slow_search(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        time.sleep(0.5)  # a blocking search: it must not stall the loop
        return search(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(dummy_searcher, "search", slow_search)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.02)
            ticks += 1

    task = asyncio.create_task(ticker())
    docs = await retriever.ainvoke("watch", k=2)
    task.cancel()
    assert len(docs) == 2
    assert ticks >= 10, f"the loop ticked {ticks} times during a 0.5 s search"
