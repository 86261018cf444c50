"""Per-field BM25 indexes (title, brand, product type, description, attributes, codes).

The whole-product BM25 in ``retrieval.lexical`` finds candidates; these score each field on its
own, so the ranker can weigh a title match above a match in a long compatibility list, and an
exact model number or EAN above both.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import bm25s
import numpy as np

from retrieval.tokenize import tokenize
from shopchat.records import Product

log = logging.getLogger(__name__)

_HAS_LETTER = re.compile(r"[^\W\d_]")
_CODE_KEYS = ("model", "ean", "sku", "oem_code")
_NOT_DESCRIPTIVE = frozenset({"yes", "no"})


def attribute_text(product: Product) -> str:
    """Descriptive attribute values ("Inkjet printing", "Black"); numbers and flags left out."""
    return " ".join(
        value
        for key, value in product.attributes.items()
        if key not in _CODE_KEYS
        and key != "product_type"
        and value not in _NOT_DESCRIPTIVE
        and _HAS_LETTER.search(value)
    )


def code_text(product: Product) -> str:
    """Model numbers, EANs and SKUs (tokenised like everything else: "TN-2110" -> tn, 2110)."""
    codes = [product.attributes.get(key, "") for key in _CODE_KEYS]
    return " ".join(c for c in codes if c)


FIELDS: dict[str, Callable[[Product], str]] = {
    "title": lambda p: p.title,
    "brand": lambda p: p.brand,
    "category": lambda p: p.category,
    "description": lambda p: p.description,
    "attributes": attribute_text,
    "codes": code_text,
}
"""Field name -> the text of that field."""


class FieldIndex:
    """One BM25 index per field of ``FIELDS``, over the same rows as the product table."""

    def __init__(self, indexes: dict[str, bm25s.BM25], size: int) -> None:
        self._indexes = indexes
        self._vocab = {n: dict(getattr(b, "vocab_dict", {}) or {}) for n, b in indexes.items()}
        self._size = size

    @classmethod
    def build(cls, products: Sequence[Product]) -> FieldIndex:
        indexes: dict[str, bm25s.BM25] = {}
        for name, text_of in FIELDS.items():
            bm25 = bm25s.BM25()
            bm25.index([tokenize(text_of(p)) or [""] for p in products], show_progress=False)
            indexes[name] = bm25
        return cls(indexes, len(products))

    def save(self, folder: Path) -> None:
        for name, bm25 in self._indexes.items():
            bm25.save(str(folder / name))

    @classmethod
    def load(cls, folder: Path, size: int) -> FieldIndex | None:
        """None when ``folder`` lacks a field (an index built before fields existed)."""
        if not all((folder / name).is_dir() for name in FIELDS):
            return None
        return cls({name: bm25s.BM25.load(str(folder / name)) for name in FIELDS}, size)

    def scores(self, tokens: Sequence[str]) -> dict[str, np.ndarray]:
        """Field -> BM25 score of every row for the (already tokenised) query."""
        out: dict[str, np.ndarray] = {}
        for name, bm25 in self._indexes.items():
            known = [t for t in tokens if t in self._vocab[name]]
            if known:
                out[name] = np.asarray(bm25.get_scores(known), dtype=np.float32)
            else:
                out[name] = np.zeros(self._size, dtype=np.float32)
        return out
