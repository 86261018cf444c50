"""Fixtures: the HTTP API and the page in one FastAPI app over the shared dummyjson index (real
Chroma, real embedder), each test with its own profile set, events and settings."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant import Assistant
from assistant.api.app import build_server
from assistant.llm.base import LLM
from assistant.ui import Shop
from retrieval import Searcher
from retrieval.profiles import Personaliser, ProfileStore
from shopchat.settings import Settings

KEY = "storefront-key-1"
SECRET = "token-secret-for-tests"

MakeShop = Callable[..., Shop]
ApiClient = Callable[..., TestClient]


@pytest.fixture
def make_shop(dummy_index: tuple[Settings, Searcher], tmp_path: Path
              ) -> Iterator[MakeShop]:
    """``make_shop(llm=None, **settings)``: a Shop over the shared index, its own events."""
    base, searcher = dummy_index
    opened: list[Personaliser] = []

    def build(llm: LLM | None = None, **overrides: object) -> Shop:
        options: dict[str, object] = {"llm_backend": "none", "llm_timeout": 5.0, **overrides}
        settings = Settings(home=tmp_path / "home", data_dir=base.data_dir,
                            chroma_url=base.chroma_url, **options)
        personaliser = Personaliser.open(searcher, settings,
                                         name=f"api-{uuid.uuid4().hex[:8]}",
                                         events_path=tmp_path / f"{uuid.uuid4().hex}.sqlite")
        opened.append(personaliser)
        bot = Assistant(searcher, llm, settings, personaliser=personaliser)
        return Shop(settings, [searcher.catalog], searcher.catalog, {searcher.catalog: bot})

    yield build
    for personaliser in opened:
        personaliser.close()
        store = ProfileStore.open(personaliser.profiles.client, personaliser.name, create=False)
        if store is not None:
            store.drop()


@pytest.fixture
def api(make_shop: MakeShop) -> Iterator[ApiClient]:
    """``api(llm=None, **settings)``: a TestClient on the server (lifespan run)."""
    clients: list[TestClient] = []

    def build(llm: LLM | None = None, **overrides: object) -> TestClient:
        client = TestClient(build_server(make_shop(llm, **overrides)))
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


def bearer(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}
