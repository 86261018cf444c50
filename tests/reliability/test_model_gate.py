"""The model stage is bounded: a bounded number of calls at once, a bounded FIFO queue, a
deadline per turn; cards never wait for it. Unit tests of the gate, then 32 concurrent turns
through ``ask_stream`` with a scripted model that takes 5 s per call."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from assistant.answer import Answer, AnswerEvent, CandidatesEvent
from assistant.llm.base import LLMBusy, LLMTimeout, Message
from assistant.llm.gate import GatedLLM, ModelGate
from retrieval import Searcher
from shopchat.settings import Settings
from tests.fakes import ScriptedLLM

# -- the gate alone ---------------------------------------------------------------------------


def test_a_full_queue_refuses_at_once() -> None:
    gate = ModelGate(slots=1, queue=1)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with gate.admit(time.monotonic() + 5):
            holding.set()
            release.wait(5)

    def wait_in_line() -> None:
        with gate.admit(time.monotonic() + 5):
            pass

    first = threading.Thread(target=hold)
    first.start()
    holding.wait(5)
    second = threading.Thread(target=wait_in_line)
    second.start()
    while gate.waiting < 1:
        time.sleep(0.01)
    started = time.monotonic()
    with pytest.raises(LLMBusy, match="busy"), gate.admit(time.monotonic() + 5):
        pass
    assert time.monotonic() - started < 0.5  # refused, never queued
    release.set()
    first.join(5)
    second.join(5)
    assert (gate.stats.admitted, gate.stats.refused, gate.stats.peak_waiting) == (2, 1, 1)
    assert (gate.in_flight, gate.waiting) == (0, 0)


def test_waiting_past_the_deadline_gives_up_and_frees_its_place() -> None:
    gate = ModelGate(slots=1, queue=4)
    with gate.admit(time.monotonic() + 5):
        started = time.monotonic()
        with pytest.raises(LLMTimeout, match="waited"), gate.admit(time.monotonic() + 0.3):
            pass
        assert 0.2 < time.monotonic() - started < 1.0
        assert gate.waiting == 0 and gate.stats.expired == 1
    with gate.admit(time.monotonic() + 1):  # the slot came back
        assert gate.in_flight == 1


def test_the_oldest_waiting_call_goes_first() -> None:
    gate = ModelGate(slots=1, queue=8)
    order: list[int] = []
    lock = threading.Lock()
    release = threading.Event()

    def call(n: int) -> None:
        with gate.admit(time.monotonic() + 10):
            with lock:
                order.append(n)
            if n == 0:
                release.wait(5)

    threads = [threading.Thread(target=call, args=(n,)) for n in range(6)]
    threads[0].start()
    while gate.in_flight < 1:
        time.sleep(0.01)
    for n, thread in enumerate(threads[1:], start=1):
        thread.start()
        while gate.waiting < n:  # each joins the queue before the next arrives
            time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(10)
    assert order == [0, 1, 2, 3, 4, 5]
    assert gate.stats.peak_in_flight == 1 and gate.stats.peak_waiting == 5


def test_a_call_admitted_late_runs_with_what_is_left_of_its_time() -> None:
    inner = ScriptedLLM(['{"ranking": []}'])
    gated = GatedLLM(inner, ModelGate(slots=1, queue=1))
    gated.complete_json([], {}, max_tokens=10, timeout_s=2.0)
    assert 1.5 < inner.calls[0].timeout_s <= 2.0
    assert gated.name == "scripted"


@pytest.mark.parametrize(("slots", "queue"), [(0, 1), (1, -1)])
def test_a_gate_needs_a_slot(slots: int, queue: int) -> None:
    with pytest.raises(ValueError, match="slots"):
        ModelGate(slots, queue)


# -- 32 concurrent turns, a model that takes 5 s ---------------------------------------------

BUDGET_S = 8.0
SLOW_S = 5.0


def reversed_ranking(messages: list[Message], schema: dict[str, Any]) -> str:
    """A valid reply: the candidates in reverse order, no reasons of its own."""
    aliases = schema["properties"]["ranking"]["items"]["prefixItems"][0]["enum"]
    return json.dumps({"ranking": [[a, ""] for a in reversed(aliases)]})


@dataclass
class Timed:
    first_s: float | None
    final_s: float
    answer: Answer


def timed_turn(bot: Assistant, n: int, message: str) -> Timed:
    started = time.monotonic()
    first = None
    answer = None
    for event in bot.ask_stream(f"gate-{n}", message):
        if isinstance(event, CandidatesEvent) and event.items and first is None:
            first = time.monotonic() - started
        elif isinstance(event, AnswerEvent):
            answer = event.answer
    assert answer is not None
    return Timed(first, time.monotonic() - started, answer)


def run_32(bot: Assistant) -> list[Timed]:
    messages = ["lipstick", "laptop", "smartphone", "perfume"]
    with ThreadPoolExecutor(max_workers=32) as pool:
        return list(pool.map(lambda n: timed_turn(bot, n, messages[n % 4]), range(32)))


@pytest.fixture
def slow_bot(dummy_searcher: Searcher, tmp_path: Path):  # type: ignore[no-untyped-def]
    def build(model: ScriptedLLM, queue: int = 3) -> Assistant:
        settings = Settings(home=tmp_path, personalise=False, llm_timeout=BUDGET_S,
                            llm_concurrency=1, llm_queue=queue)
        return Assistant(dummy_searcher, model, settings)

    return build


def check_valid(bot: Assistant, turns: list[Timed]) -> None:
    for turn in turns:
        assert turn.answer.items and turn.answer.message
        assert all(bot.searcher.table.get(i.id) is not None for i in turn.answer.items)
        if turn.answer.degraded:  # flagged, with reasons composed from the items
            assert all(i.reason_source == "composed" and i.reason for i in turn.answer.items)


def test_cards_never_wait_for_a_slow_model(slow_bot) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedLLM([reversed_ranking] * 32, delay_s=SLOW_S)
    bot = slow_bot(model)
    turns = run_32(bot)
    firsts = [t.first_s for t in turns]
    assert all(f is not None and f < 1.0 for f in firsts), sorted(f or 99 for f in firsts)[-3:]
    assert max(t.final_s for t in turns) < BUDGET_S + 1.0
    check_valid(bot, turns)
    stats = bot.model_gate.stats
    assert stats.peak_in_flight == 1 and stats.peak_waiting <= 3  # never beyond its bound
    assert len(model.calls) <= 1 + 3  # refused turns never reached the model
    with_model = [t for t in turns if not t.answer.degraded]
    assert with_model  # the first in line got the model's ranking
    refused = [t for t in turns if t.answer.degraded_reason
               and t.answer.degraded_reason.startswith("llm_busy")]
    assert len(refused) == stats.refused >= 32 - 4
    assert all(t.final_s < 1.0 for t in refused)  # answered at once, not after a wait


def test_a_model_that_never_answers_leaves_every_turn_valid_and_flagged(
        slow_bot) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedLLM([reversed_ranking] * 32, delay_s=3600)
    bot = slow_bot(model, queue=8)
    turns = run_32(bot)
    assert all(t.answer.degraded for t in turns)
    assert max(t.final_s for t in turns) < BUDGET_S + 1.0
    assert all(t.first_s is not None and t.first_s < 1.0 for t in turns)
    check_valid(bot, turns)
    assert bot.model_gate.stats.peak_waiting <= 8
