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

from eval.generated_training import generator_for
from eval.metrics import build_qrels, score_run
from retrieval.ranking import FusionRanker
from retrieval.searcher import Searcher
from retrieval.types import Mode

CHECK_SEED = 2026
"""The seed of the checked queries: not the training seed (17)."""
SYSTEMS = ("bm25", "rrf", "default")


def class_scores(searcher: Searcher, n: int = 700, seed: int = CHECK_SEED, *,
                 progress: bool = True) -> dict[str, dict[str, float | int]]:
    """class -> {"queries": n, system: mean nDCG@10} (and "all"), for generated queries whose
    pool holds a labelled item; nDCG@10 as every other figure (``eval.metrics``), the rule
    labels of each query's pool as its judgments."""
    generator = generator_for(searcher)
    fused = searcher.with_ranker(FusionRanker())
    search: dict[str, Callable[[str], list[str]]] = {
        "bm25": lambda text: searcher.search(text, k=10, mode=Mode.LEXICAL).ids,
        "rrf": lambda text: fused.search(text, k=10).ids,
        "default": lambda text: searcher.search(text, k=10).ids,
    }
    labels: dict[str, dict[str, int]] = {}
    classes: dict[str, str] = {}
    for query in tqdm(generator.generate(n, seed), desc="generated pools", unit="query",
                      disable=not progress):
        pool = searcher.pool(query.text)
        graded = generator.labels(query, pool.rows)
        if graded.any():
            labels[query.text] = {pid: int(g) for pid, g in zip(pool.ids, graded, strict=True)}
            classes[query.text] = str(searcher.vocabulary.query_classes.classify(query.text))
    qrels = build_qrels(labels)
    per_system = {system: score_run(qrels, {q: run(q) for q in labels}, ("ndcg@10",))
                  .per_query["ndcg@10"] for system, run in search.items()}
    groups: dict[str, list[str]] = defaultdict(list)
    for text, name in classes.items():
        groups[name].append(text)
        groups["all"].append(text)
    return {name: {"queries": len(texts),
                   **{s: float(np.mean([per_system[s][q] for q in texts])) for s in SYSTEMS}}
            for name, texts in sorted(groups.items(), key=lambda kv: -len(kv[1]))}
