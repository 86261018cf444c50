"""Learning-to-rank over a judgment file: training pools, k-fold cross-validation, ablation.

Every learned figure is cross-validated over queries: the model is fit on the pools of the
other folds and the held-out queries are then searched through ``Searcher.search`` itself, on
``searcher.with_ranker(model)``, so the score is the product's code path, not a
re-implementation (and the searcher itself is never changed).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm import tqdm

from eval.judgments import Judgments
from eval.metrics import METRICS, build_qrels, score_run
from eval.search_eval import Searcher
from retrieval.ranking import FEATURES, LambdaMartRanker
from retrieval.types import Mode
from shopchat.errors import ConfigError

log = logging.getLogger(__name__)

FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "retriever scores": (
        "bm25", "bm25_share", "dense", "dense_gap", "lexical_log_rank", "dense_log_rank", "rrf",
    ),
    "field BM25": tuple(f for f in FEATURES if f.startswith("bm25_") and f != "bm25_share"),
    "title match": (
        "title_coverage", "title_phrase", "title_last_match", "title_words_after",
        "title_first_match", "title_length", "query_length",
    ),
    "intent (type, accessory, brand, model no.)": (
        "code_exact", "brand_named", "accessory_of_query", "type_match",
    ),
    "data coverage, price": ("log_attributes", "log_description", "log_price"),
}
"""Feature groups in the order the ablation adds them."""


@dataclass(frozen=True, slots=True)
class TrainingPools:
    """Each judged query's hybrid candidate pool: features and graded labels (unjudged = 0)."""

    queries: list[str]
    features: list[np.ndarray]
    labels: list[np.ndarray]


def collect_pools(
    searcher: Searcher, judgments: Judgments, *, progress: bool = True
) -> TrainingPools:
    graded = judgments.as_dict()
    features, labels = [], []
    for query in tqdm(judgments.queries, desc="candidate pools", unit="query",
                      disable=not progress):
        pool = searcher.pool(query)
        features.append(pool.features)
        labels.append(np.array([graded[query].get(i, 0) for i in pool.ids], dtype=np.int32))
    return TrainingPools(list(judgments.queries), features, labels)


def query_folds(queries: Sequence[str], n_folds: int, seed: int = 0) -> list[list[str]]:
    """Queries shuffled once with ``seed`` and dealt into ``n_folds`` near-equal folds."""
    if not 2 <= n_folds <= len(queries):
        raise ConfigError(f"--cv needs 2..{len(queries)} folds, got {n_folds}")
    order = np.random.default_rng(seed).permutation(len(queries))
    return [[queries[i] for i in part] for part in np.array_split(order, n_folds)]


def fit(
    pools: TrainingPools,
    queries: Sequence[str] | None = None,
    *,
    columns: Sequence[str] = FEATURES,
    params: dict[str, Any] | None = None,
) -> LambdaMartRanker:
    """LambdaMART on the pools of ``queries`` (all when None)."""
    keep = set(pools.queries if queries is None else queries)
    picked = [i for i, q in enumerate(pools.queries) if q in keep]
    return LambdaMartRanker.fit(
        [pools.features[i] for i in picked],
        [pools.labels[i] for i in picked],
        columns=columns,
        params=params,
    )


def fold_models(
    pools: TrainingPools,
    n_folds: int,
    seed: int = 0,
    *,
    columns: Sequence[str] = FEATURES,
    params: dict[str, Any] | None = None,
) -> list[tuple[LambdaMartRanker, list[str]]]:
    """(model fit on the other folds, the fold's queries) for each of ``n_folds`` folds."""
    plan = []
    for held_out in query_folds(pools.queries, n_folds, seed):
        held = set(held_out)
        train = [q for q in pools.queries if q not in held]
        plan.append((fit(pools, train, columns=columns, params=params), held_out))
    return plan


@dataclass(frozen=True, slots=True)
class CrossValidation:
    metrics: dict[str, float]
    per_query: dict[str, dict[str, float]]
    ranked: dict[str, list[str]]
    folds: list[list[str]]


def cross_validate(
    searcher: Searcher,
    judgments: Judgments,
    pools: TrainingPools,
    *,
    n_folds: int = 5,
    k: int = 100,
    columns: Sequence[str] = FEATURES,
    params: dict[str, Any] | None = None,
    seed: int = 0,
) -> CrossValidation:
    """Fit on ``n_folds - 1`` folds, search the held-out fold with that model; all folds."""
    plan = fold_models(pools, n_folds, seed, columns=columns, params=params)
    ranked: dict[str, list[str]] = {}
    for model, held_out in plan:
        fold = searcher.with_ranker(model)
        for query in held_out:
            ranked[query] = fold.search(query, k=k, mode=Mode.HYBRID).ids
    scores = score_run(build_qrels(judgments), ranked, METRICS)
    per_query = {q: {m: scores.per_query[m][q] for m in METRICS} for q in pools.queries}
    return CrossValidation(scores.mean, per_query, ranked, [held for _, held in plan])


@dataclass(frozen=True, slots=True)
class AblationRow:
    change: str
    columns: tuple[str, ...]
    result: CrossValidation


def ablation(
    searcher: Searcher,
    judgments: Judgments,
    pools: TrainingPools,
    *,
    n_folds: int = 5,
    seed: int = 0,
    progress: bool = True,
) -> list[AblationRow]:
    """LambdaMART with the feature groups added one at a time, each cross-validated."""
    rows: list[AblationRow] = []
    columns: tuple[str, ...] = ()
    for group, names in tqdm(FEATURE_GROUPS.items(), desc="ablation", unit="step",
                             disable=not progress):
        columns = (*columns, *names)
        result = cross_validate(searcher, judgments, pools, n_folds=n_folds, columns=columns,
                                seed=seed)
        log.info("ablation + %s: %s", group, result.metrics)
        rows.append(AblationRow(f"+ {group}", columns, result))
    return rows
