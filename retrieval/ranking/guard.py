"""A guard rail for the learned ranker: when its first page agrees with neither first-stage
retriever, rank fusion decides that page.

A learned model extrapolates on queries unlike its training ones ("ssd": its top 10 were
desktops that list an SSD among their specs, while BM25 and the dense retriever both led with
drives and drive adapters). When the model's top ``PAGE`` shares at most ``MIN_SHARED`` items
with BM25's top ``PAGE`` *and* at most that many with the dense top ``PAGE``, the strong
evidence of both retrievers outweighs it: the first page is rank fusion's, the model orders the
rest (so nothing the model found deeper is lost). Brand-only queries are exempt: there the model
knows what neither retriever does (which items are the brand's own products, not accessories
that fit them), and it wins on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np

from retrieval.query_classes import QueryClass
from retrieval.ranking.features import FEATURES

PAGE = 10
MIN_SHARED = 2
"""Items the model's first page must share with one retriever's for the model to be kept."""
_RRF = FEATURES.index("rrf")


def disagrees(order: np.ndarray, rows: np.ndarray, lexical_rank: Mapping[int, int],
              dense_rank: Mapping[int, int]) -> bool:
    """Does the ranked first page (``order``: indices into ``rows``) share fewer than
    ``MIN_SHARED`` items with both BM25's first page and the dense one?"""
    top = [int(rows[i]) for i in order[:PAGE].tolist()]
    lexical = sum(1 for row in top if lexical_rank.get(row, PAGE + 1) <= PAGE)
    dense = sum(1 for row in top if dense_rank.get(row, PAGE + 1) <= PAGE)
    return lexical < MIN_SHARED and dense < MIN_SHARED


class RankedPool(Protocol):
    @property
    def rows(self) -> np.ndarray: ...

    @property
    def features(self) -> np.ndarray: ...

    @property
    def lexical_rank(self) -> dict[int, int]: ...

    @property
    def dense_rank(self) -> dict[int, int]: ...


def guarded(order: np.ndarray, pool: RankedPool, query_class: str) -> np.ndarray:
    """``order`` (the model's, indices into ``pool.rows``), or, where the model strays from both
    retrievers, rank fusion's first page followed by the model's order of the rest."""
    if query_class == QueryClass.BRAND_ONLY or not disagrees(
            order, pool.rows, pool.lexical_rank, pool.dense_rank):
        return order
    fused = np.lexsort((pool.rows, -pool.features[:, _RRF]))[:PAGE]
    rest = order[~np.isin(order, fused)]
    return np.concatenate([fused, rest])
