"""Personalised search over the real dummyjson index, ChromaDB embedded and `chroma run`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from retrieval.profiles import Personaliser, ProfileStore
from retrieval.profiles.writer import WriteBehind
from shopchat.errors import DataError


def product_id(p: Personaliser, title: str) -> str:
    return next(x.id for x in p.searcher.table.products if x.title == title)


def test_no_history_gets_exactly_the_plain_answer(personaliser: Personaliser) -> None:
    plain = personaliser.searcher.search("red lipstick under $20", k=10)
    mine = personaliser.search("stranger", "red lipstick under $20", k=10)
    assert [(c.product.id, c.score, c.personal_score) for c in mine.candidates] == \
        [(c.product.id, c.score, None) for c in plain.candidates]
    assert personaliser.personalise("stranger", plain) is plain
    assert personaliser.recommend("stranger") is None


def test_record_changes_the_next_search(personaliser: Personaliser) -> None:
    query = "perfume"
    before = personaliser.search("ann", query, k=10).ids
    liked = before[4]
    profile = personaliser.record("ann", liked, "like")
    assert profile.events == 1 and profile.item_weights[liked] > 0
    after = personaliser.search("ann", query, k=10)
    assert after.ids.index(liked) < 4
    assert all(c.personal_score is not None for c in after.candidates)

    personaliser.record("ann", liked, "dislike")
    assert liked not in personaliser.search("ann", query, k=50).ids
    assert liked not in personaliser.recommend("ann", k=50).ids  # type: ignore[union-attr]


def test_a_like_pulls_similar_items_up(personaliser: Personaliser) -> None:
    mascara = product_id(personaliser, "Essence Mascara Lash Princess")
    personaliser.record("bo", mascara, "like")
    rec = personaliser.recommend("bo", k=5)
    assert rec is not None and rec.ids[0] == mascara
    table = personaliser.searcher.table
    assert all(table.get(i).category == "beauty" for i in rec.ids[:3])  # type: ignore[union-attr]


def test_hard_filters_stay_exact(personaliser: Personaliser) -> None:
    chanel = product_id(personaliser, "Chanel Coco Noir Eau De")  # 129.99
    personaliser.record("cy", chanel, "purchase")
    result = personaliser.search("cy", "perfume under $60", k=10)
    assert result.ids and chanel not in result.ids
    assert all(c.product.price is not None and c.product.price <= 60 for c in result.candidates)


def test_record_rejects_bad_events(personaliser: Personaliser) -> None:
    with pytest.raises(DataError, match="unknown event"):
        personaliser.record("dee", "1", "buy")
    with pytest.raises(DataError, match="unknown item"):
        personaliser.record("dee", "no-such-item", "click")
    with pytest.raises(DataError, match="query text"):
        personaliser.record("dee", "", "query")
    assert personaliser.profile("dee") is None and personaliser.events.count("dee") == 0
    profile = personaliser.record("dee", "", "query", query="summer fragrance")
    assert profile.vector is not None and profile.recent[0].query == "summer fragrance"


def test_other_processes_see_the_profile_after_flush(
    open_personaliser: Callable[[], Personaliser],
) -> None:
    writer, reader = open_personaliser(), open_personaliser()
    item = writer.searcher.table.products[0].id
    writer.record("eve", item, "purchase")
    assert writer.profile("eve") is not None  # at once, in this process
    assert writer.flush()
    seen = reader.profile("eve")
    assert seen is not None and seen.item_weights == {item: 1.0}


def test_forget_removes_everything_and_says_what(
    open_personaliser: Callable[[], Personaliser],
) -> None:
    p = open_personaliser()
    items = [x.id for x in p.searcher.table.products[:3]]
    for item in items:
        p.record("fay", item, "click")
    p.record("gus", items[0], "click")
    report = p.forget("fay")
    assert (report.events, report.profile) == (3, True)
    assert "deleted 3 events and the profile" in report.describe()
    assert p.profile("fay") is None and p.events.count("fay") == 0
    assert "fay" not in p.profiles.ids() and "gus" in p.profiles.ids()
    assert open_personaliser().profile("fay") is None  # not in Chroma either
    assert p.search("fay", "perfume").ids == p.searcher.search("perfume").ids
    again = p.forget("fay")
    assert (again.events, again.profile) == (0, False)


def test_a_profile_is_only_read_for_its_own_user(
    personaliser: Personaliser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Answering B never reads A's profile: not from Chroma, not from the pending writes, and
    the users collection is never similarity-searched."""
    items = [x.id for x in personaliser.searcher.table.products[:2]]
    personaliser.record("userA", items[0], "like")
    personaliser.record("userB", items[1], "like")
    reads: list[str] = []
    store_read, pending_get = ProfileStore.read, WriteBehind.get

    def spy_read(self: ProfileStore, user_id: str):  # type: ignore[no-untyped-def]
        reads.append(user_id)
        return store_read(self, user_id)

    def spy_get(self: WriteBehind, user_id: str):  # type: ignore[no-untyped-def]
        reads.append(user_id)
        return pending_get(self, user_id)

    def no_query(*args: object, **kwargs: object) -> None:
        raise AssertionError("the users collection must never be similarity-searched")

    monkeypatch.setattr(ProfileStore, "read", spy_read)
    monkeypatch.setattr(WriteBehind, "get", spy_get)
    monkeypatch.setattr(personaliser.profiles.collection, "query", no_query)
    personaliser.search("userB", "perfume", k=10)
    personaliser.recommend("userB")
    personaliser.flush()
    personaliser.search("userB", "lipstick", k=10)
    personaliser.summary(personaliser.profile("userB"))  # type: ignore[arg-type]
    assert reads and set(reads) == {"userB"}
