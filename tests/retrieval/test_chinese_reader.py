"""Chinese messages read as English queries: table-driven, over a small catalog's words, with
the real CC-CEDICT file and jieba dictionary."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from retrieval.chinese.glossary import CatalogGlossary
from retrieval.chinese.numbers import chinese_number, with_digits
from retrieval.chinese.reader import ChineseReader, fold
from shopchat.language import language_of
from shopchat.records import Product

TITLES = [
    ("Logitech M185 Wireless Mouse", "Logitech"), ("HP LaserJet Pro laser printer", "HP"),
    ("Dell 27 inch monitor P2719H", "Dell"), ("Sony WH-1000XM4 wireless headphones", "Sony"),
    ("JBL Flip 5 bluetooth speaker", "JBL"), ("Anker power bank 20000mAh", "Anker"),
    ("Seagate external hard drive 2TB", "Seagate"), ("SanDisk Ultra micro sd card 64GB",
                                                       "SanDisk"),
    ("Lenovo ThinkPad laptop 16GB RAM notebook", "Lenovo"), ("Apple iPhone 8 smartphone",
                                                             "Apple"),
    ("Targus laptop bag 15.6 inch", "Targus"), ("Samsung SSD solid state drive 1TB", "Samsung"),
    ("Canon digital camera", "Canon"), ("Kingston usb flash drive 32GB", "Kingston"),
    ("Brother toner cartridge", "Brother"), ("AA battery 4 pack", "Duracell"),
]


@pytest.fixture(scope="module")
def reader() -> ChineseReader:
    products = [Product(id=str(i), title=t, brand=b, price=Decimal("10"))
                for i, (t, b) in enumerate(TITLES)]
    return ChineseReader(CatalogGlossary(products), yuan_rate=7.0)


@pytest.mark.parametrize(("message", "english"), [
    ("无线鼠标", "wireless mouse"),
    ("蓝牙音箱", "bluetooth speaker"),
    ("移动硬盘", "external hard drive"),
    ("充电宝", "power bank"),
    ("U盘", "usb flash drive"),
    ("TF卡", "micro sd card"),
    ("苹果手机", "iphone"),
    ("苹果8", "iphone 8"),
    ("固态硬盘", "ssd"),  # one of its alternatives: the one the catalog uses most
    ("5号电池", "aa battery"),
    ("我想给我妈买一个好用的充电宝", "power bank"),
    # constraints become the English phrases the English parser reads
    ("无线鼠标50美元以下", "wireless mouse under $50"),
    ("不超过300美元的显示器", "under $300 monitor"),
    ("100到200美元之间的耳机", "between $100 and $200 headphones"),
    ("５０美元以下的鼠标", "under $50 mouse"),
    ("五十美元以下的鼠标", "under $50 mouse"),
    ("200美元以上的相机", "over $200 camera"),
    ("只要罗技的无线鼠标", "only Logitech wireless mouse"),
    ("不要惠普的激光打印机", "not HP laser printer"),
    ("除了索尼的耳机", "not Sony headphones"),
    ("27寸显示器", "27 inch monitor"),
    ("16G内存的笔记本电脑", "16gb ram laptop"),  # "memory": not this catalog's word
    ("不带蓝牙的耳机", "without bluetooth headphones"),
    # traditional characters and Taiwanese shop words fold to simplified
    ("藍牙耳機", "bluetooth headphones"),
    ("無線滑鼠", "wireless mouse"),
    ("隨身碟", "usb flash drive"),
    # mixed scripts keep the Latin words
    ("罗技 M185 鼠标", "Logitech M185 mouse"),
])
def test_reads_chinese_as_english(reader: ChineseReader, message: str, english: str) -> None:
    assert reader.read(message).english == english


@pytest.mark.parametrize(("message", "english"), [
    ("便宜点", "cheaper"), ("更便宜的", "cheaper"), ("有没有便宜一点的", "cheaper"),
    ("贵一点的", "more expensive"), ("大一点的", "bigger"), ("小一点", "smaller"),
    ("再来一些", "more"), ("还有吗", "more"), ("换一批", "more"),
    ("重新开始", "start over"), ("重来", "start over"),
    ("为什么推荐第二个", "why #2?"), ("第3个怎么样", "why #3?"),
    ("最后一个为什么", "why the last one?"),
    ("比较1和3", "compare #1 and #3"), ("对比第一个和第三个", "compare #1 and #3"),
    ("2和4有什么区别", "compare #2 and #4"),
    ("哪个最便宜", "which is the cheapest of these?"),
    ("最贵的是哪个", "which is the most expensive of these?"),
])
def test_follow_ups(reader: ChineseReader, message: str, english: str) -> None:
    reading = reader.read(message)
    assert (reading.english, reading.follow_up) == (english, True)


@pytest.mark.parametrize(("message", "dollars"), [
    ("700元以下的耳机", "under $100"), ("700块以内", "under $100"), ("¥700以下", "under $100"),
    ("预算1400元", "under $200"), ("350块左右", "around $50"), ("1400人民币以上", "over $200"),
])
def test_yuan_are_converted_at_the_stated_rate(reader: ChineseReader, message: str,
                                               dollars: str) -> None:
    reading = reader.read(message)
    assert dollars in reading.english and reading.yuan_rate == 7.0


def test_dollars_need_no_rate(reader: ChineseReader) -> None:
    assert reader.read("50美元以下的鼠标").yuan_rate is None


@pytest.mark.parametrize(("message", "unknown"), [
    ("咖啡机", ("咖啡机",)),  # no catalog word: reported, not guessed
    ("量子纠缠", ("量子纠缠",)),
])
def test_words_the_catalog_lacks_are_reported(reader: ChineseReader, message: str,
                                              unknown: tuple[str, ...]) -> None:
    reading = reader.read(message)
    assert reading.english == "" and "".join(reading.unknown) == "".join(unknown)


@pytest.mark.parametrize("message", [
    "😀😀", "？？？", "。。。", "！", "鼠标" * 2000, "ワイヤレスマウス", "无线鼠标🖱️", "\u200b鼠标",
    "一二三四五六七八九十百千万", "第第第个", "比较和", "99999999999999999999美元以下",
])
def test_awkward_messages_never_crash(reader: ChineseReader, message: str) -> None:
    reading = reader.read(message)
    assert isinstance(reading.english, str)


def test_language_follows_the_script() -> None:
    assert language_of("无线鼠标 under $50") == "zh"
    assert language_of("wireless mouse") == "en"
    assert language_of("ワイヤレスマウス") == "en"  # kana: not Chinese
    assert language_of("マウス 鼠标") == "en"


@pytest.mark.parametrize(("numeral", "value"), [
    ("五十", 50), ("两千五百", 2500), ("两千五", 2500), ("一万二", 12000), ("十五", 15),
    ("三", 3), ("一二", None), ("", None),
])
def test_chinese_numerals(numeral: str, value: int | None) -> None:
    assert chinese_number(numeral) == value


def test_numerals_that_are_words_stay() -> None:
    assert with_digits("来一些") == "来一些"
    assert with_digits("我想买一个鼠标") == "我想买一个鼠标"
    assert with_digits("两百美元以下") == "200美元以下"


def test_fold_full_width_and_traditional() -> None:
    assert fold("５０美元，藍牙") == "50美元,蓝牙"


def test_reading_is_fast(reader: ChineseReader) -> None:
    """Not a timing test: the reader must not redo its set-up per message (the first read
    loads jieba and CC-CEDICT once)."""
    reader.read("无线鼠标")
    started = time.perf_counter()
    for _ in range(50):
        reader.read("只要罗技的无线鼠标50美元以下")
    assert time.perf_counter() - started < 5.0
