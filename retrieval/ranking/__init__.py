"""Second-stage ranking of the pooled lexical and dense candidates (features + a ranker)."""

from __future__ import annotations

from retrieval.ranking.features import FEATURES, ProductTerms, QueryTerms, candidate_features
from retrieval.ranking.rankers import (
    RANKERS,
    FusionRanker,
    LambdaMartRanker,
    Ranker,
    load_ranker,
)

__all__ = [
    "FEATURES",
    "RANKERS",
    "FusionRanker",
    "LambdaMartRanker",
    "ProductTerms",
    "QueryTerms",
    "Ranker",
    "candidate_features",
    "load_ranker",
]
