"""Fixtures: a fresh profile set per test over the session's shared dummyjson index."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from retrieval import Searcher
from retrieval.profiles import Personaliser, ProfileStore
from shopchat.settings import Settings


@pytest.fixture
def open_personaliser(
    dummy_index: tuple[Settings, Searcher], tmp_path: Path
) -> Iterator[Callable[[], Personaliser]]:
    """``open_personaliser()``: Personalisers over one fresh profile set (same events file and
    users collection each call, like several processes) beside the shared dummyjson index."""
    settings, searcher = dummy_index
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
