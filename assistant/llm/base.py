"""The LLM interface the assistant talks to; backends implement it, picked by name from config."""

from __future__ import annotations

from typing import Any, Protocol, TypedDict

from shopchat.errors import ShopchatError


class Message(TypedDict):
    role: str  # "system" | "user" | "assistant"
    content: str


class LLMError(ShopchatError):
    """The model could not give a usable answer; ``cause`` is a short machine-readable reason."""

    cause = "llm_error"


class LLMUnavailable(LLMError):
    """Server down, refused, or the model cannot be loaded."""

    cause = "llm_unavailable"


class LLMTimeout(LLMError):
    """No complete answer within the configured timeout."""

    cause = "llm_timeout"


class LLMBusy(LLMError):
    """The model is at capacity (its queue is full, or the server answered 429/503): the turn
    answers now without it."""

    cause = "llm_busy"


class LLMBadOutput(LLMError):
    """The model answered, but not with what was asked (invalid JSON, wrong schema, empty)."""

    cause = "llm_bad_output"


class LLM(Protocol):
    """A chat model. Implementations: ``local`` (llama.cpp), ``openai`` (vLLM and friends)."""

    name: str

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], *, max_tokens: int, timeout_s: float
    ) -> str:
        """Raw text of a reply constrained to the JSON ``schema`` (callers still validate it)."""
        ...
