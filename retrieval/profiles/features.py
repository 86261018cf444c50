"""What a user's profile says about each candidate of one search: the personal ranker's input.

base            the query's score / max |score| over the candidates (query intent)
inverse_rank    1 / the query's rank
own             signed log of the user's own weight on the item (repeat purchases, likes)
cosine          cos(profile vector, item vector), minus the candidates' mean
title_affinity  the largest share of the user's items whose titles hold a word of this title
                that the query does not ("spaceboy", "regency": the ranges a shopper stocks)
affinity        the user's brand share + product-type share for the item
nearest         cos(item, the most similar item the user bought or liked)
nearest3        mean cos(item, the three most similar ones)
price_ratio     log(price / the middle of the user's usual price band); 0 when either is unknown
price_distance  |price_ratio|
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from retrieval.profiles.profile import Profile
from retrieval.profiles.vectors import ItemVectors
from retrieval.types import Candidate

PERSONAL_FEATURES = ("base", "inverse_rank", "own", "cosine", "title_affinity", "affinity",
                     "nearest", "nearest3", "price_ratio", "price_distance")
PROFILE_COLUMNS = np.array([PERSONAL_FEATURES.index(f) for f in PERSONAL_FEATURES[2:]])
"""The columns that come from the profile (zeroed, they give the query-only score)."""
_WORD = re.compile(r"[a-z][a-z'-]+")


def own_strength(weight: float) -> float:
    """Signed log scale: the 10th purchase of an item adds less than the 2nd."""
    return float(np.sign(weight) * np.log1p(abs(weight)))


@lru_cache(maxsize=1 << 16)
def title_words(title: str) -> frozenset[str]:
    """Lower-cased words of two or more letters (numbers and single letters dropped)."""
    return frozenset(_WORD.findall(title.lower()))


def query_scores(candidates: Sequence[Candidate]) -> np.ndarray:
    """The query's scores scaled by the largest magnitude (1.0 for the top one)."""
    base = np.array([c.score for c in candidates], dtype=np.float64)
    return base / (float(np.abs(base).max()) or 1.0)


def own_strengths(profile: Profile, candidates: Sequence[Candidate]) -> np.ndarray:
    return np.array([own_strength(profile.item_weights.get(c.product.id, 0.0))
                     for c in candidates], dtype=np.float64)


def candidate_affinity(profile: Profile, candidates: Sequence[Candidate]) -> np.ndarray:
    return affinity(profile, [c.product.brand.lower() for c in candidates],
                    [c.product.category.lower() for c in candidates])


def affinity(profile: Profile, brands: Sequence[str] | np.ndarray,
             categories: Sequence[str] | np.ndarray) -> np.ndarray:
    """Brand share + product-type share of each item in the user's positive history."""
    out = np.zeros(len(brands), dtype=np.float64)
    if profile.brands:
        out += np.array([profile.brands.get(b, 0.0) for b in brands])
    if profile.types:
        out += np.array([profile.types.get(c, 0.0) for c in categories])
    return out


def liked_rows(profile: Profile, vectors: ItemVectors) -> list[int]:
    """Table rows of the items the user weighs positively (bought, liked...)."""
    return [r for item, w in profile.item_weights.items()
            if w > 0 and (r := vectors.row(item)) is not None]


def title_affinity(profile: Profile, titles: Sequence[str], query: str,
                   vectors: ItemVectors) -> np.ndarray:
    """Per title: the largest share of the user's items sharing one of its non-query words."""
    mine = [vectors.table.products[r].title for r in liked_rows(profile, vectors)]
    if not mine:
        return np.zeros(len(titles))
    counts = Counter(word for title in mine for word in title_words(title))
    skip = title_words(query)
    return np.array([max((counts[w] for w in title_words(t) - skip), default=0) / len(mine)
                     for t in titles], dtype=np.float64)


def cosines(profile: Profile, candidates: Sequence[Candidate], vectors: ItemVectors) -> np.ndarray:
    out = np.zeros(len(candidates))
    rows = [vectors.row(c.product.id) for c in candidates]
    have = np.array([r is not None for r in rows], dtype=bool)
    if profile.vector is not None and have.any():
        idx = np.array([r for r in rows if r is not None])
        out[have] = vectors.matrix[idx] @ profile.vector
        out[have] -= out[have].mean()
    return out


def nearest(profile: Profile, candidates: Sequence[Candidate], vectors: ItemVectors
            ) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate: cos to the user's most similar item, and the mean over the top three."""
    mine = liked_rows(profile, vectors)
    rows = [vectors.row(c.product.id) for c in candidates]
    top1, top3 = np.zeros(len(candidates)), np.zeros(len(candidates))
    have = np.array([r is not None for r in rows], dtype=bool)
    if not mine or not have.any():
        return top1, top3
    sims = vectors.matrix[[r for r in rows if r is not None]] @ vectors.matrix[mine].T
    sims = np.sort(sims, axis=1)
    top1[have] = sims[:, -1]
    top3[have] = sims[:, -3:].mean(axis=1)
    return top1, top3


def price_ratio(profile: Profile, candidates: Sequence[Candidate]) -> np.ndarray:
    if profile.price_band is None or sum(profile.price_band) <= 0:
        return np.zeros(len(candidates))
    middle = sum(profile.price_band) / 2
    return np.array([np.log(float(c.product.price) / middle)
                     if c.product.price is not None and c.product.price > 0 else 0.0
                     for c in candidates], dtype=np.float64)


def personal_features(profile: Profile, candidates: Sequence[Candidate], query: str,
                      vectors: ItemVectors) -> np.ndarray:
    """One row per candidate, columns as in ``PERSONAL_FEATURES``."""
    n = len(candidates)
    if n == 0:
        return np.zeros((0, len(PERSONAL_FEATURES)))
    near, near3 = nearest(profile, candidates, vectors)
    price = price_ratio(profile, candidates)
    return np.column_stack([
        query_scores(candidates),
        1.0 / np.arange(1, n + 1),
        own_strengths(profile, candidates),
        cosines(profile, candidates, vectors),
        title_affinity(profile, [c.product.title for c in candidates], query, vectors),
        candidate_affinity(profile, candidates),
        near,
        near3,
        price,
        np.abs(price),
    ])
