"""Specifications through the whole turn (real ChromaDB, the real embedding model): filters,
the words around them, follow-ups that change them, relaxation and absurd specs."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from retrieval import Searcher
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.specs import SpecKind
from shopchat.records import Product
from shopchat.settings import Settings
from tests.conftest import indexed, renamed
from tests.spec_catalog import spec_catalog


@pytest.fixture(scope="module")
def spec_index(chroma_mode: str, embedder: SentenceTransformerEmbedder, data_dir: Path,
               tmp_path_factory: pytest.TempPathFactory,
               request: pytest.FixtureRequest) -> tuple[Settings, Searcher]:
    return indexed(renamed(spec_catalog()), chroma_mode, embedder, data_dir, tmp_path_factory,
                   request)


@pytest.fixture
def shop(spec_index: tuple[Settings, Searcher], tmp_path: Path) -> Assistant:
    settings, searcher = spec_index
    return Assistant(searcher, None, Settings(home=tmp_path, data_dir=settings.data_dir))


def diagonal(p: Product) -> float:
    return float(p.attributes["display_diagonal"])


def products(shop: Assistant, ids: list[str]) -> list[Product]:
    return [p for i in ids if (p := shop.searcher.table.get(i)) is not None]


def test_a_size_filters_and_is_said(shop: Assistant) -> None:
    answer = shop.ask("u1", "27 inch monitor")
    shown = products(shop, [i.id for i in answer.items])
    assert shown and all(diagonal(p) == 27 for p in shown)
    (spec,) = answer.constraints["specs"]
    assert (spec["attribute"], spec["label"]) == ("display_diagonal", "27 inch display diagonal")
    assert "27 inch display diagonal" in answer.message
    assert answer.facets and answer.facets[0].label == "Brand"


def test_follow_ups_change_the_specs(shop: Assistant) -> None:
    first = shop.ask("u2", "27 inch monitor")
    sid = first.session_id
    bigger = shop.ask("u2", "bigger", session_id=sid)
    assert bigger.intent == "refine"
    assert bigger.items and all(diagonal(p) > 27 for p in products(shop, [i.id for i in
                                                                         bigger.items]))
    without = shop.ask("u2", "without hdmi", session_id=sid)
    shown = products(shop, [i.id for i in without.items])
    assert without.intent == "refine" and shown
    assert all(p.attributes["hdmi"] == "no" and diagonal(p) > 27 for p in shown)
    labels = [s["label"] for s in without.constraints["specs"]]
    assert labels == ["bigger than 27 inch display diagonal", "no hdmi"]


def test_a_follow_up_measure_keeps_the_conversation_s_attribute(shop: Assistant) -> None:
    sid = shop.ask("u3", "notebook with 16gb ram").session_id
    answer = shop.ask("u3", "at least 32gb", session_id=sid)
    assert [s["attribute"] for s in answer.constraints["specs"]] == ["internal_memory"]
    assert {i.id for i in answer.items} == {"nb3", "nb9"}


def test_nothing_of_the_asked_size_at_that_price_shows_the_nearest(shop: Assistant) -> None:
    answer = shop.ask("u4", "32 inch monitor under $150")
    shown = products(shop, [i.id for i in answer.items])
    assert shown and all(p.price is not None and p.price <= 150 for p in shown)
    assert all(diagonal(p) != 32 for p in shown)
    assert "nothing matches \u201c32 inch display diagonal\u201d; the closest" in answer.message \
        .lower().replace("\\", "")


@pytest.mark.parametrize(("query", "said"), [
    ("900 inch monitor", "no product here has a display diagonal near 900 inch"),
    ("-5 inch monitor", "cannot be matched: a size must be more than 0"),
    ("0gb notebook", "cannot be matched: a size must be more than 0"),
    ("notebook at least 8gb and at most 4gb", "cannot both hold"),
])
def test_absurd_specs_get_a_clear_reply(shop: Assistant, query: str, said: str) -> None:
    answer = shop.ask("u5", query)
    assert said in answer.message.replace("\\", "").lower()
    assert "specs" not in answer.constraints


def test_a_spec_filtered_dense_query_names_the_allowed_ids(
        spec_index: tuple[Settings, Searcher], monkeypatch: pytest.MonkeyPatch) -> None:
    """Chroma cannot filter by specs: when the over-fetch finds too few, the ids are named."""
    _, searcher = spec_index
    monkeypatch.setattr("retrieval.searcher.MAX_OVERFETCH", 0)
    parsed = searcher.parse("notebook with 16gb ram")
    assert [s.kind for s in parsed.filters.specs] == [SpecKind.NUMBER]
    result = searcher.search(parsed, k=5, mode="dense")
    assert result.candidates
    assert all(c.product.attributes.get("internal_memory") == "16" for c in result.candidates)
