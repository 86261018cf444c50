"""OpenAILLM's real client code (langchain-openai -> openai -> httpx) against a fake server that
misbehaves: every failure must come out as the right LLMError, promptly."""

from __future__ import annotations

import json
import time

import pytest

from assistant.llm import LLMBadOutput, LLMError, LLMTimeout, LLMUnavailable
from assistant.llm.openai_backend import OpenAILLM, json_schema_format, message_text
from tests.assistant.llm.conftest import PICK_MESSAGES, PICK_SCHEMA, closed_port
from tests.assistant.llm.fake_openai_server import VALID_JSON, FakeOpenAIServer


def llm_for(server: FakeOpenAIServer, mode: str) -> OpenAILLM:
    return OpenAILLM(base_url=server.url(mode), model="local")


def test_valid_answer_and_request_shape(fake_server: FakeOpenAIServer) -> None:
    out = llm_for(fake_server, "ok").complete_json(
        PICK_MESSAGES, PICK_SCHEMA, max_tokens=64, timeout_s=5
    )
    assert json.loads(out) == json.loads(VALID_JSON)
    (request,) = fake_server.requests
    assert request["path"] == "/ok/v1/chat/completions"
    assert request["model"] == "local"
    assert request["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "Pick", "schema": PICK_SCHEMA, "strict": True},
    }
    assert 64 in (request.get("max_tokens"), request.get("max_completion_tokens"))
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    assert request["messages"][1]["content"] == PICK_MESSAGES[1]["content"]


def test_refused_connection_is_unavailable() -> None:
    llm = OpenAILLM(base_url=f"http://127.0.0.1:{closed_port()}/v1")
    with pytest.raises(LLMUnavailable) as info:
        llm.complete_json(PICK_MESSAGES, PICK_SCHEMA, max_tokens=8, timeout_s=5)
    assert info.value.cause == "llm_unavailable"


def test_hung_server_times_out_promptly(fake_server: FakeOpenAIServer) -> None:
    t0 = time.monotonic()
    with pytest.raises(LLMTimeout):
        llm_for(fake_server, "hang").complete_json(
            PICK_MESSAGES, PICK_SCHEMA, max_tokens=8, timeout_s=0.5
        )
    assert time.monotonic() - t0 < 3.0  # the server hangs for 10 s


@pytest.mark.parametrize(
    ("mode", "match"),
    [
        ("invalid", "invalid JSON"),
        ("empty", "empty"),
        ("cut", "max_tokens"),
        ("garbage", "cannot read"),
    ],
)
def test_unusable_answers_are_bad_output(
    fake_server: FakeOpenAIServer, mode: str, match: str
) -> None:
    with pytest.raises(LLMBadOutput, match=match):
        llm_for(fake_server, mode).complete_json(
            PICK_MESSAGES, PICK_SCHEMA, max_tokens=8, timeout_s=5
        )


def test_http_errors(fake_server: FakeOpenAIServer) -> None:
    with pytest.raises(LLMUnavailable, match="HTTP 500"):
        llm_for(fake_server, "error500").complete_json(
            PICK_MESSAGES, PICK_SCHEMA, max_tokens=8, timeout_s=5
        )
    with pytest.raises(LLMError, match="HTTP 400") as info:
        llm_for(fake_server, "error400").complete_json(
            PICK_MESSAGES, PICK_SCHEMA, max_tokens=8, timeout_s=5
        )
    assert type(info.value) is LLMError


def test_helpers() -> None:
    assert json_schema_format({"title": "a b"})["json_schema"]["name"] == "a_b"
    assert json_schema_format({})["json_schema"]["name"] == "answer"
    assert message_text([{"type": "text", "text": "a"}, "b", {"type": "image"}]) == "ab"
