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
