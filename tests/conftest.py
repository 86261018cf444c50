"""Fixtures shared by every test: the data mirror, the embedder, ChromaDB embedded and server.

Indexes are built once per session and shared read-only (a test that changes an index builds
its own). Every test on a shared index runs on embedded Chroma; its twin on a `chroma run`
server carries the ``server`` marker, so ``make test`` runs the first and ``make test-all`` both.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from catalog import load_catalog
from retrieval import Searcher, build_index
from retrieval.embedder import SentenceTransformerEmbedder, get_embedder
from shopchat.net import free_port
from shopchat.records import Catalog
from shopchat.settings import Settings, get_settings
from tests.postgres import postgres_db_url, postgres_url, private_postgres  # noqa: F401 (fixtures)

DATA_DIR = Path(os.environ.get("SHOPCHAT_DATA_DIR", Path(__file__).parents[2] / "shared" / "data"))
CHROMA_MODES = [pytest.param("embedded"), pytest.param("server", marks=pytest.mark.server)]
"""Parameters for a test that runs in both Chroma modes: the server one is marked ``server``."""


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not (DATA_DIR / "README.md").exists():
        pytest.fail(f"data mirror not found at {DATA_DIR}: set SHOPCHAT_DATA_DIR")
    return DATA_DIR


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:  # the default model
    """The real all-MiniLM-L6-v2, loaded once per test session from its package."""
    return get_embedder()


Embed = Callable[[SentenceTransformerEmbedder, Sequence[str], int], np.ndarray]


def remembering(embed: Embed) -> Embed:
    """``embed`` that runs the real model once per (model, text) and then replays its vector."""
    vectors: dict[tuple[str, str], np.ndarray] = {}
    lock = threading.Lock()

    @functools.wraps(embed)
    def wrapper(self: SentenceTransformerEmbedder, texts: Sequence[str],
                batch_size: int = 64) -> np.ndarray:
        texts = list(texts)
        with lock:
            new = [t for t in dict.fromkeys(texts) if (self.name, t) not in vectors]
        if new or not texts:
            fresh = embed(self, new, batch_size)
            if not texts:
                return fresh
            with lock:
                vectors.update(((self.name, t), v) for t, v in zip(new, fresh, strict=True))
        with lock:
            return np.stack([vectors[(self.name, t)] for t in texts])

    return wrapper


@pytest.fixture(scope="session", autouse=True)
def embed_each_text_once() -> Iterator[None]:
    """The session indexes dummyjson a dozen times (each test that changes an index builds its
    own, the CLI tests index in fresh homes): sentence-transformers models embed each distinct
    text once per session, for real, and later builds reuse that vector."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SentenceTransformerEmbedder, "embed",
                      remembering(SentenceTransformerEmbedder.embed))
        yield


def _wait_healthy(url: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                return True
        except OSError:
            time.sleep(0.3)
    return False


@pytest.fixture(scope="session")
def chroma_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``SHOPCHAT_TEST_CHROMA_URL`` (CI starts one), else a ``chroma run`` of our own."""
    url = os.environ.get("SHOPCHAT_TEST_CHROMA_URL")
    if url:
        if not _wait_healthy(url, 10):
            pytest.fail(f"SHOPCHAT_TEST_CHROMA_URL={url} is not answering")
        yield url
        return
    chroma = shutil.which("chroma") or str(Path(os.sys.executable).parent / "chroma")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        if not _wait_healthy(url):
            pytest.fail(f"`chroma run` did not become healthy on {url}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session", params=CHROMA_MODES)
def chroma_mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def make_settings(home: Path, data_dir: Path, chroma_url: str | None = None) -> Settings:
    return Settings(home=home, data_dir=data_dir, chroma_url=chroma_url)


@pytest.fixture
def settings_for(tmp_path: Path, data_dir: Path, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """``settings_for(mode)``: Settings with a fresh home; server mode shares one server."""

    def build(mode: str) -> Settings:
        url = request.getfixturevalue("chroma_server_url") if mode == "server" else None
        return make_settings(tmp_path / mode, data_dir, url)

    return build


def renamed(catalog: Catalog, prefix: str | None = None) -> Catalog:
    """A copy under a unique name: tests share one Chroma server, never one collection."""
    name = f"{prefix or catalog.name}-{uuid.uuid4().hex[:8]}"
    return Catalog(name, list(catalog.products), list(catalog.interactions), catalog.report)


@pytest.fixture(scope="session")
def dummy_catalog(data_dir: Path) -> Catalog:
    return load_catalog("dummyjson", data_dir)


@pytest.fixture(scope="session")
def dummy_index(
    chroma_mode: str,
    dummy_catalog: Catalog,
    embedder: SentenceTransformerEmbedder,
    data_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> tuple[Settings, Searcher]:
    """dummyjson indexed once per Chroma mode and shared read-only: its settings and Searcher
    (tests add their own profile sets and events beside it, never change its products)."""
    return indexed(renamed(dummy_catalog), chroma_mode, embedder, data_dir, tmp_path_factory,
                   request)


@pytest.fixture(scope="session")
def dummy_searcher(dummy_index: tuple[Settings, Searcher]) -> Searcher:
    """The shared dummyjson index's Searcher (embedded; the ``server`` twin on `chroma run`)."""
    return dummy_index[1]


def indexed(catalog: Catalog, chroma_mode: str, embedder: SentenceTransformerEmbedder,
            data_dir: Path, tmp_path_factory: pytest.TempPathFactory,
            request: pytest.FixtureRequest) -> tuple[Settings, Searcher]:
    """``catalog`` indexed in a fresh home, in the given Chroma mode; its settings, Searcher."""
    url = request.getfixturevalue("chroma_server_url") if chroma_mode == "server" else None
    settings = make_settings(tmp_path_factory.mktemp(f"home-{chroma_mode}"), data_dir, url)
    build_index(catalog, settings, embedder=embedder, progress=False)
    return settings, Searcher.open(catalog.name, settings, embedder=embedder)


def indexed_searcher(catalog: Catalog, chroma_mode: str, embedder: SentenceTransformerEmbedder,
                     data_dir: Path, tmp_path_factory: pytest.TempPathFactory,
                     request: pytest.FixtureRequest) -> Searcher:
    """``catalog`` indexed in a fresh home, in the given Chroma mode; its Searcher."""
    return indexed(catalog, chroma_mode, embedder, data_dir, tmp_path_factory, request)[1]


@pytest.fixture
def cli_env(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh SHOPCHAT_HOME for CLI tests, embedded Chroma, wide terminal output."""
    monkeypatch.setenv("SHOPCHAT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SHOPCHAT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("SHOPCHAT_CHROMA_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
