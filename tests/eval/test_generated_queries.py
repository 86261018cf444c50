"""Queries generated from a catalog, their rule labels, the per-class table, and the
generated-query ranker command on the real dummyjson index."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from eval.by_class import by_class, class_frame
from eval.generated_queries import GeneratedQuery, QueryGenerator, plural, typo
from eval.judgments import load_judgments
from eval.search_eval import EvalResult, SystemResult
from retrieval.acronyms import Acronyms
from retrieval.query_classes import QueryClass, QueryClassifier
from retrieval.ranking.type_lead import TypeLead
from retrieval.tokenize import tokenize
from shopchat.records import Product


def _items(title: str, brand: str, n: int, model: str = "", **attributes: str) -> list[Product]:
    return [Product(id=f"{brand}-{title}-{i}".replace(" ", "_"), title=title.format(i=i),
                    brand=brand, description="An SSD drive" if "solid" in title else "",
                    attributes={**attributes, **({"model": model.format(i=i)} if model else {})})
            for i in range(n)]


CATALOG = [
    *_items("HP L19{i} 19 inch LCD monitor", "HP", 25, "L19{i}a", display="LCD Wireless"),
    *_items("Dell U2{i} LCD monitor black", "Dell", 25, "U2{i}x"),
    *_items("Logitech M{i} wireless mouse", "Logitech", 25, "M{i}05",
            connectivity="Wireless RF"),
    *_items("Logitech K{i} mouse pad", "Logitech", 25),
    *_items("Lenovo 4XB{i} internal solid state drive 960 GB", "Lenovo", 25, "4XB{i}7"),
    *_items("Samsung 87{i} SSD 500 GB", "Samsung", 5),
]


@pytest.fixture(scope="module")
def generator() -> QueryGenerator:
    types = TypeLead(CATALOG)
    acronyms = Acronyms.learn(CATALOG)
    stems = {w for p in CATALOG for w in tokenize(p.title)}
    classifier = QueryClassifier.build(CATALOG, types, acronyms,
                                       lambda word: bool(stems.intersection(tokenize(word))))
    return QueryGenerator(CATALOG, types, acronyms, classifier)


def test_generation_is_deterministic_per_seed_and_covers_the_classes(
        generator: QueryGenerator) -> None:
    first = generator.generate(120, seed=3)
    assert first == generator.generate(120, seed=3)
    assert first != generator.generate(120, seed=4)
    assert len({q.text for q in first}) == len(first)
    classes = {q.query_class for q in first}
    assert {QueryClass.SINGLE_WORD, QueryClass.ATTRIBUTE_TYPE, QueryClass.MULTI_WORD_TYPE,
            QueryClass.BRAND_ONLY, QueryClass.MODEL_NUMBER, QueryClass.ACRONYM} <= classes
    texts = {q.text for q in first}
    assert {"monitor", "monitors"} & texts and {"hp", "logitech"} & texts


def test_an_item_s_type_is_read_from_its_title(generator: QueryGenerator) -> None:
    rows = {p.title: row for row, p in enumerate(CATALOG)}
    assert generator.item_type(rows["HP L190 19 inch LCD monitor"]) == "monitor"
    assert generator.item_type(rows["Logitech K0 mouse pad"]) == "pad"
    assert generator.item_type(rows["Logitech M0 wireless mouse"]) == "mous"


def test_labels_follow_the_catalog_s_fields(generator: QueryGenerator) -> None:
    row = {p.title: r for r, p in enumerate(CATALOG)}
    hp, dell = row["HP L190 19 inch LCD monitor"], row["Dell U20 LCD monitor black"]
    mouse, pad = row["Logitech M0 wireless mouse"], row["Logitech K0 mouse pad"]
    ssd = row["Lenovo 4XB0 internal solid state drive 960 GB"]
    monitor = GeneratedQuery("monitors", QueryClass.SINGLE_WORD, head="monitor")
    assert [generator.label(monitor, r) for r in (hp, dell, mouse)] == [3, 3, 0]
    hp_monitor = GeneratedQuery("hp monitor", QueryClass.MULTI_WORD_TYPE, head="monitor",
                                brand="hp")
    assert [generator.label(hp_monitor, r) for r in (hp, dell)] == [3, 2]
    sized = GeneratedQuery("19inch monitor", QueryClass.ATTRIBUTE_TYPE, head="monitor",
                           attribute="19inch")
    assert [generator.label(sized, r) for r in (hp, dell)] == [3, 2]
    mice = GeneratedQuery("mouse", QueryClass.SINGLE_WORD, head="mous")
    assert [generator.label(mice, r) for r in (mouse, pad)] == [3, 0]  # a pad is an accessory
    model = GeneratedQuery("l191a", QueryClass.MODEL_NUMBER, brand="hp", code="l191a")
    assert generator.label(model, row["HP L191 19 inch LCD monitor"]) == 3
    assert generator.label(model, dell) == 0 and generator.label(model, hp) == 0
    assert generator.label(model, row["HP L1910 19 inch LCD monitor"]) == 1  # a sibling
    brand = GeneratedQuery("dell", QueryClass.BRAND_ONLY, brand="dell")
    assert generator.label(brand, dell) == 2 and generator.label(brand, hp) == 0
    acronym = GeneratedQuery("ssd", QueryClass.ACRONYM, acronym="ssd")
    assert generator.label(acronym, ssd) == 3 and generator.label(acronym, hp) == 0


def test_plurals_and_typos() -> None:
    assert [plural(w) for w in ("monitor", "battery", "box", "switch", "key")] == [
        "monitors", "batteries", "boxes", "switches", "keys"]
    rng = random.Random(0)
    for _ in range(20):
        wrong = typo("keyboard", rng)
        assert wrong != "keyboard" and len(wrong) in (7, 8) and wrong[0] == "k"


def test_per_class_table_counts_answerable_queries(tmp_path: Path) -> None:
    path = tmp_path / "judgments.csv"
    path.write_text("query,docid,rating\nmonitors,a,3\nmouse,b,2\nhp,c,0\n", encoding="utf-8")
    judgments = load_judgments(path)
    scores = {"bm25": {"monitors": 0.5, "mouse": 1.0, "hp": 0.0},
              "default": {"monitors": 0.9, "mouse": 0.8, "hp": 0.0}}
    systems = {name: SystemResult(name, {}, {q: {"ndcg@10": v} for q, v in per.items()}, {}, {})
               for name, per in scores.items()}
    result = EvalResult(path, ["monitors", "mouse", "hp"], 100, systems)
    classes = {"monitors": "plural/singular", "mouse": "plural/singular", "hp": "brand only"}
    rows = by_class(result, judgments, classes.__getitem__)
    assert [r.query_class for r in rows] == ["plural/singular", "brand only", "all"]
    single, brand, everything = rows
    assert (single.queries, single.answerable, brand.answerable) == (2, 2, 0)
    assert single.answerable_queries["default"] == pytest.approx(0.85)
    assert everything.all_queries["default"] == pytest.approx(1.7 / 3)
    assert everything.answerable_queries["bm25"] == pytest.approx(0.75)
    frame = class_frame(rows)
    assert frame.loc[0, "default - bm25"] == pytest.approx(0.1)


def test_generated_ranker_command(cli_env: Path, tmp_path: Path) -> None:
    """Fits on generated queries only and scores the judged ones, through the product's code."""
    from typer.testing import CliRunner

    from shopchat.cli.main import app

    runner = CliRunner()
    done = runner.invoke(app, ["index", "--catalog", "dummyjson"])
    assert done.exit_code == 0, done.output
    judged = tmp_path / "judgments.csv"
    judged.write_text("query,docid,rating\nlipstick,1,3\nmascara,2,3\nsofa,3,0\nbed,4,2\n"
                      "perfume,5,3\n", encoding="utf-8")
    model = tmp_path / "generated.txt"
    ran = runner.invoke(app, ["eval", "generated-ranker", "--catalog", "dummyjson",
                              "--judgments", str(judged), "--queries", "80", "--cv", "2",
                              "--out", str(model)])
    assert ran.exit_code == 0, ran.output
    assert "generated queries only" in ran.output and "2-fold CV" in ran.output
    assert model.is_file() and model.stat().st_size > 0

    checked = runner.invoke(app, ["eval", "generated-classes", "--catalog", "dummyjson",
                                  "--queries", "40"])
    assert checked.exit_code == 0, checked.output
    assert "default - bm25" in checked.output and "all" in checked.output
