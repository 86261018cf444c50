"""Chinese shoppers through the whole turn (real ChromaDB in both modes, the real embedding
model, the real segmenter and dictionary): constraints in Chinese enforced like English ones,
follow-ups in Chinese mixed with English turns, replies in the shopper's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Answer, Assistant
from retrieval import Searcher
from retrieval.embedder import SentenceTransformerEmbedder
from shopchat.language import has_han
from shopchat.records import Product
from shopchat.settings import Settings
from tests.conftest import indexed, renamed
from tests.spec_catalog import spec_catalog


@pytest.fixture(scope="module")
def zh_index(chroma_mode: str, embedder: SentenceTransformerEmbedder, data_dir: Path,
             tmp_path_factory: pytest.TempPathFactory,
             request: pytest.FixtureRequest) -> tuple[Settings, Searcher]:
    return indexed(renamed(spec_catalog("zh")), chroma_mode, embedder, data_dir,
                   tmp_path_factory, request)


@pytest.fixture
def shop(zh_index: tuple[Settings, Searcher], tmp_path: Path) -> Assistant:
    settings, searcher = zh_index
    return Assistant(searcher, None, Settings(home=tmp_path, data_dir=settings.data_dir))


def shown(shop: Assistant, answer: Answer) -> list[Product]:
    return [p for i in answer.items if (p := shop.searcher.table.get(i.id)) is not None]


def chinese(message: str) -> bool:
    """A Chinese reply: Han characters and none of the English templates' words."""
    return has_han(message) and not any(
        word in message for word in ("Best match", "cheaper", "matches", "Nothing", "None of"))


@pytest.mark.parametrize(("message", "cap"), [
    ("显示器300美元以下", 300.0),
    ("不超过300美元的显示器", 300.0),
    ("３００美元以下的显示器", 300.0),  # full-width digits
    ("三百美元以内的显示器", 300.0),  # Chinese numerals
    ("顯示器300美元以下", 300.0),  # traditional characters
])
def test_a_price_cap_in_chinese_is_enforced(shop: Assistant, message: str, cap: float) -> None:
    answer = shop.ask("zh1", message)
    items = shown(shop, answer)
    assert items and all(p.price is not None and float(p.price) <= cap for p in items)
    assert answer.constraints["price_max"] == cap
    assert all("monitor" in p.title for p in items[:3])
    assert chinese(answer.message) and "300美元以下" in answer.message


def test_a_range_and_yuan_at_the_stated_rate(shop: Assistant) -> None:
    answer = shop.ask("zh2", "100到200美元之间的显示器")
    assert (answer.constraints["price_min"], answer.constraints["price_max"]) == (100.0, 200.0)
    assert all(100 <= float(p.price or 0) <= 200 for p in shown(shop, answer))
    answer = shop.ask("zh3", "2000元以下的显示器")
    rate = shop.searcher.yuan_rate
    assert answer.constraints["price_max"] == round(2000 / rate, 2)
    assert all(float(p.price or 0) <= 2000 / rate for p in shown(shop, answer))
    assert f"1美元={rate:g}元" in answer.message  # the reply says which rate it assumed


def test_brands_in_chinese_include_exclude_and_lack(shop: Assistant) -> None:
    answer = shop.ask("zh4", "只要戴尔的显示器")
    assert answer.constraints["brands"] == ["dell"]
    assert {p.brand for p in shown(shop, answer)} == {"DELL"}
    answer = shop.ask("zh5", "不要惠普的显示器")
    assert answer.constraints["exclude_brands"] == ["hp"]
    assert shown(shop, answer) and all(p.brand != "HP" for p in shown(shop, answer))
    assert "不要HP" in answer.message  # the catalog's spelling, not "Hp"
    answer = shop.ask("zh6", "只要华为的显示器")  # a brand this catalog does not carry
    assert "Huawei" in answer.message and chinese(answer.message)


def test_specs_in_chinese(shop: Assistant) -> None:
    answer = shop.ask("zh7", "27寸显示器")
    assert {float(p.attributes["display_diagonal"]) for p in shown(shop, answer)} == {27.0}
    answer = shop.ask("zh8", "不带蓝牙的耳机")
    items = shown(shop, answer)
    assert items and all("Bluetooth" not in p.title for p in items[:2])


def test_a_chinese_conversation_mixed_with_english(shop: Assistant) -> None:
    first = shop.ask("zh9", "笔记本电脑")
    sid = first.session_id
    assert first.intent == "search" and chinese(first.message)
    assert shown(shop, first) and all("Notebook" in p.title for p in shown(shop, first)[:3])

    prices = [float(p.price or 0) for p in shown(shop, first)]
    cheaper = shop.ask("zh9", "便宜点", session_id=sid)
    assert cheaper.intent == "refine" and cheaper.constraints["price_max"] < max(prices)
    assert chinese(cheaper.message)

    english = shop.ask("zh9", "more", session_id=sid)  # an English turn in between
    assert english.intent == "more" and english.items and not has_han(english.message)
    more = shop.ask("zh9", "再来一些", session_id=sid)
    assert more.intent == "more" and chinese(more.message)
    seen = {i.id for a in (cheaper, english) for i in a.items}
    assert not seen & {i.id for i in more.items}  # never repeats an item
    assert more.constraints["price_max"] == cheaper.constraints["price_max"]

    lenovo = shop.ask("zh9", "只要联想", session_id=sid)
    assert lenovo.intent == "refine" and {p.brand for p in shown(shop, lenovo)} == {"Lenovo"}
    assert len(lenovo.items) >= 2  # the cheaper cap carries over

    why = shop.ask("zh9", "为什么推荐第二个", session_id=sid)
    assert why.intent == "why" and why.items[0].id == lenovo.items[1].id
    assert why.items[0].position == 2 and "#2" in why.message and chinese(why.message)

    compared = shop.ask("zh9", "比较第一个和第二个", session_id=sid)
    assert compared.intent == "compare"
    assert [i.position for i in compared.items] == [1, 2] and "价格" in compared.message
    beyond = shop.ask("zh9", "比较1和9", session_id=sid)  # only two are shown
    assert not beyond.items and "#9" in beyond.message and chinese(beyond.message)

    reset = shop.ask("zh9", "重新开始", session_id=sid)
    assert reset.intent == "reset" and chinese(reset.message) and not reset.constraints


@pytest.mark.parametrize("message", ["量子纠缠", "魑魅魍魉"])
def test_no_catalog_word_is_said_not_pretended(shop: Assistant, message: str) -> None:
    answer = shop.ask("zh10", message)
    assert not answer.items and message in answer.message and chinese(answer.message)


@pytest.mark.parametrize(("message", "intent"), [
    ("ワイヤレスマウス", "unreadable"),  # Japanese kana
    ("😀😀😀", "search"),
    ("？？？", "search"),
    ("无线鼠标🖱️ under $30", "search"),
    ("鼠标" * 1100, "too_long"),
    ("显示器" * 300, "search"),
])
def test_awkward_messages_get_a_clear_answer(shop: Assistant, message: str, intent: str) -> None:
    answer = shop.ask("zh11", message)
    assert answer.intent == intent and answer.message
