"""Training pools from generated queries: the learned ranker without judged queries.

Each generated query (``eval.generated_queries``) is searched for its hybrid candidate pool
through the product's own code (``Searcher.pool``) and every candidate gets its rule label, so a
ranker fit on these pools has never seen a judged query: scoring it on the judgment file is an
unseen-query figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from eval.generated_queries import GeneratedQuery, QueryGenerator
from eval.judgments import Judgments, answerable
from eval.metrics import METRICS, build_qrels, score_run
from eval.ranker_cv import TrainingPools, fit, query_folds
from retrieval.ranking import Ranker
from retrieval.searcher import Searcher
from retrieval.types import Mode

DEFAULT_QUERIES = 3000
DEFAULT_SEED = 17


def generator_for(searcher: Searcher) -> QueryGenerator:
    """The query generator for the searcher's catalog (its types, acronyms and classes)."""
    vocabulary = searcher.vocabulary
    return QueryGenerator(vocabulary.products, vocabulary.types, vocabulary.acronyms,
                          vocabulary.query_classes)


def generated_queries(searcher: Searcher, n: int = DEFAULT_QUERIES,
                      seed: int = DEFAULT_SEED) -> tuple[QueryGenerator, list[GeneratedQuery]]:
    generator = generator_for(searcher)
    return generator, generator.generate(n, seed)


def generated_pools(searcher: Searcher, generator: QueryGenerator,
                    queries: Sequence[GeneratedQuery], *, progress: bool = True) -> TrainingPools:
    """Each query's candidate pool with rule labels; queries whose pool holds no item labelled
    above 0 are left out (nothing to learn from them)."""
    texts, features, labels = [], [], []
    for query in tqdm(queries, desc="generated pools", unit="query", disable=not progress):
        pool = searcher.pool(query.text)
        graded = generator.labels(query, pool.rows)
        if not graded.any():
            continue
        texts.append(query.text)
        features.append(pool.features)
        labels.append(graded)
    return TrainingPools(texts, features, labels)


def merged(*pools: TrainingPools) -> TrainingPools:
    """One set of pools from several (judged and generated); query texts stay distinct."""
    queries: list[str] = []
    features: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    for part in pools:
        queries += part.queries
        features += part.features
        labels += part.labels
    return TrainingPools(queries, features, labels)


@dataclass(frozen=True, slots=True)
class UnseenScore:
    """A ranker's scores on a judgment file: every query, and the answerable ones."""

    ndcg_all: float
    ndcg_answerable: float
    recall_all: float
    recall_answerable: float


def score_judged(searcher: Searcher, judgments: Judgments,
                 model_for: Callable[[str], Ranker]) -> UnseenScore:
    """Search every judged query through the product's code with ``model_for(query)``."""
    ranked = {q: searcher.with_ranker(model_for(q)).search(q, k=100, mode=Mode.HYBRID).ids
              for q in judgments.queries}
    scores = score_run(build_qrels(judgments), ranked, METRICS)
    reachable = answerable(judgments.as_dict())

    def mean(metric: str, queries: Sequence[str]) -> float:
        return float(np.mean([scores.per_query[metric][q] for q in queries]))

    hit = [q for q in judgments.queries if q in reachable]
    return UnseenScore(scores.mean["ndcg@10"], mean("ndcg@10", hit),
                       scores.mean["recall@100"], mean("recall@100", hit))


def generated_with_judged_cv(searcher: Searcher, judgments: Judgments,
                             generated: TrainingPools, judged: TrainingPools,
                             n_folds: int = 5, seed: int = 0) -> UnseenScore:
    """Each fold's judged queries searched with a model fit on the generated pools and the
    other folds' judged pools."""
    models: dict[str, Ranker] = {}
    for held_out in query_folds(judged.queries, n_folds, seed):
        held = set(held_out)
        keep = [i for i, q in enumerate(judged.queries) if q not in held]
        train = TrainingPools([judged.queries[i] for i in keep],
                              [judged.features[i] for i in keep],
                              [judged.labels[i] for i in keep])
        model = fit(merged(generated, train))
        models.update(dict.fromkeys(held_out, model))
    return score_judged(searcher, judgments, models.__getitem__)
