"""Spec queries and their judging: generation from a catalog, the ground-truth judge, a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.spec_queries import (
    WRITTEN,
    Judge,
    SpecQuery,
    generate,
    load_written,
    with_availability,
)
from eval.specs import score_set, write_report
from retrieval import Searcher
from retrieval.ranking.type_lead import TypeLead
from retrieval.specs import SpecKind, SpecVocabulary
from shopchat.records import Product


def _monitor(i: int) -> Product:
    inch = (22, 24, 27)[i % 3]
    return Product(
        id=f"m{i}", title=f"Acme M{i} computer monitor {inch * 2.54:.1f} cm ({inch}\") Black",
        brand="Acme",
        attributes={"display_diagonal": str(inch), "panel_type": ("IPS", "TN")[i % 2],
                    "hdmi": ("yes", "no")[i % 2], "product_colour": ("Black", "White")[i % 2]})


def _notebook(i: int) -> Product:
    inch, ram = (14, 15.6)[i % 2], (8, 16)[i % 3 == 0]
    return Product(
        id=f"n{i}", title=f"Zeta N{i} Notebook {inch * 2.54:.1f} cm ({inch}\") {ram} GB",
        brand="Zeta",
        attributes={"display_diagonal": str(inch), "internal_memory": str(ram),
                    "bluetooth": ("yes", "no")[i % 4 == 0]})


@pytest.fixture(scope="module")
def small() -> list[Product]:
    return [_monitor(i) for i in range(30)] + [_notebook(i) for i in range(30)]


def test_generation_is_deterministic_per_seed(small: list[Product]) -> None:
    first, again = generate(small, 12, seed=0), generate(small, 12, seed=0)
    assert first == again
    assert [q.query for q in generate(small, 12, seed=1)] != [q.query for q in first]


def test_generation_gives_the_requested_count_with_ground_truth(small: list[Product]) -> None:
    queries = generate(small, 10, seed=0)
    assert len(queries) == 10
    assert len({q.query for q in queries}) == 10
    assert all(q.available >= 1 and q.types and q.attributes for q in queries)
    assert {q.types[0] for q in queries} <= {"monitor", "notebook"}
    kinds = {q.kind for q in generate(small, 200, seed=0)}
    assert kinds == {SpecKind.NUMBER, SpecKind.FLAG, SpecKind.CHOICE}


def _judge(products: list[Product]) -> Judge:
    return Judge(products, TypeLead(products), SpecVocabulary.learn(products))


def test_judge_needs_the_type_and_the_spec(small: list[Product]) -> None:
    judge = _judge(small)
    q = SpecQuery("27 inch monitor", ("monitor",), ("display_diagonal",), SpecKind.NUMBER,
                  low=26.5, high=27.99)
    rows = {p.id: r for r, p in enumerate(small)}
    assert judge.right(rows["m2"], q)  # a 27" monitor
    assert not judge.right(rows["m0"], q)  # a 22" monitor
    assert not judge.right(rows["n1"], q)  # a notebook is no monitor
    assert judge.available(q) == 10


def test_judge_flags_choices_and_families(small: list[Product]) -> None:
    judge = _judge(small)
    rows = {p.id: r for r, p in enumerate(small)}
    without = SpecQuery("notebook without bluetooth", ("notebook", "laptop"), ("bluetooth",),
                        SpecKind.FLAG, wanted=False)
    assert judge.right(rows["n0"], without) and not judge.right(rows["n1"], without)
    ips = SpecQuery("ips monitor", ("monitor",), ("panel_type",), SpecKind.CHOICE,
                    values=("ips",))
    assert judge.right(rows["m0"], ips) and not judge.right(rows["m1"], ips)
    ram = SpecQuery("laptop with 16gb ram", ("laptop", "notebook"),
                    ("ram_capacity", "internal_memory"), SpecKind.NUMBER, low=15.9, high=16.1)
    assert judge.right(rows["n0"], ram) and not judge.right(rows["n1"], ram)


def test_the_written_set_loads_held_out_and_answerable() -> None:
    assert WRITTEN.read_text(encoding="utf-8").startswith("# Held out from tuning")
    written = load_written()
    assert len(written) >= 30
    assert all(q.source == "written" and q.types and q.attributes for q in written)
    assert {q.kind for q in written} == {SpecKind.NUMBER, SpecKind.FLAG, SpecKind.CHOICE}


@pytest.mark.slow
def test_icecat_gives_300_queries(data_dir: Path) -> None:
    from catalog import load_catalog

    products = load_catalog("icecat", data_dir).products
    queries = generate(products, 300, seed=0)
    assert len(queries) == 300
    assert len({q.types[0] for q in queries}) >= 10
    judged = with_availability(load_written(), _judge(products))
    assert sum(q.available >= 1 for q in judged) >= 30


@pytest.mark.slow
def test_a_run_on_dummyjson_scores_and_reports(dummy_searcher: Searcher, tmp_path: Path) -> None:
    products = dummy_searcher.table.products
    judge = Judge(products, dummy_searcher._types, dummy_searcher.spec_vocabulary)
    asked = [SpecQuery("phone", ("smartphone", "phone", "iphone"), ("colour",), SpecKind.FLAG,
                       wanted=False),
             SpecQuery("lipstick", ("lipstick",), ("colour",), SpecKind.FLAG, wanted=False)]
    scored = score_set(dummy_searcher, "tiny", with_availability(asked, judge), judge,
                       progress=False)
    metrics = scored.metrics()
    assert metrics["queries"] == sum(q.available >= 1 for q in scored.queries)
    for q in scored.queries:
        assert 0 <= q.hits <= min(10, q.available) and 0 <= q.hits_base <= 10
    paths = write_report([scored], tmp_path)
    assert [p.name for p in paths] == ["metrics.json", "per_query.csv"]
