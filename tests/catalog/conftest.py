"""Fixtures for catalog tests: the real data directory and catalogs loaded once per session."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from catalog import load_catalog
from shopchat.records import Catalog

DEFAULT_DATA_DIR = "/work/shared/data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The read-only data mirror (``SHOPCHAT_DATA_DIR``, default /work/shared/data)."""
    path = Path(os.environ.get("SHOPCHAT_DATA_DIR", DEFAULT_DATA_DIR))
    if not path.is_dir():
        pytest.fail(f"data directory {path} not found: set SHOPCHAT_DATA_DIR")
    return path


@pytest.fixture(scope="session")
def icecat(data_dir: Path) -> Catalog:
    return load_catalog("icecat", data_dir)


@pytest.fixture(scope="session")
def online_retail(data_dir: Path) -> Catalog:
    return load_catalog("online-retail", data_dir)


@pytest.fixture(scope="session")
def dummyjson(data_dir: Path) -> Catalog:
    return load_catalog("dummyjson", data_dir)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write a small file under tmp_path and return its path (bytes are written as-is)."""
    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path
    return _write
