"""Ranking metrics over judgments, computed with ``ranx``.

Conventions (the same as trec_eval / pytrec_eval):

* gains are the graded ratings (linear gains, Jarvelin & Kekalainen nDCG);
  a document is relevant when its rating is > 0;
* unjudged documents count as not relevant;
* every judged query is scored, including queries whose labels are all 0: they score 0.
  ranx accepts rating-0 entries, so they stay in the qrels; dropping them would silently
  drop those queries from the mean. The DESIGN.md baselines use this convention.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ranx import Qrels, Run, evaluate

from eval.judgments import Judgments

logger = logging.getLogger(__name__)

METRICS: tuple[str, ...] = ("ndcg@10", "recall@100", "mrr")
"""The reported metrics, by their ranx names."""


@dataclass(frozen=True, slots=True)
class Scores:
    """Mean value per metric, and value per metric per query."""

    mean: dict[str, float]
    per_query: dict[str, dict[str, float]]  # metric -> query -> value


def build_qrels(judgments: Judgments | Mapping[str, Mapping[str, int]]) -> Qrels:
    """ranx Qrels with the ratings as gains (rating-0 rows kept: see module docstring)."""
    data = judgments.as_dict() if isinstance(judgments, Judgments) else judgments
    return Qrels({q: {d: int(r) for d, r in docs.items()} for q, docs in data.items()})


def ranked_run(ranked: Mapping[str, Sequence[str]]) -> dict[str, dict[str, float]]:
    """``{query: [id, ...]}`` -> ``{query: {id: score}}``, scores descending by rank.

    A repeated id keeps its first (best) rank.
    """
    out: dict[str, dict[str, float]] = {}
    for query, ids in ranked.items():
        docs: dict[str, float] = {}
        for doc_id in ids:
            if doc_id in docs:
                logger.warning("query %r: id %r returned twice; keeping the first rank",
                               query, doc_id)
                continue
            docs[doc_id] = float(len(ids) - len(docs))
        out[query] = docs
    return out


def build_run(ranked: Mapping[str, Sequence[str]], name: str | None = None) -> Run:
    """ranx Run from per-query ranked ids (best first)."""
    return Run(ranked_run(ranked), name=name)


def score_run(
    qrels: Qrels,
    ranked: Mapping[str, Sequence[str]],
    metrics: Sequence[str] = METRICS,
) -> Scores:
    """Evaluate ranked ids against ``qrels`` over exactly the qrels' queries.

    Queries missing from ``ranked`` score 0; queries not in the qrels are ignored (logged).
    """
    judged = list(qrels.keys())
    judged_set = set(judged)
    extra = [q for q in ranked if q not in judged_set]
    if extra:
        logger.warning("ignoring %d run queries without judgments, e.g. %r", len(extra), extra[0])
    if not any(ranked.get(q) for q in judged):  # nothing returned at all: ranx cannot build a run
        return Scores(mean={m: 0.0 for m in metrics},
                      per_query={m: {q: 0.0 for q in judged} for m in metrics})
    run = build_run({q: ranked.get(q, ()) for q in judged})
    with warnings.catch_warnings():  # numba's compile-time cast warning inside ranx
        warnings.filterwarnings("ignore", message=".*unsafe cast.*")
        means = evaluate(qrels, run, list(metrics))
    if len(metrics) == 1:  # ranx returns a bare float for a single metric
        means = {metrics[0]: means}
    per_query = {
        m: {q: float(v) for q, v in run.scores[m].items()} for m in metrics
    }
    return Scores(mean={m: float(means[m]) for m in metrics}, per_query=per_query)
