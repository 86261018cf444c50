from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from catalog import load_catalog
from retrieval import Searcher, build_index
from retrieval.embedder import SentenceTransformerEmbedder
from shopchat.records import Catalog
from tests.conftest import make_settings


def renamed(catalog: Catalog, prefix: str | None = None) -> Catalog:
    """A copy under a unique name: tests share one Chroma server, never one collection."""
    name = f"{prefix or catalog.name}-{uuid.uuid4().hex[:8]}"
    return Catalog(name, list(catalog.products), list(catalog.interactions), catalog.report)


@pytest.fixture(scope="session")
def dummy_catalog(data_dir: Path) -> Catalog:
    return load_catalog("dummyjson", data_dir)


@pytest.fixture(scope="session")
def dummy_searcher(
    chroma_mode: str,
    dummy_catalog: Catalog,
    embedder: SentenceTransformerEmbedder,
    data_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Searcher:
    """dummyjson indexed once per Chroma mode (embedded, then a `chroma run` server)."""
    url = request.getfixturevalue("chroma_server_url") if chroma_mode == "server" else None
    settings = make_settings(tmp_path_factory.mktemp(f"home-{chroma_mode}"), data_dir, url)
    catalog = renamed(dummy_catalog)
    build_index(catalog, settings, embedder=embedder, progress=False)
    return Searcher.open(catalog.name, settings, embedder=embedder)
