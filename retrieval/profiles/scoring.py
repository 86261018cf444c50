"""Personalised scores: the query's ranking first, the profile as a bounded boost.

Search:   final = score / max|score|  +  own_w * own(item)  +  cos_w * (cos(profile, item) - mean)
                  + aff_w * (brand share + type share)
over the candidates the query already retrieved (filters applied there, so they stay exact);
disliked items are dropped. Recommend (no query): the same boost over every item.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from retrieval.profiles.config import ProfileConfig
from retrieval.profiles.profile import Profile
from retrieval.profiles.vectors import ItemVectors
from retrieval.types import Candidate, Filters, Mode, ParsedQuery, SearchResult


def own_strength(weight: float) -> float:
    """Signed log scale: the 10th purchase of an item adds less than the 2nd."""
    return float(np.sign(weight) * np.log1p(abs(weight)))


def _affinity(profile: Profile, brands: np.ndarray, categories: np.ndarray) -> np.ndarray:
    out = np.zeros(len(brands), dtype=np.float64)
    if profile.brands:
        out += np.array([profile.brands.get(b, 0.0) for b in brands])
    if profile.types:
        out += np.array([profile.types.get(c, 0.0) for c in categories])
    return out


def rescore(profile: Profile, result: SearchResult, vectors: ItemVectors, cfg: ProfileConfig,
            k: int | None = None) -> SearchResult:
    """``result`` reordered for ``profile``; ``k`` cuts the list (default: keep its length)."""
    started = time.perf_counter()
    kept = [c for c in result.candidates if c.product.id not in profile.disliked]
    k = len(kept) if k is None else k
    if not kept:
        return dataclasses.replace(result, candidates=[])
    base = np.array([c.score for c in kept], dtype=np.float64)
    scale = float(np.abs(base).max()) or 1.0
    rows = [vectors.row(c.product.id) for c in kept]
    cos = np.zeros(len(kept))
    have = np.array([r is not None for r in rows])
    if profile.vector is not None and have.any():
        idx = np.array([r for r in rows if r is not None])
        cos[have] = vectors.matrix[idx] @ profile.vector
        cos[have] -= cos[have].mean()
    own = np.array([own_strength(profile.item_weights.get(c.product.id, 0.0)) for c in kept])
    aff = _affinity(profile,
                    np.array([c.product.brand.lower() for c in kept], dtype=object),
                    np.array([c.product.category.lower() for c in kept], dtype=object))
    personal = cfg.own_weight * own + cfg.cosine_weight * cos + cfg.affinity_weight * aff
    final = base / scale + personal
    order = np.argsort(-final, kind="stable")[:k]
    candidates = [
        dataclasses.replace(kept[i], score=float(final[i]), rank=rank,
                            personal_score=float(personal[i]))
        for rank, i in enumerate(order, start=1)
    ]
    timings = dict(result.timings_ms)
    timings["personalise"] = round((time.perf_counter() - started) * 1000, 3)
    return dataclasses.replace(result, candidates=candidates, timings_ms=timings)


def recommend(profile: Profile, vectors: ItemVectors, cfg: ProfileConfig, k: int,
              filters: Filters | None = None) -> SearchResult:
    """Top ``k`` items for ``profile`` alone (an empty query), filters exact."""
    started = time.perf_counter()
    table = vectors.table
    filters = filters or Filters()
    score = np.zeros(len(table), dtype=np.float64)
    if profile.vector is not None:
        score += cfg.cosine_weight * (vectors.matrix @ profile.vector)
    own = np.zeros(len(table), dtype=np.float64)
    for item_id, weight in profile.item_weights.items():
        row = table.row_of.get(item_id)
        if row is not None:
            own[row] = own_strength(weight)
    score += cfg.own_weight * own + cfg.affinity_weight * _affinity(
        profile, table.brand, table.category)
    allowed = vectors.present.copy()
    mask = table.mask(filters)
    if mask is not None:
        allowed &= mask
    for item_id in profile.disliked:
        row = table.row_of.get(item_id)
        if row is not None:
            allowed[row] = False
    rows = np.flatnonzero(allowed)
    if rows.size > k:
        rows = rows[np.argpartition(-score[rows], k - 1)[:k]]
    rows = rows[np.lexsort((rows, -score[rows]))]
    candidates = [
        Candidate(product=table.products[r], score=float(score[r]), rank=rank,
                  personal_score=float(score[r]))
        for rank, r in enumerate(rows, start=1)
    ]
    elapsed = round((time.perf_counter() - started) * 1000, 3)
    return SearchResult(query=ParsedQuery(text="", filters=filters, original=""),
                        mode=Mode.DENSE, candidates=candidates,
                        timings_ms={"recommend": elapsed, "total": elapsed})
