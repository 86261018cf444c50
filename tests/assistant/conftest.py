from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from assistant.llm.base import LLM
from retrieval import Searcher
from shopchat.settings import Settings


@pytest.fixture
def make_assistant(dummy_searcher: Searcher, tmp_path: Path):  # type: ignore[no-untyped-def]
    """``make_assistant(llm)``: an Assistant over the indexed dummyjson catalog."""

    def build(llm: LLM | None = None, **overrides: object) -> Assistant:
        settings = Settings(home=tmp_path, llm_timeout=5.0, **overrides)  # type: ignore[arg-type]
        return Assistant(dummy_searcher, llm, settings)

    return build
