"""Metric values: by hand on a small case, and ranx == pytrec_eval on a realistic run."""

from __future__ import annotations

import random
from math import log2
from pathlib import Path

import pytest
import pytrec_eval

from eval.judgments import load_judgments
from eval.metrics import METRICS, build_qrels, ranked_run, score_run

QRELS = {
    "q1": {"a": 3, "b": 2, "c": 0, "d": 1},
    "q2": {"e": 1},
    "q3": {"f": 0},   # labels all 0: scores 0, still counted
    "q4": {"h": 2},   # never searched: scores 0
    "q5": {"r": 1},   # found at rank 11: outside nDCG@10, inside MRR and Recall@100
    "q6": {"s": 1},   # found at rank 101: outside Recall@100
}
RUN = {
    "q1": ["x", "a", "c", "b"],
    "q2": ["e"],
    "q3": ["f", "g"],
    "q5": [f"u{i}" for i in range(10)] + ["r"],
    "q6": [f"v{i}" for i in range(100)] + ["s"],
    "unjudged query": ["a"],  # not in the qrels: ignored
}


def test_hand_computed_values() -> None:
    scores = score_run(build_qrels(QRELS), RUN)
    # q1: gains 3 at rank 2, 2 at rank 4; ideal order 3, 2, 1.
    q1_ndcg = (3 / log2(3) + 2 / log2(5)) / (3 / log2(2) + 2 / log2(3) + 1 / log2(4))
    expected = {
        "ndcg@10": {"q1": q1_ndcg, "q2": 1.0, "q3": 0.0, "q4": 0.0, "q5": 0.0, "q6": 0.0},
        "recall@100": {"q1": 2 / 3, "q2": 1.0, "q3": 0.0, "q4": 0.0, "q5": 1.0, "q6": 0.0},
        "mrr": {"q1": 1 / 2, "q2": 1.0, "q3": 0.0, "q4": 0.0, "q5": 1 / 11, "q6": 1 / 101},
    }
    for metric in METRICS:
        assert scores.per_query[metric] == pytest.approx(expected[metric], abs=1e-12), metric
        mean = sum(expected[metric].values()) / 6
        assert scores.mean[metric] == pytest.approx(mean, abs=1e-12), metric
    assert q1_ndcg == pytest.approx(0.578375, abs=1e-6)  # 2.75414 / 4.76186


def test_run_scores_descend_by_rank_and_keep_first_duplicate() -> None:
    run = ranked_run({"q": ["a", "b", "a", "c"]})
    assert list(run["q"]) == ["a", "b", "c"]
    assert run["q"]["a"] > run["q"]["b"] > run["q"]["c"]


def test_single_metric() -> None:
    scores = score_run(build_qrels(QRELS), RUN, ["mrr"])
    assert set(scores.mean) == {"mrr"}


def _synthetic_run(qrels: dict[str, dict[str, int]], seed: int = 13) -> dict[str, list[str]]:
    """Per query: its judged ids, ids judged for other queries, and never-judged ids, shuffled."""
    rng = random.Random(seed)
    pool = sorted({d for docs in qrels.values() for d in docs})
    run = {}
    for query, docs in sorted(qrels.items()):
        ids = list(docs) + rng.sample(pool, 60) + [f"unjudged-{i}" for i in range(40)]
        ids = list(dict.fromkeys(ids))
        rng.shuffle(ids)
        run[query] = ids[: rng.randint(20, 150)]
    return run


def test_ranx_matches_pytrec_eval_on_real_judgments(data_dir: Path) -> None:
    judged = load_judgments(data_dir / "icecat" / "judgments.csv").as_dict()
    run = _synthetic_run(judged)
    ours = score_run(build_qrels(judged), run)

    trec_names = {"ndcg@10": "ndcg_cut_10", "recall@100": "recall_100", "mrr": "recip_rank"}
    evaluator = pytrec_eval.RelevanceEvaluator(judged, set(trec_names.values()))
    theirs = evaluator.evaluate(ranked_run(run))
    assert set(theirs) == set(judged) and len(judged) == 95

    for metric, trec in trec_names.items():
        for query in judged:
            assert ours.per_query[metric][query] == pytest.approx(
                theirs[query][trec], abs=1e-6), (metric, query)
        mean = sum(theirs[q][trec] for q in judged) / len(judged)
        assert ours.mean[metric] == pytest.approx(mean, abs=1e-6), metric
        assert 0.0 < ours.mean[metric] < 1.0  # a non-degenerate run


def test_a_system_that_returns_nothing_scores_zero() -> None:
    # e.g. BM25 on Chinese queries over an English catalog: ranx cannot build an empty run
    scores = score_run(build_qrels(QRELS), {"q1": [], "q2": []})
    assert scores.mean == {m: 0.0 for m in METRICS}
    assert scores.per_query["ndcg@10"] == {q: 0.0 for q in QRELS}
