"""Run search systems over a judgment file and score them (quality + latency)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from tqdm import tqdm

from eval.judgments import Judgments, load_judgments
from eval.metrics import METRICS, build_qrels, score_run
from eval.report import write_report
from retrieval.types import Filters, Mode, SearchResult
from shopchat.errors import ConfigError
from shopchat.timing import elapsed_ms

if TYPE_CHECKING:
    from retrieval.ranking import Ranker

logger = logging.getLogger(__name__)

__all__ = [
    "SYSTEMS",
    "EvalResult",
    "Searcher",
    "SystemFn",
    "SystemResult",
    "evaluate_search",
    "register_system",
    "write_report",
]


class CandidatePool(Protocol):
    """The candidates hybrid search ranks for one query, with one feature row each."""

    @property
    def ids(self) -> list[str]: ...

    @property
    def features(self) -> np.ndarray: ...


class Searcher(Protocol):
    """What evaluation needs from the search engine (``retrieval.Searcher`` is one)."""

    @property
    def ranker(self) -> Ranker:
        """How hybrid results are ordered; a learned one is refit per fold under ``cv``."""
        ...

    def search(
        self,
        query: str,
        k: int = 100,
        mode: Mode | str = Mode.HYBRID,
        filters: Filters | None = None,
    ) -> SearchResult: ...

    def with_ranker(self, ranker: Ranker) -> Searcher:
        """The same searcher ordering hybrid results with ``ranker``; this one is unchanged."""
        ...

    def pool(self, query: str) -> CandidatePool:
        """The candidates hybrid search would rank, with their features (to fit a ranker)."""
        ...


SystemFn = Callable[[Searcher, str, int], Sequence[str]]
"""A system: (searcher, query, k) -> ranked product ids, best first."""


def _mode_system(mode: Mode) -> SystemFn:
    def run(searcher: Searcher, query: str, k: int) -> Sequence[str]:
        return searcher.search(query, k=k, mode=mode).ids

    return run


def _rrf_system(searcher: Searcher, query: str, k: int) -> Sequence[str]:
    """Hybrid search ordered by plain reciprocal-rank fusion (the pre-ranker default)."""
    from retrieval.ranking import FusionRanker

    return searcher.with_ranker(FusionRanker()).search(query, k=k, mode=Mode.HYBRID).ids


SYSTEMS: dict[str, SystemFn] = {mode.value: _mode_system(mode) for mode in Mode}
SYSTEMS["rrf"] = _rrf_system
"""Known systems by name; add more (e.g. "hybrid+llm", "default") with ``register_system``."""

LEARNED: set[str] = {Mode.HYBRID.value}
"""Systems that order results with the searcher's ranker: ``--cv`` refits it per fold."""


def register_system(
    name: str, fn: SystemFn, *, replace: bool = False, learned: bool = False
) -> None:
    """Make ``name`` usable in ``evaluate_search(systems=[...])``.

    ``learned``: the system ranks with ``searcher.ranker`` (cross-validation hands it a
    ``searcher.with_ranker(fold_model)`` instead).
    """
    if name in SYSTEMS and not replace:
        raise ConfigError(f"system {name!r} is already registered")
    SYSTEMS[name] = fn
    if learned:
        LEARNED.add(name)
    else:
        LEARNED.discard(name)


@dataclass(frozen=True, slots=True)
class SystemResult:
    name: str
    metrics: dict[str, float]
    """Mean over all judged queries, keyed by ranx metric name."""
    per_query: dict[str, dict[str, float]]
    """query -> metric -> value."""
    latency_ms: dict[str, float]
    """query -> wall time of its search in milliseconds."""
    ranked: dict[str, list[str]]
    """query -> returned ids, best first."""
    cross_validated: int = 0
    """Folds the system's learned ranker was refit over (0: scored as shipped)."""

    @property
    def p50_ms(self) -> float:
        return float(np.percentile(list(self.latency_ms.values()), 50))

    @property
    def p95_ms(self) -> float:
        return float(np.percentile(list(self.latency_ms.values()), 95))

    def summary(self) -> dict[str, float]:
        """The metrics.json row: each metric, p50_ms, p95_ms, and cv_folds (0: not CV)."""
        return {**self.metrics, "p50_ms": self.p50_ms, "p95_ms": self.p95_ms,
                "cv_folds": float(self.cross_validated)}


