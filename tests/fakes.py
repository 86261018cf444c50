"""``ScriptedLLM``: a fake model for unit tests that replays queued answers.

Each queued item is one of:

- a ``str``: returned by ``complete_json``;
- an exception instance: raised;
- a callable ``(messages, schema) -> str``: called.

A delay per answer simulates a slow or hung model. The fake respects ``timeout_s`` the way the
real backends do: when the simulated delay would pass the deadline it waits only until the
deadline and raises ``LLMTimeout``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.llm.base import LLMError, LLMTimeout, Message

Responder = Callable[[list[Message], dict[str, Any]], str]
Script = str | BaseException | Responder


@dataclass(frozen=True)
class Call:
    """One request the fake received."""

    messages: list[Message]
    schema: dict[str, Any]
    max_tokens: int
    timeout_s: float


@dataclass
class ScriptedLLM:
    """Replays ``answers`` in order; records every call in ``calls``.

    ``delay_s`` is slept before each answer. Running out of answers raises ``LLMError`` (a test
    that asks more than it scripted is a bug in the test).
    """

    answers: Iterable[Script] = ()
    delay_s: float = 0.0
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
        with self._lock:
            self.calls.append(Call(list(messages), schema, max_tokens, timeout_s))
            if not self._queue:
                raise LLMError(f"ScriptedLLM: no answer queued for call #{len(self.calls)}")
            script = self._queue.popleft()
        if self.delay_s > 0:
            left = deadline - time.monotonic()
            if self.delay_s > left:
                time.sleep(max(0.0, left))
                raise LLMTimeout(f"ScriptedLLM: no answer within {timeout_s:g}s")
            time.sleep(self.delay_s)
        if isinstance(script, BaseException):
            raise script
        if isinstance(script, str):
            return script
        return script(messages, schema)
