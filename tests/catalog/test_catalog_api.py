"""The package's public API: the {name: loader} table and its errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import catalog
from catalog import CATALOGS, load_catalog
from shopchat.errors import DataError


def test_catalog_names() -> None:
    assert CATALOGS == ("icecat", "online-retail", "dummyjson")
    assert set(catalog.__all__) >= {"load_catalog", "load_file", "load_interactions",
                                    "CATALOGS", "ColumnMapping"}


def test_unknown_name_lists_known_names(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="icecat, online-retail, dummyjson"):
        load_catalog("amazon", tmp_path)


@pytest.mark.parametrize("name", CATALOGS)
def test_missing_data_names_the_path(name: str, tmp_path: Path) -> None:
    with pytest.raises(DataError, match=re.escape(str(tmp_path))):
        load_catalog(name, tmp_path)


@pytest.mark.parametrize("name", CATALOGS)
def test_every_catalog_loads(name: str, request: pytest.FixtureRequest) -> None:
    # the session fixtures in conftest.py call load_catalog(name, data_dir)
    loaded = request.getfixturevalue(name.replace("-", "_"))
    assert loaded.name == name
    assert loaded.products
    assert loaded.report.loaded >= len(loaded.products)