@dataclass(frozen=True, slots=True)
class EvalResult:
    judgments_path: Path
    queries: list[str]
    k: int
    systems: dict[str, SystemResult]

    def summary(self) -> dict[str, dict[str, float]]:
        return {name: res.summary() for name, res in self.systems.items()}


def _resolve(systems: Sequence[str]) -> dict[str, SystemFn]:
    names = list(dict.fromkeys(s.strip() for s in systems if s.strip()))
    if not names:
        raise ConfigError(f"no systems given; known: {', '.join(sorted(SYSTEMS))}")
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        raise ConfigError(f"unknown system(s) {unknown}; known: {', '.join(sorted(SYSTEMS))}")
    return {n: SYSTEMS[n] for n in names}


def evaluate_search(
    searcher: Searcher,
    judgments_path: str | Path,
    systems: Sequence[str],
    k: int = 100,
    *,
    cv: int = 0,
    cv_seed: int = 0,
    warmup: bool = True,
    progress: bool = True,
) -> EvalResult:
    """Run each system on every distinct judged query; score quality and time each search.

    ``cv`` > 1: systems that rank with a learned model (``LEARNED``, when the searcher's ranker
    is one) are scored by ``cv``-fold cross-validation over queries: the model is refit on the
    other folds' judgments and each held-out query is searched with it. Without ``cv`` such a
    system is scored with the shipped model, which may have seen these very queries.
    ``cv_seed`` shuffles the queries into folds (0 is the reported split).
    ``warmup`` runs one untimed, unscored search per system first, so lazy model loading
    does not land in the latency percentiles.
    """
    if k < 1:
        raise ConfigError(f"k must be >= 1, got {k}")
    if k < 100:
        logger.warning("k=%d < 100: recall@100 only sees the top %d", k, k)
    table = _resolve(systems)
    judgments = load_judgments(judgments_path)
    qrels = build_qrels(judgments)
    queries = judgments.queries
    learned = [name for name in table if name in LEARNED]
    folds = _fold_models(searcher, judgments, cv, cv_seed, progress) if learned else None
    plans = {
        name: folds if folds and name in LEARNED else [(None, list(queries))] for name in table
    }

    results: dict[str, SystemResult] = {}
    with tqdm(total=len(table) * len(queries), desc="eval", unit="query",
              disable=not progress) as bar:
        for name, system in table.items():
            bar.set_postfix_str(name)
            if warmup:
                system(searcher, queries[0], k)
            ranked: dict[str, list[str]] = {}
            latency: dict[str, float] = {}
            for ranker, held_out in plans[name]:
                fold = searcher if ranker is None else searcher.with_ranker(ranker)
                for query in held_out:
                    start = time.perf_counter()
                    ids = system(fold, query, k)
                    latency[query] = elapsed_ms(start)
                    ranked[query] = [str(i) for i in ids][:k]
                    bar.update(1)
            scores = score_run(qrels, ranked, METRICS)
            per_query = {q: {m: scores.per_query[m][q] for m in METRICS} for q in queries}
            n_folds = len(plans[name]) if plans[name][0][0] is not None else 0
            results[name] = SystemResult(name, scores.mean, per_query, latency, ranked, n_folds)
            logger.info("%s: %s", name, results[name].summary())
    return EvalResult(Path(judgments_path), queries, k, results)


def _fold_models(
    searcher: Searcher, judgments: Judgments, cv: int, seed: int, progress: bool
) -> list[tuple[Ranker, list[str]]] | None:
    """(model fit without the fold, the fold's queries) per fold; None when nothing is learned."""
    from retrieval.ranking import LambdaMartRanker  # the retrieval stack: only when learning

    ranker = searcher.ranker
    if not isinstance(ranker, LambdaMartRanker):
        return None
    if cv < 2:
        logger.warning("the searcher's ranker is trained: pass --cv 5 for figures it was not "
                       "fit on")
        return None
    from eval.ranker_cv import collect_pools, fold_models

    pools = collect_pools(searcher, judgments, progress=progress)
    return list(fold_models(pools, cv, seed, columns=ranker.features))
