"""The indexed products in row order, with columnar arrays for fast exact filtering."""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.types import Filters
from shopchat.records import Product

_FILE = "products.pkl"


class ProductTable:
    def __init__(self, products: Sequence[Product]) -> None:
        self.products = list(products)
        self.row_of = {p.id: i for i, p in enumerate(self.products)}
        self.price = np.array(
            [float(p.price) if p.price is not None else np.nan for p in self.products],
            dtype=np.float64,
        )
        self.brand = np.array([p.brand.lower() for p in self.products], dtype=object)
        self.category = np.array([p.category.lower() for p in self.products], dtype=object)

    def __len__(self) -> int:
        return len(self.products)

    def get(self, product_id: str) -> Product | None:
        row = self.row_of.get(product_id)
        return None if row is None else self.products[row]

    def brands(self) -> set[str]:
        return {b for b in self.brand if b}

    def brand_spellings(self) -> dict[str, str]:
        """A lower-cased brand -> the catalog's spelling of it ("hp" -> "HP"), the most common
        one where items spell it differently."""
        spellings = Counter(p.brand for p in self.products if p.brand)
        return {b.lower(): b for b, _ in reversed(spellings.most_common())}

    def categories(self) -> set[str]:
        return {c for c in self.category if c}

    def category_coverage(self) -> float:
        return float(np.mean(self.category != "")) if len(self) else 0.0

    def mask(self, filters: Filters) -> np.ndarray | None:
        """Boolean row mask of products satisfying ``filters`` (None when nothing is filtered)."""
        if filters.is_empty():
            return None
        keep = np.ones(len(self), dtype=bool)
        with np.errstate(invalid="ignore"):  # NaN prices compare False: unpriced items drop out
            if filters.price_min is not None:
                keep &= self.price >= filters.price_min
            if filters.price_max is not None:
                keep &= self.price <= filters.price_max
        if filters.brands:
            keep &= np.isin(self.brand, list(filters.brands))
        if filters.exclude_brands:
            keep &= ~np.isin(self.brand, list(filters.exclude_brands))
        if filters.categories:
            keep &= np.isin(self.category, list(filters.categories))
        if filters.exclude_categories:
            keep &= ~np.isin(self.category, list(filters.exclude_categories))
        return keep

    def save(self, folder: Path) -> None:
        with (folder / _FILE).open("wb") as fh:
            pickle.dump(self.products, fh, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, folder: Path) -> ProductTable:
        # Only ever reads the file shopchat itself wrote under SHOPCHAT_HOME.
        with (folder / _FILE).open("rb") as fh:
            return cls(pickle.load(fh))
