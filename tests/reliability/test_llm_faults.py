"""LLM server faults, injected for real against the production ``openai`` backend.

The server is its own process (``flaky_llm.py``): killed with SIGKILL in the middle of a
request, hung past the timeout, or answering malformed JSON, unknown ids, duplicate ids, empty
text or 10 MB. Each turn must come back degraded with the cause, with catalog items in retrieval
order, and the next turn after the server is back must be a normal one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Answer, Assistant
from assistant.llm import get_llm
from retrieval import Searcher
from shopchat.net import free_port
from shopchat.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


class FlakyServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[str] | None = None

    def start(self, mode: str) -> None:
        self.stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.flaky_llm", str(self.port), mode],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        self.kill()
        self.proc = None


@pytest.fixture
def server() -> Iterator[FlakyServer]:
    flaky = FlakyServer()
    yield flaky
    flaky.stop()


@pytest.fixture
def bot(dummy_searcher: Searcher, server: FlakyServer, tmp_path: Path) -> Assistant:
    settings = Settings(home=tmp_path, llm_backend="openai", personalise=False, llm_timeout=2.0,
                        llm_url=f"http://127.0.0.1:{server.port}/v1")
    return Assistant(dummy_searcher, get_llm(settings), settings)


def valid(answer: Answer, bot: Assistant) -> bool:
    return bool(answer.items) and all(bot.searcher.table.get(i.id) for i in answer.items)


FAULTS = {
    # mode: the cause the degraded answer must carry
    "hang": "llm_timeout",
    "malformed": "llm_bad_output",
    "empty": "llm_bad_output",
    "unknown_ids": "llm_bad_output",
    "huge": "llm_bad_output",
}


@pytest.mark.parametrize("mode", list(FAULTS))
def test_a_misbehaving_server_degrades_then_recovers(
    mode: str, bot: Assistant, server: FlakyServer
) -> None:
    server.start(mode)
    started = time.perf_counter()
    answer = bot.ask("shopper", "red lipstick")
    assert answer.degraded and answer.degraded_reason is not None
    assert answer.degraded_reason.startswith(FAULTS[mode]), answer.degraded_reason
    assert valid(answer, bot)
    assert [i.id for i in answer.items] == bot.searcher.search("red lipstick", k=10).ids
    assert time.perf_counter() - started < 2.0 + 3.0  # the timeout, plus retrieval
    assert "language model was not usable" in answer.message

    server.start("ok")
    again = bot.ask("shopper", "red lipstick")
    assert not again.degraded and valid(again, bot), again.degraded_reason


def test_duplicate_ids_are_repaired_not_degraded(bot: Assistant, server: FlakyServer) -> None:
    server.start("duplicate_ids")
    answer = bot.ask("shopper", "red lipstick")
    ids = [i.id for i in answer.items]
    assert valid(answer, bot) and len(ids) == len(set(ids)) == 10
    assert not answer.degraded  # one usable id, the rest appended in retrieval order


def test_server_killed_mid_request_then_restarted(bot: Assistant, server: FlakyServer) -> None:
    server.start("slow")
    killer = threading.Timer(0.5, server.kill)  # SIGKILL while the request is in flight
    killer.start()
    answer = bot.ask("shopper", "red lipstick")
    killer.join()
    assert answer.degraded and valid(answer, bot)
    assert answer.degraded_reason is not None
    assert answer.degraded_reason.startswith("llm_unavailable"), answer.degraded_reason

    down = bot.ask("shopper", "blue mascara")  # nothing listens now
    assert down.degraded and down.degraded_reason.startswith("llm_unavailable")  # type: ignore[union-attr]
    assert valid(down, bot)

    server.start("ok")
    back = bot.ask("shopper", "red lipstick")
    assert not back.degraded and valid(back, bot)
