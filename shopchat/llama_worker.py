"""llama.cpp in a process of its own: the local model's runtime, away from the search process.

llama-cpp-python runs Python for every generated token (sampling, the JSON grammar, stopping
criteria), so a model generating in the search process takes the GIL hundreds of times a
second, and every search waiting for its first cards waits on it. Here the model runs in one
child process at a lower CPU priority (``MODEL_NICENESS``): searches never share a GIL with it,
and on a busy CPU they come first. This module lives outside the ``assistant`` package so the
child imports llama.cpp and nothing of the search stack. ``assistant.llm.local`` drives it.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MODEL_NICENESS = 10
"""How much lower the model's process runs than the search's (Linux ``nice``): at 10 the
kernel gives it about a tenth of the weight of a search thread; an idle CPU is all its own."""
REPEAT_PENALTY = 1.1
INSTALL_HINT = (
    'pip install llama-cpp-python (no wheel on PyPI: it builds from source; set CMAKE_ARGS="'
    '-DGGML_NATIVE=OFF" for a portable build), or `make install`'
)


class WorkerError(Exception):
    """A failure in the model process; ``kind`` is "unavailable" (the model cannot be loaded)
    or "failed" (this request). Plain, so it pickles back to the search process."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(kind, message)
        self.kind, self.message = kind, message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ModelKey:
    path: str
    n_ctx: int
    n_threads: int
    flash_attn: bool


@dataclass
class _Loaded:
    llama: Any
    formatter: Any
    grammars: dict[str, Any] = field(default_factory=dict)


_MODELS: dict[ModelKey, _Loaded] = {}
_MODELS_LOCK = threading.Lock()


def lower_priority() -> None:
    """The model process's initializer."""
    try:
        os.nice(MODEL_NICENESS)
    except (AttributeError, OSError) as exc:  # no nice here: the model runs at normal priority
        log.debug("model process priority unchanged: %s", exc)


def load(key: ModelKey) -> None:
    """Load the model now (in the model process)."""
    _load(key)


def generate(key: ModelKey, messages: list[dict[str, str]], schema_json: str, max_tokens: int,
             timeout_s: float, temperature: float) -> tuple[dict[str, Any], bool]:
    """(llama.cpp's completion, whether the deadline stopped it) for a chat constrained to the
    JSON schema ``schema_json``; generation stops once ``timeout_s`` has passed."""
    deadline = time.monotonic() + timeout_s
    model = _load(key)
    grammar = _grammar(model, schema_json)
    stop = _Deadline(deadline)
    from llama_cpp import StoppingCriteriaList

    formatted = model.formatter(messages=messages)
    prompt = model.llama.tokenize(
        formatted.prompt.encode("utf-8"), add_bos=not formatted.added_special, special=True)
    criteria = [stop, *(formatted.stopping_criteria or [])]
    try:
        out = model.llama.create_completion(
            prompt=prompt, max_tokens=max_tokens, temperature=temperature,
            repeat_penalty=REPEAT_PENALTY, stop=formatted.stop,
            stopping_criteria=StoppingCriteriaList(criteria), grammar=grammar)
    except ValueError as exc:  # e.g. "Requested tokens (…) exceed context window of …"
        raise WorkerError("failed", f"local model rejected the request: {exc}") from None
    except RuntimeError as exc:
        raise WorkerError("failed", f"llama.cpp failed: {exc}") from None
    return dict(out), stop.fired


def _load(key: ModelKey) -> _Loaded:
    with _MODELS_LOCK:
        if key in _MODELS:
            return _MODELS[key]
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise WorkerError("unavailable",
                              f"llama-cpp-python is not importable ({exc}): {INSTALL_HINT}"
                              ) from None
        path = Path(key.path)
        if not path.is_file():
            raise WorkerError("unavailable", f"GGUF model not found: {path}")
        t0 = time.perf_counter()
        try:
            llama = Llama(model_path=str(path), n_ctx=key.n_ctx, n_threads=key.n_threads,
                          n_threads_batch=key.n_threads, flash_attn=key.flash_attn,
                          verbose=False)
        except (ValueError, RuntimeError, OSError) as exc:
            raise WorkerError("unavailable", f"llama.cpp cannot load {path}: {exc}") from None
        loaded = _Loaded(llama=llama, formatter=_chat_formatter(llama))
        log.info("loaded %s in %.2fs (n_ctx=%d, threads=%d)", path.name,
                 time.perf_counter() - t0, key.n_ctx, key.n_threads)  # fmt: skip
        if not _MODELS:
            atexit.register(_close_all)
        _MODELS[key] = loaded
        return loaded


def _close_all() -> None:
    """Free the models before interpreter shutdown (llama.cpp's ``__del__`` fails late in it)."""
    with _MODELS_LOCK:
        for loaded in _MODELS.values():
            loaded.llama.close()
        _MODELS.clear()


def _grammar(model: _Loaded, schema_json: str) -> Any:
    grammar = model.grammars.get(schema_json)
    if grammar is None:
        from llama_cpp import LlamaGrammar

        try:
            grammar = LlamaGrammar.from_json_schema(schema_json, verbose=False)
        except (ValueError, KeyError, TypeError, RuntimeError) as exc:
            raise WorkerError("failed",
                              f"schema not supported by llama.cpp grammars: {exc}") from None
        model.grammars[schema_json] = grammar
    return grammar


def _chat_formatter(llama: Any) -> Any:
    """The GGUF's own chat template (as llama-cpp-python uses it); ChatML when it has none."""
    from llama_cpp import llama_chat_format

    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        log.warning("GGUF has no chat template; using ChatML")
        return llama_chat_format.format_chatml
    eos_id, bos_id = llama.token_eos(), llama.token_bos()
    return llama_chat_format.Jinja2ChatFormatter(
        template=template,
        eos_token=llama._model.token_get_text(eos_id) if eos_id != -1 else "",
        bos_token=llama._model.token_get_text(bos_id) if bos_id != -1 else "",
        stop_token_ids=[eos_id],
    )


class _Deadline:
    """A llama.cpp stopping criterion that ends generation once the deadline has passed."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False

    def __call__(self, input_ids: Any, logits: Any) -> bool:
        if time.monotonic() >= self.deadline:
            self.fired = True
        return self.fired
