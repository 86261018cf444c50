"""Type precision@5 and the type-lead stage applied to a run's own rankings (eval search)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eval.search_eval import evaluate_search
from eval.type_precision import stage_effect, type_precision, type_queries
from retrieval.product_table import ProductTable
from retrieval.ranking.type_lead import TypeLead
from retrieval.types import Filters, ParsedQuery
from shopchat.cli.evaluate import app
from shopchat.records import Product
from tests.eval.conftest import FakeSearcher

PRODUCTS = [
    Product("m1", "Logitech G305 gaming mouse", brand="Logitech"),
    Product("m2", "Razer Viper gaming mouse", brand="Razer"),
    Product("m3", "HP X500 wired mouse", brand="HP"),
    Product("p1", "HyperX FURY gaming mouse pad", brand="HyperX"),
    Product("p2", "3M mouse pad Gray", brand="3M"),
    Product("p3", "SteelSeries QcK mouse pad", brand="SteelSeries"),
]
JUDGMENTS = ("query,docid,rating\ngaming mouse,m1,3\ngaming mouse,m2,3\ngaming mouse,p1,0\n"
             "netflix,m3,0\n")
RANKED = {"gaming mouse": ["p1", "m1", "p2", "m2", "p3", "m3"], "netflix": ["m3"]}


class TypedFakeSearcher(FakeSearcher):
    """Replays RANKED as hybrid results, over a real product table and type-lead stage."""

    def __init__(self) -> None:
        super().__init__({"hybrid": RANKED})
        self.table = ProductTable(PRODUCTS)
        self.type_lead: TypeLead | None = TypeLead(PRODUCTS)

    def parse(self, query: str) -> ParsedQuery:
        return ParsedQuery(query, Filters(), query)

    def without_type_lead(self) -> TypedFakeSearcher:
        return self  # the replayed rankings have no stage in them


@pytest.fixture
def judgments(tmp_path: Path) -> Path:
    path = tmp_path / "judgments.csv"
    path.write_text(JUDGMENTS, encoding="utf-8")
    return path


def test_type_precision_counts_the_asked_type_in_the_top_5() -> None:
    lead = TypeLead(PRODUCTS)
    heads = type_queries(lead, list(RANKED))
    assert {q: h.noun for q, h in heads.items()} == {"gaming mouse": "mous"}  # netflix: none
    tp = type_precision(lead, heads, RANKED)
    assert tp.per_query == {"gaming mouse": 2 / 5}
    assert tp.summary() == {"type_precision@5": 0.4, "type_queries": 1.0}


def test_the_stage_applied_to_a_run_is_paired(judgments: Path) -> None:
    searcher = TypedFakeSearcher()
    result = evaluate_search(searcher, judgments, ["hybrid"], progress=False)
    effect = stage_effect(searcher, result)["hybrid"]  # type: ignore[arg-type]
    assert effect.changed == ["gaming mouse"]
    assert effect.types.per_query == {"gaming mouse": 3 / 5}  # m1, m2, m3 lead
    assert effect.types.shown["gaming mouse"][:4] == ["m1", "m2", "m3", "p1"]
    assert effect.metrics["ndcg@10"] > result.systems["hybrid"].metrics["ndcg@10"]
    assert effect.metrics["recall@100"] == result.systems["hybrid"].metrics["recall@100"]


def test_eval_search_reports_type_precision(judgments: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    fake_retrieval = types.ModuleType("retrieval")
    fake_retrieval.open_searcher = lambda c, s: TypedFakeSearcher()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "retrieval", fake_retrieval)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "search", "--judgments", str(judgments), "--systems", "hybrid", "--out", str(out),
        "--type-precision", "--no-type-lead",
    ])
    assert result.exit_code == 0, result.output
    assert "type precision@5 0.4000 over 1 queries" in result.output
    assert "top 10 reordered on 1 queries: gaming mouse" in " ".join(result.output.split())
    doc = json.loads((out / "type_precision.json").read_text())
    assert doc["hybrid"]["type_precision@5"] == 0.4
    assert doc["hybrid"]["with_stage"]["changed"] == ["gaming mouse"]
    assert doc["hybrid"]["with_stage"]["top"]["gaming mouse"][:3] == ["m1", "m2", "m3"]
    assert doc["hybrid"]["queries"]["gaming mouse"]["head"] == "mous"
