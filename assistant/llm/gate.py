"""Admission control for the model: a bounded number of calls at once, a bounded FIFO queue
behind them, and a deadline per call.

Retrieval answers in milliseconds and shows cards at once; the model is an enhancement that
arrives when it can. So a call that finds the queue full is refused at once (``LLMBusy``), and
one that waits past its deadline gives up (``LLMTimeout``): either way the turn keeps its
composed reasons instead of waiting. The oldest waiting call is served first. The deadline
covers the wait and the call together, so no turn's model stage outlives its budget.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from assistant.llm.base import LLM, LLMBusy, LLMTimeout, Message

log = logging.getLogger(__name__)

MIN_CALL_S = 0.05
"""A call admitted with less of its budget left than this gives up instead."""


@dataclass
class GateStats:
    admitted: int = 0
    refused: int = 0
    """Turned away because the queue was full."""
    expired: int = 0
    """Gave up waiting: the deadline passed in the queue."""
    peak_waiting: int = 0
    peak_in_flight: int = 0


@dataclass
class ModelGate:
    slots: int
    """Model calls at once (1 for an in-process CPU model; more for a server that batches)."""
    queue: int
    """Calls that may wait for a slot; beyond them a call is refused at once."""
    stats: GateStats = field(default_factory=GateStats)
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _in_flight: int = field(default=0, repr=False)
    _waiting: deque[object] = field(default_factory=deque, repr=False)

    def __post_init__(self) -> None:
        if self.slots < 1 or self.queue < 0:
            raise ValueError(f"a model gate needs slots >= 1 and queue >= 0, not "
                             f"{self.slots}/{self.queue}")

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._waiting)

    @property
    def in_flight(self) -> int:
        with self._cond:
            return self._in_flight

    @contextmanager
    def admit(self, deadline: float) -> Iterator[None]:
        """Hold a slot for the block; ``deadline``: ``time.monotonic()`` by which to give up."""
        with self._cond:
            if self._waiting or self._in_flight >= self.slots:
                self._wait_for_slot(deadline)
            else:
                self._in_flight += 1
            self.stats.admitted += 1
            self.stats.peak_in_flight = max(self.stats.peak_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def _wait_for_slot(self, deadline: float) -> None:
        """Called holding the condition; returns holding a slot, or raises."""
        if len(self._waiting) >= self.queue:
            self.stats.refused += 1
            raise LLMBusy(f"the model is busy: {self._in_flight} calls running, "
                          f"{len(self._waiting)} waiting (the most allowed)")
        ticket = object()
        self._waiting.append(ticket)
        self.stats.peak_waiting = max(self.stats.peak_waiting, len(self._waiting))
        started = time.monotonic()
        try:
            while self._waiting[0] is not ticket or self._in_flight >= self.slots:
                left = deadline - time.monotonic()
                if left <= MIN_CALL_S:
                    self.stats.expired += 1
                    raise LLMTimeout(f"waited {time.monotonic() - started:.1f}s for the model "
                                     "and its time ran out")
                self._cond.wait(left)
            self._waiting.popleft()
            self._in_flight += 1
        except BaseException:
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            self._cond.notify_all()  # the next in line may be the head now
            raise


class GatedLLM:
    """``llm`` behind ``gate``: every call is admitted (or refused) first, and runs with what
    is left of its time."""

    def __init__(self, llm: LLM, gate: ModelGate) -> None:
        self.llm = llm
        self.gate = gate
        self.name = llm.name

    def complete_json(self, messages: list[Message], schema: dict[str, Any], *,
                      max_tokens: int, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        with self.gate.admit(deadline):
            left = deadline - time.monotonic()
            if left <= MIN_CALL_S:
                raise LLMTimeout("admitted with no time left for the model")
            return self.llm.complete_json(messages, schema, max_tokens=max_tokens,
                                          timeout_s=left)
