"""Fixtures for catalog tests: the real catalogs, loaded once per session from ``data_dir``
(tests/conftest.py: ``SHOPCHAT_DATA_DIR``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from catalog import load_catalog
from shopchat.records import Catalog


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
