"""Rank fusion of the lexical and dense lists."""

from __future__ import annotations

from collections.abc import Sequence

RRF_K = 60


def weighted_rrf(
    rankings: Sequence[Sequence[int]], weights: Sequence[float], k: int = RRF_K
) -> dict[int, float]:
    """Reciprocal-rank fusion: sum of ``w / (k + rank)`` over the lists an item appears in."""
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, row in enumerate(ranking, start=1):
            fused[row] = fused.get(row, 0.0) + weight / (k + rank)
    return fused
