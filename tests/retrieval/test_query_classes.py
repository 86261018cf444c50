"""Query classes, acronyms learned from a catalog, and the ranker's guard rail."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.acronyms import Acronyms
from retrieval.query_classes import QueryClass, QueryClassifier
from retrieval.ranking import FusionRanker
from retrieval.ranking.features import FEATURES
from retrieval.ranking.guard import PAGE, disagrees, exact_models_first, guarded
from retrieval.ranking.type_lead import TypeLead
from retrieval.searcher import Pool, Searcher
from retrieval.tokenize import tokenize
from retrieval.types import Mode
from shopchat.records import Product


def _items(title: str, brand: str, n: int, description: str = "",
           **attributes: str) -> list[Product]:
    return [Product(id=f"{title}-{i}", title=title.format(i=i), brand=brand,
                    description=description, attributes=dict(attributes)) for i in range(n)]


CATALOG = [
    *_items("Lenovo 4XB{i} internal solid state drive 2.5\" 960 GB", "Lenovo", 4,
            "An SSD for ThinkSystem servers"),
    *_items("Samsung 87{i} SSD 500 GB", "Samsung", 3),
    *_items("StarTech.com SSD enclosure {i}", "StarTech.com", 3),
    *_items("APC Smart-UPS {i}00VA uninterruptible power supply (UPS)", "APC", 4),
    *_items("HP L19{i} 19-inch LCD monitor", "HP", 5, display="LCD"),
    *_items("Logitech M{i} mouse", "Logitech", 25, connectivity="Wireless RF"),
    *_items("Logitech K{i} wireless mouse", "Logitech", 5, connectivity="Wireless RF"),
    *_items("CHERRY WetEx keyboard cover {i}", "CHERRY", 3),
    *_items("Tripp Lite power bank {i}", "Tripp Lite", 3),
    *_items("Kingston memory card {i} GB", "Kingston", 4),
]


@pytest.fixture(scope="module")
def acronyms() -> Acronyms:
    return Acronyms.learn(CATALOG)


@pytest.fixture(scope="module")
def classifier(acronyms: Acronyms) -> QueryClassifier:
    stems = {w for p in CATALOG for w in tokenize(p.title)}
    return QueryClassifier.build(CATALOG, TypeLead(CATALOG), acronyms,
                                 lambda word: bool(stems.intersection(tokenize(word))))


def test_acronyms_are_learned_with_what_they_stand_for(acronyms: Acronyms) -> None:
    assert {"ssd", "ups", "lcd"} <= acronyms.known
    assert acronyms.expansions["ssd"] == ("solid", "state", "drive")
    assert acronyms.expansions["ups"] == ("uninterruptible", "power", "supply")
    assert "lcd" not in acronyms.expansions  # never spelled out: nothing to expand to
    assert "hp" not in acronyms.expansions  # two letters mean too many things


def test_a_query_searches_both_forms(acronyms: Acronyms) -> None:
    assert acronyms.expand(["ssd"]) == ["solid", "state", "drive"]
    assert acronyms.expand(["solid", "state", "drive"]) == ["ssd"]
    assert acronyms.expand(["ssd", "solid", "state", "drive"]) == []
    assert acronyms.expand(["monitor"]) == []


def test_a_spelled_out_run_needs_several_items_and_a_noun_at_its_end() -> None:
    few = [Product(id="1", title="XYZ solid state drive"), Product(id="2", title="XYZ thing"),
           Product(id="3", title="XYZ other")]
    assert "xyz" in Acronyms.learn(few).known and Acronyms.learn(few).expansions == {}
    docking = [Product(id=str(i), title=f"HDD {i} hard drive docking") for i in range(5)]
    assert "hdd" not in Acronyms.learn(docking).expansions


@pytest.mark.parametrize(("query", "expected"), [
    ("tn-2110", QueryClass.MODEL_NUMBER),
    ("ps4", QueryClass.MODEL_NUMBER),
    ("iphone 7", QueryClass.MODEL_NUMBER),
    ("tripp lite", QueryClass.BRAND_ONLY),
    ("Logitech", QueryClass.BRAND_ONLY),
    ("ssd", QueryClass.ACRONYM),
    ("UPS", QueryClass.ACRONYM),
    ("monitors", QueryClass.SINGLE_WORD),
    ("mouse", QueryClass.SINGLE_WORD),
    ("19 inch monitor", QueryClass.ATTRIBUTE_TYPE),
    ("16gb memory card", QueryClass.ATTRIBUTE_TYPE),
    ("wireless mouse", QueryClass.ATTRIBUTE_TYPE),
    ("memory card", QueryClass.MULTI_WORD_TYPE),
    ("youtube", QueryClass.OTHER),
    ("the boys", QueryClass.OTHER),
    ("", QueryClass.OTHER),
])
def test_queries_are_classed_by_rule(classifier: QueryClassifier, query: str,
                                     expected: QueryClass) -> None:
    assert classifier.classify(query) is expected


def _pool(n: int, lexical: list[int], dense: list[int]) -> Pool:
    rows = np.arange(n, dtype=np.int64)
    features = np.zeros((n, len(FEATURES)), dtype=np.float32)
    fused = {row: r for r, row in enumerate(lexical, start=1)}
    features[:, FEATURES.index("rrf")] = [1.0 / (60 + fused.get(r, 1000)) for r in range(n)]
    return Pool(rows, [str(r) for r in rows], features, None,  # type: ignore[arg-type]
                {row: r for r, row in enumerate(lexical, start=1)}, {},
                {row: r for r, row in enumerate(dense, start=1)})


def test_guard_hands_the_first_page_to_fusion_only_where_the_model_strays() -> None:
    retrievers = list(range(PAGE))
    pool = _pool(40, lexical=retrievers, dense=retrievers)
    strays = np.arange(39, -1, -1)  # the model puts rows 39..30 first: neither retriever's
    assert disagrees(strays, pool.rows, pool.lexical_rank, pool.dense_rank)
    order = guarded(strays, pool, lambda: QueryClass.SINGLE_WORD)
    assert order[:PAGE].tolist() == retrievers  # fusion's page
    assert sorted(order.tolist()) == list(range(40))  # nothing lost
    assert order[PAGE:].tolist() == [r for r in strays.tolist() if r >= PAGE]  # model's order
    assert guarded(strays, pool, lambda: QueryClass.BRAND_ONLY) is strays  # brand queries exempt
    agrees = np.concatenate([[0, 1], strays[:-2]])  # two of BM25's first page: model kept
    assert guarded(agrees, pool, lambda: QueryClass.SINGLE_WORD) is agrees


def test_search_finds_what_an_acronym_stands_for(dummy_searcher: Searcher) -> None:
    """On the real index: an acronym with an expansion searches both forms (the dummyjson
    catalog teaches none, so its search text is unchanged)."""
    assert dummy_searcher.vocabulary.acronyms.expand(["lipstick"]) == []
    result = dummy_searcher.search("lipstick", k=5, mode=Mode.HYBRID)
    assert result.candidates and result.query.search_text == "lipstick"
    assert dummy_searcher.with_ranker(dummy_searcher.ranker).vocabulary is \
        dummy_searcher.vocabulary  # twins share what was learned


class _Contrary:
    """A model that ranks the pool upside down (what rank fusion likes least first)."""

    name = "contrary"

    def score(self, features: np.ndarray) -> np.ndarray:
        return -features[:, FEATURES.index("rrf")].astype(np.float64)


def test_search_hands_a_straying_model_s_first_page_to_fusion(dummy_searcher: Searcher) -> None:
    plain = dummy_searcher.without_type_lead()
    fused = plain.with_ranker(FusionRanker()).search("red lipstick", k=30)
    strays = plain.with_ranker(_Contrary())  # type: ignore[arg-type]
    guarded_ids = strays.search("red lipstick", k=30)
    assert guarded_ids.ids[:PAGE] == fused.ids[:PAGE]
    scores = [c.score for c in guarded_ids.candidates]
    assert scores == sorted(scores, reverse=True)  # places keep their order on re-sorting
    strays.guard = False
    assert strays.search("red lipstick", k=30).ids[:PAGE] != fused.ids[:PAGE]


def test_the_exact_model_asked_for_leads() -> None:
    rows = np.array([10, 11, 12, 13], dtype=np.int64)
    codes = {10: "tk715", 11: "tk875y", 12: "stand", 13: "tk875y"}
    item_codes = [codes.get(r, "") for r in range(14)]
    order = np.array([0, 1, 2, 3])
    assert exact_models_first(order, rows, item_codes, {"kyocera", "tk875y"}).tolist() == [
        1, 3, 0, 2]
    # a code without a digit is a word ("stand"), not a model number
    assert exact_models_first(order, rows, item_codes, {"ipad", "stand"}) is order
    assert exact_models_first(order, rows, item_codes, {"tk999"}) is order
