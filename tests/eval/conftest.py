"""Shared fixtures for evaluation tests: a scripted fake searcher and a tiny judgments file."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from retrieval.ranking import FusionRanker, Ranker
from retrieval.searcher import Pool
from retrieval.types import Candidate, Filters, Mode, ParsedQuery, SearchResult
from shopchat.records import Product


class FakeSearcher:
    """Replays fixed rankings: ``rankings[mode][query]`` -> ids, best first, whatever the
    ranker (an unlearned one, so evaluation never cross-validates it)."""

    def __init__(self, rankings: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
        self.rankings = rankings
        self.calls: list[tuple[str, int, str]] = []
        self.ranker: Ranker = FusionRanker()

    def with_ranker(self, ranker: Ranker) -> FakeSearcher:
        twin = copy.copy(self)  # shares ``calls``
        twin.ranker = ranker
        return twin

    def pool(self, query: str) -> Pool:
        raise NotImplementedError("scripted rankings have no candidate pools")

    def search(self, query: str, k: int = 100, mode: Mode | str = Mode.HYBRID,
               filters: Filters | None = None) -> SearchResult:
        mode = Mode(mode)
        self.calls.append((query, k, mode.value))
        ids = list(self.rankings.get(mode.value, {}).get(query, []))[:k]
        candidates = [Candidate(product=Product(id=i, title=f"item {i}"), score=1.0 / r, rank=r)
                      for r, i in enumerate(ids, start=1)]
        return SearchResult(ParsedQuery(query, Filters(), query), mode, candidates)


# q1: a=3, b=2, c=0 | q2: d=1 | q3: only a rating-0 label
JUDGMENTS_CSV = "query,docid,rating\nq1,a,3\nq1,b,2\nq1,c,0\nq2,d,1\nq3,e,0\n"

RANKINGS = {
    "bm25": {"q1": ["c", "b", "a"], "q2": ["d"], "q3": ["e"]},
    "hybrid": {"q1": ["a", "b", "c"], "q2": ["x", "d"], "q3": []},
    "dense": {"q1": ["z"], "q2": ["d"], "q3": ["e"]},
}


@pytest.fixture
def judgments_file(tmp_path: Path) -> Path:
    path = tmp_path / "judgments.csv"
    path.write_text(JUDGMENTS_CSV, encoding="utf-8")
    return path


@pytest.fixture
def fake_searcher() -> FakeSearcher:
    return FakeSearcher(RANKINGS)
