"""Incremental indexing: embed new or changed products into Chroma, rebuild the BM25 index.

Safe to kill at any point: Chroma upserts are idempotent per id and the content hash of
each stored vector says whether it is current, so a re-run embeds only what is missing or
stale and deletes what left the catalog. The lexical index is swapped in atomically.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from retrieval.embedder import Embedder, get_embedder
from retrieval.filters import product_metadata
from retrieval.lexical import LexicalIndex
from retrieval.store import open_client, products_collection
from shopchat.errors import StoreError
from shopchat.records import Catalog, Product
from shopchat.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IndexStats:
    catalog: str
    total: int
    embedded: int
    unchanged: int
    deleted: int
    seconds: float
    embed_seconds: float


def vector_hash(product: Product, model: str) -> str:
    """Content hash plus the embedding model: changing either re-embeds the product."""
    return hashlib.sha256(f"{model}\n{product.content_hash()}".encode()).hexdigest()[:32]


def stored_hashes(collection: Collection, page: int = 5000) -> dict[str, str]:
    out: dict[str, str] = {}
    offset = 0
    while True:
        got = collection.get(include=["metadatas"], limit=page, offset=offset)
        metas = got["metadatas"] or []
        for pid, meta in zip(got["ids"], metas, strict=True):
            out[pid] = str((meta or {}).get("hash", ""))
        if len(got["ids"]) < page:
            return out
        offset += page


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write_vectors(
    todo: Sequence[Product],
    hashes: dict[str, str],
    collection: Collection,
    embedder: Embedder,
    settings: Settings,
    name: str,
    max_batch: int,
    progress: bool,
) -> float:
    """Embed ``todo`` chunk by chunk; Chroma writes overlap with the next chunk's encoding.

    Returns the seconds spent encoding."""
    embed_seconds = 0.0
    chunk = max(1, min(settings.index_chunk, max_batch))
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-writer") as writer,
        tqdm(total=len(todo), desc=f"embedding {name}", unit="item",
             disable=not progress or not todo) as bar,  # nothing to embed: no empty bar
    ):
        pending: list[Future[None]] = []
        for part in _chunks(todo, chunk):
            t0 = time.perf_counter()
            vectors = embedder.embed([p.search_text() for p in part], settings.embed_batch_size)
            embed_seconds += time.perf_counter() - t0
            while len(pending) >= 2:
                pending.pop(0).result()
            pending.append(
                writer.submit(
                    collection.upsert,
                    ids=[p.id for p in part],
                    embeddings=vectors,
                    metadatas=[product_metadata(p, hashes[p.id]) for p in part],
                )
            )
            bar.update(len(part))
            log.debug("embedded %d/%d, upsert queued", bar.n, len(todo))
        for fut in pending:
            fut.result()
    return embed_seconds


def build_index(
    catalog: Catalog,
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    client: ClientAPI | None = None,
    progress: bool = True,
) -> IndexStats:
    """Bring the catalog's Chroma collection and lexical index up to date with ``catalog``."""
    started = time.perf_counter()
    embedder = embedder or get_embedder(settings.embed_model)
    client = client or open_client(settings)
    try:
        collection = products_collection(client, catalog.name)
        existing = stored_hashes(collection)
        max_batch = client.get_max_batch_size()
    except Exception as exc:
        raise StoreError(
            f"cannot open the ChromaDB collection for {catalog.name!r}: {exc}"
        ) from exc
    products = catalog.products
    hashes = {p.id: vector_hash(p, embedder.name) for p in products}
    todo = [p for p in products if existing.get(p.id) != hashes[p.id]]
    stale = sorted(existing.keys() - hashes.keys())
    # Similar lengths batch together: less padding, faster encoding.
    todo.sort(key=lambda p: len(p.search_text()))
    log.debug(  # `shopchat index` says the outcome in one line
        "%s: %d products, %d to embed, %d stale", catalog.name, len(products), len(todo), len(stale)
    )

    try:
        for ids in _chunks(stale, max_batch):
            collection.delete(ids=list(ids))
        embed_seconds = _write_vectors(todo, hashes, collection, embedder, settings, catalog.name,
                                       max_batch, progress)
        if (collection.metadata or {}).get("embed_model") != embedder.name:
            collection.modify(metadata={"embed_model": embedder.name})
        count = collection.count()
    except Exception as exc:  # the server went away mid-run: what was written is kept
        where = settings.chroma_url or settings.chroma_path
        raise StoreError(
            f"ChromaDB ({where}) failed while indexing {catalog.name!r}: {exc}; re-run "
            f"`shopchat index --catalog {catalog.name}` to finish (upserts are idempotent)"
        ) from exc
    folder = settings.lexical_dir(catalog.name)
    try:
        LexicalIndex.build(products).save(folder)
    except OSError as exc:  # a full disk, a read-only folder: the previous index stays
        raise StoreError(f"cannot write the lexical index to {folder}: {exc}") from exc
    if count != len(hashes):
        raise StoreError(
            f"{catalog.name}: collection holds {count} vectors, catalog has {len(hashes)}"
        )
    return IndexStats(
        catalog=catalog.name,
        total=len(products),
        embedded=len(todo),
        unchanged=len(products) - len(todo),
        deleted=len(stale),
        seconds=time.perf_counter() - started,
        embed_seconds=embed_seconds,
    )
