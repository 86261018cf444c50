"""The ``users-<catalog>`` Chroma collection: one record per user (profile vector + metadata).

Privacy by construction: ``read(user_id)`` is the only method that returns profile content,
and it fetches exactly that id. Nothing here runs a similarity query over users; listing
(``ids``) returns ids only, for incremental builds and deletes.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from retrieval.profiles.profile import Profile
from shopchat.errors import StoreError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

log = logging.getLogger(__name__)

USERS_PREFIX = "users-"
_PAGE = 5000
READ_RETRY_DELAYS = (0.05, 0.2, 0.5)
"""Pauses before re-reading a profile after a transient Chroma server error."""


def users_collection_name(name: str) -> str:
    """A valid Chroma collection name (3-512 chars of [a-zA-Z0-9._-]) for a profile set."""
    safe = re.sub(r"[^a-zA-Z0-9._-]+", "-", name).strip("-._") or "default"
    return (USERS_PREFIX + safe)[:512].rstrip("-._")


class ProfileStore:
    def __init__(self, client: ClientAPI, collection: Collection) -> None:
        self.client = client
        self.collection = collection

    @classmethod
    def open(cls, client: ClientAPI, name: str, *, create: bool = True) -> ProfileStore | None:
        """The store of profile set ``name``; None when it does not exist and ``create`` is off."""
        collection_name = users_collection_name(name)
        try:
            if create:
                collection = client.get_or_create_collection(
                    collection_name, configuration={"hnsw": {"space": "cosine"}},
                    embedding_function=None)
            else:
                existing = {c.name if hasattr(c, "name") else str(c)
                            for c in client.list_collections()}
                if collection_name not in existing:
                    return None
                collection = client.get_collection(collection_name, embedding_function=None)
        except Exception as exc:
            raise StoreError(
                f"cannot open the ChromaDB collection {collection_name}: {exc}"
            ) from exc
        return cls(client, collection)

    def read(self, user_id: str) -> Profile | None:
        """The profile of ``user_id`` (this id only), or None when it has none."""
        for delay in (*READ_RETRY_DELAYS, None):
            try:
                got = self.collection.get(ids=[user_id], include=["embeddings", "metadatas"])
                break
            except Exception as exc:
                # a `chroma run` server answers "Error creating hnsw segment reader: Nothing
                # found on disk" while a fresh collection's index is being written: transient
                if delay is not None and "segment reader" in str(exc):
                    log.warning("profile read retried after a transient Chroma error: %s", exc)
                    time.sleep(delay)
                    continue
                raise StoreError(f"cannot read a profile from ChromaDB: {exc}") from exc
        if not got["ids"]:
            return None
        embeddings = got["embeddings"]
        vector = None if embeddings is None else np.asarray(embeddings[0], dtype=np.float32)
        meta = dict((got["metadatas"] or [{}])[0] or {})
        return Profile.from_stored(user_id, vector, meta)

    def write(self, profiles: Sequence[Profile], dimension: int) -> None:
        """Upsert ``profiles`` (a profile without a vector stores a placeholder, flagged)."""
        if not profiles:
            return
        placeholder = np.zeros(dimension, dtype=np.float32)
        placeholder[0] = 1.0
        step = max(1, self.client.get_max_batch_size())
        for start in range(0, len(profiles), step):
            part = profiles[start : start + step]
            vectors = np.stack([p.vector if p.vector is not None else placeholder for p in part])
            try:
                self.collection.upsert(ids=[p.user_id for p in part], embeddings=vectors,
                                       metadatas=[p.metadata() for p in part])
            except Exception as exc:
                raise StoreError(f"cannot write profiles to ChromaDB: {exc}") from exc

    def delete(self, user_ids: Iterable[str]) -> int:
        """Delete the profiles of ``user_ids``; returns how many existed."""
        ids = sorted(set(user_ids))
        if not ids:
            return 0
        try:
            existing = self.collection.get(ids=ids, include=[])["ids"]
            if existing:
                self.collection.delete(ids=list(existing))
        except Exception as exc:
            raise StoreError(f"cannot delete profiles from ChromaDB: {exc}") from exc
        return len(existing)

    def ids(self) -> set[str]:
        """Every user id with a stored profile (ids only, no profile content)."""
        out: set[str] = set()
        offset = 0
        while True:
            got = self.collection.get(include=[], limit=_PAGE, offset=offset)
            out.update(got["ids"])
            if len(got["ids"]) < _PAGE:
                return out
            offset += _PAGE

    def count(self) -> int:
        return int(self.collection.count())

    def drop(self) -> None:
        """Delete the whole collection (temporary profile sets: evaluation, benchmarks)."""
        self.client.delete_collection(self.collection.name)
