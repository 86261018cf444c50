"""Per-field BM25, ranking features, the rankers, and the ranked hybrid search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.fields import FIELDS, FieldIndex, attribute_text, code_text
from retrieval.lexical import LexicalIndex
from retrieval.ranking import (
    FEATURES,
    FusionRanker,
    LambdaMartRanker,
    ProductTerms,
    QueryTerms,
    candidate_features,
    load_ranker,
)
from retrieval.ranking.rankers import SEARCH_RANKERS, own_model_path, shipped_model_path
from retrieval.searcher import Searcher
from retrieval.types import Filters, Mode
from shopchat.errors import ConfigError
from shopchat.records import Product

PRODUCTS = [
    Product("k1", "Logitech K120 keyboard USB Black", brand="Logitech",
            attributes={"model": "K120", "ean": "5099206020672", "colour": "Black"}),
    Product("c1", "CHERRY WetEx Keyboard cover", brand="CHERRY", category="Keyboard cover",
            attributes={"model": "WetEx"}),
    Product("t1", "Brother TN-2110 toner cartridge Original Black", brand="Brother",
            attributes={"model": "TN-2110", "print_technology": "Laser printing"}),
    Product("m1", "HP X500 wired mouse", brand="HP", category="Mouse", price=None,
            attributes={"model": "X500", "wired": "yes", "dpi": "1000"}),
]


def col(features: np.ndarray, name: str) -> np.ndarray:
    return features[:, FEATURES.index(name)]


def features_for(query: str) -> np.ndarray:
    fields = FieldIndex.build(PRODUCTS)
    lexical = LexicalIndex.build(PRODUCTS)
    terms = ProductTerms.build(PRODUCTS)
    q = QueryTerms.of(query)
    rows = np.arange(len(PRODUCTS))
    scores = lexical.scores(query)
    ranked = np.argsort(-scores, kind="stable")
    lex_rank = {int(r): i + 1 for i, r in enumerate(ranked) if scores[r] > 0}
    return candidate_features(terms, q, rows, scores, fields.scores(q.tokens), lex_rank,
                              {0: 0.9, 1: 0.8}, {0: 1, 1: 2})


def test_field_texts_keep_descriptive_attributes_and_codes_apart() -> None:
    assert attribute_text(PRODUCTS[0]) == "Black"
    assert "5099206020672" in code_text(PRODUCTS[0]) and "K120" in code_text(PRODUCTS[0])
    assert attribute_text(PRODUCTS[3]) == ""  # "yes" flags and numbers say nothing


def test_field_index_round_trips_and_scores_each_field(tmp_path: Path) -> None:
    index = FieldIndex.build(PRODUCTS)
    index.save(tmp_path / "fields")
    loaded = FieldIndex.load(tmp_path / "fields", len(PRODUCTS))
    assert loaded is not None
    scores = loaded.scores(["keyboard"])
    assert set(scores) == set(FIELDS)
    assert scores["title"][0] > 0 and scores["title"][2] == 0
    assert scores["category"][1] > 0 and scores["category"][0] == 0
    assert not loaded.scores(["unseenword"])["title"].any()
    assert FieldIndex.load(tmp_path / "missing", len(PRODUCTS)) is None


def test_lexical_index_without_fields_still_loads(tmp_path: Path) -> None:
    folder = tmp_path / "lexical"
    LexicalIndex.build(PRODUCTS).save(folder)
    for name in FIELDS:  # an index written before field indexes existed
        for path in sorted((folder / "fields" / name).iterdir()):
            path.unlink()
        (folder / "fields" / name).rmdir()
    loaded = LexicalIndex.load(folder)
    assert loaded.fields.scores(["toner"])["title"][2] > 0


def test_feature_matrix_has_one_column_per_feature_name() -> None:
    features = features_for("keyboard")
    assert features.shape == (len(PRODUCTS), len(FEATURES))
    assert np.isfinite(features).all()


def test_intent_features_tell_a_keyboard_from_a_keyboard_cover() -> None:
    features = features_for("keyboard")
    assert col(features, "title_coverage")[0] == col(features, "title_coverage")[1] == 1.0
    # "cover" is a product type of this catalog and follows the query word in the title
    assert col(features, "accessory_of_query").tolist() == [0.0, 1.0, 0.0, 0.0]
    # c1's type is "keyboard cover" (head: cover); k1 has no type; m1's type is mouse
    assert col(features, "type_match").tolist() == [0.5, 0.0, 0.5, 0.0]


def test_model_numbers_brands_and_unranked_items() -> None:
    features = features_for("brother tn-2110 toner")
    assert col(features, "code_exact").tolist() == [0.0, 0.0, 1.0, 0.0]
    assert col(features, "brand_named").tolist() == [0.0, 0.0, 1.0, 0.0]
    assert col(features, "bm25_codes")[2] > 0
    assert col(features, "log_price")[3] == -1.0  # no price
    # rows the dense list did not return get its lowest score and an unranked rank
    assert col(features, "dense")[2] == pytest.approx(0.8)
    assert col(features, "dense_log_rank")[2] == pytest.approx(np.log(1000))


def test_fusion_ranker_orders_by_reciprocal_rank() -> None:
    features = features_for("keyboard")
    scores = FusionRanker().score(features)
    assert scores.argmax() == 0


Pools = tuple[list[np.ndarray], list[np.ndarray]]


def synthetic_pools(n_queries: int = 30, size: int = 40) -> Pools:
    """Pools where the label is decided by ``title_coverage`` alone (other columns noise)."""
    rng = np.random.default_rng(3)
    features, labels = [], []
    for _ in range(n_queries):
        x = rng.normal(size=(size, len(FEATURES))).astype(np.float32)
        cover = rng.random(size)
        x[:, FEATURES.index("title_coverage")] = cover
        features.append(x)
        labels.append(np.digitize(cover, [0.5, 0.75, 0.9]).astype(np.int32))
    return features, labels


def test_lambdamart_learns_the_signal_and_round_trips(tmp_path: Path) -> None:
    features, labels = synthetic_pools()
    model = LambdaMartRanker.fit(features, labels, params={"n_estimators": 50})
    held = np.random.default_rng(9).normal(size=(20, len(FEATURES))).astype(np.float32)
    held[:, FEATURES.index("title_coverage")] = np.linspace(0, 1, 20)
    assert np.argmax(model.score(held)) >= 17  # one of the highest coverages
    path = tmp_path / "ranker.txt"
    model.save(path)
    again = load_ranker(str(path))
    assert np.allclose(again.score(held), model.score(held))
    assert model.score(held[:0]).shape == (0,)


def test_lambdamart_on_a_subset_of_features() -> None:
    features, labels = synthetic_pools()
    columns = ("bm25", "title_coverage")
    model = LambdaMartRanker.fit(features, labels, columns=columns, params={"n_estimators": 20})
    assert model.features == columns
    assert model.score(features[0]).shape == (len(features[0]),)


def test_load_ranker_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown ranker 'nope'"):
        load_ranker("nope")
    bad = tmp_path / "bad.txt"
    bad.write_text("not a model", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot load the ranking model"):
        load_ranker(str(bad))
    features, labels = synthetic_pools(n_queries=10)
    text = LambdaMartRanker.fit(features, labels, params={"n_estimators": 5}).booster
    foreign = tmp_path / "foreign.txt"
    foreign.write_text(text.model_to_string().replace("title_coverage", "shoe_size"),
                       encoding="utf-8")
    with pytest.raises(ConfigError, match="shoe_size"):
        load_ranker(str(foreign))


def test_shipped_model_loads_and_uses_known_features() -> None:
    assert shipped_model_path().is_file()
    ranker = load_ranker("lambdamart")
    assert set(ranker.features) <= set(FEATURES)  # type: ignore[attr-defined]


def test_auto_picks_the_catalogs_own_model_then_the_shipped_one(tmp_path: Path) -> None:
    assert isinstance(SEARCH_RANKERS.pick("dummyjson", "auto", tmp_path), FusionRanker)
    assert isinstance(SEARCH_RANKERS.pick("icecat", "auto", tmp_path), LambdaMartRanker)
    features, labels = synthetic_pools(n_queries=10)
    LambdaMartRanker.fit(features, labels, params={"n_estimators": 5}).save(
        own_model_path(tmp_path, "dummyjson"))
    own = SEARCH_RANKERS.pick("dummyjson", "auto", tmp_path)
    assert isinstance(own, LambdaMartRanker) and own.name == "ranker-dummyjson"
    assert isinstance(SEARCH_RANKERS.pick("dummyjson", "rrf", tmp_path), FusionRanker)


def test_ranked_hybrid_search_respects_filters_and_is_deterministic(
    dummy_searcher: Searcher,
) -> None:
    own = dummy_searcher.ranker
    ranked = dummy_searcher.with_ranker(load_ranker("lambdamart"))
    ranked_search_checks(ranked)
    assert ranked.ranker is not own and dummy_searcher.ranker is own  # the original is as it was


def ranked_search_checks(dummy_searcher: Searcher) -> None:
    first = dummy_searcher.search("lipstick under $20", k=10)
    again = dummy_searcher.search("lipstick under $20", k=10)
    assert first.ids == again.ids and first.ids
    assert all(c.product.price is not None and float(c.product.price) <= 20
               for c in first.candidates)
    scores = [c.score for c in first.candidates]
    assert scores == sorted(scores, reverse=True)
    brand = first.candidates[0].product.brand
    wanted = Filters(brands=frozenset({brand.lower()}))
    only = dummy_searcher.search("lipstick", k=10, filters=wanted)
    assert only.ids and all(c.product.brand == brand for c in only.candidates)


def test_pool_is_what_hybrid_search_ranks(dummy_searcher: Searcher) -> None:
    pool = dummy_searcher.pool("red lipstick")
    assert pool.features.shape == (len(pool.ids), len(FEATURES))
    hybrid = dummy_searcher.search("red lipstick", k=len(pool.ids), mode=Mode.HYBRID)
    assert set(hybrid.ids) == set(pool.ids)
    dense_only = dummy_searcher.pool("zzzzqqq")  # no word BM25 knows: the dense list alone
    assert not dense_only.lexical_rank and dense_only.ids
    # the ranker learned from lexical evidence: without any, the dense order stands
    assert dummy_searcher.search("zzzzqqq", k=5).ids == \
        dummy_searcher.search("zzzzqqq", k=5, mode=Mode.DENSE).ids
