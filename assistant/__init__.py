"""The assistant: LLM rerank and explanations, multi-turn conversation, and ``ask()``.

from assistant import ask
answer = ask("u42", "quiet gaming mouse under $50, not Razer")
answer = ask("u42", "cheaper", session_id=answer.session_id)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from assistant.answer import Answer, AnswerEvent, AnswerItem, CandidatesEvent, Event, ReasonsEvent
from assistant.service import Assistant

_default: Assistant | None = None
_default_lock = threading.Lock()


def default_assistant() -> Assistant:
    """One Assistant per process over the default catalog and settings (built on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Assistant.open()
        return _default


def ask(user_id: str, query: str, session_id: str | None = None) -> Answer:
    return default_assistant().ask(user_id, query, session_id)


def ask_stream(user_id: str, query: str, session_id: str | None = None) -> Iterator[Event]:
    return default_assistant().ask_stream(user_id, query, session_id)


__all__ = [
    "Answer",
    "AnswerEvent",
    "AnswerItem",
    "Assistant",
    "CandidatesEvent",
    "Event",
    "ReasonsEvent",
    "ask",
    "ask_stream",
    "default_assistant",
]
