"""``openai`` backend: any OpenAI-compatible server (vLLM in production) via ``langchain-openai``.

Structured output uses ``response_format={"type": "json_schema", ...}`` (what vLLM and OpenAI
accept); the raw text is returned, and callers validate it against their models. Errors are
mapped onto the ``LLMError`` family: connection problems -> ``LLMUnavailable``; timeouts ->
``LLMTimeout``; empty, cut or non-JSON answers -> ``LLMBadOutput``. No retries: the caller
degrades instead.

Deadlines: each call gives the HTTP client ``timeout_s``.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from assistant.llm.base import (
    LLMBadOutput,
    LLMBusy,
    LLMError,
    LLMTimeout,
    LLMUnavailable,
    Message,
)
from shopchat.settings import Settings

log = logging.getLogger(__name__)

MAX_CHARS_PER_TOKEN = 16  # generous: a token is about 4 characters of English

DEFAULT_MODEL = "local"
"""The ``--served-model-name`` that ``shopchat serve-llm`` gives vLLM."""
INSTALL_HINT = "pip install langchain-openai (a dependency of shopchat: `make install`)"


@dataclass
class OpenAILLM:
    """Chat completions from ``base_url`` (e.g. ``http://127.0.0.1:8000/v1``) for ``model``."""

    base_url: str
    model: str = DEFAULT_MODEL
    api_key: str = "EMPTY"
    timeout_s: float = 20.0
    """Client default; each call passes its own ``timeout_s``."""
    temperature: float = 0.0
    name: str = "openai"
    model_slots: int = 8
    """Calls worth sending at once by default: a vLLM server batches concurrent requests."""
    _chat: Any = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAILLM:
        return cls(
            base_url=settings.llm_url,
            model=settings.llm_model or DEFAULT_MODEL,
            api_key=settings.llm_api_key,
            timeout_s=settings.llm_timeout,
        )

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], *, max_tokens: int, timeout_s: float
    ) -> str:
        t0 = time.monotonic()
        response_format = json_schema_format(schema)
        try:
            reply = self._client().invoke(
                _to_langchain(messages),
                response_format=response_format,
                max_tokens=max_tokens,
                timeout=timeout_s,
            )
        except Exception as exc:
            mapped = map_error(exc, self.base_url, timeout_s)
            if mapped is exc:
                raise
            raise mapped from exc
        text = message_text(reply.content).strip()
        finish = (reply.response_metadata or {}).get("finish_reason")
        log.debug("complete_json from %s in %.2fs (finish=%s)", self.base_url,
                  time.monotonic() - t0, finish)  # fmt: skip
        if not text:
            raise LLMBadOutput(f"{self.base_url} returned empty text (finish_reason={finish})")
        if len(text) > MAX_CHARS_PER_TOKEN * max_tokens:  # a server ignoring max_tokens
            raise LLMBadOutput(f"{self.base_url} returned {len(text):,} characters for "
                               f"max_tokens={max_tokens}")
        if finish == "length":
            raise LLMBadOutput(f"answer cut at max_tokens={max_tokens}")
        try:
            json.loads(text, strict=False)
        except json.JSONDecodeError as exc:
            raise LLMBadOutput(f"{self.base_url} returned invalid JSON: {exc}") from exc
        return text

    def ping(self, timeout_s: float = 3.0) -> str:
        """Cheap reachability (``/readyz``): the server lists its models; raises
        ``LLMUnavailable`` naming the cause."""
        import httpx

        url = f"{self.base_url.rstrip('/')}/models"
        try:
            reply = httpx.get(url, timeout=timeout_s,
                              headers={"Authorization": f"Bearer {self.api_key}"})
        except httpx.HTTPError as exc:
            raise LLMUnavailable(f"{url}: {type(exc).__name__}: {exc}") from exc
        if reply.status_code != 200:
            raise LLMUnavailable(f"{url} answered {reply.status_code}: {_short(reply.text)}")
        return f"{self.base_url} answered"

    def _client(self) -> Any:
        with self._lock:
            if self._chat is None:
                try:
                    from langchain_openai import ChatOpenAI
                except ImportError as exc:
                    msg = f"langchain-openai is not importable: {INSTALL_HINT}"
                    raise LLMUnavailable(msg) from exc
                from pydantic import SecretStr

                self._chat = ChatOpenAI(
                    model=self.model,
                    base_url=self.base_url,
                    api_key=SecretStr(self.api_key),
                    timeout=self.timeout_s,
                    max_retries=0,
                    temperature=self.temperature,
                    use_responses_api=False,
                )
            return self._chat


def json_schema_format(schema: dict[str, Any]) -> dict[str, Any]:
    """The ``response_format`` for a JSON schema (OpenAI's shape; vLLM accepts it)."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", str(schema.get("title") or "answer"))[:64]
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


def message_text(content: Any) -> str:
    """Text of a LangChain message's ``content`` (a string, or a list of blocks)."""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content or []:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)


def map_error(exc: BaseException, url: str, timeout_s: float) -> BaseException:
    """The ``LLMError`` for what the client raised; anything unrecognised is returned as is."""
    import httpx
    import openai

    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return LLMTimeout(f"{url}: no answer within {timeout_s:g}s")
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return LLMUnavailable(f"{url} unreachable: {exc.__cause__ or exc}")
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        detail = f"{url} answered HTTP {code}: {_short(exc.message)}"
        if code in (408, 504):
            return LLMTimeout(detail)
        if code in (429, 503):  # at capacity (vLLM's bounded queue): answer without it now
            return LLMBusy(detail)
        if code >= 500 or code in (401, 403, 404, 429):
            return LLMUnavailable(detail)
        return LLMError(detail)
    if isinstance(exc, openai.LengthFinishReasonError):
        return LLMBadOutput(f"{url}: answer cut at max_tokens")
    if isinstance(exc, openai.ContentFilterFinishReasonError):
        return LLMBadOutput(f"{url}: answer withheld by the server's content filter")
    if isinstance(exc, openai.APIResponseValidationError | KeyError | TypeError | ValueError):
        return LLMBadOutput(f"{url} sent a response the client cannot read: {_short(str(exc))}")
    return exc


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _to_langchain(messages: list[Message]) -> list[tuple[str, str]]:
    return [(m["role"], m["content"]) for m in messages]
