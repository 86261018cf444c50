"""ChromaDB access: one client per settings, one cosine collection per catalog."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from shopchat.errors import ConfigError, StoreError
from shopchat.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

log = logging.getLogger(__name__)

PRODUCTS_PREFIX = "products-"


def open_client(settings: Settings) -> ClientAPI:
    """Embedded ``PersistentClient`` under ``settings.home``; ``HttpClient`` when a URL is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not settings.chroma_url:
        path = settings.chroma_path
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the ChromaDB folder {path}: {exc}") from exc
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    url = urlparse(settings.chroma_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(
            f"SHOPCHAT_CHROMA_URL must look like http://host:port, got {settings.chroma_url!r}"
        )
    try:
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    except Exception as exc:  # chromadb raises plain ValueError/ConnectionError here
        raise StoreError(
            f"cannot reach the ChromaDB server at {settings.chroma_url}: {exc}"
        ) from exc


def collection_name(catalog: str) -> str:
    """A valid Chroma collection name (3-512 chars of [a-zA-Z0-9._-]) for a catalog."""
    safe = re.sub(r"[^a-zA-Z0-9._-]+", "-", catalog).strip("-._") or "default"
    return (PRODUCTS_PREFIX + safe)[:512]


def products_collection(client: ClientAPI, catalog: str, *, create: bool = True) -> Collection:
    name = collection_name(catalog)
    if create:
        return client.get_or_create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
    return client.get_collection(name, embedding_function=None)
