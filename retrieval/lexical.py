"""BM25 (bm25s) over the product table, persisted next to it, with exact filter masks."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from retrieval.fields import FieldIndex
from retrieval.product_table import ProductTable
from retrieval.tokenize import STOPWORDS, WORD, tokenize
from shopchat.records import Product

log = logging.getLogger(__name__)

_FIELDS = "fields"


def lexical_text(product: Product) -> str:
    """Title weighted twice: it names the product type, which shoppers type."""
    return (
        f"{product.title} {product.title} {product.brand} {product.category} {product.description}"
    )


class LexicalIndex:
    def __init__(self, table: ProductTable, bm25: bm25s.BM25, fields: FieldIndex) -> None:
        self.table = table
        self._bm25 = bm25
        self.fields = fields
        self._vocab: dict[str, int] = dict(getattr(bm25, "vocab_dict", {}) or {})

    @classmethod
    def build(cls, products: Sequence[Product]) -> LexicalIndex:
        table = ProductTable(products)
        bm25 = bm25s.BM25()
        corpus = [tokenize(lexical_text(p)) or [""] for p in table.products]
        bm25.index(corpus, show_progress=False)
        return cls(table, bm25, FieldIndex.build(table.products))

    def save(self, folder: Path) -> None:
        """Write atomically: a half-written index is never visible under ``folder``."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir(parents=True)
            self._bm25.save(str(tmp))
            self.table.save(tmp)
            self.fields.save(tmp / _FIELDS)
        except BaseException:  # a full disk mid-write: drop the half-written copy
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        bm25 = bm25s.BM25.load(str(folder))
        table = ProductTable.load(folder)
        fields = FieldIndex.load(folder / _FIELDS, len(table))
        if fields is None:  # written by an older shopchat: build the field indexes in memory
            log.info("%s has no field indexes; building them (re-index to store them)", folder)
            fields = FieldIndex.build(table.products)
        return cls(table, bm25, fields)

    def unknown_words(self, text: str) -> tuple[list[str], bool]:
        """``text``'s words (stopwords aside) that no product contains, as typed and once each;
        and whether any of its words is in the catalog at all."""
        words = list(dict.fromkeys(w for w in WORD.findall(text) if w.lower() not in STOPWORDS))
        unknown = [w for w in words if not all(t in self._vocab for t in tokenize(w))]
        return unknown, len(unknown) < len(words)

    def scores(self, text: str) -> np.ndarray:
        tokens = [t for t in tokenize(text) if t in self._vocab]
        if not tokens:
            return np.zeros(len(self.table), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)

    def search(
        self, text: str, k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` rows with a positive score among rows where ``mask`` is True."""
        scores = self.scores(text)
        order = top_rows(scores, k, mask)
        return order, scores[order]


def top_rows(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Rows of the ``k`` highest positive ``scores`` (where ``mask`` allows), best first."""
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    positive = np.flatnonzero(scores > 0)
    if positive.size > k:
        positive = positive[np.argpartition(-scores[positive], k - 1)[:k]]
    return positive[np.argsort(-scores[positive], kind="stable")]
