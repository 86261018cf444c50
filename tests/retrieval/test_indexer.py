"""Incremental indexing, and recovery from a run killed with SIGKILL."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from retrieval import Searcher, build_index
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.indexer import stored_hashes, vector_hash
from retrieval.store import open_client, products_collection
from shopchat.errors import ConfigError
from shopchat.records import Catalog
from tests.conftest import CHROMA_MODES, make_settings, renamed

REPO = Path(__file__).parents[2]


@pytest.mark.parametrize("mode", CHROMA_MODES)
def test_reindex_embeds_only_new_or_changed_products(
    mode: str,
    settings_for,
    dummy_catalog: Catalog,
    embedder: SentenceTransformerEmbedder,  # type: ignore[no-untyped-def]
) -> None:
    settings = settings_for(mode)
    catalog = renamed(dummy_catalog)
    first = build_index(catalog, settings, embedder=embedder, progress=False)
    assert (first.total, first.embedded, first.deleted) == (194, 194, 0)
    assert build_index(catalog, settings, embedder=embedder, progress=False).embedded == 0

    products = list(catalog.products)
    changed = dataclasses.replace(products[0], title="Quantum Flux Capacitor 3000")
    removed = products[1]
    added = dataclasses.replace(products[2], id="brand-new-id", title="Zebra Print Umbrella")
    edited = Catalog(catalog.name, [changed, *products[2:], added], [], catalog.report)
    stats = build_index(edited, settings, embedder=embedder, progress=False)
    assert (stats.total, stats.embedded, stats.deleted, stats.unchanged) == (194, 2, 1, 192)

    collection = products_collection(open_client(settings), catalog.name, create=False)
    hashes = stored_hashes(collection)
    assert set(hashes) == {p.id for p in edited.products}
    assert all(hashes[p.id] == vector_hash(p, embedder.name) for p in edited.products)
    searcher = Searcher.open(catalog.name, settings, embedder=embedder)
    assert searcher.search("quantum flux capacitor", k=1).ids == [changed.id]
    assert removed.id not in searcher.search(removed.title, k=50).ids


KILLABLE = textwrap.dedent(
    """
    import logging, sys
    from pathlib import Path
    from catalog import load_catalog
    from retrieval import build_index
    from shopchat.settings import Settings
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(name)s %(message)s")
    settings = Settings(home=Path(sys.argv[1]), data_dir=Path(sys.argv[2]), index_chunk=8)
    catalog = load_catalog("dummyjson", settings.data_dir)
    build_index(catalog, settings, progress=False)
    """
)


def test_a_run_killed_halfway_then_rerun_ends_exact(
    tmp_path: Path, data_dir: Path, dummy_catalog: Catalog, embedder: SentenceTransformerEmbedder
) -> None:
    home = tmp_path / "home"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, str(home), str(data_dir)],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.stderr is not None
    chunks = 0
    for line in proc.stderr:
        if "upsert queued" in line:
            chunks += 1
            if chunks == 5:  # some chunks written, most not
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the indexer finished before it could be killed"

    settings = make_settings(home, data_dir)
    partial = products_collection(open_client(settings), "dummyjson").count()
    assert 0 < partial < 194
    stats = build_index(dummy_catalog, settings, embedder=embedder, progress=False)
    assert stats.embedded == 194 - stats.unchanged
    collection = products_collection(open_client(settings), "dummyjson", create=False)
    assert collection.count() == 194
    assert sorted(stored_hashes(collection)) == sorted(p.id for p in dummy_catalog.products)
    assert build_index(dummy_catalog, settings, embedder=embedder, progress=False).embedded == 0


def test_a_searcher_refuses_an_index_built_with_another_model(
    settings_for,
    dummy_catalog: Catalog,
    embedder: SentenceTransformerEmbedder,  # type: ignore[no-untyped-def]
) -> None:
    settings = settings_for("embedded")
    catalog = renamed(dummy_catalog)
    build_index(catalog, settings, embedder=embedder, progress=False)
    other = settings.model_copy(update={"embed_model": "some/other-model"})
    with pytest.raises(ConfigError, match="indexed with 'sentence-transformers/all-MiniLM-L6-v2'"):
        Searcher.open(catalog.name, other)
