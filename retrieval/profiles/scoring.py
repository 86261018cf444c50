"""Personalised scores: the query's ranking first, the profile reorders what it retrieved.

Search, linear blend (any catalog):
          final = score / max|score|  +  own_w * own(item)  +  cos_w * (cos(profile, item) - mean)
                  + aff_w * (brand share + type share)
Search, learned: a LightGBM LambdaMART model over ``PERSONAL_FEATURES`` (query score and rank
plus what the profile says), fit on a time split of the catalog's own purchases
(``shopchat eval train-personal``).
Either way only the candidates the query already retrieved are reordered (filters applied
there, so they stay exact) and disliked items are dropped. Recommend (no query): the linear
boost over every item.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from retrieval.profiles.config import ProfileConfig
from retrieval.profiles.features import (
    PROFILE_COLUMNS,
    affinity,
    candidate_affinity,
    cosines,
    own_strength,
    own_strengths,
    personal_features,
    query_scores,
)
from retrieval.profiles.profile import Profile
from retrieval.profiles.vectors import ItemVectors
from retrieval.ranking.rankers import Ranker
from retrieval.types import Candidate, Filters, Mode, ParsedQuery, SearchResult
from shopchat.timing import elapsed_ms


def rescore(profile: Profile, result: SearchResult, vectors: ItemVectors, cfg: ProfileConfig,
            k: int | None = None, ranker: Ranker | None = None) -> SearchResult:
    """``result`` reordered for ``profile``; ``k`` cuts the list (default: keep its length).

    ``ranker``: a learned personal ranker over ``PERSONAL_FEATURES``; None: the linear blend.
    """
    started = time.perf_counter()
    kept = [c for c in result.candidates if c.product.id not in profile.disliked]
    k = len(kept) if k is None else k
    if not kept:
        return dataclasses.replace(result, candidates=[])
    if ranker is None:  # only the three signals the blend uses
        personal = (cfg.own_weight * own_strengths(profile, kept)
                    + cfg.cosine_weight * cosines(profile, kept, vectors)
                    + cfg.affinity_weight * candidate_affinity(profile, kept))
        final = query_scores(kept) + personal
    else:
        features = personal_features(profile, kept, result.query.text, vectors)
        final = ranker.score(features)
        query_only = features.copy()
        query_only[:, PROFILE_COLUMNS] = 0.0
        personal = final - ranker.score(query_only)
    order = np.argsort(-final, kind="stable")[:k]
    candidates = [
        dataclasses.replace(kept[i], score=float(final[i]), rank=rank,
                            personal_score=float(personal[i]))
        for rank, i in enumerate(order, start=1)
    ]
    timings = dict(result.timings_ms)
    timings["personalise"] = elapsed_ms(started)
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
    score += cfg.own_weight * own + cfg.affinity_weight * affinity(
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
    elapsed = elapsed_ms(started)
    return SearchResult(query=ParsedQuery(text="", filters=filters, original=""),
                        mode=Mode.DENSE, candidates=candidates,
                        timings_ms={"recommend": elapsed, "total": elapsed})
