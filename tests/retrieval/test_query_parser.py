from __future__ import annotations

import pytest

from retrieval.query_parser import QueryParser
from retrieval.types import Filters

PARSER = QueryParser(
    brands=["Logitech", "Razer", "Apple", "HP", "Hewlett Packard Enterprise", "D-Link"],
    categories=["laptops", "mens-shirts", "smartphones"],
)

CASES = [
    (
        "quiet gaming mouse under $50, not Razer",
        "quiet gaming mouse",
        Filters(price_max=50.0, exclude_brands=frozenset({"razer"})),
    ),
    ("usb hub between 100 and 200 dollars", "usb hub", Filters(price_min=100.0, price_max=200.0)),
    ("usb hub less than 30", "usb hub", Filters(price_max=30.0)),
    ("keyboard below 1,299.99", "keyboard", Filters(price_max=1299.99)),
    ("headphones $20-$40", "headphones", Filters(price_min=20.0, price_max=40.0)),
    ("tv over 500 euros", "tv", Filters(price_min=500.0)),
    ("around $100 keyboard", "keyboard", Filters(price_min=80.0, price_max=120.0)),
    ("15 inch monitor under 300", "15 inch monitor", Filters(price_max=300.0)),
    ("under 15 inch laptop", "under 15 inch laptop", Filters(categories=frozenset({"laptops"}))),
    ("32 gb usb stick", "32 gb usb stick", Filters()),
    ("mouse by Logitech", "mouse Logitech", Filters(brands=frozenset({"logitech"}))),
    ("Logitech only webcam", "Logitech webcam", Filters(brands=frozenset({"logitech"}))),
    ("printer not HP or Apple", "printer", Filters(exclude_brands=frozenset({"hp", "apple"}))),
    (
        "server by hewlett packard enterprise",
        "server hewlett packard enterprise",
        Filters(brands=frozenset({"hewlett packard enterprise"})),
    ),
    ("router no d-link", "router", Filters(exclude_brands=frozenset({"d-link"}))),
    ("speaker by the window", "speaker by the window", Filters()),
    ("laptops under 1000", "laptops", Filters(price_max=1000.0, categories=frozenset({"laptops"}))),
    ("cheap mens shirts", "cheap mens shirts", Filters(categories=frozenset({"mens-shirts"}))),
    ("phone not smartphones", "phone", Filters(exclude_categories=frozenset({"smartphones"}))),
    ("", "", Filters()),
    ("under $50", "", Filters(price_max=50.0)),
]


@pytest.mark.parametrize(("query", "text", "filters"), CASES)
def test_parse(query: str, text: str, filters: Filters) -> None:
    parsed = PARSER.parse(query)
    assert parsed.filters == filters
    assert parsed.text == text
    assert parsed.original == query


def test_without_catalog_names_only_prices_are_filters() -> None:
    parsed = QueryParser().parse("mouse by Logitech under 20")
    assert parsed.filters == Filters(price_max=20.0)
    assert parsed.text == "mouse by Logitech"


KNOWN_WORDS = {"usb", "stick", "mouse", "wireless", "gaming", "quiet", "speaker", "window",
               "price", "charger", "powered", "laptop", "cable"}
CATALOG = QueryParser(brands=["Logitech", "HP"], categories=[],
                      known_word=lambda word: word.lower() in KNOWN_WORDS)


@pytest.mark.parametrize(("query", "text", "unknown", "unknown_excluded", "filters"), [
    ("usb stick by SanDisk", "usb stick", ("SanDisk",), (), Filters()),
    ("usb stick by sandisk", "usb stick", ("sandisk",), (), Filters()),
    ("SanDisk only usb stick", "usb stick", ("SanDisk",), (), Filters()),
    ("only SanDisk or Kingston usb", "usb", ("SanDisk", "Kingston"), (), Filters()),
    ("a quiet gaming mouse under $50, not Razer", "a quiet gaming mouse", (), ("Razer",),
     Filters(price_max=50.0)),
    ("mouse without Razer or Corsair", "mouse", (), ("Razer", "Corsair"), Filters()),
    ("mouse by Logitech, not Razer", "mouse Logitech", (), ("Razer",),
     Filters(brands=frozenset({"logitech"}))),
    # words the catalog has, or that are no names, are never brands
    ("not wireless mouse", "not wireless mouse", (), (), Filters()),
    ("charger powered by usb", "charger powered by usb", (), (), Filters()),
    ("speaker by the window", "speaker by the window", (), (), Filters()),
    ("sort by price", "sort by price", (), (), Filters()),
    ("by hand", "by hand", (), (), Filters()),
])
def test_brands_the_catalog_does_not_carry_are_reported(
    query: str, text: str, unknown: tuple[str, ...], unknown_excluded: tuple[str, ...],
    filters: Filters,
) -> None:
    parsed = CATALOG.parse(query)
    assert (parsed.text, parsed.unknown_brands, parsed.unknown_excluded, parsed.filters) == (
        text, unknown, unknown_excluded, filters)


def test_without_a_vocabulary_only_capitalised_names_count() -> None:
    parsed = QueryParser(brands=["HP"]).parse("usb stick by SanDisk, not wireless")
    assert parsed.unknown_brands == ("SanDisk",) and parsed.text == "usb stick, not wireless"


@pytest.mark.parametrize(("query", "text"), [
    ("a quiet gaming mouse under $50, not Razer", "a quiet gaming mouse"),
    ("mouse, under $50, wireless", "mouse, wireless"),
    ("mouse for under $20", "mouse"),
    ("mouse that is under $20 and not Razer", "mouse"),
    ("keyboard (under $40)", "keyboard"),
    ("under 15 inch laptop", "under 15 inch laptop"),
    ("usb-c to usb-a cable under $10", "usb-c to usb-a cable"),
])
def test_the_text_left_by_cut_phrases_is_tidy(query: str, text: str) -> None:
    assert PARSER.parse(query).text == text
