"""Concurrent conversations through ``ask()`` with the real embedded model, and the busy limit.

CI runs smaller counts than ``shopchat bench load`` (64 x 5, recorded in docs/RELIABILITY.md):
zero errors, zero cross-session leaks (each conversation has its own price cap, so a leaked
constraint is a wrong cap), "more" never repeats, "why the first one?" explains its own item.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assistant import Answer, Assistant
from assistant.llm.local import LocalLLM
from assistant.load import check_answer, leak_script, run_ask_load
from retrieval import Searcher
from shopchat.settings import Settings
from tests.fakes import ScriptedLLM


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_concurrent_conversations_with_the_real_model(
    dummy_searcher: Searcher, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path, personalise=False, llm_timeout=20.0)
    bot = Assistant(dummy_searcher, LocalLLM(), settings)
    run = run_ask_load(bot, conversations=8, turns=5, progress=False)
    assert len(run.turns) == 40
    assert [t.problem for t in run.errors] == []
    assert not any(t.busy for t in run.turns)


def test_a_leaked_constraint_is_caught(dummy_searcher: Searcher, tmp_path: Path) -> None:
    bot = Assistant(dummy_searcher, None, Settings(home=tmp_path, personalise=False))
    mine, theirs = leak_script(1, "lipstick", "essence"), leak_script(2, "lipstick", "essence")
    other = bot.ask("b", theirs[0].message)  # conversation 2's cap: $22
    leaked = Answer(session_id="x", items=other.items, message=other.message,
                    constraints=other.constraints)
    table = bot.searcher.table
    assert "not this conversation's 21" in check_answer(leaked, mine[0], table, []).problem
    assert check_answer(bot.ask("a", mine[0].message), mine[0], table, []).problem == ""


def test_beyond_capacity_callers_get_busy_at_once(dummy_searcher: Searcher,
                                                   tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, personalise=False, max_turns_in_flight=2, llm_timeout=10)
    slow = ScriptedLLM(['{"ranking": [["P1", "lipstick"]]}'] * 10, delay_s=1.5)  # 1.5 s a turn
    bot = Assistant(dummy_searcher, slow, settings)
    answers: list[Answer] = []
    lock = threading.Lock()

    def ask(n: int) -> None:
        answer = bot.ask(f"u{n}", "red lipstick")
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    busy = [a for a in answers if a.intent == "busy"]
    served = [a for a in answers if a.intent != "busy"]
    assert len(answers) == 6 and len(served) == 2 and len(busy) == 4
    assert all("busy" in a.message and not a.items for a in busy)
    assert bot.ask("later", "red lipstick").intent == "search"  # capacity is given back
