"""ScriptedLLM (tests/fakes.py): the fake the assistant's unit tests drive edge cases with
behaves like the real backends (order, errors, deadlines)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from assistant.llm import LLM, LLMBadOutput, LLMError, LLMTimeout, Message
from tests.fakes import ScriptedLLM

MSGS: list[Message] = [{"role": "user", "content": "hi"}]
SCHEMA: dict[str, Any] = {"type": "object"}


def test_replays_strings_in_order_and_records_calls() -> None:
    llm = ScriptedLLM(['{"a": 1}', '{"a": 2}'])
    assert llm.complete_json(MSGS, SCHEMA, max_tokens=5, timeout_s=1) == '{"a": 1}'
    assert llm.complete_json(MSGS, SCHEMA, max_tokens=7, timeout_s=2) == '{"a": 2}'
    assert [c.max_tokens for c in llm.calls] == [5, 7]
    assert llm.calls[0].messages == MSGS and llm.calls[0].schema == SCHEMA
    assert llm.remaining == 0


def test_raises_queued_exceptions() -> None:
    llm = ScriptedLLM([LLMBadOutput("nope")])
    with pytest.raises(LLMBadOutput, match="nope"):
        llm.complete_json(MSGS, SCHEMA, max_tokens=5, timeout_s=1)


def test_callable_answers_see_messages_and_schema() -> None:
    def echo(messages: list[Message], schema: dict[str, Any] | None) -> str:
        return f'{{"n": {len(messages)}, "schema": {schema is not None}}}'.replace("True", "true")

    llm = ScriptedLLM([echo])
    assert llm.complete_json(MSGS, SCHEMA, max_tokens=5, timeout_s=1) == '{"n": 1, "schema": true}'


def test_running_out_of_answers_is_an_error() -> None:
    llm = ScriptedLLM()
    with pytest.raises(LLMError, match="no answer queued"):
        llm.complete_json(MSGS, SCHEMA, max_tokens=5, timeout_s=1)
    llm.push("{}")
    assert llm.complete_json(MSGS, SCHEMA, max_tokens=5, timeout_s=1) == "{}"


def test_slow_answer_within_timeout_is_returned() -> None:
    llm = ScriptedLLM(["{}"], delay_s=0.05)
    assert llm.complete_json(MSGS, SCHEMA, max_tokens=5, timeout_s=1) == "{}"


def test_hung_model_times_out_at_the_deadline() -> None:
    llm = ScriptedLLM(["{}"], delay_s=30)
    t0 = time.monotonic()
    with pytest.raises(LLMTimeout) as info:
        llm.complete_json(MSGS, SCHEMA, max_tokens=5, timeout_s=0.1)
    assert 0.08 <= time.monotonic() - t0 < 1.0
    assert info.value.cause == "llm_timeout"


def test_satisfies_the_llm_protocol() -> None:
    llm: LLM = ScriptedLLM()
    assert llm.name == "scripted"
