"""Fixtures: dummyjson indexed once per Chroma mode; a fresh profile set per test."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from retrieval import Searcher, build_index
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.profiles import Personaliser, ProfileStore
from shopchat.records import Catalog
from shopchat.settings import Settings
from tests.conftest import make_settings, renamed


@pytest.fixture(scope="session")
def indexed(
    chroma_mode: str,
    dummy_catalog: Catalog,
    embedder: SentenceTransformerEmbedder,
    data_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> tuple[Settings, Searcher]:
    """dummyjson's products indexed once per Chroma mode (embedded, then a `chroma run`)."""
    url = request.getfixturevalue("chroma_server_url") if chroma_mode == "server" else None
    settings = make_settings(tmp_path_factory.mktemp(f"personal-{chroma_mode}"), data_dir, url)
    catalog = renamed(dummy_catalog, "personal")
    build_index(catalog, settings, embedder=embedder, progress=False)
    return settings, Searcher.open(catalog.name, settings, embedder=embedder)


@pytest.fixture
def open_personaliser(
    indexed: tuple[Settings, Searcher], tmp_path: Path
) -> Iterator[Callable[[], Personaliser]]:
    """``open_personaliser()``: Personalisers over one fresh profile set (same events file and
    users collection each call, like several processes)."""
    settings, searcher = indexed
    name = f"{searcher.catalog}-{uuid.uuid4().hex[:8]}"
    opened: list[Personaliser] = []

    def build() -> Personaliser:
        p = Personaliser.open(searcher, settings, name=name, events_path=tmp_path / "events.sqlite")
        opened.append(p)
        return p

    yield build
    for p in opened:
        p.close()
    store = ProfileStore.open(opened[0].profiles.client, name, create=False) if opened else None
    if store is not None:
        store.drop()


@pytest.fixture
def personaliser(open_personaliser: Callable[[], Personaliser]) -> Personaliser:
    return open_personaliser()
