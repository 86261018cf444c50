"""evaluate_search + write_report with a scripted searcher."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from eval.search_eval import SYSTEMS, Searcher, evaluate_search, register_system, write_report
from shopchat.errors import ConfigError, DataError

if TYPE_CHECKING:
    from tests.eval.conftest import FakeSearcher

SUMMARY_KEYS = {"ndcg@10", "recall@100", "mrr", "p50_ms", "p95_ms", "cv_folds"}


def test_evaluate_search_scores_each_system(fake_searcher: FakeSearcher,
                                            judgments_file: Path) -> None:
    result = evaluate_search(fake_searcher, judgments_file, ["bm25", "hybrid"], k=10,
                             progress=False)
    assert result.queries == ["q1", "q2", "q3"]
    assert list(result.systems) == ["bm25", "hybrid"]
    # every query once per system, plus one warm-up search per system
    assert len(fake_searcher.calls) == 2 * 3 + 2
    assert {(q, k, m) for q, k, m in fake_searcher.calls} >= {("q1", 10, "bm25"),
                                                              ("q3", 10, "hybrid")}

    hybrid = result.systems["hybrid"]
    assert hybrid.per_query["q1"]["ndcg@10"] == pytest.approx(1.0)  # perfect order
    assert hybrid.per_query["q2"]["mrr"] == pytest.approx(0.5)
    assert hybrid.per_query["q3"] == {"ndcg@10": 0.0, "recall@100": 0.0, "mrr": 0.0}
    assert hybrid.metrics["recall@100"] == pytest.approx(2 / 3)
    bm25 = result.systems["bm25"]
    assert bm25.per_query["q1"]["mrr"] == pytest.approx(0.5)
    assert bm25.metrics["mrr"] == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    for res in result.systems.values():
        assert set(res.latency_ms) == set(result.queries)
        assert 0.0 <= res.p50_ms <= res.p95_ms
    assert set(result.summary()["bm25"]) == SUMMARY_KEYS


def test_write_report_files(fake_searcher: FakeSearcher, judgments_file: Path,
                            tmp_path: Path) -> None:
    result = evaluate_search(fake_searcher, judgments_file, ["bm25", "dense", "hybrid"],
                             progress=False)
    out = tmp_path / "report"
    paths = write_report(result, out)
    assert {p.name for p in paths} == {"metrics.json", "per_query.csv", "metrics.png",
                                       "report.md"}

    metrics = json.loads((out / "metrics.json").read_text())
    assert list(metrics) == ["bm25", "dense", "hybrid"]
    for row in metrics.values():
        assert set(row) == SUMMARY_KEYS
        assert all(isinstance(v, float) for v in row.values())
    hybrid_ndcg = result.systems["hybrid"].metrics["ndcg@10"]
    assert metrics["hybrid"]["ndcg@10"] == pytest.approx(hybrid_ndcg)

    per_query = pd.read_csv(out / "per_query.csv", keep_default_na=False)
    assert list(per_query.columns) == ["query", "system", "ndcg@10", "recall@100", "mrr",
                                       "latency_ms"]
    assert len(per_query) == 3 * 3
    assert set(per_query["system"]) == {"bm25", "dense", "hybrid"}

    assert (out / "metrics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (out / "report.md").read_text()
    assert "| system | ndcg@10 | recall@100 | mrr | p50 ms | p95 ms |" in report
    assert "![metrics and latency](metrics.png)" in report
    assert "hybrid vs bm25" in report
    # q1: hybrid 1.0 vs bm25 lower -> a gain; q2: hybrid 0.63 vs bm25 1.0 -> a loss
    assert "better on 1 queries, worse on 1, equal on 1" in report


def test_report_without_bm25_has_no_wins_losses(fake_searcher: FakeSearcher,
                                                judgments_file: Path, tmp_path: Path) -> None:
    result = evaluate_search(fake_searcher, judgments_file, ["hybrid"], progress=False)
    write_report(result, tmp_path)
    assert "wins and losses" not in (tmp_path / "report.md").read_text()


def test_unknown_system_lists_known(fake_searcher: FakeSearcher, judgments_file: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown system\(s\) \['bm42'\]; known: .*bm25"):
        evaluate_search(fake_searcher, judgments_file, ["bm25", "bm42"], progress=False)
    assert fake_searcher.calls == []  # fails before searching


def test_missing_judgments(fake_searcher: FakeSearcher, tmp_path: Path) -> None:
    with pytest.raises(DataError):
        evaluate_search(fake_searcher, tmp_path / "none.csv", ["bm25"], progress=False)


def test_registered_system(fake_searcher: FakeSearcher, judgments_file: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("eval.search_eval.SYSTEMS", dict(SYSTEMS))

    def reversed_bm25(searcher: Searcher, query: str, k: int) -> Sequence[str]:
        return list(reversed(searcher.search(query, k=k, mode="bm25").ids))

    register_system("bm25-reversed", reversed_bm25)
    with pytest.raises(ConfigError, match="already registered"):
        register_system("bm25-reversed", reversed_bm25)
    result = evaluate_search(fake_searcher, judgments_file, ["bm25-reversed"], progress=False)
    assert result.systems["bm25-reversed"].ranked["q1"] == ["a", "b", "c"]
    assert result.systems["bm25-reversed"].per_query["q1"]["ndcg@10"] == pytest.approx(1.0)
