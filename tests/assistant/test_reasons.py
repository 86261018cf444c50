"""Composed reasons: one sentence per item, from its own fields and the page it is on.

Tables of small pages name the comparison each reason must make (the cheapest, the only one
mentioning a word, the largest capacity, the brand named, one bought before); the invariants
(one sentence, at most 25 words, no field list, every number the item's own) are checked on
every product of the real dummyjson catalog, page by page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

import pytest

from assistant.faithful import ReasonJudge
from assistant.reasons import MAX_REASON_WORDS, Page, compose_reasons, format_price, matching
from shopchat.records import Catalog, Product


def item(pid: str, title: str, price: float | None, brand: str = "Acme", **attributes: str
         ) -> Product:
    return Product(pid, title, brand=brand, price=None if price is None else Decimal(str(price)),
                   attributes=dict(attributes))


MICE = [
    item("m1", "Acme Wireless Optical Mouse", 24.99),
    item("m2", "Acme Optical Mouse USB", 12.0),
    item("m3", "Logitech Silent Gaming Mouse", 39.5, brand="Logitech"),
    item("m4", "Acme Laser Mouse", 18.0),
]
STICKS = [
    item("s1", "Verbatim Store n Go 64GB USB stick", 8.94, brand="Verbatim"),
    item("s2", "Integral USB flash drive 16 GB", 7.95, brand="Integral"),
    item("s3", "Integral card reader USB 2.0", 10.95, brand="Integral"),
]
SCREENS = [
    item("d1", 'AOC monitor 68.6 cm (27") Quad HD', 317.95, brand="AOC"),
    item("d2", "HP 24-inch Widescreen LCD Monitor", 85.45, brand="HP"),
    item("d3", "HP 22-inch LCD Monitor", 48.45, brand="HP"),
]

CASES = [
    # (request, page, item index, what its reason must say)
    ("wireless mouse", MICE, 0, "the only one here mentioning \u201cwireless\u201d"),
    ("wireless mouse", MICE, 1, "the cheapest here"),
    ("wireless mouse", MICE, 2, "the priciest here"),
    ("wireless mouse", MICE, 1, "(not \u201cwireless\u201d)"),
    ("logitech mouse", MICE, 2, "the only Logitech here"),
    ("usb stick", STICKS, 0, "the largest capacity here (64 GB)"),
    ("usb stick", STICKS, 1, "the cheapest here"),
    ("usb stick", STICKS, 2, "Matches \u201cusb\u201d (not \u201cstick\u201d)"),
    ("monitor", SCREENS, 0, "the biggest screen here (27-inch)"),
    ("27 inch monitor", SCREENS, 0, "Matches \u201c27 inch monitor\u201d"),
    ("mouse", [item("x", "Mouse", 5.0)], 0, "Matches \u201cmouse\u201d, by Acme at $5.00."),
    ("netflix", MICE, 0, "A match by meaning only, by Acme at $24.99"),
]


@pytest.mark.parametrize(("request_text", "page", "index", "expected"), CASES)
def test_reason_says_how_the_item_differs(request_text: str, page: list[Product], index: int,
                                          expected: str) -> None:
    reasons = compose_reasons(request_text, page)
    assert expected in reasons[index]
    check_sentence(reasons[index], page[index])


def test_a_past_purchase_is_said() -> None:
    reasons = compose_reasons("mouse", MICE, {"m4": "one you bought before"})
    assert "one you bought before" in reasons[3]
    assert all("bought" not in r for r in reasons[:3])


def test_only_comparisons_that_hold_are_made() -> None:
    same_price = [item("a", "Red Mouse", 10.0), item("b", "Blue Mouse", 10.0)]
    assert not any("cheapest" in r or "priciest" in r for r in compose_reasons("mouse", same_price))
    unpriced = [item("a", "Mouse", None, brand=""), item("b", "Mouse pad", 3.0, brand="")]
    assert compose_reasons("mouse", unpriced) == ["Matches \u201cmouse\u201d.",
                                                  "Matches \u201cmouse\u201d, at $3.00."]


def test_the_trade_off_against_the_best_match() -> None:
    assert Page("wireless mouse", MICE).tradeoff() == (
        "The Acme Optical Mouse USB is cheaper ($12.00) but does not mention \u201cwireless\u201d.")
    assert Page("27 inch monitor", [SCREENS[1], SCREENS[0]]).tradeoff() == (
        "The AOC monitor 68.6 cm\u2026 matches \u201c27 inch\u201d but costs $317.95.")
    assert Page("monitor", [SCREENS[2], SCREENS[0]]).tradeoff() == (
        "The AOC monitor 68.6 cm\u2026 has a bigger screen (27-inch) but costs $317.95.")
    assert Page("usb stick", [STICKS[1], STICKS[0], STICKS[2]]).tradeoff() == (
        "The Verbatim Store n Go 64GB USB stick matches \u201cstick\u201d but costs $8.94.")
    flash = [STICKS[1], STICKS[2], item("s4", "Integral USB flash drive 8 GB", 9.5)]
    assert Page("usb flash", flash).tradeoff() == "It is also the cheapest here."
    assert Page("mouse", [item("x", "Mouse", 5.0)]).tradeoff() == ""


def test_matching_keeps_items_with_a_word_asked_for() -> None:
    assert [p.id for p in matching("wireless mouse", MICE)] == ["m1", "m2", "m3", "m4"]
    assert [p.id for p in matching("gaming", MICE)] == ["m3"]
    assert matching("netflix", MICE) == []


def check_sentence(reason: str, product: Product) -> None:
    """One sentence of at most 25 words, no field list, and every number the item's own."""
    assert reason.endswith(".") and not re.search(r"[.!?]\s+[A-Z]", reason), reason
    assert len(reason.split()) <= MAX_REASON_WORDS, reason
    assert ";" not in reason and ": " not in reason, reason
    own = " ".join([product.title, product.description, format_price(product),
                    *product.attributes.values()])
    own_numbers = set(re.findall(r"\d+(?:\.\d+)?", own.replace(",", "")))
    said = set(re.findall(r"\d+(?:\.\d+)?", reason.replace(",", "")))
    assert said <= own_numbers, (reason, said - own_numbers)


