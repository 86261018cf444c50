"""ChromaDB server faults and an unwritable home, injected for real.

A ``chroma run`` server of the test's own is SIGKILLed in the middle of an index build and
while a searcher is open, then restarted on the same folder: while it is down every call fails
with a ``StoreError`` naming the catalog; after it is back the next build ends exact (every
product once, nothing stale) and search works again.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retrieval import Searcher, build_index
from retrieval.indexer import stored_hashes
from retrieval.store import open_client, products_collection
from shopchat.errors import ShopchatError, StoreError
from shopchat.net import free_port
from shopchat.records import Catalog
from tests.conftest import _wait_healthy, make_settings, renamed


class ChromaServer:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
        self.proc = subprocess.Popen(
            [chroma, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port",
             str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert _wait_healthy(self.url), "chroma run did not start"

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


class KillingEmbedder:
    """The real embedder, which SIGKILLs the Chroma server once ``after`` chunks are encoded
    (so the kill lands in the middle of the build, whatever the machine's speed)."""

    def __init__(self, inner: Any, server: ChromaServer, after: int) -> None:
        self.inner, self.server, self.after = inner, server, after
        self.name, self.dimension = inner.name, inner.dimension
        self.calls = 0

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        self.calls += 1
        if self.calls == self.after:
            self.server.kill()
        return np.asarray(self.inner.embed(texts, batch_size))


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "chroma")
    server.start()
    yield server
    server.kill()


def test_server_killed_mid_index_and_mid_search_then_restarted(
    chroma: ChromaServer, dummy_catalog: Catalog, embedder: object, data_dir: Path,
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path / "home", data_dir, chroma.url).model_copy(
        update={"index_chunk": 16})
    catalog = renamed(dummy_catalog, "killed")
    with pytest.raises(ShopchatError):  # killed after 3 of 13 chunks were embedded
        build_index(catalog, settings, embedder=KillingEmbedder(embedder, chroma, after=3),
                    progress=False)

    chroma.start()  # same folder, new process
    stats = build_index(catalog, settings, embedder=embedder,  # type: ignore[arg-type]
                        progress=False)
    assert stats.total == len(catalog.products) and stats.deleted == 0
    collection = products_collection(open_client(settings), catalog.name, create=False)
    stored = stored_hashes(collection)
    assert sorted(stored) == sorted(p.id for p in catalog.products)  # each once, none stale
    assert build_index(catalog, settings, embedder=embedder,  # type: ignore[arg-type]
                       progress=False).embedded == 0

    searcher = Searcher.open(catalog.name, settings, embedder=embedder)  # type: ignore[arg-type]
    before = searcher.search("red lipstick", k=5).ids
    chroma.kill()
    with pytest.raises(StoreError, match=f"ChromaDB query failed for catalog {catalog.name!r}"):
        searcher.search("red lipstick", k=5)
    chroma.start()
    assert searcher.search("red lipstick", k=5).ids == before  # the same searcher recovers


def test_unwritable_home_names_the_path(
    dummy_catalog: Catalog, embedder: object, data_dir: Path, tmp_path: Path
) -> None:
    if os.geteuid() == 0:
        home = Path("/proc/shopchat-home")  # not even root can create folders in /proc
    else:
        home = tmp_path / "readonly"
        home.mkdir()
        home.chmod(0o500)
    settings = make_settings(home, data_dir)
    with pytest.raises(StoreError, match=str(home)):
        build_index(renamed(dummy_catalog), settings, embedder=embedder,  # type: ignore[arg-type]
                    progress=False)


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KB tmpfs (root only: mounting is the one way to fill a disk for real)."""
    mount = tmp_path / "full"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip()})")
    try:
        yield mount
    finally:
        # lazy: the embedded Chroma client may still hold files open in it
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_a_clear_error_naming_the_path(
    full_disk: Path, dummy_catalog: Catalog, embedder: object, data_dir: Path
) -> None:
    settings = make_settings(full_disk / "home", data_dir)
    with pytest.raises(StoreError, match=str(full_disk / "home")) as raised:
        build_index(renamed(dummy_catalog), settings, embedder=embedder,  # type: ignore[arg-type]
                    progress=False)
    assert "full" in str(raised.value).lower()
