"""Per-class scores on queries generated from the catalog: an unseen-query check by class.

The judged file holds two acronym and two brand-only queries; generated queries (a seed no
model was fit on) hold hundreds of each class. Each is searched by every system through the
product's code, and nDCG@10 is computed against the rule labels of its candidate pool (items
outside the pool count 0), so a system can be compared with BM25 class by class on queries
written from the catalog rather than from a log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import numpy as np
from tqdm import tqdm

from eval.generated_queries import GeneratedQuery, QueryGenerator
from eval.generated_training import generator_for
from retrieval.ranking import FusionRanker
from retrieval.searcher import Searcher
from retrieval.types import Mode

CHECK_SEED = 2026
"""The seed of the checked queries: not the training seed (17)."""
SYSTEMS = ("bm25", "rrf", "default")


def _ndcg10(gains: np.ndarray, ideal: np.ndarray) -> float:
    discount = 1.0 / np.log2(np.arange(2, 12))
    dcg = float(((2.0 ** gains[:10] - 1) * discount[: min(10, len(gains))]).sum())
    best = np.sort(ideal)[::-1][:10]
    idcg = float(((2.0 ** best - 1) * discount[: len(best)]).sum())
    return dcg / idcg


def class_scores(searcher: Searcher, n: int = 700, seed: int = CHECK_SEED, *,
                 progress: bool = True) -> dict[str, dict[str, float | int]]:
    """class -> {"queries": n, system: mean nDCG@10} (and "all"), for generated queries whose
    pool holds a labelled item."""
    generator = generator_for(searcher)
    fused = searcher.with_ranker(FusionRanker())
    search: dict[str, Callable[[str], list[str]]] = {
        "bm25": lambda text: searcher.search(text, k=10, mode=Mode.LEXICAL).ids,
        "rrf": lambda text: fused.search(text, k=10).ids,
        "default": lambda text: searcher.search(text, k=10).ids,
    }
    scores: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for query in tqdm(generator.generate(n, seed), desc="generated queries", unit="query",
                      disable=not progress):
        ideal = generator.labels(query, searcher.pool(query.text).rows)
        if not ideal.any():
            continue
        name = str(searcher.vocabulary.query_classes.classify(query.text))
        for system, run in search.items():
            value = _ndcg10(_gains(searcher, generator, query, run(query.text)), ideal)
            scores[name][system].append(value)
            scores["all"][system].append(value)
    return {name: {"queries": len(per["bm25"]), **{s: float(np.mean(v)) for s, v in per.items()}}
            for name, per in sorted(scores.items(), key=lambda kv: -len(kv[1]["bm25"]))}


def _gains(searcher: Searcher, generator: QueryGenerator, query: GeneratedQuery,
           ids: list[str]) -> np.ndarray:
    rows = np.array([searcher.table.row_of[i] for i in ids], dtype=np.int64)
    return generator.labels(query, rows).astype(np.float64)
