"""Configuration from ``SHOPCHAT_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOPCHAT_", extra="ignore")

    data_dir: Path = Path("./data")
    """Where raw data sets live (read-only for shopchat except ``data fetch``)."""
    home: Path = Path("./.shopchat")
    """Where indexes and state live."""
    chroma_url: str | None = None
    """Unset: embedded ChromaDB under ``home``. Set (http://host:port): a ``chroma run`` server."""
    embed_model: str = DEFAULT_EMBED_MODEL
    """Any sentence-transformers model name or folder; the default ships in a package."""
    embed_batch_size: int = 64
    index_chunk: int = 1024
    """Products embedded and written per step while indexing."""
    default_catalog: str = "icecat"
    data_base_url: str | None = None
    """Fetch data sets from this base URL (``{base}/{dataset}/{file}``) instead of their homes."""

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    def lexical_dir(self, catalog: str) -> Path:
        return self.home / "lexical" / catalog


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
