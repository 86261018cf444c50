"""Search over a real index (real embedder, real ChromaDB embedded and server)."""

from __future__ import annotations

import pytest

from retrieval import Filters, Mode, Searcher

MODES = list(Mode)

# (query, what the parser must find) — every result must satisfy the parsed filters.
FILTERED_QUERIES = [
    ("watch under $300", Filters(price_max=300.0)),
    ("watch between 100 and 200 dollars", Filters(price_min=100.0, price_max=200.0)),
    ("sunglasses less than 30", Filters(price_max=30.0, categories=frozenset({"sunglasses"}))),
    ("iphone by Apple", Filters(brands=frozenset({"apple"}))),
    (
        "smartphone not Apple",
        Filters(exclude_brands=frozenset({"apple"}), categories=frozenset({"smartphones"})),
    ),
    ("laptops over 1000", Filters(price_min=1000.0, categories=frozenset({"laptops"}))),
    (
        "mobile not Apple or Samsung under 500",
        Filters(price_max=500.0, exclude_brands=frozenset({"apple", "samsung"})),
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("query", "expected"), FILTERED_QUERIES)
def test_every_result_satisfies_the_filters(
    dummy_searcher: Searcher, mode: Mode, query: str, expected: Filters
) -> None:
    result = dummy_searcher.search(query, k=50, mode=mode)
    assert result.query.filters == expected
    assert result.candidates, f"{query!r} found nothing in {mode}"
    for c in result.candidates:
        assert expected.accepts(c.product), (query, mode, c.product)


@pytest.mark.parametrize("mode", MODES)
def test_an_exact_title_comes_first(dummy_searcher: Searcher, mode: Mode) -> None:
    product = next(
        p
        for p in dummy_searcher.table.products
        if p.title == "Apple MacBook Pro 14 Inch Space Grey"
    )
    result = dummy_searcher.search(product.title, k=5, mode=mode)
    assert result.candidates[0].product.id == product.id


def test_hybrid_reports_per_stage_scores_and_timings(dummy_searcher: Searcher) -> None:
    result = dummy_searcher.search("red lipstick", k=10, mode=Mode.HYBRID)
    assert [c.rank for c in result.candidates] == list(range(1, len(result.candidates) + 1))
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert any(c.lexical_score is not None and c.dense_score is not None for c in result.candidates)
    assert {"parse", "embed", "dense", "lexical", "rank", "total"} <= result.timings_ms.keys()


@pytest.mark.parametrize("mode", MODES)
def test_an_impossible_filter_returns_nothing(dummy_searcher: Searcher, mode: Mode) -> None:
    assert dummy_searcher.search("laptop under $0.50", k=10, mode=mode).candidates == []


@pytest.mark.parametrize("mode", [Mode.DENSE, Mode.HYBRID])
def test_narrow_filters_use_the_where_clause_and_stay_exact(
    dummy_searcher: Searcher, mode: Mode
) -> None:
    """A filter matching few items cannot be met by over-fetching: Chroma's where clause runs."""
    narrow = Filters(brands=frozenset({"rolex"}))
    result = dummy_searcher.search("watch", k=10, mode=mode, filters=narrow)
    rolex = [p for p in dummy_searcher.table.products if p.brand.lower() == "rolex"]
    assert sorted(c.product.id for c in result.candidates) == sorted(p.id for p in rolex)


def test_explicit_filters_tighten_the_parsed_ones(dummy_searcher: Searcher) -> None:
    result = dummy_searcher.search("phone under $500", k=50, filters=Filters(price_max=200.0))
    assert result.query.filters.price_max == 200.0
    assert all(c.product.price is not None and c.product.price <= 200 for c in result.candidates)


def test_lexical_mode_finds_only_matching_words(dummy_searcher: Searcher) -> None:
    result = dummy_searcher.search("zzzqqq nonsenseword", k=10, mode=Mode.LEXICAL)
    assert result.candidates == []
