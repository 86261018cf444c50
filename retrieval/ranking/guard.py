"""Guard rails for the learned ranker: the exact model asked for comes first, and when the
model's first page agrees with neither first-stage retriever, rank fusion decides that page.

A query naming an item's model number ("kyocera tk-875y") wants that item: the model learned
the exact-code match from a handful of judged queries and often put a sibling ("TK-715") above
it, so items whose model code is a word of the query lead, in the model's order.

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

from collections.abc import Callable, Iterable, Mapping, Sequence
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


def guarded(order: np.ndarray, pool: RankedPool,
            query_class: Callable[[], str]) -> np.ndarray:
    """``order`` (the model's, indices into ``pool.rows``), or, where the model strays from both
    retrievers, rank fusion's first page followed by the model's order of the rest.
    ``query_class`` is only asked when the model strays (most queries never need it)."""
    if not disagrees(order, pool.rows, pool.lexical_rank, pool.dense_rank) or \
            query_class() == QueryClass.BRAND_ONLY:
        return order
    fused = np.lexsort((pool.rows, -pool.features[:, _RRF]))[:PAGE]
    rest = order[~np.isin(order, fused)]
    return np.concatenate([fused, rest])


def exact_models_first(order: np.ndarray, rows: np.ndarray, item_codes: Sequence[str],
                       query_codes: Iterable[str]) -> np.ndarray:
    """``order`` (indices into ``rows``) with the items whose model code is a word of the query
    moved to the front, each group in its order. Only codes with a digit count ("tk875y", not
    "stand": some items' model field holds a plain word)."""
    wanted = {code for code in query_codes if any(ch.isdigit() for ch in code)}
    if not wanted:
        return order
    exact = np.array([item_codes[int(rows[i])] in wanted for i in order.tolist()], dtype=bool)
    if not exact.any() or exact.all():
        return order
    return np.concatenate([order[exact], order[~exact]])
