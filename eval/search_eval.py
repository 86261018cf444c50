"""Run search systems over a judgment file and score them (quality + latency)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from tqdm import tqdm

from eval.judgments import load_judgments
from eval.metrics import METRICS, build_qrels, score_run
from eval.report import write_report
from retrieval.types import Filters, Mode, SearchResult
from shopchat.errors import ConfigError

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


class Searcher(Protocol):
    """What evaluation needs from the search engine."""

    def search(
        self,
        query: str,
        k: int = 100,
        mode: Mode | str = Mode.HYBRID,
        filters: Filters | None = None,
    ) -> SearchResult: ...


SystemFn = Callable[[Searcher, str, int], Sequence[str]]
"""A system: (searcher, query, k) -> ranked product ids, best first."""


def _mode_system(mode: Mode) -> SystemFn:
    def run(searcher: Searcher, query: str, k: int) -> Sequence[str]:
        return searcher.search(query, k=k, mode=mode).ids

    return run


SYSTEMS: dict[str, SystemFn] = {mode.value: _mode_system(mode) for mode in Mode}
"""Known systems by name; add more (e.g. "hybrid+llm") with ``register_system``."""


def register_system(name: str, fn: SystemFn, *, replace: bool = False) -> None:
    """Make ``name`` usable in ``evaluate_search(systems=[...])``."""
    if name in SYSTEMS and not replace:
        raise ConfigError(f"system {name!r} is already registered")
    SYSTEMS[name] = fn


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

    @property
    def p50_ms(self) -> float:
        return float(np.percentile(list(self.latency_ms.values()), 50))

    @property
    def p95_ms(self) -> float:
        return float(np.percentile(list(self.latency_ms.values()), 95))

    def summary(self) -> dict[str, float]:
        """The metrics.json row: each metric, then p50_ms and p95_ms."""
        return {**self.metrics, "p50_ms": self.p50_ms, "p95_ms": self.p95_ms}


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
    warmup: bool = True,
    progress: bool = True,
) -> EvalResult:
    """Run each system on every distinct judged query; score quality and time each search.

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

    results: dict[str, SystemResult] = {}
    with tqdm(total=len(table) * len(queries), desc="eval", unit="query",
              disable=not progress) as bar:
        for name, system in table.items():
            bar.set_postfix_str(name)
            if warmup:
                system(searcher, queries[0], k)
            ranked: dict[str, list[str]] = {}
            latency: dict[str, float] = {}
            for query in queries:
                start = time.perf_counter()
                ids = system(searcher, query, k)
                latency[query] = (time.perf_counter() - start) * 1000.0
                ranked[query] = [str(i) for i in ids][:k]
                bar.update(1)
            scores = score_run(qrels, ranked, METRICS)
            per_query = {q: {m: scores.per_query[m][q] for m in METRICS} for q in queries}
            results[name] = SystemResult(name, scores.mean, per_query, latency, ranked)
            logger.info("%s: %s", name, results[name].summary())
    return EvalResult(Path(judgments_path), queries, k, results)
