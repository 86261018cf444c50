"""Catalog loading: datasets and plain files -> ``Product`` / ``Interaction`` records.

Public API::

    load_catalog("icecat", data_dir)          # a named dataset (see CATALOGS)
    load_file(path, ColumnMapping(...))       # products from CSV / JSON Lines / JSON / parquet
    load_interactions(path)                   # an interaction log in the same formats

Every call returns a ``Catalog`` whose ``report`` lists rejected rows (file, 1-based data
row, field, reason) and counted quirks; file-level problems raise ``DataError``. This
package knows nothing about vector stores or LLMs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from catalog.dummyjson import load_dummyjson
from catalog.generic import ColumnMapping, load_products_file
from catalog.icecat import load_icecat
from catalog.interactions import load_interactions_file
from catalog.online_retail import load_online_retail
from shopchat.errors import DataError
from shopchat.records import Catalog

__all__ = ["CATALOGS", "ColumnMapping", "load_catalog", "load_file", "load_interactions"]

log = logging.getLogger(__name__)

Loader = Callable[[Path], Catalog]

_LOADERS: dict[str, Loader] = {
    "icecat": load_icecat,
    "online-retail": load_online_retail,
    "dummyjson": load_dummyjson,
}
CATALOGS: tuple[str, ...] = tuple(_LOADERS)
"""Names ``load_catalog`` knows."""


def load_catalog(name: str, data_dir: Path) -> Catalog:
    """Load the named dataset from its usual place under ``data_dir``."""
    loader = _LOADERS.get(name)
    if loader is None:
        raise DataError(f"unknown catalog {name!r}; known catalogs: {', '.join(CATALOGS)}")
    log.debug("loading catalog %s from %s", name, data_dir)
    return loader(Path(data_dir))


def load_file(path: Path, mapping: ColumnMapping | None = None) -> Catalog:
    """Load products from one CSV / TSV / JSON Lines / JSON / parquet file.

    ``mapping`` defaults to columns named ``id`` and ``title`` only.
    """
    return load_products_file(Path(path), mapping)


def load_interactions(path: Path) -> Catalog:
    """Load an interaction log (``user_id,item_id,event,timestamp[,query,quantity]``).

    The returned ``Catalog`` has no products; its ``name`` is the file's stem.
    """
    return load_interactions_file(Path(path))
