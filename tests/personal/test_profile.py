"""Profiles from events, and personalised scores: pure functions over hand-made vectors."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from retrieval.product_table import ProductTable
from retrieval.profiles import Profile, ProfileConfig, StoredEvent, build_profile
from retrieval.profiles.scoring import recommend, rescore
from retrieval.profiles.vectors import ItemVectors
from retrieval.types import Candidate, Filters, Mode, ParsedQuery, SearchResult
from shopchat.records import EventKind, Product

DAY = 86400.0
CFG = ProfileConfig()


def vectors() -> ItemVectors:
    """Four items on three axes: a and b point one way, c another, d a third."""
    products = [
        Product("a", "Red Lipstick", brand="Chic", category="beauty", price=Decimal("10")),
        Product("b", "Pink Lipstick", brand="Chic", category="beauty", price=Decimal("12")),
        Product("c", "Oak Table", brand="Wood Co", category="furniture", price=Decimal("300")),
        Product("d", "Dog Food", category="groceries", price=Decimal("9")),
    ]
    m = np.array([[1, 0, 0], [0.9, 0.436, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    return ItemVectors(ProductTable(products), m, np.ones(4, dtype=bool))


def ev(i: int, item: str, kind: EventKind, day: float, query: str = "",
       vector: np.ndarray | None = None) -> StoredEvent:
    return StoredEvent(i, "u", item, kind, day * DAY, 1, query, vector)


def test_no_events_no_profile() -> None:
    assert build_profile("u", [], vectors(), CFG) is None


def test_recency_and_event_weights() -> None:
    iv = vectors()
    old_purchase = ev(1, "c", EventKind.PURCHASE, 0)
    new_purchase = ev(2, "a", EventKind.PURCHASE, 365)
    p = build_profile("u", [old_purchase, new_purchase], iv, CFG)
    assert p is not None and p.vector is not None
    assert p.item_weights["a"] == pytest.approx(1.0)
    # a year is ~4 half-lives: the old purchase sits just above the floor
    assert CFG.recency_floor < p.item_weights["c"] < CFG.recency_floor + 0.1
    assert float(p.vector @ iv.matrix[0]) > float(p.vector @ iv.matrix[2])
    like = build_profile("u", [ev(1, "d", EventKind.LIKE, 0)], iv, CFG)
    view = build_profile("u", [ev(1, "d", EventKind.VIEW, 0)], iv, CFG)
    assert like and view and like.item_weights["d"] > view.item_weights["d"] > 0


def test_dislike_is_negative_and_latest_sentiment_wins() -> None:
    iv = vectors()
    p = build_profile("u", [ev(1, "a", EventKind.LIKE, 0), ev(2, "a", EventKind.DISLIKE, 1),
                            ev(3, "c", EventKind.DISLIKE, 1), ev(4, "c", EventKind.LIKE, 2)], iv,
                      CFG)
    assert p is not None
    assert p.disliked == frozenset({"a"})
    only_dislike = build_profile("u", [ev(1, "a", EventKind.DISLIKE, 0)], iv, CFG)
    assert only_dislike is not None and only_dislike.item_weights["a"] < 0
    assert only_dislike.vector is not None and float(only_dislike.vector @ iv.matrix[0]) < 0


def test_affinities_price_band_queries_and_unknown_items() -> None:
    iv = vectors()
    query_vec = iv.matrix[3].copy()
    events = [ev(1, "a", EventKind.PURCHASE, 10), ev(2, "b", EventKind.PURCHASE, 10),
              ev(3, "c", EventKind.CLICK, 10), ev(4, "zzz", EventKind.PURCHASE, 10),
              ev(5, "", EventKind.QUERY, 10, "dog food", query_vec)]
    p = build_profile("u", events, iv, CFG)
    assert p is not None and p.vector is not None
    assert list(p.brands) == ["chic", "wood co"] and p.brands["chic"] > 0.8
    assert next(iter(p.types)) == "beauty"
    assert p.price_band == (10.0, 12.0)
    assert p.skipped == 1 and "zzz" not in p.item_weights
    assert float(p.vector @ query_vec) > 0.1  # the query counts
    assert p.recent[0].event is EventKind.QUERY


def test_metadata_round_trip() -> None:
    iv = vectors()
    p = build_profile("u", [ev(1, "a", EventKind.PURCHASE, 0), ev(2, "b", EventKind.DISLIKE, 1)],
                      iv, CFG, digest="x|1:2")
    assert p is not None
    back = Profile.from_stored("u", p.vector, p.metadata())
    assert back == Profile(**{**{f: getattr(p, f) for f in p.__dataclass_fields__},
                              "vector": back.vector})
    assert np.allclose(back.vector, p.vector)  # type: ignore[arg-type]
    assert all(isinstance(v, str | int | float | bool) for v in p.metadata().values())


def result_of(iv: ItemVectors, ids: list[str]) -> SearchResult:
    cands = [Candidate(iv.table.get(i), score=1.0 / (60 + r), rank=r)  # type: ignore[arg-type]
             for r, i in enumerate(ids, start=1)]
    return SearchResult(ParsedQuery("lipstick", Filters(), "lipstick"), Mode.HYBRID, cands)


def test_rescore_boosts_own_items_and_drops_dislikes() -> None:
    iv = vectors()
    plain = result_of(iv, ["a", "b", "c", "d"])
    p = build_profile("u", [ev(1, "b", EventKind.PURCHASE, 0), ev(2, "b", EventKind.PURCHASE, 1),
                            ev(3, "d", EventKind.DISLIKE, 1)], iv, CFG)
    assert p is not None
    out = rescore(p, plain, iv, CFG)
    assert out.ids[0] == "b" and "d" not in out.ids
    assert [c.rank for c in out.candidates] == [1, 2, 3]
    assert all(c.personal_score is not None for c in out.candidates)
    assert "personalise" in out.timings_ms
    assert rescore(p, plain, iv, CFG, k=1).ids == ["b"]


def test_recommend_respects_filters_and_dislikes() -> None:
    iv = vectors()
    p = build_profile("u", [ev(1, "a", EventKind.PURCHASE, 0), ev(2, "b", EventKind.DISLIKE, 0)],
                      iv, CFG)
    assert p is not None
    rec = recommend(p, iv, CFG, k=3)
    assert rec.ids[0] == "a" and "b" not in rec.ids and len(rec.ids) == 3
    cheap = recommend(p, iv, CFG, k=3, filters=Filters(price_max=9.5))
    assert cheap.ids == ["d"]
