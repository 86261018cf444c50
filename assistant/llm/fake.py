"""``ScriptedLLM``: a fake model for unit tests that replays queued answers.

Each queued item is one of:

- a ``str``: returned by ``complete_json`` (or split into chunks by ``stream``);
- an exception instance: raised;
- a callable ``(messages, schema) -> str``: called (``schema`` is ``None`` for ``stream``).

A delay (per answer, or per chunk when streaming) simulates a slow or hung model. The fake
respects ``timeout_s`` the way the real backends do: when the simulated delay would pass the
deadline it waits only until the deadline and raises ``LLMTimeout``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.llm.base import LLMError, LLMTimeout, Message

Responder = Callable[[list[Message], dict[str, Any] | None], str]
Script = str | BaseException | Responder


@dataclass(frozen=True)
class Call:
    """One request the fake received."""

    kind: str  # "complete_json" | "stream"
    messages: list[Message]
    schema: dict[str, Any] | None
    max_tokens: int
    timeout_s: float


@dataclass
class ScriptedLLM:
    """Replays ``answers`` in order; records every call in ``calls``.

    ``delay_s`` is slept before each answer; ``chunk_delay_s`` before each streamed chunk;
    ``chunk_size`` characters per streamed chunk. Running out of answers raises ``LLMError``
    (a test that asks more than it scripted is a bug in the test).
    """

    answers: Iterable[Script] = ()
    delay_s: float = 0.0
    chunk_delay_s: float = 0.0
    chunk_size: int = 8
    name: str = "scripted"
    calls: list[Call] = field(default_factory=list)
    _queue: deque[Script] = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._queue = deque(self.answers)

    def push(self, *answers: Script) -> None:
        """Queue more answers."""
        with self._lock:
            self._queue.extend(answers)

    @property
    def remaining(self) -> int:
        return len(self._queue)

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], *, max_tokens: int, timeout_s: float
    ) -> str:
        deadline = time.monotonic() + timeout_s
        script = self._next("complete_json", messages, schema, max_tokens, timeout_s)
        _sleep_until(deadline, self.delay_s, timeout_s)
        return _resolve(script, messages, schema)

    def stream(
        self, messages: list[Message], *, max_tokens: int, timeout_s: float
    ) -> Iterator[str]:
        deadline = time.monotonic() + timeout_s
        script = self._next("stream", messages, None, max_tokens, timeout_s)
        return self._chunks(script, messages, deadline, timeout_s)

    def _chunks(
        self, script: Script, messages: list[Message], deadline: float, timeout_s: float
    ) -> Iterator[str]:
        _sleep_until(deadline, self.delay_s, timeout_s)
        text = _resolve(script, messages, None)
        size = max(1, self.chunk_size)
        for start in range(0, len(text), size):
            _sleep_until(deadline, self.chunk_delay_s, timeout_s)
            yield text[start : start + size]

    def _next(
        self,
        kind: str,
        messages: list[Message],
        schema: dict[str, Any] | None,
        max_tokens: int,
        timeout_s: float,
    ) -> Script:
        with self._lock:
            self.calls.append(Call(kind, list(messages), schema, max_tokens, timeout_s))
            if not self._queue:
                raise LLMError(f"ScriptedLLM: no answer queued for call #{len(self.calls)}")
            return self._queue.popleft()


def _sleep_until(deadline: float, delay_s: float, timeout_s: float) -> None:
    if delay_s <= 0:
        return
    left = deadline - time.monotonic()
    if delay_s > left:
        time.sleep(max(0.0, left))
        raise LLMTimeout(f"ScriptedLLM: no answer within {timeout_s:g}s")
    time.sleep(delay_s)


def _resolve(script: Script, messages: list[Message], schema: dict[str, Any] | None) -> str:
    if isinstance(script, BaseException):
        raise script
    if isinstance(script, str):
        return script
    return script(messages, schema)