def test_every_dummyjson_reason_is_one_faithful_sentence(dummy_catalog: Catalog) -> None:
    """Pages of ten by category, asked for by the category's name: every reason holds the
    invariants, and the faithfulness judge that checks model-written reasons accepts it."""
    by_category: dict[str, list[Product]] = defaultdict(list)
    for product in dummy_catalog.products:
        by_category[product.category].append(product)
    checked = 0
    for category, products in by_category.items():
        for start in range(0, len(products), 10):
            page = products[start:start + 10]
            request = category.replace("-", " ")
            judge = ReasonJudge(request, page)
            for product, reason in zip(page, compose_reasons(request, page), strict=True):
                check_sentence(reason, product)
                assert judge.judge(reason, product) is None, reason
                checked += 1
    assert checked == len(dummy_catalog.products)


def test_an_item_that_meets_the_asked_spec_says_so_not_a_match_by_meaning() -> None:
    from assistant.reasons import met_specs

    monitors = [Product("a", "AOC 27B2H computer monitor", brand="AOC"),
                Product("d", "DELL SE2719H 68.6 cm (27\")", brand="DELL")]
    constraints = {"specs": [{"label": "27 inch display diagonal", "hard": True},
                             {"label": "with hdmi", "hard": False}]}
    assert met_specs(constraints) == ["27 inch display diagonal"]
    plain = compose_reasons("monitor", monitors)
    said = compose_reasons("monitor", monitors, met=met_specs(constraints))
    assert plain[1].startswith("A match by meaning only")
    assert said[1].startswith("27 inch display diagonal, by DELL")
    assert said[0] == plain[0]  # an item matching the words keeps its reason
